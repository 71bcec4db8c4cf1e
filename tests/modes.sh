#!/usr/bin/env bash
# modes.sh TOOLKIT: the cross-mode determinism and bad-input checks, run against a built
# binary.  For every case it runs the toolkit in serial, omp (2 and 3 threads) and, in
# an MPI build, under mpirun at 1, 2 and 4 ranks and in hybrid mode, and requires
# every run to verify and to print the same digest as the serial run.  Bad inputs must
# give the documented exit code and one clear line on stderr, on every rank, with no
# hang (each run has a timeout).
#
# The cases live in tests/modes.d/<command>.sh, which use the helpers below:
#   same_digest NAME -- ARGS...        ARGS must give one digest in every mode
#   text_exact NAME -- ARGS...         the text report's numbers read back as JSON's
#   expect_error NAME CODE TEXT -- ARGS...   ARGS must exit CODE with TEXT on stderr,
#                                      also under mpirun -np 2 (ONE_RANK=1: -np 1;
#                                      SERIAL_ONLY=1: not under mpirun)
set -u
TK=${1:-./toolkit}
TK=$(cd "$(dirname "$TK")" && pwd)/$(basename "$TK")
HERE=$(cd "$(dirname "$0")" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
unset OMP_NUM_THREADS
TIMEOUT=${TK_TEST_TIMEOUT:-120}
# the launcher: TK_MPIRUN (the Makefile passes the build's own), options chosen for its
# kind by tests/mpirun.sh
MPIRUN="$HERE/mpirun.sh"
TK_MPIRUN=${TK_MPIRUN:-mpirun}
case $($TK_MPIRUN --version 2>&1 | head -n 3) in
*"Open MPI"* | *OpenRTE*) TK_MPIRUN_KIND=openmpi ;;
*HYDRA* | *Hydra*) TK_MPIRUN_KIND=hydra ;;
*) TK_MPIRUN_KIND=other ;;
esac
export TK_MPIRUN TK_MPIRUN_KIND
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
have_mpi=0
if ! "$TK" info | grep -q "^  MPI  *none" && command -v "${TK_MPIRUN%% *}" >/dev/null; then
	have_mpi=1
fi

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# run_json OUT LAUNCH... -- ARGS...: run with --format json, stdout to OUT; rc returned
run_json() {
	local out=$1
	shift
	local launch=()
	while [ "$1" != "--" ]; do
		launch+=("$1")
		shift
	done
	shift
	timeout "$TIMEOUT" "${launch[@]}" "$TK" "$@" --format json --quiet >"$out" 2>"$out.err"
}

json_field() { # json_field FILE KEY: the value of "KEY":"..." in the JSON line
	sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$1" | head -n 1
}

# The SIMD variants this build and CPU run, as `toolkit info` lists them (scalar first).
simd_variants=$("$TK" info | sed -n 's/^  SIMD variants *\([^(]*\).*/\1/p' | tr -d ,)

# same_digest NAME -- ARGS...: the same digest (and verified) in serial, omp 2/3, and in
# MPI builds mpi 1/2/4 and hybrid 2x2.  SIMD_CONFIGS=1 same_digest ...: instead once per
# SIMD variant (the first, scalar, is the reference).
same_digest() {
	local name=$1
	shift 2
	local ref="" label rc d
	local -a configs=("serial:--threads 1" "omp2:--threads 2" "omp3:--threads 3")
	if [ -n "${SIMD_CONFIGS:-}" ]; then # one configuration per SIMD variant
		configs=()
		for v in $simd_variants; do configs+=("simd-$v:--simd $v"); done
	elif [ $have_mpi = 1 ]; then
		configs+=("mpi1:MPI1" "mpi2:MPI2" "mpi4:MPI4" "hybrid2x2:HYB")
	fi
	for c in "${configs[@]}"; do
		label=${c%%:*}
		local spec=${c#*:} out="$WORK/$name.$label.json"
		case $spec in
		MPI1) run_json "$out" $MPIRUN -np 1 -- "$@" ;;
		MPI2) run_json "$out" $MPIRUN -np 2 -- "$@" ;;
		MPI4) run_json "$out" $MPIRUN -np 4 -- "$@" ;;
		HYB) run_json "$out" $MPIRUN -np 2 -- "$@" --threads 2 ;;
		*) run_json "$out" env -- "$@" $spec ;;
		esac
		rc=$?
		if [ $rc -ne 0 ]; then
			fail "$name [$label]: exit $rc: $(head -c 300 "$out.err")"
			continue
		fi
		if ! grep -q '"verified":true' "$out"; then
			fail "$name [$label]: not verified"
			continue
		fi
		d=$(json_field "$out" digest)
		if [ -z "$ref" ]; then
			ref=$d
		elif [ "$d" != "$ref" ]; then
			fail "$name [$label]: digest $d differs from ${configs[0]%%:*}'s $ref"
			continue
		fi
		pass
	done
	echo "  $name: digest ${ref:-none} in ${#configs[@]} configurations"
}

# expect_error NAME CODE TEXT -- ARGS...: serial, and under mpirun -np 2 in MPI builds
# (ONE_RANK=1 expect_error ...: serial and mpirun -np 1 only)
expect_error() {
	local name=$1 code=$2 text=$3
	shift 4
	local runs=("env")
	if [ $have_mpi = 1 ] && [ "${SERIAL_ONLY:-0}" = 0 ]; then
		if [ "${ONE_RANK:-0}" = 1 ]; then
			runs+=("$MPIRUN -np 1")
		else
			runs+=("$MPIRUN -np 2")
		fi
	fi
	for launch in "${runs[@]}"; do
		local err="$WORK/err" rc lines
		# shellcheck disable=SC2086
		timeout "$TIMEOUT" $launch "$TK" "$@" >/dev/null 2>"$err"
		rc=$?
		lines=$(grep -c "^toolkit: error:" "$err")
		if [ $rc -eq 124 ]; then
			fail "$name [$launch]: hung (timeout)"
		elif [ "$launch" = env ] && [ $rc -ne "$code" ]; then
			fail "$name: exit $rc, expected $code: $(head -c 300 "$err")"
		elif [ $rc -eq 0 ]; then
			fail "$name [$launch]: exit 0, expected $code"
		elif ! grep -q -- "$text" "$err"; then
			fail "$name [$launch]: stderr lacks '$text': $(head -c 300 "$err")"
		elif [ "$lines" -ne 1 ]; then
			fail "$name [$launch]: $lines error lines, expected 1 (rank 0 only)"
		else
			pass
		fi
	done
}

# text_exact NAME -- ARGS...: every number of the JSON result reads back equal from the
# text report (text prints round-trip digits, like JSON)
text_exact() {
	local name=$1
	shift 2
	local txt="$WORK/$name.txt" js="$WORK/$name.json" bad=0 n=0 key val t
	timeout "$TIMEOUT" "$TK" "$@" --threads 1 >"$txt" 2>/dev/null &&
		timeout "$TIMEOUT" "$TK" "$@" --threads 1 --format json --quiet >"$js" 2>/dev/null || {
		fail "$name: exit non-zero"
		return
	}
	while IFS=: read -r key val; do
		key=${key//\"/}
		t=$(sed -n "s/^  $key  *\([^ ]*\).*/\1/p" "$txt" | head -n 1)
		n=$((n + 1))
		if ! awk -v a="$t" -v b="$val" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }'; then
			fail "$name: text $key '$t' does not read back as $val"
			bad=1
		fi
	done < <(sed -n 's/.*"result":{\([^}]*\)}.*/\1/p' "$js" | tr ',' '\n' |
		grep -E '^"[a-z_]+":-?[0-9][0-9.e+-]*$')
	[ $n -gt 0 ] || { fail "$name: no numeric result field"; bad=1; }
	[ $bad = 0 ] && pass
}

# TK_MODES_ONLY=NAME runs tests/modes.d/NAME.sh alone (while working on one command)
for f in "$HERE"/modes.d/${TK_MODES_ONLY:-*}.sh; do
	echo "== $(basename "$f" .sh)"
	# shellcheck source=/dev/null
	. "$f"
done
echo "modes: $passed passed, $failed failed"
[ $failed -eq 0 ]
