/*
 * fixture.c: the study's inputs and scratch space: folders of gray test images with a
 * textured pattern, and removing a scratch folder when the study is done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/bench.h"
#include "tk/tk.h"

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
		FILE *f = fopen(path, "wb");
		TK_REQUIRE(f, TK_EIO, "bench: cannot write %s: %s", path, strerror(errno));
		fprintf(f, "P5\n%d %d\n255\n", w, h);
		for (int r = 0; r < h; r++)
			for (int c = 0; c < w; c++) {
				x = x * 1664525u + 1013904223u;
				fputc((int)(((r ^ c) & 0xff) / 2 + (x >> 26)), f);
			}
		TK_REQUIRE(fclose(f) == 0, TK_EIO, "bench: cannot write %s", path);
	}
	return 0;
}

void bench_remove_tree(const char *dir)
{
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
}

/* A gray PGM of w x h, a textured pattern from seed. */
int bench_write_pgm(const char *path, int w, int h, uint32_t seed)
{
	FILE *f = fopen(path, "wb");
	TK_REQUIRE(f, TK_EIO, "bench: cannot write %s: %s", path, strerror(errno));
	fprintf(f, "P5\n%d %d\n255\n", w, h);
	uint32_t x = seed * 2654435761u + 1;
	for (int r = 0; r < h; r++)
		for (int c = 0; c < w; c++) {
			x = x * 1664525u + 1013904223u;
			fputc((int)(((r ^ c) & 0xff) / 2 + (x >> 26)), f);
		}
	TK_REQUIRE(fclose(f) == 0, TK_EIO, "bench: cannot write %s", path);
	return 0;
}
