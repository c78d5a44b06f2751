#!/usr/bin/env python3
"""Every command of `evenflow help` has a row in the README's command
reference, and every option its help shows appears in that row: the
reference cannot fall behind the code. TAP output."""
import os
import re

from tap import commands, done, evenflow, need_evenflow, report, root, run

need_evenflow()
with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
    readme = f.read()
start = readme.index("## Command-line reference")
reference = readme[start:readme.index("\n## ", start + 1)]
rows = [l for l in reference.splitlines() if l.startswith("| `")]

for words, line in commands():
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
glob = run(evenflow, "--help")
gflags = sorted(set(re.findall(r"^  (--[a-z-]+)", glob, re.M)))
missing = [f for f in gflags if f"`{f}" not in reference and f" {f}" not in reference]
report(gflags and not missing, f"global options in the reference ({len(gflags)})",
       "missing: " + " ".join(missing))
done()
