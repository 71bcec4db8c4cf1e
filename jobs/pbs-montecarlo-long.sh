#!/bin/bash
# pbs-montecarlo-long.sh: PBS version of slurm-montecarlo-long.sh: a long Monte Carlo
# estimate in chunks that stops cleanly and says how far it got.  PBS gives no advance
# warning: at the walltime it sends TERM and, kill_delay seconds later, KILL.  The trap
# handles TERM, but to be safe set TK_STOP_AFTER (seconds) a minute or two under the
# walltime: the job then stops by itself before it.
#
# Submit from the repository root (after `make`):
#   qsub -v TK_STOP_AFTER=3500 jobs/pbs-montecarlo-long.sh
#   qsub -l walltime=12:00:00 -v TK_STOP_AFTER=43000,TK_MODEL=option jobs/pbs-montecarlo-long.sh
# Parameters: TK_MODEL pi|option, TK_CHUNK (default 2^34), TK_CHUNKS, TK_SEED, TK_ARGS,
# TK_STOP_AFTER, TK_RANKS (default: the allocated cores), TK_THREADS (default 1).
# Results: results/<jobname>-<jobid>/summary.txt, summary.json, chunks.jsonl.
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
TK_THREADS=$T tk_mc_long "${LAUNCH[@]}"
