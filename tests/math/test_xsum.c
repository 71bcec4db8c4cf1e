/*
 * test_xsum.c: the exact accumulator against hand-worked sums and against an
 * independent reference: Shewchuk's exact partials with the correct final rounding of
 * CPython's math.fsum (written here from the published algorithm, not from xsum.c).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tk/xsum.h"
#include "tk_test.h"

static uint64_t rng_state;

static uint64_t next_u64(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static double uniform01(void) { return (double)(next_u64() >> 11) * 0x1p-53; }

/* A random double: sign, full 53-bit mantissa, exponent in [emin, emax]. */
static double random_wide(int emin, int emax)
{
	double m = 1.0 + (double)(next_u64() >> 12) * 0x1p-52;
	int e = emin + (int)(next_u64() % (uint64_t)(emax - emin + 1));
	double x = ldexp(m, e);
	return next_u64() & 1 ? -x : x;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Reference: exact sum by nonoverlapping partials, then fsum's final rounding.
 * Valid while no partial overflows (the tests keep |values| well below DBL_MAX). */
static double ref_fsum(const double *x, size_t n)
{
	double *p = malloc((n + 2) * sizeof *p);
	size_t np = 0;
	for (size_t k = 0; k < n; k++) {
		double v = x[k];
		size_t i = 0;
		for (size_t j = 0; j < np; j++) {
			double y = p[j];
			if (fabs(v) < fabs(y)) {
				double t = v;
				v = y;
				y = t;
			}
			double hi = v + y;
			double lo = y - (hi - v);
			if (lo != 0.0)
				p[i++] = lo;
			v = hi;
		}
		np = i;
		if (v != 0.0)
			p[np++] = v;
	}
	double hi = 0.0, lo = 0.0;
	if (np > 0) {
		hi = p[--np];
		while (np > 0) {
			double v = hi, y = p[--np];
			hi = v + y;
			lo = y - (hi - v);
			if (lo != 0.0)
				break;
		}
		if (np > 0 && ((lo < 0.0 && p[np - 1] < 0.0) || (lo > 0.0 && p[np - 1] > 0.0))) {
			double y = lo * 2.0, v = hi + y;
			if (y == v - hi)
				hi = v;
		}
	}
	free(p);
	return hi;
}

static double xsum_of(const double *x, size_t n, int use_array)
{
	tk_xsum a;
	tk_xsum_init(&a);
	if (use_array) {
		tk_xsum_add_array(&a, x, n);
	} else {
		for (size_t i = 0; i < n; i++)
			tk_xsum_add(&a, x[i]);
	}
	return tk_xsum_round(&a);
}

/* Both add paths must give want, bit for bit. */
static void check_sum(const double *x, size_t n, double want)
{
	double s1 = xsum_of(x, n, 0), s2 = xsum_of(x, n, 1);
	CU_ASSERT(same_bits(s1, want) || (isnan(s1) && isnan(want)));
	CU_ASSERT(same_bits(s2, want) || (isnan(s2) && isnan(want)));
}

#define CHECK(want, ...)                                                              \
	do {                                                                          \
		const double v_[] = {__VA_ARGS__};                                    \
		check_sum(v_, sizeof v_ / sizeof v_[0], (want));                      \
	} while (0)

static void known_sums(void)
{
	CHECK(1.0, 1e16, 1.0, -1e16);
	CHECK(1e308, 1e308, 1e308, -1e308);
	CHECK(INFINITY, DBL_MAX, DBL_MAX);
	CHECK(-INFINITY, -DBL_MAX, -DBL_MAX);
	CHECK(DBL_MAX, DBL_MAX, DBL_MAX, -DBL_MAX);
	/* DBL_MAX + half an ulp is a tie; DBL_MAX is odd, so it rounds up to inf */
	CHECK(INFINITY, DBL_MAX, 0x1p970);
	CHECK(DBL_MAX, DBL_MAX, 0x1p969);
	CHECK(0x1p-1074 * 3, 0x1p-1074, 0x1p-1074, 0x1p-1074);
	CHECK(DBL_MIN - 0x1p-1074, DBL_MIN, -0x1p-1074);
	CHECK(0.0, 1.0, -1.0);
	CHECK(0.0);
	CHECK(0.5, 0.25, 0.25);
	CHECK(1e100, 1e100, 1.0, -1.0, 1e-100, -1e-100);
}

static void tenth_ten_times(void)
{
	double x[10], naive = 0.0;
	for (int i = 0; i < 10; i++) {
		x[i] = 0.1;
		naive += x[i];
	}
	CU_ASSERT_EQUAL(naive, 0.9999999999999999); /* why an exact sum is needed */
	check_sum(x, 10, 1.0);
	/* many 0.1 through the fast path: 100000 * 0.1 is 10000.000000000002 exactly
	 * rounded (0.1 is slightly above 1/10) */
	size_t n = 100000;
	double *y = malloc(n * sizeof *y);
	for (size_t i = 0; i < n; i++)
		y[i] = 0.1;
	check_sum(y, n, ref_fsum(y, n));
	free(y);
}

static void alternating_huge_tiny(void)
{
	/* 1e20, 1, -1e20, 1, ...: the ones survive only in an exact sum */
	size_t n = 4000;
	double *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = i % 2 ? 1.0 : (i % 4 == 0 ? 1e20 : -1e20);
	check_sum(x, n, 2000.0);
	for (size_t i = 0; i < n; i++)
		x[i] = i % 2 ? 0x1p-1000 : (i % 4 == 0 ? 0x1p1000 : -0x1p1000);
	check_sum(x, n, 2000 * 0x1p-1000);
	free(x);
}

static void ties_to_even(void)
{
	CHECK(1.0, 1.0, 0x1p-53);
	CHECK(1.0 + 0x1p-52, 1.0, 0x1p-53, 0x1p-106);
	CHECK(1.0 + 0x1p-51, 1.0 + 0x1p-52, 0x1p-53); /* odd: up to even */
	CHECK(-1.0, -1.0, -0x1p-53);
	CHECK(1.0 + 0x1p-52, 0x1p-53, 1.0, 0x1p-1074);
	CHECK(1.0, 0x1p-53, 1.0, -0x1p-1074);
	CHECK(1e16 + 2, 1e16, 1.0, 1e-16); /* fsum doc example: rounds up */
}

static void signed_zeros(void)
{
	CHECK(-0.0, -0.0);
	CHECK(-0.0, -0.0, -0.0);
	CHECK(0.0, -0.0, 0.0);
	CHECK(0.0, 0.0, -0.0);
	CHECK(0.0, -1.0, 1.0);
	CHECK(0.0, -0.0, -1.0, 1.0);
	double none = xsum_of(NULL, 0, 0);
	CU_ASSERT(same_bits(none, 0.0));
	double z[64];
	for (int i = 0; i < 64; i++)
		z[i] = -0.0;
	check_sum(z, 64, -0.0);
	z[17] = 0.0;
	check_sum(z, 64, 0.0);
}

static void nan_and_inf(void)
{
	CU_ASSERT(isnan(xsum_of((const double[]){1.0, NAN}, 2, 0)));
	CHECK(NAN, 1.0, NAN, 2.0);
	CHECK(NAN, INFINITY, -INFINITY);
	CHECK(NAN, INFINITY, NAN);
	CHECK(INFINITY, INFINITY, 1.0, -DBL_MAX, -DBL_MAX);
	CHECK(-INFINITY, -INFINITY, 1e308, 1e308);
	CHECK(INFINITY, INFINITY, INFINITY);
	double x[100];
	for (int i = 0; i < 100; i++)
		x[i] = i;
	x[50] = -INFINITY;
	check_sum(x, 100, -INFINITY);
	x[70] = NAN;
	check_sum(x, 100, NAN);
}

static void subnormals(void)
{
	rng_state = 7;
	size_t n = 5000;
	double *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = random_wide(-1074, -1000);
	check_sum(x, n, ref_fsum(x, n));
	for (size_t i = 0; i < n; i++)
		x[i] = (double)(int64_t)(next_u64() % 1000000 - 500000) * 0x1p-1074;
	check_sum(x, n, ref_fsum(x, n));
	free(x);
}

/* The reference on random data: narrow and wide exponent ranges, lengths that hit the
 * block edges of the fast path. */
static void random_vs_reference(void)
{
	static const int ranges[][2] = {
		{0, 0}, {-3, 3}, {-60, 60}, {-200, 200}, {-1070, -900}, {-1074, 900}, {800, 1000},
	};
	static const size_t lengths[] = {1, 15, 16, 17, 1023, 1024, 1025, 3000};
	rng_state = 12345;
	for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
		for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
			size_t n = lengths[l];
			double *x = malloc(n * sizeof *x);
			for (size_t i = 0; i < n; i++)
				x[i] = random_wide(ranges[r][0], ranges[r][1]);
			check_sum(x, n, ref_fsum(x, n));
			free(x);
		}
	}
	/* uniform data with a large offset, values that cancel to a tiny remainder */
	size_t n = 20000;
	double *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = 1e9 + uniform01();
	check_sum(x, n, ref_fsum(x, n));
	for (size_t i = 0; i < n / 2; i++) {
		x[i] = random_wide(-30, 30);
		x[n / 2 + i] = -x[i] * (1 + 0x1p-52 * (i % 3 == 0));
	}
	check_sum(x, n, ref_fsum(x, n));
	free(x);
}

/* Same-sign values with full mantissas at one exponent: the fast path's block sums
 * reach 1024 (2^53 - 1), and the scalar path must propagate carries in time. */
static void carries(void)
{
	size_t n = 300000;
	double *x = malloc(n * sizeof *x);
	double m = 2.0 - 0x1p-52;
	for (size_t i = 0; i < n; i++)
		x[i] = ldexp(m, 1000);
	/* n (2 - 2^-52) 2^1000 needs 19 + 53 bits; the reference is exact */
	check_sum(x, n, ref_fsum(x, n));
	for (size_t i = 0; i < n; i++)
		x[i] = -ldexp(m, -1020);
	check_sum(x, n, ref_fsum(x, n));
	free(x);
}

static void shuffle(double *x, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = next_u64() % i;
		double t = x[i - 1];
		x[i - 1] = x[j];
		x[j] = t;
	}
}

/* Sum of x split at random points into k accumulators, merged in a random order. */
static void split_sum(const double *x, size_t n, int k, tk_xsum *out)
{
	tk_xsum part[8];
	size_t cut[9];
	cut[0] = 0;
	cut[k] = n;
	for (int i = 1; i < k; i++)
		cut[i] = next_u64() % (n + 1);
	for (int i = 1; i < k; i++) /* sort the cut points */
		for (int j = i; j > 1 && cut[j] < cut[j - 1]; j--) {
			size_t t = cut[j];
			cut[j] = cut[j - 1];
			cut[j - 1] = t;
		}
	for (int i = 0; i < k; i++) {
		tk_xsum_init(&part[i]);
		if (i % 2)
			tk_xsum_add_array(&part[i], x + cut[i], cut[i + 1] - cut[i]);
		else
			for (size_t j = cut[i]; j < cut[i + 1]; j++)
				tk_xsum_add(&part[i], x[j]);
	}
	/* merge random pairs until one is left */
	int live = k;
	while (live > 1) {
		int a = (int)(next_u64() % (uint64_t)live), b = (int)(next_u64() % (uint64_t)live);
		if (a == b)
			continue;
		tk_xsum_merge(&part[a], &part[b]);
		part[b] = part[--live]; /* drop b: the last one takes its place */
	}
	*out = part[0];
	tk_xsum_normalize(out);
}

static void order_and_split_independent(void)
{
	rng_state = 99;
	size_t n = 5000;
	double *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = i % 7 == 0 ? random_wide(-600, 600) : random_wide(-5, 5);
	tk_xsum first;
	split_sum(x, n, 1, &first);
	double want = ref_fsum(x, n);
	CU_ASSERT(same_bits(tk_xsum_round(&first), want));
	for (int trial = 0; trial < 40; trial++) {
		shuffle(x, n);
		tk_xsum s;
		split_sum(x, n, 1 + trial % 8, &s);
		CU_ASSERT(same_bits(tk_xsum_round(&s), want));
		/* the normalised state itself is identical, not only its rounding */
		CU_ASSERT(memcmp(s.chunk, first.chunk, sizeof s.chunk) == 0);
	}
	free(x);
}

static void allreduce_one_rank(void)
{
	tk_xsum a;
	tk_xsum_init(&a);
	tk_xsum_add(&a, 1e16);
	tk_xsum_add(&a, 1.0);
	tk_xsum_add(&a, -1e16);
	tk_xsum_add(&a, -0.0);
	tk_xsum_allreduce(&a); /* the unit runner is one rank */
	CU_ASSERT_EQUAL(tk_xsum_round(&a), 1.0);
	CU_ASSERT_EQUAL(a.any, 1);
	CU_ASSERT_EQUAL(a.nan, 0);
}

static const tk_test tests[] = {
	{"known sums", known_sums},
	{"ten times 0.1", tenth_ten_times},
	{"alternating huge and tiny", alternating_huge_tiny},
	{"ties to even", ties_to_even},
	{"signed zeros", signed_zeros},
	{"NaN and inf", nan_and_inf},
	{"subnormals", subnormals},
	{"random data vs reference", random_vs_reference},
	{"carry propagation", carries},
	{"order and split independent", order_and_split_independent},
	{"allreduce on one rank", allreduce_one_rank},
	{NULL, NULL},
};
const tk_suite tk_suite_xsum = {"xsum", tests};
