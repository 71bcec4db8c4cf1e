/*
 * rng.c: Philox4x32-10 over many blocks at once.  The lanes are laid out as
 * structure-of-arrays so that the compiler turns each round into a handful of vector
 * multiplies (vpmuludq); the per-block arithmetic is exactly tk_philox4x32_10's.
 */
#include "tk/rng.h"

#define LANES 16

void tk_philox_fill(uint64_t first, uint32_t stream, tk_philox_key key, uint32_t *out,
                    uint64_t n)
{
	uint64_t i = 0;
	for (; i + LANES <= n; i += LANES) {
		uint32_t x0[LANES], x1[LANES], x2[LANES], x3[LANES];
		for (int l = 0; l < LANES; l++) {
			uint64_t b = first + i + (uint64_t)l;
			x0[l] = (uint32_t)b;
			x1[l] = (uint32_t)(b >> 32);
			x2[l] = stream;
			x3[l] = 0;
		}
		uint32_t k0 = key.v[0], k1 = key.v[1];
		for (int r = 0; r < 10; r++) {
			for (int l = 0; l < LANES; l++) {
				uint64_t p0 = (uint64_t)TK_PHILOX_M0 * x0[l];
				uint64_t p1 = (uint64_t)TK_PHILOX_M1 * x2[l];
				uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1[l] ^ k0;
				uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3[l] ^ k1;
				x1[l] = (uint32_t)p1;
				x3[l] = (uint32_t)p0;
				x0[l] = y0;
				x2[l] = y2;
			}
			k0 += TK_PHILOX_W0;
			k1 += TK_PHILOX_W1;
		}
		for (int l = 0; l < LANES; l++) {
			out[4 * (i + l) + 0] = x0[l];
			out[4 * (i + l) + 1] = x1[l];
			out[4 * (i + l) + 2] = x2[l];
			out[4 * (i + l) + 3] = x3[l];
		}
	}
	for (; i < n; i++) {
		tk_philox_ctr c = tk_philox4x32_10(tk_philox_block(first + i, stream), key);
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = c.v[j];
	}
}
