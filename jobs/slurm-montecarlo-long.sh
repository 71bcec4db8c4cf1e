#!/bin/bash
# slurm-montecarlo-long.sh: a long Monte Carlo estimate (pi, or an option price) in
# chunks, that stops cleanly before the time limit and says how far it got.
# Slurm sends USR1 to this batch shell 60 s before the limit (--signal=B:USR1@60); the
# trap stops the running chunk, combines every completed chunk into one estimate with
# its standard error, and writes results/<jobname>-<jobid>/summary.txt (and .json,
# and chunks.jsonl: one toolkit JSON record per chunk).
#
# Submit from the repository root (after `make`):
#   sbatch jobs/slurm-montecarlo-long.sh
#   sbatch --time=12:00:00 --ntasks=64 jobs/slurm-montecarlo-long.sh
#   TK_MODEL=option TK_ARGS="--put --strike 110" sbatch jobs/slurm-montecarlo-long.sh
# Parameters (environment): TK_MODEL pi|option (default pi), TK_CHUNK samples per
# chunk (default 2^34), TK_CHUNKS (default: until the time limit), TK_SEED (default
# 42; chunk i uses seed TK_SEED+i), TK_ARGS; ranks = --ntasks, threads per rank =
# --cpus-per-task.  Keep one chunk well under 60 s so that the last one is not lost.
#SBATCH --job-name=tk-mc-long
#SBATCH --nodes=1
#SBATCH --ntasks=4
#SBATCH --cpus-per-task=1
#SBATCH --time=01:00:00
#SBATCH --signal=B:USR1@60
#SBATCH --output=tk-mc-long-%j.out
set -u
TK_HOME=${TK_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-mc-long

T=${SLURM_CPUS_PER_TASK:-1}
export OMP_NUM_THREADS=$T OMP_PLACES=cores OMP_PROC_BIND=close SRUN_CPUS_PER_TASK=$T
TK_THREADS=$T tk_mc_long srun -n "${SLURM_NTASKS:-1}" --cpus-per-task="$T"
