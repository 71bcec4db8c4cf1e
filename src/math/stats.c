/* stats.c: order statistics, spread and scaling metrics for the benchmark driver. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tk/stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double tk_median_sort(double *x, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(x, n, sizeof *x, cmp_double);
	return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

void tk_stats_of(const double *x, size_t n, tk_stats *s)
{
	memset(s, 0, sizeof *s);
	s->n = n;
	if (n == 0) {
		s->median = s->min = s->max = s->mean = s->sd = s->mad = NAN;
		return;
	}
	double *tmp = malloc(n * sizeof *tmp);
	if (!tmp) {
		s->median = s->mad = NAN;
		return;
	}
	memcpy(tmp, x, n * sizeof *tmp);
	s->median = tk_median_sort(tmp, n);
	s->min = tmp[0];
	s->max = tmp[n - 1];
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s->mean = sum / (double)n;
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - s->mean) * (x[i] - s->mean);
	s->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
	for (size_t i = 0; i < n; i++)
		tmp[i] = fabs(x[i] - s->median);
	s->mad = tk_median_sort(tmp, n);
	free(tmp);
	for (size_t i = 0; i < n; i++) {
		double dev = fabs(x[i] - s->median);
		/* with MAD = 0 (most values equal) any different value is an outlier */
		if (s->mad > 0 ? 0.6745 * dev / s->mad > 3.5 : dev > 0)
			s->outliers++;
	}
}

double tk_median_ci(const double *x, size_t n, double level, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (n < 2)
		return NAN;
	double *t = malloc(n * sizeof *t);
	if (!t)
		return NAN;
	memcpy(t, x, n * sizeof *t);
	qsort(t, n, sizeof *t, cmp_double);
	/* cdf[j] = P(B <= j) for B ~ Binomial(n, 1/2), built term by term:
	 * pmf(j+1) = pmf(j) (n-j) / (j+1), pmf(0) = 2^-n */
	double pmf = ldexp(1.0, -(int)n), cdf = 0;
	size_t k = 1;
	double reached = 1 - 2 * pmf; /* k = 1: min..max */
	for (size_t j = 0; j + 1 <= n / 2; j++) {
		cdf += pmf; /* P(B <= j) */
		double cover = 1 - 2 * cdf; /* the interval with k = j + 1 */
		if (cover < level)
			break;
		k = j + 1;
		reached = cover;
		pmf = pmf * (double)(n - j) / (double)(j + 1);
	}
	*lo = t[k - 1];
	*hi = t[n - k];
	free(t);
	return reached;
}

double tk_speedup(double t_serial, double t_parallel)
{
	return t_parallel > 0 ? t_serial / t_parallel : NAN;
}

double tk_efficiency(double speedup, int workers)
{
	return workers > 0 ? speedup / workers : NAN;
}

double tk_karp_flatt(double speedup, int workers)
{
	if (workers <= 1 || !(speedup > 0))
		return NAN;
	double p = workers;
	return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p);
}
