#!/bin/sh
# Kernel-only throughput of every filter at 1 and 2 threads (see tests/bench_filter.c).
# Builds only the library (./toolkit is left as it is).
# Usage: scripts/bench_filter.sh [WIDTH HEIGHT CHANNELS [REPEAT]]
set -e
cd "$(dirname "$0")/.."
png=0
libs=""
if pkg-config --exists libpng 2>/dev/null || [ -f /usr/include/png.h ]; then
	png=1
	libs="-lpng"
fi
lib=build/mpi0-omp1-png$png/libtk.a
make --no-print-directory MPI=0 PNG=$png "$lib" >/dev/null
cc -std=c11 -O2 -fopenmp -Iinclude -o build/bench_filter tests/bench_filter.c "$lib" $libs -lm
exec build/bench_filter "$@"
