/*
 * test_filter.c: the filters against hand-worked small cases and against slow, direct
 * reference implementations written here (2-D sums, sorting, double square roots, their
 * own reflect-101), in every SIMD variant this CPU runs; every variant against the
 * scalar one, byte for byte, on widths that leave every kind of vector remainder; then
 * strips with halo rows, as ranks get them, at 1-3 threads give the same bytes as the
 * whole image.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/decomp.h"
#include "tk/filter.h"
#include "tk/omp.h"
#include "tk/simd.h"
#include "tk/tk.h"
#include "tk_test.h"

static int chain(tk_filter_chain *c, const char *list, double sigma, int size)
{
	tk_filter_params p = TK_FILTER_PARAMS_INIT;
	p.sigma = sigma;
	p.size = size;
	tk_error_clear();
	int rc = tk_filter_chain_init(c, list, &p);
	if (rc)
		fprintf(stderr, "\n  %s: %s\n", list, tk_error_message());
	return rc;
}

static void make(tk_image *img, uint32_t w, uint32_t h, int c, uint8_t fill)
{
	CU_ASSERT_EQUAL_FATAL(tk_image_init(img, w, h, c), 0);
	memset(img->data, fill, tk_image_bytes(img));
}

static void random_fill(tk_image *img, uint64_t seed)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
	for (size_t i = 0; i < tk_image_bytes(img); i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		img->data[i] = (uint8_t)(s >> 24);
	}
}

static uint8_t px(const tk_image *img, int x, int y, int ch)
{
	return img->data[((size_t)y * img->width + x) * img->channels + ch];
}

/* ---- hand-worked cases -------------------------------------------------------- */

/* A 255 impulse in the middle of a 9x9 image through the 5x5 gaussian (OpenCV's fixed
 * kernel 1 4 6 4 1 / 16) gives the kernel's outer product back: 255 a_i a_j / 256
 * rounds to a_i a_j. */
static void gaussian_impulse_is_kernel(void)
{
	static const int a[5] = {1, 4, 6, 4, 1};
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "gaussian", 0, 5), 0);
	tk_image in, out;
	make(&in, 9, 9, 1, 0);
	in.data[4 * 9 + 4] = 255;
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	int bad = 0;
	for (int y = 0; y < 9; y++)
		for (int x = 0; x < 9; x++) {
			int dy = y - 2, dx = x - 2;
			int want = dy >= 0 && dy < 5 && dx >= 0 && dx < 5 ? a[dy] * a[dx] : 0;
			bad += px(&out, x, y, 0) != want;
		}
	CU_ASSERT_EQUAL(bad, 0);
	tk_image_free(&in);
	tk_image_free(&out);
}

/* sigma 1 (size 7) worked by hand from OpenCV's recipe: exp(-x^2/2) normalised =
 * .00443 .05401 .24203 .39905 ..., times 256 with errors carried inwards:
 * 1 14 62 102 62 14 1. */
static void gaussian_sigma1_weights(void)
{
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "gaussian", 1.0, 0), 0);
	CU_ASSERT_EQUAL(c.radius, 3);
	static const uint16_t want[4] = {102, 62, 14, 1};
	CU_ASSERT_EQUAL(memcmp(c.step[0].weight, want, sizeof want), 0);
	/* size derived as OpenCV does for 8-bit images: round(6 sigma + 1) | 1 */
	CU_ASSERT_EQUAL_FATAL(chain(&c, "gaussian", 2.0, 0), 0);
	CU_ASSERT_EQUAL(c.radius, 6);
	CU_ASSERT_EQUAL_FATAL(chain(&c, "gaussian", 1.2, 0), 0);
	CU_ASSERT_EQUAL(c.radius, 4); /* 8.2 -> 8 | 1 = 9 */
}

/* Box 3x3 on the impulse: 255 / 9 = 28.3 -> 28 on the 3x3 block. */
static void box_impulse(void)
{
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "box", 0, 3), 0);
	tk_image in, out;
	make(&in, 9, 9, 1, 0);
	in.data[4 * 9 + 4] = 255;
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	int bad = 0;
	for (int y = 0; y < 9; y++)
		for (int x = 0; x < 9; x++)
			bad += px(&out, x, y, 0) != (abs(x - 4) <= 1 && abs(y - 4) <= 1 ? 28 : 0);
	CU_ASSERT_EQUAL(bad, 0);
	tk_image_free(&in);
	tk_image_free(&out);
}

/* Reflect-101 by hand: one row 10 20 30 40 50 (one row: every row reflects to it).
 * Box 3x3 at x = 0 sees 20 10 20 (x3 rows): 150/3/3... = 16.7 -> 17; at x = 4:
 * 40 50 40 -> 43.3 -> 43. */
static void reflect101_by_hand(void)
{
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "box", 0, 3), 0);
	tk_image in, out;
	make(&in, 5, 1, 1, 0);
	memcpy(in.data, (uint8_t[]){10, 20, 30, 40, 50}, 5);
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	CU_ASSERT_EQUAL(memcmp(out.data, ((uint8_t[]){17, 20, 30, 40, 43}), 5), 0);
	tk_image_free(&out);
	/* 5 wide, box 5: x = 0 sees 30 20 10 20 30 = 110/5 = 22 */
	CU_ASSERT_EQUAL_FATAL(chain(&c, "box", 0, 5), 0);
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	CU_ASSERT_EQUAL(out.data[0], 22);
	CU_ASSERT_EQUAL(out.data[2], 30);
	CU_ASSERT_EQUAL(out.data[4], 38); /* 30 40 50 40 30 = 190 / 5 */
	tk_image_free(&in);
	tk_image_free(&out);
}

/* A vertical step edge 0 | 50: gx = 4 * 50 = 200 on the two columns beside it. */
static void sobel_step_edge(void)
{
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "sobel", 0, 0), 0);
	tk_image in, out;
	make(&in, 6, 4, 1, 0);
	for (int y = 0; y < 4; y++)
		memset(in.data + y * 6 + 3, 50, 3);
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	int bad = 0;
	for (int y = 0; y < 4; y++)
		bad += memcmp(out.data + y * 6, ((uint8_t[]){0, 0, 200, 200, 0, 0}), 6) != 0;
	CU_ASSERT_EQUAL(bad, 0);
	tk_image_free(&in);
	tk_image_free(&out);
	/* an impulse of 10: |g| = 20 beside it, sqrt(10^2 + 10^2) = 14.1 -> 14 diagonally;
	 * 200 gives 400 -> saturated to 255 */
	make(&in, 5, 5, 1, 0);
	in.data[12] = 10;
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	static const uint8_t want[9] = {14, 20, 14, 20, 0, 20, 14, 20, 14};
	for (int y = 1; y <= 3; y++)
		CU_ASSERT_EQUAL(memcmp(out.data + y * 5 + 1, want + (y - 1) * 3, 3), 0);
	CU_ASSERT_EQUAL(out.data[0], 0);
	tk_image_free(&out);
	in.data[12] = 200;
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	CU_ASSERT_EQUAL(out.data[7], 255);
	tk_image_free(&in);
	tk_image_free(&out);
}

/* Sharpen by hand on one row 0 0 100 0 0 (sigma 1: weights 1 14 62 102 62 14 1 / 256;
 * one row, so the vertical pass weighs it by 256/256).  x = 2: blur 100 x 102 / 256 =
 * 39.8 -> 40, out 100 + (100 - 40) = 160.  x = 1: reflect-101 brings the 100 in twice
 * (offsets -3 and +1: 1 + 62), blur 24.6 -> 25, out 0 - 25 -> 0.  A flat image stays. */
static void sharpen_by_hand(void)
{
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "sharpen", 1, 0), 0);
	tk_image in, out;
	make(&in, 5, 1, 1, 0);
	in.data[2] = 100;
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	CU_ASSERT_EQUAL(out.data[2], 160);
	CU_ASSERT_EQUAL(out.data[1], 0);
	tk_image_free(&in);
	tk_image_free(&out);
	make(&in, 9, 7, 3, 77);
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	int bad = 0;
	for (size_t i = 0; i < tk_image_bytes(&out); i++)
		bad += out.data[i] != 77;
	CU_ASSERT_EQUAL(bad, 0);
	tk_image_free(&in);
	tk_image_free(&out);
}

/* Isolated salt and pepper on a flat 100 is removed completely by 3x3 and 5x5. */
static void median_removes_salt_and_pepper(void)
{
	for (int size = 3; size <= 5; size += 2) {
		tk_filter_chain c;
		CU_ASSERT_EQUAL_FATAL(chain(&c, "median", 0, size), 0);
		tk_image in, out;
		make(&in, 12, 11, 1, 100);
		for (int y = 0; y < 11; y += 3)
			for (int x = (y / 3) % 2; x < 12; x += 3)
				in.data[y * 12 + x] = (x + y) % 2 ? 255 : 0;
		CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
		int bad = 0;
		for (size_t i = 0; i < 12 * 11; i++)
			bad += out.data[i] != 100;
		CU_ASSERT_EQUAL(bad, 0);
		tk_image_free(&in);
		tk_image_free(&out);
	}
}

/* OpenCV's RGB2GRAY weights for R, G, B: 0.299 255 = 76.2,
 * 0.587 255 = 149.7, 0.114 255 = 29.1; alpha kept. */
static void gray_invert_threshold(void)
{
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "gray", 0, 0), 0);
	tk_image in, out;
	make(&in, 4, 1, 4, 0);
	memcpy(in.data, (uint8_t[]){255, 0, 0, 9, 0, 255, 0, 8, 0, 0, 255, 7, 255, 255, 255, 6},
	       16);
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	CU_ASSERT_EQUAL(out.channels, 2);
	CU_ASSERT_EQUAL(memcmp(out.data, ((uint8_t[]){76, 9, 150, 8, 29, 7, 255, 6}), 8), 0);
	tk_image_free(&out);
	CU_ASSERT_EQUAL_FATAL(chain(&c, "invert", 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	CU_ASSERT_EQUAL(memcmp(out.data, ((uint8_t[]){0, 255, 255, 9}), 4), 0);
	tk_image_free(&out);
	tk_filter_params p = TK_FILTER_PARAMS_INIT;
	p.level = 254;
	CU_ASSERT_EQUAL_FATAL(tk_filter_chain_init(&c, "threshold", &p), 0);
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	CU_ASSERT_EQUAL(memcmp(out.data, ((uint8_t[]){255, 0, 0, 9, 0, 255, 0, 8}), 8), 0);
	tk_image_free(&in);
	tk_image_free(&out);
}

static void chain_errors(void)
{
	tk_filter_chain c;
	tk_filter_params p = TK_FILTER_PARAMS_INIT;
	static const struct {
		const char *list;
		double sigma;
		int size;
		const char *words;
	} bad[] = {
		{"blur", 0, 0, "unknown filter 'blur'"},
		{"gaussian,,box", 0, 0, "empty filter"},
		{"box", 0, 4, "box: --size 4"},
		{"median", 0, 7, "median: --size 7"},
		{"gaussian", -1, 0, "--sigma"},
		{"gaussian", 0, 6, "kernel size 6"},
		{"gaussian", 1000, 0, "needs a kernel of about 6001"},
		{"", 0, 0, "no filter"},
	};
	for (size_t i = 0; i < TK_ARRAY_SIZE(bad); i++) {
		p.sigma = bad[i].sigma;
		p.size = bad[i].size;
		tk_error_clear();
		CU_ASSERT_EQUAL(tk_filter_chain_init(&c, bad[i].list, &p), TK_EUSAGE);
		if (!strstr(tk_error_message(), bad[i].words))
			fprintf(stderr, "\n  '%s': '%s'\n", bad[i].list, tk_error_message());
		CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), bad[i].words));
	}
	p = (tk_filter_params)TK_FILTER_PARAMS_INIT;
	p.level = 256;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_filter_chain_init(&c, "threshold", &p), TK_EUSAGE);
	tk_error_clear();
	CU_ASSERT_EQUAL(chain(&c, "gaussian,box,sobel,median", 0, 5), 0);
	CU_ASSERT_EQUAL(c.radius, 2 + 2 + 1 + 2);
	CU_ASSERT_EQUAL(tk_filter_channels_out(&c, 3), 3);
	CU_ASSERT_EQUAL(chain(&c, "gray,invert", 0, 0), 0);
	CU_ASSERT_EQUAL(tk_filter_channels_out(&c, 4), 2);
	CU_ASSERT_EQUAL(tk_filter_channels_out(&c, 1), 1);
}

/* ---- direct references -------------------------------------------------------- */

static int refl(int p, int n)
{
	/* gfedcb|abcdefgh|gfedcba, repeated for kernels wider than the image */
	if (n == 1)
		return 0;
	for (;;) {
		if (p < 0)
			p = -p;
		else if (p >= n)
			p = 2 * (n - 1) - p;
		else
			return p;
	}
}

static int at(const tk_image *img, int x, int y, int ch)
{
	return px(img, refl(x, (int)img->width), refl(y, (int)img->height), ch);
}

static int cmp_u8(const void *a, const void *b)
{
	return *(const uint8_t *)a - *(const uint8_t *)b;
}

/* One step, pixel by pixel; alpha copied. */
static void reference_step(const tk_filter_step *s, const tk_image *in, tk_image *out)
{
	int w = (int)in->width, h = (int)in->height, c = in->channels, r = s->radius;
	int color = c == 2 || c == 4 ? c - 1 : c;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			for (int ch = 0; ch < c; ch++) {
				int v = at(in, x, y, ch);
				uint8_t *o = &out->data[((size_t)y * w + x) * c + ch];
				if (ch >= color) {
					*o = (uint8_t)v;
					continue;
				}
				if (s->kind == TK_FILTER_GAUSSIAN || s->kind == TK_FILTER_SHARPEN) {
					int64_t sum = 0;
					for (int dy = -r; dy <= r; dy++)
						for (int dx = -r; dx <= r; dx++)
							sum += (int64_t)s->weight[abs(dy)] *
							       s->weight[abs(dx)] * at(in, x + dx, y + dy, ch);
					int b = (int)((sum + 32768) >> 16);
					if (s->kind == TK_FILTER_GAUSSIAN) {
						*o = (uint8_t)b;
					} else {
						double q = rint(v + s->amount * (v - b) / 256.0);
						*o = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
					}
				} else if (s->kind == TK_FILTER_BOX) {
					int64_t sum = 0, d = (2 * r + 1) * (2 * r + 1);
					for (int dy = -r; dy <= r; dy++)
						for (int dx = -r; dx <= r; dx++)
							sum += at(in, x + dx, y + dy, ch);
					*o = (uint8_t)((sum + d / 2) / d); /* d odd: no ties */
				} else if (s->kind == TK_FILTER_SOBEL) {
					int gx = 0, gy = 0;
					for (int k = -1; k <= 1; k++) {
						int wk = k == 0 ? 2 : 1;
						gx += wk * (at(in, x + 1, y + k, ch) - at(in, x - 1, y + k, ch));
						gy += wk * (at(in, x + k, y + 1, ch) - at(in, x + k, y - 1, ch));
					}
					double m = floor(sqrt((double)gx * gx + (double)gy * gy) + 0.5);
					*o = (uint8_t)(m > 255 ? 255 : m);
				} else if (s->kind == TK_FILTER_MEDIAN) {
					uint8_t v25[25];
					int n = 0;
					for (int dy = -r; dy <= r; dy++)
						for (int dx = -r; dx <= r; dx++)
							v25[n++] = (uint8_t)at(in, x + dx, y + dy, ch);
					qsort(v25, (size_t)n, 1, cmp_u8);
					*o = v25[n / 2];
				} else {
					*o = (uint8_t)v; /* not used: point filters are checked by hand */
				}
			}
}

static const struct {
	const char *list;
	double sigma;
	int size;
} spatial[] = {
	{"gaussian", 0, 3}, {"gaussian", 0, 5},  {"gaussian", 2, 0},  {"gaussian", 0.8, 0},
	{"gaussian", 0, 9}, {"gaussian", 0, 15}, {"gaussian", 0, 17}, {"gaussian", 3, 0},
	{"box", 0, 3},      {"box", 0, 7},       {"box", 0, 15},      {"box", 0, 17},
	{"sobel", 0, 0},    {"sharpen", 1.5, 0}, {"median", 0, 3},    {"median", 0, 5},
};

/* Make variant v the active one (0 when this CPU or build lacks it). */
static int use_variant(int v)
{
	const tk_functable *t = tk_simd_table(v);
	if (t)
		tk_fn = *t;
	return t != NULL;
}

/* The variants this CPU cannot run, said once. */
static void note_skipped(void)
{
	static int said;
	for (int v = 0; v < TK_SIMD_NVARIANTS && !said; v++)
		if (!tk_simd_table(v))
			fprintf(stderr, "\n  filter: SIMD variant %s not run (this CPU or build lacks it)",
			        tk_simd_name(v));
	said = 1;
}

static void matches_reference(void)
{
	static const uint32_t sizes[][2] = {{1, 1}, {2, 3}, {5, 1}, {1, 6}, {37, 23}, {300, 7},
	                                    {1100, 4}, {2049, 3}}; /* blocks and tiles of row passes */
	int failures = 0;
	tk_functable saved = tk_fn;
	note_skipped();
	for (size_t f = 0; f < TK_ARRAY_SIZE(spatial); f++) {
		tk_filter_chain c;
		CU_ASSERT_EQUAL_FATAL(chain(&c, spatial[f].list, spatial[f].sigma, spatial[f].size),
		                      0);
		for (size_t z = 0; z < TK_ARRAY_SIZE(sizes); z++)
			for (int ch = 1; ch <= 4; ch++) {
				tk_image in, out, ref;
				make(&in, sizes[z][0], sizes[z][1], ch, 0);
				random_fill(&in, f * 100 + z * 10 + (uint64_t)ch);
				make(&ref, in.width, in.height, ch, 0);
				reference_step(&c.step[0], &in, &ref);
				for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
					if (!use_variant(v))
						continue;
					CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
					if (memcmp(out.data, ref.data, tk_image_bytes(&in)) != 0 &&
					    failures++ < 5)
						fprintf(stderr, "\n  %s (sigma %g size %d) %ux%ux%d [%s] differs",
						        spatial[f].list, spatial[f].sigma, spatial[f].size,
						        in.width, in.height, ch, tk_simd_name(v));
					tk_image_free(&out);
				}
				tk_image_free(&in);
				tk_image_free(&ref);
			}
	}
	tk_fn = saved;
	CU_ASSERT_EQUAL(failures, 0);
}

/* Box's rounded division for every window sum s = 0 .. 255 k^2 of every size k up to
 * 15 (the 16-bit lanes' range), in every variant: a k-row image whose column sums are
 * floor(j / k) makes the window sums along the middle row step by exactly one, and
 * each output must be round(s / k^2), s counted here. */
static void box_every_sum(void)
{
	tk_functable saved = tk_fn;
	int failures = 0;
	for (int k = 3; k <= 15; k += 2) {
		int r = k / 2, d = k * k;
		uint32_t w = (uint32_t)(255 * d + 2 * k);
		tk_image in, out;
		make(&in, w, (uint32_t)k, 1, 0);
		for (uint32_t j = 0; j < w; j++) {
			int cs = (int)j / k > 255 * k ? 255 * k : (int)j / k;
			for (int y = 0; y < k; y++)
				in.data[(size_t)y * w + j] = (uint8_t)(cs / k + (y < cs % k));
		}
		tk_filter_chain c;
		CU_ASSERT_EQUAL_FATAL(chain(&c, "box", 0, k), 0);
		for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
			if (!use_variant(v))
				continue;
			CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
			for (uint32_t x = (uint32_t)r; x + (uint32_t)r < w; x++) {
				int sum = 0; /* column sums of the window: floor(j / k), capped */
				for (int dx = -r; dx <= r; dx++) {
					int j = (int)x + dx;
					sum += j / k > 255 * k ? 255 * k : j / k;
				}
				if (px(&out, (int)x, r, 0) != (sum + d / 2) / d && failures++ < 5)
					fprintf(stderr, "\n  box %d [%s]: window sum %d gives %d", k,
					        tk_simd_name(v), sum, px(&out, (int)x, r, 0));
			}
			tk_image_free(&out);
		}
		tk_image_free(&in);
	}
	tk_fn = saved;
	CU_ASSERT_EQUAL(failures, 0);
}

/* invert and threshold with streaming stores (the path for outputs larger than the
 * last-level cache), called directly: every start alignment and length up to 300, out
 * separate and in place, in every variant, against 255 - p and p > level by hand. */
static void point_streaming(void)
{
	enum { N = 300, PAD = 64 };
	static uint8_t in[N + PAD], out[N + PAD], want[N + PAD];
	int failures = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		const tk_functable *t = tk_simd_table(v);
		if (!t)
			continue;
		for (int op = 0; op < 2; op++)
			for (size_t off = 0; off < PAD; off += 7)
				for (size_t n = 0; n <= N; n += n < 140 ? 1 : 37)
					for (int inplace = 0; inplace < 2; inplace++) {
						for (size_t i = 0; i < n; i++) {
							in[off + i] = (uint8_t)(i * 37 + off + (size_t)op);
							want[i] = op ? (in[off + i] > 100 ? 255 : 0)
							             : (uint8_t)(255 - in[off + i]);
						}
						uint8_t *o = inplace ? in + off : out + off;
						if (op)
							t->tk_filter_threshold(o, in + off, 100, n, 1);
						else
							t->tk_filter_invert(o, in + off, n, 1);
						if (memcmp(o, want, n) != 0 && failures++ < 5)
							fprintf(stderr, "\n  %s [%s] offset %zu n %zu%s differs",
							        op ? "threshold" : "invert", tk_simd_name(v), off,
							        n, inplace ? " in place" : "");
					}
	}
	CU_ASSERT_EQUAL(failures, 0);
}

/* gray on every RGB triple (a 4096 x 4096 image holds each once), every variant,
 * against OpenCV 4.6's formula (9798 R + 19235 G + 3735 B + 2^14) >> 15. */
static void gray_every_triple(void)
{
	tk_image in, out;
	make(&in, 4096, 4096, 3, 0);
	for (uint32_t i = 0; i < 1u << 24; i++) {
		in.data[3 * (size_t)i] = (uint8_t)(i >> 16);
		in.data[3 * (size_t)i + 1] = (uint8_t)(i >> 8);
		in.data[3 * (size_t)i + 2] = (uint8_t)i;
	}
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "gray", 0, 0), 0);
	tk_functable saved = tk_fn;
	int failures = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		if (!use_variant(v))
			continue;
		CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
		for (uint32_t i = 0; i < 1u << 24; i++) {
			uint32_t r = i >> 16, g = (i >> 8) & 255, b = i & 255;
			uint32_t want = (9798 * r + 19235 * g + 3735 * b + 16384) >> 15;
			if (out.data[i] != want && failures++ < 5)
				fprintf(stderr, "\n  gray [%s] of %u %u %u: %u, want %u", tk_simd_name(v), r,
				        g, b, out.data[i], want);
		}
		tk_image_free(&out);
	}
	tk_fn = saved;
	tk_image_free(&in);
	CU_ASSERT_EQUAL(failures, 0);
}

/* Every variant gives the scalar variant's bytes: every filter (and chains of them),
 * gray to RGBA, widths 1 to 3 and widths around each vector and block size (16, 32,
 * 64 and 128 elements), so that rows end in every kind of remainder, including rows
 * shorter than one vector. */
static void variants_match_scalar(void)
{
	static const struct {
		const char *list;
		double sigma, amount;
		int size;
	} cases[] = {
		{"gaussian", 1, 0, 0},   {"gaussian", 2, 0, 0},   {"gaussian", 3, 0, 0},
		{"gaussian", 0, 0, 3},   {"gaussian", 0, 0, 5},   {"gaussian", 12, 0, 0},
		{"box", 0, 0, 3},        {"box", 0, 0, 5},        {"box", 0, 0, 15},
		{"box", 0, 0, 21},       {"sobel", 0, 0, 0},      {"sharpen", 1, 1, 0},
		{"sharpen", 2.5, 37.5, 0}, {"sharpen", 0.7, 0.3, 0}, {"median", 0, 0, 3},
		{"median", 0, 0, 5},     {"gray", 0, 0, 0},       {"invert", 0, 0, 0},
		{"threshold", 0, 0, 0},  {"gray,sobel,median", 0, 0, 5},
	};
	static const uint32_t widths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63,
	                                  64, 65, 127, 128, 129, 200, 257};
	static const uint32_t heights[] = {1, 2, 3, 7};
	int failures = 0, compared = 0, max_threads = tk_thread_max();
	tk_functable saved = tk_fn;
	note_skipped();
	tk_thread_set(1); /* thousands of tiny images: no team to wake for each */
	for (size_t k = 0; k < TK_ARRAY_SIZE(cases); k++) {
		tk_filter_params p = TK_FILTER_PARAMS_INIT;
		p.sigma = cases[k].sigma;
		p.amount = cases[k].amount;
		p.size = cases[k].size;
		tk_filter_chain c;
		CU_ASSERT_EQUAL_FATAL(tk_filter_chain_init(&c, cases[k].list, &p), 0);
		for (size_t wi = 0; wi < TK_ARRAY_SIZE(widths); wi++)
			for (size_t hi = 0; hi < TK_ARRAY_SIZE(heights); hi++)
				for (int ch = 1; ch <= 4; ch++) {
					tk_image in, ref, out;
					make(&in, widths[wi], heights[hi], ch, 0);
					random_fill(&in, k * 1000 + wi * 10 + hi + (uint64_t)ch * 7);
					CU_ASSERT_FATAL(use_variant(TK_SIMD_SCALAR));
					CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &ref), 0);
					for (int v = 1; v < TK_SIMD_NVARIANTS; v++) {
						if (!use_variant(v))
							continue;
						CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
						compared++;
						if (memcmp(out.data, ref.data, tk_image_bytes(&ref)) != 0 &&
						    failures++ < 5)
							fprintf(stderr, "\n  %s %ux%ux%d: %s differs from scalar",
							        cases[k].list, in.width, in.height, ch,
							        tk_simd_name(v));
						tk_image_free(&out);
					}
					tk_image_free(&in);
					tk_image_free(&ref);
				}
	}
	tk_fn = saved;
	tk_thread_set(max_threads);
	CU_ASSERT_EQUAL(failures, 0);
	CU_ASSERT(compared > 0 || !tk_simd_table(TK_SIMD_V128)); /* the 128-bit one is always there */
}

/* ---- strips ------------------------------------------------------------------- */

/* Split the image into `parts` row strips; each strip gets its rows plus halo rows in a
 * buffer of its own (as a rank receives them) and is filtered alone. */
static int strips_equal_whole(const tk_filter_chain *c, const tk_image *in,
                              const tk_image *whole, int parts)
{
	int co = tk_filter_channels_out(c, in->channels);
	size_t row_in = tk_image_row_bytes(in), row_out = (size_t)in->width * co;
	uint8_t *out = malloc(tk_image_bytes(whole) + 1);
	for (int p = 0; p < parts; p++) {
		tk_range own = tk_decomp_block(in->height, (uint64_t)parts, (uint64_t)p);
		uint64_t y0 = own.lo, y1 = own.hi;
		uint32_t a, b;
		tk_filter_halo(c, in->height, (uint32_t)y0, (uint32_t)y1, &a, &b);
		uint8_t *strip = malloc((size_t)(b - a) * row_in + 1);
		memcpy(strip, in->data + a * row_in, (size_t)(b - a) * row_in);
		int rc = tk_filter_rows(c, in->width, in->height, in->channels, strip, a, b,
		                        out + y0 * row_out, (uint32_t)y0, (uint32_t)y1);
		free(strip);
		if (rc != 0) {
			free(out);
			return 0;
		}
	}
	int same = memcmp(out, whole->data, tk_image_bytes(whole)) == 0;
	free(out);
	return same;
}

static void strips_and_threads_agree(void)
{
	static const struct {
		const char *list;
		double sigma;
		int size;
	} chains[] = {
		{"gaussian", 2, 0},
		{"box,sobel", 0, 5},
		{"median,sharpen,gray", 0, 5},
		{"gaussian,median,box,invert,threshold", 0, 3},
		{"box", 0, 31},
		{"sobel,gaussian,gaussian", 0, 7},
	};
	static const uint32_t sizes[][2] = {{41, 29}, {13, 5}, {3, 2}, {64, 1}};
	int max_threads = tk_thread_max(), failures = 0;
	for (size_t k = 0; k < TK_ARRAY_SIZE(chains); k++) {
		tk_filter_chain c;
		CU_ASSERT_EQUAL_FATAL(chain(&c, chains[k].list, chains[k].sigma, chains[k].size),
		                      0);
		for (size_t z = 0; z < TK_ARRAY_SIZE(sizes); z++)
			for (int ch = 1; ch <= 4; ch++) {
				tk_image in, whole;
				make(&in, sizes[z][0], sizes[z][1], ch, 0);
				random_fill(&in, k * 7 + z * 3 + (uint64_t)ch);
				tk_thread_set(1);
				CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &whole), 0);
				for (int t = 1; t <= 3; t++) {
					tk_thread_set(t);
					for (int parts = 1; parts <= 7; parts++)
						if (!strips_equal_whole(&c, &in, &whole, parts) &&
						    failures++ < 5)
							fprintf(stderr, "\n  %s %ux%ux%d: %d strips, %d "
							        "threads differ", chains[k].list, in.width,
							        in.height, ch, parts, t);
				}
				tk_image_free(&in);
				tk_image_free(&whole);
			}
	}
	tk_thread_set(max_threads);
	CU_ASSERT_EQUAL(failures, 0);
}

static void alpha_passes_through(void)
{
	tk_filter_chain c;
	CU_ASSERT_EQUAL_FATAL(chain(&c, "gaussian,sobel,median,invert,sharpen", 2, 0), 0);
	tk_image in, out;
	make(&in, 23, 17, 4, 0);
	random_fill(&in, 5);
	CU_ASSERT_EQUAL_FATAL(tk_filter_image(&c, &in, &out), 0);
	int bad = 0;
	for (size_t i = 0; i < 23 * 17; i++)
		bad += out.data[4 * i + 3] != in.data[4 * i + 3];
	CU_ASSERT_EQUAL(bad, 0);
	tk_image_free(&in);
	tk_image_free(&out);
}

static const tk_test tests[] = {
	{"gaussian impulse gives the kernel", gaussian_impulse_is_kernel},
	{"gaussian sigma 1 weights by hand", gaussian_sigma1_weights},
	{"box impulse", box_impulse},
	{"reflect-101 by hand", reflect101_by_hand},
	{"sobel step edge and impulse", sobel_step_edge},
	{"sharpen by hand", sharpen_by_hand},
	{"median removes salt and pepper", median_removes_salt_and_pepper},
	{"gray, invert, threshold by hand", gray_invert_threshold},
	{"chain errors", chain_errors},
	{"matches direct reference, every SIMD variant", matches_reference},
	{"every SIMD variant gives the scalar bytes", variants_match_scalar},
	{"box rounds every window sum, every SIMD variant", box_every_sum},
	{"invert and threshold with streaming stores", point_streaming},
	{"gray of every RGB triple, every SIMD variant", gray_every_triple},
	{"strips x threads equal whole image", strips_and_threads_agree},
	{"alpha passes through", alpha_passes_through},
	{NULL, NULL},
};
const tk_suite tk_suite_filter = {"filter", tests};
