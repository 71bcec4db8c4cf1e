/*
 * config.h: the build's feature macros, always defined as 0 or 1 and tested with #if
 * (the build uses -Wundef, so a misspelt macro is an error, not a silent 0).
 * The Makefile passes -DTK_HAVE_MPI=1 etc.; anything it does not pass is 0 here.
 * Only the comm layer, `toolkit info` and the image I/O look at these.
 */
#ifndef TK_CONFIG_H
#define TK_CONFIG_H

#ifndef TK_HAVE_MPI
#define TK_HAVE_MPI 0
#endif
#ifndef TK_HAVE_OPENMP
#define TK_HAVE_OPENMP 0
#endif
#ifndef TK_HAVE_PNG
#define TK_HAVE_PNG 0
#endif
#ifndef TK_HAVE_CURL
#define TK_HAVE_CURL 0
#endif
#ifndef TK_HAVE_HWLOC
#define TK_HAVE_HWLOC 0
#endif
#ifndef TK_BUILD_CFLAGS
#define TK_BUILD_CFLAGS "unknown"
#endif
#ifndef TK_BUILD_CC
#define TK_BUILD_CC "cc"
#endif
/* the MPI compiler wrapper and flavour the build used ("none" without MPI), and the
 * launcher that belongs to it (bench's default) */
#ifndef TK_BUILD_MPI
#define TK_BUILD_MPI "none"
#endif
#ifndef TK_BUILD_MPIRUN
#define TK_BUILD_MPIRUN ""
#endif

#endif
