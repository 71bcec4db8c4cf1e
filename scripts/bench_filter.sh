#!/bin/sh
# Kernel-only throughput of every filter, SIMD variants and thread counts interleaved
# round by round, medians (see tests/bench_filter.c for the options).  Builds only the
# library of the default configuration (./toolkit is left as it is).
# Usage: scripts/bench_filter.sh [--simd avx2,avx512,scalar] [--threads 1,2] [--rounds N]
#                                [--cases LIST] [--input IMAGE | WIDTH HEIGHT CHANNELS]
# With --opencv first, scripts/bench_opencv.py runs OpenCV interleaved with it instead.
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
# shellcheck disable=SC2086  # $libs is empty or one word
cc -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -fopenmp -Iinclude -o build/bench_filter \
	tests/bench_filter.c "$lib" $libs -lm
if [ "$1" = "--opencv" ]; then
	shift
	# the first Python that has OpenCV (Debian's python3-opencv is in /usr/bin/python3)
	for py in "${PYTHON:-python3}" /usr/bin/python3; do
		if "$py" -c "import cv2" 2>/dev/null; then
			exec "$py" scripts/bench_opencv.py --bench build/bench_filter "$@"
		fi
	done
	echo "bench_filter.sh: no Python with OpenCV (apt-get install python3-opencv)" >&2
	exit 3
fi
exec build/bench_filter "$@"
