/*
 * stats.h: the statistics `toolkit bench` reports, as plain functions with
 * hand-checkable answers (tests/test_stats.c).
 */
#ifndef TK_STATS_H
#define TK_STATS_H

#include <stddef.h>

typedef struct tk_stats {
	size_t n;
	double median, min, max, mean, sd; /* sd: sample standard deviation (n - 1) */
	double mad;       /* median absolute deviation from the median (unscaled) */
	size_t outliers;  /* modified z-score 0.6745 |x - median| / MAD > 3.5 */
} tk_stats;

/* Statistics of x[0..n) (n >= 1; x is not modified). */
void tk_stats_of(const double *x, size_t n, tk_stats *s);
/* Median of x[0..n); sorts x in place. */
double tk_median_sort(double *x, size_t n);
/* speedup = t_serial / t_parallel; efficiency = speedup / workers. */
double tk_speedup(double t_serial, double t_parallel);
double tk_efficiency(double speedup, int workers);
/* Karp-Flatt experimentally determined serial fraction
 * e = (1/speedup - 1/p) / (1 - 1/p); NaN for p = 1. */
double tk_karp_flatt(double speedup, int workers);

#endif
