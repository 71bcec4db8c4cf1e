/* test_montecarlo.c: the Monte Carlo kernels against independent references: a plain
 * scalar pi counter over the (KAT-checked) reference Philox, the Black-Scholes
 * closed form's published values, the NPB EP generator stepped one by one and
 * NPB's published class S results. */
#include <math.h>
#include <string.h>

#include "tk/montecarlo.h"
#include "tk/rng.h"
#include "tk/tk.h"
#include "tk_test.h"

/* The field `name` of r; a missing field fails the test rather than skipping a check. */
static const tk_field *field(const tk_result *r, const char *name)
{
	for (int i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	CU_FAIL_FATAL("result field missing");
	return NULL;
}

/* Independent definition of the pi model: sample i is the word pair (2(i%2), 2(i%2)+1)
 * of Philox block i/2 of the pi stream; a hit is x^2 + y^2 <= 1. */
static uint64_t ref_hits(uint64_t seed, uint64_t lo, uint64_t hi)
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
		                ref_hits(12345, ranges[i][0], ranges[i][1]));
	/* 32-bit low counter word rolling over inside one vector of lanes */
	uint64_t b = 2 * (0xffffffffull - 5);
	CU_ASSERT_EQUAL(tk_mc_pi_hits(9, b, b + 64), ref_hits(9, b, b + 64));
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

static void samples_limits(void)
{
	tk_mc_params p;
	tk_mc_params_default(&p);
	tk_run_ctx ctx = {0};
	tk_result r;
	tk_result_init(&r, "montecarlo", "pi");
	p.samples = 0;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_mc_pi(&p, &ctx, &r), TK_EUSAGE);
	p.samples = TK_MC_MAX_SAMPLES + 1;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_mc_pi(&p, &ctx, &r), TK_EUSAGE);
	tk_error_clear();
}

static const tk_test tests[] = {
	{"pi fast path equals reference", pi_fast_path_matches_reference},
	{"pi ranges add up", pi_ranges_add_up},
	{"pi statistics", pi_statistics},
	{"Black-Scholes reference values", black_scholes_reference},
	{"option price within 5 SE", option_statistics},
	{"EP generator jump-ahead", ep_generator_jump},
	{"EP class S published values", ep_class_s},
	{"EP unknown class", ep_unknown_class},
	{"sample count limits", samples_limits},
	{NULL, NULL},
};
const tk_suite tk_suite_montecarlo = {"montecarlo", tests};
