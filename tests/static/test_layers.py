#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The shape of user/ (README, "How the pieces fit"), checked as TAP.

1. Layers: a file under user/<layer>/ includes headers of its own layer and
   of the layers below it only:
       bpf/lib  <-  util  <-  dp  <-  core  <-  daemon  <-  cli
   ("lib/x.h" are the data plane's headers that user space shares:
   bpf/lib/hash.h and the like).
2. No include cycle between modules (a module is name.c with name.h).
3. Size: no file over MAX_FILE_LINES lines, no function over MAX_FUNC_LINES
   lines unless the comment above it says why ("reads better whole").
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
USER = os.path.join(ROOT, 'user')
LAYERS = ['lib', 'util', 'dp', 'core', 'daemon', 'cli']
MAX_FILE_LINES = 600
MAX_FUNC_LINES = 80
WHOLE = 'reads better whole'

INCLUDE = re.compile(r'^#include "([a-z]+)/([a-z_0-9]+)\.h"', re.M)


def sources():
    for layer in sorted(os.listdir(USER)):
        d = os.path.join(USER, layer)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(('.c', '.h')):
                yield layer, f, os.path.join(d, f)


def check_layers(files):
    bad = []
    for layer, name, path in files:
        if layer not in LAYERS:
            bad.append('%s/%s: folder %s is not a layer' % (layer, name, layer))
            continue
        for inc_layer, _ in INCLUDE.findall(open(path).read()):
            if inc_layer not in LAYERS or LAYERS.index(inc_layer) > LAYERS.index(layer):
                bad.append('%s/%s includes %s/ (above it)' % (layer, name, inc_layer))
    return bad


def check_cycles(files):
    graph = {}
    for layer, name, path in files:
        mod = '%s/%s' % (layer, name.rsplit('.', 1)[0])
        deps = graph.setdefault(mod, set())
        for inc_layer, inc in INCLUDE.findall(open(path).read()):
            other = '%s/%s' % (inc_layer, inc)
            if other != mod:
                deps.add(other)
    cycles, state = [], {}

    def visit(m, stack):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                cycles.append(' -> '.join(stack[stack.index(d):] + [d]))
            elif not state.get(d):
                visit(d, stack)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if not state.get(m):
            visit(m, [])
    return cycles


FUNC_START = re.compile(r'^[A-Za-z_][^;=]*\)\s*$')


def check_sizes(files):
    bad = []
    for layer, name, path in files:
        lines = open(path).read().split('\n')
        if len(lines) > MAX_FILE_LINES:
            bad.append('%s/%s: %d lines (at most %d)' % (layer, name, len(lines), MAX_FILE_LINES))
        for i, line in enumerate(lines):
            if line != '{' or i == 0 or not FUNC_START.match(lines[i - 1]):
                continue
            start = i - 1
            while start > 0 and lines[start - 1] and not lines[start - 1].startswith(('}', '/*', ' *', '#')):
                start -= 1
            end = i + 1
            while end < len(lines) and lines[end] != '}':
                end += 1
            length = end - start + 1
            above = '\n'.join(lines[max(0, start - 12):start])
            if length > MAX_FUNC_LINES and WHOLE not in above:
                bad.append('%s/%s:%d: function of %d lines (at most %d)' %
                           (layer, name, start + 1, length, MAX_FUNC_LINES))
    return bad


def main():
    files = list(sources())
    checks = [('layers: each file includes its own layer and those below', check_layers(files)),
              ('no include cycle between modules', check_cycles(files)),
              ('files and functions within their sizes', check_sizes(files))]
    print('1..%d' % len(checks))
    failed = 0
    for n, (name, problems) in enumerate(checks, 1):
        if problems:
            failed += 1
            print('not ok %d - %s' % (n, name))
            for p in problems:
                print('# %s' % p)
        else:
            print('ok %d - %s' % (n, name))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
