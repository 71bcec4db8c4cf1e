#!/usr/bin/env bash
# run.sh replay BUILD TARGET... : run every input of tests/fuzz/corpus/TARGET/ and
#   tests/fuzz/regress/TARGET/ (past crash, timeout and out-of-memory reproducers)
#   once through BUILD/fuzz_TARGET, no fuzzing; fails on any sanitizer report, crash,
#   broken assertion, timeout (10 s an input) or out-of-memory (2 GiB).
# run.sh fuzz BUILD TARGET... -- SECONDS : fuzz each target for SECONDS, starting from
#   its committed corpus; new inputs go to BUILD/corpus/TARGET/, a crash to
#   BUILD/crash/TARGET/ (copy it to tests/fuzz/regress/TARGET/ with the fix).
# Both print one line per target with its inputs (or runs) and wall time.
set -u
mode=$1 build=$2
shift 2
targets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	targets+=("$1")
	shift
done
[ "${1:-}" = "--" ] && shift
seconds=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
# the limits every run has: a slow input is a bug (a parser must finish at once)
limits=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
for t in "${targets[@]}"; do
	bin=$build/fuzz_$t
	[ -x "$bin" ] || { echo "FAIL: $bin was not built"; failed=$((failed + 1)); continue; }
	t0=$(date +%s.%N)
	log=$build/fuzz_$t.log
	if [ "$mode" = replay ]; then
		mapfile -t inputs < <(find "$here/corpus/$t" "$here/regress/$t" -type f 2>/dev/null | sort)
		if [ ${#inputs[@]} = 0 ]; then
			echo "FAIL: fuzz $t: no corpus in tests/fuzz/corpus/$t"
			failed=$((failed + 1))
			continue
		fi
		timeout 300 "$bin" "${limits[@]}" "${inputs[@]}" >"$log" 2>&1
		rc=$?
		what="${#inputs[@]} inputs"
	else
		mkdir -p "$build/corpus/$t" "$build/crash/$t"
		timeout $((seconds + 120)) "$bin" "${limits[@]}" -max_total_time="$seconds" \
			-print_final_stats=1 -artifact_prefix="$build/crash/$t/" \
			"$build/corpus/$t" "$here/corpus/$t" >"$log" 2>&1
		rc=$?
		what="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs"
	fi
	took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
	if [ $rc != 0 ]; then
		echo "FAIL: fuzz $t: exit $rc after ${took} s ($log):"
		grep -E 'ERROR|SUMMARY|fuzz: |Test unit written|runtime error' "$log" | head -n 8
		failed=$((failed + 1))
	else
		echo "  fuzz $t: $what, ${took} s, clean"
	fi
done
[ $failed = 0 ] || { echo "fuzz $mode: $failed target(s) failed"; exit 1; }
