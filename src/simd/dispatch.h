/*
 * dispatch.h: the hot kernels that have one variant per vector ISA, and the table of
 * the active variant's entry points (zlib-ng's functable).
 *
 * Rule: a kernel with variants is listed once in TK_SIMD_KERNELS (name, return type,
 * parameters); its one source, src/<family>/<family>_simd.c, defines TK_SIMD_FN(name) against
 * src/simd/vec.h; every caller goes through tk_fn.name(...).  Adding one is a line here.
 */
#ifndef TK_DISPATCH_H
#define TK_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "reduce/reduce_simd.h"
#include "tk/montecarlo.h"
#include "tk/rng.h"
#include "tk/simd.h"

/* X(name, return type, (parameters)) for each kernel with variants. */
#define TK_SIMD_KERNELS(X)                                                                \
	X(tk_mc_pi_hits_lanes, uint64_t, (tk_philox_key key, uint64_t first, uint64_t n)) \
	/* reduce (src/reduce/reduce_simd.c, src/math/xsum_simd.c) */                                 \
	X(tk_reduce_scan_block, int,                                                      \
	  (const double *x, size_t len, double K, double c1, double c2, tk_reduce_scan *o)) \
	X(tk_reduce_dsums, void,                                                          \
	  (const double *x, size_t len, double K, double *s1, double *s2))                \
	X(tk_reduce_bin_codes, void,                                                      \
	  (const double *x, size_t len, double lo, double hi, uint32_t bins, uint32_t *code)) \
	X(tk_membw_sum, double, (const double *a, size_t n))                              \
	X(tk_xsum_split_block, void,                                                      \
	  (const double *x, size_t n, double c1, double c2, const double *y, size_t ny,   \
	   tk_xsum_split *o)) \
	/* montecarlo (src/montecarlo/montecarlo_simd.c, src/math/rng_simd.c) */ \
	X(tk_mc_option_lanes, void,                                                    \
	  (const tk_mc_option_terms *t, uint64_t lo, uint64_t hi, double s[2]))         \
	X(tk_ep_lanes, void, (uint64_t k0, uint64_t n, double *s, uint64_t q[10]))        \
	X(tk_math_lanes, void, (int fn, const double *x, double *y, uint64_t n))            \
	X(tk_philox_fill_lanes, void,                                                  \
	  (uint64_t first, uint32_t stream, tk_philox_key key, uint32_t *out, uint64_t n)) \
	/* stencil (src/stencil/stencil_simd.c) */                                             \
	X(tk_stencil_row, void,                                                        \
	  (const double *up, const double *mid, const double *down, double *out, size_t n, \
	   double alpha)) \
	/* filter (src/filter/filter_simd.c) */ \
	TK_SIMD_FILTER_KERNELS(X)

/* The image filters' row kernels (src/filter/filter_simd.c; src/filter/filter.c plans the rows and
 * builds the padded rows they read). */
#define TK_SIMD_FILTER_KERNELS(X)                                                     \
	X(tk_filter_gauss_vert, void,                                                 \
	  (uint16_t * v, const uint8_t *const *rows, const uint16_t *w, int r, size_t n)) \
	X(tk_filter_gauss_horz, void,                                                 \
	  (uint8_t * out, const uint16_t *mid, const uint16_t *w, int r, size_t c, size_t n)) \
	X(tk_filter_sharpen_horz, void,                                               \
	  (uint8_t * out, const uint16_t *mid, const uint16_t *w, int r, size_t c, size_t n, \
	   const uint8_t *p, int32_t amount))                                         \
	X(tk_filter_box_col16, void,                                                  \
	  (uint16_t * col, const uint8_t *add, const uint8_t *sub, size_t n))          \
	X(tk_filter_box_row16, void,                                                  \
	  (uint8_t * out, const uint16_t *col, int r, size_t c, size_t n))             \
	X(tk_filter_box_col32, void,                                                  \
	  (uint32_t * col, const uint8_t *add, const uint8_t *sub, size_t n))          \
	X(tk_filter_box_row32, void,                                                  \
	  (uint8_t * out, const uint32_t *col, int r, size_t c, size_t n, uint32_t *pre)) \
	X(tk_filter_sobel_vert, void,                                                 \
	  (int16_t * sm, int16_t *df, const uint8_t *a, const uint8_t *b, const uint8_t *d, \
	   size_t n))                                                                 \
	X(tk_filter_sobel_mag, void,                                                  \
	  (uint8_t * out, const int16_t *sm, const int16_t *df, size_t c, size_t n))   \
	X(tk_filter_median3, void,                                                    \
	  (uint8_t * out, const uint8_t *a, const uint8_t *b, const uint8_t *d, size_t c, \
	   size_t n))                                                                 \
	X(tk_filter_median5, void,                                                    \
	  (uint8_t * out, const uint8_t *const *rows, size_t c, size_t n))             \
	X(tk_filter_gray, void, (uint8_t * out, const uint8_t *a, size_t w, int c))   \
	X(tk_filter_invert, void, (uint8_t * out, const uint8_t *a, size_t n, int stream)) \
	X(tk_filter_threshold, void,                                                  \
	  (uint8_t * out, const uint8_t *a, uint8_t level, size_t n, int stream))

#define TK_SIMD_FIELD_(name, ret, params) ret(*name) params;
typedef struct tk_functable {
	TK_SIMD_KERNELS(TK_SIMD_FIELD_)
} tk_functable;

/* The active variant's entry points (filled before main's first command runs, and by
 * tk_simd_choose()). */
extern tk_functable tk_fn;

/* The table of one variant, or NULL when the binary or the CPU lacks it (the tests
 * compare every available variant with the scalar one). */
const tk_functable *tk_simd_table(int variant);

#define TK_SIMD_DECL_(name, ret, params)                                              \
	ret name##_scalar params;                                                     \
	ret name##_v128 params;                                                       \
	ret name##_avx2 params;                                                       \
	ret name##_avx512 params;
TK_SIMD_KERNELS(TK_SIMD_DECL_)

#endif
