/*
 * vec_math.h: the toolkit's deterministic exp, log and sin/cos of 2 pi u, lane-wise
 * on vec.h's vectors: vd_exp, vd_log, vd_sincos_2pi.  Lane by lane the same bits as
 * tk_exp, tk_log, tk_sincos_2pi (src/simd/tkmath.h): both are instantiated from the one
 * source, tkmath_body.h, and use only IEEE + - * /, bit operations and selects.
 */
#ifndef TK_VEC_MATH_H
#define TK_VEC_MATH_H

#include "simd/vec.h"

#define TKM_D vd
#define TKM_U vu
#define TKM_FN(name) vd_##name
#define TKM_BITS(d) ((vu)(d))
#define TKM_DBL(u) ((vd)(u))
#define TKM_K(c) vd_splat(c)
#define TKM_SEL(c, a, b) vd_sel((vi)(c), (a), (b))
#define TKM_SELU(c, a, b) ((vu)vi_sel((vi)(c), (vi)(a), (vi)(b)))
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
