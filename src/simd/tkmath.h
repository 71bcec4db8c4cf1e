/*
 * tkmath.h: the toolkit's deterministic exp, log and sin/cos of 2 pi u as scalar
 * functions: tk_exp, tk_log, tk_sincos_2pi (the arithmetic is in tkmath_body.h, the
 * one source that src/simd/vec_math.h also instantiates lane-wise for the kernels).
 *
 * Rule: a digested result never goes through libm's exp, log, sin or cos, whose last
 * bits depend on the CPU (docs/montecarlo.md); it uses these, which give the same
 * bits everywhere and match their vector forms lane by lane.
 */
#ifndef TK_TKMATH_H
#define TK_TKMATH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t tkm_bits_(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}
static inline double tkm_dbl_(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

/* The functions of tk_math_lanes (src/simd/dispatch.h), which applies one over an array
 * with the active variant's vector code. */
enum { TK_MATH_EXP = 0, TK_MATH_LOG = 1, TK_MATH_SIN_2PI = 2, TK_MATH_COS_2PI = 3 };

#define TKM_D double
#define TKM_U uint64_t
#define TKM_FN(name) tk_##name
#define TKM_BITS(d) tkm_bits_(d)
#define TKM_DBL(u) tkm_dbl_(u)
#define TKM_K(c) (c)
#define TKM_SEL(c, a, b) ((c) ? (a) : (b))
#define TKM_SELU(c, a, b) ((c) ? (a) : (b))
#include "simd/tkmath_body.h"
#undef TKM_D
#undef TKM_U
#undef TKM_FN
#undef TKM_BITS
#undef TKM_DBL
#undef TKM_K
#undef TKM_SEL
#undef TKM_SELU

#endif
