/* test_stats.c: bench statistics against values worked by hand. */
#include <math.h>

#include "tk/stats.h"
#include "tk_test.h"

static void median_min_max_sd(void)
{
	/* {4, 1, 3, 2, 100}: sorted 1 2 3 4 100, median 3, mean 22,
	 * deviations from mean -21 -20 -19 -18 78: ss = 441+400+361+324+6084 = 7610,
	 * sd = sqrt(7610/4) = sqrt(1902.5); |x - 3| = 1 2 0 1 97 -> MAD 1;
	 * modified z of 100: 0.6745 * 97 / 1 = 65.4 > 3.5 -> one outlier */
	const double x[] = {4, 1, 3, 2, 100};
	tk_stats s;
	tk_stats_of(x, 5, &s);
	CU_ASSERT_EQUAL(s.n, 5);
	CU_ASSERT_DOUBLE_EQUAL(s.median, 3, 0);
	CU_ASSERT_DOUBLE_EQUAL(s.min, 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(s.max, 100, 0);
	CU_ASSERT_DOUBLE_EQUAL(s.mean, 22, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.sd, sqrt(1902.5), 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.mad, 1, 0);
	CU_ASSERT_EQUAL(s.outliers, 1);
	/* even count: median is the mean of the middle two */
	const double y[] = {1, 2, 3, 10};
	tk_stats_of(y, 4, &s);
	CU_ASSERT_DOUBLE_EQUAL(s.median, 2.5, 0);
}

static void median_ci_by_hand(void)
{
	/* P(Binomial(n, 1/2) <= j) by hand: n = 5: 1/32, so [x(1), x(5)] covers
	 * 1 - 2/32 = 0.9375 (below 95%: the level reached is said).  n = 10: 1/1024,
	 * 11/1024, 56/1024: k = 2 covers 1 - 22/1024 = 0.978515625, k = 3 only 0.890625.
	 * n = 20: P(B <= 5) = (1+20+190+1140+4845+15504)/2^20 = 21700/2^20, k = 6 covers
	 * 1 - 43400/2^20; P(B <= 6) = 60460/2^20 gives 0.885 (the published table: 6, 15) */
	double lo, hi;
	const double x5[] = {5, 1, 4, 2, 3};
	CU_ASSERT_DOUBLE_EQUAL(tk_median_ci(x5, 5, 0.95, &lo, &hi), 0.9375, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(lo, 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(hi, 5, 0);
	double x10[10], x20[20];
	for (int i = 0; i < 10; i++)
		x10[i] = 10 - i; /* 10 9 .. 1: sorted 1..10 */
	CU_ASSERT_DOUBLE_EQUAL(tk_median_ci(x10, 10, 0.95, &lo, &hi), 0.978515625, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(lo, 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(hi, 9, 0);
	CU_ASSERT_DOUBLE_EQUAL(x10[0], 10, 0); /* not modified */
	for (int i = 0; i < 20; i++)
		x20[i] = (i * 7) % 20 + 1; /* a permutation of 1..20 */
	CU_ASSERT_DOUBLE_EQUAL(tk_median_ci(x20, 20, 0.95, &lo, &hi), 1 - 43400.0 / 1048576,
	                       1e-15);
	CU_ASSERT_DOUBLE_EQUAL(lo, 6, 0);
	CU_ASSERT_DOUBLE_EQUAL(hi, 15, 0);
	/* one run: no interval */
	CU_ASSERT(isnan(tk_median_ci(x5, 1, 0.95, &lo, &hi)));
	CU_ASSERT(isnan(lo) && isnan(hi));
}

static void outliers_by_hand(void)
{
	const double y[] = {1, 2, 3, 10};
	tk_stats s;
	tk_stats_of(y, 4, &s);
	/* |x - 2.5| = 1.5 0.5 0.5 7.5 -> MAD = (0.5 + 1.5) / 2 = 1; z(10) = 5.06 */
	CU_ASSERT_DOUBLE_EQUAL(s.mad, 1, 0);
	CU_ASSERT_EQUAL(s.outliers, 1);
	const double one[] = {0.25};
	tk_stats_of(one, 1, &s);
	CU_ASSERT_DOUBLE_EQUAL(s.median, 0.25, 0);
	CU_ASSERT_DOUBLE_EQUAL(s.sd, 0, 0);
	CU_ASSERT_EQUAL(s.outliers, 0);
}

static void scaling_metrics(void)
{
	/* serial 10 s, 4 workers 4 s: speedup 2.5, efficiency 0.625,
	 * Karp-Flatt (1/2.5 - 1/4) / (1 - 1/4) = (0.4 - 0.25) / 0.75 = 0.2 */
	double sp = tk_speedup(10, 4);
	CU_ASSERT_DOUBLE_EQUAL(sp, 2.5, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(tk_efficiency(sp, 4), 0.625, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(tk_karp_flatt(sp, 4), 0.2, 1e-15);
	/* perfect scaling has serial fraction 0; one worker has none defined */
	CU_ASSERT_DOUBLE_EQUAL(tk_karp_flatt(8, 8), 0, 1e-15);
	CU_ASSERT(isnan(tk_karp_flatt(1, 1)));
	CU_ASSERT(isnan(tk_speedup(1, 0)));
}

static const tk_test tests[] = {
	{"median, min, max, sd", median_min_max_sd},
	{"MAD outliers", outliers_by_hand},
	{"median confidence interval (order statistics)", median_ci_by_hand},
	{"speedup, efficiency, Karp-Flatt", scaling_metrics},
	{NULL, NULL},
};
const tk_suite tk_suite_stats = {"stats", tests};
