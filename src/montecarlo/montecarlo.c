/*
 * montecarlo.c: pi and European option pricing by Monte Carlo.
 *
 * Rule (montecarlo.h): blocks of TK_MC_BLOCK samples fixed in the global index space,
 * each rank a contiguous run of blocks, threads sharing a rank's blocks; integer counts
 * are summed exactly, floating block sums go into an exact accumulator, so the result
 * is independent of ranks x threads.  The inner loops are the SIMD kernels of
 * montecarlo_simd.c (every variant the same bits); every digested number uses the
 * toolkit's own exp/log/sincos (tkmath.h), never libm's, whose last bits depend on the
 * CPU.  Only the Black-Scholes reference (not in the digest) uses libm.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simd/dispatch.h"
#include "montecarlo/mc_run.h"
#include "simd/tkmath.h"
#include "tk/comm.h"
#include "tk/montecarlo.h"
#include "tk/omp.h"
#include "tk/rng.h"
#include "tk/timer.h"
#include "tk/tk.h"
#include "tk/xsum.h"

#define LANES 16

void tk_mc_params_default(tk_mc_params *p)
{
	memset(p, 0, sizeof *p);
	p->samples = (uint64_t)1 << 26;
	p->seed = 42;
	p->spot = 100.0;
	p->strike = 100.0;
	p->rate = 0.05;
	p->sigma = 0.2;
	p->maturity = 1.0;
	p->ep_class = 'S';
	p->checkpoint_every = 60;
}

/* One sample is a point (x, y), x and y from one pair of Philox words. */
static inline int pi_hit(uint32_t wx, uint32_t wy)
{
	double x = tk_u01_32(wx), y = tk_u01_32(wy);
	return x * x + y * y <= 1.0;
}


uint64_t tk_mc_pi_hits(uint64_t seed, uint64_t lo, uint64_t hi)
{
	tk_philox_key key = tk_philox_seed(seed);
	uint64_t hits = 0;
	while (lo < hi && ((lo & 1) || (hi - lo) < 2 * LANES)) {
		/* odd start or short range: one sample at a time, from the reference Philox */
		tk_philox_ctr c = tk_philox4x32_10(tk_philox_block(lo >> 1, TK_STREAM_PI), key);
		hits += (uint64_t)((lo & 1) ? pi_hit(c.v[2], c.v[3]) : pi_hit(c.v[0], c.v[1]));
		lo++;
	}
	uint64_t nblocks = (hi - lo) / 2 / LANES * LANES;
	hits += tk_fn.tk_mc_pi_hits_lanes(key, lo >> 1, nblocks);
	for (lo += 2 * nblocks; lo < hi; lo++) {
		tk_philox_ctr c = tk_philox4x32_10(tk_philox_block(lo >> 1, TK_STREAM_PI), key);
		hits += (uint64_t)((lo & 1) ? pi_hit(c.v[2], c.v[3]) : pi_hit(c.v[0], c.v[1]));
	}
	return hits;
}

/* Work unit i of a run is block first / TK_MC_BLOCK + i of the index space, cut to the
 * run's samples [first, first + samples): its samples are [*lo, *hi). */
static void unit_range(const tk_mc_params *p, uint64_t i, uint64_t *lo, uint64_t *hi)
{
	uint64_t b = p->first_sample / TK_MC_BLOCK + i, end = p->first_sample + p->samples;
	uint64_t l = b * TK_MC_BLOCK;
	*lo = l > p->first_sample ? l : p->first_sample;
	*hi = end - l > TK_MC_BLOCK ? l + TK_MC_BLOCK : end;
}

/* Blocks that meet the run's samples. */
static uint64_t unit_count(const tk_mc_params *p)
{
	uint64_t end = p->first_sample + p->samples;
	return (end - 1) / TK_MC_BLOCK - p->first_sample / TK_MC_BLOCK + 1;
}

static void pi_local(const void *arg, uint64_t b0, uint64_t b1, uint64_t *u, tk_xsum *x)
{
	(void)x;
	const tk_mc_params *p = arg;
	uint64_t hits = 0;
#pragma omp parallel for schedule(dynamic, 4) reduction(+ : hits)
	for (uint64_t b = b0; b < b1; b++) {
		uint64_t lo, hi;
		unit_range(p, b, &lo, &hi);
		hits += tk_mc_pi_hits(p->seed, lo, hi);
		tk_progress_add(1);
	}
	u[0] += hits;
}

/* The checkpoint identity shared by pi and option: model, seed, samples, block, first
 * sample. */
static void mc_ident(tk_ckpt *c, const char *model, const tk_mc_params *p)
{
	memset(c, 0, sizeof *c);
	snprintf(c->model, sizeof c->model, "%s", model);
	c->total = unit_count(p);
	c->param_names[c->nparams] = "--seed";
	c->params[c->nparams++] = p->seed;
	c->param_names[c->nparams] = "--samples";
	c->params[c->nparams++] = p->samples;
	c->param_names[c->nparams] = "block size";
	c->params[c->nparams++] = TK_MC_BLOCK;
	c->param_names[c->nparams] = "--first-sample";
	c->params[c->nparams++] = p->first_sample;
}

/* The chunk object of r (tk/montecarlo.h): the range, the seed, then the model's own
 * parameters (added by the caller), and last the final state's checkpoint words. */
static void chunk_begin(tk_result *r, const tk_mc_params *p)
{
	tk_result_chunk_u64(r, "first_sample", p->first_sample);
	tk_result_chunk_u64(r, "samples", p->samples);
	tk_result_chunk_u64(r, "seed", p->seed);
}

/* The final state's checkpoint bytes as little-endian words, owned by the result. */
static int chunk_state(tk_result *r, const tk_ckpt *st)
{
	unsigned char *buf;
	size_t len;
	TK_CHECK(tk_ckpt_encode(st, &buf, &len));
	size_t n = len / 8;
	uint64_t *w = tk_alloc(n, sizeof *w);
	if (!w) {
		tk_free(buf);
		return TK_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		w[i] = 0;
		for (int k = 0; k < 8; k++)
			w[i] |= (uint64_t)buf[8 * i + (size_t)k] << (8 * k);
	}
	tk_free(buf);
	tk_result_chunk_u64s_own(r, "state", w, n);
	return 0;
}

static uint64_t f64_bits(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof b);
	return b;
}

static int pi_result(const tk_mc_params *p, const tk_ckpt *st, tk_result *r);

static void pi_ident(tk_ckpt *st, const tk_mc_params *p)
{
	mc_ident(st, "pi", p);
	st->nu = 1;
}

int tk_mc_pi(const tk_mc_params *p, const tk_run_ctx *ctx, tk_result *r)
{
	tk_ckpt st;
	pi_ident(&st, p);
	const tk_mc_job job = {"montecarlo pi", 64, pi_local, p};
	double secs;
	TK_CHECK(tk_mc_run(p, ctx, &job, &st, &secs));
	tk_result_time(r, secs);
	return pi_result(p, &st, r);
}

static int pi_result(const tk_mc_params *p, const tk_ckpt *st, tk_result *r)
{
	uint64_t n = p->samples, hits = st->u[0];
	const double q = M_PI / 4;
	double nd = (double)n, est = 4.0 * (double)hits / nd;
	double se = 4.0 * sqrt(q * (1 - q) / nd);
	double z2 = ((double)hits - nd * q) * ((double)hits - nd * q) / (nd * q * (1 - q));
	r->size = n;
	r->size_unit = "samples";
	if (p->first_sample != 0)
		tk_result_u64(r, "first_sample", p->first_sample);
	tk_result_u64(r, "hits", hits);
	tk_result_f64(r, "estimate", est);
	tk_result_f64(r, "std_error", se);
	tk_result_ref_f64(r, "reference", M_PI);
	tk_result_verify(r, z2 < 25.0,
	                 "|estimate - pi| = %.3g = %.2f standard errors (pass: < 5)",
	                 fabs(est - M_PI), sqrt(z2));
	r->work = nd;
	r->rate_unit = "samples/s";
	chunk_begin(r, p);
	return chunk_state(r, st);
}

/* ---- European option under geometric Brownian motion ------------------------ */

static double norm_cdf(double x) { return 0.5 * erfc(-x / M_SQRT2); }

double tk_black_scholes(double spot, double strike, double rate, double sigma,
                        double maturity, int put)
{
	double sq = sigma * sqrt(maturity);
	double d1 = (log(spot / strike) + (rate + 0.5 * sigma * sigma) * maturity) / sq;
	double d2 = d1 - sq;
	double disc = strike * exp(-rate * maturity);
	if (put)
		return disc * norm_cdf(-d2) - spot * norm_cdf(-d1);
	return spot * norm_cdf(d1) - disc * norm_cdf(d2);
}

void tk_mc_option_sums(const tk_mc_option_terms *t, uint64_t lo, uint64_t hi, double s[2])
{
	tk_fn.tk_mc_option_lanes(t, lo, hi, s);
}

static void option_local(const void *arg, uint64_t b0, uint64_t b1, uint64_t *u,
                         tk_xsum *acc)
{
	(void)u;
	const tk_mc_params *p = arg;
	tk_mc_option_terms t = {
		.seed = p->seed,
		.spot = p->spot,
		.strike = p->strike,
		.drift = (p->rate - 0.5 * p->sigma * p->sigma) * p->maturity,
		.vol = p->sigma * sqrt(p->maturity),
		.sign = p->put ? -1.0 : 1.0,
	};
#pragma omp parallel
	{
		tk_xsum mine[2];
		tk_xsum_init(&mine[0]);
		tk_xsum_init(&mine[1]);
#pragma omp for schedule(dynamic, 1)
		for (uint64_t b = b0; b < b1; b++) {
			uint64_t lo, hi;
			unit_range(p, b, &lo, &hi);
			double s[2];
			tk_mc_option_sums(&t, lo, hi, s);
			tk_xsum_add(&mine[0], s[0]);
			tk_xsum_add(&mine[1], s[1]);
			tk_progress_add(1);
		}
#pragma omp critical(tk_mc_option)
		{
			tk_xsum_merge(&acc[0], &mine[0]);
			tk_xsum_merge(&acc[1], &mine[1]);
		}
	}
}

static const char *const option_names[] = {"--spot", "--strike", "--rate", "--sigma",
                                           "--maturity"};

static void option_ident(tk_ckpt *st, const tk_mc_params *p)
{
	mc_ident(st, "option", p);
	const double v[] = {p->spot, p->strike, p->rate, p->sigma, p->maturity};
	for (int i = 0; i < 5; i++) {
		st->param_names[st->nparams] = option_names[i];
		st->params[st->nparams++] = f64_bits(v[i]);
	}
	st->param_names[st->nparams] = "--put";
	st->params[st->nparams++] = (uint64_t)(p->put != 0);
	st->nx = 2;
}

static int option_result(const tk_mc_params *p, const tk_ckpt *st, tk_result *r);

int tk_mc_option(const tk_mc_params *p, const tk_run_ctx *ctx, tk_result *r)
{
	tk_ckpt st;
	option_ident(&st, p);
	const tk_mc_job job = {"montecarlo option", 16, option_local, p};
	double secs;
	TK_CHECK(tk_mc_run(p, ctx, &job, &st, &secs));
	tk_result_time(r, secs);
	return option_result(p, &st, r);
}

static int option_result(const tk_mc_params *p, const tk_ckpt *st, tk_result *r)
{
	const tk_xsum *acc = st->x;
	uint64_t n = p->samples;
	double sum = tk_xsum_round(&acc[0]), sum2 = tk_xsum_round(&acc[1]);
	double nd = (double)n, mean = sum / nd;
	double var = (sum2 - sum * mean) / (nd - 1);
	double disc = tk_exp(-p->rate * p->maturity);
	double price = disc * mean, se = disc * sqrt(var > 0 ? var / nd : 0);
	double bs = tk_black_scholes(p->spot, p->strike, p->rate, p->sigma, p->maturity,
	                             p->put);
	r->size = n;
	r->size_unit = "samples";
	if (p->first_sample != 0)
		tk_result_u64(r, "first_sample", p->first_sample);
	tk_result_str(r, "option", p->put ? "put" : "call");
	tk_result_f64(r, "payoff_sum", sum);
	tk_result_f64(r, "payoff_sq_sum", sum2);
	tk_result_f64(r, "price", price);
	tk_result_f64(r, "std_error", se);
	tk_result_ref_f64(r, "black_scholes", bs);
	/* With every payoff equal (e.g. all zero, far out of the money) the standard error
	 * is 0 and the estimate can only be checked to rounding: allow 1e-12 of the scale. */
	double floor = 1e-12 * (p->spot > p->strike ? p->spot : p->strike);
	double dev = se > 0 ? fabs(price - bs) / se : (fabs(price - bs) <= floor ? 0 : INFINITY);
	if (se > 0)
		tk_result_verify(r, dev < 5.0,
		                 "|price - Black-Scholes| = %.3g = %.2f standard errors (pass: < 5)",
		                 fabs(price - bs), dev);
	else
		tk_result_verify(r, dev < 5.0,
		                 "every payoff equal (standard error 0): |price - Black-Scholes| "
		                 "= %.3g (pass: <= %.3g)",
		                 fabs(price - bs), floor);
	r->work = nd;
	r->rate_unit = "samples/s";
	chunk_begin(r, p);
	const double v[] = {p->spot, p->strike, p->rate, p->sigma, p->maturity};
	for (int i = 0; i < 5; i++)
		tk_result_chunk_f64(r, option_names[i] + 2, v[i]);
	tk_result_chunk_u64(r, "put", (uint64_t)(p->put != 0));
	return chunk_state(r, st);
}

/* ---- chunks ------------------------------------------------------------------ */

int tk_mc_chunk_ident(const char *model, const tk_mc_params *p, tk_ckpt *c)
{
	if (strcmp(model, "pi") == 0) {
		pi_ident(c, p);
		return 0;
	}
	if (strcmp(model, "option") == 0) {
		option_ident(c, p);
		return 0;
	}
	return tk_error_set(TK_EUSAGE, "montecarlo --model %s has no chunks to merge (pi and "
	                               "option do)", model);
}

int tk_mc_chunk_result(const char *model, const tk_mc_params *p, const tk_ckpt *st,
                       tk_result *r)
{
	if (strcmp(model, "pi") == 0)
		return pi_result(p, st, r);
	if (strcmp(model, "option") == 0)
		return option_result(p, st, r);
	return tk_error_set(TK_EUSAGE, "montecarlo --model %s has no chunks to merge", model);
}
