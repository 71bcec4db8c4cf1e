#!/usr/bin/env bash
# bench_reduce.sh [N]: reduce's throughput against the read bandwidth and numpy, in one
# run on one machine.  N float64 values (default 2^27 = 1 GiB) already in memory.
# Prints GB/s (bytes reduced / kernel seconds, best of 3) for: the membw probe, reduce
# with the default ops (sum,min,max,mean,var,std), hist alone per strategy, and numpy's
# sum, var, min+max and histogram on an array of the same size.
# SIMD="scalar avx2 avx512" repeats the toolkit rows for each vector variant (--simd).
set -u
TK=${TK:-./toolkit}
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-134217728}
PY=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

rate() { # the best "rate" value of 3 runs of: toolkit ARGS --format json
	local best=0 v
	for _ in 1 2 3; do
		v=$("$@" --format json --quiet | "$HERE/json_field.py" rate.value)
		best=$(awk -v a="$best" -v b="${v:-0}" 'BEGIN { print (b > a ? b : a) }')
	done
	echo "$best"
}

for simd in ${SIMD:-auto}; do
export TK_SIMD=$simd
for T in 1 2; do
	bw=$(rate "$TK" reduce --model membw --threads $T --membw-reps 5)
	st=$(rate "$TK" reduce --generate $N --threads $T)
	printf "simd %s, threads %d: membw %6.2f GB/s | reduce sum,min,max,mean,var,std %6.2f GB/s (%3.0f%%)" \
		"$simd" $T "$bw" "$st" "$(awk -v a="$st" -v b="$bw" 'BEGIN { print 100 * a / b }')"
	for s in private atomic critical; do
		n=$N
		[ $s = private ] || n=$((N / 16)) # per-value locking is slow by design
		h=$(rate "$TK" reduce --generate $n --threads $T --ops hist --range 0:1 --strategy $s)
		printf " | hist %s %.3f GB/s" $s "$h"
	done
	echo
done
done
unset TK_SIMD
if command -v mpirun >/dev/null && ! "$TK" info | grep -q "^  MPI  *none"; then
	st=$(rate mpirun --oversubscribe --bind-to none -np 2 "$TK" reduce --generate $N)
	printf "mpirun -np 2: reduce %.2f GB/s\n" "$st"
fi
if "$PY" -c "import numpy" 2>/dev/null; then
	"$PY" - "$N" <<'PYEOF'
import sys, time
import numpy as np
n = int(sys.argv[1])
a = np.random.default_rng(1).random(n)
def best(f):
    t = min(timeit(f) for _ in range(3))
    return a.nbytes / t / 1e9
def timeit(f):
    t0 = time.perf_counter(); f(); return time.perf_counter() - t0
print("numpy %s: sum %.2f GB/s | var %.2f GB/s | min+max %.2f GB/s | histogram(256) %.2f GB/s" % (
    np.__version__, best(lambda: a.sum()), best(lambda: a.var()),
    best(lambda: (a.min(), a.max())), best(lambda: np.histogram(a, bins=256, range=(0, 1)))))
PYEOF
else
	echo "numpy not found ($PY): skipped"
fi
