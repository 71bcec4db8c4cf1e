/*
 * pnm.c: Netpbm gray and color images: P5/P6 (binary) and P2/P3 (plain text), with
 * comments in the header and maxval 1..65535.  Samples are rescaled to 0..255
 * (rounded) when maxval is not 255.  Always written as binary P5/P6 with maxval 255.
 * Rule: the raster's length is checked against the file's size before allocating (for
 * plain files, the least text that can hold the samples).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "io/image_io.h"
#include "tk/tk.h"

/* Skip whitespace and '#' comments; returns the next character (or EOF). */
static int skip_space(FILE *f)
{
	int c = getc(f);
	for (;;) {
		if (c == '#') {
			while (c != EOF && c != '\n' && c != '\r')
				c = getc(f);
		} else if (c != EOF && isspace(c)) {
			c = getc(f);
		} else {
			return c;
		}
	}
}

/* Read one unsigned decimal number of at most 10 digits (values up to 2^32 and a bit
 * are representable, enough to spot absurd headers).  1 ok, 0 EOF, -1 not a number. */
static int read_uint(FILE *f, uint64_t *v)
{
	int c = skip_space(f);
	if (c == EOF)
		return 0;
	if (!isdigit(c))
		return -1;
	uint64_t x = 0;
	int digits = 0;
	while (c != EOF && isdigit(c)) {
		if (++digits > 10)
			return -1;
		x = x * 10 + (uint64_t)(c - '0');
		c = getc(f);
	}
	if (c != EOF)
		ungetc(c, f);
	*v = x;
	return 1;
}

/* Rescale a sample from 0..maxval to 0..255, rounding to nearest. */
static inline uint8_t rescale(uint32_t v, uint32_t maxval)
{
	return (uint8_t)(((uint64_t)v * 255 + maxval / 2) / maxval);
}

static int read_plain(FILE *f, const char *path, tk_image *img, uint32_t maxval)
{
	size_t n = tk_image_bytes(img);
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		int r = read_uint(f, &v);
		TK_REQUIRE(r != 0, TK_EIO, "%s: truncated: %zu of %zu samples present", path, i,
		           n);
		TK_REQUIRE(r > 0, TK_EIO, "%s: malformed sample number %zu", path, i);
		TK_REQUIRE(v <= maxval, TK_EIO, "%s: sample %llu exceeds maxval %u", path,
		           (unsigned long long)v, maxval);
		img->data[i] = maxval == 255 ? (uint8_t)v : rescale((uint32_t)v, maxval);
	}
	return 0;
}

static int read_binary(FILE *f, const char *path, tk_image *img, uint32_t maxval)
{
	size_t row = tk_image_row_bytes(img);
	if (maxval == 255) {
		size_t n = tk_image_bytes(img), got = fread(img->data, 1, n, f);
		TK_REQUIRE(got == n, TK_EIO, "%s: truncated: %zu of %zu raster bytes present",
		           path, got, n);
		return 0;
	}
	int wide = maxval > 255;
	uint8_t *buf = tk_alloc(row, wide ? 2 : 1);
	if (!buf)
		return TK_ENOMEM;
	int rc = 0;
	for (uint32_t y = 0; y < img->height && rc == 0; y++) {
		size_t want = row * (wide ? 2 : 1), got = fread(buf, 1, want, f);
		if (got != want) {
			rc = tk_error_set(TK_EIO, "%s: truncated in row %u of %u", path, y,
			                  img->height);
			break;
		}
		uint8_t *out = img->data + (size_t)y * row;
		for (size_t i = 0; i < row; i++) {
			uint32_t v = wide ? (uint32_t)buf[2 * i] << 8 | buf[2 * i + 1] : buf[i];
			if (v > maxval) {
				rc = tk_error_set(TK_EIO, "%s: sample %u exceeds maxval %u", path,
				                  v, maxval);
				break;
			}
			out[i] = rescale(v, maxval);
		}
	}
	tk_free(buf);
	return rc;
}

int tk_pnm_read(FILE *f, const char *path, tk_image *img)
{
	char magic[2];
	TK_REQUIRE(fread(magic, 1, 2, f) == 2, TK_EIO, "%s: truncated header", path);
	int type = magic[1] - '0';
	int channels = type == 3 || type == 6 ? 3 : 1;
	uint64_t dim[3];
	static const char *const what[] = {"width", "height", "maxval"};
	for (int i = 0; i < 3; i++) {
		int r = read_uint(f, &dim[i]);
		TK_REQUIRE(r != 0, TK_EIO, "%s: truncated header (no %s)", path, what[i]);
		TK_REQUIRE(r > 0, TK_EIO, "%s: malformed header (bad %s)", path, what[i]);
	}
	TK_REQUIRE(dim[2] >= 1 && dim[2] <= 65535, TK_EIO,
	           "%s: maxval %llu is invalid (1 to 65535)", path, (unsigned long long)dim[2]);
	/* exactly one whitespace character ends the header */
	int c = getc(f);
	TK_REQUIRE(c != EOF, TK_EIO, "%s: truncated header", path);
	TK_REQUIRE(isspace(c), TK_EIO, "%s: malformed header (no space after maxval)", path);
	TK_CHECK(tk_image_check_size(path, dim[0], dim[1], channels));
	uint32_t maxval = (uint32_t)dim[2];
	int binary = type >= 5;
	/* refuse before allocating if the file cannot hold the raster: binary samples are
	 * 1 or 2 bytes, plain ones at least a digit and a separator (the last: a digit) */
	long pos = ftell(f);
	int64_t size = tk_stream_size(f);
	uint64_t samples = dim[0] * dim[1] * (uint64_t)channels;
	uint64_t need = binary ? samples * (maxval > 255 ? 2 : 1) : 2 * samples - 1;
	if (pos >= 0 && size >= pos)
		TK_REQUIRE((uint64_t)size - (uint64_t)pos >= need, TK_EIO,
		           "%s: truncated: header says %llu x %llu but only %llu of at least "
		           "%llu raster bytes are present",
		           path, (unsigned long long)dim[0], (unsigned long long)dim[1],
		           (unsigned long long)((uint64_t)size - (uint64_t)pos),
		           (unsigned long long)need);
	TK_CHECK(tk_image_init_for(path, img, (uint32_t)dim[0], (uint32_t)dim[1], channels));
	if (maxval > 255)
		tk_image_note_16bit(path);
	return binary ? read_binary(f, path, img, maxval) : read_plain(f, path, img, maxval);
}

int tk_pnm_write(FILE *f, const char *path, const tk_image *img)
{
	int ok = fprintf(f, "P%c\n%u %u\n255\n", img->channels == 3 ? '6' : '5', img->width,
	                 img->height) > 0;
	size_t n = tk_image_bytes(img);
	ok = ok && fwrite(img->data, 1, n, f) == n;
	TK_REQUIRE(ok, TK_EIO, "%s: cannot write (%s)", path, strerror(errno));
	return 0;
}
