#!/usr/bin/env python3
"""json_field.py PATH...: the values at the dotted PATHs (e.g. time.kernel_s) of the
first JSON record on stdin (toolkit's --format json prints JSON Lines), one a line:
numbers exactly as written, true/false, strings as they are, arrays and objects as
compact JSON, "" when missing or null
or when stdin holds no valid record.  The scripts' one reader of the run schema
(README "Output"), with python3's json module instead of sed."""
import json
import sys

rec = None
for line in sys.stdin:
    if line.strip():
        try:
            rec = json.loads(line, parse_float=str, parse_int=str)
        except ValueError:
            pass
        break
for path in sys.argv[1:]:
    v = rec
    for key in path.split("."):
        v = v.get(key) if isinstance(v, dict) else None
    # strings and numbers as they are; true/false, arrays and objects as JSON
    print("" if v is None else v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
