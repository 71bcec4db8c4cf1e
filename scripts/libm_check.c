/*
 * libm_check.c: does this machine's libm give the same bits as another's?  Evaluates
 * exp, log, cos and sin over N arguments per function (deterministic xorshift) and
 * writes the raw results, or compares two such files.  docs/montecarlo.md has the
 * findings (glibc's x86-64 FMA and SSE2 variants differ in the last bit).
 *
 *   cc -O2 -o libm_check scripts/libm_check.c -lm
 *   ./libm_check write 16000000 a.bin
 *   GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-AVX,-FMA4 ./libm_check write 16000000 b.bin
 *   ./libm_check diff a.bin b.bin
 *
 * Argument classes (i mod 4): exp on [-0.3, 0.3] (even i) or [-40, 40] (odd); log on
 * (0, 1) (odd) or 2^-1000..2^1000 (even); cos and sin of 2 pi u, u in (0, 1) (i mod 4
 * = 2, 3) or on [-1e4, 1e4] (0, 1).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}
static double u01(void) { return ((double)(next() >> 11) + 0.5) * 0x1p-53; }

static int diff(const char *pa, const char *pb)
{
	FILE *a = fopen(pa, "rb"), *b = fopen(pb, "rb");
	if (!a || !b) {
		fprintf(stderr, "libm_check: cannot open %s or %s\n", pa, pb);
		return 3;
	}
	double x[4], y[4];
	uint64_t d[4][4] = {{0}}, mx[4] = {0}, i = 0;
	while (fread(x, 8, 4, a) == 4 && fread(y, 8, 4, b) == 4) {
		for (int f = 0; f < 4; f++) {
			int64_t p, q;
			memcpy(&p, &x[f], 8);
			memcpy(&q, &y[f], 8);
			if (p != q) {
				uint64_t u = (uint64_t)(p > q ? p - q : q - p);
				d[f][i & 3]++;
				mx[f] = u > mx[f] ? u : mx[f];
			}
		}
		i++;
	}
	const char *name[] = {"exp", "log", "cos", "sin"};
	printf("%llu arguments per function\n", (unsigned long long)i);
	for (int f = 0; f < 4; f++)
		printf("%s: results that differ, by argument class 0..3: %llu %llu %llu %llu "
		       "(at most %llu ulp)\n",
		       name[f], (unsigned long long)d[f][0], (unsigned long long)d[f][1],
		       (unsigned long long)d[f][2], (unsigned long long)d[f][3],
		       (unsigned long long)mx[f]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "diff") == 0)
		return diff(argv[2], argv[3]);
	if (argc != 4 || strcmp(argv[1], "write") != 0) {
		fprintf(stderr, "usage: libm_check write N FILE | libm_check diff A B\n");
		return 2;
	}
	uint64_t n = strtoull(argv[2], NULL, 0);
	FILE *f = fopen(argv[3], "wb");
	if (!f) {
		fprintf(stderr, "libm_check: cannot write %s\n", argv[3]);
		return 3;
	}
	for (uint64_t i = 0; i < n; i++) {
		double u = u01(), r[4];
		double xe = (i & 1) ? -40 + 80 * u : -0.3 + 0.6 * u;
		double xl = (i & 1) ? u : exp2(-1000 + 2000 * u01());
		double xc = (i & 2) ? 6.283185307179586 * u : -1e4 + 2e4 * u;
		r[0] = exp(xe);
		r[1] = log(xl);
		r[2] = cos(xc);
		r[3] = sin(xc);
		fwrite(r, 8, 4, f);
	}
	return fclose(f) == 0 ? 0 : 3;
}
