/*
 * reduce.c: the data-reduction kernel (see reduce.h for the decomposition and the
 * variance method).
 *
 * Rule: one kernel, written once: the local work is an OpenMP loop over this rank's
 * blocks (split by the decomposition layer), the global combine is one packed
 * collective (tk_pack: counts, first NaN, min and max with index, exact sums).  A block is always
 * reduced whole, by one thread, in one fixed order, so its partial sums do not depend
 * on who reduced it; partials are combined exactly.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/feed.h"
#include "simd/dispatch.h"
#include "tk/comm.h"
#include "tk/decomp.h"
#include "tk/omp.h"
#include "tk/reduce.h"
#include "tk/timer.h"
#include "tk/tk.h"
#include "tk/xsum.h"

#define BLOCK TK_REDUCE_BLOCK
#define NONE TK_REDUCE_NONE
#define MAX_BINS TK_REDUCE_MAX_BINS
/* shared (atomic) accumulators are normalised at least this often, < 2^30 adds */
#define ATOMIC_CHUNK (UINT64_C(1) << 28)

const char *const tk_reduce_op_names[] = {"sum", "min", "max", "mean", "var", "std", "hist",
                                          NULL};
const char *const tk_reduce_strategy_names[] = {"private", "atomic", "critical", NULL};

void tk_reduce_opts_default(tk_reduce_opts *o)
{
	memset(o, 0, sizeof *o);
	o->ops = TK_RED_DEFAULT;
	o->ddof = 1;
	o->bins = 256;
	o->strategy = TK_STRATEGY_PRIVATE;
}

int tk_reduce_parse_ops(const char *list, unsigned *ops)
{
	unsigned bits = 0;
	const char *p = list;
	TK_REQUIRE(list && *list, TK_EUSAGE, "reduce: --ops is empty (valid: "
	           "sum,min,max,mean,var,std,hist or all)");
	while (*p) {
		size_t len = strcspn(p, ",");
		int found = 0;
		if (len == 3 && strncmp(p, "all", 3) == 0) {
			bits |= TK_RED_DEFAULT | TK_RED_HIST;
			found = 1;
		}
		for (int i = 0; !found && tk_reduce_op_names[i]; i++) {
			if (strlen(tk_reduce_op_names[i]) == len &&
			    strncmp(p, tk_reduce_op_names[i], len) == 0) {
				bits |= 1u << i;
				found = 1;
			}
		}
		TK_REQUIRE(found, TK_EUSAGE,
		           "reduce: unknown op '%.*s' in --ops (valid: "
		           "sum,min,max,mean,var,std,hist or all)",
		           (int)len, p);
		p += len;
		if (*p == ',')
			p++;
	}
	*ops = bits;
	return 0;
}

int tk_reduce_parse_range(const char *s, double *lo, double *hi)
{
	char *end;
	const char *colon = s ? strchr(s, ':') : NULL;
	TK_REQUIRE(colon, TK_EUSAGE, "reduce: --range wants LO:HI, got '%s'", s ? s : "");
	double a = strtod(s, &end);
	TK_REQUIRE(end == colon && end != s, TK_EUSAGE,
	           "reduce: --range wants LO:HI with numbers, got '%s'", s);
	double b = strtod(colon + 1, &end);
	TK_REQUIRE(*end == '\0' && end != colon + 1, TK_EUSAGE,
	           "reduce: --range wants LO:HI with numbers, got '%s'", s);
	TK_REQUIRE(isfinite(a) && isfinite(b), TK_EUSAGE,
	           "reduce: --range %s: both ends must be finite", s);
	TK_REQUIRE(a <= b, TK_EUSAGE, "reduce: --range %s: LO must not exceed HI", s);
	*lo = a;
	*hi = b;
	return 0;
}

/* Bins need a finite width and a finite bins/width: HI - LO overflows to inf for
 * -9e307:9e307 (every value would land in bin 0), and a width that underflows (or a
 * constant 1e300, where the +-0.5 widening changes nothing) gives inf * 0 = NaN. */
static int hist_range_check(double lo, double hi, uint32_t bins, const char *what)
{
	TK_REQUIRE(isfinite(hi - lo), TK_EUSAGE,
	           "reduce: %s [%g, %g] is too wide: HI - LO overflows; give a narrower "
	           "--range", what, lo, hi);
	TK_REQUIRE(isfinite((double)bins / (hi - lo)), TK_EUSAGE,
	           "reduce: %s [%g, %g] is too narrow for %u bins at this magnitude; give "
	           "a wider --range", what, lo, hi, (unsigned)bins);
	return 0;
}

int tk_reduce_opts_check(const tk_reduce_opts *o)
{
	TK_REQUIRE(o->ops != 0, TK_EUSAGE, "reduce: no operation selected");
	TK_REQUIRE(o->bins >= 1 && o->bins <= MAX_BINS, TK_EUSAGE,
	           "reduce: --bins must be between 1 and %u", (unsigned)MAX_BINS);
	TK_REQUIRE(o->ddof == 0 || o->ddof == 1, TK_EUSAGE, "reduce: --ddof must be 0 or 1");
	TK_REQUIRE(!o->range_given || (isfinite(o->lo) && isfinite(o->hi) && o->lo <= o->hi),
	           TK_EUSAGE, "reduce: --range must be finite with LO <= HI");
	if (o->range_given && o->lo < o->hi)
		TK_CHECK(hist_range_check(o->lo, o->hi, o->bins, "--range"));
	TK_REQUIRE(o->strategy >= TK_STRATEGY_PRIVATE && o->strategy <= TK_STRATEGY_CRITICAL,
	           TK_EUSAGE, "reduce: unknown strategy");
	return 0;
}

void tk_reduce_slice(uint64_t n, int rank, int size, uint64_t *lo, uint64_t *hi)
{
	tk_range r = tk_decomp_blocks(n, BLOCK, (uint64_t)size, (uint64_t)rank);
	*lo = r.lo;
	*hi = r.hi;
}

/* ---- the stats pass ---------------------------------------------------------- */

/* One thread's partial results; aligned so threads never share a cache line. */
typedef struct part {
	tk_xsum sum, s1, s2;   /* sum of x; sums of d = x - K and of d * d */
	tk_loc mn, mx;         /* min / max and its first index (NONE: none yet) */
	uint64_t nan, pinf, ninf, first_nan;
	int e_guess;           /* exponent bound for the fused xsum split (see block_stats) */
	char pad[64];
} __attribute__((aligned(64))) part;

static void part_init(part *p)
{
	memset(p, 0, sizeof *p);
	tk_xsum_init(&p->sum);
	tk_xsum_init(&p->s1);
	tk_xsum_init(&p->s2);
	p->mn = (tk_loc){INFINITY, NONE};
	p->mx = (tk_loc){-INFINITY, NONE};
	p->first_nan = NONE;
	p->e_guess = INT32_MIN; /* none yet */
}

/* The values of a block that enter the sums: all of them, or without the NaNs. */
static const double *sum_values(const double *x, size_t len, int skip_nan, uint64_t nans,
                                double *tmp, size_t *m)
{
	if (!skip_nan || nans == 0) {
		*m = len;
		return x;
	}
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		if (x[i] == x[i])
			tmp[k++] = x[i];
	*m = k;
	return tmp;
}

/* A full block without NaN/inf: tk_reduce_scan_block has done min/max, the d sums, and the xsum
 * split with the thread's guess of the exponent bound e (the previous block's); the
 * split is exact whenever every |x| < 2^e, else the block is split again with its own
 * bound.  Either way the sum is exact, so the guess changes only the speed. */
static void block_fast(const double *x, size_t len, uint64_t g, int do_sum, int do_var,
                       part *p, const tk_reduce_scan *b, double c1, double c2, int guessed)
{
	/* blocks come in increasing index order: a later equal value is not first */
	if (b->mn < p->mn.v || p->mn.i == NONE) {
		size_t i = 0;
		while (x[i] != b->mn)
			i++;
		p->mn = (tk_loc){x[i], g + i};
	}
	if (b->mx > p->mx.v || p->mx.i == NONE) {
		size_t i = 0;
		while (x[i] != b->mx)
			i++;
		p->mx = (tk_loc){x[i], g + i};
	}
	if (do_sum) {
		double maxabs = -b->mn > b->mx ? -b->mn : b->mx;
		uint64_t bits;
		memcpy(&bits, &maxabs, sizeof bits);
		int e = (int)(bits >> 52) - 1022; /* |x| < 2^e */
		if (guessed && maxabs > 0 && (bits >> 52) != 0 && e <= p->e_guess)
			tk_xsum_add_split(&p->sum, b->t1, b->t2, b->rest, x, len, c1, c2);
		else
			tk_xsum_add_block(&p->sum, x, len, maxabs);
		p->e_guess = e;
	}
	if (do_var) {
		tk_xsum_add(&p->s1, b->s1);
		tk_xsum_add(&p->s2, b->s2);
	}
}

/* One block into the thread's partials.  The common case is one read of the block by
 * the vector kernel tk_reduce_scan_block (src/reduce/reduce_simd.c: min, max, the d sums in 16
 * fixed lanes and the exact accumulator's split fused in, the same bits in every
 * variant); a short last block, NaN/inf, or a finite block whose d * d overflowed take
 * the careful path below. */
static void block_stats(const double *x, size_t len, uint64_t g, double K, int skip_nan,
                        int do_sum, int do_var, part *p, double *tmp)
{
	if (len == BLOCK) {
		tk_reduce_scan b;
		double c1 = 0, c2 = 0;
		int guessed = p->e_guess != INT32_MIN && tk_xsum_split_consts(p->e_guess, &c1, &c2);
		if (tk_fn.tk_reduce_scan_block(x, len, K, c1, c2, &b)) {
			block_fast(x, len, g, do_sum, do_var, p, &b, c1, c2, guessed);
			return;
		}
	}
	/* the careful path: a short last block, or NaN/inf in the block */
	uint64_t nans = 0;
	for (size_t i = 0; i < len; i++) {
		double v = x[i];
		if (v != v) {
			nans++;
			if (p->first_nan == NONE)
				p->first_nan = g + i;
			continue;
		}
		p->pinf += v == INFINITY;
		p->ninf += v == -INFINITY;
		if (v < p->mn.v || p->mn.i == NONE)
			p->mn = (tk_loc){v, g + i};
		if (v > p->mx.v || p->mx.i == NONE)
			p->mx = (tk_loc){v, g + i};
	}
	p->nan += nans;
	size_t m;
	const double *y = sum_values(x, len, skip_nan, nans, tmp, &m);
	if (do_sum)
		tk_xsum_add_array(&p->sum, y, m);
	if (do_var) {
		double s1, s2;
		tk_fn.tk_reduce_dsums(y, m, K, &s1, &s2);
		tk_xsum_add(&p->s1, s1);
		tk_xsum_add(&p->s2, s2);
	}
}

static void part_merge(part *dst, const part *src)
{
	tk_xsum_merge(&dst->sum, &src->sum);
	tk_xsum_merge(&dst->s1, &src->s1);
	tk_xsum_merge(&dst->s2, &src->s2);
	tk_loc_merge(&dst->mn, src->mn, TK_MIN); /* (value, first index), as across ranks */
	tk_loc_merge(&dst->mx, src->mx, TK_MAX);
	dst->nan += src->nan;
	dst->pinf += src->pinf;
	dst->ninf += src->ninf;
	if (src->first_nan < dst->first_nan)
		dst->first_nan = src->first_nan;
}

/* The mean of the finite values of the first block (rank 0 holds it), on every rank. */
static double pilot_shift(const double *x, uint64_t nloc)
{
	double k = 0.0;
	if (tk_comm_rank() == 0) {
		tk_xsum a;
		tk_xsum_init(&a);
		uint64_t c = 0;
		for (uint64_t i = 0; i < nloc && i < BLOCK; i++) {
			if (isfinite(x[i])) {
				tk_xsum_add(&a, x[i]);
				c++;
			}
		}
		k = c ? tk_xsum_round(&a) / (double)c : 0.0;
		if (!isfinite(k))
			k = 0.0;
	}
	tk_comm_bcast(&k, sizeof k, 0);
	return k;
}

/* The sum with a shared accumulator updated per value (atomic or critical). */
static void shared_sum(const double *x, uint64_t nloc, int skip_nan, tk_strategy st,
                       tk_xsum *out)
{
	tk_xsum acc;
	tk_xsum_init(&acc);
	for (uint64_t c0 = 0; c0 < nloc; c0 += ATOMIC_CHUNK) {
		uint64_t c1 = nloc - c0 < ATOMIC_CHUNK ? nloc : c0 + ATOMIC_CHUNK;
		if (st == TK_STRATEGY_ATOMIC) {
#pragma omp parallel for schedule(static)
			for (uint64_t i = c0; i < c1; i++)
				if (!(skip_nan && x[i] != x[i]))
					tk_xsum_add_atomic(&acc, x[i]);
		} else {
#pragma omp parallel for schedule(static)
			for (uint64_t i = c0; i < c1; i++) {
				if (!(skip_nan && x[i] != x[i])) {
#pragma omp critical(tk_reduce_sum)
					tk_xsum_add(&acc, x[i]);
				}
			}
		}
		tk_xsum_normalize(&acc);
	}
	*out = acc;
}

/* One window's sums of d and d * d with shift K, added to g1 and g2. */
static void var_window(const double *x, uint64_t nloc, double K, int skip_nan, tk_xsum *g1,
                       tk_xsum *g2)
{
	uint64_t nblk = nloc / BLOCK + (nloc % BLOCK != 0);
#pragma omp parallel
	{
		tk_xsum a, b;
		tk_xsum_init(&a);
		tk_xsum_init(&b);
		double tmp[BLOCK];
#pragma omp for schedule(static)
		for (uint64_t k = 0; k < nblk; k++) {
			const double *xb = x + k * BLOCK;
			size_t len = nloc - k * BLOCK < BLOCK ? nloc - k * BLOCK : BLOCK, m;
			uint64_t nans = 0;
			for (size_t i = 0; i < len; i++)
				nans += xb[i] != xb[i];
			const double *y = sum_values(xb, len, skip_nan, nans, tmp, &m);
			double s1, s2;
			tk_fn.tk_reduce_dsums(y, m, K, &s1, &s2);
			tk_xsum_add(&a, s1);
			tk_xsum_add(&b, s2);
		}
#pragma omp critical(tk_reduce_merge)
		{
			tk_xsum_merge(g1, &a);
			tk_xsum_merge(g2, &b);
		}
	}
}

/* Sums of d and d * d with shift K over the local blocks, allreduced (second pass). */
static int var_pass(tk_feed *f, double K, int skip_nan, tk_xsum *g1, tk_xsum *g2)
{
	tk_xsum_init(g1);
	tk_xsum_init(g2);
	const double *x;
	uint64_t g, len;
	int rd = f->begin(f);
	while (rd == 0 && (rd = f->next(f, &x, &g, &len)) == 0 && len > 0)
		var_window(x, len, K, skip_nan, g1, g2);
	TK_CHECK(tk_error_share(rd));
	tk_xsum_allreduce(g1);
	tk_xsum_allreduce(g2);
	return 0;
}

/* var from the exact sums of d and d * d: (S2 - S1^2 / c) / (c - ddof); sets *ratio to
 * (S1^2 / c) / S2, the share of S2 that cancels. */
static double var_from(const tk_xsum *g1, const tk_xsum *g2, uint64_t c, int ddof,
                       double *ratio)
{
	double s1 = tk_xsum_round(g1), s2 = tk_xsum_round(g2), cn = (double)c;
	double corr = s1 * s1 / cn;
	*ratio = s2 > 0 ? corr / s2 : 0.0;
	double v = (s2 - corr) / (cn - ddof);
	return v < 0 ? 0.0 : v;
}

/* ---- the histogram pass ------------------------------------------------------ */

void tk_reduce_edges(double lo, double hi, uint32_t bins, double *edges)
{
	/* numpy.linspace(lo, hi, bins + 1): i * step + lo, last edge exactly hi */
	double step = (hi - lo) / (double)bins;
	for (uint32_t i = 0; i < bins; i++)
		edges[i] = (double)i * step + lo;
	edges[bins] = hi;
}

int64_t tk_reduce_bin(double v, double lo, double hi, uint32_t bins, const double *edges)
{
	if (!(v >= lo && v <= hi))
		return -1;
	/* numpy.histogram's index computation and its one-step corrections */
	double norm = (double)bins / (hi - lo);
	int64_t k = (int64_t)((v - lo) * norm);
	if (k >= (int64_t)bins)
		k = (int64_t)bins - 1;
	if (v < edges[k])
		k--;
	if (v >= edges[k + 1] && k != (int64_t)bins - 1)
		k++;
	return k;
}

/* One window into the shared counts, or into each thread's own (mine[t], made by the
 * thread on its first window; *failed when that fails). */
static void hist_window(const double *x, uint64_t nloc, const tk_reduce_opts *o,
                        const tk_reduce_stats *s, uint64_t *shared, uint64_t **mines,
                        int copies, int *failed)
{
	uint32_t bins = s->bins;
	size_t nc = (size_t)bins + 5;
	uint64_t nblk = nloc / BLOCK + (nloc % BLOCK != 0);
#pragma omp parallel
	{
		uint32_t code[BLOCK];
		uint64_t *mine = NULL;
		if (o->strategy == TK_STRATEGY_PRIVATE) {
			uint64_t **slot = &mines[tk_thread_id()];
			if (!*slot)
				*slot = calloc((size_t)copies * nc, sizeof **slot);
			mine = *slot;
			if (!mine) {
#pragma omp atomic write
				*failed = 1;
			}
		}
#pragma omp for schedule(static)
		for (uint64_t k = 0; k < nblk; k++) {
			const double *xb = x + k * BLOCK;
			size_t len = nloc - k * BLOCK < BLOCK ? nloc - k * BLOCK : BLOCK;
			tk_fn.tk_reduce_bin_codes(xb, len, s->hist_lo, s->hist_hi, bins, code);
			if (o->strategy == TK_STRATEGY_PRIVATE) {
				if (!mine)
					continue;
				size_t i = 0;
				if (copies == 4) {
					for (; i + 4 <= len; i += 4) {
						mine[code[i]]++;
						mine[nc + code[i + 1]]++;
						mine[2 * nc + code[i + 2]]++;
						mine[3 * nc + code[i + 3]]++;
					}
				}
				for (; i < len; i++)
					mine[code[i]]++;
			} else if (o->strategy == TK_STRATEGY_ATOMIC) {
				for (size_t i = 0; i < len; i++) {
#pragma omp atomic update
					shared[code[i]]++;
				}
			} else {
				for (size_t i = 0; i < len; i++) {
#pragma omp critical(tk_reduce_hist)
					shared[code[i]]++;
				}
			}
		}
	}
}

static int hist_pass(tk_feed *f, const tk_reduce_opts *o, tk_reduce_stats *s)
{
	uint32_t bins = s->bins;
	size_t nc = (size_t)bins + 5;
	int nt = tk_thread_max();
	uint64_t *shared = tk_alloc(nc, sizeof *shared);
	uint64_t **mines = tk_alloc((size_t)nt, sizeof *mines);
	int st = tk_error_share(shared && mines ? 0 : TK_ENOMEM);
	if (st < 0) {
		tk_free(shared);
		tk_free(mines);
		return st;
	}
	memset(shared, 0, nc * sizeof *shared);
	memset(mines, 0, (size_t)nt * sizeof *mines);
	int copies = nc <= 16384 ? 4 : 1; /* sub-histograms against store-forwarding stalls */
	int failed = 0;
	const double *x;
	uint64_t g, len;
	int rd = f->begin(f);
	while (rd == 0 && !failed && (rd = f->next(f, &x, &g, &len)) == 0 && len > 0)
		hist_window(x, len, o, s, shared, mines, copies, &failed);
	for (int t = 0; t < nt; t++) {
		if (mines[t])
			for (int c = 0; c < copies; c++)
				for (size_t b = 0; b < nc; b++)
					shared[b] += mines[t][(size_t)c * nc + b];
		free(mines[t]);
	}
	tk_free(mines);
	st = failed ? tk_error_set(TK_ENOMEM, "reduce: out of memory for histograms") : rd;
	st = tk_error_share(st);
	if (st < 0) {
		tk_free(shared);
		return st;
	}
	tk_comm_allreduce_u64(shared, nc, TK_SUM);
	s->hist = shared;
	s->below = shared[bins] + shared[bins + 3];
	s->above = shared[bins + 1] + shared[bins + 4];
	s->nan = shared[bins + 2];
	s->neginf = shared[bins + 3];
	s->posinf = shared[bins + 4];
	return 0;
}

/* ---- the driver -------------------------------------------------------------- */

void tk_reduce_stats_free(tk_reduce_stats *s)
{
	tk_free(s->hist);
	s->hist = NULL;
}

/* One window (values lo .. lo + nloc of the global index) into the threads' partials:
 * its blocks split over the threads, each thread's in increasing order. */
static void stats_window(const double *x, uint64_t lo, uint64_t nloc, const tk_reduce_opts *o,
                         part *parts, int private_sum, int want_var, double K)
{
	uint64_t nblk = nloc / BLOCK + (nloc % BLOCK != 0);
#pragma omp parallel
	{
		part *p = &parts[tk_thread_id()];
		double tmp[BLOCK];
		tk_range b = tk_decomp_thread((tk_range){0, nblk});
		for (uint64_t k = b.lo; k < b.hi; k++) {
			size_t len = nloc - k * BLOCK < BLOCK ? nloc - k * BLOCK : BLOCK;
			block_stats(x + k * BLOCK, len, lo + k * BLOCK, K, o->skip_nan, private_sum,
			            want_var, p, tmp);
		}
	}
}

static int stats_pass(tk_feed *f, const tk_reduce_opts *o, tk_reduce_stats *s, part *tot,
                      double K)
{
	int want_sum = (o->ops & (TK_RED_SUM | TK_RED_MEAN | TK_RED_VAR | TK_RED_STD)) != 0;
	int private_sum = want_sum && o->strategy == TK_STRATEGY_PRIVATE;
	int want_var = (o->ops & (TK_RED_VAR | TK_RED_STD)) != 0;
	int nt = tk_thread_max();
	part *parts = tk_alloc_aligned((size_t)nt, sizeof *parts);
	int st = tk_error_share(parts ? 0 : TK_ENOMEM);
	if (st < 0) {
		tk_free(parts);
		return st;
	}
	for (int t = 0; t < nt; t++)
		part_init(&parts[t]);
	tk_xsum shared;
	tk_xsum_init(&shared);
	double t0 = tk_now(), t_sum = 0;
	const double *x;
	uint64_t g, len;
	int rd = f->begin(f);
	while (rd == 0 && (rd = f->next(f, &x, &g, &len)) == 0 && len > 0) {
		stats_window(x, g, len, o, parts, private_sum, want_var, K);
		if (want_sum && !private_sum) {
			double t1 = tk_now();
			tk_xsum w;
			shared_sum(x, len, o->skip_nan, o->strategy, &w);
			tk_xsum_merge(&shared, &w);
			t_sum += tk_now() - t1;
		}
	}
	part_init(tot);
	for (int t = 0; t < nt; t++)
		part_merge(tot, &parts[t]);
	tk_free(parts);
	if (want_sum && !private_sum)
		tot->sum = shared;
	s->t_stats = tk_now() - t0 - t_sum;
	s->t_sum = t_sum;
	return tk_error_share(rd);
}

/* Everything but the histogram: the stats pass and the global combine. */
static int stats_part(tk_feed *f, uint64_t n, const tk_reduce_opts *o, tk_reduce_stats *s)
{
	double first[BLOCK];
	uint64_t nfirst = f->hi - f->lo < BLOCK ? f->hi - f->lo : BLOCK;
	int st = tk_comm_rank() == 0 ? f->read(f, f->lo, nfirst, first) : 0;
	TK_CHECK(tk_error_share(st));
	double K = pilot_shift(first, nfirst);
	part tot;
	st = stats_pass(f, o, s, &tot, K);
	if (st < 0)
		return st;

	/* the global combine, one collective: counts, first NaN, min and max with their
	 * first index (the value from its owner, bits and all), and the exact sums (the d
	 * sums only when var is asked for: they are used only then) */
	int want_var = (o->ops & (TK_RED_VAR | TK_RED_STD)) != 0;
	uint64_t cnt[3] = {tot.nan, tot.pinf, tot.ninf}, fn[1] = {tot.first_nan};
	int64_t w[3][TK_XSUM_WORDS];
	tk_pack pk;
	tk_pack_init(&pk);
	tk_pack_u64(&pk, cnt, 3, TK_SUM);
	tk_pack_u64(&pk, fn, 1, TK_MIN);
	tk_pack_loc(&pk, &tot.mn, 1, TK_MIN);
	tk_pack_loc(&pk, &tot.mx, 1, TK_MAX);
	tk_xsum *sums[3] = {&tot.sum, &tot.s1, &tot.s2};
	for (int i = 0; i < (want_var ? 3 : 1); i++) {
		tk_xsum_to_words(sums[i], w[i]);
		tk_pack_i64(&pk, w[i], TK_XSUM_WORDS, TK_SUM);
	}
	tk_comm_allreduce_pack(&pk);
	for (int i = 0; i < (want_var ? 3 : 1); i++)
		tk_xsum_from_words(sums[i], w[i]);
	s->nan = cnt[0];
	s->posinf = cnt[1];
	s->neginf = cnt[2];
	s->count = o->skip_nan ? n - s->nan : n;
	if (s->count == 0) {
		st = tk_error_set(TK_EIO, "reduce: no values left after --skip-nan (all %llu "
		                  "are NaN)", (unsigned long long)n);
		return tk_error_share(st);
	}
	if (s->nan > 0 && !o->skip_nan) { /* numpy: NaN propagates, at its first index */
		s->min = s->max = NAN;
		s->argmin = s->argmax = fn[0];
	} else {
		s->min = tot.mn.v;
		s->argmin = tot.mn.i;
		s->max = tot.mx.v;
		s->argmax = tot.mx.i;
	}
	s->sum = tk_xsum_round(&tot.sum);
	s->mean = s->sum / (double)s->count;
	s->var_passes = 0;
	if (want_var) {
		s->var_passes = 1;
		s->shift = K;
		int finite = s->posinf == 0 && s->neginf == 0 && (o->skip_nan || s->nan == 0);
		if (!finite || s->count <= (uint64_t)o->ddof) {
			s->var = NAN;
		} else {
			double ratio;
			s->var = var_from(&tot.s1, &tot.s2, s->count, o->ddof, &ratio);
			if (ratio > 0.125) { /* K was far from the mean: redo with K = mean */
				double t0 = tk_now();
				tk_xsum g1, g2;
				s->shift = s->mean;
				st = var_pass(f, s->shift, o->skip_nan, &g1, &g2);
				if (st < 0)
					return st;
				s->var = var_from(&g1, &g2, s->count, o->ddof, &ratio);
				s->var_passes = 2;
				s->t_stats += tk_now() - t0;
			}
		}
		s->std = sqrt(s->var);
	}
	return 0;
}

int tk_reduce_run(const double *x, uint64_t lo, uint64_t hi, uint64_t n,
                  const tk_reduce_opts *o, tk_reduce_stats *s)
{
	tk_feed f;
	tk_feed_memory(&f, x, lo, hi, n);
	return tk_reduce_run_feed(&f, o, s);
}

int tk_reduce_run_feed(tk_feed *f, const tk_reduce_opts *o, tk_reduce_stats *s)
{
	uint64_t n = f->n;
	memset(s, 0, sizeof *s);
	s->n = n;
	s->argmin = s->argmax = NONE;
	s->min = s->max = s->sum = s->mean = s->var = s->std = NAN;
	int st = tk_reduce_opts_check(o);
	if (st == 0 && n == 0)
		st = tk_error_set(TK_EIO, "reduce: the input is empty");
	st = tk_error_share(st);
	if (st < 0)
		return st;
	/* a histogram over a given range alone needs no stats pass: its own pass counts
	 * NaN and inf too */
	int hist_only = o->ops == TK_RED_HIST && o->range_given;
	if (!hist_only) {
		st = stats_part(f, n, o, s);
		if (st < 0)
			return st;
	}
	if (o->ops & TK_RED_HIST) {
		s->bins = o->bins;
		if (o->range_given) {
			s->hist_lo = o->lo;
			s->hist_hi = o->hi;
		} else {
			s->hist_lo = s->min;
			s->hist_hi = s->max;
		}
		if (!isfinite(s->hist_lo) || !isfinite(s->hist_hi)) {
			st = tk_error_set(TK_EUSAGE, "reduce: the data range [%g, %g] is not finite "
			                  "(NaN or inf in the data): give --range LO:HI%s",
			                  s->hist_lo, s->hist_hi, s->nan ? " or --skip-nan" : "");
			return tk_error_share(st);
		}
		if (s->hist_lo == s->hist_hi) { /* as numpy */
			s->hist_lo -= 0.5;
			s->hist_hi += 0.5;
		}
		st = hist_range_check(s->hist_lo, s->hist_hi, s->bins, "the histogram range");
		if (st < 0)
			return tk_error_share(st);
		double t0 = tk_now();
		st = hist_pass(f, o, s);
		s->t_hist = tk_now() - t0;
		if (st < 0)
			return st;
	}
	if (hist_only) {
		s->count = o->skip_nan ? n - s->nan : n;
		if (s->count == 0)
			return tk_error_share(tk_error_set(TK_EIO, "reduce: no values left after "
			                                   "--skip-nan (all %llu are NaN)",
			                                   (unsigned long long)n));
	}
	return 0;
}

/* ---- memory bandwidth ---------------------------------------------------------- */

double tk_membw(uint64_t bytes, int reps, int *ok)
{
	uint64_t n = bytes / sizeof(double);
	double *a = tk_alloc_aligned(n ? n : 1, sizeof *a);
	*ok = 0;
	if (tk_error_share(a ? 0 : TK_ENOMEM) < 0) {
		tk_free(a);
		return 0.0;
	}
#pragma omp parallel for schedule(static)
	for (uint64_t i = 0; i < n; i++)
		a[i] = (double)(i & 1023);
	/* the exact total, to check that every run read everything (sums < 2^53) */
	double want = (double)(n / 1024) * (1023.0 * 1024 / 2);
	for (uint64_t i = n / 1024 * 1024; i < n; i++)
		want += (double)(i & 1023);
	double best = INFINITY;
	int good = 1;
	for (int r = 0; r < reps; r++) {
		tk_comm_barrier();
		double t0 = tk_now(), total = 0.0;
#pragma omp parallel reduction(+ : total)
		{
			tk_range t = tk_decomp_thread((tk_range){0, n});
			total += tk_fn.tk_membw_sum(a + t.lo, (size_t)(t.hi - t.lo));
		}
		double dt[1] = {tk_now() - t0};
		tk_comm_allreduce_f64(dt, 1, TK_MAX);
		good &= total == want;
		if (dt[0] < best)
			best = dt[0];
	}
	tk_free(a);
	int64_t g[1] = {good};
	tk_comm_allreduce_i64(g, 1, TK_MIN);
	*ok = (int)g[0];
	return (double)n * sizeof(double) * tk_comm_size() / best;
}
