/*
 * test_reduce_simd.c: every vector variant of the reduce family's kernels
 * (src/reduce/reduce_simd.c, src/math/xsum_simd.c) on the same arrays, compared bitwise with the
 * scalar variant, and the scalar variant against plain references written here (a
 * 16-lane loop with the halving tree, tk_reduce_bin's numpy rule, the split summed value
 * by value).  Sizes leave remainders of every vector width; the data hold NaN, inf,
 * signed zeros, subnormals and values huge enough to force the careful paths.
 * Variants this CPU or build lacks are skipped, and the skip is printed.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/reduce.h"
#include "tk/simd.h"
#include "tk/tk.h"
#include "tk/xsum.h"
#include "tk_test.h"

#define N_MAX 4096

static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static uint64_t rng_state;
static uint64_t next_u64(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static double unif(void) { return (double)(next_u64() >> 11) * 0x1p-53; }

/* The data sets: each fills x[0..n). */
enum { D_UNIFORM, D_OFFSET, D_SIGNED, D_ZEROS, D_SUBNORMAL, D_MIXED, D_HUGE, D_NAN, D_INF,
       D_NSETS };
static void fill(double *x, size_t n, int set)
{
	rng_state = 0x9E3779B97F4A7C15ull + (uint64_t)set * 7919u + n;
	for (size_t i = 0; i < n; i++) {
		double u = unif();
		switch (set) {
		case D_UNIFORM: x[i] = u; break;
		case D_OFFSET: x[i] = 1e9 + u; break;
		case D_SIGNED: x[i] = (u - 0.5) * 1e3; break;
		case D_ZEROS: x[i] = (next_u64() & 1) ? -0.0 : 0.0; break;
		case D_SUBNORMAL: x[i] = (u - 0.5) * 0x1p-1040; break;
		/* magnitudes 2^-60 .. 2^60: the split leaves bits below its second level */
		case D_MIXED: x[i] = ldexp(u - 0.5, (int)(next_u64() % 121) - 60); break;
		case D_HUGE: x[i] = (u - 0.5) * 1e300; break; /* d * d overflows */
		case D_NAN: x[i] = i % 97 == 5 ? NAN : u; break;
		case D_INF: x[i] = i % 89 == 3 ? (i % 2 ? INFINITY : -INFINITY) : u; break;
		}
	}
}

/* Calls fn(table, variant) for every available variant but the scalar one; says which
 * were skipped, once. */
static void each_variant(void (*fn)(const tk_functable *, const tk_functable *, int))
{
	static int said;
	const tk_functable *ref = tk_simd_table(TK_SIMD_SCALAR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	for (int v = 1; v < TK_SIMD_NVARIANTS; v++) {
		const tk_functable *t = tk_simd_table(v);
		if (t)
			fn(ref, t, v);
		else if (!said)
			printf("\n  reduce_simd: variant %s skipped: this CPU or build lacks it "
			       "(this CPU has: %s) ",
			       tk_simd_name(v), tk_simd_cpu_features());
	}
	said = 1;
}

/* ---- references ------------------------------------------------------------------ */

static void ref_dsums(const double *x, size_t n, double K, double *s1, double *s2)
{
	double a[16] = {0}, b[16] = {0};
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - K;
		a[i % 16] += d;
		b[i % 16] += d * d;
	}
	for (int w = 8; w >= 1; w /= 2)
		for (int l = 0; l < w; l++) {
			a[l] += a[l + w];
			b[l] += b[l + w];
		}
	*s1 = a[0];
	*s2 = b[0];
}

/* The split of one value, and its exact sums (any order: every partial sum is exact). */
static void ref_split(const double *x, size_t n, double c1, double c2, double *t1,
                      double *t2, int *rest)
{
	*t1 = *t2 = 0.0;
	*rest = 0;
	for (size_t i = 0; i < n; i++) {
		double q = (x[i] + c1) - c1, r = x[i] - q, p = (r + c2) - c2;
		*t1 += q;
		*t2 += p;
		*rest |= r - p != 0.0 || signbit(r - p);
	}
}

/* The exponent bound e (|x| < 2^e) of finite x[0..n), as the stats pass computes it. */
static int exp_bound(const double *x, size_t n)
{
	double m = 0.0;
	for (size_t i = 0; i < n; i++)
		m = fabs(x[i]) > m ? fabs(x[i]) : m;
	int e;
	frexp(m, &e);
	return e;
}

/* ---- the stats scan ------------------------------------------------------------- */

static const size_t scan_sizes[] = {16, 32, 48, 1008, 1024};

static void scan_one(const tk_functable *ref, const tk_functable *t, int v)
{
	static double x[N_MAX];
	for (size_t s = 0; s < TK_ARRAY_SIZE(scan_sizes); s++) {
		size_t n = scan_sizes[s];
		for (int set = 0; set < D_NSETS; set++) {
			fill(x, n, set);
			double K = set == D_OFFSET ? 1e9 + 0.5 : set == D_HUGE ? -1e299 : 0.25;
			double c1 = 0, c2 = 0;
			int e = set == D_NAN || set == D_INF ? 1 : exp_bound(x, n);
			if (!tk_xsum_split_consts(e, &c1, &c2))
				tk_xsum_split_consts(0, &c1, &c2); /* then only the flag matters */
			tk_reduce_scan a, b;
			memset(&a, 0, sizeof a);
			memset(&b, 0, sizeof b);
			int ra = ref->tk_reduce_scan_block(x, n, K, c1, c2, &a);
			int rb = t->tk_reduce_scan_block(x, n, K, c1, c2, &b);
			CU_ASSERT_EQUAL(ra, rb);
			if (ra != rb || !ra)
				continue;
			int ok = same(a.mn, b.mn) && same(a.mx, b.mx) && same(a.s1, b.s1) &&
			         same(a.s2, b.s2) && same(a.t1, b.t1) && same(a.t2, b.t2) &&
			         a.rest == b.rest;
			if (!ok)
				printf("\n  scan %s n %zu set %d: differs from scalar ", tk_simd_name(v), n,
				       set);
			CU_ASSERT(ok);
		}
	}
}

static void scan_matches_scalar(void) { each_variant(scan_one); }

static void scan_scalar_matches_reference(void)
{
	static double x[N_MAX];
	const tk_functable *ref = tk_simd_table(TK_SIMD_SCALAR);
	for (size_t s = 0; s < TK_ARRAY_SIZE(scan_sizes); s++) {
		size_t n = scan_sizes[s];
		for (int set = 0; set < D_NSETS; set++) {
			fill(x, n, set);
			double K = 0.375, c1, c2, s1, s2, t1, t2;
			int rest, e = exp_bound(x, n);
			tk_reduce_scan o;
			int finite = set != D_NAN && set != D_INF && set != D_HUGE;
			if (!finite || !tk_xsum_split_consts(e, &c1, &c2))
				tk_xsum_split_consts(0, &c1, &c2);
			int r = ref->tk_reduce_scan_block(x, n, K, c1, c2, &o);
			CU_ASSERT_EQUAL(r, finite); /* NaN, inf and overflow take the careful path */
			if (!r)
				continue;
			ref_dsums(x, n, K, &s1, &s2);
			CU_ASSERT(same(o.s1, s1) && same(o.s2, s2));
			double mn = INFINITY, mx = -INFINITY;
			for (size_t i = 0; i < n; i++) {
				mn = x[i] < mn ? x[i] : mn;
				mx = x[i] > mx ? x[i] : mx;
			}
			CU_ASSERT(o.mn == mn && o.mx == mx);
			CU_ASSERT(!signbit(o.mn) || o.mn != 0.0); /* a zero is +0.0 */
			if (e == exp_bound(x, n) && tk_xsum_split_consts(e, &c1, &c2)) {
				ref_split(x, n, c1, c2, &t1, &t2, &rest);
				CU_ASSERT(same(o.t1, t1) && same(o.t2, t2) && o.rest == rest);
			}
		}
	}
	/* the mixed magnitudes must leave bits below the second level (or the careful
	 * revisit of the block would be untested) */
	fill(x, 1024, D_MIXED);
	double c1, c2;
	tk_reduce_scan o;
	CU_ASSERT_FATAL(tk_xsum_split_consts(exp_bound(x, 1024), &c1, &c2));
	CU_ASSERT(ref->tk_reduce_scan_block(x, 1024, 0.0, c1, c2, &o) && o.rest);
}

/* ---- the shifted sums ----------------------------------------------------------- */

static const size_t any_sizes[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000, 1023,
                                   1024, 1025, 4095};

static void dsums_one(const tk_functable *ref, const tk_functable *t, int v)
{
	static double x[N_MAX];
	for (size_t s = 0; s < TK_ARRAY_SIZE(any_sizes); s++) {
		size_t n = any_sizes[s];
		for (int set = 0; set < D_NSETS; set++) {
			fill(x, n, set);
			double a1, a2, b1, b2;
			ref->tk_reduce_dsums(x, n, 0.5, &a1, &a2);
			t->tk_reduce_dsums(x, n, 0.5, &b1, &b2);
			/* NaN results: any NaN (the payload is not ours to fix) */
			int ok = (same(a1, b1) || (isnan(a1) && isnan(b1))) &&
			         (same(a2, b2) || (isnan(a2) && isnan(b2)));
			if (!ok)
				printf("\n  dsums %s n %zu set %d: differs from scalar ", tk_simd_name(v),
				       n, set);
			CU_ASSERT(ok);
		}
	}
}

static void dsums_matches_scalar(void) { each_variant(dsums_one); }

static void dsums_scalar_matches_reference(void)
{
	static double x[N_MAX];
	const tk_functable *ref = tk_simd_table(TK_SIMD_SCALAR);
	for (size_t s = 0; s < TK_ARRAY_SIZE(any_sizes); s++) {
		for (int set = 0; set < D_NSETS; set++) {
			size_t n = any_sizes[s];
			fill(x, n, set);
			double a1, a2, r1, r2;
			ref->tk_reduce_dsums(x, n, -0.75, &a1, &a2);
			ref_dsums(x, n, -0.75, &r1, &r2);
			CU_ASSERT((same(a1, r1) || (isnan(a1) && isnan(r1))) &&
			          (same(a2, r2) || (isnan(a2) && isnan(r2))));
		}
	}
}

/* ---- the histogram's codes -------------------------------------------------------- */

/* Values that probe the bin rule: the edges themselves and their neighbours, lo, hi,
 * outside values, NaN, +-inf, then random ones. */
static size_t bin_probe(double *x, size_t n, double lo, double hi, uint32_t bins)
{
	size_t k = 0;
	double step = (hi - lo) / bins;
	for (uint32_t i = 0; i <= bins && k + 3 < n; i++) {
		double e = i == bins ? hi : (double)i * step + lo;
		x[k++] = e;
		x[k++] = nextafter(e, -INFINITY);
		x[k++] = nextafter(e, INFINITY);
	}
	const double special[] = {NAN, INFINITY, -INFINITY, lo - 1, hi + 1, -0.0, 0.0, lo, hi};
	for (size_t i = 0; i < TK_ARRAY_SIZE(special) && k < n; i++)
		x[k++] = special[i];
	rng_state = 12345 + bins;
	while (k < n)
		x[k++] = lo + (hi - lo) * (unif() * 1.2 - 0.1);
	/* shuffle, so that special values land in every lane position */
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = next_u64() % (i + 1);
		double t = x[i];
		x[i] = x[j];
		x[j] = t;
	}
	return n;
}

static const struct {
	double lo, hi;
	uint32_t bins;
} ranges[] = {{0, 1, 256}, {0, 1, 1}, {-3, 7, 7}, {1e9, 1e9 + 1, 1000}, {-1e-3, 2e-3, 3},
              {0.1, 0.7, 10}, {-5, -2, 33}};

static void bins_one(const tk_functable *ref, const tk_functable *t, int v)
{
	static double x[N_MAX];
	static uint32_t ca[N_MAX], cb[N_MAX];
	for (size_t r = 0; r < TK_ARRAY_SIZE(ranges); r++) {
		for (size_t s = 0; s < TK_ARRAY_SIZE(any_sizes); s++) {
			size_t n = any_sizes[s];
			if (n == 0)
				continue;
			bin_probe(x, n, ranges[r].lo, ranges[r].hi, ranges[r].bins);
			ref->tk_reduce_bin_codes(x, n, ranges[r].lo, ranges[r].hi, ranges[r].bins, ca);
			memset(cb, 0xAB, sizeof cb);
			t->tk_reduce_bin_codes(x, n, ranges[r].lo, ranges[r].hi, ranges[r].bins, cb);
			int ok = memcmp(ca, cb, n * sizeof *ca) == 0 && cb[n] == 0xABABABABu;
			if (!ok)
				printf("\n  bin codes %s range %zu n %zu: differ from scalar (or wrote "
				       "past the end) ",
				       tk_simd_name(v), r, n);
			CU_ASSERT(ok);
		}
	}
}

static void bins_match_scalar(void) { each_variant(bins_one); }

/* The scalar codes against tk_reduce_bin (numpy's rule over tk_reduce_edges) and the
 * out-of-range code table. */
static void bins_scalar_match_numpy_rule(void)
{
	static double x[N_MAX], edges[1001];
	static uint32_t c[N_MAX];
	const tk_functable *ref = tk_simd_table(TK_SIMD_SCALAR);
	for (size_t r = 0; r < TK_ARRAY_SIZE(ranges); r++) {
		double lo = ranges[r].lo, hi = ranges[r].hi;
		uint32_t bins = ranges[r].bins;
		size_t n = bin_probe(x, 4000, lo, hi, bins);
		tk_reduce_edges(lo, hi, bins, edges);
		ref->tk_reduce_bin_codes(x, n, lo, hi, bins, c);
		int bad = 0;
		for (size_t i = 0; i < n; i++) {
			int64_t k = tk_reduce_bin(x[i], lo, hi, bins, edges);
			uint32_t want = k >= 0 ? (uint32_t)k
			                : isnan(x[i])          ? bins + 2
			                : x[i] == -INFINITY    ? bins + 3
			                : x[i] == INFINITY     ? bins + 4
			                : x[i] < lo            ? bins
			                                       : bins + 1;
			bad += c[i] != want;
		}
		CU_ASSERT_EQUAL(bad, 0);
	}
}

/* A range whose width is subnormal or beyond the double range gives no bin outside the
 * histogram (the counts are indexed by the codes). */
static void bins_degenerate_ranges_stay_inside(void)
{
	static double x[64];
	static uint32_t c[64];
	const double r[][2] = {{0, 1e-310}, {-1e308, 1.7e308}, {-DBL_MAX, DBL_MAX}};
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		const tk_functable *t = tk_simd_table(v);
		if (!t)
			continue;
		for (size_t k = 0; k < TK_ARRAY_SIZE(r); k++) {
			bin_probe(x, 64, r[k][0], r[k][1], 16);
			for (int i = 0; i < 8; i++)
				x[i] = r[k][i % 2];
			t->tk_reduce_bin_codes(x, 64, r[k][0], r[k][1], 16, c);
			int bad = 0;
			for (int i = 0; i < 64; i++)
				bad += c[i] >= 16 + 5;
			CU_ASSERT_EQUAL(bad, 0);
		}
	}
}

/* ---- the bandwidth probe's sum and the exact accumulator's split ------------------ */

static void membw_one(const tk_functable *ref, const tk_functable *t, int v)
{
	static double a[N_MAX + 8] __attribute__((aligned(64)));
	for (size_t i = 0; i < TK_ARRAY_SIZE(a); i++)
		a[i] = (double)(i & 1023);
	for (size_t off = 0; off < 8; off++) { /* every alignment */
		for (size_t s = 0; s < TK_ARRAY_SIZE(any_sizes); s++) {
			size_t n = any_sizes[s];
			double want = 0;
			for (size_t i = 0; i < n; i++)
				want += a[off + i];
			double x = ref->tk_membw_sum(a + off, n), y = t->tk_membw_sum(a + off, n);
			CU_ASSERT(x == want && same(x, y));
			if (!same(x, y))
				printf("\n  membw sum %s off %zu n %zu: %.17g != %.17g ", tk_simd_name(v),
				       off, n, y, x);
		}
	}
}

static void membw_matches_scalar(void) { each_variant(membw_one); }

static void split_check(const tk_functable *t, const double *x, size_t n, const double *y,
                        size_t ny, tk_xsum_split *o)
{
	double c1, c2;
	int e = exp_bound(x, n);
	CU_ASSERT_FATAL(tk_xsum_split_consts(e, &c1, &c2));
	t->tk_xsum_split_block(x, n, c1, c2, y, ny, o);
}

static void split_one(const tk_functable *ref, const tk_functable *t, int v)
{
	static double x[2048];
	const int sets[] = {D_UNIFORM, D_OFFSET, D_SIGNED, D_SUBNORMAL, D_MIXED, D_HUGE};
	const size_t sizes[][2] = {{1, 0},     {15, 15},   {16, 16},   {17, 5},    {100, 100},
	                           {1000, 17}, {1023, 1},  {1024, 1024}, {1024, 1000}, {31, 0}};
	for (size_t k = 0; k < TK_ARRAY_SIZE(sets); k++) {
		fill(x, 2048, sets[k]);
		if (sets[k] == D_SUBNORMAL) /* the split needs a largest value above 2^-989 */
			x[0] = 1e-290;
		for (size_t s = 0; s < TK_ARRAY_SIZE(sizes); s++) {
			size_t n = sizes[s][0], ny = sizes[s][1];
			const double *y = ny ? x + 1024 : NULL;
			tk_xsum_split a, b;
			split_check(ref, x, n, y, ny, &a);
			split_check(t, x, n, y, ny, &b);
			int ok = same(a.t1, b.t1) && same(a.t2, b.t2) && (a.rest != 0) == (b.rest != 0) &&
			         a.next_max == b.next_max;
			if (!ok)
				printf("\n  xsum split %s set %d n %zu ny %zu: differs from scalar ",
				       tk_simd_name(v), sets[k], n, ny);
			CU_ASSERT(ok);
			/* and the scalar one against the value-by-value reference */
			double t1, t2, c1, c2;
			int rest;
			tk_xsum_split_consts(exp_bound(x, n), &c1, &c2);
			ref_split(x, n, c1, c2, &t1, &t2, &rest);
			uint64_t m = 0;
			for (size_t i = 0; i < ny; i++) {
				uint64_t bits;
				double ab = fabs(y[i]);
				memcpy(&bits, &ab, sizeof bits);
				m = bits > m ? bits : m;
			}
			CU_ASSERT(same(a.t1, t1) && same(a.t2, t2) && (a.rest != 0) == rest &&
			          a.next_max == m);
		}
	}
}

static void split_matches_scalar(void) { each_variant(split_one); }

static const tk_test tests[] = {
	{"stats scan: every variant = scalar", scan_matches_scalar},
	{"stats scan: scalar = 16-lane reference", scan_scalar_matches_reference},
	{"shifted sums: every variant = scalar", dsums_matches_scalar},
	{"shifted sums: scalar = 16-lane reference", dsums_scalar_matches_reference},
	{"bin codes: every variant = scalar", bins_match_scalar},
	{"bin codes: scalar = numpy's rule", bins_scalar_match_numpy_rule},
	{"bin codes: degenerate ranges stay inside", bins_degenerate_ranges_stay_inside},
	{"bandwidth sum: every variant = scalar = exact", membw_matches_scalar},
	{"xsum split: every variant = scalar = reference", split_matches_scalar},
	{NULL, NULL},
};

const tk_suite tk_suite_reduce_simd = {"reduce_simd", tests};
