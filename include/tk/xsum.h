/*
 * xsum.h: an exact accumulator for sums of doubles (a "small superaccumulator",
 * R. M. Neal, arXiv:1505.05571).
 *
 * Rule: the accumulator holds the exact sum of everything added, so the rounded result
 * is a pure function of the multiset of values added: any order, any split into
 * accumulators and any merge tree give the same bits.  tk_xsum_round() rounds that exact
 * sum once, to nearest with ties to even, as Python's math.fsum does.
 *
 * Representation: bit p of the fixed-point number (p = 0 .. 2111) has the value
 * 2^(p - 1074), so bit 0 is the smallest subnormal.  The bits are kept in 67 signed
 * 64-bit chunks of 32 bits each; chunk i holds bits [32 i, 32 i + 32) plus pending
 * carries.  Adds go straight into the chunks without carrying; carries are propagated
 * every TK_XSUM_UNITS adds, before a chunk could overflow.  NaN, +inf and -inf are not
 * added to the chunks but remembered as flags, like IEEE addition would propagate them.
 *
 * The struct is plain data of a fixed size (no pointers), so it may be copied, sent
 * between ranks as bytes, or written to a file.
 */
#ifndef TK_XSUM_H
#define TK_XSUM_H

#include <stddef.h>
#include <stdint.h>

#define TK_XSUM_CHUNKS 67

typedef struct tk_xsum {
	int64_t chunk[TK_XSUM_CHUNKS]; /* chunk i weighs 2^(32 i - 1074) */
	int64_t room;                  /* adds left before carries must be propagated */
	int64_t nan;                   /* 1 if a NaN was added */
	int64_t pinf;                  /* 1 if +inf was added */
	int64_t ninf;                  /* 1 if -inf was added */
	int64_t any;                   /* 1 if any value was added */
	int64_t nonnegzero;            /* 1 if a value other than -0.0 was added */
} tk_xsum;

/* An empty accumulator (its sum is +0.0). */
void tk_xsum_init(tk_xsum *a);
/* Add one value, exactly. */
void tk_xsum_add(tk_xsum *a, double x);
/* Add n values, exactly; the fast path for arrays (blocks of values sharing a narrow
 * exponent range are converted to 64-bit integers in vector registers). */
void tk_xsum_add_array(tk_xsum *a, const double *x, size_t n);
/* Add x[0..n), n <= TK_XSUM_BLOCK, exactly, when the caller already knows the largest
 * magnitude maxabs of these values and that none is NaN or inf (saves a pass). */
#define TK_XSUM_BLOCK 1024
void tk_xsum_add_block(tk_xsum *a, const double *x, size_t n, double maxabs);
/* The fast path's split, for kernels that fuse it into their own loop over a block.
 * When every value x of the block has |x| < 2^e, tk_xsum_split_consts gives c1, c2
 * (or returns 0 when e is outside the supported range) and the caller computes, per
 * value and in any order, q = (x + c1) - c1, r = x - q, p = (r + c2) - c2 (plain
 * double arithmetic, no contraction into fma), t1 = sum of the q and t2 = sum of the p
 * (both sums are exact in doubles for up to TK_XSUM_BLOCK values), and rest = whether
 * some r - p is nonzero.  tk_xsum_add_split then adds the block exactly (it revisits x
 * only when rest is set).  No value may be NaN or inf, and some value must be nonzero. */
int tk_xsum_split_consts(int e, double *c1, double *c2);
void tk_xsum_add_split(tk_xsum *a, double t1, double t2, int rest, const double *x, size_t n,
                       double c1, double c2);
/* dst += src, exactly; src is unchanged. */
void tk_xsum_merge(tk_xsum *dst, const tk_xsum *src);
/* The exact sum rounded to nearest, ties to even (as math.fsum).  NaN if a NaN was
 * added or both +inf and -inf were; +/-inf if one of them was; +/-inf if the exact sum
 * of the finite values is beyond the double range.  The sum of nothing is +0.0; the
 * sum of only -0.0 values is -0.0 (IEEE's rule for exact zeros). */
double tk_xsum_round(const tk_xsum *a);
/* Collective (tk_comm_allreduce_i64): every rank ends with the exact sum over all
 * ranks.  Safe from overflow for up to 2^20 ranks that have added 2^50 values each. */
void tk_xsum_allreduce(tk_xsum *a);
/* The same in parts, to reduce several accumulators (and other values) in one packed
 * collective (tk_pack, tk/comm.h): to_words normalises a and writes the words that
 * are summed over ranks (as TK_SUM of int64_t); from_words sets a to the sum's words.
 * to_words, tk_pack_i64(TK_XSUM_WORDS, TK_SUM), tk_comm_allreduce_pack, from_words
 * is tk_xsum_allreduce. */
#define TK_XSUM_WORDS (TK_XSUM_CHUNKS + 5)
void tk_xsum_to_words(tk_xsum *a, int64_t w[TK_XSUM_WORDS]);
void tk_xsum_from_words(tk_xsum *a, const int64_t w[TK_XSUM_WORDS]);

/* Carry propagation: afterwards chunks 0..65 lie in [0, 2^32) and the top chunk holds
 * the (signed) rest.  Does not change the value; used by merge, round and allreduce. */
void tk_xsum_normalize(tk_xsum *a);
/* Add the integer v times 2^(p - 1074) exactly, for 0 <= p <= 2047 (a building block
 * for callers that sum integer multiples of a common power of two themselves). */
void tk_xsum_add_scaled(tk_xsum *a, int64_t v, int p);
/* Add one value to an accumulator shared by threads, with atomic updates (the
 * "atomic" strategy; slow by design: every value touches shared cache lines).  Each
 * call changes a chunk by less than 2^32, so the caller must call tk_xsum_normalize
 * (from one thread, between parallel loops) at least once every 2^30 calls. */
void tk_xsum_add_atomic(tk_xsum *a, double x);

#endif
