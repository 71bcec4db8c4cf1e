/*
 * test_stencil.c: the stencil family: the sweep on hand-worked 3 x 3 and 4 x 4 grids,
 * every SIMD variant of the row kernel bitwise against the scalar one (and the scalar
 * one against the update written out here), the eigenvalue formula against closed
 * forms and the sine mode built here with libm, and whole runs: S = 0, a few steps,
 * the same grid for 1 and 3 threads and every variant, bad parameters.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/omp.h"
#include "tk/simd.h"
#include "tk/stencil.h"
#include "tk/tk.h"
#include "tk_test.h"

/* A small grid with zero borders: (n + 2) x (n + 2), interior at (1, 1). */
#define NMAX 80
#define ST (NMAX + 2)
static double g_in[ST * ST], g_out[ST * ST];
static double *at(double *g, int i, int j) { return g + (i + 1) * ST + (j + 1); }

static void sweep(int n, double alpha)
{
	tk_stencil_sweep(at(g_in, 0, 0), at(g_out, 0, 0), ST, (uint64_t)n, (uint64_t)n, alpha);
}

static void hand_3x3(void)
{
	/* alpha 1/4, a 1 in the middle: u' = (sum of the 4 neighbours) / 4 */
	memset(g_in, 0, sizeof g_in);
	memset(g_out, 0, sizeof g_out);
	*at(g_in, 1, 1) = 1;
	sweep(3, 0.25);
	static const double one[3][3] = {{0, 0.25, 0}, {0.25, 0, 0.25}, {0, 0.25, 0}};
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			CU_ASSERT_EQUAL(*at(g_out, i, j), one[i][j]);
	/* again: corners get 2 x 1/4 / 4, the middle 4 x 1/4 / 4, the edges nothing */
	memcpy(g_in, g_out, sizeof g_in);
	sweep(3, 0.25);
	static const double two[3][3] = {{0.125, 0, 0.125}, {0, 0.25, 0}, {0.125, 0, 0.125}};
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			CU_ASSERT_EQUAL(*at(g_out, i, j), two[i][j]);
}

static void hand_4x4(void)
{
	/* alpha 1/8: u' = u / 2 + (sum of the 4 neighbours) / 8; a 1 in a corner and a 2
	 * inside, worked point by point */
	memset(g_in, 0, sizeof g_in);
	memset(g_out, 0, sizeof g_out);
	*at(g_in, 0, 0) = 1;
	*at(g_in, 1, 2) = 2;
	sweep(4, 0.125);
	static const double want[4][4] = {
		{0.5, 0.125, 0.25, 0},
		{0.125, 0.25, 1, 0.25},
		{0, 0, 0.25, 0},
		{0, 0, 0, 0},
	};
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			CU_ASSERT_EQUAL(*at(g_out, i, j), want[i][j]);
	/* the zero borders are read, never written */
	for (int k = -1; k <= 4; k++)
		CU_ASSERT(*at(g_out, -1, k) == 0 && *at(g_out, 4, k) == 0 &&
		          *at(g_out, k, -1) == 0 && *at(g_out, k, 4) == 0);
}

static uint64_t rng = 88172645463325252ull;
static double unif(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) * 0x1p-53;
}

static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void row_variants(void)
{
	/* rows of every length 1..67 (remainders of every vector width), values of
	 * mixed scale so that the order of the roundings shows */
	enum { W = 70 };
	double up[W + 2], mid[W + 2], dn[W + 2], ref[W], out[W];
	const tk_functable *scalar = tk_simd_table(TK_SIMD_SCALAR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(scalar);
	for (size_t n = 1; n <= 67; n++) {
		for (size_t k = 0; k < W + 2; k++) {
			up[k] = unif() * 1e3;
			mid[k] = unif() - 0.5;
			dn[k] = unif() * 1e-3;
		}
		double alpha = 0.25 * unif();
		scalar->tk_stencil_row(up + 1, mid + 1, dn + 1, ref, n, alpha);
		int ok = 1;
		for (size_t j = 0; j < n; j++) {
			double c = mid[j + 1];
			double t = (((up[j + 1] + dn[j + 1]) + mid[j]) + mid[j + 2]) - 4.0 * c;
			ok &= same(ref[j], c + alpha * t);
		}
		CU_ASSERT(ok);
		for (int v = 1; v < TK_SIMD_NVARIANTS; v++) {
			const tk_functable *t = tk_simd_table(v);
			if (!t)
				continue;
			for (size_t j = 0; j < W; j++)
				out[j] = -1.0;
			t->tk_stencil_row(up + 1, mid + 1, dn + 1, out, n, alpha);
			int eq = memcmp(out, ref, n * sizeof *out) == 0 && out[n] == -1.0;
			if (!eq)
				printf("\n  stencil row: %s differs from scalar at n = %zu ",
				       tk_simd_name(v), n);
			CU_ASSERT(eq);
		}
	}
}

static void eigenvalue(void)
{
	/* N = 1: sin^2(pi/4) = 1/2, lambda = 1 - 4 alpha; N = 2: sin^2(pi/6) = 1/4,
	 * lambda = 1 - 2 alpha; N = 3: sin^2(pi/8) = (2 - sqrt 2) / 4 */
	CU_ASSERT_DOUBLE_EQUAL(tk_stencil_lambda(1, 0.125), 0.5, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(tk_stencil_lambda(1, 0.25), 0.0, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(tk_stencil_lambda(2, 0.25), 0.5, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(tk_stencil_lambda(3, 0.2), 1 - 0.4 * (2 - sqrt(2.0)), 1e-15);
	/* the sine mode built here with libm is an eigenvector: one sweep scales it */
	for (int n = 2; n <= 9; n += 7) {
		double alpha = 0.23, lam = tk_stencil_lambda((uint64_t)n, alpha);
		memset(g_in, 0, sizeof g_in);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				*at(g_in, i, j) = sin(M_PI * (i + 1) / (n + 1)) * sin(M_PI * (j + 1) / (n + 1));
		sweep(n, alpha);
		double worst = 0;
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				worst = fmax(worst, fabs(*at(g_out, i, j) - lam * *at(g_in, i, j)));
		CU_ASSERT(worst < 4e-16);
		/* the second mode (k = 2) is not scaled by lambda: the check can fail */
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				*at(g_in, i, j) = sin(2 * M_PI * (i + 1) / (n + 1)) * sin(M_PI * (j + 1) / (n + 1));
		sweep(n, alpha);
		worst = 0;
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				worst = fmax(worst, fabs(*at(g_out, i, j) - lam * *at(g_in, i, j)));
		CU_ASSERT(worst > 1e-3);
	}
	/* powers: exact cases, and against libm within a few roundings */
	CU_ASSERT_EQUAL(tk_stencil_pow(2.0, 10), 1024.0);
	CU_ASSERT_EQUAL(tk_stencil_pow(0.5, 3), 0.125);
	CU_ASSERT_EQUAL(tk_stencil_pow(0.3, 0), 1.0);
	CU_ASSERT_EQUAL(tk_stencil_pow(0.3, 1), 0.3);
	/* x^S from S - 1 or fewer products: relative error below (S - 1) u + libm's */
	double x = 0.9999123, p = tk_stencil_pow(x, 1000003), q = pow(x, 1000003.0);
	CU_ASSERT(fabs(p - q) <= 1000003 * 0x1p-53 * q);
	/* the bound: (16 S + 16) u */
	CU_ASSERT_EQUAL(tk_stencil_tolerance(0), 16 * 0x1p-53);
	CU_ASSERT_EQUAL(tk_stencil_tolerance(1), 32 * 0x1p-53);
	CU_ASSERT_EQUAL(tk_stencil_tolerance(1000), (16000 + 16) * 0x1p-53);
}

/* One run; returns its grid hash (the digested field), or 0 after a failed check. */
static uint64_t run(uint64_t n, uint64_t steps, double alpha, int threads, tk_result *r)
{
	tk_stencil_params p = {n, steps, alpha};
	tk_run_ctx ctx = {0};
	tk_thread_set(threads);
	tk_result_init(r, "stencil", "heat");
	int rc = tk_stencil_run(&p, &ctx, r);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(r->verified, 1);
	for (int i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, "grid_hash") == 0)
			return r->fields[i].u;
	CU_FAIL("no grid_hash");
	return 0;
}

static double field(const tk_result *r, const char *name)
{
	for (int i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return r->fields[i].f;
	return NAN;
}

static void runs(void)
{
	tk_result r;
	int threads = tk_thread_max();
	/* S = 0: the start itself, exactly */
	run(5, 0, 0.2, 1, &r);
	CU_ASSERT_EQUAL(field(&r, "amplitude"), 1.0);
	CU_ASSERT_EQUAL(field(&r, "max_error"), 0.0);
	/* the same grid for 1 and 3 threads (31 rows: 3 does not divide them) */
	uint64_t h1 = run(31, 17, 0.25, 1, &r), h3 = run(31, 17, 0.25, 3, &r);
	CU_ASSERT_EQUAL(h1, h3);
	/* and for every variant */
	int active = tk_simd_active();
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		if (!tk_simd_available(v))
			continue;
		CU_ASSERT_EQUAL_FATAL(tk_simd_choose(tk_simd_name(v), "--simd"), 0);
		CU_ASSERT_EQUAL(run(31, 17, 0.25, 2, &r), h1);
	}
	tk_simd_choose(tk_simd_name(active), "--simd");
	tk_thread_set(threads);
}

static void bad_params(void)
{
	tk_stencil_params p;
	tk_stencil_params_default(&p);
	CU_ASSERT_EQUAL(tk_stencil_check(&p), 0);
	/* the integer limits are the option table's, exact */
	CU_ASSERT_EQUAL(tk_test_dry_run("stencil --size 1"), TK_EUSAGE);
	CU_ASSERT_EQUAL(tk_test_dry_run("stencil --size 2 --steps 1099511627777"), TK_EUSAGE);
	CU_ASSERT_EQUAL(tk_test_dry_run("stencil --size 2 --steps 2^40"), 0);
	CU_ASSERT_EQUAL(tk_test_dry_run("stencil --size 2 --alpha 0.26"), TK_EUSAGE);
	p.size = 64;
	p.steps = 1;
	p.alpha = 0.2500001;
	CU_ASSERT_EQUAL(tk_stencil_check(&p), TK_EUSAGE);
	p.alpha = 0;
	CU_ASSERT_EQUAL(tk_stencil_check(&p), TK_EUSAGE);
	p.alpha = 0.25;
	/* too large: a grid beyond memory, and one whose bytes overflow 64 bits */
	p.size = UINT64_C(1) << 24;
	CU_ASSERT_EQUAL(tk_stencil_check(&p), TK_ENOMEM);
	p.size = UINT64_MAX;
	CU_ASSERT_EQUAL(tk_stencil_check(&p), TK_ENOMEM);
	p.size = UINT64_C(1) << 32;
	CU_ASSERT_EQUAL(tk_stencil_check(&p), TK_ENOMEM);
	tk_error_clear();
}

static const tk_test tests[] = {
	{"sweep, hand-worked 3x3", hand_3x3},
	{"sweep, hand-worked 4x4", hand_4x4},
	{"row kernel, every variant", row_variants},
	{"eigenvalue and bound", eigenvalue},
	{"runs: threads and variants agree", runs},
	{"bad parameters", bad_params},
	{NULL, NULL},
};

const tk_suite tk_suite_stencil = {"stencil", tests};
