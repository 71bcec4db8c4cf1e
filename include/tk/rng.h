/*
 * rng.h: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC11), a counter-based generator: the output is a pure function of (counter, key).
 *
 * Rule: every random number in the toolkit is addressed by its global index, never
 * drawn from a per-thread or per-rank stream.  Counter words 0-1 hold a 64-bit block
 * index, word 2 a stream id (one per use, so models never share numbers), word 3 is 0;
 * the key is the 64-bit seed.  So the numbers, and every result built from them, do not
 * depend on how the index space is split over ranks and threads, and no stream wraps
 * before 2^64 blocks (2^66 32-bit words).
 */
#ifndef TK_RNG_H
#define TK_RNG_H

#include <stdint.h>

#define TK_PHILOX_M0 0xD2511F53u
#define TK_PHILOX_M1 0xCD9E8D57u
#define TK_PHILOX_W0 0x9E3779B9u
#define TK_PHILOX_W1 0xBB67AE85u

/* Stream ids (counter word 2): one per use of random numbers. */
enum { TK_STREAM_PI = 1, TK_STREAM_OPTION = 2, TK_STREAM_GENERATE = 3 };

typedef struct tk_philox_ctr {
	uint32_t v[4];
} tk_philox_ctr;

typedef struct tk_philox_key {
	uint32_t v[2];
} tk_philox_key;

static inline tk_philox_ctr tk_philox_round(tk_philox_ctr c, tk_philox_key k)
{
	uint64_t p0 = (uint64_t)TK_PHILOX_M0 * c.v[0];
	uint64_t p1 = (uint64_t)TK_PHILOX_M1 * c.v[2];
	tk_philox_ctr o;
	o.v[0] = (uint32_t)(p1 >> 32) ^ c.v[1] ^ k.v[0];
	o.v[1] = (uint32_t)p1;
	o.v[2] = (uint32_t)(p0 >> 32) ^ c.v[3] ^ k.v[1];
	o.v[3] = (uint32_t)p0;
	return o;
}

/* Philox4x32 with 10 rounds: the reference definition, one block at a time. */
static inline tk_philox_ctr tk_philox4x32_10(tk_philox_ctr c, tk_philox_key k)
{
	for (int r = 0; r < 10; r++) {
		if (r) {
			k.v[0] += TK_PHILOX_W0;
			k.v[1] += TK_PHILOX_W1;
		}
		c = tk_philox_round(c, k);
	}
	return c;
}

static inline tk_philox_key tk_philox_seed(uint64_t seed)
{
	tk_philox_key k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
	return k;
}

/* The block for global index `block` of stream `stream`. */
static inline tk_philox_ctr tk_philox_block(uint64_t block, uint32_t stream)
{
	tk_philox_ctr c = {{(uint32_t)block, (uint32_t)(block >> 32), stream, 0}};
	return c;
}

/* Uniform double in the open interval (0,1) from one 32-bit word: (u + 1/2) 2^-32. */
static inline double tk_u01_32(uint32_t u) { return ((double)u + 0.5) * 0x1p-32; }

/* Uniform double in (0,1) with 52 random bits from two words: (k + 1/2) 2^-52, which
 * needs 53 significant bits and so is exact: the largest value is 1 - 2^-53 < 1. */
static inline double tk_u01_52(uint32_t hi, uint32_t lo)
{
	uint64_t k = ((uint64_t)(hi >> 12) << 32) | lo;
	return ((double)k + 0.5) * 0x1p-52;
}

/* Fill 4*n words: blocks first..first+n-1 of a stream, vectorised over blocks.
 * out[4*i + j] is word j of block first+i. */
void tk_philox_fill(uint64_t first, uint32_t stream, tk_philox_key key, uint32_t *out,
                    uint64_t n);

#endif
