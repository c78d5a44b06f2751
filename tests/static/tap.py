"""Shared by the Python static tests: the repository's paths, the built
evenflow, TAP lines, and the commands `evenflow help` lists."""
import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = os.environ.get("BUILD", "build")
build = build if os.path.isabs(build) else os.path.join(root, build)
evenflow = os.path.join(build, "evenflow")

_n = 0
_failed = 0


def report(good, desc, diag=""):
    """One TAP line ('# ' lines of diag after a failure)."""
    global _n, _failed
    _n += 1
    if good:
        print(f"ok {_n} - {desc}")
    else:
        _failed += 1
        print(f"not ok {_n} - {desc}")
        for line in diag.splitlines():
            print(f"# {line}")


def done():
    """The plan, and the exit status."""
    print(f"1..{_n}")
    sys.exit(1 if _failed else 0)


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw).stdout


def need_evenflow():
    """Stops the test (one failure) unless evenflow is built."""
    if not os.access(evenflow, os.X_OK):
        report(False, "evenflow is built", f"no {evenflow}")
        done()


def commands():
    """(command words, usage line) of every command `evenflow help` lists."""
    out = []
    for line in run(evenflow, "help").splitlines():
        if not re.match(r"^  [a-z]", line):
            continue
        line = line.strip()
        words = []
        for w in line.split():
            if not re.match(r"^[a-z]+$", w):
                break
            words.append(w)
        out.append((words, line))
    return out
