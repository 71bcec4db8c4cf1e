/*
 * montecarlo_simd.c: the Monte Carlo kernels' inner loops (pi, option, NPB EP), one
 * source for every vector variant (compiled once per variant: see tk/simd.h and vec.h).
 *
 * Rule: lane by lane the arithmetic is the scalar definition (tk_philox4x32_10, the
 * uniforms of tk/rng.h, tk_exp/tk_log/tk_sincos_2pi of src/simd/tkmath.h, NPB's EP
 * formulas), and every floating sum has a fixed order of logical lanes that does not
 * depend on VL, so every variant gives the same bits (the unit tests compare each with
 * an independent scalar reference, remainders included).  Philox runs in registers
 * (philox_vec.h).
 */
#include "simd/dispatch.h"
#include "math/philox_vec.h"
#include "tk/montecarlo.h"
#include "tk/rng.h"
#include "simd/vec.h"
#include "simd/vec_math.h"

/* ---- pi ------------------------------------------------------------------------ */

/* Hits of Philox blocks [first, first + n) of the pi stream (two samples each);
 * n is a multiple of 16 (so of VL). */
uint64_t TK_SIMD_FN(tk_mc_pi_hits_lanes)(tk_philox_key key, uint64_t first, uint64_t n)
{
	const vd scale = vd_splat(0x1p-32), one = vd_splat(1.0);
	vu ks[20];
	philox_keys(key, ks);
	vi acc = vi_splat(0);
	for (uint64_t i = 0; i < n; i += VL) {
		vu x0, x1, x2 = vu_splat(TK_STREAM_PI), x3 = vu_splat(0);
		block_words(first + i, &x0, &x1);
		philox_lanes(&x0, &x1, &x2, &x3, ks);
		vd a = vd_from_u32_plus(x0, 0.5) * scale, b = vd_from_u32_plus(x1, 0.5) * scale;
		vd c = vd_from_u32_plus(x2, 0.5) * scale, d = vd_from_u32_plus(x3, 0.5) * scale;
		/* -1 per hit; each lane loses at most 2 per group: no overflow below 2^62 */
		acc += (a * a + b * b <= one) + (c * c + d * d <= one);
	}
	return (uint64_t)vi_count(acc);
}

/* ---- European option ------------------------------------------------------------ */

#define OPT_LANES 16 /* logical lanes of the payoff sums */
#define NV (OPT_LANES / VL)

/* tk_u01_52(hi, lo) per lane: (k + 1/2) 2^-52, k = (hi >> 12) 2^32 + lo, through the
 * 2^52 bias (exact: k + 1/2 needs 53 bits). */
static inline vd u01_52(vu hi, vu lo)
{
	vu k = (((hi & 0xFFFFFFFFu) >> 12) << 32) | (lo & 0xFFFFFFFFu);
	return ((vd)(k | 0x4330000000000000u) - vd_splat(0x1p52 - 0.5)) * 0x1p-52;
}

static inline vd payoff(const tk_mc_option_terms *t, vd z)
{
	vd st = t->spot * vd_exp(t->drift + t->vol * z);
	return vd_max(t->sign * (st - t->strike), vd_splat(0.0));
}

/* Payoff sums of samples [lo, hi), lo a multiple of 2 OPT_LANES (see
 * tk_mc_option_sums in tk/montecarlo.h for the order). */
void TK_SIMD_FN(tk_mc_option_lanes)(const tk_mc_option_terms *t, uint64_t lo, uint64_t hi,
                                    double s[2])
{
	vu ks[20];
	philox_keys(tk_philox_seed(t->seed), ks);
	vd sum[NV], sq[NV];
	for (int v = 0; v < NV; v++)
		sum[v] = sq[v] = vd_splat(0.0);
	vu iota2;
	for (int l = 0; l < VL; l++)
		iota2[l] = 2 * (uint64_t)l;
	/* each step runs over all OPT_LANES / VL vectors before the next one, so that
	 * their long dependency chains (Philox, log, exp) overlap in the core */
	for (uint64_t j0 = lo / 2; 2 * j0 < hi; j0 += OPT_LANES) {
		vd u1[NV], u2[NV], rho[NV], sn[NV], cs[NV];
		for (int v = 0; v < NV; v++) {
			vu x0, x1, x2 = vu_splat(TK_STREAM_OPTION), x3 = vu_splat(0);
			block_words(j0 + (uint64_t)(v * VL), &x0, &x1);
			philox_lanes(&x0, &x1, &x2, &x3, ks);
			u1[v] = u01_52(x0, x1);
			u2[v] = u01_52(x2, x3);
		}
		for (int v = 0; v < NV; v++)
			rho[v] = vd_sqrt(-2.0 * vd_log(u1[v]));
		for (int v = 0; v < NV; v++)
			vd_sincos_2pi(u2[v], &sn[v], &cs[v]);
		for (int v = 0; v < NV; v++) {
			vd pc = payoff(t, rho[v] * cs[v]), ps = payoff(t, rho[v] * sn[v]);
			/* samples 2j (cos) and 2j + 1 (sin) at or past hi add nothing */
			vu idx = vu_splat(2 * (j0 + (uint64_t)(v * VL))) + iota2;
			pc = vd_sel((vi)(idx < hi), pc, vd_splat(0.0));
			ps = vd_sel((vi)(idx + 1 < hi), ps, vd_splat(0.0));
			sum[v] += pc;
			sq[v] += pc * pc;
			sum[v] += ps;
			sq[v] += ps * ps;
		}
	}
	double a[OPT_LANES], b[OPT_LANES];
	for (int v = 0; v < NV; v++) {
		vd_store(a + v * VL, sum[v]);
		vd_store(b + v * VL, sq[v]);
	}
	for (int w = 1; w < OPT_LANES; w *= 2)
		for (int l = 0; l < OPT_LANES; l += 2 * w) {
			a[l] += a[l + w];
			b[l] += b[l + w];
		}
	s[0] = a[0];
	s[1] = b[0];
}

/* ---- NPB EP ------------------------------------------------------------------- */

#define EP_NK (1u << 16) /* pairs per batch */
#define EP_NQ 10
#define EP_MASK46 ((1ull << 46) - 1)

/* a x mod 2^46 per lane, a < 2^32 and x < 2^46: a (x_hi 2^32 + x_lo), where only the
 * low 14 bits of a x_hi survive the shift and the mask. */
static inline vu mulmod46(vu x, vu a)
{
	return (vu_mul32(x, a) + (vu_mul32(x >> 32, a) << 32)) & EP_MASK46;
}

/* x 2^-46 as a double, exactly (x < 2^46), through the 2^52 bias. */
static inline vd u46(vu x) { return ((vd)(x | 0x4330000000000000u) - 0x1p52) * 0x1p-46; }

#define EP_NV 2 /* vectors of batches run side by side: their chains overlap */
#define EP_W (EP_NV * VL)
#define EP_FLUSH 31 /* pairs per packed count: 5-bit fields */

/* EP_W batches k[0..EP_W-1] at once, lane l running batch k[l] with NPB's arithmetic
 * in pair order; sums to s (4 per lane, batch-major), counts per lane to q[l][...].
 * The annulus counts of up to EP_FLUSH pairs are packed in one double per lane, 2^(5b)
 * per pair in annulus b (exact: below 2^50), then unpacked. */
static void ep_group(const uint64_t *k, double *s, int64_t q[][EP_NQ])
{
	vu x[EP_NV];
	vd sx[EP_NV], sy[EP_NV], ax[EP_NV], ay[EP_NV];
	vi cnt[EP_NV][EP_NQ];
	for (int v = 0; v < EP_NV; v++) {
		for (int l = 0; l < VL; l++)
			x[v][l] = tk_ep_jump(TK_EP_SEED, 2ull * EP_NK * k[v * VL + l]);
		sx[v] = sy[v] = ax[v] = ay[v] = vd_splat(0.0);
		for (int b = 0; b < EP_NQ; b++)
			cnt[v][b] = vi_splat(0);
	}
	const vu a = vu_splat(TK_EP_A);
	const vu absmask = vu_splat(~((uint64_t)1 << 63));
	for (uint32_t i0 = 0; i0 < EP_NK; i0 += EP_FLUSH) {
		uint32_t i1 = EP_NK - i0 < EP_FLUSH ? EP_NK : i0 + EP_FLUSH;
		vd pack[EP_NV];
		for (int v = 0; v < EP_NV; v++)
			pack[v] = vd_splat(0.0);
		for (uint32_t i = i0; i < i1; i++) {
			for (int v = 0; v < EP_NV; v++) {
				vu xa = mulmod46(x[v], a);
				x[v] = mulmod46(xa, a);
				vd x1 = 2.0 * u46(xa) - 1.0, x2 = 2.0 * u46(x[v]) - 1.0;
				vd t1 = x1 * x1 + x2 * x2;
				vi in = (vi)(t1 <= 1.0);
				/* a rejected pair takes t1 = 1: log 1 = 0, so t2 = -0 and t3, t4
				 * are zeros, which leave every sum as it is (as skipping the pair
				 * does: no sum is ever -0) */
				t1 = vd_sel(in, t1, vd_splat(1.0));
				vd t2 = vd_sqrt(-2.0 * vd_log(t1) / t1);
				vd t3 = x1 * t2, t4 = x2 * t2;
				vd f3 = (vd)((vu)t3 & absmask), f4 = (vd)((vu)t4 & absmask);
				sx[v] += t3;
				sy[v] += t4;
				ax[v] += f3;
				ay[v] += f4;
				/* annulus b = min(floor(max(|t3|, |t4|)), 9), counted as 2^(5b):
				 * the exponent field 1023 + 5b from the low bits of 5b + 2^52 + 1023 */
				vd b = vd_min(vd_floor(vd_max(f3, f4)), vd_splat(EP_NQ - 1));
				vu e = (vu)(b * 5.0 + (0x1p52 + 1023.0)) << 52;
				pack[v] += (vd)(e & (vu)in);
			}
		}
		for (int v = 0; v < EP_NV; v++) {
			vu p = (vu)(pack[v] + 0x1p52) - 0x4330000000000000u;
			for (int b = 0; b < EP_NQ; b++)
				cnt[v][b] += (vi)((p >> (5 * b)) & 31);
		}
	}
	for (int v = 0; v < EP_NV; v++)
		for (int l = 0; l < VL; l++) {
			int w = v * VL + l;
			s[4 * w + 0] = sx[v][l];
			s[4 * w + 1] = sy[v][l];
			s[4 * w + 2] = ax[v][l];
			s[4 * w + 3] = ay[v][l];
			for (int b = 0; b < EP_NQ; b++)
				q[w][b] = cnt[v][b][l];
		}
}

/* Batches k0 .. k0 + n - 1: EP_W at a time, the last group's spare lanes repeating
 * the last batch (their results dropped). */
void TK_SIMD_FN(tk_ep_lanes)(uint64_t k0, uint64_t n, double *s, uint64_t q[EP_NQ])
{
	for (uint64_t i = 0; i < n; i += EP_W) {
		uint64_t k[EP_W];
		double sl[4 * EP_W];
		int64_t ql[EP_W][EP_NQ];
		for (int l = 0; l < EP_W; l++)
			k[l] = k0 + (i + (uint64_t)l < n ? i + (uint64_t)l : n - 1);
		ep_group(k, sl, ql);
		for (int l = 0; l < EP_W && i + (uint64_t)l < n; l++) {
			for (int j = 0; j < 4; j++)
				s[4 * (i + (uint64_t)l) + (uint64_t)j] = sl[4 * l + j];
			for (int b = 0; b < EP_NQ; b++)
				q[b] += (uint64_t)ql[l][b];
		}
	}
}
