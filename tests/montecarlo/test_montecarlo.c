/* test_montecarlo.c: the Monte Carlo kernels against independent references: a plain
 * scalar pi counter over the (KAT-checked) reference Philox, the Black-Scholes
 * closed form's published values, the NPB EP generator stepped one by one and
 * NPB's published class S results; and every SIMD variant's kernels (pi, option, EP)
 * bit for bit against plain scalar definitions of the models. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/montecarlo.h"
#include "tk/rng.h"
#include "tk/tk.h"
#include "tk_test.h"
#include "simd/tkmath.h"

/* The field `name` of r; a missing field fails the test rather than skipping a check. */
static const tk_field *field(const tk_result *r, const char *name)
{
	for (int i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	CU_FAIL_FATAL("result field missing");
	return NULL;
}

/* Independent definition of the pi model (tk_test.h): sample i is the word pair
 * (2(i%2), 2(i%2)+1) of Philox block i/2 of the pi stream; a hit is x^2 + y^2 <= 1. */
uint64_t tk_test_pi_hits(uint64_t seed, uint64_t lo, uint64_t hi)
{
	uint64_t h = 0;
	for (uint64_t i = lo; i < hi; i++) {
		tk_philox_ctr c = tk_philox4x32_10(tk_philox_block(i / 2, TK_STREAM_PI),
		                                   tk_philox_seed(seed));
		double x = ((double)c.v[2 * (i % 2)] + 0.5) / 4294967296.0;
		double y = ((double)c.v[2 * (i % 2) + 1] + 0.5) / 4294967296.0;
		h += x * x + y * y <= 1.0;
	}
	return h;
}

static void pi_fast_path_matches_reference(void)
{
	const uint64_t ranges[][2] = {{0, 1},     {0, 31},    {1, 2},        {3, 100},
	                              {0, 4096},  {17, 4113}, {65536, 70001}, {999, 1000},
	                              {(uint64_t)1 << 33, ((uint64_t)1 << 33) + 777}};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		CU_ASSERT_EQUAL(tk_mc_pi_hits(12345, ranges[i][0], ranges[i][1]),
		                tk_test_pi_hits(12345, ranges[i][0], ranges[i][1]));
	/* 32-bit low counter word rolling over inside one vector of lanes */
	uint64_t b = 2 * (0xffffffffull - 5);
	CU_ASSERT_EQUAL(tk_mc_pi_hits(9, b, b + 64), tk_test_pi_hits(9, b, b + 64));
}

static void pi_ranges_add_up(void)
{
	/* any split of [0, n) gives the same total */
	uint64_t n = 300001, whole = tk_mc_pi_hits(7, 0, n);
	uint64_t cuts[] = {0, 1, 65536, 65537, 200000, n};
	uint64_t sum = 0;
	for (int i = 0; i < 5; i++)
		sum += tk_mc_pi_hits(7, cuts[i], cuts[i + 1]);
	CU_ASSERT_EQUAL(sum, whole);
}

static void pi_statistics(void)
{
	/* 2^22 samples: hits within 5 standard deviations of n pi/4 */
	uint64_t n = (uint64_t)1 << 22, h = tk_mc_pi_hits(42, 0, n);
	double q = M_PI / 4, sd = sqrt((double)n * q * (1 - q));
	CU_ASSERT(fabs((double)h - (double)n * q) < 5 * sd);
	/* different seeds give different streams */
	CU_ASSERT_NOT_EQUAL(tk_mc_pi_hits(1, 0, 4096), tk_mc_pi_hits(2, 0, 4096));
}

static void black_scholes_reference(void)
{
	/* published values for S=100, K=100, r=0.05, sigma=0.2, T=1 */
	CU_ASSERT_DOUBLE_EQUAL(tk_black_scholes(100, 100, 0.05, 0.2, 1, 0), 10.450583572185565,
	                       1e-12);
	CU_ASSERT_DOUBLE_EQUAL(tk_black_scholes(100, 100, 0.05, 0.2, 1, 1), 5.573526022256971,
	                       1e-12);
	/* put-call parity: C - P = S - K e^{-rT} */
	double c = tk_black_scholes(90, 110, 0.03, 0.35, 0.5, 0);
	double p = tk_black_scholes(90, 110, 0.03, 0.35, 0.5, 1);
	CU_ASSERT_DOUBLE_EQUAL(c - p, 90 - 110 * exp(-0.015), 1e-10);
}

static void option_statistics(void)
{
	tk_mc_params p;
	tk_mc_params_default(&p);
	p.samples = 200000;
	tk_run_ctx ctx = {0};
	for (int put = 0; put < 2; put++) {
		p.put = put;
		tk_result r;
		tk_result_init(&r, "montecarlo", "option");
		CU_ASSERT_EQUAL_FATAL(tk_mc_option(&p, &ctx, &r), 0);
		CU_ASSERT_EQUAL(r.verified, 1);
		double price = field(&r, "price")->f, se = field(&r, "std_error")->f;
		double ref = put ? 5.573526022256971 : 10.450583572185565;
		CU_ASSERT(se > 0 && se < 0.1);
		CU_ASSERT(fabs(price - ref) < 5 * se);
		tk_result_free(&r);
	}
}

static void ep_generator_jump(void)
{
	/* jumping n steps equals stepping x <- 5^13 x mod 2^46 n times */
	uint64_t x = TK_EP_SEED;
	for (int n = 1; n <= 1000; n++) {
		x = (x * 1220703125ull) % (1ull << 46);
		if (n % 97 == 0 || n == 1 || n == 1000)
			CU_ASSERT_EQUAL(tk_ep_jump(TK_EP_SEED, (uint64_t)n), x);
	}
	/* NPB's first uniform from the seed: randlc(271828183, 5^13) = 0.2287910496...
	 * (5^13 * 271828183 mod 2^46) / 2^46, computed by hand with 128-bit arithmetic */
	unsigned __int128 prod = (unsigned __int128)1220703125ull * 271828183ull;
	uint64_t first = (uint64_t)(prod % ((unsigned __int128)1 << 46));
	CU_ASSERT_EQUAL(tk_ep_jump(TK_EP_SEED, 1), first);
}

static void ep_class_s(void)
{
	/* NPB EP class S, run through the kernel: published sums and counts */
	tk_mc_params p;
	tk_mc_params_default(&p);
	p.ep_class = 'S';
	tk_run_ctx ctx = {0};
	tk_result r;
	tk_result_init(&r, "montecarlo", "ep");
	CU_ASSERT_EQUAL_FATAL(tk_mc_ep(&p, &ctx, &r), 0);
	CU_ASSERT_EQUAL(r.verified, 1);
	const uint64_t counts[10] = {6140517, 5865300, 1100361, 68546, 1648, 17, 0, 0, 0, 0};
	CU_ASSERT(fabs(field(&r, "sx")->f / -3.247834652034740e3 - 1) <= 1e-8);
	CU_ASSERT(fabs(field(&r, "sy")->f / -6.958407078382297e3 - 1) <= 1e-8);
	CU_ASSERT(fabs(field(&r, "sx_abs")->f / 1.051299420395306e7 - 1) <= 1e-8);
	CU_ASSERT(fabs(field(&r, "sy_abs")->f / 1.051517131857535e7 - 1) <= 1e-8);
	CU_ASSERT_EQUAL(field(&r, "pairs")->u, 13176389ull);
	const tk_field *q = field(&r, "counts");
	CU_ASSERT_EQUAL_FATAL(q->n, 10);
	CU_ASSERT(memcmp(q->arr, counts, sizeof counts) == 0);
	/* the result owns its array; another run does not touch it */
	tk_result r2;
	tk_result_init(&r2, "montecarlo", "ep");
	CU_ASSERT_EQUAL_FATAL(tk_mc_ep(&p, &ctx, &r2), 0);
	CU_ASSERT_PTR_NOT_EQUAL(field(&r2, "counts")->arr, q->arr);
	tk_result_free(&r2);
	CU_ASSERT(memcmp(q->arr, counts, sizeof counts) == 0);
	tk_result_free(&r);
	CU_ASSERT_PTR_NULL(q->arr);
	CU_ASSERT_EQUAL(q->n, 0);
}

static void ep_unknown_class(void)
{
	tk_mc_params p;
	tk_mc_params_default(&p);
	p.ep_class = 'Q';
	tk_run_ctx ctx = {0};
	tk_result r;
	tk_result_init(&r, "montecarlo", "ep");
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_mc_ep(&p, &ctx, &r), TK_EUSAGE);
	tk_error_clear();
	CU_ASSERT_PTR_NULL(tk_ep_reference('D'));
}

/* The limits are checked once, where the options are parsed, as exact integers:
 * 2^62 + 1 is refused although a double holding it would round to 2^62. */
static void samples_limits(void)
{
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --samples 0"), TK_EUSAGE);
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --samples 4611686018427387905"), TK_EUSAGE);
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --samples 2^62"), 0);
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --samples 1"), 0);
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --model option --samples 1"), TK_EUSAGE);
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --model option --samples 2"), 0);
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --model option --maturity 0"), TK_EUSAGE);
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --model ep --samples 5"), TK_EUSAGE);
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void pi_every_variant(void)
{
	/* Philox block ranges [first, first + n), n a multiple of 16: small ones, odd
	 * starts, and groups whose low counter word wraps past 2^32 */
	const uint64_t r[][2] = {{0, 0},
	                         {0, 16},
	                         {1, 16},
	                         {123, 48},
	                         {0xffffffffull - 7, 16},
	                         {0xffffffffull - 39, 80},
	                         {((uint64_t)5 << 32) - 3, 32},
	                         {((uint64_t)1 << 40) + 17, 256}};
	tk_philox_key key = tk_philox_seed(4242);
	int checked = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		const tk_functable *t = tk_simd_table(v);
		if (!t) {
			printf("\n  (variant %s skipped: this CPU or build lacks it) ", tk_simd_name(v));
			continue;
		}
		for (size_t i = 0; i < TK_ARRAY_SIZE(r); i++) {
			uint64_t f = r[i][0], n = r[i][1];
			/* count by count, 16 blocks at a time, then the whole range at once */
			for (uint64_t g = 0; g < n; g += 16)
				CU_ASSERT_EQUAL(t->tk_mc_pi_hits_lanes(key, f + g, 16),
				                tk_test_pi_hits(4242, 2 * (f + g), 2 * (f + g + 16)));
			CU_ASSERT_EQUAL(t->tk_mc_pi_hits_lanes(key, f, n),
			                tk_test_pi_hits(4242, 2 * f, 2 * (f + n)));
		}
		checked++;
	}
	CU_ASSERT(checked >= 2);
}

/* The option model's definition (tk/montecarlo.h), one sample at a time: payoffs
 * added per logical lane j mod 16 in sample order, then a pairwise tree. */
static void ref_option(const tk_mc_option_terms *t, uint64_t lo, uint64_t hi, double s[2])
{
	double a[16] = {0}, b[16] = {0};
	for (uint64_t i = lo; i < hi; i++) {
		uint64_t j = i / 2;
		tk_philox_ctr c = tk_philox4x32_10(tk_philox_block(j, TK_STREAM_OPTION),
		                                   tk_philox_seed(t->seed));
		double u1 = tk_u01_52(c.v[0], c.v[1]), u2 = tk_u01_52(c.v[2], c.v[3]), sn, cs;
		double rho = sqrt(-2.0 * tk_log(u1));
		tk_sincos_2pi(u2, &sn, &cs);
		double z = i % 2 ? rho * sn : rho * cs;
		double st = t->spot * tk_exp(t->drift + t->vol * z);
		double pay = t->sign * (st - t->strike);
		pay = pay > 0 ? pay : 0;
		a[j % 16] += pay;
		b[j % 16] += pay * pay;
	}
	for (int w = 1; w < 16; w *= 2)
		for (int l = 0; l < 16; l += 2 * w) {
			a[l] += a[l + w];
			b[l] += b[l + w];
		}
	s[0] = a[0];
	s[1] = b[0];
}

static void option_every_variant(void)
{
	/* [lo, hi) with lo a multiple of 32: tiny, remainders of every vector width, a
	 * whole block, and samples 2^33 - 64 .. (Philox blocks crossing 2^32) */
	const uint64_t r[][2] = {{0, 1},        {0, 2},         {0, 3},     {0, 31},
	                         {0, 32},       {0, 33},        {64, 1001}, {0, 65536},
	                         {65536 * 7, 65536 * 7 + 4099}, {((uint64_t)1 << 33) - 64,
	                                                          ((uint64_t)1 << 33) + 100}};
	const tk_mc_option_terms terms[] = {
		{42, 100, 100, 0.03, 0.2, 1.0},  /* call */
		{3, 100, 110, -0.02, 0.3, -1.0}, /* put */
		{9, 100, 1e4, 0.0, 0.1, 1.0},    /* far out of the money: every payoff 0 */
	};
	int checked = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		const tk_functable *t = tk_simd_table(v);
		if (!t)
			continue;
		for (size_t k = 0; k < TK_ARRAY_SIZE(terms); k++)
			for (size_t i = 0; i < TK_ARRAY_SIZE(r); i++) {
				double got[2], want[2];
				t->tk_mc_option_lanes(&terms[k], r[i][0], r[i][1], got);
				ref_option(&terms[k], r[i][0], r[i][1], want);
				CU_ASSERT(same_bits(got[0], want[0]) && same_bits(got[1], want[1]));
			}
		checked++;
	}
	CU_ASSERT(checked >= 2);
}

/* NPB EP's batch k by its definition: x <- 5^13 x mod 2^46 one step at a time,
 * pairs (2 u - 1, 2 u' - 1) accepted when t = x1^2 + x2^2 <= 1, the toolkit's log. */
static void ref_ep_batch(uint64_t k, double s[4], uint64_t q[10])
{
	uint64_t x = tk_ep_jump(TK_EP_SEED, 2 * 65536 * k);
	double sx = 0, sy = 0, ax = 0, ay = 0;
	for (int i = 0; i < 65536; i++) {
		x = (x * TK_EP_A) % (1ull << 46);
		double x1 = 2.0 * ((double)x / 70368744177664.0) - 1.0;
		x = (x * TK_EP_A) % (1ull << 46);
		double x2 = 2.0 * ((double)x / 70368744177664.0) - 1.0;
		double t1 = x1 * x1 + x2 * x2;
		if (t1 > 1.0)
			continue;
		double t2 = sqrt(-2.0 * tk_log(t1) / t1), t3 = x1 * t2, t4 = x2 * t2;
		int l = (int)fmax(fabs(t3), fabs(t4));
		q[l < 10 ? l : 9]++;
		sx += t3;
		sy += t4;
		ax += fabs(t3);
		ay += fabs(t4);
	}
	s[0] = sx;
	s[1] = sy;
	s[2] = ax;
	s[3] = ay;
}

static void ep_every_variant(void)
{
	/* (k0, n): one batch, remainders of every group width, a group and a half */
	const uint64_t r[][2] = {{0, 1}, {3, 5}, {8, 24}, {255, 1}, {1000, 3}};
	static double want[1024][4], got[4 * 64];
	static uint64_t wq[1024][10];
	static char have[1024];
	int checked = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		const tk_functable *t = tk_simd_table(v);
		if (!t)
			continue;
		for (size_t i = 0; i < TK_ARRAY_SIZE(r); i++) {
			uint64_t k0 = r[i][0], n = r[i][1], q[10] = {0}, qw[10] = {0};
			int bad = 0;
			t->tk_ep_lanes(k0, n, got, q);
			for (uint64_t k = k0; k < k0 + n; k++) {
				if (!have[k]) {
					ref_ep_batch(k, want[k], wq[k]);
					have[k] = 1;
				}
				for (int j = 0; j < 4; j++)
					bad += !same_bits(got[4 * (k - k0) + (uint64_t)j], want[k][j]);
				for (int b = 0; b < 10; b++)
					qw[b] += wq[k][b];
			}
			CU_ASSERT_EQUAL(bad, 0);
			CU_ASSERT(memcmp(q, qw, sizeof q) == 0);
		}
		checked++;
	}
	CU_ASSERT(checked >= 2);
}

static const tk_test tests[] = {
	{"pi fast path equals reference", pi_fast_path_matches_reference},
	{"pi ranges add up", pi_ranges_add_up},
	{"pi statistics", pi_statistics},
	{"pi: every variant equals the reference", pi_every_variant},
	{"option: every variant equals the definition", option_every_variant},
	{"EP: every variant equals the definition", ep_every_variant},
	{"Black-Scholes reference values", black_scholes_reference},
	{"option price within 5 SE", option_statistics},
	{"EP generator jump-ahead", ep_generator_jump},
	{"EP class S published values", ep_class_s},
	{"EP unknown class", ep_unknown_class},
	{"sample count limits", samples_limits},
	{NULL, NULL},
};
const tk_suite tk_suite_montecarlo = {"montecarlo", tests};
