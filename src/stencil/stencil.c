/*
 * stencil.c: the heat-equation Jacobi sweeps over row strips (tk/stencil.h).
 *
 * Rule: written once as "exchange halos, sweep my strip" per step, for any ranks x
 * threads: the decomposition layer gives the rank its rows and plans the exchange; the
 * rank's threads split its rows the same way; the row kernel is the active SIMD
 * variant of tk_stencil_row.  A rank holds its rows plus one row above and below (a
 * halo row, or the zero boundary at the grid's edge), each row with a zero column on
 * either side, so the kernel never tests for a border.  The digest covers every bit of
 * the final grid: FNV-1a of the rows' FNV-1a hashes in row order, gathered to rank 0.
 */
#include <math.h>
#include <string.h>

#include "simd/dispatch.h"
#include "simd/tkmath.h"
#include "tk/comm.h"
#include "tk/decomp.h"
#include "tk/hash.h"
#include "tk/omp.h"
#include "tk/stencil.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"

/* A row: 8 doubles of which the last is the left zero column, the N points (64-byte
 * aligned), the right zero column, and padding to a whole number of cache lines. */
#define OFF 8

void tk_stencil_params_default(tk_stencil_params *p)
{
	memset(p, 0, sizeof *p);
	p->size = 1024;
	p->steps = 100;
	p->alpha = 0.2;
}

/* Doubles per row for N points, or 0 when that overflows. */
static uint64_t row_stride(uint64_t n)
{
	if (n > UINT64_MAX - OFF - 8)
		return 0;
	return OFF + (n + 1 + 7) / 8 * 8;
}

/* Bytes this rank allocates: two strips of m + 2 rows, and N doubles twice (the sine
 * values, and the row hashes on rank 0); 0 when that overflows 64 bits. */
static uint64_t local_bytes(uint64_t n, uint64_t m)
{
	uint64_t stride = row_stride(n), rows, d, two_n;
	if (stride == 0 || __builtin_add_overflow(m, 2, &rows) ||
	    __builtin_mul_overflow(rows, stride, &d) || __builtin_mul_overflow(d, 2, &d) ||
	    __builtin_mul_overflow(n, 2, &two_n) || __builtin_add_overflow(d, two_n, &d) ||
	    __builtin_mul_overflow(d, sizeof(double), &d))
		return 0;
	return d;
}

int tk_stencil_check(const tk_stencil_params *p)
{
	TK_REQUIRE(p->alpha > 0 && p->alpha <= TK_STENCIL_MAX_ALPHA, TK_EUSAGE,
	           "stencil: --alpha must be in (0, 0.25], where the explicit scheme is stable "
	           "(got %g)",
	           p->alpha);
	int local = tk_comm_local_size(); /* collective: before any early return below */
	tk_range own = tk_decomp_rank(p->size);
	uint64_t need = local_bytes(p->size, own.hi - own.lo), node = 0;
	uint64_t avail = tk_mem_available();
	TK_REQUIRE(need != 0 && need <= SIZE_MAX, TK_ENOMEM,
	           "stencil: a %llu x %llu grid is too large: its bytes per rank overflow "
	           "this machine's sizes",
	           (unsigned long long)p->size, (unsigned long long)p->size);
	int fits = !__builtin_mul_overflow(need, (uint64_t)local, &node) &&
	           (avail == 0 || node <= avail);
	TK_REQUIRE(fits, TK_ENOMEM,
	           "stencil: a %llu x %llu grid is too large: it needs %.4g GiB per rank (%d "
	           "rank%s on this node), more than the %.4g GiB of memory available",
	           (unsigned long long)p->size, (unsigned long long)p->size,
	           need / 1073741824.0, local, local == 1 ? "" : "s", avail / 1073741824.0);
	return 0;
}

double tk_stencil_lambda(uint64_t n, double alpha)
{
	double s, c;
	/* sin(pi / (2 (N + 1))) = sin(2 pi u) with u = 1 / (4 (N + 1)) */
	tk_sincos_2pi(1.0 / (4.0 * ((double)n + 1.0)), &s, &c);
	return 1.0 - 8.0 * alpha * (s * s);
}

double tk_stencil_pow(double x, uint64_t s)
{
	double r = 1.0;
	for (; s; s >>= 1) {
		if (s & 1)
			r *= x;
		if (s > 1)
			x *= x;
	}
	return r;
}

double tk_stencil_tolerance(uint64_t steps)
{
	return (16.0 * (double)steps + 16.0) * 0x1p-53;
}

void tk_stencil_sweep(const double *in, double *out, size_t stride, uint64_t rows,
                      uint64_t n, double alpha)
{
	for (uint64_t k = 0; k < rows; k++) {
		const double *mid = in + k * stride;
		tk_fn.tk_stencil_row(mid - stride, mid, mid + stride, out + k * stride, n, alpha);
	}
}

/* The state of one run on this rank. */
typedef struct grid {
	uint64_t n, m, stride; /* points per side, own rows, doubles per row */
	tk_halo halo;
	double *buf[2];        /* m + 2 rows each: local row k is global row y0 + k - 1 */
	double *sine;          /* s(1..N) */
} grid;

static double *row_at(const grid *g, int which, uint64_t local)
{
	return g->buf[which] + local * g->stride;
}

static int grid_init(grid *g, const tk_stencil_params *p)
{
	memset(g, 0, sizeof *g);
	g->n = p->size;
	g->stride = row_stride(g->n);
	tk_halo_init(&g->halo, g->n, 1, (size_t)g->stride * sizeof(double));
	g->m = g->halo.me.y1 - g->halo.me.y0;
	size_t cells = (size_t)(g->m + 2) * (size_t)g->stride;
	g->buf[0] = tk_alloc_aligned(cells, sizeof(double));
	g->buf[1] = g->buf[0] ? tk_alloc_aligned(cells, sizeof(double)) : NULL;
	g->sine = g->buf[1] ? tk_alloc_aligned((size_t)g->n, sizeof(double)) : NULL;
	if (!g->sine)
		return TK_ENOMEM;
	for (uint64_t k = 0; k < g->n; k++) {
		double c;
		tk_sincos_2pi((double)(k + 1) / (2.0 * ((double)g->n + 1.0)), &g->sine[k], &c);
	}
	return 0;
}

static void grid_free(grid *g)
{
	tk_free(g->buf[0]);
	tk_free(g->buf[1]);
	tk_free(g->sine);
}

/* Zero both buffers and write the start into own rows, each thread its own rows (so
 * pages land where the sweeps will use them). */
static void grid_start(const grid *g)
{
	size_t row = (size_t)g->stride * sizeof(double);
#pragma omp parallel
	{
		tk_range t = tk_decomp_thread((tk_range){0, g->m + 2});
		for (int w = 0; w < 2; w++)
			memset(row_at(g, w, t.lo), 0, (size_t)(t.hi - t.lo) * row);
		for (uint64_t k = t.lo; k < t.hi; k++) {
			if (k == 0 || k == g->m + 1)
				continue;
			double si = g->sine[g->halo.me.y0 + k - 1], *u = row_at(g, 0, k) + OFF;
			for (uint64_t x = 0; x < g->n; x++)
				u[x] = si * g->sine[x];
		}
	}
}

/* S steps; returns the buffer holding the result, adds the exchange time to *halo_s. */
static int grid_steps(const grid *g, const tk_stencil_params *p, const tk_run_ctx *ctx,
                      double *halo_s)
{
	/* the exchange works on rows [a, b) of the grid: local row a + 1 - y0 */
	size_t first = (size_t)(g->halo.me.a + 1 - g->halo.me.y0) * g->stride;
	double t_halo = 0;
	tk_progress_begin(ctx, "stencil", p->steps);
#pragma omp parallel
	{
		tk_range t = tk_decomp_thread((tk_range){1, g->m + 1});
		int in = 0;
		for (uint64_t s = 0; s < p->steps; s++) {
#pragma omp master
			{
				double t0 = tk_now();
				tk_halo_exchange(&g->halo, g->buf[in] + first);
				t_halo += tk_now() - t0;
				tk_progress_add(1);
			}
#pragma omp barrier
			tk_stencil_sweep(row_at(g, in, t.lo) + OFF, row_at(g, 1 - in, t.lo) + OFF,
			                 (size_t)g->stride, t.hi - t.lo, g->n, p->alpha);
			in = 1 - in;
#pragma omp barrier
		}
	}
	tk_progress_end();
	*halo_s = t_halo;
	return (int)(p->steps % 2);
}

/* max |u - amp u0| over own points (NaN counts as infinite), over all ranks. */
static double max_error(const grid *g, int w, double amp)
{
	double mx = 0;
#pragma omp parallel
	{
		double e = 0;
#pragma omp for schedule(static)
		for (uint64_t k = 1; k <= g->m; k++) {
			const double *u = row_at(g, w, k) + OFF;
			double si = g->sine[g->halo.me.y0 + k - 1];
			for (uint64_t x = 0; x < g->n; x++) {
				double d = fabs(u[x] - amp * (si * g->sine[x]));
				if (!(d <= e))
					e = isnan(d) ? INFINITY : d;
			}
		}
#pragma omp critical(tk_stencil_err)
		if (e > mx)
			mx = e;
	}
	tk_comm_allreduce_f64(&mx, 1, TK_MAX);
	return mx;
}

/* The grid's hash: FNV-1a over the rows' FNV-1a hashes in row order (every rank gets
 * it).  row_hash has room for N hashes on rank 0 (whose own come first), for its own
 * rows elsewhere. */
static uint64_t grid_hash(const grid *g, int w, uint64_t *mine, size_t *bytes)
{
	int rank = tk_comm_rank(), size = tk_comm_size();
#pragma omp parallel for schedule(static)
	for (uint64_t k = 1; k <= g->m; k++)
		mine[k - 1] = tk_fnv1a(TK_FNV_OFFSET, row_at(g, w, k) + OFF, g->n * sizeof(double));
	for (int q = 0; q < size; q++) {
		tk_range o = tk_decomp_block(g->n, (uint64_t)size, (uint64_t)q);
		bytes[q] = (size_t)(o.hi - o.lo) * sizeof(uint64_t);
	}
	tk_comm_gatherv(mine, bytes[rank], mine, bytes, 0);
	uint64_t h = TK_FNV_OFFSET;
	if (rank == 0)
		h = tk_fnv1a(h, mine, g->n * sizeof(uint64_t));
	tk_comm_bcast(&h, sizeof h, 0);
	return h;
}

static void fill_result(const tk_stencil_params *p, tk_result *r, double lambda, double amp,
                        double err, uint64_t hash, double halo_s)
{
	double tol = tk_stencil_tolerance(p->steps);
	double cells = (double)p->size * (double)p->size;
	r->size = p->size;
	r->size_unit = "points per side";
	tk_result_u64(r, "steps", p->steps);
	tk_result_f64(r, "alpha", p->alpha);
	tk_result_f64(r, "lambda", lambda);
	tk_result_f64(r, "amplitude", amp);
	tk_result_hex(r, "grid_hash", hash);
	tk_result_f64(r, "max_error", err);
	tk_result_ref_f64(r, "tolerance", tol);
	tk_comm_allreduce_f64(&halo_s, 1, TK_MAX);
	tk_result_ref_f64(r, "halo_s", halo_s);
	tk_result_unit(r, "s");
	tk_result_ref_f64(r, "halo_fraction", r->kernel_max > 0 ? halo_s / r->kernel_max : 0);
	/* a sweep reads and writes each point once at least: 16 bytes per point */
	tk_result_ref_f64(r, "bandwidth",
	                  r->kernel_max > 0 ? 16.0 * cells * (double)p->steps / r->kernel_max / 1e9
	                                    : 0);
	tk_result_unit(r, "GB/s");
	tk_result_verify(r, err <= tol,
	                 "max |u - lambda^S u0| = %.3g (pass: <= %.3g, the rounding bound for %llu "
	                 "steps)",
	                 err, tol, (unsigned long long)p->steps);
	r->work = cells * (double)p->steps;
	r->rate_unit = "cells/s";
	r->rate_scale = 1.0;
}

int tk_stencil_run(const tk_stencil_params *p, const tk_run_ctx *ctx, tk_result *r)
{
	grid g;
	int st = tk_error_share(grid_init(&g, p));
	size_t *bytes = st == 0 ? tk_alloc((size_t)tk_comm_size(), sizeof *bytes) : NULL;
	uint64_t *hashes = NULL;
	if (st == 0 && bytes)
		hashes = tk_alloc(tk_comm_rank() == 0 ? (size_t)g.n : (size_t)g.m + 1,
		                  sizeof *hashes);
	st = tk_error_share(st == 0 && !hashes ? TK_ENOMEM : st);
	if (st < 0) {
		grid_free(&g);
		tk_free(bytes);
		tk_free(hashes);
		return st;
	}
	grid_start(&g);
	double halo_s = 0;
	tk_comm_barrier();
	double t0 = tk_now();
	int w = grid_steps(&g, p, ctx, &halo_s);
	tk_result_time(r, tk_now() - t0);

	double lambda = tk_stencil_lambda(p->size, p->alpha);
	double amp = tk_stencil_pow(lambda, p->steps);
	double err = max_error(&g, w, amp);
	uint64_t hash = grid_hash(&g, w, hashes, bytes);
	fill_result(p, r, lambda, amp, err, hash, halo_s);
	grid_free(&g);
	tk_free(bytes);
	tk_free(hashes);
	return 0;
}
