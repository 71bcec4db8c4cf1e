#!/bin/bash
# slurm-multinode.sh: strong scaling across nodes: MPI ranks (and hybrid ranks x threads)
# from 1 worker up to every core of every node, with toolkit bench and srun.
#
# Submit from the repository root (after `make`; the binary must be on a shared file
# system, or set TK_BIN to a path valid on every node):
#   sbatch jobs/slurm-multinode.sh                       (2 whole nodes)
#   sbatch --nodes=4 jobs/slurm-multinode.sh
#   TK_SIZE=2^36 TK_WORKERS=1,32,64,128 sbatch --nodes=2 jobs/slurm-multinode.sh
# Parameters (environment): TK_KERNELS (default montecarlo.pi), TK_SIZE (default 2^34),
# TK_WORKERS (default 1,2,4,... up to nodes x cores per node), TK_MODES (default
# serial,mpi,hybrid: threads alone cannot leave the first node), TK_REPEAT, TK_WARMUP,
# TK_TIMEOUT, TK_ARGS, TK_LAUNCHER (default srun), TK_RESULTS, TK_PLOT; see jobs/lib.sh.
# Serial and omp runs execute on the first node; srun spreads the ranks over the nodes.
# Then one plain MPI run over every core of every node records where its ranks ran
# (multinode-run.json: world.hosts; placement.txt); the job fails when they did not
# reach every node.
# Results: results/<jobname>-<jobid>/ (bench.txt, bench.csv, bench.json, plots/,
# multinode-run.json, placement.txt).
#SBATCH --job-name=tk-multinode
#SBATCH --nodes=2
#SBATCH --exclusive
#SBATCH --time=01:00:00
#SBATCH --output=tk-multinode-%j.out
set -u
TK_HOME=${TK_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
[ -f "$TK_HOME/jobs/lib.sh" ] || TK_HOME=$TK_HOME/..
# shellcheck source=jobs/lib.sh
. "$TK_HOME/jobs/lib.sh"
tk_setup tk-multinode

nodes=$(tk_nodes)
cores=$(tk_cores_node)
echo "allocation: $nodes node(s) x $cores cores (${SLURM_JOB_NODELIST:-?})"
: "${TK_KERNELS:=montecarlo.pi}"
: "${TK_SIZE:=2^34}"
: "${TK_WORKERS:=$(tk_pow2_list $((nodes * cores)))}"
: "${TK_MODES:=serial,mpi,hybrid}"
status=0
tk_bench --scaling strong || status=$?
# one plain run over every core of every node: where the ranks really ran
tk_span_run "$TK_KERNELS" "$nodes" $((nodes * cores)) || status=1
exit "$status"
