#!/usr/bin/env bash
# demo.sh: the toolkit's main job in one screen: the same Monte Carlo kernels in
# serial, omp (threads), mpi (ranks) and hybrid modes, side by side, with kernel time,
# process wall time (launch included), speedup over serial, and the digest that shows
# every mode computed the same bits.  Run by `make demo`.
set -u
cd "$(dirname "$0")/.." || exit 2
TK=./toolkit
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMP_NUM_THREADS
cores=$(nproc)
W=${TK_DEMO_WORKERS:-$cores}
[ "$W" -lt 2 ] && W=2
have_mpi=1
$TK info | grep -q "^  MPI  *none" && have_mpi=0
command -v mpirun >/dev/null || have_mpi=0
MPIRUN="mpirun --oversubscribe --bind-to none"
status=0


run() { # run LABEL LAUNCH... -- ARGS...
	local label=$1
	shift
	local launch=()
	while [ "$1" != "--" ]; do
		launch+=("$1")
		shift
	done
	shift
	local t0 t1 out
	t0=$(date +%s.%N)
	out=$("${launch[@]}" $TK "$@" --format json --quiet) || status=1
	t1=$(date +%s.%N)
	local k wall v d r t f
	mapfile -t f < <(scripts/json_field.py time.kernel_s verified digest ranks threads <<<"$out")
	k=${f[0]:-} v=${f[1]:-} d=${f[2]:-} r=${f[3]:-} t=${f[4]:-}
	wall=$(echo "$t1 - $t0" | bc -l 2>/dev/null || awk "BEGIN{print $t1-$t0}")
	[ -z "$base" ] && base=$k
	printf "  %-8s %3s x %-3s %10.4f %10.4f %8.2fx %-9s %s\n" "$label" "$r" "$t" "$k" "$wall" \
		"$(awk "BEGIN{print $base/$k}")" "${v:-FAILED}" "$d"
	[ "$v" = true ] || status=1
}

study() { # study TITLE ARGS...
	echo
	echo "$1"
	shift
	printf "  %-8s %-9s %10s %10s %9s %-9s %s\n" mode "R x T" "kernel s" "wall s" speedup verified digest
	base=""
	run serial env -- "$@" --threads 1
	run omp env -- "$@" --threads "$W"
	if [ $have_mpi = 1 ]; then
		run mpi $MPIRUN -np "$W" -- "$@"
		[ "$W" -ge 4 ] && run hybrid $MPIRUN -np 2 -- "$@" --threads $((W / 2))
	fi
}

$TK info | sed -n '1p;4,5p;8p'
[ $have_mpi = 0 ] && echo "  (no MPI in this build: showing serial and omp only; make test installs Open MPI)"
study "pi, 2^28 samples (CPU-bound, counter-based random numbers)" montecarlo --model pi --samples 2^28
study "European call, 2^23 paths (checked against Black-Scholes)" montecarlo --model option --samples 2^23
study "NAS EP class W (checked against NPB's published sums)" montecarlo --model ep --class W
echo
echo "kernel s: slowest rank's kernel time; wall s: the whole process, launch included."
echo "Equal digests mean bitwise-equal results."
echo
echo "================================================================================"
$TK bench --compare || status=1
echo
echo "More: toolkit bench --help, toolkit montecarlo --help, README.md."
exit $status
