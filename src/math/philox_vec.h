/*
 * philox_vec.h: Philox4x32-10 of VL blocks at once on vec.h's vectors, for the
 * per-variant kernel sources (montecarlo_simd.c, rng_simd.c).
 *
 * Rule: each 64-bit lane holds one 32-bit word in its low half; the high half may
 * carry junk from the xors, which pmuludq ignores and the final masks drop, so no lane
 * is ever widened or narrowed.  Lane by lane the result is tk_philox4x32_10's.
 */
#ifndef TK_PHILOX_VEC_H
#define TK_PHILOX_VEC_H

#include "tk/rng.h"
#include "simd/vec.h"

/* The round keys of Philox4x32-10 for key k, splat once per call: ks[2r], ks[2r+1]
 * are words 0 and 1 of round r's key. */
static inline void philox_keys(tk_philox_key k, vu ks[20])
{
	uint32_t k0 = k.v[0], k1 = k.v[1];
	for (int r = 0; r < 10; r++) {
		ks[2 * r] = vu_splat(k0);
		ks[2 * r + 1] = vu_splat(k1);
		k0 += TK_PHILOX_W0;
		k1 += TK_PHILOX_W1;
	}
}

/* Philox4x32-10 of VL blocks, x0..x3 their counter words (in the low halves), ks
 * the round keys (philox_keys); the words come back in x0..x3 (low halves). */
static inline void philox_lanes(vu *x0, vu *x1, vu *x2, vu *x3, const vu ks[20])
{
	const vu m0 = vu_splat(TK_PHILOX_M0), m1 = vu_splat(TK_PHILOX_M1);
	vu a = *x0, b = *x1, c = *x2, d = *x3;
#pragma GCC unroll 10
	for (int r = 0; r < 10; r++) {
		vu p0 = vu_mul32(a, m0), p1 = vu_mul32(c, m1);
		vu y0 = (p1 >> 32) ^ b ^ ks[2 * r];
		vu y2 = (p0 >> 32) ^ d ^ ks[2 * r + 1];
		b = p1; /* low half is the product's low word */
		d = p0;
		a = y0;
		c = y2;
	}
	*x0 = a;
	*x1 = b;
	*x2 = c;
	*x3 = d;
}

/* Counter words 0 and 1 of blocks b, b+1, ... b+VL-1: the low and high 32 bits of
 * the block index; a group whose low words wrap takes the carry lane by lane. */
static inline void block_words(uint64_t b, vu *w0, vu *w1)
{
	vu iota;
	for (int l = 0; l < VL; l++)
		iota[l] = (uint64_t)l;
	vu lo = vu_splat(b & 0xFFFFFFFFu) + iota;
	*w0 = lo & 0xFFFFFFFFu;
	*w1 = (vu_splat(b >> 32) + (lo >> 32)) & 0xFFFFFFFFu;
}

#endif
