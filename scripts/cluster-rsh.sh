#!/bin/sh
# cluster-rsh.sh HOST COMMAND...: the "ssh" of the namespace cluster (scripts/cluster.sh),
# given to Open MPI as --mca plm_rsh_agent; TK_CLUSTER_PREFIX names the cluster.
exec "$(dirname "$0")/cluster.sh" agent "$@"
