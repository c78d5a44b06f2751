#!/usr/bin/env python3
"""The manual pages say what the program does: every command of
`evenflow help` has its section in evenflow(8), with every row its --help
shows (arguments and options); every global option of `evenflow --help` is
there; every key of the configuration schema is in evenflow.yaml(5); and the
README's schema table is the one the parser's tables print. TAP output."""
import os
import re

from tap import build, commands, done, evenflow, need_evenflow, report, root, run


def page(name):
    """The rendered page as plain text, one space between words."""
    path = os.path.join(build, "man", name)
    if not os.path.exists(path):
        return None
    text = run("man", "-l", path, env=dict(os.environ, MANWIDTH="2000", MAN_KEEP_FORMATTING="",
                                            LC_ALL="C.UTF-8"))
    return re.sub(r"[ \t]+", " ", text.replace("\u2010", "-").replace("\u2011", "-"))


def rows(help_text, skip=2):
    """The rows of a --help after its usage and help lines: their left
    column ('--weight W', 'VIP'), printed padded to 22 characters."""
    out = []
    for line in help_text.splitlines()[skip:]:
        if not line.startswith("  ") or line.startswith("   "):
            continue
        left = line[2:24]
        if len(line) > 24 and left.endswith(" "):
            out.append(left.rstrip())
        else:
            words = line.split()
            out.append(" ".join(words[:2]) if words[0].startswith("--") else words[0])
    return out


need_evenflow()
man8 = page("evenflow.8")
man5 = page("evenflow.yaml.5")
report(man8 is not None and man5 is not None, "both pages are built",
       f"under {build}/man")
if man8 is None or man5 is None:
    done()

# Each command: its usage line heads a section; every row of its --help is in
# that section (up to the next command's usage line).
for words, line in commands():
    cmd = " ".join(words)
    head = "evenflow " + line
    at = man8.find("\n " + head + "\n")
    if at < 0:
        report(False, f"{cmd}: its usage line heads a section of evenflow(8)", head)
        continue
    nxt = man8.find("\n evenflow ", at + 1)
    section = man8[at:nxt if nxt > 0 else len(man8)]
    help_rows = rows(run(evenflow, *words, "--help"))
    missing = [r for r in help_rows if f"\n {r}\n" not in section]
    report(not missing, f"{cmd}: every row of its --help in evenflow(8) ({len(help_rows)})",
           "missing: " + ", ".join(missing))

glob = rows(run(evenflow, "--help").split("\n\n")[0], skip=1)
missing = [r for r in glob if f"\n {r}\n" not in man8]
report(glob and not missing, f"global options in evenflow(8) ({len(glob)})",
       "missing: " + ", ".join(missing))

# The schema: every key path docgen knows is in evenflow.yaml(5), and the
# README's table is docgen's.
md = run(os.path.join(build, "docgen"), "--schema-md")
keys = re.findall(r"^\| `([^`]+)`", md, re.M)
missing = [k for k in keys if f"\n {k} (" not in man5]
report(len(keys) > 20 and not missing, f"every configuration key in evenflow.yaml(5) ({len(keys)})",
       "missing: " + ", ".join(missing))
with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
    readme = f.read()
m = re.search(r"<!-- schema: docgen --schema-md -->\n(.*?)<!-- end schema -->", readme, re.S)
report(m is not None and m.group(1) == md, "the README's schema table is the parser's",
       "regenerate it with: build/docgen --schema-md" if m else "no schema markers in README")
done()
