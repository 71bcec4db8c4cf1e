/*
 * filter.c: the image filters of tk/filter.h, applied to a strip of rows.
 *
 * Rule: integer arithmetic (or exactly rounded arithmetic) only, and each output pixel
 * computed from the same inputs by the same code whatever the split, so strips over
 * ranks and rows over threads give identical bytes.  This file plans: the chain, the
 * rows each step needs, the padded rows and reflect-101 borders, threads over rows.
 * The row kernels themselves (src/filter/filter_simd.c) run through tk_fn, in the active
 * vector variant; each variant gives the same bytes.  Separable filters run a
 * vertical pass over whole rows into a padded row buffer, then a horizontal pass.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/decomp.h"
#include "tk/filter.h"
#include "tk/omp.h"
#include "tk/sysinfo.h"
#include "tk/tk.h"

/* ---- chain set-up ------------------------------------------------------------- */

#define NAME_ENTRY(id, name) [TK_FILTER_##id] = name,
static const char *const names[TK_FILTER_NKINDS] = {TK_FILTERS(NAME_ENTRY, )};
#undef NAME_ENTRY

const char *tk_filter_names(void) { return TK_FILTER_NAME_LIST; }

/* OpenCV's getGaussianKernelBitExact (in double precision): the kernel of size n for
 * sigma, or for sigma <= 0 the fixed small kernels and sigma = 0.3((n-1)/2 - 1) + 0.8. */
static void gaussian_real(int n, double sigma, double *k)
{
	static const double fixed[4][9] = {
		{0.25, 0.5, 0.25},
		{0.0625, 0.25, 0.375, 0.25, 0.0625},
		{0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125},
		{4 / 256.0, 13 / 256.0, 30 / 256.0, 51 / 256.0, 60 / 256.0, 51 / 256.0,
		 30 / 256.0, 13 / 256.0, 4 / 256.0},
	};
	if (sigma <= 0 && n == 1) {
		k[0] = 1;
		return;
	}
	if (sigma <= 0 && n >= 3 && n <= 9) {
		memcpy(k, fixed[(n - 3) / 2], (size_t)n * sizeof *k);
		return;
	}
	double s = sigma > 0 ? sigma : 0.3 * ((n - 1) * 0.5 - 1) + 0.8;
	double scale2 = -0.5 * 0.25 / (s * s), sum = 0;
	int h = (n - 1) / 2;
	for (int i = 0, x = 1 - n; i < h; i++, x += 2) {
		k[i] = exp((double)(x * x) * scale2);
		sum += k[i];
	}
	sum = sum * 2 + 1;
	double mul = 1 / sum;
	for (int i = 0; i < h; i++) {
		k[i] *= mul;
		k[n - 1 - i] = k[i];
	}
	k[h] = mul;
}

/* OpenCV's getGaussianKernelFixedPoint_ED with 8 fraction bits: weights summing to 256
 * exactly, rounding errors diffused outside-in, the centre taking the remainder.
 * Stored from the centre outwards: w[0] centre, w[d] at distance d. */
static void gaussian_fixed(int n, double sigma, uint16_t *w)
{
	double k[TK_FILTER_MAX_SIZE];
	gaussian_real(n, sigma, k);
	int h = n / 2;
	double err = 0;
	int sum = 0;
	for (int i = 0; i < h; i++) {
		double adj = k[i] * 256 + err;
		double v = rint(adj);
		err = adj - v;
		w[h - i] = (uint16_t)v;
		sum += (int)v;
	}
	w[0] = (uint16_t)(256 - 2 * sum);
}

static int step_init(tk_filter_step *s, const char *name, size_t len,
                     const tk_filter_params *p)
{
	memset(s, 0, sizeof *s);
	s->kind = -1;
	for (size_t i = 0; i < TK_ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
			s->kind = (int)i;
	TK_REQUIRE(s->kind >= 0, TK_EUSAGE, "unknown filter '%.*s' (valid: %s)", (int)len,
	           name, tk_filter_names());
	TK_REQUIRE(p->sigma >= 0 && isfinite(p->sigma), TK_EUSAGE,
	           "--sigma must be > 0 (got %g)", p->sigma);
	int size = p->size;
	switch (s->kind) {
	case TK_FILTER_GAUSSIAN:
	case TK_FILTER_SHARPEN: {
		double sigma = p->sigma;
		if (s->kind == TK_FILTER_SHARPEN || size == 0) {
			if (sigma == 0)
				sigma = 1;
			double ds = sigma * 6 + 1;
			TK_REQUIRE(ds < TK_FILTER_MAX_SIZE + 0.5, TK_EUSAGE,
			           "%s: sigma %g needs a kernel of about %.0f pixels; at most %d "
			           "(sigma below %.2f)",
			           names[s->kind], sigma, ds, TK_FILTER_MAX_SIZE,
			           (TK_FILTER_MAX_SIZE - 0.5) / 6);
			size = (int)(lrint(ds) | 1);
		}
		TK_REQUIRE(size >= 1 && size % 2 == 1 && size <= TK_FILTER_MAX_SIZE, TK_EUSAGE,
		           "%s: kernel size %d is invalid (odd, 1 to %d; sigma %g)", names[s->kind],
		           size, TK_FILTER_MAX_SIZE, sigma);
		s->radius = size / 2;
		gaussian_fixed(size, sigma, s->weight);
		if (s->kind == TK_FILTER_SHARPEN) {
			double a = p->amount == 0 ? 1 : p->amount;
			TK_REQUIRE(a > 0 && a <= 100, TK_EUSAGE,
			           "sharpen: --amount must be in (0, 100] (got %g)", a);
			s->amount = (int)lrint(a * 256);
		}
		return 0;
	}
	case TK_FILTER_BOX:
		if (size == 0)
			size = 3;
		TK_REQUIRE(size >= 1 && size % 2 == 1 && size <= TK_FILTER_MAX_SIZE, TK_EUSAGE,
		           "box: --size %d is invalid (odd, 1 to %d)", size, TK_FILTER_MAX_SIZE);
		s->radius = size / 2;
		return 0;
	case TK_FILTER_MEDIAN:
		if (size == 0)
			size = 3;
		TK_REQUIRE(size == 3 || size == 5, TK_EUSAGE,
		           "median: --size %d is invalid (3 or 5)", size);
		s->radius = size / 2;
		return 0;
	case TK_FILTER_SOBEL:
		s->radius = 1;
		return 0;
	case TK_FILTER_THRESHOLD:
		s->level = p->level < 0 ? 127 : p->level;
		TK_REQUIRE(s->level <= 255, TK_EUSAGE,
		           "threshold: --level %d is invalid (0 to 255)", p->level);
		return 0;
	default:
		return 0;
	}
}

int tk_filter_chain_init(tk_filter_chain *chain, const char *list,
                         const tk_filter_params *params)
{
	memset(chain, 0, sizeof *chain);
	TK_REQUIRE(list && *list, TK_EUSAGE, "no filter given (valid: %s)", tk_filter_names());
	const char *p = list;
	for (;;) {
		size_t len = strcspn(p, ",");
		TK_REQUIRE(chain->n < TK_FILTER_MAX_STEPS, TK_EUSAGE,
		           "too many filters in '%s' (at most %d)", list, TK_FILTER_MAX_STEPS);
		TK_REQUIRE(len > 0, TK_EUSAGE, "empty filter name in '%s'", list);
		tk_filter_step *s = &chain->step[chain->n];
		TK_CHECK(step_init(s, p, len, params));
		chain->radius += s->radius;
		chain->n++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return 0;
}

int tk_filter_channels_out(const tk_filter_chain *chain, int channels)
{
	for (int i = 0; i < chain->n; i++)
		if (chain->step[i].kind == TK_FILTER_GRAY && channels >= 3)
			channels -= 2;
	return channels;
}

void tk_filter_halo(const tk_filter_chain *chain, uint32_t height, uint32_t y0,
                    uint32_t y1, uint32_t *in_y0, uint32_t *in_y1)
{
	tk_range h = tk_decomp_held(height, (tk_range){y0, y1 > y0 ? y1 : y0},
	                            (uint64_t)chain->radius);
	*in_y0 = (uint32_t)h.lo;
	*in_y1 = (uint32_t)h.hi;
}

/* ---- rows and borders --------------------------------------------------------- */

/* OpenCV's borderInterpolate for BORDER_REFLECT_101. */
static int64_t reflect101(int64_t p, int64_t len)
{
	if (len == 1)
		return 0;
	while (p < 0 || p >= len)
		p = p < 0 ? -p : 2 * len - 2 - p;
	return p;
}

/* Where the input rows of one step are: image rows [y0, ...) from base. */
typedef struct plane {
	const uint8_t *base;
	uint32_t y0, height;
	size_t stride;
} plane;

static const uint8_t *row_at(const plane *p, int64_t y)
{
	return p->base + (size_t)(reflect101(y, p->height) - p->y0) * p->stride;
}

/* Fill the r pixels (of C elements) on each side of a padded row whose n = W*C
 * middle elements start at row + r*C, by reflect-101. */
#define DEFINE_PAD(NAME, T)                                                            \
	static void NAME(T *row, uint32_t w, int c, int r)                            \
	{                                                                             \
		T *mid = row + (size_t)r * c;                                         \
		for (int i = 1; i <= r; i++) {                                        \
			size_t l = (size_t)reflect101(-i, w), rr = (size_t)reflect101((int64_t)w - 1 + i, w); \
			memcpy(mid - (size_t)i * c, mid + l * c, (size_t)c * sizeof(T)); \
			memcpy(mid + ((size_t)w - 1 + i) * c, mid + rr * c,           \
			       (size_t)c * sizeof(T));                                \
		}                                                                     \
	}
DEFINE_PAD(pad_u8, uint8_t)
DEFINE_PAD(pad_u16, uint16_t)
DEFINE_PAD(pad_i16, int16_t)
DEFINE_PAD(pad_u32, uint32_t)

/* ---- gaussian (and the blur inside sharpen) ----------------------------------- */

/* Scratch for one thread: padded rows of the widest type (u32) plus row pointers. */
typedef struct scratch {
	void *buf[4];
	const uint8_t *rows[TK_FILTER_MAX_SIZE];
	uint8_t *tmp; /* one u8 row */
} scratch;

/* Gaussian (p NULL) or sharpen (p the input row): vertical pass into a padded row of
 * u16 sums, its reflect-101 padding, then the horizontal pass (and sharpen's mix). */
static void gauss_row(const tk_filter_step *s, const plane *in, int64_t y, uint32_t w,
                      int c, uint8_t *out, scratch *sc)
{
	int r = s->radius;
	size_t n = (size_t)w * c, rc = (size_t)r * c;
	for (int k = -r; k <= r; k++)
		sc->rows[k + r] = row_at(in, y + k);
	uint16_t *v = sc->buf[0];
	tk_fn.tk_filter_gauss_vert(v + rc, sc->rows, s->weight, r, n);
	pad_u16(v, w, c, r);
	if (s->kind == TK_FILTER_SHARPEN)
		tk_fn.tk_filter_sharpen_horz(out, v + rc, s->weight, r, (size_t)c, n, row_at(in, y),
		                             s->amount);
	else
		tk_fn.tk_filter_gauss_horz(out, v + rc, s->weight, r, (size_t)c, n);
}

/* ---- box ---------------------------------------------------------------------- */

/* Rows [y0, y1) of a box filter: column sums slide down the rows (add the row entering
 * the window, subtract the one leaving: reflect-101 rows included, so the sums stay
 * exact), then each row's window sums along the row, rounded to nearest (as OpenCV 4.6's
 * blur gives them).  Up to 15 x 15 the sums fit in 16 bits (twice the lanes). */
static void box_rows(const tk_filter_step *s, const plane *in, int64_t y0, int64_t y1,
                     uint32_t w, int c, uint8_t *out, size_t ostride, scratch *sc)
{
	int r = s->radius;
	size_t n = (size_t)w * c, rc = (size_t)r * c;
	if (2 * r + 1 <= 15) {
		uint16_t *col = (uint16_t *)sc->buf[0] + rc;
		memset(col, 0, n * sizeof *col);
		for (int k = -r; k <= r; k++)
			tk_fn.tk_filter_box_col16(col, row_at(in, y0 + k), NULL, n);
		for (int64_t y = y0; y < y1; y++) {
			if (y > y0)
				tk_fn.tk_filter_box_col16(col, row_at(in, y + r), row_at(in, y - r - 1), n);
			pad_u16(col - rc, w, c, r);
			tk_fn.tk_filter_box_row16(out + (size_t)(y - y0) * ostride, col, r, (size_t)c, n);
		}
		return;
	}
	uint32_t *col = (uint32_t *)sc->buf[0] + rc;
	memset(col, 0, n * sizeof *col);
	for (int k = -r; k <= r; k++)
		tk_fn.tk_filter_box_col32(col, row_at(in, y0 + k), NULL, n);
	for (int64_t y = y0; y < y1; y++) {
		if (y > y0)
			tk_fn.tk_filter_box_col32(col, row_at(in, y + r), row_at(in, y - r - 1), n);
		pad_u32(col - rc, w, c, r);
		tk_fn.tk_filter_box_row32(out + (size_t)(y - y0) * ostride, col, r, (size_t)c, n,
		                          sc->buf[1]);
	}
}

/* ---- sobel -------------------------------------------------------------------- */

static void sobel_row(const plane *in, int64_t y, uint32_t w, int c, uint8_t *out,
                      scratch *sc)
{
	size_t n = (size_t)w * c;
	int16_t *sm = (int16_t *)sc->buf[0] + c, *df = (int16_t *)sc->buf[1] + c;
	tk_fn.tk_filter_sobel_vert(sm, df, row_at(in, y - 1), row_at(in, y), row_at(in, y + 1), n);
	pad_i16(sm - c, w, c, 1);
	pad_i16(df - c, w, c, 1);
	tk_fn.tk_filter_sobel_mag(out, sm, df, (size_t)c, n);
}

/* ---- median ------------------------------------------------------------------- */

/* 3x3 (the kernel sorts each column of three once, then takes med3 of the lows' max,
 * the middles' med3 and the highs' min).  The interior straight from the rows; the
 * first and last pixel (reflect-101) from a copy of their neighbourhood; an image
 * narrower than 3 from padded copies of the rows. */
static void median3_row(const plane *in, int64_t y, uint32_t w, int c, uint8_t *out,
                        scratch *sc)
{
	size_t n = (size_t)w * c, cs = (size_t)c;
	const uint8_t *a = row_at(in, y - 1), *b = row_at(in, y), *d = row_at(in, y + 1);
	if (w < 3) {
		uint8_t *pr[3] = {sc->buf[0], sc->buf[1], sc->buf[2]};
		const uint8_t *src[3] = {a, b, d};
		for (int k = 0; k < 3; k++) {
			memcpy(pr[k] + cs, src[k], n);
			pad_u8(pr[k], w, c, 1);
		}
		tk_fn.tk_filter_median3(out, pr[0], pr[1], pr[2], cs, n);
		return;
	}
	tk_fn.tk_filter_median3(out + cs, a, b, d, cs, n - 2 * cs);
	for (int side = 0; side < 2; side++) {
		size_t x = side ? n - 2 * cs : 0; /* 2 pixels of context inside the row */
		uint8_t *pa = sc->tmp, *pb = pa + 4 * cs, *pd = pb + 4 * cs;
		const uint8_t *src[3] = {a, b, d};
		uint8_t *dst[3] = {pa, pb, pd};
		for (int k = 0; k < 3; k++) {
			/* pixels x/c - 1 .. x/c + 2, reflected */
			for (int j = -1; j <= 2; j++) {
				int64_t px = reflect101((int64_t)(x / cs) + j, w);
				memcpy(dst[k] + (size_t)(j + 1) * cs, src[k] + (size_t)px * cs, cs);
			}
		}
		/* the edge pixel is local pixel 1 (side 0) or 2 (side 1) */
		size_t at = (size_t)(side ? 2 : 1) * cs;
		tk_fn.tk_filter_median3(out + x + at - cs, pa + at - cs, pb + at - cs, pd + at - cs,
		                        cs, cs);
	}
}

/* 5x5: five padded rows, then the kernel's forgetful selection. */
static void median5_row(const plane *in, int64_t y, uint32_t w, int c, uint8_t *out,
                        scratch *sc)
{
	size_t n = (size_t)w * c;
	/* five padded rows: buf[0..3] plus tmp for the fifth */
	uint8_t *pr[5] = {sc->buf[0], sc->buf[1], sc->buf[2], sc->buf[3], sc->tmp};
	for (int k = 0; k < 5; k++) {
		memcpy(pr[k] + 2 * (size_t)c, row_at(in, y + k - 2), n);
		pad_u8(pr[k], w, c, 2);
	}
	tk_fn.tk_filter_median5(out, (const uint8_t *const *)pr, (size_t)c, n);
}

/* ---- point filters ------------------------------------------------------------ */

/* stream: the step's output exceeds the last-level cache, so nothing is gained by
 * storing it through the caches (the memory-bound filters then move a third less data:
 * no read of the output's old contents). */
static void point_row(const tk_filter_step *s, const uint8_t *a, uint32_t w, int c,
                      uint8_t *out, int stream)
{
	size_t n = (size_t)w * c;
	if (s->kind == TK_FILTER_GRAY && c >= 3)
		tk_fn.tk_filter_gray(out, a, w, c);
	else if (s->kind == TK_FILTER_INVERT)
		tk_fn.tk_filter_invert(out, a, n, stream);
	else if (s->kind == TK_FILTER_THRESHOLD)
		tk_fn.tk_filter_threshold(out, a, (uint8_t)s->level, n, stream);
	else
		memcpy(out, a, n);
}

/* Whether a step writing `bytes` should stream its stores (see point_row): when its
 * output alone exceeds the last-level cache (measured: a 100 MB RGB image gains 10-30%;
 * a 33 MB gray one, with a 32 MB cache, loses). */
static int stream_output(size_t bytes)
{
	uint64_t c3 = tk_sys_cache(3), c2 = c3 ? 0 : tk_sys_cache(2);
	return (uint64_t)bytes > (c3 ? c3 : c2 ? c2 : ((uint64_t)8 << 20));
}

/* ---- one step over rows [y0, y1), threads splitting the rows ------------------- */

static int scratch_init(scratch *sc, uint32_t w, int c, int r)
{
	memset(sc, 0, sizeof *sc);
	size_t n = ((size_t)w + 2 * (size_t)r + 2) * c + 64;
	for (int i = 0; i < 4; i++)
		if (!(sc->buf[i] = tk_alloc_aligned(n, 4)))
			return TK_ENOMEM;
	if (!(sc->tmp = tk_alloc_aligned(n, 1)))
		return TK_ENOMEM;
	return 0;
}

static void scratch_free(scratch *sc)
{
	for (int i = 0; i < 4; i++)
		tk_free(sc->buf[i]);
	tk_free(sc->tmp);
}

/* Alpha passes through: copy channel c-1 of the input rows to the output rows. */
static void keep_alpha(const plane *in, int64_t y, uint32_t w, int c, uint8_t *out)
{
	const uint8_t *a = row_at(in, y);
	for (size_t x = 0; x < w; x++)
		out[x * c + c - 1] = a[x * c + c - 1];
}

static int run_step(const tk_filter_step *s, const plane *in, uint32_t w, int c,
                    uint8_t *out, size_t ostride, uint32_t y0, uint32_t y1)
{
	int fail = 0;
	int spatial = s->radius > 0 || s->kind == TK_FILTER_SOBEL;
	int stream = stream_output((size_t)(y1 - y0) * ostride);
#pragma omp parallel if (y1 - y0 > 1)
	{
		tk_range t = tk_decomp_thread((tk_range){0, y1 - y0});
		uint64_t lo = t.lo, hi = t.hi;
		scratch sc;
		int ok = 1;
		if (spatial && lo < hi) {
			ok = scratch_init(&sc, w, c, s->radius) == 0;
		} else {
			memset(&sc, 0, sizeof sc);
		}
		if (!ok) {
#pragma omp atomic write
			fail = 1;
		} else if (lo < hi && spatial && s->kind == TK_FILTER_BOX) {
			box_rows(s, in, y0 + (int64_t)lo, y0 + (int64_t)hi, w, c,
			         out + lo * ostride, ostride, &sc);
		} else {
			for (uint64_t i = lo; i < hi; i++) {
				int64_t y = (int64_t)y0 + (int64_t)i;
				uint8_t *o = out + i * ostride;
				switch (s->kind) {
				case TK_FILTER_GAUSSIAN:
				case TK_FILTER_SHARPEN:
					gauss_row(s, in, y, w, c, o, &sc);
					break;
				case TK_FILTER_SOBEL:
					sobel_row(in, y, w, c, o, &sc);
					break;
				case TK_FILTER_MEDIAN:
					if (s->radius == 1)
						median3_row(in, y, w, c, o, &sc);
					else
						median5_row(in, y, w, c, o, &sc);
					break;
				default:
					point_row(s, row_at(in, y), w, c, o, stream);
					break;
				}
			}
		}
		if (ok && s->kind != TK_FILTER_GRAY && (c == 2 || c == 4))
			for (uint64_t i = lo; i < hi; i++)
				keep_alpha(in, (int64_t)y0 + (int64_t)i, w, c, out + i * ostride);
		if (spatial)
			scratch_free(&sc);
	}
	return fail ? TK_ENOMEM : 0;
}

int tk_filter_rows(const tk_filter_chain *chain, uint32_t width, uint32_t height,
                   int channels, const uint8_t *in, uint32_t in_y0, uint32_t in_y1,
                   uint8_t *out, uint32_t y0, uint32_t y1)
{
	if (y0 >= y1)
		return 0;
	uint32_t need0, need1;
	tk_filter_halo(chain, height, y0, y1, &need0, &need1);
	TK_REQUIRE(in_y0 <= need0 && need1 <= in_y1, TK_EINTERNAL,
	           "filter: rows [%u, %u) given, [%u, %u) needed", in_y0, in_y1, need0, need1);
	if (chain->n == 0) {
		memcpy(out, in + (size_t)(y0 - in_y0) * width * channels,
		       (size_t)(y1 - y0) * width * channels);
		return 0;
	}
	/* intermediate results: ping-pong between two buffers */
	size_t rows = (size_t)(need1 - need0);
	uint8_t *buf[2] = {NULL, NULL};
	if (chain->n > 1) {
		for (int i = 0; i < 2; i++)
			if (!(buf[i] = tk_alloc_aligned(rows * width, (size_t)channels))) {
				tk_free(buf[0]);
				return TK_ENOMEM;
			}
	}
	plane p = {in, in_y0, height, (size_t)width * channels};
	int c = channels, rc = 0, rest = chain->radius;
	for (int k = 0; k < chain->n && rc == 0; k++) {
		const tk_filter_step *s = &chain->step[k];
		rest -= s->radius;
		int co = s->kind == TK_FILTER_GRAY && c >= 3 ? c - 2 : c;
		tk_range held = tk_decomp_held(height, (tk_range){y0, y1}, (uint64_t)rest);
		uint32_t a = (uint32_t)held.lo, b = (uint32_t)held.hi;
		uint8_t *dst = k == chain->n - 1 ? out : buf[k % 2];
		rc = run_step(s, &p, width, c, dst, (size_t)width * co, a, b);
		p = (plane){dst, a, height, (size_t)width * co};
		c = co;
	}
	tk_free(buf[0]);
	tk_free(buf[1]);
	return rc;
}

int tk_filter_image(const tk_filter_chain *chain, const tk_image *in, tk_image *out)
{
	TK_CHECK(tk_image_init(out, in->width, in->height,
	                       tk_filter_channels_out(chain, in->channels)));
	int rc = tk_filter_rows(chain, in->width, in->height, in->channels, in->data, 0,
	                        in->height, out->data, 0, in->height);
	if (rc < 0)
		tk_image_free(out);
	return rc;
}
