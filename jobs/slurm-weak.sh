#!/bin/bash
# slurm-weak.sh: weak scaling on one node: the problem grows with the workers (each
# worker keeps TK_SIZE samples), so ideal is constant time; reports scaled speedup
# W x T(1)/T(W) and weak-scaling efficiency T(1)/T(W), with toolkit bench --scaling weak.
#
# Submit from the repository root (after `make`):
#   sbatch jobs/slurm-weak.sh
#   TK_SIZE=2^28 TK_MODES=serial,omp,mpi sbatch jobs/slurm-weak.sh
# Parameters (environment): TK_KERNELS (default montecarlo.pi), TK_SIZE (per worker,
# default 2^30), TK_WORKERS (default 1,2,4,... up to the node's cores), TK_MODES (default
# serial,omp,mpi,hybrid), TK_REPEAT, TK_WARMUP, TK_TIMEOUT, TK_ARGS, TK_LAUNCHER,
# TK_RESULTS, TK_PLOT; see jobs/lib.sh.  sbatch options on the command line win.
# Results: results/<jobname>-<jobid>/ (bench.txt, bench.csv, bench.json, plots/).
#SBATCH --job-name=tk-weak
#SBATCH --nodes=1
#SBATCH --exclusive
#SBATCH --time=01:00:00
#SBATCH --output=tk-weak-%j.out
set -u
TK_HOME=${TK_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-weak

: "${TK_KERNELS:=montecarlo.pi}"
: "${TK_SIZE:=2^30}"
: "${TK_WORKERS:=$(tk_pow2_list "$(tk_cores_node)")}"
: "${TK_MODES:=serial,omp,mpi,hybrid}"
tk_bench --scaling weak
