/*
 * fixture.c: the study's inputs and scratch space: folders of gray test images with a
 * textured pattern, and removing a scratch folder when the study is done.
 *
 * Rule: images are written by the toolkit's own writer (tk_image_write), and a folder
 * is removed by walking it, never by a shell.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/bench.h"
#include "tk/image.h"
#include "tk/tk.h"

/* A w x h gray image of the pattern to path (PGM by its name): a diagonal texture plus
 * noise from the LCG whose state *x carries on from one image to the next. */
static int pattern_image(const char *path, int w, int h, uint32_t *x)
{
	tk_image img;
	TK_CHECK(tk_image_init(&img, (uint32_t)w, (uint32_t)h, 1));
	for (int r = 0; r < h; r++)
		for (int c = 0; c < w; c++) {
			*x = *x * 1664525u + 1013904223u;
			img.data[(size_t)r * (size_t)w + (size_t)c] =
				(uint8_t)(((r ^ c) & 0xff) / 2 + (*x >> 26));
		}
	int rc = tk_image_write(path, &img);
	tk_image_free(&img);
	return rc;
}

/* A folder of n gray PGM images of mixed sizes (a textured pattern), for the I/O-heavy
 * part of the study. */
int bench_make_folder(const char *dir, int n)
{
	TK_REQUIRE(mkdir(dir, 0700) == 0 || errno == EEXIST, TK_EIO, "bench: mkdir %s: %s", dir,
	           strerror(errno));
	uint32_t x = 12345;
	for (int i = 0; i < n; i++) {
		int w = 640 + 320 * (i % 5), h = 480 + 240 * (i % 3);
		char path[4400];
		snprintf(path, sizeof path, "%.4096s/img%03d.pgm", dir, i);
		TK_CHECK(pattern_image(path, w, h, &x));
	}
	return 0;
}

/* A gray PGM of w x h, a textured pattern from seed. */
int bench_write_pgm(const char *path, int w, int h, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	return pattern_image(path, w, h, &x);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Remove dir and everything in it; links are removed, never followed (FTW_PHYS). */
void bench_remove_tree(const char *dir)
{
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		fprintf(stderr, "bench: could not remove %s: %s\n", dir, strerror(errno));
}
