#!/bin/bash
# pbs-strong.sh: PBS (Torque, PBS Pro) version of slurm-strong.sh: strong scaling on
# one node, the same problem at 1, 2, 4, ... workers in serial, omp, mpi and hybrid
# modes, with toolkit bench (mpirun as the launcher; Open MPI reads the PBS allocation).
#
# Submit from the repository root (after `make`):
#   qsub jobs/pbs-strong.sh
#   qsub -l nodes=1:ppn=64 -v TK_KERNELS=montecarlo.option,TK_SIZE=2^32 jobs/pbs-strong.sh
# Parameters: TK_KERNELS (default montecarlo.pi), TK_SIZE (default 2^32), TK_WORKERS
# (default 1,2,4,... up to the cores), TK_MODES (default serial,omp,mpi,hybrid),
# TK_REPEAT, TK_WARMUP, TK_TIMEOUT, TK_ARGS, TK_LAUNCHER, TK_RESULTS, TK_PLOT (jobs/lib.sh).
# Resources: the #PBS -l lines below are Torque syntax (PBS Pro converts them); on PBS Pro
# you may edit them to select=1:ncpus=32:mpiprocs=32 instead (do not mix the two forms).
# qsub does not pass your environment unless told: give parameters with -v (commas
# separate variables there, so write lists with + : TK_MODES=serial+omp+mpi).
# Results: results/<jobname>-<jobid>/ (bench.txt, bench.csv, bench.json, plots/).
#PBS -N tk-strong
#PBS -l nodes=1:ppn=32
#PBS -l walltime=01:00:00
#PBS -j oe
#PBS -V
set -u
TK_HOME=${TK_HOME:-${PBS_O_WORKDIR:-${SLURM_SUBMIT_DIR:-$PWD}}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-strong

: "${TK_KERNELS:=montecarlo.pi}"
: "${TK_SIZE:=2^32}"
: "${TK_WORKERS:=$(tk_pow2_list "$(tk_cores_node)")}"
: "${TK_MODES:=serial,omp,mpi,hybrid}"
tk_bench --scaling strong
