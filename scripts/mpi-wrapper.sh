#!/bin/sh
# mpi-wrapper.sh WHAT WRAPPER: what the Makefile needs to know about an MPI compiler
# wrapper, asked in a way every flavour answers (Open MPI, MPICH, Intel MPI, Cray).
#   flavour   "openmpi 4.1.4", "mpich 4.0.2", "intel 2021.10", "cray 8.7.3", "unknown"
#             (from the macros its own mpi.h defines: the wrapper preprocesses a file
#             that includes it, so no flavour's private query is needed)
#   libdirs   the folders of its MPI library, for the binary's RPATH (each flavour's
#             own query: Open MPI --showme:libdirs, MPICH/Intel -link_info, Cray none);
#             the system's default folders are left out
#   libs      the flags that link its MPI library into a program built by another
#             compiler (the -L, -l, -Wl and -pthread words of Open MPI's --showme:link
#             or MPICH's/Intel's -link_info; Cray's cc links by itself: none), for
#             libtk's pkg-config file (Libs.private)
#   launcher  the launcher that belongs to it: mpicc.mpich -> mpiexec.mpich,
#             mpicc.openmpi -> mpirun.openmpi, Cray cc -> srun, else mpirun/mpiexec
#             beside the wrapper
# Prints one line; exit 1 (and nothing on stdout) when the wrapper does not work.
set -u
what=${1:?usage: mpi-wrapper.sh flavour|libdirs|libs|launcher WRAPPER}
w=${2:?usage: mpi-wrapper.sh flavour|libdirs|libs|launcher WRAPPER}
command -v "$w" >/dev/null 2>&1 || exit 1

flavour() {
	macros=$(printf '#include <mpi.h>\n' | "$w" -E -dM -x c - 2>/dev/null) || return 1
	get() { printf '%s\n' "$macros" | sed -n "s/^#define $1 \"*\([^\" ]*\)\"*.*/\1/p" | head -n 1; }
	if [ -n "$(get OPEN_MPI)" ]; then
		echo "openmpi $(get OMPI_MAJOR_VERSION).$(get OMPI_MINOR_VERSION).$(get OMPI_RELEASE_VERSION)"
	elif [ -n "$(get I_MPI_VERSION)" ]; then
		echo "intel $(get I_MPI_VERSION)"
	elif [ -n "$(get CRAY_MPICH_VERSION)" ]; then
		echo "cray $(get CRAY_MPICH_VERSION)"
	elif [ -n "$(get MPICH_VERSION)" ]; then
		echo "mpich $(get MPICH_VERSION)"
	elif [ -n "$(get MPI_VERSION)" ]; then
		echo "unknown"
	else
		return 1
	fi
}

libdirs() {
	case $(flavour) in
	openmpi*) flags=$("$w" --showme:libdirs 2>/dev/null | sed 's/^/-L/; s/ / -L/g') ;;
	mpich* | intel*) flags=$("$w" -link_info 2>/dev/null) ;;
	*) flags="" ;; # Cray's cc links what its modules say; nothing to add
	esac
	out=""
	for f in $flags; do
		case $f in
		-L/usr/lib | -L/lib | -L/usr/lib64 | -L/lib64 | -L/usr/lib/*-linux-gnu | -L/lib/*-linux-gnu) ;;
		-L/*) out="$out ${f#-L}" ;;
		esac
	done
	echo "${out# }"
}

libs() {
	case $(flavour) in
	openmpi*) flags=$("$w" --showme:link 2>/dev/null) ;;
	mpich* | intel*) flags=$("$w" -link_info 2>/dev/null | cut -d' ' -f2-) ;;
	*) flags="" ;;
	esac
	out=""
	for f in $flags; do
		case $f in
		-L* | -l* | -Wl,* | -pthread) out="$out $f" ;;
		esac
	done
	echo "${out# }"
}

launcher() {
	dir=$(dirname "$(command -v "$w")")
	base=$(basename "$w")
	suffix=""
	case $base in
	mpicc.*) suffix=.${base#mpicc.} ;;
	cc) command -v srun >/dev/null 2>&1 && { echo srun; return 0; } ;;
	esac
	case $(flavour) in
	openmpi*) try="mpirun mpiexec" ;;
	*) try="mpiexec mpirun" ;;
	esac
	for l in $try; do
		if [ -x "$dir/$l$suffix" ]; then
			echo "$dir/$l$suffix"
			return 0
		fi
	done
	for l in $try; do
		command -v "$l" >/dev/null 2>&1 && { echo "$l"; return 0; }
	done
	return 1
}

case $what in
flavour) flavour ;;
libdirs) libdirs ;;
libs) libs ;;
launcher) launcher ;;
*)
	echo "mpi-wrapper.sh: unknown question '$what' (flavour, libdirs, libs, launcher)" >&2
	exit 2
	;;
esac
