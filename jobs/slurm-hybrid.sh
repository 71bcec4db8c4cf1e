#!/bin/bash
# slurm-hybrid.sh: hybrid MPI ranks x OpenMP threads, with the threads of each rank bound
# to its own cores: compares R x T hybrid with R*T plain MPI ranks (and R*T threads on
# one node) against serial, with toolkit bench; then one plain hybrid run that records
# where each rank and thread was placed.
#
# The shape comes from the allocation: R = --ntasks, T = --cpus-per-task, e.g.
#   sbatch jobs/slurm-hybrid.sh                                 (4 ranks x 8 threads)
#   sbatch --ntasks=2 --cpus-per-task=16 jobs/slurm-hybrid.sh
#   sbatch --nodes=2 --ntasks-per-node=2 --cpus-per-task=16 jobs/slurm-hybrid.sh
#   TK_HYBRID_LAUNCHER=mpirun sbatch jobs/slurm-hybrid.sh       (Open MPI's mpirun)
# A good start is one rank per socket or NUMA domain and T = its cores.
# Binding: OMP_NUM_THREADS = SLURM_CPUS_PER_TASK, OMP_PLACES=cores, OMP_PROC_BIND=close;
# ranks are started with `srun --cpu-bind=cores` (each rank gets T cores), or with
# TK_HYBRID_LAUNCHER=mpirun, `mpirun --map-by slot:PE=T --bind-to core`.
# Other parameters (environment): TK_KERNELS (default montecarlo.pi), TK_SIZE (default
# 2^34), TK_MODES (default serial,omp,mpi,hybrid on one node, serial,mpi,hybrid on
# more), TK_REPEAT, TK_WARMUP, TK_TIMEOUT, TK_ARGS, TK_RESULTS, TK_PLOT; see jobs/lib.sh.
# Results: results/<jobname>-<jobid>/ (bench.*, plots/, binding.txt, hybrid-run.json).
#SBATCH --job-name=tk-hybrid
#SBATCH --nodes=1
#SBATCH --ntasks=4
#SBATCH --cpus-per-task=8
#SBATCH --time=01:00:00
#SBATCH --output=tk-hybrid-%j.out
set -u
TK_HOME=${TK_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-hybrid

R=${SLURM_NTASKS:-1}
T=${SLURM_CPUS_PER_TASK:-1}
export OMP_NUM_THREADS=$T OMP_PLACES=cores OMP_PROC_BIND=close
# since Slurm 22.05 srun no longer takes --cpus-per-task from the batch allocation
export SRUN_CPUS_PER_TASK=$T
echo "hybrid shape: $R ranks x $T threads on $(tk_nodes) node(s)"
if [ "$R" -lt 2 ] || [ "$T" -lt 2 ]; then
	echo "job: error: a hybrid run needs at least 2 ranks x 2 threads: submit with" \
		"--ntasks=R --cpus-per-task=T (got $R x $T)" >&2
	exit 2
fi

# each rank on T cores of its own, with the options this launcher understands
# (jobs/lib.sh tk_launch: srun --cpu-bind=cores [--mpi=pmix], Open MPI's
# --map-by slot:PE=T --bind-to core, MPICH's -bind-to core:T)
if [ "${TK_HYBRID_LAUNCHER:-srun}" = mpirun ]; then
	TK_MPIRUN=$("$TK" info --format json | tk_json_field mpi_launcher)
	TK_MPIRUN=${TK_MPIRUN:-mpirun} tk_launch "$R" "$T" bind
	: "${TK_LAUNCHER:=${LAUNCH[0]}}"
else
	TK_MPIRUN=srun tk_launch "$R" "$T" bind
	case ${TK_LAUNCHER:-srun} in
	*cpu-bind*) ;;
	srun*) TK_LAUNCHER="${TK_LAUNCHER:-srun} --cpu-bind=cores" ;;
	esac
fi
launch=("${LAUNCH[@]}")
: "${TK_KERNELS:=montecarlo.pi}"
: "${TK_SIZE:=2^34}"
: "${TK_WORKERS:=1,$((R * T))}"
if [ "$(tk_nodes)" = 1 ]; then
	: "${TK_MODES:=serial,omp,mpi,hybrid}"
else
	: "${TK_MODES:=serial,mpi,hybrid}"
fi
status=0
tk_bench --scaling strong --hybrid "${R}x${T}" || status=$?

# one plain hybrid run of the first kernel, as a user would start it, with its
# placement report (Monte Carlo kernels; others are covered by bench above)
first=${TK_KERNELS%% *}
case $first in
montecarlo.pi | montecarlo.option) size=(--samples "$TK_SIZE") ;;
montecarlo.ep) size=() ;;
*) first="" ;;
esac
if [ -n "$first" ]; then
	echo "+ ${launch[*]} toolkit montecarlo --model ${first#montecarlo.} ${size[*]} --threads $T --placement"
	"${launch[@]}" "$TK" montecarlo --model "${first#montecarlo.}" "${size[@]}" \
		--threads "$T" --placement --format json --quiet >"$OUT/hybrid-run.json" \
		2>"$OUT/binding.txt" || status=1
	cat "$OUT/binding.txt"
	tk_run_summary <"$OUT/hybrid-run.json"
fi
exit "$status"
