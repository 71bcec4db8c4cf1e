#!/usr/bin/env bash
# mpi.sh MPI_TESTS: run the comm-layer tests at 1, 2 and 4 ranks (4 oversubscribed on a
# 2-core machine), each bounded by a timeout so that a hang fails instead of blocking.
# The launcher is TK_MPIRUN (default mpirun; the Makefile passes the one that belongs to
# the build's MPI wrapper), driven through tests/mpirun.sh.
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
status=0
echo "   launcher: ${TK_MPIRUN:-mpirun}"
for np in 1 2 4; do
	if ! timeout 120 "$here/mpirun.sh" -np "$np" "$bin"; then
		echo "FAIL: MPI tests at $np ranks"
		status=1
	fi
done
exit $status
