/*
 * montecarlo_simd.c: the pi kernel's inner loop, one source for every vector variant
 * (compiled once per variant: see tk/simd.h and vec.h).
 *
 * Rule: Philox4x32-10 and the hit test fused in registers, VL blocks at a time.  Each
 * 64-bit lane holds one 32-bit Philox word in its low half; the high half may carry
 * junk from the xors, which pmuludq ignores and the final masks drop, so no lane is
 * ever widened or narrowed.  Lane by lane the arithmetic is tk_philox4x32_10 followed
 * by x*x + y*y <= 1 with x = tk_u01_32(word): the same bits in every variant (the
 * unit tests compare each with the reference, remainders included).
 */
#include "dispatch.h"
#include "tk/rng.h"
#include "vec.h"

/* Hits of the two samples of each of VL blocks of stream TK_STREAM_PI, blocks
 * b, b+1, ... b+VL-1 (no carry past 2^32 within the group: the caller ensures it). */
static inline vi pi_group(vu x0, vu x1, uint32_t k0, uint32_t k1)
{
	const vu m0 = vu_splat(TK_PHILOX_M0), m1 = vu_splat(TK_PHILOX_M1);
	vu x2 = vu_splat(TK_STREAM_PI), x3 = vu_splat(0);
#pragma GCC unroll 10
	for (int r = 0; r < 10; r++) {
		vu p0 = vu_mul32(x0, m0), p1 = vu_mul32(x2, m1);
		vu y0 = (p1 >> 32) ^ x1 ^ vu_splat(k0);
		vu y2 = (p0 >> 32) ^ x3 ^ vu_splat(k1);
		x1 = p1; /* low half is the product's low word */
		x3 = p0;
		x0 = y0;
		x2 = y2;
		k0 += TK_PHILOX_W0;
		k1 += TK_PHILOX_W1;
	}
	const vd scale = vd_splat(0x1p-32), one = vd_splat(1.0);
	vd a = vd_from_u32_plus(x0, 0.5) * scale, b = vd_from_u32_plus(x1, 0.5) * scale;
	vd c = vd_from_u32_plus(x2, 0.5) * scale, d = vd_from_u32_plus(x3, 0.5) * scale;
	return (a * a + b * b <= one) + (c * c + d * d <= one); /* -1 per hit */
}

/* Hits of Philox blocks [first, first + n) of the pi stream (two samples each);
 * n is a multiple of 16 (so of VL). */
uint64_t TK_SIMD_FN(tk_mc_pi_hits_lanes)(tk_philox_key key, uint64_t first, uint64_t n)
{
	vu iota;
	for (int l = 0; l < VL; l++)
		iota[l] = (uint64_t)l;
	vi acc = vi_splat(0);
	for (uint64_t i = 0; i < n; i += VL) {
		uint64_t b = first + i;
		/* word 0 is the low 32 bits of the block index, word 1 the high ones: a
		 * group whose low words wrap takes the carry lane by lane */
		vu lo = (vu_splat(b & 0xFFFFFFFFu) + iota);
		vu hi = vu_splat(b >> 32) + (lo >> 32);
		/* each lane loses at most 2 per group: no overflow below 2^62 blocks */
		acc += pi_group(lo & 0xFFFFFFFFu, hi & 0xFFFFFFFFu, key.v[0], key.v[1]);
	}
	return (uint64_t)vi_count(acc);
}
