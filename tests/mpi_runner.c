/*
 * mpi_runner.c: tests of the comm layer and of the kernels' global combine, run under
 * mpirun at 1, 2 and 4 ranks (tests/mpi.sh).  Every rank checks what it sees; the
 * failures are summed over ranks and the sum is every rank's exit status.  Expected
 * values are computed locally on each rank from the definitions (e.g. the sum of
 * 0..n-1), never taken from another rank.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd/tkmath.h"
#include "tk/comm.h"
#include "tk/array_io.h"
#include "tk/decomp.h"
#include "tk/hash.h"
#include "tk/montecarlo.h"
#include "tk/reduce.h"
#include "tk/stencil.h"
#include "tk/report.h"
#include "tk/tk.h"
#include "tk/xsum.h"

static int failures, checks;

#define CHECK(cond)                                                                       \
	do {                                                                              \
		checks++;                                                                 \
		if (!(cond)) {                                                            \
			failures++;                                                       \
			fprintf(stderr, "rank %d: %s:%d: CHECK(%s) failed\n", rank, __FILE__, \
			        __LINE__, #cond);                                          \
		}                                                                         \
	} while (0)

static int rank, size;

static void test_allreduce(void)
{
	uint64_t u[3] = {(uint64_t)rank, (uint64_t)rank, (uint64_t)rank};
	tk_comm_allreduce_u64(u, 1, TK_SUM);
	tk_comm_allreduce_u64(u + 1, 1, TK_MIN);
	tk_comm_allreduce_u64(u + 2, 1, TK_MAX);
	CHECK(u[0] == (uint64_t)size * (size - 1) / 2);
	CHECK(u[1] == 0);
	CHECK(u[2] == (uint64_t)size - 1);
	int64_t i = -rank;
	tk_comm_allreduce_i64(&i, 1, TK_MIN);
	CHECK(i == -(size - 1));
	double d = rank + 0.5;
	tk_comm_allreduce_f64(&d, 1, TK_MAX);
	CHECK(d == size - 0.5);
	/* unsigned order above 2^63 (the "none" marker UINT64_MAX among real indices):
	 * an MPI that compares MPI_UINT64_T as signed gets these wrong */
	uint64_t big[4] = {rank == 0 ? 5 : UINT64_MAX, rank == 0 ? 5 : UINT64_MAX,
	                   ((uint64_t)1 << 63) + (uint64_t)rank, (uint64_t)rank};
	tk_comm_allreduce_u64(big, 1, TK_MIN);
	tk_comm_allreduce_u64(big + 1, 1, TK_MAX);
	tk_comm_allreduce_u64(big + 2, 2, TK_MIN);
	CHECK(big[0] == 5);
	CHECK(big[1] == (size > 1 ? UINT64_MAX : 5));
	CHECK(big[2] == (uint64_t)1 << 63 && big[3] == 0);
}

static void test_bcast_gather_scatter(void)
{
	char msg[32] = "";
	if (rank == size - 1)
		strcpy(msg, "from the last rank");
	tk_comm_bcast(msg, sizeof msg, size - 1);
	CHECK(strcmp(msg, "from the last rank") == 0);

	/* rank r contributes r+1 bytes of value r (rank 0 may send nothing too) */
	size_t *counts = malloc((size_t)size * sizeof *counts), total = 0;
	for (int r = 0; r < size; r++)
		total += counts[r] = (size_t)r + 1;
	unsigned char mine[64], *all = malloc(total);
	memset(mine, rank, sizeof mine);
	tk_comm_gatherv(mine, (size_t)rank + 1, all, counts, 0);
	if (rank == 0) {
		size_t off = 0;
		for (int r = 0; r < size; r++)
			for (size_t k = 0; k < counts[r]; k++)
				CHECK(all[off++] == r);
	}
	/* and back again, each rank receiving its own block */
	unsigned char back[64];
	memset(back, 0xff, sizeof back);
	tk_comm_scatterv(all, counts, back, (size_t)rank + 1, 0);
	for (int k = 0; k <= rank; k++)
		CHECK(back[k] == rank);
	free(all);
	free(counts);
}

static void test_sendrecv_ring(void)
{
	/* halo-style exchange: send to the next rank, receive from the previous; the ends
	 * of the chain have no neighbour (-1) */
	int next = rank + 1 < size ? rank + 1 : -1, prev = rank > 0 ? rank - 1 : -1;
	int out = 100 + rank, in = -1;
	tk_comm_sendrecv(&out, sizeof out, next, &in, sizeof in, prev);
	CHECK(in == (prev >= 0 ? 100 + prev : -1));
}

static void test_counter(void)
{
	/* a pool of 1000 tasks: every task is handed out exactly once over all ranks */
	enum { N = 1000 };
	uint64_t seen[N] = {0};
	CHECK(tk_comm_counter_create(N) == 0);
	for (uint64_t t; (t = tk_comm_counter_next()) < N;)
		seen[t]++;
	tk_comm_barrier();
	tk_comm_counter_free();
	tk_comm_allreduce_u64(seen, N, TK_SUM);
	int once = 1;
	for (int t = 0; t < N; t++)
		once &= seen[t] == 1;
	CHECK(once);
}

static void test_xsum_allreduce(void)
{
	/* values i * 0.1 for i in 0..9999, split over ranks, against the serial sum */
	tk_xsum mine, all;
	tk_xsum_init(&mine);
	tk_xsum_init(&all);
	for (int i = 0; i < 10000; i++) {
		tk_xsum_add(&all, i * 0.1);
		if (i % size == rank)
			tk_xsum_add(&mine, i * 0.1);
	}
	tk_xsum_allreduce(&mine);
	double a = tk_xsum_round(&mine), b = tk_xsum_round(&all);
	CHECK(memcmp(&a, &b, sizeof a) == 0);
}

static void test_error_agree(void)
{
	/* only the last rank fails: every rank must learn it, with its code */
	tk_error_clear();
	int st = rank == size - 1 ? tk_error_set(TK_EIO, "test: rank %d fails", rank) : 0;
	if (rank == 0)
		fprintf(stderr, "(the next error line is expected)\n");
	CHECK(tk_error_agree(st) == TK_EIO);
	tk_error_clear();
	CHECK(tk_error_agree(0) == 0);
}

static void test_pi_combine(void)
{
	/* the kernel over all ranks equals the serial count computed here */
	tk_mc_params p;
	tk_mc_params_default(&p);
	p.samples = 3 * TK_MC_BLOCK + 12345; /* 4 blocks: not divisible by 3 ranks */
	tk_run_ctx ctx = {0};
	tk_result r;
	tk_result_init(&r, "montecarlo", "pi");
	CHECK(tk_mc_pi(&p, &ctx, &r) == 0);
	CHECK(r.nfields > 0 && strcmp(r.fields[0].name, "hits") == 0);
	CHECK(r.fields[0].u == tk_mc_pi_hits(p.seed, 0, p.samples));
}

static void test_error_share(void)
{
	/* only the last rank fails: every rank holds its code and message, quietly */
	tk_error_clear();
	int st = rank == size - 1 ? tk_error_set(TK_EIO, "share: rank %d fails", rank) : 0;
	CHECK(tk_error_share(st) == TK_EIO);
	CHECK(tk_error_code() == TK_EIO);
	CHECK(strstr(tk_error_message(), "share: rank") != NULL);
	tk_error_clear();
	CHECK(tk_error_share(0) == 0);
}

static void test_reduce_combine(void)
{
	/* every rank makes the whole array, reduces only its slice; the global answer
	 * must equal what this rank computes alone over everything */
	uint64_t n = 5 * TK_REDUCE_BLOCK + 77, lo, hi;
	double *all = malloc(n * sizeof *all);
	tk_xsum ref;
	tk_xsum_init(&ref);
	uint64_t imin = 0, imax = 0;
	for (uint64_t i = 0; i < n; i++) {
		all[i] = tk_generate_value(5, TK_DIST_NORMAL, i);
		tk_xsum_add(&ref, all[i]);
		if (all[i] < all[imin])
			imin = i;
		if (all[i] > all[imax])
			imax = i;
	}
	tk_reduce_slice(n, rank, size, &lo, &hi);
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	tk_reduce_stats s;
	CHECK(tk_reduce_run(all + lo, lo, hi, n, &o, &s) == 0);
	double want = tk_xsum_round(&ref);
	CHECK(memcmp(&s.sum, &want, sizeof want) == 0);
	CHECK(s.argmin == imin && s.min == all[imin]);
	CHECK(s.argmax == imax && s.max == all[imax]);
	long double m = 0, v = 0;
	for (uint64_t i = 0; i < n; i++)
		m += all[i];
	m /= n;
	for (uint64_t i = 0; i < n; i++)
		v += (all[i] - m) * (all[i] - m);
	v /= n - 1;
	CHECK(fabsl(s.var - v) <= 1e-13L * v);
	free(all);
}

/* The value of column x of row y of the test grid (never 0, the "not received" mark). */
static uint64_t cell(uint64_t y, uint64_t x) { return 1000 * y + x + 1; }

static void test_halo_exchange(void)
{
	/* rows that 4 ranks do not divide, fewer rows than ranks, halos wider than a strip:
	 * after the exchange every held row is its owner's row */
	static const uint64_t rows_list[] = {1, 2, 3, 5, 8, 13};
	static const uint64_t halos[] = {0, 1, 2, 3, 5};
	enum { W = 3 };
	for (size_t i = 0; i < sizeof rows_list / sizeof rows_list[0]; i++) {
		for (size_t k = 0; k < sizeof halos / sizeof halos[0]; k++) {
			tk_halo h;
			tk_halo_init(&h, rows_list[i], halos[k], W * sizeof(uint64_t));
			uint64_t held = h.me.b - h.me.a, buf[40 * W];
			CHECK(held <= 40);
			for (uint64_t y = h.me.a; y < h.me.b; y++)
				for (uint64_t x = 0; x < W; x++)
					buf[(y - h.me.a) * W + x] =
						y >= h.me.y0 && y < h.me.y1 ? cell(y, x) : 0;
			tk_halo_exchange(&h, buf);
			int ok = 1;
			for (uint64_t y = h.me.a; y < h.me.b; y++)
				for (uint64_t x = 0; x < W; x++)
					ok &= buf[(y - h.me.a) * W + x] == cell(y, x);
			CHECK(ok);
			/* the whole grid is held by someone, each row owned once */
			uint64_t own = h.me.y1 - h.me.y0;
			tk_comm_allreduce_u64(&own, 1, TK_SUM);
			CHECK(own == rows_list[i]);
		}
	}
}

static int loc_is(tk_loc a, double v, uint64_t i)
{
	return a.i == i && (v != v ? a.v != a.v : memcmp(&a.v, &v, sizeof v) == 0);
}

static void test_loc_allreduce(void)
{
	uint64_t r = (uint64_t)rank, R = (uint64_t)size, lastodd = R >= 2 ? (R - 2) | 1 : 0;
	if (lastodd >= R)
		lastodd -= 2;
	tk_loc l[6] = {
		/* 1.0 on odd ranks, 2.0 on even ones, index 100 - r: the min is 1.0 at the
		 * lowest index, the last odd rank's (1 rank: 2.0 at 100) */
		{r % 2 ? 1.0 : 2.0, 100 - r},
		/* zeros tie: +0.0 on rank 0 (lowest index 10), -0.0 elsewhere */
		{r == 0 ? 0.0 : -0.0, 10 + r},
		/* the last rank has a NaN at 50 + r, the others numbers at lower indices:
		 * NaN propagates */
		{r == R - 1 ? NAN : -1e300, r == R - 1 ? 50 + r : r},
		/* NaN on every rank but 0: the first NaN, index 7 - r of the last rank */
		{r == 0 ? 1.0 : NAN, r == 0 ? 0 : 7 - r},
		/* empty on every rank */
		{3.0, TK_LOC_NONE},
		/* only the last rank has one */
		{r == R - 1 ? 4.5 : 9.0, r == R - 1 ? 1000 : TK_LOC_NONE},
	};
	tk_loc m[6];
	memcpy(m, l, sizeof l);
	tk_comm_allreduce_loc(l, 6, TK_MIN);
	CHECK(R == 1 ? loc_is(l[0], 2.0, 100) : loc_is(l[0], 1.0, 100 - lastodd));
	CHECK(loc_is(l[1], 0.0, 10));
	CHECK(loc_is(l[2], NAN, 50 + R - 1));
	CHECK(R == 1 ? loc_is(l[3], 1.0, 0) : loc_is(l[3], NAN, 7 - (R - 1)));
	CHECK(loc_is(l[4], NAN, TK_LOC_NONE));
	CHECK(loc_is(l[5], 4.5, 1000));
	/* the same with MAX: 2.0 on even ranks, the lowest index the last even rank's */
	uint64_t lasteven = (R - 1) & ~(uint64_t)1;
	tk_comm_allreduce_loc(m, 6, TK_MAX);
	CHECK(loc_is(m[0], 2.0, 100 - lasteven));
	CHECK(loc_is(m[1], 0.0, 10));
	CHECK(loc_is(m[2], NAN, 50 + R - 1));
	CHECK(loc_is(m[5], 4.5, 1000));
}

static void test_pack_allreduce(void)
{
	/* sums, min/max (above 2^63: unsigned order, which MPICH's MPI_UINT64_T gets
	 * wrong), min/max with index and an exact sum, all in one collective; each
	 * expected value from its definition */
	uint64_t r = (uint64_t)rank, R = (uint64_t)size;
	uint64_t u[2] = {r + 1, r * r};
	uint64_t big[2] = {r == 0 ? 5 : UINT64_MAX, (UINT64_C(1) << 63) + r};
	int64_t i[1] = {-(int64_t)r};
	double f[1] = {(double)r + 0.5};
	tk_loc mn[1] = {{(double)(r % 3), 1000 - r}}, mx[1] = {{-(double)r, r}};
	tk_xsum mine, ref;
	tk_xsum_init(&mine);
	tk_xsum_init(&ref);
	for (int k = 0; k < 1000; k++) {
		tk_xsum_add(&ref, k * 0.1);
		if ((uint64_t)k % R == r)
			tk_xsum_add(&mine, k * 0.1);
	}
	int64_t w[TK_XSUM_WORDS];
	tk_xsum_to_words(&mine, w);
	tk_pack p;
	tk_pack_init(&p);
	tk_pack_u64(&p, u, 2, TK_SUM);
	tk_pack_u64(&p, big, 1, TK_MIN);
	tk_pack_u64(&p, big + 1, 1, TK_MAX);
	tk_pack_i64(&p, i, 1, TK_SUM);
	tk_pack_f64(&p, f, 1, TK_MAX);
	tk_pack_loc(&p, mn, 1, TK_MIN);
	tk_pack_loc(&p, mx, 1, TK_MAX);
	tk_pack_i64(&p, w, TK_XSUM_WORDS, TK_SUM);
	tk_comm_allreduce_pack(&p);
	tk_xsum_from_words(&mine, w);
	CHECK(u[0] == R * (R + 1) / 2);
	CHECK(u[1] == (R - 1) * R * (2 * R - 1) / 6);
	CHECK(big[0] == 5);
	CHECK(big[1] == (UINT64_C(1) << 63) + R - 1);
	CHECK(i[0] == -(int64_t)(R * (R - 1) / 2));
	CHECK(f[0] == (double)R - 0.5);
	/* value 0 on ranks 0, 3, ...: the lowest index 1000 - r of the last such rank */
	CHECK(loc_is(mn[0], 0.0, 1000 - (R - 1) / 3 * 3));
	CHECK(loc_is(mx[0], -0.0, 0));
	double a = tk_xsum_round(&mine), b = tk_xsum_round(&ref);
	CHECK(memcmp(&a, &b, sizeof a) == 0);
}

static void test_strip_scatter_gather(void)
{
	/* rows that 4 ranks do not divide, fewer rows than ranks, halos wider than a strip:
	 * one transfer gives each rank its held rows; the gather brings back each rank's
	 * own rows, changed by it; a failure on one rank moves nothing anywhere */
	static const uint64_t rows_list[] = {1, 2, 3, 5, 8, 13};
	static const uint64_t halos[] = {0, 1, 2, 3, 5};
	enum { W = 3 };
	uint64_t all[13 * W], back[13 * W], held[13 * W + 1];
	for (size_t i = 0; i < sizeof rows_list / sizeof rows_list[0]; i++) {
		uint64_t n = rows_list[i];
		for (size_t k = 0; k < sizeof halos / sizeof halos[0]; k++) {
			tk_strip me = tk_decomp_strip(n, (uint64_t)size, (uint64_t)rank, halos[k]);
			for (uint64_t y = 0; y < n; y++)
				for (uint64_t x = 0; x < W; x++)
					all[y * W + x] = rank == 0 ? cell(y, x) : 0;
			memset(held, 0, sizeof held);
			CHECK(tk_strip_scatter(n, halos[k], W * sizeof(uint64_t), all, held, 0, 0) ==
			      0);
			int ok = 1;
			for (uint64_t y = me.a; y < me.b; y++)
				for (uint64_t x = 0; x < W; x++)
					ok &= held[(y - me.a) * W + x] == cell(y, x);
			ok &= held[(me.b - me.a) * W] == 0; /* nothing past the held rows */
			CHECK(ok);
			for (uint64_t y = me.y0; y < me.y1; y++)
				for (uint64_t x = 0; x < W; x++)
					held[(y - me.a) * W + x] *= 2;
			memset(back, 0, sizeof back);
			CHECK(tk_strip_gather(n, W * sizeof(uint64_t), held + (me.y0 - me.a) * W,
			                      back, 0, 0) == 0);
			if (rank == 0) {
				ok = 1;
				for (uint64_t y = 0; y < n; y++)
					for (uint64_t x = 0; x < W; x++)
						ok &= back[y * W + x] == 2 * cell(y, x);
				CHECK(ok);
			}
		}
	}
	/* the last rank fails: every rank gets its code, no row moves */
	tk_error_clear();
	int st = rank == size - 1 ? tk_error_set(TK_EIO, "strip: rank %d fails", rank) : 0;
	memset(held, 0, sizeof held);
	CHECK(tk_strip_scatter(5, 1, W * sizeof(uint64_t), all, held, 0, st) == TK_EIO);
	CHECK(held[0] == 0);
	tk_error_clear();
}

static void test_stencil_combine(void)
{
	/* 13 rows over the ranks (4 does not divide them), 9 steps: the grid hash equals
	 * the one of the whole grid swept here by this rank alone */
	enum { N = 13, S = 9, ST = N + 2 };
	const double alpha = 0.21;
	static double g[2][ST * ST];
	memset(g, 0, sizeof g);
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			double si, sj, c;
			tk_sincos_2pi((double)(i + 1) / (2.0 * (N + 1.0)), &si, &c);
			tk_sincos_2pi((double)(j + 1) / (2.0 * (N + 1.0)), &sj, &c);
			g[0][(i + 1) * ST + j + 1] = si * sj;
		}
	for (int s = 0; s < S; s++)
		tk_stencil_sweep(&g[s % 2][ST + 1], &g[1 - s % 2][ST + 1], ST, N, N, alpha);
	uint64_t rows[N], h = TK_FNV_OFFSET;
	for (int i = 0; i < N; i++)
		rows[i] = tk_fnv1a(TK_FNV_OFFSET, &g[S % 2][(i + 1) * ST + 1], N * sizeof(double));
	h = tk_fnv1a(h, rows, sizeof rows);

	tk_stencil_params p = {N, S, alpha};
	tk_run_ctx ctx = {0};
	tk_result r;
	tk_result_init(&r, "stencil", "heat");
	CHECK(tk_stencil_run(&p, &ctx, &r) == 0);
	CHECK(r.verified == 1);
	uint64_t got = 0;
	for (int i = 0; i < r.nfields; i++)
		if (strcmp(r.fields[i].name, "grid_hash") == 0)
			got = r.fields[i].u;
	CHECK(got == h);
}

int main(int argc, char **argv)
{
	if (tk_comm_init(&argc, &argv) != 0)
		return 99;
	rank = tk_comm_rank();
	size = tk_comm_size();
	test_allreduce();
	test_bcast_gather_scatter();
	test_sendrecv_ring();
	test_counter();
	test_xsum_allreduce();
	test_error_agree();
	test_pi_combine();
	test_error_share();
	test_reduce_combine();
	test_halo_exchange();
	test_loc_allreduce();
	test_pack_allreduce();
	test_strip_scatter_gather();
	test_stencil_combine();
	uint64_t f[2] = {(uint64_t)failures, (uint64_t)checks};
	tk_comm_allreduce_u64(f, 2, TK_SUM);
	if (rank == 0)
		printf("mpi tests at %d rank%s: %llu passed, %llu failed\n", size,
		       size == 1 ? "" : "s", (unsigned long long)(f[1] - f[0]),
		       (unsigned long long)f[0]);
	tk_comm_finalize();
	return f[0] > 255 ? 255 : (int)f[0];
}
