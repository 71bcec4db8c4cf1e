#!/bin/bash
# pbs-multinode.sh: PBS version of slurm-multinode.sh: strong scaling across nodes with
# MPI ranks and hybrid ranks x threads, from 1 worker to every core of every node
# (mpirun spreads the ranks over $PBS_NODEFILE; the binary must be on a shared path).
#
# Submit from the repository root (after `make`):
#   qsub jobs/pbs-multinode.sh                    (2 nodes x 32 cores)
#   qsub -l nodes=4:ppn=64 -v TK_SIZE=2^36 jobs/pbs-multinode.sh
# Parameters: TK_KERNELS (default montecarlo.pi), TK_SIZE (default 2^34), TK_WORKERS
# (default 1,2,4,... up to nodes x cores), TK_MODES (default serial,mpi,hybrid), TK_REPEAT,
# TK_WARMUP, TK_TIMEOUT, TK_ARGS, TK_LAUNCHER, TK_RESULTS, TK_PLOT (jobs/lib.sh).
# Resources: the #PBS -l lines below are Torque syntax (PBS Pro converts them); on PBS Pro
# you may edit them to select=1:ncpus=32:mpiprocs=32 instead (do not mix the two forms).
# qsub does not pass your environment unless told: give parameters with -v (commas
# separate variables there, so write lists with + : TK_MODES=serial+omp+mpi).
# Then one plain MPI run over every core of every node records where its ranks ran
# (multinode-run.json: world.hosts; placement.txt); the job fails when they did not
# reach every node.
# Results: results/<jobname>-<jobid>/ (bench.txt, bench.csv, bench.json, plots/,
# multinode-run.json, placement.txt).
#PBS -N tk-multinode
#PBS -l nodes=2:ppn=32
#PBS -l walltime=01:00:00
#PBS -j oe
#PBS -V
set -u
TK_HOME=${TK_HOME:-${PBS_O_WORKDIR:-${SLURM_SUBMIT_DIR:-$PWD}}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-multinode

nodes=$(tk_nodes)
cores=$(tk_cores_node)
echo "allocation: $nodes node(s) x $cores cores"
: "${TK_KERNELS:=montecarlo.pi}"
: "${TK_SIZE:=2^34}"
: "${TK_WORKERS:=$(tk_pow2_list $((nodes * cores)))}"
: "${TK_MODES:=serial,mpi,hybrid}"
status=0
tk_bench --scaling strong || status=$?
# one plain run over every core of every node: where the ranks really ran
tk_span_run "$TK_KERNELS" "$nodes" $((nodes * cores)) || status=1
exit "$status"
