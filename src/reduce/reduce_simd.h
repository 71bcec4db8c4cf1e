/*
 * reduce_simd.h: what the reduce family's vector kernels (src/reduce/reduce_simd.c,
 * src/math/xsum_simd.c, one source each, compiled once per variant) return.
 *
 * Rule: plain data, the same bits from every variant (the unit tests compare them
 * field by field with the scalar variant's).
 */
#ifndef TK_REDUCE_SIMD_H
#define TK_REDUCE_SIMD_H

#include <stdint.h>

/* The stats pass over one full block (tk_reduce_scan_block). */
typedef struct tk_reduce_scan {
	double mn, mx; /* min and max (NaN left out; a zero is +0.0) */
	double s1, s2; /* sums of d = x - K and d * d: 16 fixed lanes and a fixed tree */
	double t1, t2; /* the exact accumulator's split: the sums of q and of p */
	int rest;      /* the split left bits below its second level */
} tk_reduce_scan;

/* The exact accumulator's floating-point split of one block (tk_xsum_split_block). */
typedef struct tk_xsum_split {
	double t1, t2;     /* sums of q and p (exact) */
	uint64_t rest;     /* nonzero when some r - p is nonzero */
	uint64_t next_max; /* largest magnitude (as bits) of the next block y */
} tk_xsum_split;

#endif
