#!/usr/bin/env bash
# numpy_check.sh [TOOLKIT]: reduce against numpy and math.fsum on files numpy writes.
# Needs a Python with numpy (PYTHON, default /usr/bin/python3); skipped (exit 0) without.
# For each dtype/version/shape case: sum must equal math.fsum bit for bit, min/max and
# their indices and the histogram must equal numpy's, mean within 1e-14 of numpy's, and
# var within 1e-14 of the exact variance (rational arithmetic; numpy's own var is
# printed beside it: on 1e9 + noise it is off by ~1e-11).
set -u
TK=${1:-./toolkit}
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c "import numpy" 2>/dev/null; then
	echo "numpy_check: no numpy in $PY: skipped"
	exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PY" - "$TK" "$WORK" <<'PYEOF'
import json, math, subprocess, sys
from fractions import Fraction
import numpy as np


def exact_var(x):
    m = Fraction(math.fsum(x)) / len(x)  # any shift works; this one keeps numbers small
    d = [Fraction(v) - m for v in x.tolist()]
    s1 = sum(d)
    s2 = sum(v * v for v in d)
    return float((s2 - s1 * s1 / len(x)) / (len(x) - 1))


tk, work = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(123)
n = 200_003
cases = {
    "wide_f8_v1": (rng.standard_normal(n) * np.exp2(rng.integers(-60, 60, n)), (1, 0)),
    "offset_f8_v2": (1e9 + rng.random(n), (2, 0)),
    "normal_2d_v3": (rng.standard_normal((401, 499)), (3, 0)),
    "f4": (rng.standard_normal(n).astype("<f4"), None),
    "i4": (rng.integers(-2**31, 2**31, n, dtype="<i4"), None),
    "i8": (rng.integers(-2**40, 2**40, n, dtype="<i8"), None),
    "u1": (rng.integers(0, 256, n, dtype="u1"), None),
}
bad = 0
for name, (a, version) in cases.items():
    path = "%s/%s.npy" % (work, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, a, version=version)
    out = subprocess.run([tk, "reduce", "--input", path, "--ops", "all", "--bins", "100",
                          "--format", "json", "--quiet"], capture_output=True, text=True)
    if out.returncode != 0:
        print("FAIL %s: exit %d: %s" % (name, out.returncode, out.stderr.strip()))
        bad += 1
        continue
    r = json.loads(out.stdout)["result"]
    x = a.astype(np.float64).ravel()
    want_hist, _ = np.histogram(x, bins=100)
    var = exact_var(x)
    checks = {
        "sum == fsum": r["sum"] == math.fsum(x),
        "min": r["min"] == x.min() and r["argmin"] == int(x.argmin()),
        "max": r["max"] == x.max() and r["argmax"] == int(x.argmax()),
        "mean": abs(r["mean"] - x.mean()) <= 1e-14 * abs(x.mean()) + 1e-300,
        "var": abs(r["var"] - var) <= 1e-14 * var,
        "hist": r["hist"] == [int(c) for c in want_hist],
    }
    failed = [k for k, ok in checks.items() if not ok]
    if failed:
        bad += 1
        print("FAIL %s: %s (sum %r fsum %r var %r exact %r)" % (
            name, ", ".join(failed), r["sum"], math.fsum(x), r["var"], var))
    else:
        print("  %s: sum == math.fsum; min/max/argmin/argmax/hist == numpy; var error %.1e "
              "(numpy's %.1e)" % (name, abs(r["var"] - var) / var,
                                  abs(x.var(ddof=1) - var) / var))
sys.exit(1 if bad else 0)
PYEOF
