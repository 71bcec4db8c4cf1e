#!/bin/sh
# deps.sh [--check] [WHAT...]: make sure what the toolkit needs is installed.
#   WHAT: cc (C compiler with OpenMP), mpi (Open MPI: mpicc, mpirun), mpich (Debian's
#         MPICH beside it: mpicc.mpich, mpiexec.mpich; make test-mpich), cunit, png,
#         curl (libcurl, for filter --input LIST of URLs; python3 runs the tests' local
#         image server), gnuplot (plots), shellcheck (lint), numpy (the
#         tests' independent reference for reduce, Debian's python3-numpy),
#         clang (clang with OpenMP: libomp-dev), aarch64 (a cross gcc for aarch64 with
#         OpenMP and qemu-user to run what it builds: make test-aarch64),
#         hwloc (libhwloc-dev: the topology in info and --placement),
#         fuzz (clang's libFuzzer and sanitizer runtimes: make fuzz, make fuzz-replay),
#         tsan (clang's ThreadSanitizer runtime and LLVM's OpenMP with Archer, its
#         OpenMP tool for TSan: make tsan).
#         Default: cc mpi cunit png curl hwloc.
# Missing pieces are installed with apt-get when running as root on a Debian-like
# system; otherwise (or with --check) the exact command to run is printed and the
# script exits 1.  Called by `make test`, `make demo` and `make bench`.
set -u
check_only=0
if [ "${1:-}" = "--check" ]; then
	check_only=1
	shift
fi
[ $# -eq 0 ] && set -- cc mpi cunit png curl hwloc
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || CC=gcc

# LLVM's Archer (the OpenMP tool that tells TSan about OpenMP's synchronisation) of
# clang's own LLVM, or "" (deps.sh --archer prints it).
scripts_archer() {
	r=$(clang -print-resource-dir 2>/dev/null)
	for a in "$r/../../libarcher.so" /usr/lib/llvm-*/lib/libarcher.so; do
		[ -f "$a" ] && { echo "$a"; return; }
	done
}
if [ "${1:-}" = "--archer" ]; then
	scripts_archer
	exit 0
fi

has_header() { # has_header HEADER [FLAGS]: compiles a file that includes it
	printf '#include <%s>\nint main(void){return 0;}\n' "$1" >"$tmp/h.c"
	"$CC" $2 -c "$tmp/h.c" -o "$tmp/h.o" >/dev/null 2>&1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
missing=""
for what in "$@"; do
	case $what in
	cc)
		printf '#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n' >"$tmp/omp.c"
		"$CC" -fopenmp "$tmp/omp.c" -o "$tmp/omp" >/dev/null 2>&1 || missing="$missing gcc libgomp1 make"
		;;
	mpi)
		{ command -v mpicc && command -v mpirun; } >/dev/null 2>&1 ||
			missing="$missing openmpi-bin libopenmpi-dev"
		;;
	mpich)
		{ command -v mpicc.mpich && command -v mpiexec.mpich; } >/dev/null 2>&1 ||
			missing="$missing mpich libmpich-dev"
		;;
	cunit) has_header CUnit/CUnit.h "" || missing="$missing libcunit1-dev" ;;
	png) has_header png.h "$(pkg-config --cflags libpng 2>/dev/null)" || missing="$missing libpng-dev pkg-config" ;;
	curl)
		has_header curl/curl.h "$(pkg-config --cflags libcurl 2>/dev/null)" || missing="$missing libcurl4-openssl-dev"
		command -v python3 >/dev/null 2>&1 || missing="$missing python3"
		;;
	hwloc) has_header hwloc.h "$(pkg-config --cflags hwloc 2>/dev/null)" || missing="$missing libhwloc-dev" ;;
	gnuplot) command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox" ;;
	shellcheck) command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck" ;;
	numpy) /usr/bin/python3 -c "import numpy" >/dev/null 2>&1 || missing="$missing python3-numpy" ;;
	clang)
		printf '#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n' >"$tmp/omp.c"
		clang -fopenmp "$tmp/omp.c" -o "$tmp/omp" >/dev/null 2>&1 || missing="$missing clang libomp-dev"
		;;
	fuzz)
		printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n){(void)d;(void)n;return 0;}\n' >"$tmp/fz.c"
		clang -fsanitize=fuzzer,address,undefined "$tmp/fz.c" -o "$tmp/fz" >/dev/null 2>&1 ||
			missing="$missing clang libclang-rt-dev"
		;;
	tsan)
		printf '#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n' >"$tmp/omp.c"
		clang -fopenmp -fsanitize=thread "$tmp/omp.c" -o "$tmp/tsan" >/dev/null 2>&1 ||
			missing="$missing clang libclang-rt-dev libomp-dev"
		[ -n "$(scripts_archer)" ] || missing="$missing libomp-dev"
		;;
	aarch64)
		printf '#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n' >"$tmp/omp.c"
		aarch64-linux-gnu-gcc -fopenmp "$tmp/omp.c" -o "$tmp/omp" >/dev/null 2>&1 ||
			missing="$missing gcc-aarch64-linux-gnu libc6-dev-arm64-cross libgomp1-arm64-cross"
		command -v qemu-aarch64 >/dev/null 2>&1 || missing="$missing qemu-user"
		;;
	*)
		echo "deps.sh: unknown dependency '$what' (known: cc mpi mpich cunit png curl hwloc gnuplot shellcheck numpy clang fuzz tsan aarch64)" >&2
		exit 2
		;;
	esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ $check_only = 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq --no-install-recommends $missing >"$tmp/apt.log" 2>&1; then
		# the package lists may be missing or stale on a fresh machine
		apt-get update -qq >"$tmp/apt.log" 2>&1 &&
			apt-get install -y -qq --no-install-recommends $missing >>"$tmp/apt.log" 2>&1 || {
			tail -n 20 "$tmp/apt.log" >&2
			echo "deps.sh: could not install:$missing" >&2
			exit 1
		}
	fi
	exit 0
fi
echo "deps.sh: missing:$missing" >&2
if [ "$(id -u)" = 0 ]; then
	echo "deps.sh: install them with: apt-get update && $cmd" >&2
else
	echo "deps.sh: install them with: sudo apt-get update && sudo $cmd" >&2
fi
exit 1
