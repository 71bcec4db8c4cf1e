/*
 * image.c: image allocation, format dispatch, safe (temporary file + rename) output
 * and the pixel digest.  The formats themselves live in pnm.c and png.c.
 * Rule: sizes are checked here, once, before any allocation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/image_io.h"
#include "tk/hash.h"
#include "tk/image.h"
#include "tk/sysinfo.h"
#include "tk/tk.h"
#include "tk/tmpfile.h"

int tk_image_check_size(const char *name, uint64_t width, uint64_t height, int channels)
{
	TK_REQUIRE(width > 0 && height > 0, TK_EIO, "%s: bad image size %llu x %llu (zero %s)",
	           name, (unsigned long long)width, (unsigned long long)height,
	           width == 0 ? "width" : "height");
	TK_REQUIRE(channels >= 1 && channels <= 4, TK_EIO, "%s: %d channels (1 to 4 expected)",
	           name, channels);
	TK_REQUIRE(width <= TK_IMAGE_MAX_DIM && height <= TK_IMAGE_MAX_DIM &&
	                   width * height <= TK_IMAGE_MAX_PIXELS,
	           TK_ENOMEM,
	           "%s: image too large (%llu x %llu; at most %u per side and %llu pixels)",
	           name, (unsigned long long)width, (unsigned long long)height,
	           TK_IMAGE_MAX_DIM, TK_IMAGE_MAX_PIXELS);
	/* cannot overflow now: < 2^32 pixels x 4 channels */
	uint64_t bytes = width * height * (uint64_t)channels;
	uint64_t avail = tk_mem_available();
	TK_REQUIRE(bytes <= SIZE_MAX && (avail == 0 || bytes <= avail), TK_ENOMEM,
	           "%s: image of %llu x %llu x %d needs %.1f MiB, more than the %.1f MiB "
	           "of memory available",
	           name, (unsigned long long)width, (unsigned long long)height, channels,
	           bytes / 1048576.0, avail / 1048576.0);
	return 0;
}

int tk_image_init(tk_image *img, uint32_t width, uint32_t height, int channels)
{
	return tk_image_init_for("image", img, width, height, channels);
}

int tk_image_init_for(const char *name, tk_image *img, uint32_t width, uint32_t height,
                      int channels)
{
	memset(img, 0, sizeof *img);
	TK_CHECK(tk_image_check_size(name, width, height, channels));
	/* allocated here, not by tk_alloc_aligned, so that a failure names the image */
	void *p = NULL;
	size_t bytes = (size_t)width * height * (size_t)channels;
	if (posix_memalign(&p, 64, (bytes + 63) / 64 * 64) != 0)
		return tk_error_set(TK_ENOMEM, "%s: out of memory for a %u x %u x %d image "
		                    "(%.1f MiB)", name, width, height, channels,
		                    bytes / 1048576.0);
	img->width = width;
	img->height = height;
	img->channels = channels;
	img->data = p;
	return 0;
}

void tk_image_free(tk_image *img)
{
	tk_free(img->data);
	memset(img, 0, sizeof *img);
}

const char *tk_image_layout_name(int channels)
{
	static const char *const names[] = {"?", "gray", "gray+alpha", "RGB", "RGBA"};
	return channels >= 1 && channels <= 4 ? names[channels] : names[0];
}

static uint64_t reduced_count;
static char reduced_first[256];

void tk_image_note_16bit(const char *path)
{
	uint64_t before;
#pragma omp atomic capture
	before = reduced_count++;
	if (before == 0)
		snprintf(reduced_first, sizeof reduced_first, "%s", path);
}

uint64_t tk_image_16bit_count(const char **first)
{
	uint64_t n;
#pragma omp atomic read
	n = reduced_count;
	if (first)
		*first = reduced_first;
	return n;
}

int64_t tk_stream_size(FILE *f)
{
	struct stat st;
	int fd = fileno(f);
	if (fd >= 0)
		return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	long pos = ftell(f); /* a memory stream: no descriptor, but it can seek */
	if (pos < 0 || fseek(f, 0, SEEK_END) != 0)
		return -1;
	long end = ftell(f);
	if (fseek(f, pos, SEEK_SET) != 0)
		return -1;
	return end;
}

/* Decode an open stream, recognised by its first bytes; name labels the messages. */
static int read_stream(FILE *f, const char *path, tk_image *img)
{
	unsigned char magic[8] = {0};
	size_t got = fread(magic, 1, sizeof magic, f);
	rewind(f);
	int rc;
	static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (got == 8 && memcmp(magic, png_sig, 8) == 0)
		rc = tk_png_read(f, path, img);
	else if (got >= 2 && magic[0] == 'P' && strchr("2356", magic[1]) && magic[1])
		rc = tk_pnm_read(f, path, img);
	else if (got >= 2 && magic[0] == 'P' && magic[1] >= '1' && magic[1] <= '7')
		rc = tk_error_set(TK_EIO, "%s: PNM type P%c is not supported (P2, P3, P5, P6 are)",
		                  path, magic[1]);
	else if (got == 0)
		rc = tk_error_set(TK_EIO, "%s: empty file, not an image", path);
	else if (got >= 1 && (magic[0] == '<' || (got >= 5 && memcmp(magic, "<!DOC", 5) == 0)))
		rc = tk_error_set(TK_EIO, "%s: not a PNG or PNM image (it looks like HTML)", path);
	else
		rc = tk_error_set(TK_EIO, "%s: not a PNG or PNM image", path);
	if (rc < 0)
		tk_image_free(img);
	return rc;
}

int tk_image_read(const char *path, tk_image *img)
{
	memset(img, 0, sizeof *img);
	FILE *f = fopen(path, "rb");
	TK_REQUIRE(f, TK_EIO, "%s: cannot open (%s)", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return tk_error_set(TK_EIO, "%s: is a folder, not an image", path);
	}
	int rc = read_stream(f, path, img);
	fclose(f);
	return rc;
}

int tk_image_read_mem(const char *name, const unsigned char *data, size_t len, tk_image *img)
{
	memset(img, 0, sizeof *img);
	if (len == 0)
		return tk_error_set(TK_EIO, "%s: empty, not an image", name);
	FILE *f = fmemopen((void *)data, len, "rb");
	TK_REQUIRE(f, TK_ENOMEM, "%s: cannot open in memory (%s)", name, strerror(errno));
	int rc = read_stream(f, name, img);
	fclose(f);
	return rc;
}

static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	return dot && (!slash || dot > slash) ? dot + 1 : "";
}

int tk_image_known_extension(const char *path)
{
	static const char *const exts[] = {"png", "pgm", "ppm", "pnm"};
	const char *e = extension(path);
	for (size_t i = 0; i < TK_ARRAY_SIZE(exts); i++)
		if (strcasecmp(e, exts[i]) == 0)
			return 1;
	return 0;
}

/* The format for path's extension, or a usage error. */
static int pick_writer(const char *path, const tk_image *img, int *is_png)
{
	const char *e = extension(path);
	int c = img->channels;
	*is_png = strcasecmp(e, "png") == 0;
	if (*is_png)
		return 0;
	TK_REQUIRE(tk_image_known_extension(path), TK_EUSAGE,
	           "%s: unknown output format '.%s' (use .png, .pgm, .ppm or .pnm)", path, e);
	TK_REQUIRE(c == 1 || c == 3, TK_EUSAGE,
	           "%s: PNM cannot hold the alpha channel of this %s image (write .png)", path,
	           tk_image_layout_name(c));
	TK_REQUIRE(strcasecmp(e, "pgm") != 0 || c == 1, TK_EUSAGE,
	           "%s: a PGM file holds gray images, this one is RGB (use .ppm, .pnm or "
	           ".png, or add the gray filter)", path);
	TK_REQUIRE(strcasecmp(e, "ppm") != 0 || c == 3, TK_EUSAGE,
	           "%s: a PPM file holds RGB images, this one is gray (use .pgm, .pnm or "
	           ".png)", path);
	return 0;
}

int tk_image_write(const char *path, const tk_image *img)
{
	return tk_image_write_mode(path, img, 0666);
}

int tk_image_write_mode(const char *path, const tk_image *img, unsigned mode)
{
	int is_png;
	TK_CHECK(pick_writer(path, img, &is_png));
#if !TK_HAVE_PNG
	(void)is_png;
#endif
	char *tmp;
	FILE *f;
	TK_CHECK(tk_tmp_fopen(NULL, path, (mode_t)(mode & 0666), &f, &tmp));
	int rc = is_png ? tk_png_write(f, path, img) : tk_pnm_write(f, path, img);
	return tk_tmp_fcommit(NULL, f, tmp, path, rc);
}

uint64_t tk_image_digest(const tk_image *img)
{
	uint64_t head[3] = {img->width, img->height, (uint64_t)img->channels};
	uint64_t h = tk_fnv1a_words(TK_FNV_OFFSET, head, sizeof head);
	return tk_fnv1a_words(h, img->data, tk_image_bytes(img));
}
