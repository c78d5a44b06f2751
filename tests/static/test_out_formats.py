#!/usr/bin/env python3
"""The text form of every value the CLI prints: each out_str/out_u64/
out_double/out_share/out_bool call in user/cli has a format with exactly one
conversion, of its value's type (a string for out_str and out_bool, a 64-bit
integer for out_u64, a double for out_double and out_share), or NULL (JSON
only). A format that does not match its value is undefined behaviour that
the -j stories never reach. TAP output."""
import glob
import os
import re

from tap import done, report, root

TYPES = {
    "str": r"s",
    "bool": r"s",
    "u64": r"ll[udxX]",
    "double": r"[fgeE]",
    "share": r"[fgeE]",
}
CALL = re.compile(r'\bout_(str|u64|double|share|bool)\(\s*("(?:[^"\\]|\\.)*"|NULL)\s*,\s*'
                  r'(NULL|(?:"(?:[^"\\]|\\.)*"\s*)+)')
CONV = re.compile(r"%[-+ #0]*[0-9*]*(?:\.[0-9*]+)?([a-zA-Z]+)")

calls = bad = 0
for path in sorted(glob.glob(os.path.join(root, "user/cli/*.c"))):
    text = open(path, encoding="utf-8").read()
    for m in CALL.finditer(text):
        calls += 1
        kind, fmt = m.group(1), m.group(3)
        where = f"{os.path.relpath(path, root)}:{text.count(chr(10), 0, m.start()) + 1}"
        if fmt == "NULL":
            continue
        body = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', fmt)).replace("%%", "")
        convs = CONV.findall(body)
        good = len(convs) == 1 and re.fullmatch(TYPES[kind], convs[0])
        if not good:
            bad += 1
            report(False, f"{where}: out_{kind} format {body!r}",
                   f"wants one %{TYPES[kind]} conversion, has {convs}")
report(calls > 100 and not bad,
       f"every out_* call's format matches its value ({calls} calls, {bad} not)")
done()
