/*
 * test_reduce.c: the reduce kernel against hand-worked statistics and histograms,
 * closed forms (variance of an arithmetic sequence on a large offset), numpy's answers
 * for a fixture (tests/data/rand1000.*), and the invariance of every result under the
 * thread count and the synchronisation strategy.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk/array_io.h"
#include "tk/omp.h"
#include "tk/reduce.h"
#include "tk/tk.h"
#include "tk/xsum.h"
#include "tk_test.h"

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int run(const double *x, uint64_t n, const tk_reduce_opts *o, tk_reduce_stats *s)
{
	tk_error_clear();
	return tk_reduce_run(x, 0, n, n, o, s);
}

static tk_reduce_opts all_ops(void)
{
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	o.ops |= TK_RED_HIST;
	return o;
}

static void hand_worked(void)
{
	const double x[] = {3, 1, 4, 1, 5, 9, 2, 6};
	tk_reduce_opts o = all_ops();
	tk_reduce_stats s;
	CU_ASSERT_EQUAL_FATAL(run(x, 8, &o, &s), 0);
	CU_ASSERT_EQUAL(s.n, 8);
	CU_ASSERT_EQUAL(s.count, 8);
	CU_ASSERT_EQUAL(s.sum, 31.0);
	CU_ASSERT_EQUAL(s.mean, 3.875);
	CU_ASSERT_EQUAL(s.min, 1.0);
	CU_ASSERT_EQUAL(s.argmin, 1); /* first of the two 1s */
	CU_ASSERT_EQUAL(s.max, 9.0);
	CU_ASSERT_EQUAL(s.argmax, 5);
	/* sum of squared deviations 52.875 */
	CU_ASSERT(fabs(s.var - 52.875 / 7) <= 1e-15 * s.var);
	CU_ASSERT(fabs(s.std - sqrt(52.875 / 7)) <= 1e-15 * s.std);
	tk_reduce_stats_free(&s);
	o.ddof = 0;
	CU_ASSERT_EQUAL_FATAL(run(x, 8, &o, &s), 0);
	CU_ASSERT(fabs(s.var - 6.609375) <= 1e-15 * s.var);
	/* default range 1..9 over 256 bins: hand-placed */
	CU_ASSERT_EQUAL(s.bins, 256);
	CU_ASSERT_EQUAL(s.hist[0], 2);   /* the 1s */
	CU_ASSERT_EQUAL(s.hist[255], 1); /* 9, the closed last edge */
	CU_ASSERT_EQUAL(s.hist[32], 1);  /* 2 = 1 + 32 * 8/256 */
	CU_ASSERT_EQUAL(s.below + s.above, 0);
	tk_reduce_stats_free(&s);
}

static void exact_sums(void)
{
	const double x[] = {1e16, 1.0, -1e16};
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	tk_reduce_stats s;
	CU_ASSERT_EQUAL_FATAL(run(x, 3, &o, &s), 0);
	CU_ASSERT_EQUAL(s.sum, 1.0);
	CU_ASSERT(same_bits(s.mean, 1.0 / 3));
	double *t = malloc(10000 * sizeof *t);
	for (int i = 0; i < 10000; i++)
		t[i] = 0.1;
	CU_ASSERT_EQUAL_FATAL(run(t, 10, &o, &s), 0);
	CU_ASSERT_EQUAL(s.sum, 1.0);
	CU_ASSERT_EQUAL(s.var, 0.0);
	free(t);
}

/* The stats pass guesses each block's exponent bound from the previous block; the sum
 * must stay exact when magnitudes jump up or down between blocks. */
static void exact_when_magnitudes_jump(void)
{
	uint64_t n = 40 * TK_REDUCE_BLOCK + 5;
	double *x = malloc(n * sizeof *x);
	tk_xsum ref;
	tk_xsum_init(&ref);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t b = i / TK_REDUCE_BLOCK;
		double u = tk_generate_value(21, TK_DIST_NORMAL, i);
		double scale = b % 3 == 0 ? 0x1p300 : (b % 3 == 1 ? 0x1p-300 : ldexp(1.0, (int)b));
		x[i] = u * scale;
		if (b == 7 && i % 100 == 0) /* tiny values under large ones */
			x[i] = ldexp(u, -200);
		tk_xsum_add(&ref, x[i]);
	}
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	o.ops = TK_RED_SUM;
	tk_reduce_stats s;
	CU_ASSERT_EQUAL_FATAL(run(x, n, &o, &s), 0);
	CU_ASSERT(same_bits(s.sum, tk_xsum_round(&ref)));
	free(x);
}

static void nan_and_inf(void)
{
	const double x[] = {1, NAN, 3, NAN, -0.5};
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	tk_reduce_stats s;
	CU_ASSERT_EQUAL_FATAL(run(x, 5, &o, &s), 0);
	CU_ASSERT_EQUAL(s.nan, 2);
	CU_ASSERT(isnan(s.sum) && isnan(s.mean) && isnan(s.var));
	CU_ASSERT(isnan(s.min) && isnan(s.max));
	CU_ASSERT_EQUAL(s.argmin, 1); /* numpy: the first NaN */
	o.skip_nan = 1;
	CU_ASSERT_EQUAL_FATAL(run(x, 5, &o, &s), 0);
	CU_ASSERT_EQUAL(s.count, 3);
	CU_ASSERT_EQUAL(s.sum, 3.5);
	CU_ASSERT_EQUAL(s.min, -0.5);
	CU_ASSERT_EQUAL(s.argmin, 4);
	CU_ASSERT_EQUAL(s.max, 3.0);
	CU_ASSERT_EQUAL(s.argmax, 2);
	/* var of 1, 3, -0.5: mean 7/6, squares sum 6.1666..; ddof 1 */
	CU_ASSERT(fabs(s.var - (6.0 + 1.0 / 6) / 2) < 1e-15);
	const double y[] = {1, INFINITY, 2, -INFINITY};
	o.skip_nan = 0;
	CU_ASSERT_EQUAL_FATAL(run(y, 3, &o, &s), 0);
	CU_ASSERT_EQUAL(s.sum, INFINITY);
	CU_ASSERT_EQUAL(s.max, INFINITY);
	CU_ASSERT_EQUAL(s.argmax, 1);
	CU_ASSERT(isnan(s.var));
	CU_ASSERT_EQUAL(s.posinf, 1);
	CU_ASSERT_EQUAL_FATAL(run(y, 4, &o, &s), 0);
	CU_ASSERT(isnan(s.sum)); /* inf + -inf */
	CU_ASSERT_EQUAL(s.min, -INFINITY);
	CU_ASSERT_EQUAL(s.argmin, 3);
	/* histogram of data with inf and no range: refused clearly */
	o.ops |= TK_RED_HIST;
	CU_ASSERT_EQUAL(run(y, 4, &o, &s), TK_EUSAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "--range"));
	tk_error_clear();
}

static void empty_input(void)
{
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	tk_reduce_stats s;
	CU_ASSERT_EQUAL(run(NULL, 0, &o, &s), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "empty"));
	const double x[] = {NAN, NAN};
	o.skip_nan = 1;
	CU_ASSERT_EQUAL(run(x, 2, &o, &s), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "NaN"));
	tk_error_clear();
}

static void histogram_hand_counted(void)
{
	const double x[] = {0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, -1, 5, NAN};
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	o.ops = TK_RED_HIST;
	o.bins = 4;
	o.range_given = 1;
	o.lo = 0;
	o.hi = 4;
	tk_reduce_stats s;
	CU_ASSERT_EQUAL_FATAL(run(x, 12, &o, &s), 0);
	/* [0,1) 0 0.5 | [1,2) 1 1.5 | [2,3) 2 2.5 | [3,4] 3 3.5 4 */
	CU_ASSERT_EQUAL(s.hist[0], 2);
	CU_ASSERT_EQUAL(s.hist[1], 2);
	CU_ASSERT_EQUAL(s.hist[2], 2);
	CU_ASSERT_EQUAL(s.hist[3], 3);
	CU_ASSERT_EQUAL(s.below, 1);
	CU_ASSERT_EQUAL(s.above, 1);
	CU_ASSERT_EQUAL(s.nan, 1);
	tk_reduce_stats_free(&s);
	/* a histogram alone over a given range takes one pass: NaN/inf counted there */
	const double y[] = {-INFINITY, 0.5, INFINITY, NAN, 0.25, 2.0};
	o.bins = 2;
	o.hi = 1;
	o.skip_nan = 1;
	CU_ASSERT_EQUAL_FATAL(run(y, 6, &o, &s), 0);
	CU_ASSERT_EQUAL(s.hist[0], 1);
	CU_ASSERT_EQUAL(s.hist[1], 1);
	CU_ASSERT_EQUAL(s.below, 1);
	CU_ASSERT_EQUAL(s.above, 2);
	CU_ASSERT_EQUAL(s.nan, 1);
	CU_ASSERT_EQUAL(s.posinf, 1);
	CU_ASSERT_EQUAL(s.neginf, 1);
	CU_ASSERT_EQUAL(s.count, 5);
	tk_reduce_stats_free(&s);
	o.skip_nan = 0;
	o.hi = 4;
	o.bins = 4;
	/* one distinct value: numpy widens the range by 1/2 each side */
	const double c[] = {5, 5, 5};
	o.range_given = 0;
	o.bins = 2;
	CU_ASSERT_EQUAL_FATAL(run(c, 3, &o, &s), 0);
	CU_ASSERT_EQUAL(s.hist_lo, 4.5);
	CU_ASSERT_EQUAL(s.hist_hi, 5.5);
	CU_ASSERT_EQUAL(s.hist[0], 0);
	CU_ASSERT_EQUAL(s.hist[1], 3);
	tk_reduce_stats_free(&s);
	/* edges as numpy.linspace: 0.1 steps, values exactly on computed edges */
	double e[11];
	tk_reduce_edges(0.0, 1.0, 10, e);
	CU_ASSERT_EQUAL(e[3], 3 * 0.1);
	CU_ASSERT_EQUAL(e[10], 1.0);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(tk_reduce_bin(e[i], 0.0, 1.0, 10, e), i);
	CU_ASSERT_EQUAL(tk_reduce_bin(1.0, 0.0, 1.0, 10, e), 9);
	CU_ASSERT_EQUAL(tk_reduce_bin(nextafter(1.0, 2.0), 0.0, 1.0, 10, e), -1);
	CU_ASSERT_EQUAL(tk_reduce_bin(NAN, 0.0, 1.0, 10, e), -1);
}

/* Every output field, bit for bit. */
static int same_stats(const tk_reduce_stats *a, const tk_reduce_stats *b)
{
	int ok = a->n == b->n && a->count == b->count && a->nan == b->nan &&
	         a->posinf == b->posinf && a->neginf == b->neginf && same_bits(a->sum, b->sum) &&
	         same_bits(a->mean, b->mean) && same_bits(a->var, b->var) &&
	         same_bits(a->std, b->std) && same_bits(a->min, b->min) &&
	         same_bits(a->max, b->max) && a->argmin == b->argmin && a->argmax == b->argmax &&
	         a->bins == b->bins && a->below == b->below && a->above == b->above;
	if (ok && a->hist && b->hist)
		ok = memcmp(a->hist, b->hist, a->bins * sizeof *a->hist) == 0;
	return ok && !a->hist == !b->hist;
}

static double *random_data(uint64_t n, int with_nan)
{
	double *x = malloc(n * sizeof *x);
	for (uint64_t i = 0; i < n; i++) {
		double u = tk_generate_value(3, TK_DIST_UNIFORM, i);
		x[i] = i % 5 == 0 ? tk_generate_value(4, TK_DIST_NORMAL, i) * 1e3 : u;
		if (with_nan && i % 997 == 3)
			x[i] = NAN;
	}
	return x;
}

static void threads_and_strategies_agree(void)
{
	/* not a multiple of the block, nor of 2 or 3 threads */
	uint64_t n = 5 * TK_REDUCE_BLOCK + 77;
	double *x = random_data(n, 1);
	int saved = tk_thread_max();
	for (int skip = 0; skip < 2; skip++) {
		tk_reduce_opts o = all_ops();
		o.skip_nan = skip;
		o.range_given = 1;
		o.lo = -100;
		o.hi = 100;
		o.bins = 37;
		tk_reduce_stats ref;
		tk_thread_set(1);
		CU_ASSERT_EQUAL_FATAL(run(x, n, &o, &ref), 0);
		for (int t = 1; t <= 3; t++) {
			for (int st = 0; st < 3; st++) {
				tk_reduce_stats s;
				tk_thread_set(t);
				o.strategy = (tk_strategy)st;
				CU_ASSERT_EQUAL_FATAL(run(x, n, &o, &s), 0);
				CU_ASSERT(same_stats(&ref, &s));
				tk_reduce_stats_free(&s);
			}
		}
		tk_reduce_stats_free(&ref);
	}
	/* fewer values than threads */
	tk_reduce_opts o = all_ops();
	tk_reduce_stats a, b;
	tk_thread_set(1);
	CU_ASSERT_EQUAL_FATAL(run(x + 1, 2, &o, &a), 0);
	tk_thread_set(3);
	CU_ASSERT_EQUAL_FATAL(run(x + 1, 2, &o, &b), 0);
	CU_ASSERT(same_stats(&a, &b));
	tk_reduce_stats_free(&a);
	tk_reduce_stats_free(&b);
	tk_thread_set(saved);
	free(x);
}

static void shuffle(double *x, uint64_t n)
{
	for (uint64_t i = n; i > 1; i--) {
		uint64_t j = (uint64_t)(tk_generate_value(9, TK_DIST_UNIFORM, i) * (double)i);
		double t = x[i - 1];
		x[i - 1] = x[j];
		x[j] = t;
	}
}

/* 1e9 + j/4, j = 0..n-1: var (ddof 1) = (1/16) n (n + 1) / 12 exactly. */
static void variance_on_large_offset(void)
{
	uint64_t n = 50000;
	double *x = malloc(n * sizeof *x);
	for (uint64_t j = 0; j < n; j++)
		x[j] = 1e9 + (double)j * 0.25;
	double want = 0.0625 * (double)n * (double)(n + 1) / 12.0;
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	tk_reduce_stats s;
	/* sorted: the first block's mean is far from the mean, a second pass is needed */
	CU_ASSERT_EQUAL_FATAL(run(x, n, &o, &s), 0);
	CU_ASSERT(fabs(s.var - want) <= 1e-14 * want);
	CU_ASSERT_EQUAL(s.var_passes, 2);
	CU_ASSERT_EQUAL(s.mean, 1e9 + 0.125 * (double)(n - 1));
	shuffle(x, n);
	CU_ASSERT_EQUAL_FATAL(run(x, n, &o, &s), 0);
	CU_ASSERT(fabs(s.var - want) <= 1e-14 * want);
	CU_ASSERT_EQUAL(s.var_passes, 1);
	/* uniform noise on 1e9 against an exact reference: d = x - c is exact for
	 * c = 1e9 + 1/2 (Sterbenz), d * d = p + e exactly (Dekker's product, no fma and no
	 * long double, so that it holds under valgrind too), the sums exact in tk_xsum */
	for (uint64_t j = 0; j < n; j++)
		x[j] = 1e9 + tk_generate_value(11, TK_DIST_UNIFORM, j);
	CU_ASSERT_EQUAL_FATAL(run(x, n, &o, &s), 0);
	tk_xsum s1, s2;
	tk_xsum_init(&s1);
	tk_xsum_init(&s2);
	for (uint64_t j = 0; j < n; j++) {
		double d = x[j] - (1e9 + 0.5), a = 134217729.0 * d;
		double hi = a - (a - d), lo = d - hi, p = d * d;
		tk_xsum_add(&s1, d);
		tk_xsum_add(&s2, p);
		tk_xsum_add(&s2, ((hi * hi - p) + 2 * hi * lo) + lo * lo);
	}
	double S1 = tk_xsum_round(&s1), S2 = tk_xsum_round(&s2);
	double v = (S2 - S1 * S1 / (double)n) / (double)(n - 1);
	CU_ASSERT(fabs(s.var - v) <= 1e-14 * v);
	free(x);
}

static int read_expect(FILE *f, const char *key, char *line, size_t cap)
{
	rewind(f);
	size_t k = strlen(key);
	while (fgets(line, (int)cap, f))
		if (strncmp(line, key, k) == 0 && line[k] == ' ')
			return 1;
	return 0;
}

/* numpy's answers (tests/make_npy_fixtures.py) for tests/data/rand1000.npy */
static void matches_numpy(void)
{
	char path[512], line[1024];
	snprintf(path, sizeof path, "%s/rand1000.npy", tk_test_data_dir());
	tk_source src = {TK_SRC_NPY, path, 0, 0, TK_DIST_UNIFORM, 0};
	tk_array a;
	CU_ASSERT_EQUAL_FATAL(tk_array_load(&src, &a), 0);
	snprintf(path, sizeof path, "%s/rand1000.expect", tk_test_data_dir());
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	tk_reduce_opts o = all_ops();
	o.bins = 10;
	tk_reduce_stats s;
	CU_ASSERT_EQUAL_FATAL(run(a.data, a.n, &o, &s), 0);
	double v;
	unsigned long long idx;
	CU_ASSERT_FATAL(read_expect(f, "fsum", line, sizeof line));
	CU_ASSERT(same_bits(s.sum, strtod(line + 5, NULL))); /* bit for bit with math.fsum */
	CU_ASSERT_FATAL(read_expect(f, "min", line, sizeof line));
	CU_ASSERT(sscanf(line + 4, "%la %llu", &v, &idx) == 2 && v == s.min && idx == s.argmin);
	CU_ASSERT_FATAL(read_expect(f, "max", line, sizeof line));
	CU_ASSERT(sscanf(line + 4, "%la %llu", &v, &idx) == 2 && v == s.max && idx == s.argmax);
	CU_ASSERT_FATAL(read_expect(f, "var1", line, sizeof line));
	v = strtod(line + 5, NULL);
	CU_ASSERT(fabs(s.var - v) <= 1e-14 * v);
	CU_ASSERT_FATAL(read_expect(f, "hist10", line, sizeof line));
	char *p = line + 7;
	for (int b = 0; b < 10; b++)
		CU_ASSERT_EQUAL(strtoull(p, &p, 10), s.hist[b]);
	tk_reduce_stats_free(&s);
	o.ddof = 0;
	o.bins = 7;
	o.range_given = 1;
	o.lo = -2.0;
	o.hi = 999.5;
	CU_ASSERT_EQUAL_FATAL(run(a.data, a.n, &o, &s), 0);
	CU_ASSERT_FATAL(read_expect(f, "var0", line, sizeof line));
	v = strtod(line + 5, NULL);
	CU_ASSERT(fabs(s.var - v) <= 1e-14 * v);
	CU_ASSERT_FATAL(read_expect(f, "hist7", line, sizeof line));
	p = line + 6;
	for (int b = 0; b < 7; b++)
		CU_ASSERT_EQUAL(strtoull(p, &p, 10), s.hist[b]);
	CU_ASSERT_EQUAL(strtoull(p, &p, 10), s.below);
	CU_ASSERT_EQUAL(strtoull(p, &p, 10), s.above);
	tk_reduce_stats_free(&s);
	fclose(f);
	tk_array_free(&a);
}

static void options(void)
{
	unsigned ops;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_reduce_parse_ops("sum,hist", &ops), 0);
	CU_ASSERT_EQUAL(ops, TK_RED_SUM | TK_RED_HIST);
	CU_ASSERT_EQUAL(tk_reduce_parse_ops("all", &ops), 0);
	CU_ASSERT_EQUAL(ops, TK_RED_DEFAULT | TK_RED_HIST);
	CU_ASSERT_EQUAL(tk_reduce_parse_ops("sum,median", &ops), TK_EUSAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "unknown op 'median'"));
	tk_error_clear();
	double lo, hi;
	CU_ASSERT_EQUAL(tk_reduce_parse_range("-1.5:2e3", &lo, &hi), 0);
	CU_ASSERT(lo == -1.5 && hi == 2000.0);
	CU_ASSERT_EQUAL(tk_reduce_parse_range("5:1", &lo, &hi), TK_EUSAGE);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_reduce_parse_range("1:x", &lo, &hi), TK_EUSAGE);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_reduce_parse_range("1", &lo, &hi), TK_EUSAGE);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_reduce_parse_range("0:inf", &lo, &hi), TK_EUSAGE);
	tk_error_clear();
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	CU_ASSERT_EQUAL(tk_reduce_opts_check(&o), 0);
	o.bins = 0;
	CU_ASSERT_EQUAL(tk_reduce_opts_check(&o), TK_EUSAGE);
	tk_error_clear();
	/* a range whose width overflows (or whose bins/width does) is refused up front */
	tk_reduce_opts_default(&o);
	o.range_given = 1;
	o.bins = 4;
	o.lo = -9e307;
	o.hi = 9e307;
	CU_ASSERT_EQUAL(tk_reduce_opts_check(&o), TK_EUSAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "HI - LO overflows"));
	tk_error_clear();
	o.lo = 0;
	o.hi = 0x1p-1074;
	CU_ASSERT_EQUAL(tk_reduce_opts_check(&o), TK_EUSAGE);
	tk_error_clear();
	o.lo = -8e307; /* the widest that still has a finite width */
	o.hi = 8e307;
	CU_ASSERT_EQUAL(tk_reduce_opts_check(&o), 0);
	tk_error_clear();
}

static void slices_are_whole_blocks(void)
{
	uint64_t n = 10 * TK_REDUCE_BLOCK + 5, prev = 0, lo, hi;
	for (int r = 0; r < 4; r++) {
		tk_reduce_slice(n, r, 4, &lo, &hi);
		CU_ASSERT_EQUAL(lo, prev);
		CU_ASSERT_EQUAL(lo % TK_REDUCE_BLOCK, 0);
		prev = hi;
	}
	CU_ASSERT_EQUAL(prev, n);
	tk_reduce_slice(3, 2, 4, &lo, &hi); /* fewer values than ranks */
	CU_ASSERT_EQUAL(lo, 3);
	CU_ASSERT_EQUAL(hi, 3);
	tk_reduce_slice(3, 0, 4, &lo, &hi);
	CU_ASSERT_EQUAL(hi, 3);
}

static void membw_positive(void)
{
	int ok;
	double bw = tk_membw((UINT64_C(16) << 20) + 24, 2, &ok);
	CU_ASSERT(bw > 1e8 && bw < 1e13);
	CU_ASSERT(ok);
}

static const tk_test tests[] = {
	{"hand-worked statistics", hand_worked},
	{"exact sums", exact_sums},
	{"exact when magnitudes jump", exact_when_magnitudes_jump},
	{"NaN and inf", nan_and_inf},
	{"empty input", empty_input},
	{"histogram hand-counted", histogram_hand_counted},
	{"threads and strategies agree", threads_and_strategies_agree},
	{"variance on a large offset", variance_on_large_offset},
	{"matches numpy", matches_numpy},
	{"options", options},
	{"slices are whole blocks", slices_are_whole_blocks},
	{"membw", membw_positive},
	{NULL, NULL},
};
const tk_suite tk_suite_reduce = {"reduce", tests};
