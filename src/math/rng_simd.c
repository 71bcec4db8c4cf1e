/*
 * rng_simd.c: tk_philox_fill's loop, one source for every vector variant: VL blocks
 * per vector through philox_vec.h, their words stored block by block (the layout
 * assumes a little-endian CPU, as every target of the Makefile is).
 */
#include "simd/dispatch.h"
#include "math/philox_vec.h"
#include "tk/rng.h"
#include "simd/vec.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rng_simd.c stores 32-bit word pairs as little-endian 64-bit words"
#endif

/* Words of blocks first .. first + n - 1 of a stream: out[4 i + j] is word j of block
 * first + i; a remainder of less than VL blocks takes one more vector, stored in part. */
void TK_SIMD_FN(tk_philox_fill_lanes)(uint64_t first, uint32_t stream, tk_philox_key key,
                                      uint32_t *out, uint64_t n)
{
	vu ks[20];
	philox_keys(key, ks);
	for (uint64_t i = 0; i < n; i += VL) {
		vu x0, x1, x2 = vu_splat(stream), x3 = vu_splat(0);
		block_words(first + i, &x0, &x1);
		philox_lanes(&x0, &x1, &x2, &x3, ks);
		/* block l's 16 bytes are the 64-bit words a[l] = w0 | w1 << 32, b[l] = w2 |
		 * w3 << 32 (little-endian), so the output is a and b interleaved */
		vu a = (x0 & 0xFFFFFFFFu) | (x1 << 32), b = (x2 & 0xFFFFFFFFu) | (x3 << 32);
		uint64_t w[2 * VL];
		for (int l = 0; l < VL; l++) {
			w[2 * l] = a[l];
			w[2 * l + 1] = b[l];
		}
		uint64_t m = n - i < VL ? n - i : VL;
		memcpy(out + 4 * i, w, 16 * m); /* little-endian words */
	}
}
