/*
 * filter_simd.c: the row kernels of the image filters (tk/filter.h), one source for
 * every vector variant (compiled once per variant: see tk/simd.h and vec.h).
 *
 * Rule: integer arithmetic only (box's large kernels: one exactly rounded double
 * product), so every variant gives the same bytes; src/filter/filter.c plans the rows,
 * builds the padded rows and borders (reflect-101) and calls these through tk_fn.
 * The kernels that carry the time (gaussian's two passes with sharpen's mix, box's
 * row sums, median) are written with vectors of the variant's width (src/simd/vec.h), a
 * fixed block of output elements per step; a row that leaves a remainder recomputes
 * its last full block (these kernels write no buffer they read), and a row shorter
 * than one block is computed on a zero-padded copy, so every element goes through the
 * same code.  The simple loops (box's column sums and large boxes, sobel, the point
 * filters) are plain C loops over a row, which the vector variants' compilers
 * vectorize (checked in the generated code, gcc and clang) and the scalar variant
 * does not.
 */
#include <stdint.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/filter.h"
#include "simd/vec.h"

#define MAXR (TK_FILTER_MAX_SIZE / 2) /* largest radius */
#define CHUNK 1024                     /* elements per block of box's row pass (L1) */

/* ---- gaussian: vertical pass, u8 rows to u16 sums --------------------------------- */

/* v = w0 row[0] + sum_d w_d (row[-d] + row[+d]) over VL8 elements from i: at most
 * 255 x 256, exact in 16-bit lanes (the weights sum to 256). */
static inline void gv_block(uint16_t *out, const uint8_t *const *rows, const vu16 *wv,
                            int r, size_t i)
{
	const uint8_t *m = rows[r] + i;
	vu16 s0 = wv[0] * vu16_load_u8(m), s1 = wv[0] * vu16_load_u8(m + VL16);
	for (int d = 1; d <= r; d++) {
		const uint8_t *a = rows[r - d] + i, *b = rows[r + d] + i;
		s0 += wv[d] * (vu16_load_u8(a) + vu16_load_u8(b));
		s1 += wv[d] * (vu16_load_u8(a + VL16) + vu16_load_u8(b + VL16));
	}
	vu16_store(out, s0);
	vu16_store(out + VL16, s1);
}

void TK_SIMD_FN(tk_filter_gauss_vert)(uint16_t *v, const uint8_t *const *rows,
                                      const uint16_t *w, int r, size_t n)
{
	vu16 wv[MAXR + 1];
	wv[0] = vu16_splat(w[0]);
	for (int d = 1; d <= r; d++)
		wv[d] = vu16_splat(w[d]);
	size_t i = n - n % VL8;
	for (size_t j = 0; j < i; j += VL8)
		gv_block(v + j, rows, wv, r, j);
	if (i == n)
		return;
	if (n >= VL8) {
		gv_block(v + n - VL8, rows, wv, r, n - VL8);
		return;
	}
	uint8_t t[2 * MAXR + 1][VL8];
	const uint8_t *tr[2 * MAXR + 1] = {NULL};
	uint16_t o[VL8];
	for (int k = 0; k <= 2 * r; k++) {
		memset(t[k], 0, VL8);
		memcpy(t[k], rows[k], n);
		tr[k] = t[k];
	}
	gv_block(o, tr, wv, r, 0);
	memcpy(v, o, n * sizeof *o);
}

/* ---- gaussian: horizontal pass, u16 sums to u8 ------------------------------------ */

/* The horizontal sums s = w0 p[0] + sum_d w_d (p[-dc] + p[+dc]) over VL8 elements,
 * in four vectors of 32-bit lanes (they reach 255 x 2^16), and the gaussian's one
 * rounding, b = (s + 2^15) >> 16. */
static inline void gh_blur(const uint16_t *p, const vu32 *wv, int r, size_t c, vu32 *b)
{
	vu32 s0 = wv[0] * vu32_load_u16(p), s1 = wv[0] * vu32_load_u16(p + VL32);
	vu32 s2 = wv[0] * vu32_load_u16(p + 2 * VL32), s3 = wv[0] * vu32_load_u16(p + 3 * VL32);
	for (int d = 1; d <= r; d++) {
		const uint16_t *a = p - (size_t)d * c, *z = p + (size_t)d * c;
		s0 += wv[d] * (vu32_load_u16(a) + vu32_load_u16(z));
		s1 += wv[d] * (vu32_load_u16(a + VL32) + vu32_load_u16(z + VL32));
		s2 += wv[d] * (vu32_load_u16(a + 2 * VL32) + vu32_load_u16(z + 2 * VL32));
		s3 += wv[d] * (vu32_load_u16(a + 3 * VL32) + vu32_load_u16(z + 3 * VL32));
	}
	const vu32 half = vu32_splat(1u << 15);
	b[0] = (s0 + half) >> 16;
	b[1] = (s1 + half) >> 16;
	b[2] = (s2 + half) >> 16;
	b[3] = (s3 + half) >> 16;
}

/* Sharpen's mix: round(p + a (p - b) / 256), ties to even, as a signed 16-bit value
 * (the saturating pack clamps it to 0..255).  With x = a (p - b) (|x| <= 25600 x 255)
 * split as hi 2^16 + lo (pmulhw, pmullw): floor(x / 256) = hi 2^8 + (lo >> 8), which
 * fits 16 bits, and x mod 256 = lo & 255; f = floor(x / 256) + p, plus one when the
 * remainder is above half, or exactly half with f odd. */
static inline vs16 sharpen_mix(vu16 p, vu16 b, vs16 a)
{
	vs16 d = (vs16)(p - b);
	/* the low half as an unsigned product: the same bits, without signed overflow */
	vu16 lo = (vu16)d * (vu16)a, hi = (vu16)vs16_mulhi(d, a);
	vs16 f = (vs16)((hi << 8) | (lo >> 8)) + (vs16)p;
	vu16 rem = lo & 255;
	const vu16 h = vu16_splat(128);
	vs16 up = (vs16)(rem > h) | ((vs16)(rem == h) & (vs16)((f & 1) != 0));
	return f - up; /* up is all ones (-1) where rounding up */
}

/* VL8 outputs: the blur itself, or (p non-NULL) sharpen's mix of p with it. */
static inline void gh_block(uint8_t *out, const uint16_t *mid, const vu32 *wv, int r,
                            size_t c, const uint8_t *p, vs16 a)
{
	vu32 b[4];
	gh_blur(mid, wv, r, c, b);
	vu16 lo = vu16_pack_u32(b[0], b[1]), hi = vu16_pack_u32(b[2], b[3]);
	if (p) {
		lo = (vu16)sharpen_mix(vu16_load_u8(p), lo, a);
		hi = (vu16)sharpen_mix(vu16_load_u8(p + VL16), hi, a);
	}
	vu8_store(out, vu8_pack_u16(lo, hi));
}

/* One row of the gaussian's horizontal pass (p NULL), or of sharpen (p the input row,
 * a = amount x 256), from the vertical sums mid with r c padding elements each side. */
static void gauss_horz(uint8_t *out, const uint16_t *mid, const uint16_t *w, int r, size_t c,
                       size_t n, const uint8_t *p, int32_t amount)
{
	vu32 wv[MAXR + 1];
	vs16 a = (vs16)vu16_splat((uint16_t)amount); /* amount <= 25600 */
	wv[0] = vu32_splat(w[0]);
	for (int d = 1; d <= r; d++)
		wv[d] = vu32_splat(w[d]);
	size_t i = n - n % VL8;
	for (size_t j = 0; j < i; j += VL8)
		gh_block(out + j, mid + j, wv, r, c, p ? p + j : NULL, a);
	if (i == n)
		return;
	if (n >= VL8) {
		i = n - VL8;
		gh_block(out + i, mid + i, wv, r, c, p ? p + i : NULL, a);
		return;
	}
	/* n < VL8: on zero-padded copies of the row (with its r c padding elements each
	 * side) and of p */
	uint16_t t[VL8 + 2 * MAXR * 4];
	uint8_t o[VL8], tp[VL8];
	size_t rc = (size_t)r * c;
	memset(t, 0, sizeof t);
	memcpy(t, mid - rc, (n + 2 * rc) * sizeof *t);
	memset(tp, 0, sizeof tp);
	if (p)
		memcpy(tp, p, n);
	gh_block(o, t + rc, wv, r, c, p ? tp : NULL, a);
	memcpy(out, o, n);
}

void TK_SIMD_FN(tk_filter_gauss_horz)(uint8_t *out, const uint16_t *mid, const uint16_t *w,
                                      int r, size_t c, size_t n)
{
	gauss_horz(out, mid, w, r, c, n, NULL, 0);
}

void TK_SIMD_FN(tk_filter_sharpen_horz)(uint8_t *out, const uint16_t *mid, const uint16_t *w,
                                        int r, size_t c, size_t n, const uint8_t *p,
                                        int32_t amount)
{
	gauss_horz(out, mid, w, r, c, n, p, amount);
}

/* ---- box ---------------------------------------------------------------------------- */

/* Column sums slide one row down: col += add - sub (sub NULL: col += add). */
void TK_SIMD_FN(tk_filter_box_col16)(uint16_t *restrict col, const uint8_t *restrict add,
                                     const uint8_t *restrict sub, size_t n)
{
	if (sub)
		for (size_t i = 0; i < n; i++)
			col[i] = (uint16_t)(col[i] + add[i] - sub[i]);
	else
		for (size_t i = 0; i < n; i++)
			col[i] = (uint16_t)(col[i] + add[i]);
}

void TK_SIMD_FN(tk_filter_box_col32)(uint32_t *restrict col, const uint8_t *restrict add,
                                     const uint8_t *restrict sub, size_t n)
{
	if (sub)
		for (size_t i = 0; i < n; i++)
			col[i] += (uint32_t)add[i] - sub[i];
	else
		for (size_t i = 0; i < n; i++)
			col[i] += add[i];
}

/* round(s / d) for d = k^2 (k = 3, 5, ... 15) and s <= 255 d in 16-bit lanes:
 * floor((s + (d - 1) / 2) M / 2^(16 + sh)) with M = ceil(2^(16 + sh) / d) < 2^16, the
 * high half of the product (pmulhuw) shifted by sh, exact for every such s (the unit
 * test "box rounds every window sum" checks each one in every variant). */
static const struct {
	uint16_t mul, shift;
} box_magic[8] = {{0, 0},     {58255, 3}, {41944, 4}, {42800, 5},
                  {51782, 6}, {34664, 6}, {49637, 7}, {37283, 7}};

/* VL8 outputs of a box row: the window sums col[-rc] .. col[+rc] along the row, in
 * 16-bit lanes (255 x 225 < 2^16), then the rounded division. */
static inline void box_block(uint8_t *out, const uint16_t *p, int r, size_t c, vu16 half,
                             vu16 mul, int sh)
{
	vu16 s0 = vu16_load(p), s1 = vu16_load(p + VL16);
	for (int d = 1; d <= r; d++) {
		const uint16_t *a = p - (size_t)d * c, *b = p + (size_t)d * c;
		s0 += vu16_load(a) + vu16_load(b);
		s1 += vu16_load(a + VL16) + vu16_load(b + VL16);
	}
	vu16 q0 = vu16_mulhi(s0 + half, mul) >> sh, q1 = vu16_mulhi(s1 + half, mul) >> sh;
	vu8_store(out, vu8_pack_u16(q0, q1));
}

/* One row of a box filter up to 15 x 15 (r 1 to 7) from the column sums col (with r c
 * padding elements each side). */
void TK_SIMD_FN(tk_filter_box_row16)(uint8_t *out, const uint16_t *col, int r, size_t c,
                                     size_t n)
{
	uint16_t d = (uint16_t)((2 * r + 1) * (2 * r + 1));
	vu16 half = vu16_splat((uint16_t)((d - 1) / 2)), mul = vu16_splat(box_magic[r].mul);
	int sh = box_magic[r].shift;
	size_t i = n - n % VL8;
	for (size_t j = 0; j < i; j += VL8)
		box_block(out + j, col + j, r, c, half, mul, sh);
	if (i == n)
		return;
	if (n >= VL8) {
		i = n - VL8;
		box_block(out + i, col + i, r, c, half, mul, sh);
		return;
	}
	uint16_t t[VL8 + 2 * 7 * 4];
	uint8_t o[VL8];
	size_t rc = (size_t)r * c;
	memset(t, 0, sizeof t);
	memcpy(t, col - rc, (n + 2 * rc) * sizeof *t);
	box_block(o, t + rc, r, c, half, mul, sh);
	memcpy(out, o, n);
}

/* round(s / d), exactly: d = k^2 is odd, so s / d is never halfway, and it lies at
 * least 1 / (2d) from a halfway point, far beyond the error of s * (1 / d) in double. */
static void box_divide(uint8_t *restrict out, const uint32_t *restrict acc, double inv,
                       size_t m)
{
	for (size_t i = 0; i < m; i++)
		out[i] = (uint8_t)((double)acc[i] * inv + 0.5);
}

/* One row of a larger box filter from the padded column sums: prefix sums along the
 * row per channel into pre (n + (2r + 1) c elements), then window differences. */
void TK_SIMD_FN(tk_filter_box_row32)(uint8_t *out, const uint32_t *col, int r, size_t c,
                                     size_t n, uint32_t *pre)
{
	size_t k = 2 * (size_t)r + 1, np = n + 2 * (size_t)r * c;
	const uint32_t *p = col - (size_t)r * c;
	for (size_t ch = 0; ch < c; ch++) {
		uint32_t run = 0;
		pre[ch] = 0;
		for (size_t i = ch; i < np; i += c) {
			run += p[i];
			pre[i + c] = run;
		}
	}
	double inv = 1.0 / ((double)k * (double)k);
	uint32_t acc[CHUNK];
	for (size_t x0 = 0; x0 < n; x0 += CHUNK) {
		size_t m = n - x0 < CHUNK ? n - x0 : CHUNK;
		const uint32_t *q = pre + x0;
		for (size_t i = 0; i < m; i++)
			acc[i] = q[i + k * c] - q[i];
		box_divide(out + x0, acc, inv, m);
	}
}

/* ---- sobel -------------------------------------------------------------------------- */

/* Vertical parts of both gradients: smoothing a + 2b + d and difference d - a. */
void TK_SIMD_FN(tk_filter_sobel_vert)(int16_t *restrict sm, int16_t *restrict df,
                                      const uint8_t *restrict a, const uint8_t *restrict b,
                                      const uint8_t *restrict d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sm[i] = (int16_t)(a[i] + 2 * b[i] + d[i]);
		df[i] = (int16_t)(d[i] - a[i]);
	}
}

/* round(sqrt(gx^2 + gy^2)) exactly, saturated to 255, in integers only:
 * round(sqrt(m)) >= k exactly when m > k^2 - k (as (k - 1/2)^2 is never an integer),
 * so a branch-free binary search over k in 0..255 finds it (and vectorizes). */
void TK_SIMD_FN(tk_filter_sobel_mag)(uint8_t *restrict out, const int16_t *restrict sm,
                                     const int16_t *restrict df, size_t c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int32_t gx = sm[i + c] - sm[i - c];
		int32_t gy = df[i - c] + 2 * df[i] + df[i + c];
		int32_t m2 = gx * gx + gy * gy, q = 0, t;
#define SQRT_STEP(bit) (t = q + (bit), q = m2 > t * t - t ? t : q)
		SQRT_STEP(128), SQRT_STEP(64), SQRT_STEP(32), SQRT_STEP(16);
		SQRT_STEP(8), SQRT_STEP(4), SQRT_STEP(2), SQRT_STEP(1);
#undef SQRT_STEP
		out[i] = (uint8_t)q;
	}
}

/* ---- median ------------------------------------------------------------------------- */

#define VSORT2(a, b)                                                                  \
	do {                                                                          \
		vu8 t_ = vu8_min(a, b);                                               \
		b = vu8_max(a, b);                                                    \
		a = t_;                                                               \
	} while (0)

static inline vu8 vmed3(vu8 a, vu8 b, vu8 c)
{
	return vu8_max(vu8_min(a, b), vu8_min(vu8_max(a, b), c));
}

/* 3x3 over VL8 elements: out[i] from columns i, i + c, i + 2c of rows a, b, d; each
 * column of three sorted, then med3(max of the lows, med3 of the middles, min of the
 * highs) is the median of the nine. */
static inline void median3_block(uint8_t *out, const uint8_t *a, const uint8_t *b,
                                 const uint8_t *d, size_t c)
{
	vu8 l[3], m[3], h[3];
	for (int k = 0; k < 3; k++) {
		size_t j = (size_t)k * c;
		vu8 p = vu8_load(a + j), q = vu8_load(b + j), t = vu8_load(d + j);
		VSORT2(p, q);
		VSORT2(q, t);
		VSORT2(p, q);
		l[k] = p;
		m[k] = q;
		h[k] = t;
	}
	vu8 lo = vu8_max(vu8_max(l[0], l[1]), l[2]);
	vu8 mi = vmed3(m[0], m[1], m[2]);
	vu8 hi = vu8_min(vu8_min(h[0], h[1]), h[2]);
	vu8_store(out, vmed3(lo, mi, hi));
}

/* out[0..n) from rows a, b, d that start one pixel (c elements) left of out's first
 * and hold n + 2c elements. */
void TK_SIMD_FN(tk_filter_median3)(uint8_t *out, const uint8_t *a, const uint8_t *b,
                                   const uint8_t *d, size_t c, size_t n)
{
	size_t i = 0;
	for (; i + VL8 <= n; i += VL8)
		median3_block(out + i, a + i, b + i, d + i, c);
	if (i == n)
		return;
	if (n >= VL8) {
		i = n - VL8;
		median3_block(out + i, a + i, b + i, d + i, c);
		return;
	}
	uint8_t t[3][VL8 + 8], o[VL8];
	const uint8_t *src[3] = {a, b, d};
	for (int k = 0; k < 3; k++) {
		memset(t[k], 0, sizeof t[k]);
		memcpy(t[k], src[k], n + 2 * c);
	}
	median3_block(o, t[0], t[1], t[2], c);
	memcpy(out, o, n);
}

/* 5x5: forgetful selection on 25 values: keep 14, move their minimum and maximum to
 * the ends and drop both, take in the next value, ... until three are left, whose
 * middle is the median.  NB blocks of VL8 elements at once, whose selections are
 * independent so that their dependency chains overlap (two: measured faster than one
 * even where the two working sets spill from 16 vector registers). */
#ifndef NB
#define NB 2
#endif

static inline void median25(const uint8_t *const *p, vu8 *med)
{
	vu8 v[NB][14];
#pragma GCC unroll 14
	for (int k = 0; k < 14; k++)
		for (int b = 0; b < NB; b++)
			v[b][k] = vu8_load(p[k] + b * VL8);
	/* the working set is v[step..14).  Each step pairs it up, takes the minimum from
	 * the pairs' lows into v[step] (then dropped) and the maximum from the highs into
	 * v[13] (then replaced by the newcomer); an unpaired v[13] joins both searches. */
#pragma GCC unroll 12
	for (int step = 0; step < 12; step++) {
		const int np = (14 - step) / 2, odd = (14 - step) & 1;
#pragma GCC unroll 7
		for (int j = 0; j < np; j++)
			for (int b = 0; b < NB; b++)
				VSORT2(v[b][step + 2 * j], v[b][step + 2 * j + 1]);
#pragma GCC unroll 7
		for (int j = 1; j < np; j++)
			for (int b = 0; b < NB; b++)
				VSORT2(v[b][step], v[b][step + 2 * j]);
		if (odd)
			for (int b = 0; b < NB; b++)
				VSORT2(v[b][step], v[b][13]);
#pragma GCC unroll 7
		for (int j = 0; j < np; j++) {
			if (step + 2 * j + 1 == 13)
				continue;
			for (int b = 0; b < NB; b++)
				VSORT2(v[b][step + 2 * j + 1], v[b][13]);
		}
		if (step < 11)
			for (int b = 0; b < NB; b++)
				v[b][13] = vu8_load(p[14 + step] + b * VL8);
	}
	for (int b = 0; b < NB; b++)
		med[b] = v[b][12];
}

static inline void median5_block(uint8_t *out, const uint8_t *const *rows, size_t c,
                                 size_t i)
{
	const uint8_t *p[25];
	for (int k = 0; k < 25; k++)
		p[k] = rows[k / 5] + i + (size_t)(k % 5) * c;
	vu8 m[NB];
	median25(p, m);
	for (int b = 0; b < NB; b++)
		vu8_store(out + i + b * VL8, m[b]);
}

/* out[0..n) from five rows that start two pixels (2c elements) left of out's first
 * and hold n + 4c elements. */
void TK_SIMD_FN(tk_filter_median5)(uint8_t *out, const uint8_t *const *rows, size_t c,
                                   size_t n)
{
	const size_t blk = NB * VL8;
	size_t i = 0;
	for (; i + blk <= n; i += blk)
		median5_block(out, rows, c, i);
	if (i == n)
		return;
	if (n >= blk) {
		median5_block(out, rows, c, n - blk);
		return;
	}
	uint8_t t[5][NB * VL8 + 16], o[NB * VL8];
	const uint8_t *tr[5];
	for (int k = 0; k < 5; k++) {
		memset(t[k], 0, sizeof t[k]);
		memcpy(t[k], rows[k], n + 4 * c);
		tr[k] = t[k];
	}
	median5_block(o, tr, c, 0);
	memcpy(out, o, n);
}

/* ---- point filters -------------------------------------------------------------------- */

/* OpenCV 4.6's 15-bit RGB-to-gray weights, (9798 R + 19235 G + 3735 B + 2^14) >> 15,
 * in 16-bit lanes: with each weight split as 256 h + l (h = 38, 75, 14; l = 70, 35,
 * 151), H = 38 R + 75 G + 14 B <= 32385 and L = 70 R + 35 G + 151 B <= 65280 both fit,
 * and floor((256 H + L + 2^14) / 2^15) = (H + (L >> 8) + 64) >> 7 exactly. */
static inline uint8_t gray_px(const uint8_t *p)
{
	uint16_t r = p[0], g = p[1], b = p[2];
	uint16_t h = (uint16_t)(38 * r + 75 * g + 14 * b);
	uint16_t l = (uint16_t)(70 * r + 35 * g + 151 * b);
	return (uint8_t)((uint16_t)(h + (l >> 8) + 64) >> 7);
}

/* VL8 RGB pixels to gray, the same formula in 32-bit lanes (a multiply-add of the
 * shuffled bytes: vec.h); reads 4 bytes past its 3 VL8. */
static inline void gray3_block(uint8_t *out, const uint8_t *a)
{
	vu32 s[4];
	const vu32 half = vu32_splat(1u << 14);
	for (int k = 0; k < 4; k++)
		s[k] = (vu32_dot3_u8(a + 3 * k * VL32, 9798, 19235, 3735) + half) >> 15;
	vu8_store(out, vu8_pack_u16(vu16_pack_u32(s[0], s[1]), vu16_pack_u32(s[2], s[3])));
}

/* w pixels of c >= 3 channels to c - 2 (alpha copied). */
void TK_SIMD_FN(tk_filter_gray)(uint8_t *restrict out, const uint8_t *restrict a, size_t w,
                                int c)
{
	if (c == 3) {
		size_t x = 0;
		for (; 3 * (x + VL8) + 4 <= 3 * w; x += VL8)
			gray3_block(out + x, a + 3 * x);
		while (x < w) { /* the rest (at most VL8 + 1 pixels) through zero-padded copies */
			uint8_t t[3 * VL8 + 4], o[VL8];
			size_t m = w - x < VL8 ? w - x : VL8;
			memset(t, 0, sizeof t);
			memcpy(t, a + 3 * x, 3 * m);
			gray3_block(o, t);
			memcpy(out + x, o, m);
			x += m;
		}
		return;
	}
	for (size_t x = 0; x < w; x++) {
		out[x * 2] = gray_px(a + x * 4);
		out[x * 2 + 1] = a[x * 4 + 3];
	}
}

/* invert (op 0: 255 - p) and threshold (op 1: 255 where p > level, else 0) on VL8
 * elements. */
static inline vu8 point_op(int op, vu8 x, vu8 level)
{
	return op ? (vu8)(x > level) : vu8_splat(255) - x;
}

/* m < VL8 elements through a zero-padded copy (safe when out is a). */
static inline void point_part(uint8_t *out, const uint8_t *a, size_t m, int op, vu8 level)
{
	uint8_t t[VL8];
	memset(t, 0, sizeof t);
	memcpy(t, a, m);
	vu8_store(t, point_op(op, vu8_load(t), level));
	memcpy(out, t, m);
}

/* A row of a point filter; stream: store around the caches (the output is too large to
 * stay in them), from the first aligned element on.  Each element is read before it
 * is written, so out may be a. */
static void point_row(uint8_t *out, const uint8_t *a, size_t n, int op, uint8_t lv, int stream)
{
	vu8 level = vu8_splat(lv);
	size_t i = 0;
	if (stream && n >= 2 * VL8) {
		i = (VL8 - (uintptr_t)out % VL8) % VL8;
		point_part(out, a, i, op, level);
		for (; i + VL8 <= n; i += VL8)
			vu8_store_stream(out + i, point_op(op, vu8_load(a + i), level));
		vec_stream_fence();
	} else {
		for (; i + VL8 <= n; i += VL8)
			vu8_store(out + i, point_op(op, vu8_load(a + i), level));
	}
	point_part(out + i, a + i, n - i, op, level);
}

void TK_SIMD_FN(tk_filter_invert)(uint8_t *out, const uint8_t *a, size_t n, int stream)
{
	point_row(out, a, n, 0, 0, stream);
}

void TK_SIMD_FN(tk_filter_threshold)(uint8_t *out, const uint8_t *a, uint8_t level, size_t n,
                                     int stream)
{
	point_row(out, a, n, 1, level, stream);
}
