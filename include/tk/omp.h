/*
 * omp.h: the only place that knows whether OpenMP is built (miniMD's openmp.h).
 * Kernels use bare `#pragma omp` lines (ignored without OpenMP) and these helpers.
 */
#ifndef TK_OMP_H
#define TK_OMP_H

#include "tk/config.h"

#if TK_HAVE_OPENMP
#include <omp.h>
static inline int tk_thread_count(void) { return omp_get_num_threads(); }
static inline int tk_thread_id(void) { return omp_get_thread_num(); }
static inline int tk_thread_max(void) { return omp_get_max_threads(); }
static inline void tk_thread_set(int n) { omp_set_num_threads(n); }
/* levels of parallel regions that may be active at once (2: a pool of workers, each
 * with a team of its own) */
static inline void tk_thread_nest(int levels) { omp_set_max_active_levels(levels); }
#else
static inline int tk_thread_count(void) { return 1; }
static inline int tk_thread_id(void) { return 0; }
static inline int tk_thread_max(void) { return 1; }
static inline void tk_thread_set(int n) { (void)n; }
static inline void tk_thread_nest(int levels) { (void)levels; }
#endif

/* OpenMP version as "5.0 (201811)" or "none". */
const char *tk_omp_version(void);

#endif
