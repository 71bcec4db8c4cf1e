/*
 * bench_filter.c: kernel-only time of each filter (tk_filter_rows into an output that
 * is allocated and touched once, so page faults are not kernel time), for the SIMD
 * variants and thread counts asked, interleaved: round after round, every variant and
 * thread count runs each filter once, and the table gives the median rate
 * (megapixels per second): at one thread from the thread's CPU time (on a machine
 * shared with other jobs, time slices lost to them do not count), at more from wall
 * time.  Every variant's bytes must equal the first's.  Not a
 * test: built and run by scripts/bench_filter.sh (and driven by
 * scripts/bench_opencv.py, which interleaves OpenCV with it).  Its image buffers ask for
 * transparent huge pages, as numpy's arrays do on Linux.
 *
 * Usage: bench_filter [--simd LIST] [--threads LIST] [--rounds N] [--cases LIST]
 *                     [--input IMAGE | WIDTH HEIGHT CHANNELS] [--serve] [--list]
 *   --simd     variants to compare, e.g. avx2,avx512,scalar (default: TK_SIMD, else auto)
 *   --serve    read "CASE VARIANT THREADS" lines on stdin, answer "WALL CPU DIGEST" for
 *              one run each (seconds; the OpenCV script's side of an interleaved
 *              comparison)
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "tk/filter.h"
#include "tk/image.h"
#include "tk/simd.h"
#include "tk/tk.h"

static const struct {
	const char *id, *chain;
	tk_filter_params p;
} cases[] = {
	{"gaussian-s1", "gaussian", {1, 0, 0, -1}},
	{"gaussian-s2", "gaussian", {2, 0, 0, -1}},
	{"gaussian-s3", "gaussian", {3, 0, 0, -1}},
	{"gaussian-5x5", "gaussian", {0, 5, 0, -1}},
	{"box-3", "box", {0, 3, 0, -1}},
	{"box-5", "box", {0, 5, 0, -1}},
	{"box-15", "box", {0, 15, 0, -1}},
	{"sobel", "sobel", {0, 0, 0, -1}},
	{"sharpen", "sharpen", {1, 0, 1, -1}},
	{"median-3", "median", {0, 3, 0, -1}},
	{"median-5", "median", {0, 5, 0, -1}},
	{"gray", "gray", {0, 0, 0, -1}},
	{"invert", "invert", {0, 0, 0, -1}},
	{"threshold", "threshold", {0, 0, 0, -1}},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static tk_image in, out[NCASES];

/* Ask for transparent huge pages on a large buffer before it is first touched, as
 * numpy does for its arrays (so OpenCV's side gets them too): the same page size on
 * both sides of the comparison. */
static void huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)p + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1);
	uintptr_t b = ((uintptr_t)p + n) & ~(uintptr_t)((2u << 20) - 1);
	if (b > a)
		madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)p, (void)n;
#endif
}

/* A fresh w x h x c image, on huge pages where the system has them. */
static int image_like(tk_image *img, uint32_t w, uint32_t h, int c)
{
	if (tk_image_init(img, w, h, c) < 0)
		return -1;
	huge_pages(img->data, tk_image_bytes(img));
	return 0;
}

static int find_case(const char *id)
{
	for (int k = 0; k < NCASES; k++)
		if (strcmp(cases[k].id, id) == 0)
			return k;
	return -1;
}

static double thread_cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One run of case k: kernel seconds (wall; *cpu: the calling thread's CPU seconds,
 * which time slices lost to other processes do not inflate), the output's digest. */
static double run_case(int k, const tk_filter_chain *chain, uint64_t *digest, double *cpu)
{
	if (!out[k].data && (image_like(&out[k], in.width, in.height,
	                                tk_filter_channels_out(chain, in.channels)) < 0 ||
	                     tk_filter_rows(chain, in.width, in.height, in.channels, in.data, 0,
	                                    in.height, out[k].data, 0, in.height) < 0)) {
		fprintf(stderr, "bench_filter: %s\n", tk_error_message());
		exit(1);
	}
	double c0 = thread_cpu(), t0 = omp_get_wtime();
	if (tk_filter_rows(chain, in.width, in.height, in.channels, in.data, 0, in.height,
	                   out[k].data, 0, in.height) < 0) {
		fprintf(stderr, "bench_filter: %s\n", tk_error_message());
		exit(1);
	}
	double dt = omp_get_wtime() - t0;
	*cpu = thread_cpu() - c0;
	*digest = tk_image_digest(&out[k]);
	return dt;
}

static void chain_of(int k, tk_filter_chain *chain)
{
	if (tk_filter_chain_init(chain, cases[k].chain, &cases[k].p) < 0) {
		fprintf(stderr, "bench_filter: %s: %s\n", cases[k].id, tk_error_message());
		exit(2);
	}
}

static void choose(const char *v)
{
	if (tk_simd_choose(v, "--simd") < 0) {
		fprintf(stderr, "bench_filter: %s\n", tk_error_message());
		exit(2);
	}
}

static int serve(void)
{
	char line[256], id[64], v[32];
	int t;
	while (fgets(line, sizeof line, stdin)) {
		if (sscanf(line, "%63s %31s %d", id, v, &t) != 3)
			continue;
		int k = find_case(id);
		if (k < 0) {
			printf("error unknown case %s\n", id);
			fflush(stdout);
			continue;
		}
		tk_filter_chain chain;
		chain_of(k, &chain);
		choose(v);
		omp_set_num_threads(t);
		uint64_t dig;
		double cpu, dt = run_case(k, &chain, &dig, &cpu);
		printf("%.9f %.9f %016llx\n", dt, cpu, (unsigned long long)dig);
		fflush(stdout);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Split "a,b,c" in place into at most max items. */
static int split(char *s, char **item, int max)
{
	int n = 0;
	for (char *p = strtok(s, ","); p && n < max; p = strtok(NULL, ","))
		item[n++] = p;
	return n;
}

int main(int argc, char **argv)
{
	char simd_buf[128] = "", threads_buf[64] = "1,2", cases_buf[512] = "";
	const char *input = NULL;
	int rounds = 5, do_serve = 0, npos = 0;
	long pos[3] = {7680, 4320, 1};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--serve") == 0) {
			do_serve = 1;
		} else if (strcmp(a, "--list") == 0) {
			for (int k = 0; k < NCASES; k++)
				printf("%s\n", cases[k].id);
			return 0;
		} else if (val && strcmp(a, "--simd") == 0) {
			snprintf(simd_buf, sizeof simd_buf, "%s", val), i++;
		} else if (val && strcmp(a, "--threads") == 0) {
			snprintf(threads_buf, sizeof threads_buf, "%s", val), i++;
		} else if (val && strcmp(a, "--cases") == 0) {
			snprintf(cases_buf, sizeof cases_buf, "%s", val), i++;
		} else if (val && strcmp(a, "--rounds") == 0) {
			rounds = atoi(val), i++;
		} else if (val && strcmp(a, "--input") == 0) {
			input = val, i++;
		} else if (a[0] != '-' && npos < 3) {
			pos[npos++] = atol(a);
		} else {
			fprintf(stderr, "bench_filter: unknown or incomplete option '%s'\n", a);
			return 2;
		}
	}
	if (rounds < 1 || rounds > 1000) {
		fprintf(stderr, "bench_filter: --rounds must be 1..1000\n");
		return 2;
	}
	if (input) {
		tk_image file;
		if (tk_image_read(input, &file) < 0 ||
		    image_like(&in, file.width, file.height, file.channels) < 0) {
			fprintf(stderr, "bench_filter: %s\n", tk_error_message());
			return 3;
		}
		memcpy(in.data, file.data, tk_image_bytes(&in));
		tk_image_free(&file);
	} else {
		if (image_like(&in, (uint32_t)pos[0], (uint32_t)pos[1], (int)pos[2]) < 0) {
			fprintf(stderr, "bench_filter: %s\n", tk_error_message());
			return 2;
		}
		/* smooth gradients plus noise, roughly like a photograph */
		uint64_t s = 88172645463325252ull;
		size_t row = (size_t)in.width * in.channels;
		for (size_t i = 0; i < tk_image_bytes(&in); i++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			in.data[i] = (uint8_t)(((i % row) / 31 + (i / row) / 17) % 200 + (s & 31));
		}
	}
	if (do_serve)
		return serve();

	char *simd[8], *thr[8], *cs[NCASES];
	if (!simd_buf[0]) {
		const char *env = getenv("TK_SIMD");
		snprintf(simd_buf, sizeof simd_buf, "%s", env && *env ? env : "auto");
	}
	int nv = split(simd_buf, simd, 8), nt = split(threads_buf, thr, 8), nc = 0;
	int which[NCASES];
	if (cases_buf[0]) {
		nc = split(cases_buf, cs, NCASES);
		for (int j = 0; j < nc; j++)
			if ((which[j] = find_case(cs[j])) < 0) {
				fprintf(stderr, "bench_filter: unknown case '%s' (--list)\n", cs[j]);
				return 2;
			}
	} else {
		for (int k = 0; k < NCASES; k++)
			if (strcmp(cases[k].chain, "gray") != 0 || in.channels >= 3)
				which[nc++] = k;
	}
	for (int v = 0; v < nv; v++)
		choose(simd[v]); /* fail before measuring anything */

	printf("%ux%u, %d channel(s), median of %d interleaved rounds, MP/s\n%-14s", in.width,
	       in.height, in.channels, rounds, "filter");
	for (int v = 0; v < nv; v++)
		for (int t = 0; t < nt; t++) {
			char h[48];
			snprintf(h, sizeof h, "%s %sT", simd[v], thr[t]);
			printf(" %12s", h);
		}
	printf("\n");
	double *times = malloc(sizeof(double) * (size_t)(nv * nt * rounds));
	for (int j = 0; j < nc; j++) {
		int k = which[j];
		tk_filter_chain chain;
		chain_of(k, &chain);
		uint64_t ref = 0;
		int differ = 0;
		for (int r = 0; r < rounds; r++)
			for (int v = 0; v < nv; v++)
				for (int t = 0; t < nt; t++) {
					choose(simd[v]);
					omp_set_num_threads(atoi(thr[t]));
					uint64_t dig;
					double cpu, dt = run_case(k, &chain, &dig, &cpu);
					/* one thread: its CPU time; more: wall time */
					times[(v * nt + t) * rounds + r] = atoi(thr[t]) == 1 ? cpu : dt;
					if (r == 0 && v == 0 && t == 0)
						ref = dig;
					differ |= dig != ref;
				}
		printf("%-14s", cases[k].id);
		for (int vt = 0; vt < nv * nt; vt++) {
			qsort(times + vt * rounds, (size_t)rounds, sizeof *times, cmp_double);
			double med = times[vt * rounds + rounds / 2];
			if (rounds % 2 == 0)
				med = 0.5 * (med + times[vt * rounds + rounds / 2 - 1]);
			printf(" %12.0f", (double)in.width * in.height / med / 1e6);
		}
		printf("%s\n", differ ? "  OUTPUTS DIFFER" : "");
		fflush(stdout);
		tk_image_free(&out[k]);
		if (differ)
			return 1;
	}
	free(times);
	tk_image_free(&in);
	return 0;
}
