/*
 * filter.c: the image filters of tk/filter.h, applied to a strip of rows.
 *
 * Rule: integer arithmetic (or exactly rounded arithmetic) only, and each output pixel
 * computed from the same inputs by the same code whatever the split, so strips over
 * ranks and rows over threads give identical bytes.  Separable filters run a vertical
 * pass over whole rows (the inner loops run along a row and vectorize) into a padded
 * row buffer, then a horizontal pass; borders are reflect-101 at the image's edges.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tk/filter.h"
#include "tk/omp.h"
#include "tk/tk.h"

#define CHUNK 1024 /* elements per block of the horizontal passes (fits L1) */

/* ---- chain set-up ------------------------------------------------------------- */

static const char *const names[] = {"gaussian", "box", "sobel", "sharpen",
                                    "median", "gray", "invert", "threshold"};

const char *tk_filter_names(void)
{
	return "gaussian, box, sobel, sharpen, median, gray, invert, threshold";
}

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
			size = ds > TK_FILTER_MAX_SIZE ? TK_FILTER_MAX_SIZE + 2 : (int)(lrint(ds) | 1);
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

static uint32_t sub_clip(uint32_t y, uint32_t r) { return y > r ? y - r : 0; }
static uint32_t add_clip(uint32_t y, uint32_t r, uint32_t h)
{
	return (uint64_t)y + r < h ? y + r : h;
}

void tk_filter_halo(const tk_filter_chain *chain, uint32_t height, uint32_t y0,
                    uint32_t y1, uint32_t *in_y0, uint32_t *in_y1)
{
	*in_y0 = sub_clip(y0, (uint32_t)chain->radius);
	*in_y1 = add_clip(y1, (uint32_t)chain->radius, height);
	if (y0 >= y1)
		*in_y0 = *in_y1 = y0;
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

/* The inner loops, as functions with restrict parameters so that they vectorize. */
static void vmul_u16(uint16_t *restrict o, const uint8_t *restrict c, uint16_t w, size_t m)
{
	for (size_t i = 0; i < m; i++)
		o[i] = (uint16_t)(w * c[i]);
}

static void vmadd_u16(uint16_t *restrict o, const uint8_t *restrict a,
                      const uint8_t *restrict b, uint16_t w, size_t m)
{
	for (size_t i = 0; i < m; i++)
		o[i] = (uint16_t)(o[i] + w * (uint16_t)(a[i] + b[i]));
}

static void hmul_u32(uint32_t *restrict acc, const uint16_t *restrict p, uint32_t w, size_t m)
{
	for (size_t i = 0; i < m; i++)
		acc[i] = w * p[i];
}

static void hmadd_u32(uint32_t *restrict acc, const uint16_t *restrict a,
                      const uint16_t *restrict b, uint32_t w, size_t m)
{
	for (size_t i = 0; i < m; i++)
		acc[i] += w * ((uint32_t)a[i] + b[i]);
}

static void round16_u8(uint8_t *restrict out, const uint32_t *restrict acc, size_t m)
{
	for (size_t i = 0; i < m; i++)
		out[i] = (uint8_t)((acc[i] + 32768) >> 16);
}

/* Vertical pass: v = sum_d w[d] (row[-d] + row[+d]); at most 255 * 256, exact in u16. */
static void gauss_vert(uint16_t *v, const uint8_t *const *rows, const uint16_t *w, int r,
                       size_t n)
{
	for (size_t x0 = 0; x0 < n; x0 += 4 * CHUNK) {
		size_t m = n - x0 < 4 * CHUNK ? n - x0 : 4 * CHUNK;
		vmul_u16(v + x0, rows[r] + x0, w[0], m);
		for (int d = 1; d <= r; d++)
			vmadd_u16(v + x0, rows[r - d] + x0, rows[r + d] + x0, w[d], m);
	}
}

/* Horizontal pass on the padded vertical sums, then the one rounding: (s + 2^15) >> 16. */
static void gauss_horz(uint8_t *out, const uint16_t *mid, const uint16_t *w, int r, int c,
                       size_t n)
{
	uint32_t acc[CHUNK];
	for (size_t x0 = 0; x0 < n; x0 += CHUNK) {
		size_t m = n - x0 < CHUNK ? n - x0 : CHUNK;
		const uint16_t *p = mid + x0;
		hmul_u32(acc, p, w[0], m);
		for (int d = 1; d <= r; d++)
			hmadd_u32(acc, p - (size_t)d * c, p + (size_t)d * c, w[d], m);
		round16_u8(out + x0, acc, m);
	}
}

/* Scratch for one thread: padded rows of the widest type (u32) plus row pointers. */
typedef struct scratch {
	void *buf[4];
	const uint8_t *rows[TK_FILTER_MAX_SIZE];
	uint8_t *tmp; /* one u8 row */
} scratch;

static void gauss_row(const tk_filter_step *s, const plane *in, int64_t y, uint32_t w,
                      int c, uint8_t *out, scratch *sc)
{
	int r = s->radius;
	size_t n = (size_t)w * c;
	for (int k = -r; k <= r; k++)
		sc->rows[k + r] = row_at(in, y + k);
	uint16_t *v = sc->buf[0];
	gauss_vert(v + (size_t)r * c, sc->rows, s->weight, r, n);
	pad_u16(v, w, c, r);
	gauss_horz(out, v + (size_t)r * c, s->weight, r, c, n);
}

static void sharpen_row(const tk_filter_step *s, const plane *in, int64_t y, uint32_t w,
                        int c, uint8_t *out, scratch *sc)
{
	size_t n = (size_t)w * c;
	gauss_row(s, in, y, w, c, sc->tmp, sc);
	const uint8_t *restrict p = row_at(in, y);
	const uint8_t *restrict b = sc->tmp;
	int32_t a = s->amount;
	for (size_t i = 0; i < n; i++) {
		/* p + round(a (p - b) / 256), rounding half up, kept non-negative for >> */
		int32_t t = a * ((int32_t)p[i] - b[i]) + 128 + (1 << 24);
		int32_t q = (int32_t)p[i] + (t >> 8) - (1 << 16);
		out[i] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
	}
}

/* ---- box ---------------------------------------------------------------------- */

static void col_slide(uint32_t *restrict col, const uint8_t *restrict add,
                      const uint8_t *restrict sub, size_t n)
{
	if (sub)
		for (size_t i = 0; i < n; i++)
			col[i] += (uint32_t)add[i] - sub[i];
	else
		for (size_t i = 0; i < n; i++)
			col[i] += add[i];
}

/* round(s / d), exactly: d = k^2 is odd, so s / d is never halfway, and it lies at
 * least 1 / (2d) from a halfway point, far beyond the error of s * (1 / d) in double. */
static void box_divide(uint8_t *restrict out, const uint32_t *restrict acc, double inv,
                       size_t m)
{
	for (size_t i = 0; i < m; i++)
		out[i] = (uint8_t)((double)acc[i] * inv + 0.5);
}

/* Rows [y0, y1) of a box filter: column sums slide down the rows (add the row entering
 * the window, subtract the one leaving: reflect-101 rows included, so the sums stay
 * exact), then each row's window sums along the row, rounded to nearest (as OpenCV 4.6's
 * blur gives them). */
static void col16_slide(uint16_t *restrict col, const uint8_t *restrict add,
                        const uint8_t *restrict sub, size_t n)
{
	if (sub)
		for (size_t i = 0; i < n; i++)
			col[i] = (uint16_t)(col[i] + add[i] - sub[i]);
	else
		for (size_t i = 0; i < n; i++)
			col[i] = (uint16_t)(col[i] + add[i]);
}

static void hadd2_u16(uint16_t *restrict acc, const uint16_t *restrict a,
                      const uint16_t *restrict b, size_t m)
{
	for (size_t i = 0; i < m; i++)
		acc[i] = (uint16_t)(acc[i] + a[i] + b[i]);
}

/* round(s / d) for d = k^2 <= 225 and s <= 255 d, exactly, in 32-bit integers:
 * (s + (d - 1) / 2) * ceil(2^24 / d) >> 24 (checked for every s and odd k <= 15). */
static void box_divide16(uint8_t *restrict out, const uint16_t *restrict acc, uint32_t half,
                         uint32_t mul, size_t m)
{
	for (size_t i = 0; i < m; i++)
		out[i] = (uint8_t)(((acc[i] + half) * mul) >> 24);
}

/* Box filters up to 15 x 15: sums fit in 16 bits (255 x 225 < 2^16), twice the lanes. */
static void box_rows16(const tk_filter_step *s, const plane *in, int64_t y0, int64_t y1,
                       uint32_t w, int c, uint8_t *out, size_t ostride, scratch *sc)
{
	int r = s->radius;
	uint32_t d = (uint32_t)((2 * r + 1) * (2 * r + 1));
	uint32_t half = (d - 1) / 2, mul = (uint32_t)(((1u << 24) + d - 1) / d);
	size_t n = (size_t)w * c;
	uint16_t *col = (uint16_t *)sc->buf[0] + (size_t)r * c;
	memset(col, 0, n * sizeof *col);
	for (int k = -r; k <= r; k++)
		col16_slide(col, row_at(in, y0 + k), NULL, n);
	for (int64_t y = y0; y < y1; y++) {
		if (y > y0)
			col16_slide(col, row_at(in, y + r), row_at(in, y - r - 1), n);
		pad_u16(col - (size_t)r * c, w, c, r);
		uint8_t *o = out + (size_t)(y - y0) * ostride;
		uint16_t acc[2 * CHUNK];
		for (size_t x0 = 0; x0 < n; x0 += 2 * CHUNK) {
			size_t m = n - x0 < 2 * CHUNK ? n - x0 : 2 * CHUNK;
			const uint16_t *p = col + x0;
			memcpy(acc, p, m * sizeof *acc);
			for (int k = 1; k <= r; k++)
				hadd2_u16(acc, p - (size_t)k * c, p + (size_t)k * c, m);
			box_divide16(o + x0, acc, half, mul, m);
		}
	}
}

static void box_rows(const tk_filter_step *s, const plane *in, int64_t y0, int64_t y1,
                     uint32_t w, int c, uint8_t *out, size_t ostride, scratch *sc)
{
	int r = s->radius, k = 2 * r + 1;
	if (k <= 15) {
		box_rows16(s, in, y0, y1, w, c, out, ostride, sc);
		return;
	}
	size_t n = (size_t)w * c;
	uint32_t *col = (uint32_t *)sc->buf[0] + (size_t)r * c;
	uint32_t *pre = sc->buf[1];
	memset(col, 0, n * sizeof *col);
	for (int d = -r; d <= r; d++)
		col_slide(col, row_at(in, y0 + d), NULL, n);
	double inv = 1.0 / ((double)k * k);
	for (int64_t y = y0; y < y1; y++) {
		if (y > y0)
			col_slide(col, row_at(in, y + r), row_at(in, y - r - 1), n);
		pad_u32(col - (size_t)r * c, w, c, r);
		uint8_t *o = out + (size_t)(y - y0) * ostride;
		/* prefix sums along the row (per channel): pre[j + c] = sum of p[..j] */
		const uint32_t *p = col - (size_t)r * c;
		size_t np = n + 2 * (size_t)r * c;
		for (int ch = 0; ch < c; ch++) {
			uint32_t run = 0;
			for (size_t i = (size_t)ch; i < np; i += (size_t)c) {
				run += p[i];
				pre[i + (size_t)c] = run;
			}
			pre[ch] = 0;
		}
		/* the window of element i spans padded indices i .. i + (k - 1) c */
		uint32_t *acc = sc->buf[2];
		for (size_t i = 0; i < n; i++)
			acc[i] = pre[i + (size_t)k * c] - pre[i];
		box_divide(o, acc, inv, n);
	}
}

/* ---- sobel -------------------------------------------------------------------- */

/* Vertical parts of both gradients: smoothing a + 2b + d and difference d - a. */
static void sobel_vert(int16_t *restrict sm, int16_t *restrict df, const uint8_t *restrict a,
                       const uint8_t *restrict b, const uint8_t *restrict d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sm[i] = (int16_t)(a[i] + 2 * b[i] + d[i]);
		df[i] = (int16_t)(d[i] - a[i]);
	}
}

/* round(sqrt(gx^2 + gy^2)) exactly, saturated to 255, in integers only:
 * round(sqrt(m)) >= k exactly when m > k^2 - k (as (k - 1/2)^2 is never an integer),
 * so a branch-free binary search over k in 0..255 finds it (and vectorizes). */
static void sobel_mag(uint8_t *restrict out, const int16_t *restrict sm,
                      const int16_t *restrict df, size_t c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int32_t gx = sm[i + c] - sm[i - c];
		int32_t gy = df[i - c] + 2 * df[i] + df[i + c];
		int32_t m2 = gx * gx + gy * gy, q = 0, t;
#define SQRT_STEP(bit) (t = q + (bit), q = m2 > t * t - t ? t : q)
		SQRT_STEP(128), SQRT_STEP(64), SQRT_STEP(32), SQRT_STEP(16);
		SQRT_STEP(8), SQRT_STEP(4), SQRT_STEP(2), SQRT_STEP(1);
#undef SQRT_STEP
		out[i] = (uint8_t)q;
	}
}

static void sobel_row(const plane *in, int64_t y, uint32_t w, int c, uint8_t *out,
                      scratch *sc)
{
	size_t n = (size_t)w * c;
	int16_t *sm = (int16_t *)sc->buf[0] + c, *df = (int16_t *)sc->buf[1] + c;
	sobel_vert(sm, df, row_at(in, y - 1), row_at(in, y), row_at(in, y + 1), n);
	pad_i16(sm - c, w, c, 1);
	pad_i16(df - c, w, c, 1);
	sobel_mag(out, sm, df, (size_t)c, n);
}

/* ---- median ------------------------------------------------------------------- */

#define MIN8(a, b) ((a) < (b) ? (a) : (b))
#define MAX8(a, b) ((a) < (b) ? (b) : (a))
#define SORT2(a, b)                                                                   \
	do {                                                                          \
		uint8_t t_ = MIN8(a, b);                                              \
		b = MAX8(a, b);                                                       \
		a = t_;                                                               \
	} while (0)

static inline uint8_t med3(uint8_t a, uint8_t b, uint8_t c)
{
	return MAX8(MIN8(a, b), MIN8(MAX8(a, b), c));
}

static void sort3_cols(uint8_t *restrict lo, uint8_t *restrict mi, uint8_t *restrict hi,
                       const uint8_t *restrict a, const uint8_t *restrict b,
                       const uint8_t *restrict d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t p = a[i], q = b[i], s = d[i];
		SORT2(p, q);
		SORT2(q, s);
		SORT2(p, q);
		lo[i] = p;
		mi[i] = q;
		hi[i] = s;
	}
}

static void median3_combine(uint8_t *restrict out, const uint8_t *restrict lo,
                            const uint8_t *restrict mi, const uint8_t *restrict hi, size_t c,
                            size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t l = MAX8(MAX8(lo[i - c], lo[i]), lo[i + c]);
		uint8_t m = med3(mi[i - c], mi[i], mi[i + c]);
		uint8_t h = MIN8(MIN8(hi[i - c], hi[i]), hi[i + c]);
		out[i] = med3(l, m, h);
	}
}

/* 3x3: sort each column of three once, then the median of the nine is
 * med3(max of the lows, med3 of the middles, min of the highs). */
static void median3_row(const plane *in, int64_t y, uint32_t w, int c, uint8_t *out,
                        scratch *sc)
{
	size_t n = (size_t)w * c;
	uint8_t *lo = (uint8_t *)sc->buf[0] + c, *mi = (uint8_t *)sc->buf[1] + c,
	        *hi = (uint8_t *)sc->buf[2] + c;
	sort3_cols(lo, mi, hi, row_at(in, y - 1), row_at(in, y), row_at(in, y + 1), n);
	pad_u8(lo - c, w, c, 1);
	pad_u8(mi - c, w, c, 1);
	pad_u8(hi - c, w, c, 1);
	median3_combine(out, lo, mi, hi, (size_t)c, n);
}

/* 5x5: forgetful selection on 25 values: keep 14, move their minimum and maximum to
 * the ends and drop both, take in the next value, ... until three are left, whose
 * middle is the median.  Done on VL pixels at once in vector registers (the unrolled
 * loops have constant indices); the widest unsigned byte min/max the build targets. */
#if defined(__AVX512BW__)
#include <immintrin.h>
typedef __m512i vu8;
#define VL 64
#define VMIN(a, b) _mm512_min_epu8(a, b)
#define VMAX(a, b) _mm512_max_epu8(a, b)
#define VLOAD(p) _mm512_loadu_si512((const void *)(p))
#define VSTORE(p, v) _mm512_storeu_si512((void *)(p), v)
#elif defined(__AVX2__)
#include <immintrin.h>
typedef __m256i vu8;
#define VL 32
#define VMIN(a, b) _mm256_min_epu8(a, b)
#define VMAX(a, b) _mm256_max_epu8(a, b)
#define VLOAD(p) _mm256_loadu_si256((const __m256i *)(p))
#define VSTORE(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#elif defined(__SSE2__)
#include <emmintrin.h>
typedef __m128i vu8;
#define VL 16
#define VMIN(a, b) _mm_min_epu8(a, b)
#define VMAX(a, b) _mm_max_epu8(a, b)
#define VLOAD(p) _mm_loadu_si128((const __m128i *)(p))
#define VSTORE(p, v) _mm_storeu_si128((__m128i *)(p), v)
#else
typedef uint8_t vu8;
#define VL 1
#define VMIN(a, b) MIN8(a, b)
#define VMAX(a, b) MAX8(a, b)
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#endif

#define VSORT2(a, b)                                                                  \
	do {                                                                          \
		vu8 t_ = VMIN(a, b);                                                  \
		b = VMAX(a, b);                                                       \
		a = t_;                                                               \
	} while (0)

/* The median of p[k][0..VL) over k < 25, lane by lane. */
static inline vu8 median25(const uint8_t *const *p)
{
	vu8 v[14];
#pragma GCC unroll 14
	for (int k = 0; k < 14; k++)
		v[k] = VLOAD(p[k]);
	/* the working set is v[step..14); the newcomer takes the maximum's slot v[13] */
#pragma GCC unroll 12
	for (int step = 0; step < 12; step++) {
#pragma GCC unroll 14
		for (int k = step + 1; k < 14; k++)
			VSORT2(v[step], v[k]);
#pragma GCC unroll 14
		for (int k = step + 1; k < 13; k++)
			VSORT2(v[k], v[13]);
		if (step < 11)
			v[13] = VLOAD(p[14 + step]);
	}
	return v[12];
}

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
	const uint8_t *p[25];
	size_t x0 = 0;
	for (; x0 + VL <= n; x0 += VL) {
		for (int k = 0; k < 25; k++)
			p[k] = pr[k / 5] + x0 + (size_t)(k % 5) * c;
		VSTORE(out + x0, median25(p));
	}
	if (x0 < n) {
		/* the last partial block, through a zero-padded copy */
		uint8_t tail[25][VL], res[VL];
		size_t m = n - x0;
		memset(tail, 0, sizeof tail);
		for (int k = 0; k < 25; k++) {
			memcpy(tail[k], pr[k / 5] + x0 + (size_t)(k % 5) * c, m);
			p[k] = tail[k];
		}
		VSTORE(res, median25(p));
		memcpy(out + x0, res, m);
	}
}

/* ---- point filters ------------------------------------------------------------ */

static void point_row(const tk_filter_step *s, const uint8_t *restrict a, uint32_t w, int c,
                      uint8_t *restrict out)
{
	size_t n = (size_t)w * c;
	if (s->kind == TK_FILTER_GRAY && c >= 3) {
		int co = c - 2;
		for (size_t x = 0; x < w; x++) {
			const uint8_t *p = a + x * c;
			/* OpenCV 4.6's 15-bit RGB-to-gray weights */
			out[x * co] = (uint8_t)((p[0] * 9798 + p[1] * 19235 + p[2] * 3735 + 16384) >> 15);
			if (c == 4)
				out[x * co + 1] = p[3];
		}
	} else if (s->kind == TK_FILTER_INVERT) {
		for (size_t i = 0; i < n; i++)
			out[i] = (uint8_t)(255 - a[i]);
	} else if (s->kind == TK_FILTER_THRESHOLD) {
		uint8_t l = (uint8_t)s->level;
		for (size_t i = 0; i < n; i++)
			out[i] = a[i] > l ? 255 : 0;
	} else {
		memcpy(out, a, n);
	}
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
#pragma omp parallel if (y1 - y0 > 1)
	{
		uint64_t lo, hi;
		tk_split(y1 - y0, (uint64_t)tk_thread_count(), (uint64_t)tk_thread_id(), &lo, &hi);
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
					gauss_row(s, in, y, w, c, o, &sc);
					break;
				case TK_FILTER_SHARPEN:
					sharpen_row(s, in, y, w, c, o, &sc);
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
					point_row(s, row_at(in, y), w, c, o);
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
		uint32_t a = sub_clip(y0, (uint32_t)rest), b = add_clip(y1, (uint32_t)rest, height);
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
