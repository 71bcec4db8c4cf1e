#!/usr/bin/env bash
# mpi.sh MPI_TESTS: run the comm-layer tests at 1, 2 and 4 ranks (4 oversubscribed on a
# 2-core machine), each bounded by a timeout so that a hang fails instead of blocking.
set -u
bin=$1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
status=0
for np in 1 2 4; do
	if ! timeout 120 mpirun --oversubscribe --bind-to none -np "$np" "$bin"; then
		echo "FAIL: MPI tests at $np ranks"
		status=1
	fi
done
exit $status
