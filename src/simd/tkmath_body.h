/*
 * tkmath_body.h: the toolkit's own exp, log and sin/cos of 2 pi u, written once and
 * instantiated twice: as scalar functions (src/simd/tkmath.h: tk_exp, tk_log,
 * tk_sincos_2pi) and as lane-wise vector functions (src/simd/vec_math.h: vd_exp, vd_log,
 * vd_sincos_2pi).  Not a header to include directly.
 *
 * Rule: only + - * / on doubles, integer and bit operations on their encodings, and
 * selects: no FMA (the build sets -ffp-contract=off), no libm, no tables, no
 * branches on data.  So the bits are the same on every CPU, in every SIMD variant and
 * on every architecture, which glibc's libm does not promise (docs/montecarlo.md:
 * its x86-64 exp, log, sin and cos give different last bits with and without FMA).
 * The methods are fdlibm's (Sun, 1993: e_exp.c and e_log.c, their coefficients and
 * error analysis, < 1 ulp) with the range reduction and scaling done by bit
 * operations instead of branches; sincos_2pi reduces its argument exactly, in turns.
 * Measured errors (tests/simd/test_tkmath.c keeps them): see docs/montecarlo.md.
 *
 * The instantiating header defines:
 *   TKM_D, TKM_U            the double and uint64 types (double, uint64_t | vd, vu)
 *   TKM_FN(name)            the function's name (tk_name | vd_name)
 *   TKM_BITS(d), TKM_DBL(u) bit casts between them
 *   TKM_K(c)                the constant c as a TKM_D
 *   TKM_SEL(c, a, b)        a where the comparison c holds, else b (doubles)
 *   TKM_SELU(c, a, b)       the same for TKM_U values
 */

#define TKM_SHIFT 0x1.8p52 /* x + SHIFT - SHIFT rounds x to an integer, |x| < 2^51 */
#define TKM_LN2HI 6.93147180369123816490e-01 /* 32 bits: k * LN2HI is exact */
#define TKM_LN2LO 1.90821492927058770002e-10

/* e^x for every double x, within 1 ulp (fdlibm's rational approximation of e^r,
 * |r| <= ln2 / 2); overflows to +inf above 709.78, underflows gradually to 0. */
static inline TKM_D TKM_FN(exp)(TKM_D x)
{
	/* clamped so that k stays small: e^710 overflows and e^-1080 underflows anyway
	 * (NaN fails both comparisons and goes through) */
	TKM_D xc = TKM_SEL(x > 710.0, TKM_K(710.0), x);
	xc = TKM_SEL(xc < -1080.0, TKM_K(-1080.0), xc);
	TKM_D t = xc * 1.44269504088896338700e+00 + TKM_SHIFT; /* x / ln2 rounded */
	TKM_D kd = t - TKM_SHIFT;
	TKM_D hi = xc - kd * TKM_LN2HI, lo = kd * TKM_LN2LO;
	TKM_D r = hi - lo, z = r * r;
	TKM_D c = r - z * (1.66666666666666019037e-01 +
	                   z * (-2.77777777770155933842e-03 +
	                        z * (6.61375632143793436117e-05 +
	                             z * (-1.65339022054652515390e-06 +
	                                  z * 4.13813679705723846039e-08))));
	TKM_D y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
	/* y * 2^k as y * 2^k1 * 2^k2, k1 = floor(k / 2), so that each factor is a normal
	 * double for every k in [-1559, 1025]; only the last product can round */
	TKM_U k = TKM_BITS(t) - 0x4338000000000000u + 2048; /* k + 2048 > 0 */
	TKM_U k1 = k >> 1, k2 = k - k1;                           /* both biased by 1024 */
	TKM_D s1 = TKM_DBL((k1 - 1024 + 1023) << 52), s2 = TKM_DBL((k2 - 1024 + 1023) << 52);
	return y * s1 * s2;
}

/* The natural logarithm for every double x, within 1 ulp (fdlibm's method:
 * x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)), s = f / (2 + f), a polynomial
 * in s^2); log(0) = -inf, log(x < 0) = NaN, log(+inf) = +inf. */
static inline TKM_D TKM_FN(log)(TKM_D x)
{
	const uint64_t c = 0x3fe6a09e667f3bcdu; /* the bits of sqrt(2)/2 */
	TKM_D sub = TKM_SEL(x < 0x1p-1022, TKM_K(54.0), TKM_K(0.0)); /* subnormal: scale up */
	TKM_D xs = TKM_SEL(x < 0x1p-1022, x * 0x1p54, x);
	/* k + 1024 in the exponent field of bits(xs) - c + 1024 * 2^52, f below it */
	TKM_U ub = TKM_BITS(xs) - c + ((uint64_t)1024 << 52);
	TKM_D kd = (TKM_DBL((ub >> 52) | 0x4330000000000000u) - (0x1p52 + 1024.0)) - sub;
	TKM_D f = TKM_DBL((ub & 0x000fffffffffffffu) + c) - 1.0; /* exact (Sterbenz) */
	TKM_D s = f / (2.0 + f), z = s * s, w = z * z;
	TKM_D t1 = w * (3.999999999940941908e-01 +
	                w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
	TKM_D t2 = z * (6.666666666666735130e-01 +
	                w * (2.857142874366239149e-01 +
	                     w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
	TKM_D R = t2 + t1, hfsq = 0.5 * f * f;
	TKM_D y = kd * TKM_LN2HI - ((hfsq - (s * (hfsq + R) + kd * TKM_LN2LO)) - f);
	y = TKM_SEL(x < __builtin_inf(), y, x + x); /* +inf, NaN */
	y = TKM_SEL(x == 0.0, TKM_K(-__builtin_inf()), y);
	return TKM_SEL(x < 0.0, TKM_K(__builtin_nan("")), y);
}

/* sin(2 pi u) and cos(2 pi u) for every double u, each within 1 ulp.  The reduction
 * is exact: u is taken modulo 1 and then to the nearest quarter turn q / 4, leaving
 * r in [-1/2, 1/2] quarter turns; theta = (pi / 2) r in [-pi/4, pi/4] is formed as
 * a double-double x + y (Dekker's exact product, no FMA), and sin and cos of x + y
 * are fdlibm's kernels (k_sin.c, k_cos.c: minimax polynomials, |error| < 2^-58).
 * Non-finite u gives NaN. */
static inline void TKM_FN(sincos_2pi)(TKM_D u, TKM_D *sinp, TKM_D *cosp)
{
	const uint64_t sign = (uint64_t)1 << 63;
	TKM_D a = TKM_DBL(TKM_BITS(u) & ~sign);
	TKM_D fr = a - ((a + 0x1p52) - 0x1p52); /* a minus its nearest integer: exact */
	TKM_D v = 4.0 * fr, t = v + TKM_SHIFT;  /* v in [-2, 2] */
	TKM_D r = v - (t - TKM_SHIFT);          /* q = v rounded, r = v - q exact */
	TKM_U n = TKM_BITS(t) & 3;              /* q mod 4: the quadrant */
	/* |u| >= 2^52 is an integer (r = 0, n = 0); inf and NaN give NaN (u - u) */
	r = TKM_SEL(a < 0x1p52, r, u - u);
	n = TKM_SELU(a < 0x1p52, n, n & 0);
	/* x + y = r (pi/2): r split in 26-bit halves times pi/2's 25-bit halves, every
	 * partial product exact, plus r times the part of pi/2 below the double */
	TKM_D cr = 134217729.0 * r, rh = cr - (cr - r), rl = r - rh;
	const double ph = 0x1.921fb5p+0, pl = 0x1.110b46p-26, plo = 0x1.1a62633145c07p-54;
	TKM_D x = r * 0x1.921fb54442d18p+0;
	TKM_D y = (((rh * ph - x) + rh * pl + rl * ph) + rl * pl) + r * plo;
	TKM_D z = x * x, zv = z * x, w = z * z;
	TKM_D sr = 8.33333333332248946124e-03 +
	           z * (-1.98412698298579493134e-04 +
	                z * (2.75573137070700676789e-06 +
	                     z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)));
	TKM_D sp = x - ((z * (0.5 * y - zv * sr) - y) - zv * -1.66666666666666324348e-01);
	TKM_D cq = z * (4.16666666666666019037e-02 +
	                z * (-1.38888888888741095749e-03 + z * 2.48015872894767294178e-05)) +
	           w * w *
	                   (-2.75573143513906633035e-07 +
	                    z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11));
	TKM_D hz = 0.5 * z, cw = 1.0 - hz;
	TKM_D cp = cw + (((1.0 - cw) - hz) + (z * cq - x * y));
	/* angle (pi / 2)(n + r): odd n swaps sin and cos; sin is negative for n = 2, 3,
	 * cos for n = 1, 2; then sin takes the sign of u */
	TKM_D s = TKM_SEL((n & 1) != 0, cp, sp), co = TKM_SEL((n & 1) != 0, sp, cp);
	TKM_U ssign = ((n & 2) << 62) ^ (TKM_BITS(u) & sign);
	TKM_U csign = (((n + 1) & 2) << 62);
	*sinp = TKM_DBL(TKM_BITS(s) ^ ssign);
	*cosp = TKM_DBL(TKM_BITS(co) ^ csign);
}
