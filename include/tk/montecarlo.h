/*
 * montecarlo.h: the Monte Carlo kernel family: pi, European option pricing, NPB EP.
 *
 * Rule: the global index space (samples, or EP batches) is cut into fixed blocks of
 * TK_MC_BLOCK samples; rank r owns a contiguous range of blocks, its threads share
 * them.  A block's partial sums are formed in one fixed order, and block partials are
 * combined exactly (integer counts, and tk_xsum for floating sums), so every number is
 * the same for any ranks x threads.
 */
#ifndef TK_MONTECARLO_H
#define TK_MONTECARLO_H

#include <stdint.h>

#include "tk/checkpoint.h"
#include "tk/report.h"

#define TK_MC_BLOCK 65536u
/* Largest sample count: counters are 64-bit, pi uses one Philox block per two samples;
 * we stop at 2^62 so that every intermediate count stays far from wrapping. */
#define TK_MC_MAX_SAMPLES ((uint64_t)1 << 62)
/* The global sample index space of pi and option: a run (--first-sample K --samples N)
 * draws samples [K, K + N), K + N <= 2^63, each sample from its own Philox counter, so
 * chunks of one index space are the samples of the one long run (toolkit merge).
 * Blocks stay fixed in that space: block b is [b TK_MC_BLOCK, (b + 1) TK_MC_BLOCK),
 * cut to [K, K + N); option's block sums are floating, so its K must be a multiple of
 * TK_MC_BLOCK (then every chunk's blocks are the long run's). */
#define TK_MC_MAX_INDEX ((uint64_t)1 << 63)

typedef struct tk_mc_params {
	uint64_t samples;
	uint64_t first_sample; /* pi, option: the global index of the first sample */
	uint64_t seed;
	double spot, strike, rate, sigma, maturity;
	int put;
	char ep_class; /* 'S', 'W', 'A', 'B', 'C' */
	/* checkpoint/resume (docs/reliability.md): NULL for none */
	const char *checkpoint, *resume;
	double checkpoint_every; /* seconds between checkpoints */
} tk_mc_params;

void tk_mc_params_default(tk_mc_params *p);

/* The kernels: fill r (fields, verification, time), collective over ranks.
 * p is within the limits that `toolkit montecarlo` checks once, as it parses them:
 * samples 1 to TK_MC_MAX_SAMPLES (option: at least 2), spot, strike, sigma and
 * maturity > 0, ep_class one of S W A B C; the kernels do not check them again.
 * Return 0, or a negative TK_E* status (a checkpoint or memory failure; never a
 * verification failure, which is reported in r->verified). */
int tk_mc_pi(const tk_mc_params *p, const tk_run_ctx *ctx, tk_result *r);
int tk_mc_option(const tk_mc_params *p, const tk_run_ctx *ctx, tk_result *r);
int tk_mc_ep(const tk_mc_params *p, const tk_run_ctx *ctx, tk_result *r);

/* Chunked runs (toolkit merge; docs/montecarlo.md).  A pi or option run's JSON record
 * carries a "chunk" object: first_sample, samples, seed and the model's parameters, and
 * "state", the words of the run's final checkpoint (tk/checkpoint.h: little-endian
 * 64-bit words), whose exact counts and accumulators add up across chunks bit for bit.
 *
 * tk_mc_chunk_ident: the checkpoint identity of model's run with p (model, every
 * parameter, work units, counts): 0, or TK_EUSAGE when model has no chunks (ep).
 * tk_mc_chunk_result: fill r (fields, verification, chunk object) as the run of p whose
 * final state is st would, so the digest is that run's.  Local: no communication. */
int tk_mc_chunk_ident(const char *model, const tk_mc_params *p, tk_ckpt *c);
int tk_mc_chunk_result(const char *model, const tk_mc_params *p, const tk_ckpt *st,
                       tk_result *r);

/* The option model per sample, as the kernel sees it: Philox block j of stream
 * TK_STREAM_OPTION (key = the seed) gives u1 = tk_u01_52(w0, w1), u2 = tk_u01_52(w2,
 * w3) and the Box-Muller pair rho (cos, sin)(2 pi u2), rho = sqrt(-2 log u1); sample
 * 2j takes the cos normal z, sample 2j+1 the sin one; S = spot exp(drift + vol z) and
 * the payoff is max(sign (S - strike), 0) with sign = +1 (call) or -1 (put).  exp,
 * log, sincos are the toolkit's own (src/simd/tkmath.h). */
typedef struct tk_mc_option_terms {
	uint64_t seed;
	double spot, strike, drift, vol, sign;
} tk_mc_option_terms;
/* s[0] = sum of payoffs, s[1] = sum of their squares over samples [lo, hi), lo a
 * multiple of 32: logical lane l (0..15) adds the samples of blocks j = l mod 16 in
 * order (cos one, then sin one), then the 16 lanes meet in a fixed pairwise tree. */
void tk_mc_option_sums(const tk_mc_option_terms *t, uint64_t lo, uint64_t hi, double s[2]);

/* Hits inside the unit quarter circle among samples [lo, hi) of seed's pi stream. */
uint64_t tk_mc_pi_hits(uint64_t seed, uint64_t lo, uint64_t hi);
/* Black-Scholes price of a European call (put = 0) or put. */
double tk_black_scholes(double spot, double strike, double rate, double sigma,
                        double maturity, int put);

/* NPB EP. */
typedef struct tk_ep_ref {
	char cls;
	int m;                 /* 2^(m+1) uniforms, 2^m pairs */
	double sx, sy;         /* NPB 3.0-3.3: signed sums */
	double ax, ay;         /* NPB 3.4: sums of absolute values */
	uint64_t gc;           /* accepted pairs */
} tk_ep_ref;
const tk_ep_ref *tk_ep_reference(char cls);
/* The NPB generator: x <- a x mod 2^46, a = 5^13; x * 2^-46 is the uniform. */
#define TK_EP_A 1220703125ull
#define TK_EP_SEED 271828183ull
/* a^n mod 2^46 times x, i.e. the generator jumped n steps ahead from x. */
uint64_t tk_ep_jump(uint64_t x, uint64_t n);
/* The sums of one EP batch k (2^16 pairs): s[0..3] = sx, sy, |x| sum, |y| sum;
 * q[0..9] annulus counts (added to). */
void tk_ep_batch(uint64_t k, double s[4], uint64_t q[10]);
/* Batches k0 .. k0 + n - 1 at once: s[4 i .. 4 i + 3] are batch k0 + i's sums (as
 * tk_ep_batch's), q the counts of them all (added to). */
void tk_ep_batches(uint64_t k0, uint64_t n, double *s, uint64_t q[10]);

#endif
