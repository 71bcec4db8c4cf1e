/*
 * test_image.c: reading every PNG/PNM variant in tests/data (written by Netpbm, see
 * tests/make_fixtures.sh) against the picture's formulas, round trips through our
 * writers, bad files and their error codes, the digest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk/hash.h"
#include "tk/image.h"
#include "tk/tk.h"
#include "tk_test.h"

#define W 7
#define H 5

/* The fixtures' picture (tests/make_fixtures.sh). */
static uint8_t gray_at(int x, int y) { return (uint8_t)((37 * x + 53 * y) % 256); }
static uint8_t alpha_at(int x) { return (uint8_t)(255 - 30 * x); }
static void rgb_at(int x, int y, uint8_t *p)
{
	p[0] = (uint8_t)(40 * x);
	p[1] = (uint8_t)(60 * y);
	p[2] = (uint8_t)(20 * (x + y));
}

static char *data_path(const char *name)
{
	static char buf[4][512];
	static int k;
	char *p = buf[k++ % 4];
	snprintf(p, 512, "%s/%s", tk_test_data_dir(), name);
	return p;
}

static int is_png(const char *name) { return strstr(name, ".png") != NULL; }

/* Whether this build reads PNG (known only to png.c: ask it).  Without libpng, a PNG
 * file must give the clear "not built" error, which is checked instead. */
static int have_png(void)
{
	static int known, have;
	if (!known) {
		tk_image img;
		char path[512];
		snprintf(path, sizeof path, "%s/gray.png", tk_test_data_dir());
		tk_error_clear();
		have = tk_image_read(path, &img) == 0;
		if (have)
			tk_image_free(&img);
		else
			CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "PNG support is not built"));
		tk_error_clear();
		known = 1;
	}
	return have;
}

static int read_fixture(const char *name, tk_image *img)
{
	tk_error_clear();
	int rc = tk_image_read(data_path(name), img);
	if (rc != 0)
		fprintf(stderr, "\n  %s: %s\n", name, tk_error_message());
	return rc;
}

/* Compare img with the picture in the given layout; returns mismatches. */
static int check_picture(const tk_image *img, int channels)
{
	if (img->width != W || img->height != H || img->channels != channels)
		return 1000;
	int bad = 0;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			const uint8_t *p = img->data + ((size_t)y * W + x) * channels;
			uint8_t want[4];
			if (channels <= 2) {
				want[0] = gray_at(x, y);
				want[1] = alpha_at(x);
			} else {
				rgb_at(x, y, want);
				want[3] = alpha_at(x);
			}
			bad += memcmp(p, want, (size_t)channels) != 0;
		}
	return bad;
}

static void reads_every_variant(void)
{
	static const struct {
		const char *name;
		int channels;
	} files[] = {
		{"gray_plain.pgm", 1}, {"gray.pgm", 1},   {"gray16.pgm", 1}, {"gray.png", 1},
		{"gray16.png", 1},     {"rgb_plain.ppm", 3}, {"rgb.ppm", 3},  {"rgb.png", 3},
		{"rgb16.png", 3},      {"interlaced.png", 3}, {"pal.png", 3}, {"ga.png", 2},
		{"rgba.png", 4},
	};
	for (size_t i = 0; i < TK_ARRAY_SIZE(files); i++) {
		tk_image img;
		if (is_png(files[i].name) && !have_png())
			continue;
		CU_ASSERT_EQUAL_FATAL(read_fixture(files[i].name, &img), 0);
		int bad = check_picture(&img, files[i].channels);
		if (bad)
			fprintf(stderr, "\n  %s: %d pixels differ\n", files[i].name, bad);
		CU_ASSERT_EQUAL(bad, 0);
		tk_image_free(&img);
	}
}

/* 16-bit files are counted (the library prints nothing; the command says it once). */
static void counts_16bit(void)
{
	tk_image img;
	uint64_t before = tk_image_16bit_count(NULL);
	CU_ASSERT_EQUAL_FATAL(read_fixture("gray16.pgm", &img), 0);
	tk_image_free(&img);
	CU_ASSERT_EQUAL(tk_image_16bit_count(NULL), before + 1);
	CU_ASSERT_EQUAL_FATAL(read_fixture("gray.pgm", &img), 0);
	tk_image_free(&img);
	const char *first = NULL;
	CU_ASSERT_EQUAL(tk_image_16bit_count(&first), before + 1);
	CU_ASSERT_PTR_NOT_NULL(first);
}

/* 1/2/4-bit gray and maxval 15 expand to the full 0..255 range. */
static void expands_low_depths(void)
{
	static const struct {
		const char *name;
		int levels;
	} files[] = {{"gray1.png", 2}, {"gray2.png", 4}, {"gray4.png", 16}, {"gray15.pgm", 16}};
	for (size_t i = 0; i < TK_ARRAY_SIZE(files); i++) {
		tk_image img;
		if (is_png(files[i].name) && !have_png())
			continue;
		CU_ASSERT_EQUAL_FATAL(read_fixture(files[i].name, &img), 0);
		CU_ASSERT_EQUAL(img.channels, 1);
		int step = 255 / (files[i].levels - 1), bad = 0;
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				bad += img.data[y * W + x] != ((x + y) % files[i].levels) * step;
		CU_ASSERT_EQUAL(bad, 0);
		tk_image_free(&img);
	}
}

/* A palette with one transparent colour becomes RGBA, alpha 0 only there. */
static void palette_transparency_to_alpha(void)
{
	tk_image img;
	if (!have_png())
		return;
	CU_ASSERT_EQUAL_FATAL(read_fixture("pal_trns.png", &img), 0);
	CU_ASSERT_EQUAL_FATAL(img.channels, 4);
	int bad = 0;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint8_t want[3];
			rgb_at(x, y, want);
			const uint8_t *p = img.data + ((size_t)y * W + x) * 4;
			bad += memcmp(p, want, 3) != 0 || p[3] != (x == 0 && y == 0 ? 0 : 255);
		}
	CU_ASSERT_EQUAL(bad, 0);
	tk_image_free(&img);
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char buf[256];
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/tk_test_image_XXXXXX");
		if (!mkdtemp(tmpdir))
			return NULL;
	}
	snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
	return buf;
}

/* Read, write in every format that holds the layout, read back: same pixels. */
static void round_trips(void)
{
	static const char *const inputs[] = {"gray.pgm", "rgb.ppm", "ga.png", "rgba.png"};
	static const char *const outputs[] = {"o.png", "o.pgm", "o.ppm", "o.pnm", "O.PNG"};
	for (size_t i = 0; i < TK_ARRAY_SIZE(inputs); i++) {
		tk_image img;
		if (is_png(inputs[i]) && !have_png())
			continue;
		CU_ASSERT_EQUAL_FATAL(read_fixture(inputs[i], &img), 0);
		for (size_t o = 0; o < TK_ARRAY_SIZE(outputs); o++) {
			const char *path = tmp_path(outputs[o]);
			tk_error_clear();
			int rc = tk_image_write(path, &img);
			int png = strstr(outputs[o], "png") || strstr(outputs[o], "PNG");
			int fits = (png && have_png()) ||
			           (!png && img.channels == 1 && !strstr(outputs[o], "ppm")) ||
			           (!png && img.channels == 3 && !strstr(outputs[o], "pgm"));
			CU_ASSERT_EQUAL(rc, fits ? 0 : TK_EUSAGE);
			if (rc != 0)
				continue;
			tk_image back;
			CU_ASSERT_EQUAL_FATAL(tk_image_read(path, &back), 0);
			CU_ASSERT_EQUAL(check_picture(&back, img.channels), 0);
			CU_ASSERT_EQUAL(tk_image_digest(&back), tk_image_digest(&img));
			tk_image_free(&back);
			unlink(path);
		}
		tk_image_free(&img);
	}
}

static void expect_error(const char *name, int code, const char *words)
{
	tk_image img;
	tk_error_clear();
	int rc = tk_image_read(data_path(name), &img);
	if (rc != code || !strstr(tk_error_message(), words) ||
	    !strstr(tk_error_message(), name))
		fprintf(stderr, "\n  %s: got %d '%s'\n", name, rc, tk_error_message());
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), words));
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), name));
	CU_ASSERT_PTR_NULL(img.data);
	tk_error_clear();
}

static void bad_files(void)
{
	expect_error("bad_truncated.png", TK_EIO, have_png() ? "truncated" : "not built");
	expect_error("bad_truncated.pgm", TK_EIO, "truncated");
	expect_error("bad_truncated_plain.ppm", TK_EIO, "truncated");
	expect_error("bad_huge.pgm", TK_ENOMEM, "too large");
	expect_error("bad_zero.pgm", TK_EIO, "zero width");
	expect_error("bad_maxval0.pgm", TK_EIO, "maxval 0");
	expect_error("bad_sample.pgm", TK_EIO, "exceeds maxval");
	expect_error("bad_notimage.png", TK_EIO, "not a PNG or PNM");
	expect_error("no_such_file.png", TK_EIO, "cannot open");
}

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xFFFFFFFFu;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A PNG whose valid IHDR claims 65536 x 65537: refused before allocating. */
static void huge_png_header(void)
{
	if (!have_png())
		return;
	uint8_t f[45] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
	                 'I',  'H', 'D', 'R'};
	put32(f + 16, 65536);
	put32(f + 20, 65537);
	f[24] = 8; /* depth */
	f[25] = 0; /* gray */
	put32(f + 29, crc32_png(f + 12, 17));
	/* then an empty IDAT chunk, so that the header is all libpng reads */
	memcpy(f + 37, "IDAT", 4);
	put32(f + 41, crc32_png(f + 37, 4));
	const char *path = tmp_path("huge.png");
	FILE *out = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	fwrite(f, 1, sizeof f, out);
	fclose(out);
	tk_image img;
	tk_error_clear();
	int rc = tk_image_read(path, &img);
	if (rc != TK_ENOMEM)
		fprintf(stderr, "\n  huge.png: %s\n", tk_error_message());
	CU_ASSERT_EQUAL(rc, TK_ENOMEM);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "too large"));
	tk_error_clear();
	unlink(path);
}

/* A PNG whose IHDR claims 40000 x 40000 gray (1.6 GB of pixels) in a 45-byte file:
 * deflate cannot pack that much into so little, so it is truncated (exit 3), refused
 * before the image is allocated (it used to allocate first). */
static void png_header_beyond_file(void)
{
	if (!have_png())
		return;
	uint8_t f[45] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
	                 'I',  'H', 'D', 'R'};
	put32(f + 16, 40000);
	put32(f + 20, 40000);
	f[24] = 8; /* depth */
	f[25] = 0; /* gray */
	put32(f + 29, crc32_png(f + 12, 17));
	memcpy(f + 37, "IDAT", 4);
	put32(f + 41, crc32_png(f + 37, 4));
	const char *path = tmp_path("liar.png");
	FILE *out = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	fwrite(f, 1, sizeof f, out);
	fclose(out);
	tk_image img;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_image_read(path, &img), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "can hold"));
	tk_error_clear();
	unlink(path);
}

/* Plain P2/P3: a header of 40000 x 40000 over a few bytes of text is truncated, found
 * before allocating (each sample takes a digit and a separator). */
static void plain_pnm_header_beyond_file(void)
{
	static const char *const texts[] = {"P2\n40000 40000\n255\n0 1 2\n",
	                                    "P3 40000 40000 255 0 0 0\n", "P2 3 2 255 1 2 3 4 5\n"};
	for (int i = 0; i < 3; i++) {
		const char *path = tmp_path("liar.pgm");
		FILE *out = fopen(path, "wb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		fputs(texts[i], out);
		fclose(out);
		tk_image img;
		tk_error_clear();
		CU_ASSERT_EQUAL(tk_image_read(path, &img), TK_EIO);
		CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "raster bytes are present"));
		tk_error_clear();
		unlink(path);
	}
	/* the least text that holds 3 x 2 samples, "1 2 3 4 5 6" without a newline, reads */
	const char *path = tmp_path("tight.pgm");
	FILE *out = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	fputs("P2 3 2 255 1 2 3 4 5 6", out);
	fclose(out);
	tk_image img;
	tk_error_clear();
	CU_ASSERT_EQUAL_FATAL(tk_image_read(path, &img), 0);
	CU_ASSERT(img.data[0] == 1 && img.data[5] == 6);
	tk_image_free(&img);
	unlink(path);
}

/* A failed write leaves neither the target nor a temporary file behind. */
static void failed_write_leaves_nothing(void)
{
	tk_image img;
	CU_ASSERT_EQUAL_FATAL(tk_image_init(&img, 3, 2, 4), 0);
	memset(img.data, 7, tk_image_bytes(&img));
	const char *path = tmp_path("alpha.ppm");
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_image_write(path, &img), TK_EUSAGE);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	tk_error_clear();
	img.channels = 1; /* now 6 x 2 gray: PGM holds it */
	img.width = 6;
	CU_ASSERT_EQUAL(tk_image_write("/nonexistent_dir/x.pgm", &img), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "/nonexistent_dir/x.pgm"));
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_image_write(tmp_path("x.jpg"), &img), TK_EUSAGE);
	tk_error_clear();
	tk_image_free(&img);
	rmdir(tmpdir); /* fails (and the test sees it) if anything was left behind */
	struct stat st;
	CU_ASSERT_NOT_EQUAL(stat(tmpdir, &st), 0);
	tmpdir[0] = '\0';
}

static void size_limits(void)
{
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_image_check_size("a", 0, 5, 1), TK_EIO);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_image_check_size("a", 65536, 65537, 1), TK_ENOMEM);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_image_check_size("a", 4000000000u, 1, 1), TK_ENOMEM);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_image_check_size("a", 7680, 4320, 3), 0);
	tk_error_clear();
}

/* FNV-1a over little-endian 64-bit words, worked by hand for 9 bytes. */
static void digest_definition(void)
{
	const uint64_t p = 0x100000001b3ull;
	uint8_t b[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	uint64_t h = (0xcbf29ce484222325ull ^ 0x0807060504030201ull) * p;
	h = (h ^ 9) * p;
	CU_ASSERT_EQUAL(tk_fnv1a_words(TK_FNV_OFFSET, b, 9), h);
	/* layout matters: same bytes as 1x9 gray and 3x1 RGB differ */
	tk_image a = {9, 1, 1, b}, c = {3, 1, 3, b};
	CU_ASSERT_NOT_EQUAL(tk_image_digest(&a), tk_image_digest(&c));
}

static const tk_test tests[] = {
	{"reads every PNG/PNM variant", reads_every_variant},
	{"counts 16-bit reductions", counts_16bit},
	{"expands 1/2/4-bit and small maxval", expands_low_depths},
	{"palette transparency becomes alpha", palette_transparency_to_alpha},
	{"round trips through every writer", round_trips},
	{"bad files give clear errors", bad_files},
	{"huge PNG header refused", huge_png_header},
	{"PNG header beyond what the file holds", png_header_beyond_file},
	{"plain PNM header beyond what the file holds", plain_pnm_header_beyond_file},
	{"failed write leaves nothing", failed_write_leaves_nothing},
	{"size limits", size_limits},
	{"digest definition", digest_definition},
	{NULL, NULL},
};
const tk_suite tk_suite_image = {"image", tests};
