/*
 * image.h: 8-bit images in memory and their files (PNG through libpng, PNM P2/P3/P5/P6).
 *
 * Rule: a file is never trusted.  Sizes are validated before anything is allocated
 * (no overflow, within TK_IMAGE_MAX_PIXELS, fits in memory), short files are errors
 * naming the file (TK_EIO), and output goes to a temporary file beside the target that
 * is renamed only once it is complete, so a failed run never leaves half an image.
 *
 * Pixels are interleaved 8-bit samples, rows back to back without padding:
 * 1 channel = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA.  Wider inputs are reduced when
 * read: 16-bit samples (PNG, PNM maxval > 255) are scaled to 8 bits (counted, see
 * tk_image_16bit_count; the library prints nothing), palette and 1/2/4-bit PNGs are
 * expanded to 8-bit gray or RGB
 * (with alpha when the file has transparency), PNM maxval other than 255 is rescaled.
 */
#ifndef TK_IMAGE_H
#define TK_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Largest accepted width or height, and width x height (so that 65536 x 65537 is
 * refused before any allocation). */
#define TK_IMAGE_MAX_DIM 1000000u
#define TK_IMAGE_MAX_PIXELS 0xFFFFFFFFull

typedef struct tk_image {
	uint32_t width, height;
	int channels;  /* 1..4, see above */
	uint8_t *data; /* height * width * channels bytes, 64-byte aligned; NULL when empty */
} tk_image;

/* Bytes in one row / in the whole image. */
static inline size_t tk_image_row_bytes(const tk_image *img)
{
	return (size_t)img->width * (size_t)img->channels;
}
static inline size_t tk_image_bytes(const tk_image *img)
{
	return tk_image_row_bytes(img) * img->height;
}

/* Check that a width x height x channels image may be held: non-zero dimensions
 * (TK_EIO, "name: ... zero width"), within the limits above and available memory
 * (TK_ENOMEM, "name: image too large ...").  name labels the message (a file name). */
int tk_image_check_size(const char *name, uint64_t width, uint64_t height, int channels);

/* Allocate an image (contents undefined) after tk_image_check_size; img is zeroed on
 * failure.  tk_image_free releases it and may be called on a zeroed image. */
int tk_image_init(tk_image *img, uint32_t width, uint32_t height, int channels);
/* The same, with errors naming `name` (the file the image is read from). */
int tk_image_init_for(const char *name, tk_image *img, uint32_t width, uint32_t height,
                      int channels);
void tk_image_free(tk_image *img);

/* Read a PNG or PNM file, recognised by its first bytes (not its name).
 * Errors: TK_EIO (missing, unreadable, truncated, malformed, not an image, PNG support
 * not built), TK_ENOMEM (too large); the message names the file. */
int tk_image_read(const char *path, tk_image *img);
/* The same for an image already in memory (a fetched URL); name labels the messages. */
int tk_image_read_mem(const char *name, const unsigned char *data, size_t len, tk_image *img);

/* Write img to path in the format named by its extension (.png, .pgm, .ppm, .pnm;
 * case-insensitive): PNG keeps the channel layout; PGM takes gray, PPM RGB, PNM
 * either (no alpha in PNM).  Written to a temporary file in the same folder, then
 * renamed over path.  Errors: TK_EUSAGE (unknown extension, layout the format cannot
 * hold), TK_EIO (cannot create or write). */
int tk_image_write(const char *path, const tk_image *img);
/* The same, with permissions mode & ~umask (an output is no more readable than its
 * input: filter passes the input's permission bits). */
int tk_image_write_mode(const char *path, const tk_image *img, unsigned mode);

/* Whether the name has an extension tk_image_write knows (used to pick files in a
 * folder and to validate --output before any work). */
int tk_image_known_extension(const char *path);

/* 64-bit digest of the pixels: tk_fnv1a_words (tk/hash.h) over width, height and
 * channels, then the pixel bytes.  Depends only on the pixels, never on how they were
 * computed. */
uint64_t tk_image_digest(const tk_image *img);

/* How many images this process has read whose 16-bit samples were reduced to 8 bits,
 * and (*first, if given) the first one's path, so that the caller can say so once. */
uint64_t tk_image_16bit_count(const char **first);

/* Channel layout name: "gray", "gray+alpha", "RGB", "RGBA". */
const char *tk_image_layout_name(int channels);

#endif
