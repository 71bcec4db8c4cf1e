#!/bin/bash
# pbs-hybrid.sh: PBS version of slurm-hybrid.sh: R MPI ranks x T OpenMP threads, each
# rank bound to its own T cores, compared with R*T ranks (and R*T threads) and serial
# with toolkit bench, then one plain hybrid run with its placement report.
#
# Submit from the repository root (after `make`):
#   qsub jobs/pbs-hybrid.sh                       (4 ranks x 8 threads on 32 cores)
#   qsub -l nodes=1:ppn=64 -v TK_RANKS=4 jobs/pbs-hybrid.sh        (4 x 16)
#   PBS Pro, with the #PBS -l line edited to select=1:ncpus=32:mpiprocs=4:ompthreads=8
# R = TK_RANKS (default 4), T = TK_THREADS, else OMP_NUM_THREADS when PBS Pro set it
# from ompthreads, else cores / R.  Binding: OMP_PLACES=cores, OMP_PROC_BIND=close,
# ranks started by the build's launcher with each rank on T cores of its own (Open MPI:
# --map-by slot:PE=T --bind-to core; MPICH: -bind-to core:T; jobs/lib.sh tk_launch), and
# the run's own placement map (--placement) beside the launcher's report.
# Other parameters: TK_KERNELS, TK_SIZE (default 2^34), TK_MODES, TK_REPEAT, TK_WARMUP,
# TK_TIMEOUT, TK_ARGS, TK_RESULTS, TK_PLOT (jobs/lib.sh).
# Resources: the #PBS -l lines below are Torque syntax (PBS Pro converts them); on PBS Pro
# you may edit them to select=1:ncpus=32:mpiprocs=32 instead (do not mix the two forms).
# qsub does not pass your environment unless told: give parameters with -v (commas
# separate variables there, so write lists with + : TK_MODES=serial+omp+mpi).
# Results: results/<jobname>-<jobid>/ (bench.txt, bench.csv, bench.json, plots/).
#PBS -N tk-hybrid
#PBS -l nodes=1:ppn=32
#PBS -l walltime=01:00:00
#PBS -j oe
#PBS -V
set -u
TK_HOME=${TK_HOME:-${PBS_O_WORKDIR:-${SLURM_SUBMIT_DIR:-$PWD}}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-hybrid

R=${TK_RANKS:-4}
T=${TK_THREADS:-${OMP_NUM_THREADS:-$(($(tk_cores_node) / R))}}
[ "$T" -ge 1 ] || T=1
export OMP_NUM_THREADS=$T OMP_PLACES=cores OMP_PROC_BIND=close
echo "hybrid shape: $R ranks x $T threads on $(tk_nodes) node(s)"
if [ "$R" -lt 2 ] || [ "$T" -lt 2 ]; then
	echo "job: error: a hybrid run needs at least 2 ranks x 2 threads (got $R x $T):" \
		"set TK_RANKS, TK_THREADS or the cores per node" >&2
	exit 2
fi
: "${TK_KERNELS:=montecarlo.pi}"
: "${TK_SIZE:=2^34}"
: "${TK_WORKERS:=1,$((R * T))}"
: "${TK_MODES:=serial,omp,mpi,hybrid}"
status=0
tk_bench --scaling strong --hybrid "${R}x${T}" || status=$?

first=${TK_KERNELS%% *}
size=()
case $first in montecarlo.pi | montecarlo.option) size=(--samples "$TK_SIZE") ;; esac
if [ "${first%%.*}" = montecarlo ]; then
	if [ "$(tk_nodes)" = 1 ] && [ $((R * T)) -gt "$(tk_cores_node)" ]; then
		echo "note: $R x $T threads on $(tk_cores_node) cores: oversubscribed, so not bound"
		tk_launch "$R" "$T" none
	else
		tk_launch "$R" "$T" bind
	fi
	echo "+ ${LAUNCH[*]} toolkit montecarlo --model ${first#montecarlo.} ${size[*]} --threads $T --placement"
	"${LAUNCH[@]}" "$TK" montecarlo --model "${first#montecarlo.}" "${size[@]}" --threads "$T" \
		--placement --format json --quiet >"$OUT/hybrid-run.json" 2>"$OUT/binding.txt" || status=1
	cat "$OUT/binding.txt"
	tk_run_summary <"$OUT/hybrid-run.json"
fi
exit "$status"
