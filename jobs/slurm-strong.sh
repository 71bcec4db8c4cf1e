#!/bin/bash
# slurm-strong.sh: strong scaling on one node: the same problem at 1, 2, 4, ... workers
# in serial, omp (threads), mpi (ranks) and hybrid modes, with toolkit bench.
#
# Submit from the repository root (after `make`):
#   sbatch jobs/slurm-strong.sh
#   TK_KERNELS="montecarlo.pi montecarlo.ep" TK_SIZE=2^32 sbatch jobs/slurm-strong.sh
#   sbatch --partition=short --time=00:30:00 jobs/slurm-strong.sh   (sbatch options win)
# Parameters (environment, exported to the job by sbatch): TK_KERNELS (default
# montecarlo.pi), TK_SIZE (default 2^32 samples), TK_WORKERS (default 1,2,4,... up to
# the node's cores), TK_MODES (default serial,omp,mpi,hybrid), TK_REPEAT (5), TK_WARMUP,
# TK_TIMEOUT, TK_ARGS, TK_LAUNCHER, TK_RESULTS, TK_PLOT; see jobs/lib.sh.
# The whole node is taken (--exclusive) so that no other job shares its cores.
# Results: results/<jobname>-<jobid>/ (bench.txt, bench.csv, bench.json, plots/).
#SBATCH --job-name=tk-strong
#SBATCH --nodes=1
#SBATCH --exclusive
#SBATCH --time=01:00:00
#SBATCH --output=tk-strong-%j.out
set -u
TK_HOME=${TK_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-strong

: "${TK_KERNELS:=montecarlo.pi}"
: "${TK_SIZE:=2^32}"
: "${TK_WORKERS:=$(tk_pow2_list "$(tk_cores_node)")}"
: "${TK_MODES:=serial,omp,mpi,hybrid}"
tk_bench --scaling strong
