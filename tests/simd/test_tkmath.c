/* test_tkmath.c: the toolkit's own exp, log and sincos of 2 pi u (src/simd/tkmath.h)
 * against long double libm (64-bit or wider significands: an independent reference
 * good to far below 1 ulp of a double), their special values, and every SIMD
 * variant's vector forms (tk_math_lanes) against the scalar forms, bit for bit. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/tk.h"
#include "simd/tkmath.h"
#include "tk_test.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t next64(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static double unif(double lo, double hi)
{
	return lo + (hi - lo) * (((double)(next64() >> 11) + 0.5) * 0x1p-53);
}

/* |y - ref| in units of the last place of ref (a double's, subnormals included). */
static double ulp_error(double y, long double ref)
{
	if (ref == 0)
		return y == 0 ? 0 : INFINITY;
	int e = ilogbl(ref);
	if (e < -1022)
		e = -1022;
	return (double)(fabsl((long double)y - ref) / ldexpl(1.0L, e - 52));
}

/* sin and cos of 2 pi u in long double, the argument reduced exactly first (to a
 * quarter turn r in [-1/2, 1/2] and a quadrant), as a plain reference. */
static void ref_sincos_2pi(double u, long double *s, long double *c)
{
	double v = 4 * (u - nearbyint(u)), q = nearbyint(v), r = v - q;
	long double th = 1.570796326794896619231321691639751442L * r;
	long double sp = sinl(th), cp = cosl(th);
	switch ((int)q & 3) {
	case 0: *s = sp, *c = cp; break;
	case 1: *s = cp, *c = -sp; break;
	case 2: *s = -sp, *c = -cp; break;
	default: *s = -cp, *c = sp; break;
	}
}

#define NACC (1 << 19)

static void accuracy(void)
{
	if (LDBL_MANT_DIG < 64) {
		printf("\n  (skipped: long double has %d bits here, too few for a reference) ",
		       LDBL_MANT_DIG);
		return;
	}
	double me[3] = {0}, ml[2] = {0}, ms = 0, mc = 0;
	for (int i = 0; i < NACC; i++) {
		/* exp: the option model's range, and every argument with a finite result */
		double xe[3] = {unif(-1, 1), unif(-745.1, 709.7), unif(-20, 20)};
		for (int j = 0; j < 3; j++) {
			double e = ulp_error(tk_exp(xe[j]), expl(xe[j]));
			me[j] = e > me[j] ? e : me[j];
		}
		/* log: (0, 1) as the kernels use it, and every positive double */
		double xl[2] = {unif(0, 1), ldexp(unif(1, 2), (int)(next64() % 2098) - 1074)};
		for (int j = 0; j < 2; j++) {
			double e = ulp_error(tk_log(xl[j]), logl(xl[j]));
			ml[j] = e > ml[j] ? e : ml[j];
		}
		double u = i & 1 ? unif(0, 1) : unif(-1e6, 1e6), s, c;
		long double rs, rc;
		tk_sincos_2pi(u, &s, &c);
		ref_sincos_2pi(u, &rs, &rc);
		double es = ulp_error(s, rs), ec = ulp_error(c, rc);
		ms = es > ms ? es : ms;
		mc = ec > mc ? ec : mc;
	}
	printf("\n  max ulp error over %d arguments each: exp %.3f %.3f %.3f, log %.3f %.3f, "
	       "sin %.3f, cos %.3f ",
	       NACC, me[0], me[1], me[2], ml[0], ml[1], ms, mc);
	/* measured 0.85 / 0.88 / 0.86, 0.80 / 0.74, 0.78, 0.78: below 1 ulp, as fdlibm's
	 * error analysis promises */
	for (int j = 0; j < 3; j++)
		CU_ASSERT(me[j] < 1.0);
	CU_ASSERT(ml[0] < 1.0);
	CU_ASSERT(ml[1] < 1.0);
	CU_ASSERT(ms < 1.0);
	CU_ASSERT(mc < 1.0);
}

static void special_values(void)
{
	CU_ASSERT_EQUAL(tk_exp(0.0), 1.0);
	/* within 1 ulp, not always correctly rounded: e's double is 2.718281828459045 */
	CU_ASSERT(fabs(tk_exp(1.0) - 2.718281828459045) <= 0x1p-51);
	CU_ASSERT_EQUAL(tk_exp(-INFINITY), 0.0);
	CU_ASSERT(isinf(tk_exp(INFINITY)) && tk_exp(INFINITY) > 0);
	CU_ASSERT(isinf(tk_exp(709.8)));       /* e^709.79 > DBL_MAX */
	CU_ASSERT(isfinite(tk_exp(709.78)));
	CU_ASSERT_EQUAL(tk_exp(-745.1), 0x1p-1074); /* the smallest subnormal */
	CU_ASSERT_EQUAL(tk_exp(-746.0), 0.0);
	CU_ASSERT(isnan(tk_exp(NAN)));
	CU_ASSERT_EQUAL(tk_log(1.0), 0.0);
	CU_ASSERT_EQUAL(tk_log(2.0), 0.6931471805599453);
	CU_ASSERT_EQUAL(tk_log(0x1p-1074), -744.4400719213812);
	CU_ASSERT_EQUAL(tk_log(DBL_MAX), 709.782712893384);
	CU_ASSERT(isinf(tk_log(0.0)) && tk_log(0.0) < 0);
	CU_ASSERT(isinf(tk_log(INFINITY)) && tk_log(INFINITY) > 0);
	CU_ASSERT(isnan(tk_log(-1.0)));
	CU_ASSERT(isnan(tk_log(NAN)));
	double s, c;
	tk_sincos_2pi(0.25, &s, &c);
	CU_ASSERT(s == 1.0 && c == 0.0);
	tk_sincos_2pi(0.5, &s, &c);
	CU_ASSERT(s == 0.0 && c == -1.0);
	tk_sincos_2pi(-0.125, &s, &c);
	CU_ASSERT(s == -0.7071067811865476 && c == 0.7071067811865476);
	tk_sincos_2pi(1.0 / 12, &s, &c); /* 30 degrees */
	CU_ASSERT(fabs(s - 0.5) <= 0x1p-53 && fabs(c - 0.8660254037844386) <= 0x1p-53);
	tk_sincos_2pi(0x1p60 + 0x1p8, &s, &c); /* a whole number of turns */
	CU_ASSERT(s == 0.0 && c == 1.0);
	tk_sincos_2pi(INFINITY, &s, &c);
	CU_ASSERT(isnan(s) && isnan(c));
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static double scalar_form(int fn, double x)
{
	double s, c;
	switch (fn) {
	case TK_MATH_EXP:
		return tk_exp(x);
	case TK_MATH_LOG:
		return tk_log(x);
	case TK_MATH_SIN_2PI:
		tk_sincos_2pi(x, &s, &c);
		return s;
	default:
		tk_sincos_2pi(x, &s, &c);
		return c;
	}
}

static void vector_forms_equal_scalar(void)
{
	/* 4099 arguments (a remainder for every width), specials among them */
	enum { N = 4099 };
	static double x[N], y[N + 1];
	const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, 0.25, 1e-310, -1e-310,
	                          709.78, 709.8, -745.1, -746, 1e300, -1e300, 0x1p60,
	                          INFINITY, -INFINITY, NAN, DBL_MAX, 0x1p-1074};
	for (int i = 0; i < N; i++)
		x[i] = (size_t)i < TK_ARRAY_SIZE(special) ? special[i]
		       : i % 3 == 0                       ? unif(0, 1)
		       : i % 3 == 1                       ? unif(-30, 30)
		                                          : unif(-800, 800);
	int checked = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		const tk_functable *t = tk_simd_table(v);
		if (!t) {
			printf("\n  (variant %s skipped: this CPU or build lacks it) ", tk_simd_name(v));
			continue;
		}
		for (int fn = 0; fn < 4; fn++) {
			const int sizes[] = {1, 2, 3, 5, 7, 9, 15, 17, N};
			for (size_t k = 0; k < TK_ARRAY_SIZE(sizes); k++) {
				int n = sizes[k], bad = 0;
				memset(y, 0, sizeof y);
				t->tk_math_lanes(fn, x + (N - n) % 5, y, (uint64_t)n);
				for (int i = 0; i < n; i++)
					bad += !same_bits(y[i], scalar_form(fn, x[(N - n) % 5 + i])) &&
					       !(isnan(y[i]) && isnan(scalar_form(fn, x[(N - n) % 5 + i])));
				CU_ASSERT_EQUAL(bad, 0);
				CU_ASSERT_EQUAL(y[n], 0.0); /* nothing written past n */
			}
		}
		checked++;
	}
	CU_ASSERT(checked >= 2); /* scalar and the 128-bit variant exist everywhere */
}

static const tk_test tests[] = {
	{"accuracy against long double", accuracy},
	{"special values", special_values},
	{"every variant equals the scalar forms", vector_forms_equal_scalar},
	{NULL, NULL},
};
const tk_suite tk_suite_tkmath = {"tkmath", tests};
