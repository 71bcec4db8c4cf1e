/*
 * vec.h: the vector layer that every src/FAMILY_simd.c kernel is written against.
 *
 * Rule: a kernel source is compiled once per variant (include/tk/simd.h) with
 * TK_VBYTES (8, 16, 32 or 64: the vector width in bytes) and TK_SIMD_SUFFIX set by
 * the Makefile, and the matching -march.  Kernels are written with GCC vector
 * extensions of exactly that width (so nothing is lowered to scalar code with spills)
 * and keep a fixed number of logical lanes (e.g. 16 partial sums) held in
 * TK_LANES / VL vectors, so the order of every floating-point operation per logical
 * lane is the same in every variant, hence the bits.  The few primitives that the
 * generic vector code cannot express well (32x32->64 multiply, min/max) are here,
 * once per ISA; their results are defined lane by lane and identical everywhere.
 */
#ifndef TK_VEC_H
#define TK_VEC_H

#include <stdint.h>
#include <string.h>

#ifndef TK_VBYTES
#error "vec.h is for the per-variant kernel sources: the Makefile sets TK_VBYTES"
#endif
#ifndef TK_SIMD_SUFFIX
#error "vec.h needs TK_SIMD_SUFFIX (scalar, v128, avx2, avx512)"
#endif

#define TK_CAT2_(a, b) a##_##b
#define TK_CAT_(a, b) TK_CAT2_(a, b)
/* The variant's name for a kernel entry point: TK_SIMD_FN(tk_mc_pi_hits) is
 * tk_mc_pi_hits_avx2 in the AVX2 build (src/simd/dispatch.c lists them). */
#define TK_SIMD_FN(name) TK_CAT_(name, TK_SIMD_SUFFIX)

/* Lanes of 64-bit elements per vector. */
#define VL (TK_VBYTES / 8)

/* Vector registers of the target (kernels size their accumulators to them). */
#if (defined(__x86_64__) && TK_VBYTES == 64) || defined(__aarch64__)
#define TK_VREGS 32
#else
#define TK_VREGS 16
#endif

typedef double vd __attribute__((vector_size(TK_VBYTES)));
typedef int64_t vi __attribute__((vector_size(TK_VBYTES)));
typedef uint64_t vu __attribute__((vector_size(TK_VBYTES)));
typedef uint32_t vu32 __attribute__((vector_size(TK_VBYTES)));
typedef uint16_t vu16 __attribute__((vector_size(TK_VBYTES)));
typedef uint8_t vu8 __attribute__((vector_size(TK_VBYTES)));

#if defined(__x86_64__) && TK_VBYTES >= 16
#include <immintrin.h>
#endif
#if defined(__aarch64__) && TK_VBYTES == 16
#include <arm_neon.h>
#endif

static inline vd vd_load(const double *p)
{
	vd v;
	memcpy(&v, p, sizeof v);
	return v;
}
static inline void vd_store(double *p, vd v) { memcpy(p, &v, sizeof v); }
static inline vu vu_load(const void *p)
{
	vu v;
	memcpy(&v, p, sizeof v);
	return v;
}
static inline void vu_store(void *p, vu v) { memcpy(p, &v, sizeof v); }

/* Broadcasts, written as scalar-vector arithmetic (x + a zero vector, in integers, so
 * exact): one broadcast instruction, where a loop over the lanes can become one
 * masked insert per lane. */
static inline vu vu_splat(uint64_t x) { return x + (vu){0}; }
static inline vi vi_splat(int64_t x) { return x + (vi){0}; }
static inline vd vd_splat(double x)
{
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	return (vd)vu_splat(b);
}

/* m ? a : b per lane, m a comparison result (all ones or all zeros per lane). */
static inline vd vd_sel(vi m, vd a, vd b) { return (vd)(((vi)a & m) | ((vi)b & ~m)); }
static inline vi vi_sel(vi m, vi a, vi b) { return (a & m) | (b & ~m); }

/* a < b ? a : b and a > b ? a : b per lane (b when either is NaN): exactly the
 * semantics of x86's minpd/maxpd at every width. */
static inline vd vd_min(vd a, vd b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vd)_mm512_min_pd((__m512d)a, (__m512d)b);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vd)_mm256_min_pd((__m256d)a, (__m256d)b);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vd)_mm_min_pd((__m128d)a, (__m128d)b);
#else
	return vd_sel(a < b, a, b);
#endif
}
static inline vd vd_max(vd a, vd b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vd)_mm512_max_pd((__m512d)a, (__m512d)b);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vd)_mm256_max_pd((__m256d)a, (__m256d)b);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vd)_mm_max_pd((__m128d)a, (__m128d)b);
#else
	return vd_sel(a > b, a, b);
#endif
}

/* The low 32 bits of a times the low 32 bits of b, as a full 64-bit product per lane
 * (pmuludq; the high halves of the inputs are ignored). */
static inline vu vu_mul32(vu a, vu b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vu)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vu)_mm256_mul_epu32((__m256i)a, (__m256i)b);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vu)_mm_mul_epu32((__m128i)a, (__m128i)b);
#elif defined(__aarch64__) && TK_VBYTES == 16
	/* NEON has no 64x64 multiply (the generic line is expanded lane by lane): umull */
	return (vu)vmull_u32(vmovn_u64((uint64x2_t)a), vmovn_u64((uint64x2_t)b));
#else
	return (a & 0xFFFFFFFFu) * (b & 0xFFFFFFFFu);
#endif
}

/* Exact conversion of the low 32 bits of each lane to double, then + off: through
 * the 2^52 bias (bits 0x4330000000000000 | u are the double 2^52 + u), so no
 * unsigned 64-bit conversion is needed on ISAs without one.  Exact while u + off is
 * representable, which holds for off = 0.5 (u + 1/2 needs 34 bits). */
static inline vd vd_from_u32_plus(vu u, double off)
{
	vu b = (u & 0xFFFFFFFFu) | 0x4330000000000000u;
	return (vd)b - vd_splat(0x1p52 - off);
}

/* Number of lanes of m (a comparison result) that are true. */
static inline int64_t vi_count(vi m)
{
	int64_t c = 0;
	for (int l = 0; l < VL; l++)
		c -= m[l];
	return c;
}

/* Store the low 32 bits of each lane to p[0 .. VL) (vpmovqd; a lane permute and a
 * narrower store elsewhere). */
static inline void vu_store_lo32(uint32_t *p, vu v)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	_mm256_storeu_si256((__m256i *)(void *)p, _mm512_cvtepi64_epi32((__m512i)v));
#elif defined(__x86_64__) && TK_VBYTES == 32
	__m256i t = _mm256_permutevar8x32_epi32((__m256i)v,
	                                        _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
	_mm_storeu_si128((__m128i *)(void *)p, _mm256_castsi256_si128(t));
#elif defined(__x86_64__) && TK_VBYTES == 16
	_mm_storel_epi64((__m128i *)(void *)p, _mm_shuffle_epi32((__m128i)v, 0x08));
#else
	for (int l = 0; l < VL; l++)
		p[l] = (uint32_t)v[l];
#endif
}

/* a + b and a - b per lane, rounded once: the same bits as the plain operations.
 * Where FMA units exist these are computed as a * 1 + b and b * -1 + a (the products
 * are exact), so that adds can also issue on the multiply ports: several kernels here
 * are bound by the adder ports alone.  Only for sums: never contract a real product. */
static inline vd vd_add1(vd a, vd b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vd)_mm512_fmadd_pd((__m512d)a, _mm512_set1_pd(1.0), (__m512d)b);
#elif defined(__x86_64__) && TK_VBYTES == 32 && defined(__FMA__)
	return (vd)_mm256_fmadd_pd((__m256d)a, _mm256_set1_pd(1.0), (__m256d)b);
#else
	return a + b;
#endif
}
static inline vd vd_sub1(vd a, vd b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vd)_mm512_fmadd_pd((__m512d)b, _mm512_set1_pd(-1.0), (__m512d)a);
#elif defined(__x86_64__) && TK_VBYTES == 32 && defined(__FMA__)
	return (vd)_mm256_fmadd_pd((__m256d)b, _mm256_set1_pd(-1.0), (__m256d)a);
#else
	return a - b;
#endif
}

/* 1 when every lane of m (a comparison result) is true. */
static inline int vi_all(vi m)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return _mm512_movepi64_mask((__m512i)m) == 0xFF;
#elif defined(__x86_64__) && TK_VBYTES == 32
	return _mm256_movemask_pd((__m256d)m) == 0xF;
#elif defined(__x86_64__) && TK_VBYTES == 16
	return _mm_movemask_pd((__m128d)m) == 0x3;
#else
	int64_t a = -1;
	for (int l = 0; l < VL; l++)
		a &= m[l];
	return a == -1;
#endif
}

/* trunc(y) per lane for y >= 0 (+inf stays +inf, NaN stays NaN): one rounding
 * instruction where there is one; else y + 2^52 - 2^52 rounds to nearest, less one where
 * that rounded up (exact below 2^52; from 2^52 on y is an integer already). */
static inline vd vd_trunc_nonneg(vd y)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vd)_mm512_roundscale_pd((__m512d)y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vd)_mm256_round_pd((__m256d)y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
#elif defined(__x86_64__) && TK_VBYTES == 16 && defined(__SSE4_1__)
	return (vd)_mm_round_pd((__m128d)y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
#else
	const vd big = vd_splat(0x1p52), one = vd_splat(1.0);
	vd t = (y + big) - big;
	t -= (vd)((t > y) & (vi)one);
	return vd_sel(y >= big, y, t);
#endif
}

/* The correctly rounded square root per lane (IEEE: the same bits everywhere). */
static inline vd vd_sqrt(vd a)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vd)_mm512_sqrt_pd((__m512d)a);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vd)_mm256_sqrt_pd((__m256d)a);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vd)_mm_sqrt_pd((__m128d)a);
#else
	vd r;
	for (int l = 0; l < VL; l++)
		r[l] = __builtin_sqrt(a[l]);
	return r;
#endif
}

/* ---- small unsigned lanes (the image filters) --------------------------------- */

/* Half-width vectors: TK_VBYTES / 2 bytes, so that widening one gives a full vector. */
typedef uint8_t vu8h __attribute__((vector_size(TK_VBYTES / 2)));
typedef uint16_t vu16h __attribute__((vector_size(TK_VBYTES / 2)));

typedef int16_t vs16 __attribute__((vector_size(TK_VBYTES)));

/* Lanes per vector of 8-, 16- and 32-bit elements. */
#define VL8 TK_VBYTES
#define VL16 (TK_VBYTES / 2)
#define VL32 (TK_VBYTES / 4)

static inline vu8 vu8_load(const void *p)
{
	vu8 v;
	memcpy(&v, p, sizeof v);
	return v;
}
static inline void vu8_store(void *p, vu8 v) { memcpy(p, &v, sizeof v); }
static inline vu16 vu16_load(const void *p)
{
	vu16 v;
	memcpy(&v, p, sizeof v);
	return v;
}
static inline void vu16_store(void *p, vu16 v) { memcpy(p, &v, sizeof v); }
static inline vu32 vu32_load(const void *p)
{
	vu32 v;
	memcpy(&v, p, sizeof v);
	return v;
}
static inline void vu32_store(void *p, vu32 v) { memcpy(p, &v, sizeof v); }

/* A store that bypasses the caches (p aligned to TK_VBYTES), for outputs too large to
 * be read again from cache; vec_stream_fence() orders such stores before later ones. */
static inline void vu8_store_stream(void *p, vu8 v)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	_mm512_stream_si512((__m512i *)p, (__m512i)v);
#elif defined(__x86_64__) && TK_VBYTES == 32
	_mm256_stream_si256((__m256i *)p, (__m256i)v);
#elif defined(__x86_64__) && TK_VBYTES == 16
	_mm_stream_si128((__m128i *)p, (__m128i)v);
#else
	memcpy(p, &v, sizeof v);
#endif
}
static inline void vec_stream_fence(void)
{
#if defined(__x86_64__) && TK_VBYTES >= 16
	_mm_sfence();
#endif
}

/* VL16 bytes widened to 16-bit lanes, VL32 16-bit elements to 32-bit lanes (zero
 * extension: pmovzxbw / pmovzxwd from memory). */
static inline vu16 vu16_load_u8(const uint8_t *p)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vu16)_mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)p));
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vu16)_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)p));
#elif defined(__x86_64__) && TK_VBYTES == 16 && defined(__SSE4_1__)
	return (vu16)_mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)p));
#elif defined(__aarch64__) && TK_VBYTES == 16
	return (vu16)vmovl_u8(vld1_u8(p));
#else
	vu8h h;
	memcpy(&h, p, sizeof h);
	return __builtin_convertvector(h, vu16);
#endif
}
static inline vu32 vu32_load_u16(const uint16_t *p)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vu32)_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p));
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vu32)_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
#elif defined(__x86_64__) && TK_VBYTES == 16 && defined(__SSE4_1__)
	return (vu32)_mm_cvtepu16_epi32(_mm_loadl_epi64((const __m128i *)p));
#elif defined(__aarch64__) && TK_VBYTES == 16
	return (vu32)vmovl_u16(vld1_u16(p));
#else
	vu16h h;
	memcpy(&h, p, sizeof h);
	return __builtin_convertvector(h, vu32);
#endif
}

static inline vu8 vu8_splat(uint8_t x)
{
	vu8 v;
	for (int l = 0; l < VL8; l++)
		v[l] = x;
	return v;
}
static inline vu16 vu16_splat(uint16_t x)
{
	vu16 v;
	for (int l = 0; l < VL16; l++)
		v[l] = x;
	return v;
}
static inline vu32 vu32_splat(uint32_t x)
{
	vu32 v;
	for (int l = 0; l < VL32; l++)
		v[l] = x;
	return v;
}

/* Unsigned byte minimum and maximum per lane (pminub / pmaxub). */
static inline vu8 vu8_min(vu8 a, vu8 b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vu8)_mm512_min_epu8((__m512i)a, (__m512i)b);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vu8)_mm256_min_epu8((__m256i)a, (__m256i)b);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vu8)_mm_min_epu8((__m128i)a, (__m128i)b);
#else
	vu8 m = (vu8)(a < b);
	return (a & m) | (b & ~m);
#endif
}
static inline vu8 vu8_max(vu8 a, vu8 b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vu8)_mm512_max_epu8((__m512i)a, (__m512i)b);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vu8)_mm256_max_epu8((__m256i)a, (__m256i)b);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vu8)_mm_max_epu8((__m128i)a, (__m128i)b);
#else
	vu8 m = (vu8)(a > b);
	return (a & m) | (b & ~m);
#endif
}

/* The high 16 bits of the unsigned 32-bit product per lane (pmulhuw). */
static inline vu16 vu16_mulhi(vu16 a, vu16 b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vu16)_mm512_mulhi_epu16((__m512i)a, (__m512i)b);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vu16)_mm256_mulhi_epu16((__m256i)a, (__m256i)b);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vu16)_mm_mulhi_epu16((__m128i)a, (__m128i)b);
#else
	vu16 r;
	for (int l = 0; l < VL16; l++)
		r[l] = (uint16_t)(((uint32_t)a[l] * b[l]) >> 16);
	return r;
#endif
}

/* floor per lane (exact: the same bits everywhere; roundpd where SSE4.1 is there). */
static inline vd vd_floor(vd a)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vd)_mm512_roundscale_pd((__m512d)a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vd)_mm256_floor_pd((__m256d)a);
#elif defined(__x86_64__) && TK_VBYTES == 16 && defined(__SSE4_1__)
	return (vd)_mm_floor_pd((__m128d)a);
#else
	vd r;
	for (int l = 0; l < VL; l++)
		r[l] = __builtin_floor(a[l]);
	return r;
#endif
}

/* The high 16 bits of the signed 32-bit product per lane (pmulhw). */
static inline vs16 vs16_mulhi(vs16 a, vs16 b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	return (vs16)_mm512_mulhi_epi16((__m512i)a, (__m512i)b);
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vs16)_mm256_mulhi_epi16((__m256i)a, (__m256i)b);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vs16)_mm_mulhi_epi16((__m128i)a, (__m128i)b);
#else
	vs16 r;
	for (int l = 0; l < VL16; l++)
		r[l] = (int16_t)(((int32_t)a[l] * b[l]) >> 16);
	return r;
#endif
}

/* Lane l = w0 p[3l] + w1 p[3l + 1] + w2 p[3l + 2] over VL32 interleaved 3-byte pixels
 * (weights below 2^15): byte shuffles put each pixel's bytes into 16-bit halves of its
 * lane, pmaddwd multiplies and adds them.  Reads 4 bytes past the 3 VL32 it uses. */
static inline vu32 vu32_dot3_u8(const uint8_t *p, uint16_t w0, uint16_t w1, uint16_t w2)
{
#if defined(__x86_64__) && TK_VBYTES >= 16 && defined(__SSSE3__)
	/* per 16-byte group, 4 pixels at bytes 0..11: lane k gets (R_k, G_k) and (B_k, 0) */
	const int8_t rg[16] = {0, -1, 1, -1, 3, -1, 4, -1, 6, -1, 7, -1, 9, -1, 10, -1};
	const int8_t bz[16] = {2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1, -1, -1};
	const int32_t wrg = (int32_t)((uint32_t)w0 | (uint32_t)w1 << 16), wb = w2;
#if TK_VBYTES == 64
	__m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)p));
	v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(p + 12)), 1);
	v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(p + 24)), 2);
	v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(p + 36)), 3);
	__m512i srg = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)rg));
	__m512i sb = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)bz));
	return (vu32)_mm512_add_epi32(
		_mm512_madd_epi16(_mm512_shuffle_epi8(v, srg), _mm512_set1_epi32(wrg)),
		_mm512_madd_epi16(_mm512_shuffle_epi8(v, sb), _mm512_set1_epi32(wb)));
#elif TK_VBYTES == 32
	__m256i v = _mm256_inserti128_si256(
		_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)p)),
		_mm_loadu_si128((const __m128i *)(p + 12)), 1);
	__m256i srg = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)rg));
	__m256i sb = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)bz));
	return (vu32)_mm256_add_epi32(
		_mm256_madd_epi16(_mm256_shuffle_epi8(v, srg), _mm256_set1_epi32(wrg)),
		_mm256_madd_epi16(_mm256_shuffle_epi8(v, sb), _mm256_set1_epi32(wb)));
#else
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	return (vu32)_mm_add_epi32(
		_mm_madd_epi16(_mm_shuffle_epi8(v, _mm_loadu_si128((const __m128i *)rg)),
		               _mm_set1_epi32(wrg)),
		_mm_madd_epi16(_mm_shuffle_epi8(v, _mm_loadu_si128((const __m128i *)bz)),
		               _mm_set1_epi32(wb)));
#endif
#else
	vu32 r;
	for (int l = 0; l < VL32; l++)
		r[l] = (uint32_t)w0 * p[3 * l] + (uint32_t)w1 * p[3 * l + 1] + (uint32_t)w2 * p[3 * l + 2];
	return r;
#endif
}

/* Narrowing with unsigned saturation of signed inputs (packusdw / packuswb), lanes in
 * order: lane l of the result is sat(a[l]) for l < half, sat(b[l - half]) after it,
 * where sat clamps the lane read as a signed integer to [0, 2^16 - 1] (resp. 255). */
static inline uint16_t sat_u16_(uint32_t x)
{
	int32_t s = (int32_t)x;
	return (uint16_t)(s < 0 ? 0 : s > 65535 ? 65535 : s);
}
static inline uint8_t sat_u8_(uint16_t x)
{
	int16_t s = (int16_t)x;
	return (uint8_t)(s < 0 ? 0 : s > 255 ? 255 : s);
}
static inline vu16 vu16_pack_u32(vu32 a, vu32 b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	const __m512i order = _mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0);
	return (vu16)_mm512_permutexvar_epi64(order, _mm512_packus_epi32((__m512i)a, (__m512i)b));
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vu16)_mm256_permute4x64_epi64(_mm256_packus_epi32((__m256i)a, (__m256i)b), 0xD8);
#elif defined(__x86_64__) && TK_VBYTES == 16 && defined(__SSE4_1__)
	return (vu16)_mm_packus_epi32((__m128i)a, (__m128i)b);
#else
	vu16 r;
	for (int l = 0; l < VL32; l++) {
		r[l] = sat_u16_(a[l]);
		r[l + VL32] = sat_u16_(b[l]);
	}
	return r;
#endif
}
static inline vu8 vu8_pack_u16(vu16 a, vu16 b)
{
#if defined(__x86_64__) && TK_VBYTES == 64
	const __m512i order = _mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0);
	return (vu8)_mm512_permutexvar_epi64(order, _mm512_packus_epi16((__m512i)a, (__m512i)b));
#elif defined(__x86_64__) && TK_VBYTES == 32
	return (vu8)_mm256_permute4x64_epi64(_mm256_packus_epi16((__m256i)a, (__m256i)b), 0xD8);
#elif defined(__x86_64__) && TK_VBYTES == 16
	return (vu8)_mm_packus_epi16((__m128i)a, (__m128i)b);
#else
	vu8 r;
	for (int l = 0; l < VL16; l++) {
		r[l] = sat_u8_(a[l]);
		r[l + VL16] = sat_u8_(b[l]);
	}
	return r;
#endif
}

#endif
