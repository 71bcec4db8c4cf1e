/*
 * bench_filter.c: kernel-only throughput of each filter (megapixels per second) on a
 * synthetic image, at the thread counts given.  Not a test: built and run by
 * scripts/bench_filter.sh.  Usage: bench_filter [WIDTH HEIGHT CHANNELS [REPEAT]]
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "tk/filter.h"
#include "tk/image.h"
#include "tk/tk.h"

static const struct {
	const char *label, *chain;
	tk_filter_params p;
} cases[] = {
	{"gaussian 5x5", "gaussian", {0, 5, 0, -1}},
	{"gaussian sigma 2", "gaussian", {2, 0, 0, -1}},
	{"box 3x3", "box", {0, 3, 0, -1}},
	{"box 15x15", "box", {0, 15, 0, -1}},
	{"sobel", "sobel", {0, 0, 0, -1}},
	{"sharpen", "sharpen", {1, 0, 1, -1}},
	{"median 3", "median", {0, 3, 0, -1}},
	{"median 5", "median", {0, 5, 0, -1}},
	{"gray", "gray", {0, 0, 0, -1}},
	{"invert", "invert", {0, 0, 0, -1}},
	{"threshold", "threshold", {0, 0, 0, -1}},
};

int main(int argc, char **argv)
{
	uint32_t w = argc > 3 ? (uint32_t)atoi(argv[1]) : 7680;
	uint32_t h = argc > 3 ? (uint32_t)atoi(argv[2]) : 4320;
	int c = argc > 3 ? atoi(argv[3]) : 1;
	int repeat = argc > 4 ? atoi(argv[4]) : 5;
	tk_image in, out;
	if (tk_image_init(&in, w, h, c) < 0)
		return 1;
	/* smooth gradients plus noise, roughly like a photograph */
	uint64_t s = 88172645463325252ull;
	for (size_t i = 0; i < tk_image_bytes(&in); i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		size_t x = i % (w * (size_t)c), y = i / (w * (size_t)c);
		in.data[i] = (uint8_t)((x / 31 + y / 17) % 200 + (s & 31));
	}
	int threads[] = {1, 2};
	printf("%-18s %9s %9s  (%ux%u, %d channel(s), best of %d)\n", "filter", "MP/s 1T",
	       "MP/s 2T", w, h, c, repeat);
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		tk_filter_chain chain;
		if (tk_filter_chain_init(&chain, cases[k].chain, &cases[k].p) < 0) {
			printf("%s: %s\n", cases[k].label, tk_error_message());
			return 1;
		}
		double mps[2];
		uint64_t dig[2];
		for (int t = 0; t < 2; t++) {
			omp_set_num_threads(threads[t]);
			double best = 1e30;
			/* output allocated and touched once: page faults are not kernel time */
			if (tk_filter_image(&chain, &in, &out) < 0)
				return 1;
			for (int r = 0; r < repeat; r++) {
				double t0 = omp_get_wtime();
				if (tk_filter_rows(&chain, w, h, c, in.data, 0, h, out.data, 0, h) < 0)
					return 1;
				double dt = omp_get_wtime() - t0;
				best = dt < best ? dt : best;
			}
			dig[t] = tk_image_digest(&out);
			tk_image_free(&out);
			mps[t] = (double)w * h / best / 1e6;
		}
		printf("%-18s %9.0f %9.0f  %s\n", cases[k].label, mps[0], mps[1],
		       dig[0] == dig[1] ? "" : "DIGESTS DIFFER");
	}
	tk_image_free(&in);
	return 0;
}
