#!/usr/bin/env bash
# tsan.sh TOOLKIT RUN_TESTS: race checking (make tsan).  TOOLKIT and RUN_TESTS are a
# clang -fsanitize=thread build (MPI=0, LLVM's libomp); OpenMP's own synchronisation is
# made visible to TSan by LLVM's Archer (OMP_TOOL_LIBRARIES), and libomp itself, which
# is not instrumented, is left out (TSAN_OPTIONS ignore_noninstrumented_modules=1:
# without it TSan reports libomp's internal lock-free code, not ours).  Runs the unit
# tests at 2 threads and every kernel (montecarlo pi/option/ep, reduce stats with each
# strategy and membw, filter image/folder, stencil) at 2 and 4 threads; any report is a
# failure.  First a control: a small OpenMP program with a real race, built the same
# way, must be reported, so a setup that sees nothing cannot pass.
set -u
TK=$1
RUNNER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ARCHER=$("$HERE/../scripts/deps.sh" --archer)
if [ -z "$ARCHER" ]; then
	echo "FAIL: tsan: LLVM's libarcher.so not found (scripts/deps.sh tsan)"
	exit 1
fi
export OMP_TOOL_LIBRARIES=$ARCHER
export TSAN_OPTIONS="ignore_noninstrumented_modules=1 halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
unset OMP_NUM_THREADS
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
T=300 # seconds one run may take under TSan

# the control: a shared counter incremented without synchronisation
cat >"$WORK/race.c" <<'EOF'
#include <stdio.h>
int main(void)
{
	long n = 0;
#pragma omp parallel num_threads(2)
	for (int i = 0; i < 100000; i++)
		n++;
	printf("%ld\n", n);
	return 0;
}
EOF
clang -fopenmp -fsanitize=thread -g -O1 "$WORK/race.c" -o "$WORK/race" || exit 1
ARCHER_OPTIONS=verbose=1 "$WORK/race" >"$WORK/race.err" 2>&1 # Archer's note: stdout
rc=$?
if ! grep -q 'Archer detected OpenMP application' "$WORK/race.err"; then
	echo "FAIL: tsan: Archer ($ARCHER) is not loaded by libomp: $(head -c 300 "$WORK/race.err")"
	exit 1
fi
if [ $rc != 66 ] || ! grep -q 'WARNING: ThreadSanitizer: data race' "$WORK/race.err"; then
	echo "FAIL: tsan control: a racy OpenMP loop was not reported (exit $rc): the setup sees nothing"
	exit 1
fi

# run NAME CMD...: exit 0 and no ThreadSanitizer report
run() {
	local name=$1 rc t0=$SECONDS
	shift
	timeout $T "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc != 0 ] || grep -q 'ThreadSanitizer' "$WORK/err"; then
		failed=$((failed + 1))
		echo "FAIL: tsan $name: exit $rc"
		grep -A 30 'WARNING: ThreadSanitizer' "$WORK/err" | head -n 40
		[ $rc = 124 ] && echo "  (timed out after $T s)"
		tail -n 3 "$WORK/err"
	else
		passed=$((passed + 1))
		[ -n "${TSAN_VERBOSE:-}" ] && echo "  $name: $((SECONDS - t0)) s"
	fi
}

OMP_NUM_THREADS=2 run "unit tests" env TK_TEST_DATA="$HERE/data" "$RUNNER"
mkdir -p "$WORK/imgs" "$WORK/out1" "$WORK/out2"
cp "$HERE"/data/{gray.pgm,rgb.ppm,gray.png,rgb.png,rgba.png,ga.png} "$WORK/imgs/"
for t in 2 4; do
	q=(--threads "$t" --quiet)
	run "montecarlo pi x$t" "$TK" montecarlo --model pi --samples 2^22 "${q[@]}"
	run "montecarlo option x$t" "$TK" montecarlo --model option --samples 2^20 "${q[@]}"
	run "montecarlo ep x$t" "$TK" montecarlo --model ep --class S "${q[@]}"
	run "montecarlo checkpoint x$t" "$TK" montecarlo --samples 2^22 \
		--checkpoint "$WORK/c$t.ckpt" --checkpoint-every 0 "${q[@]}"
	# atomic and critical take a lock per value: few values (under TSan each costs
	# microseconds, and far more on a loaded machine)
	run "reduce private x$t" "$TK" reduce --generate 2^18 --ops all --bins 64 "${q[@]}"
	for s in atomic critical; do
		run "reduce $s x$t" "$TK" reduce --generate 2^12 --ops all --bins 64 --strategy "$s" "${q[@]}"
	done
	run "reduce npy x$t" "$TK" reduce --input "$HERE/data/rand1000.npy" --ops all "${q[@]}"
	run "reduce csv x$t" "$TK" reduce --input "$HERE/data/small.csv" --ops all "${q[@]}"
	run "reduce membw x$t" "$TK" reduce --model membw --membw-bytes 2^24 --membw-reps 2 "${q[@]}"
	run "filter image x$t" "$TK" filter --filter gaussian,box,sobel,sharpen,median,gray,invert,threshold \
		--generate 301x97x3 --output "$WORK/f$t.png" "${q[@]}"
	run "filter folder x$t" "$TK" filter --filter gaussian,median --input "$WORK/imgs" \
		--output "$WORK/out$((t / 2))" "${q[@]}"
	run "stencil x$t" "$TK" stencil --size 256 --steps 20 "${q[@]}"
done
echo "tsan: $passed runs clean, $failed with reports ($SECONDS s)"
[ $failed = 0 ]
