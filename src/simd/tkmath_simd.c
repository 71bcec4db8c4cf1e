/*
 * tkmath_simd.c: the toolkit's exp, log and sin/cos of 2 pi u over arrays, one source
 * for every vector variant (src/simd/vec_math.h), so that the unit tests can check that
 * every variant gives tk_exp's, tk_log's and tk_sincos_2pi's bits lane by lane.
 */
#include "simd/dispatch.h"
#include "simd/tkmath.h"
#include "simd/vec.h"
#include "simd/vec_math.h"

static inline vd apply(int fn, vd x)
{
	vd s, c;
	switch (fn) {
	case TK_MATH_EXP:
		return vd_exp(x);
	case TK_MATH_LOG:
		return vd_log(x);
	case TK_MATH_SIN_2PI:
		vd_sincos_2pi(x, &s, &c);
		return s;
	default:
		vd_sincos_2pi(x, &s, &c);
		return c;
	}
}

/* y[i] = fn(x[i]) for i < n; a remainder of less than VL goes through a padded
 * vector, so every element takes the vector code. */
void TK_SIMD_FN(tk_math_lanes)(int fn, const double *x, double *y, uint64_t n)
{
	uint64_t i = 0;
	for (; i + VL <= n; i += VL)
		vd_store(y + i, apply(fn, vd_load(x + i)));
	if (i < n) {
		double t[VL] = {0};
		for (uint64_t l = 0; l < n - i; l++)
			t[l] = x[i + l];
		vd_store(t, apply(fn, vd_load(t)));
		for (uint64_t l = 0; l < n - i; l++)
			y[i + l] = t[l];
	}
}
