#!/usr/bin/env python3
"""Every command of `evenflow help` has a row in the README's command
reference, and every option its help shows appears in that row: the
reference cannot fall behind the code. TAP output."""
import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = os.environ.get("BUILD", "build")
evenflow = build if os.path.isabs(build) else os.path.join(root, build)
evenflow = os.path.join(evenflow, "evenflow")

n = 0
failed = 0


def report(good, desc, diag=""):
    global n, failed
    n += 1
    if good:
        print(f"ok {n} - {desc}")
    else:
        failed += 1
        print(f"not ok {n} - {desc}")
        for line in diag.splitlines():
            print(f"# {line}")


if not os.access(evenflow, os.X_OK):
    report(False, "evenflow is built", f"no {evenflow}")
    print(f"1..{n}")
    sys.exit(1)
out = subprocess.run([evenflow, "help"], capture_output=True, text=True).stdout
usage = [l.strip() for l in out.splitlines() if re.match(r"^  [a-z]", l)]
with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
    readme = f.read()
start = readme.index("## Command-line reference")
reference = readme[start:readme.index("\n## ", start + 1)]
rows = [l for l in reference.splitlines() if l.startswith("| `")]

for line in usage:
    words = []
    for w in line.split():
        if not re.match(r"^[a-z]+$", w):
            break
        words.append(w)
    cmd = " ".join(words)
    flags = sorted(set(re.findall(r"--[a-z][a-z-]*", line)))
    # a row naming the command first (several may share a row: "a / b")
    mine = [r for r in rows if re.search(r"(^\| `|/ `)" + re.escape(cmd) + r"\b", r)]
    if not mine:
        report(False, f"{cmd}: a row in the command reference", line)
        continue
    missing = [f for f in flags if not any(f in r for r in mine)]
    report(not missing, f"{cmd}: every option in the reference ({len(flags)})",
           "missing: " + " ".join(missing))
# the global options
glob = subprocess.run([evenflow, "--help"], capture_output=True, text=True).stdout
gflags = sorted(set(re.findall(r"^  (--[a-z-]+)", glob, re.M)))
missing = [f for f in gflags if f"`{f}" not in reference and f" {f}" not in reference]
report(gflags and not missing, f"global options in the reference ({len(gflags)})",
       "missing: " + " ".join(missing))
print(f"1..{n}")
sys.exit(1 if failed else 0)
