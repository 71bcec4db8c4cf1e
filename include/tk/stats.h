/*
 * stats.h: the statistics `toolkit bench` reports, as plain functions with
 * hand-checkable answers (tests/math/test_stats.c).
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
/* Distribution-free confidence interval for the median of x[0..n) (x not modified),
 * from order statistics: [x(k), x(n+1-k)] of the sorted values covers the median with
 * probability 1 - 2 P(Binomial(n, 1/2) <= k-1).  k is the largest giving at least
 * `level` (e.g. 0.95); when n is too small for that, k = 1 (min..max) and the level
 * reached is lower.  Returns the level reached, and NaN with *lo = *hi = NaN when
 * n < 2 (no interval); n up to 1000. */
double tk_median_ci(const double *x, size_t n, double level, double *lo, double *hi);
/* speedup = t_serial / t_parallel; efficiency = speedup / workers. */
double tk_speedup(double t_serial, double t_parallel);
double tk_efficiency(double speedup, int workers);
/* Karp-Flatt experimentally determined serial fraction
 * e = (1/speedup - 1/p) / (1 - 1/p); NaN for p = 1. */
double tk_karp_flatt(double speedup, int workers);

#endif
