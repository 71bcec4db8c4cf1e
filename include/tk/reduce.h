/*
 * reduce.h: the data-reduction kernel: sum, min, max, mean, variance, histogram of an
 * array of doubles spread over ranks.
 *
 * Rule: the global index space is cut into blocks of TK_REDUCE_BLOCK values; rank r
 * owns a contiguous range of whole blocks (tk_reduce_slice) and its threads share
 * those blocks.  Every block is reduced in one fixed order into partials that are then
 * combined exactly (tk_xsum for floating sums, integers for counts, min/max with the
 * first index), so every result is bitwise the same for any ranks x threads.
 *
 * Why the variance is right: with a shift K known to every rank (the mean of the
 * first block's finite values), each block sums d = x - K and d*d in 16 fixed lanes;
 * the block sums are added exactly.  var = (S2 - S1^2 / n) / (n - ddof) loses accuracy
 * only when K is far from the mean (S1^2 / n close to S2); then a second pass with K =
 * mean repeats the sums (rare: sorted or drifting data).  This is one pass over memory
 * in the common case, reproducible, and accurate to a few ulps on data such as
 * 1e9 + uniform noise, where x - K is exact.
 */
#ifndef TK_REDUCE_H
#define TK_REDUCE_H

#include <stdint.h>

#include "tk/array_io.h"
#include "tk/report.h"

#define TK_REDUCE_BLOCK 1024u
#define TK_REDUCE_NONE UINT64_MAX /* no index (e.g. min of nothing) */
/* Limits of the options, exact: --bins 1 to 2^28, --generate 1 to 2^62 values (counts
 * and indices stay far from wrapping 64 bits) */
#define TK_REDUCE_MAX_BINS (UINT32_C(1) << 28)
#define TK_REDUCE_MAX_VALUES ((uint64_t)1 << 62)

enum {
	TK_RED_SUM = 1 << 0,
	TK_RED_MIN = 1 << 1,
	TK_RED_MAX = 1 << 2,
	TK_RED_MEAN = 1 << 3,
	TK_RED_VAR = 1 << 4,
	TK_RED_STD = 1 << 5,
	TK_RED_HIST = 1 << 6,
	TK_RED_DEFAULT = (1 << 6) - 1, /* all but hist */
};

typedef enum tk_strategy {
	TK_STRATEGY_PRIVATE,  /* per-thread partials merged at the end (default) */
	TK_STRATEGY_ATOMIC,   /* one shared result, atomic updates per value */
	TK_STRATEGY_CRITICAL, /* one shared result, a critical section per value */
} tk_strategy;

extern const char *const tk_reduce_op_names[];       /* "sum", ..., NULL */
extern const char *const tk_reduce_strategy_names[]; /* "private", ..., NULL */

typedef struct tk_reduce_opts {
	unsigned ops;         /* TK_RED_* bits */
	int skip_nan;         /* leave NaNs out of every statistic */
	int ddof;             /* 0 or 1: var = sum (x - mean)^2 / (count - ddof) */
	uint32_t bins;        /* histogram bins (default 256) */
	int range_given;      /* else the range is the data's min..max */
	double lo, hi;        /* histogram range */
	tk_strategy strategy; /* for the histogram and the sum */
} tk_reduce_opts;

typedef struct tk_reduce_stats {
	uint64_t n;                  /* values in the input */
	uint64_t nan, posinf, neginf;
	uint64_t count;              /* values in the statistics (n, or n - nan) */
	double sum, mean, var, std;
	double min, max;
	uint64_t argmin, argmax;     /* global index of the first min / max */
	double shift;                /* the variance's final shift K */
	int var_passes;              /* 1, or 2 when K had to be refined */
	/* histogram (TK_RED_HIST) */
	uint32_t bins;
	double hist_lo, hist_hi;
	uint64_t *hist;              /* bins counts; tk_reduce_stats_free() releases */
	uint64_t below, above;       /* values outside [hist_lo, hist_hi] */
	/* this rank's seconds */
	double t_stats, t_sum, t_hist;
} tk_reduce_stats;

void tk_reduce_opts_default(tk_reduce_opts *o);
/* "sum,min,hist" -> TK_RED_* bits; "all" is every op.  TK_EUSAGE names the bad op
 * and the valid ones.  Not collective. */
int tk_reduce_parse_ops(const char *list, unsigned *ops);
/* "LO:HI" -> lo < hi or lo == hi (numpy widens that to lo-0.5:hi+0.5), both finite. */
int tk_reduce_parse_range(const char *s, double *lo, double *hi);
/* Check the options (bins >= 1, a valid range, ddof 0 or 1).  Not collective. */
int tk_reduce_opts_check(const tk_reduce_opts *o);

/* This rank's share [lo, hi) of n values: whole blocks (tk_decomp_blocks). */
void tk_reduce_slice(uint64_t n, int rank, int size, uint64_t *lo, uint64_t *hi);

/* Collective: reduce the n values of which this rank holds x[0 .. hi - lo), the slice
 * tk_reduce_slice gave it.  Fills s on every rank.  TK_EIO for empty input (n == 0 or
 * no value left after --skip-nan), TK_EUSAGE for a histogram range that is not finite.
 * The status is agreed across ranks (tk_error_share). */
int tk_reduce_run(const double *x, uint64_t lo, uint64_t hi, uint64_t n,
                  const tk_reduce_opts *o, tk_reduce_stats *s);
void tk_reduce_stats_free(tk_reduce_stats *s);

/* The histogram bin of v over numpy.histogram's edges (edges[i] = i * step + lo,
 * edges[bins] = hi, last bin closed): 0..bins-1, or -1 when v is outside [lo, hi] or
 * NaN.  edges has bins + 1 entries (tk_reduce_edges). */
int64_t tk_reduce_bin(double v, double lo, double hi, uint32_t bins, const double *edges);
void tk_reduce_edges(double lo, double hi, uint32_t bins, double *edges);

/* Collective: this machine's read bandwidth in bytes/s: every rank's threads sum an
 * array of `bytes` per rank (read only, STREAM-style), best of `reps` runs.  *ok is 1
 * when every run's sum was the known exact total (0 also on allocation failure). */
double tk_membw(uint64_t bytes, int reps, int *ok);

/* ---- the registered kernels (src/reduce/reduce_kernel.c) ---------------------------- */

typedef struct tk_reduce_params {
	tk_source src;        /* where the values come from */
	tk_reduce_opts opts;
	int membw;            /* also measure the read bandwidth and report the fraction */
	uint64_t membw_bytes; /* array per rank for tk_membw; 0: max(4 x LLC, 1 GiB) */
	int membw_reps;       /* best of (default 5) */
	uint64_t memory;      /* --memory: bytes per rank for a file's values; 0: default
	                       * (a larger .npy/raw slice is streamed in windows) */
} tk_reduce_params;

void tk_reduce_params_default(tk_reduce_params *p);
/* `reduce --model stats`: load, reduce, verify (an independent compensated sum and
 * two-pass variance, a plain min/max scan, count invariants), fill r. */
int tk_reduce_stats_kernel(const tk_reduce_params *p, const tk_run_ctx *ctx, tk_result *r);
/* `reduce --model membw`: the read bandwidth alone. */
int tk_reduce_membw_kernel(const tk_reduce_params *p, const tk_run_ctx *ctx, tk_result *r);

#endif
