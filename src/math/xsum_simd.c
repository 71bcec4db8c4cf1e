/*
 * xsum_simd.c: the exact accumulator's block split (xsum.c's fast path), one source for
 * every vector variant (compiled once per variant: see tk/simd.h and vec.h).
 *
 * Rule: every operation here is exact (Rump's error-free extraction: q = (x + c1) - c1,
 * r = x - q, p = (r + c2) - c2, and sums of up to TK_XSUM_BLOCK q or p, which are
 * multiples of one power of two below 2^53 of it), or an integer max, so the order is
 * free and every variant gives the same bits.
 */
#include <stddef.h>

#include "simd/dispatch.h"
#include "reduce/reduce_simd.h"
#include "tk/xsum.h"
#include "simd/vec.h"

#define LANES 16
#define NV (LANES / VL)

typedef struct split_acc {
	vd s1, s2;
	vi rest, ym;
} split_acc;

/* 16 values of x (and of y when with_y) into the sums. */
static inline __attribute__((always_inline)) void
split16(split_acc *s, const double *x, const double *y, int with_y, vd C1, vd C2)
{
	const vi absm = vi_splat(INT64_MAX);
	vd qs, ps;
#pragma GCC unroll 16
	for (int j = 0; j < NV; j++) {
		if (with_y) {
			vi u = (vi)vu_load(y + j * VL) & absm;
			s->ym = vi_sel(u > s->ym, u, s->ym); /* nonnegative: signed order is fine */
		}
		vd v = vd_load(x + j * VL);
		vd q = (v + C1) - C1, r = v - q, p = (r + C2) - C2;
		qs = j ? qs + q : q;
		ps = j ? ps + p : p;
		s->rest |= (vi)r ^ (vi)p; /* r - p != 0: the bits differ */
	}
	s->s1 += qs;
	s->s2 += ps;
}

/* The split of x[0..n) (n <= TK_XSUM_BLOCK, no NaN or inf, every |x| < 2^e where c1,
 * c2 = tk_xsum_split_consts(e)) into o->t1, o->t2 and o->rest; when y is given, also
 * the largest magnitude (as bits) of y[0..ny), ny <= n (the next block, so that its
 * loads overlap this block's arithmetic), into o->next_max (else 0).  The remainder of
 * a group of 16 is padded with zeros, which add nothing. */
void TK_SIMD_FN(tk_xsum_split_block)(const double *x, size_t n, double c1, double c2,
                                     const double *y, size_t ny, tk_xsum_split *o)
{
	const vd C1 = vd_splat(c1), C2 = vd_splat(c2);
	split_acc s = {vd_splat(0.0), vd_splat(0.0), vi_splat(0), vi_splat(0)};
	size_t n16 = n / LANES * LANES, ny16 = y ? ny / LANES * LANES : 0, i = 0;
	for (; i < ny16; i += LANES) {
		/* two blocks ahead (through an integer: no out-of-bounds pointer is formed) */
		__builtin_prefetch((const void *)((uintptr_t)(x + i) + 2 * TK_XSUM_BLOCK * 8));
		__builtin_prefetch((const void *)((uintptr_t)(x + i + 8) + 2 * TK_XSUM_BLOCK * 8));
		split16(&s, x + i, y + i, 1, C1, C2);
	}
	for (; i < n16; i += LANES) {
		__builtin_prefetch((const void *)((uintptr_t)(x + i) + 2 * TK_XSUM_BLOCK * 8));
		__builtin_prefetch((const void *)((uintptr_t)(x + i + 8) + 2 * TK_XSUM_BLOCK * 8));
		split16(&s, x + i, NULL, 0, C1, C2);
	}
	double tx[LANES] = {0}, ty[LANES] = {0};
	for (size_t j = n16; j < n; j++)
		tx[j - n16] = x[j];
	for (size_t j = ny16; y && j < ny; j++)
		ty[j - ny16] = y[j];
	if (n16 < n || ny16 < ny)
		split16(&s, tx, ty, y != NULL, C1, C2);
	double t1 = 0.0, t2 = 0.0;
	uint64_t rest = 0, m = 0;
	for (int l = 0; l < VL; l++) {
		t1 += s.s1[l];
		t2 += s.s2[l];
		rest |= (uint64_t)s.rest[l];
		m = (uint64_t)s.ym[l] > m ? (uint64_t)s.ym[l] : m;
	}
	o->t1 = t1;
	o->t2 = t2;
	o->rest = rest;
	o->next_max = m;
}
