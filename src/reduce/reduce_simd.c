/*
 * reduce_simd.c: the reduce family's hot loops, one source for every vector variant
 * (compiled once per variant: see tk/simd.h and vec.h): the stats scan of a block, the
 * shifted sums alone, the histogram's bin codes and the bandwidth probe's read loop.
 *
 * Rule: the floating-point sums keep 16 logical lanes (lane l takes the values
 * i + l, i = 0, 16, 32, ...) and one fixed tree (lane l += lane l + w for w = 8, 4, 2,
 * 1), whatever the vector width, so every variant gives the bits of the scalar one.  A
 * variant whose vectors hold fewer than 16 lanes in four registers goes over the block
 * once per group of lanes (the block is in L1 after the first), so that its
 * accumulators stay in registers; the order of the additions per lane is unchanged.
 * Everything else here is exact (the exact accumulator's split, integer counts) or an
 * elementwise function of one value (bin codes), so its order is free.
 */
#include <math.h>
#include <stddef.h>

#include "simd/dispatch.h"
#include "reduce/reduce_simd.h"
#include "simd/vec.h"

#define LANES 16
/* vectors of each accumulator per pass (as many as the registers hold), lanes per
 * pass, passes */
#define GV_MAX (TK_VREGS >= 32 ? 4 : 1)
#define GV (LANES / VL < GV_MAX ? LANES / VL : GV_MAX)
#define GL (GV * VL)
#define NPASS (LANES / GL)

/* Loads are requested 16 KiB ahead into L1, so that memory traffic overlaps the
 * arithmetic (on this project's Sapphire Rapids machine a further prefetch into L2 64
 * KiB ahead gained ~5%; on the Zen 5 one it cost 4-10%, in-process interleaved runs
 * over 1 GiB, so it is gone).  Through an integer, so that no out-of-bounds pointer is
 * formed near the end (a prefetch of any address is harmless). */
#define AHEAD_L1 (2048 * 8)
#define PREFETCH_L1(p) __builtin_prefetch((const void *)((uintptr_t)(p) + AHEAD_L1), 0, 3)
/* which pass issues prefetch j of the two per group of 16 values (128 bytes) */
#define PF_PASS(j) ((j) * NPASS / 2)
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* The fixed tree over the 16 lane sums. */
static double lane_tree(double *a)
{
	for (int w = LANES / 2; w >= 1; w /= 2)
		for (int l = 0; l < w; l++)
			a[l] += a[l + w];
	return a[0];
}

static ALWAYS_INLINE double vd_hmin(vd v)
{
	double m = v[0];
	for (int l = 1; l < VL; l++)
		m = v[l] < m ? v[l] : m;
	return m;
}
static ALWAYS_INLINE double vd_hmax(vd v)
{
	double m = v[0];
	for (int l = 1; l < VL; l++)
		m = v[l] > m ? v[l] : m;
	return m;
}

/* Pass p of block_scan: lanes [p GL, p GL + GL) of the d sums into A and B, and this
 * pass's min, max, split sums and rest folded into the scalars. */
static ALWAYS_INLINE void scan_pass(const double *x, size_t len, int p, double K, double c1,
                                    double c2, double *A, double *B, double *mn, double *mx,
                                    double *t1, double *t2, uint64_t *rest)
{
	const vd k = vd_splat(K), C1 = vd_splat(c1), C2 = vd_splat(c2);
	vd a[GV], b[GV], lo = vd_splat(INFINITY), hi = vd_splat(-INFINITY);
	vd q1 = vd_splat(0.0), q2 = vd_splat(0.0);
	vi r = vi_splat(0);
	for (int j = 0; j < GV; j++)
		a[j] = b[j] = vd_splat(0.0);
	const double *xp = x + p * GL;
	for (size_t i = 0; i < len; i += LANES) {
		if (p == PF_PASS(0))
			PREFETCH_L1(x + i);
		if (p == PF_PASS(1))
			PREFETCH_L1(x + i + 8);
		vd qs, ps;
#pragma GCC unroll 4
		for (int j = 0; j < GV; j++) {
			vd v = vd_load(xp + i + j * VL);
			lo = vd_min(v, lo);
			hi = vd_max(v, hi);
			/* vd_add1/vd_sub1 are plain sums issued on the multiply ports */
			vd d = vd_sub1(v, k);
			a[j] += d;
			b[j] += d * d;
			/* the exact accumulator's split (xsum.h): exact, so in any order */
			vd q = vd_add1(v, C1) - C1, rv = vd_sub1(v, q), pv = vd_add1(rv, C2) - C2;
			qs = j ? qs + q : q;
			ps = j ? ps + pv : pv;
			r |= (vi)rv ^ (vi)pv; /* r - p != 0: the bits differ */
		}
		q1 += qs;
		q2 += ps;
	}
	for (int j = 0; j < GV; j++) {
		vd_store(A + p * GL + j * VL, a[j]);
		vd_store(B + p * GL + j * VL, b[j]);
	}
	double l = vd_hmin(lo), h = vd_hmax(hi);
	*mn = l < *mn ? l : *mn;
	*mx = h > *mx ? h : *mx;
	for (int l2 = 0; l2 < VL; l2++) {
		*t1 += q1[l2];
		*t2 += q2[l2];
		*rest |= (uint64_t)r[l2];
	}
}

/* min, max, the sums of d = x - K and d * d, and the exact accumulator's split with
 * constants c1, c2 (xsum.h) in one read of the block x[0..len), len a multiple of 16.
 * Returns 0 when the block may hold NaN or inf (the d sums are then NaN or inf: a NaN
 * never wins a comparison, so min/max alone would not show it), or when a finite d * d
 * overflowed; the caller then takes its careful path and ignores *o. */
int TK_SIMD_FN(tk_reduce_scan_block)(const double *x, size_t len, double K, double c1,
                                     double c2, tk_reduce_scan *o)
{
	double A[LANES], B[LANES], mn = INFINITY, mx = -INFINITY, t1 = 0.0, t2 = 0.0;
	uint64_t rest = 0;
	for (int p = 0; p < NPASS; p++)
		scan_pass(x, len, p, K, c1, c2, A, B, &mn, &mx, &t1, &t2, &rest);
	o->s1 = lane_tree(A);
	o->s2 = lane_tree(B);
	/* which zero wins a tie of -0.0 and +0.0 depends on the order; make it +0.0 */
	o->mn = mn + 0.0;
	o->mx = mx + 0.0;
	o->t1 = t1;
	o->t2 = t2;
	o->rest = rest != 0;
	return isfinite(o->s1) && isfinite(o->s2);
}

/* The sums of d = x - K and d * d over x[0..len) (any len) in the lanes and tree of
 * tk_reduce_scan_block, so both give the same bits on a full block: value i goes to
 * lane i % 16. */
void TK_SIMD_FN(tk_reduce_dsums)(const double *x, size_t len, double K, double *s1,
                                 double *s2)
{
	double A[LANES], B[LANES], tail[LANES] = {0};
	size_t full = len / LANES * LANES;
	for (size_t i = full; i < len; i++)
		tail[i - full] = x[i];
	const vd k = vd_splat(K);
	vi iota;
	for (int l = 0; l < VL; l++)
		iota[l] = l;
	for (int p = 0; p < NPASS; p++) {
		vd a[GV], b[GV];
		for (int j = 0; j < GV; j++)
			a[j] = b[j] = vd_splat(0.0);
		const double *xp = x + p * GL;
		for (size_t i = 0; i < full; i += LANES) {
#pragma GCC unroll 4
			for (int j = 0; j < GV; j++) {
				vd d = vd_load(xp + i + j * VL) - k;
				a[j] += d;
				b[j] += d * d;
			}
		}
		for (int j = 0; j < GV; j++) { /* the lanes that the tail reaches */
			vi in = iota + (int64_t)(p * GL + j * VL) < vi_splat((int64_t)(len - full));
			vd d = vd_load(tail + p * GL + j * VL) - k;
			a[j] = vd_sel(in, a[j] + d, a[j]);
			b[j] = vd_sel(in, b[j] + d * d, b[j]);
			vd_store(A + p * GL + j * VL, a[j]);
			vd_store(B + p * GL + j * VL, b[j]);
		}
	}
	*s1 = lane_tree(A);
	*s2 = lane_tree(B);
}

/* ---- the histogram ------------------------------------------------------------ */

/* Constants of the bin computation over [lo, hi] in `bins` bins. */
typedef struct bin_consts {
	vd lo, hi, norm, step, last, bins, one, two, three, big, inf;
} bin_consts;

/* 1.0 where m is true, else 0.0 */
static ALWAYS_INLINE vd vd_ones(vi m, vd one) { return (vd)(m & (vi)one); }

/* The bins of VL values w in [lo, hi], as the bits of 2^52 + bin (so the low 32 bits
 * are the bin), by numpy.histogram's rule: k = (w - lo) * norm truncated (numpy casts
 * to intp), clamped to the last bin, then one down where w < edges[k] and one up where
 * w >= edges[k + 1] and k is not the last (the edges ascend, so at most one applies).
 * The edges i * step + lo are computed as tk_reduce_edges does, with the same
 * operations, so the same bits, instead of being gathered.  Every integer here is
 * exact in a double.  A degenerate range (hi - lo subnormal, or beyond the double
 * range) makes y NaN or inf: the clamp then gives the last bin, never an index out of
 * the histogram. */
static ALWAYS_INLINE vi bin_core(vd w, const bin_consts *c)
{
	vd kd = vd_min(vd_trunc_nonneg((w - c->lo) * c->norm), c->last);
	vd e0 = kd * c->step + c->lo, e1 = (kd + c->one) * c->step + c->lo;
	vi k = (vi)(kd + c->big);
	return k + (w < e0) - ((w >= e1) & (kd != c->last)); /* masks are -1 */
}

/* The codes of VL values, in the low 32 bits of each lane: the bin 0..bins-1, or bins
 * (below lo), bins + 1 (above hi), bins + 2 (NaN), bins + 3 (-inf), bins + 4 (+inf). */
static ALWAYS_INLINE vi bin_vec(vd v, const bin_consts *c)
{
	vi in = (v >= c->lo) & (v <= c->hi);
	if (vi_all(in))
		return bin_core(v, c);
	vi isinf = (v == c->inf) | (v == -c->inf);
	vd out = c->bins + vd_ones(v > c->hi, c->one) + vd_ones(v != v, c->two) +
	         vd_ones(isinf, c->three);
	return vi_sel(in, bin_core(vd_sel(in, v, c->lo), c), (vi)(out + c->big));
}

/* Codes (see bin_vec) of x[0..len) into code[0..len); lo < hi finite, bins >= 1. */
void TK_SIMD_FN(tk_reduce_bin_codes)(const double *x, size_t len, double lo, double hi,
                                     uint32_t bins, uint32_t *code)
{
	bin_consts c;
	c.lo = vd_splat(lo);
	c.hi = vd_splat(hi);
	c.norm = vd_splat((double)bins / (hi - lo));
	c.step = vd_splat((hi - lo) / (double)bins);
	c.last = vd_splat((double)bins - 1.0);
	c.bins = vd_splat((double)bins);
	c.one = vd_splat(1.0);
	c.two = vd_splat(2.0);
	c.three = vd_splat(3.0);
	c.big = vd_splat(0x1p52);
	c.inf = vd_splat(INFINITY);
	size_t i = 0;
	for (; i + VL <= len; i += VL) {
		PREFETCH_L1(x + i);
		vu_store_lo32(code + i, (vu)bin_vec(vd_load(x + i), &c));
	}
	if (i < len) { /* the remainder, padded with in-range values */
		double t[VL];
		uint32_t k[VL];
		for (int l = 0; l < VL; l++)
			t[l] = i + (size_t)l < len ? x[i + (size_t)l] : lo;
		vu_store_lo32(k, (vu)bin_vec(vd_load(t), &c));
		for (size_t l = 0; i + l < len; l++)
			code[i + l] = k[l];
	}
}

/* ---- the bandwidth probe ------------------------------------------------------- */

/* The sum of a[0..n), in 16 lanes held in registers; exact (and so the same in every
 * variant) while every partial sum is an integer below 2^53, as the probe's data are. */
double TK_SIMD_FN(tk_membw_sum)(const double *a, size_t n)
{
	double total = 0.0;
	size_t i = 0;
	for (; i < n && ((uintptr_t)(a + i) & 63) != 0; i++) /* to a cache line */
		total += a[i];
	vd acc[LANES / VL];
	for (int j = 0; j < LANES / VL; j++)
		acc[j] = vd_splat(0.0);
	for (; i + LANES <= n; i += LANES) {
#pragma GCC unroll 16
		for (int j = 0; j < LANES / VL; j++)
			acc[j] += vd_load(a + i + j * VL);
	}
	for (; i < n; i++)
		total += a[i];
	for (int j = 0; j < LANES / VL; j++)
		for (int l = 0; l < VL; l++)
			total += acc[j][l];
	return total;
}
