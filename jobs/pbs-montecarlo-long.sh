#!/bin/bash
# pbs-montecarlo-long.sh: PBS version of slurm-montecarlo-long.sh: a long Monte Carlo
# estimate that survives its walltime (docs/montecarlo.md, "Long runs").  PBS gives no
# advance warning: at the walltime it sends TERM and, kill_delay seconds later, KILL.
# The TERM is passed to the run, which writes its checkpoint and stops (a few seconds:
# keep kill_delay above that); to be safe set TK_STOP_AFTER (seconds) a minute or two
# under the walltime (3 only).  The three ways of slurm-montecarlo-long.sh:
# 1. TK_SAMPLES=N: one run, checkpointed in results/<jobname>-<jobid>/run.ckpt; PBS does
#    not requeue at the walltime, so submit again with TK_RESUME=<that folder> to go on
#    (it resumes from run.ckpt, with any ranks x threads):
#      qsub -v TK_SAMPLES=2^44 jobs/pbs-montecarlo-long.sh
#      qsub -v TK_SAMPLES=2^44,TK_RESUME=results/tk-mc-long-1234 jobs/pbs-montecarlo-long.sh
# 2. An array of chunks (qsub -J 0-15 on PBS Pro, -t 0-15 on Torque; TK_TASKS=16), then
#    a merge job: TK_MERGE=<the array's id> with -W depend=afterok:<array id>.
# 3. TK_SAMPLES unset: independent chunks until TK_STOP_AFTER or TERM, combined
#    statistically:
#      qsub -v TK_STOP_AFTER=3500 jobs/pbs-montecarlo-long.sh
#      qsub -l walltime=12:00:00 -v TK_STOP_AFTER=43000,TK_MODEL=option jobs/pbs-montecarlo-long.sh
# Parameters: as slurm-montecarlo-long.sh, and TK_STOP_AFTER, TK_RANKS (default: the
# allocated cores), TK_THREADS (default 1).
# Results (3): results/<jobname>-<jobid>/summary.txt, summary.json, chunks.jsonl.
#PBS -N tk-mc-long
#PBS -l nodes=1:ppn=32
#PBS -l walltime=01:00:00
#PBS -j oe
#PBS -V
set -u
TK_HOME=${TK_HOME:-${PBS_O_WORKDIR:-${SLURM_SUBMIT_DIR:-$PWD}}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-mc-long

R=${TK_RANKS:-$(tk_cores_node)}
T=${TK_THREADS:-1}
export OMP_NUM_THREADS=$T
tk_launch "$R" "$T" none # the launcher's own options (jobs/lib.sh), nothing bound
TK_THREADS=$T tk_mc_job "${LAUNCH[@]}"
