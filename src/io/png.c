/*
 * png.c: PNG through libpng.  Reading expands everything to 8-bit gray, gray+alpha,
 * RGB or RGBA (palette -> RGB, tRNS -> alpha, 1/2/4-bit gray -> 8-bit, 16-bit scaled to
 * 8-bit with rounding); writing keeps the image's channel layout, 8-bit, fast coding.
 * Rule: this file is the only place that tests TK_HAVE_PNG; without libpng, PNG files
 * are refused with a clear message.  libpng reports errors by longjmp: everything that
 * must survive one is volatile or lives outside this stack frame.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "io/image_io.h"
#include "tk/tk.h"

#if TK_HAVE_PNG
#include <png.h>
#include <zlib.h>

typedef struct png_ctx {
	FILE *f;
	int truncated;
	char msg[160];
} png_ctx;

static void on_error(png_structp png, png_const_charp msg)
{
	png_ctx *c = png_get_error_ptr(png);
	snprintf(c->msg, sizeof c->msg, "%s", msg);
	png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg; /* benign ancillary-chunk complaints: the pixels are what matter */
}

static void read_fn(png_structp png, png_bytep data, size_t n)
{
	png_ctx *c = png_get_io_ptr(png);
	if (fread(data, 1, n, c->f) != n) {
		c->truncated = 1;
		png_error(png, "unexpected end of file");
	}
}

/* After png_read_info: ask libpng for 8-bit samples in one of our four layouts. */
static void set_transforms(png_structp png, png_infop info, const char *path)
{
	int depth = png_get_bit_depth(png, info);
	int type = png_get_color_type(png, info);
	if (depth == 16) {
		png_set_scale_16(png);
		tk_image_note_16bit(path);
	}
	if (type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
}

/* Deflate packs at most 1032 bytes into one (RFC 1951: a 258-byte match in no less
 * than 2 bits), so a file holds at most 1032 times its size of pixel bytes.  A header
 * that claims more is refused before the image is allocated.  Called before the
 * transforms, while info describes the stored samples. */
static int check_file_can_hold(FILE *f, const char *path, png_structp png, png_infop info)
{
	int64_t size = tk_stream_size(f);
	if (size < 0)
		return 0; /* not a regular file: the reader finds out */
	uint64_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	uint64_t bpp = (uint64_t)png_get_bit_depth(png, info) * png_get_channels(png, info);
	uint64_t bytes = w * h / 8 * bpp; /* w, h < 2^32, bpp <= 64: no overflow */
	TK_REQUIRE(bytes / 1032 <= (uint64_t)size, TK_EIO,
	           "%s: truncated: header says %llu x %llu, %llu bytes of pixels, more than a "
	           "%llu-byte file can hold compressed",
	           path, (unsigned long long)w, (unsigned long long)h,
	           (unsigned long long)bytes, (unsigned long long)size);
	return 0;
}

int tk_png_read(FILE *f, const char *path, tk_image *img)
{
	png_ctx ctx = {f, 0, ""};
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error,
	                                         on_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		return tk_error_set(TK_ENOMEM, "%s: out of memory starting libpng", path);
	}
	png_bytep *volatile rows = NULL;
	volatile int rc = 0;
	if (setjmp(png_jmpbuf(png))) {
		if (ctx.truncated)
			rc = tk_error_set(TK_EIO, "%s: truncated PNG (%s)", path, ctx.msg);
		else
			rc = tk_error_set(TK_EIO, "%s: corrupt PNG (%s)", path, ctx.msg);
		goto done;
	}
	png_set_read_fn(png, &ctx, read_fn);
	/* our own size checks below give the better message */
	png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
	png_read_info(png, info);
	/* limits first, then what the file can hold, both before anything is allocated */
	rc = tk_image_check_size(path, png_get_image_width(png, info),
	                         png_get_image_height(png, info), png_get_channels(png, info));
	if (rc == 0)
		rc = check_file_can_hold(f, path, png, info);
	if (rc < 0)
		goto done;
	set_transforms(png, info, path);
	uint32_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	int channels = png_get_channels(png, info);
	rc = tk_image_check_size(path, w, h, channels);
	if (rc == 0)
		rc = tk_image_init_for(path, img, w, h, channels);
	if (rc < 0)
		goto done;
	if (png_get_rowbytes(png, info) != tk_image_row_bytes(img)) {
		rc = tk_error_set(TK_EINTERNAL, "%s: unexpected PNG row size", path);
		goto done;
	}
	rows = tk_alloc(h, sizeof *rows);
	if (!rows) {
		rc = TK_ENOMEM;
		goto done;
	}
	for (uint32_t y = 0; y < h; y++)
		rows[y] = img->data + (size_t)y * tk_image_row_bytes(img);
	png_read_image(png, rows);
	png_read_end(png, NULL);
done:
	tk_free(rows);
	png_destroy_read_struct(&png, &info, NULL);
	return rc;
}

int tk_png_write(FILE *f, const char *path, const tk_image *img)
{
	static const int types[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
	                            PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
	png_ctx ctx = {f, 0, ""};
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error,
	                                          on_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return tk_error_set(TK_ENOMEM, "%s: out of memory starting libpng", path);
	}
	volatile int rc = 0;
	if (setjmp(png_jmpbuf(png))) {
		rc = tk_error_set(TK_EIO, "%s: cannot write PNG (%s)", path, ctx.msg);
		goto done;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, img->width, img->height, 8, types[img->channels],
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	/* images of many megapixels: speed first.  The SUB filter plus Huffman-only coding
	 * is about twice as fast as adaptive filters with deflate level 1 on photographs
	 * and noise, and no larger there (it loses on flat synthetic images). */
	png_set_compression_level(png, 1);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
	png_set_compression_strategy(png, Z_HUFFMAN_ONLY);
	png_set_compression_buffer_size(png, 1 << 18);
	png_write_info(png, info);
	for (uint32_t y = 0; y < img->height; y++)
		png_write_row(png, img->data + (size_t)y * tk_image_row_bytes(img));
	png_write_end(png, NULL);
done:
	png_destroy_write_struct(&png, &info);
	return rc;
}

#else /* !TK_HAVE_PNG */

int tk_png_read(FILE *f, const char *path, tk_image *img)
{
	(void)f, (void)img;
	return tk_error_set(TK_EIO, "%s: PNG support is not built in (install libpng-dev "
	                    "and rebuild), use PGM/PPM instead", path);
}

int tk_png_write(FILE *f, const char *path, const tk_image *img)
{
	(void)f, (void)img;
	return tk_error_set(TK_EUSAGE, "%s: PNG support is not built in (install "
	                    "libpng-dev and rebuild), write .pgm/.ppm instead", path);
}

#endif
