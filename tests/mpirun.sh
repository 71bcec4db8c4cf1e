#!/usr/bin/env bash
# mpirun.sh -np N PROGRAM ARGS...: start N ranks on this machine with the launcher in
# TK_MPIRUN (default mpirun), passing only options that launcher understands:
#   Open MPI's mpirun/orterun   --oversubscribe --bind-to none (the tests run 4 ranks on
#                               2 cores, and hybrid ranks need all the cores)
#   MPICH's Hydra mpiexec       nothing: Hydra neither binds nor refuses to oversubscribe
#                               by default
#   anything else               -np N only
# The tests and the benchmark scripts use it, so `make test-mpich` runs them unchanged.
set -u
l=${TK_MPIRUN:-mpirun}
if [ "${1:-}" != -np ] || [ $# -lt 3 ]; then
	echo "usage: mpirun.sh -np N PROGRAM ARGS..." >&2
	exit 2
fi
np=$2
shift 2
# TK_MPIRUN_KIND (openmpi, hydra, other) saves asking the launcher each time
if [ -z "${TK_MPIRUN_KIND:-}" ]; then
	case $($l --version 2>&1 | head -n 3) in
	*"Open MPI"* | *OpenRTE*) TK_MPIRUN_KIND=openmpi ;;
	*HYDRA* | *Hydra*) TK_MPIRUN_KIND=hydra ;;
	*) TK_MPIRUN_KIND=other ;;
	esac
fi
case $TK_MPIRUN_KIND in
openmpi)
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	exec $l --oversubscribe --bind-to none -np "$np" "$@"
	;;
*) exec $l -np "$np" "$@" ;;
esac
