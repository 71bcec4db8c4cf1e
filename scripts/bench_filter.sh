#!/bin/sh
# Kernel-only throughput of every filter at 1 and 2 threads (see tests/bench_filter.c).
# Usage: scripts/bench_filter.sh [WIDTH HEIGHT CHANNELS [REPEAT]]
set -e
cd "$(dirname "$0")/.."
make --no-print-directory MPI=0 toolkit >/dev/null
lib=build/mpi0-omp1-png1/libtk.a
cc -std=c11 -O2 -fopenmp -Iinclude -o build/bench_filter tests/bench_filter.c "$lib" -lpng -lm
exec build/bench_filter "$@"
