#!/bin/bash
# slurm-montecarlo-long.sh: a long Monte Carlo estimate (pi, or an option price) that
# survives its time limit, three ways (docs/montecarlo.md, "Long runs"):
#
# 1. One run, requeued at its time limit (TK_SAMPLES set): Slurm sends USR1 to this
#    batch shell 60 s before the limit (--signal=B:USR1@60); the run writes its
#    checkpoint (results/<jobname>-<jobid>/run.ckpt) and stops, the job requeues itself
#    (--requeue, scontrol requeue) and the next start resumes from the checkpoint, with
#    any ranks x threads; run.json, when it ends, has the digest of an uninterrupted run.
#      TK_SAMPLES=2^44 sbatch jobs/slurm-montecarlo-long.sh
# 2. A job array of chunks of one index space, then a dependent merge (TK_SAMPLES set):
#    task i runs chunk i of the samples with --first-sample (each task resumable as in
#    1); the merge job combines the chunks' records (results/<jobname>-array-<id>/
#    chunk-*.json) into merged.json, the result and digest of the one run of all of
#    them.  Keep the same job name (-J) for both.
#      jid=$(TK_SAMPLES=2^44 sbatch --parsable --array=0-15 jobs/slurm-montecarlo-long.sh)
#      TK_SAMPLES=2^44 TK_MERGE=$jid sbatch --dependency=afterok:$jid jobs/slurm-montecarlo-long.sh
# 3. Independent chunks until the limit (TK_SAMPLES unset; the default): chunk i is a
#    run of TK_CHUNK samples with seed TK_SEED+i; on USR1 the running chunk is stopped
#    and the completed ones combined statistically into summary.txt (and .json, and
#    chunks.jsonl: one toolkit JSON record per chunk).  Not one run's bits.
#      sbatch jobs/slurm-montecarlo-long.sh
#
# Submit from the repository root (after `make`):
#   sbatch --time=12:00:00 --ntasks=64 jobs/slurm-montecarlo-long.sh
#   TK_MODEL=option TK_ARGS="--put --strike 110" sbatch jobs/slurm-montecarlo-long.sh
# Parameters (environment): TK_MODEL pi|option (default pi), TK_SAMPLES (1, 2: samples
# in all), TK_FIRST (1, 2: the first sample's index, default 0), TK_TASKS (2: chunks,
# default the array's size), TK_MERGE (2: the array's job id), TK_CHECKPOINT_EVERY
# (1, 2: seconds, default 300), TK_REQUEUE (0: do not requeue), TK_CHUNK (3: samples per
# chunk, default 2^34), TK_CHUNKS (3: default until the time limit), TK_SEED (default
# 42), TK_ARGS; ranks = --ntasks, threads per rank = --cpus-per-task.  In 3 keep one
# chunk well under 60 s so that the last one is not lost.
#SBATCH --job-name=tk-mc-long
#SBATCH --nodes=1
#SBATCH --ntasks=4
#SBATCH --cpus-per-task=1
#SBATCH --time=01:00:00
#SBATCH --signal=B:USR1@60
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=tk-mc-long-%j.out
set -u
TK_HOME=${TK_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-mc-long

T=${SLURM_CPUS_PER_TASK:-1}
export OMP_NUM_THREADS=$T OMP_PLACES=cores OMP_PROC_BIND=close SRUN_CPUS_PER_TASK=$T
TK_THREADS=$T tk_mc_job srun -n "${SLURM_NTASKS:-1}" --cpus-per-task="$T"
