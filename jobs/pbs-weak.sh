#!/bin/bash
# pbs-weak.sh: PBS version of slurm-weak.sh: weak scaling on one node (each worker keeps
# TK_SIZE samples, so ideal is constant time), with toolkit bench --scaling weak.
#
# Submit from the repository root (after `make`):
#   qsub jobs/pbs-weak.sh
#   qsub -v TK_SIZE=2^28,TK_MODES=serial+omp+mpi jobs/pbs-weak.sh
# Parameters: TK_KERNELS (default montecarlo.pi), TK_SIZE (per worker, default 2^30),
# TK_WORKERS, TK_MODES (default serial,omp,mpi,hybrid), TK_REPEAT, TK_WARMUP, TK_TIMEOUT,
# TK_ARGS, TK_LAUNCHER, TK_RESULTS, TK_PLOT (jobs/lib.sh).
# Resources: the #PBS -l lines below are Torque syntax (PBS Pro converts them); on PBS Pro
# you may edit them to select=1:ncpus=32:mpiprocs=32 instead (do not mix the two forms).
# qsub does not pass your environment unless told: give parameters with -v (commas
# separate variables there, so write lists with + : TK_MODES=serial+omp+mpi).
# Results: results/<jobname>-<jobid>/ (bench.txt, bench.csv, bench.json, plots/).
#PBS -N tk-weak
#PBS -l nodes=1:ppn=32
#PBS -l walltime=01:00:00
#PBS -j oe
#PBS -V
set -u
TK_HOME=${TK_HOME:-${PBS_O_WORKDIR:-${SLURM_SUBMIT_DIR:-$PWD}}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-weak

: "${TK_KERNELS:=montecarlo.pi}"
: "${TK_SIZE:=2^30}"
: "${TK_WORKERS:=$(tk_pow2_list "$(tk_cores_node)")}"
: "${TK_MODES:=serial,omp,mpi,hybrid}"
tk_bench --scaling weak
