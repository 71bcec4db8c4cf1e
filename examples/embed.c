/*
 * embed.c: libtk inside another program, through the installed headers and pkg-config
 * alone (docs/architecture.md "libtk"):
 *
 *   cc embed.c $(pkg-config --cflags --libs toolkit) -lm -o embed      (libtk.so)
 *   cc embed.c $(pkg-config --static --cflags --libs toolkit | sed 's/-ltk /-l:libtk.a /') \
 *      -lm -o embed                                                      (libtk.a)
 *
 * (the linker takes libtk.so over libtk.a where both are installed, hence -l:libtk.a;
 * -lm is this program's own, for sqrt).
 *
 * It reduces the array 1, 2, ..., n that it holds itself and counts the pi kernel's
 * hits for a seed, then checks both against answers known without the library: the
 * closed forms of the array's sum, extremes, mean and variance, and the pi estimate
 * within 5 standard errors.  Run as a plain program the comm layer has one rank
 * (serial); under mpirun each rank holds its slice and the answers are the same.
 * Prints the results on rank 0; exit 0 when every check passed, 1 when one failed,
 * 2 on bad arguments, else the library's exit code for its error.
 *
 * usage: embed [N [SAMPLES [SEED]]]   (defaults 2^20, 10^6, 42)
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <tk/comm.h>
#include <tk/decomp.h>
#include <tk/montecarlo.h>
#include <tk/reduce.h>
#include <tk/simd.h>
#include <tk/tk.h>

static int arg_u64(int argc, char **argv, int i, uint64_t dflt, uint64_t *v)
{
	char *end;
	if (argc <= i) {
		*v = dflt;
		return 0;
	}
	*v = strtoull(argv[i], &end, 10);
	return *end == '\0' && *v > 0 ? 0 : -1;
}

/* The reduction of 1 .. n: this rank fills its own slice, the library combines. */
static int check_reduce(uint64_t n, int rank, int size, int *ok)
{
	uint64_t lo, hi;
	tk_reduce_slice(n, rank, size, &lo, &hi);
	double *x = malloc((hi - lo + 1) * sizeof *x);
	if (!x)
		return tk_error_set(TK_ENOMEM, "embed: no memory for %" PRIu64 " values", hi - lo);
	for (uint64_t i = lo; i < hi; i++)
		x[i - lo] = (double)(i + 1);
	tk_reduce_opts o;
	tk_reduce_opts_default(&o);
	o.ddof = 0;
	tk_reduce_stats s;
	int rc = tk_reduce_run(x, lo, hi, n, &o, &s);
	free(x);
	if (rc < 0)
		return rc;
	/* closed forms: sum n(n+1)/2, mean (n+1)/2, population variance (n^2-1)/12 */
	double nd = (double)n, sum = nd * (nd + 1) / 2, mean = (nd + 1) / 2;
	double var = (nd * nd - 1) / 12;
	*ok = s.count == n && s.sum == sum && s.min == 1 && s.argmin == 0 && s.max == nd &&
	      s.argmax == n - 1 && s.mean == mean && fabs(s.var - var) <= 1e-12 * var;
	if (rank == 0)
		printf("reduce: n %" PRIu64 " sum %.17g min %.17g (index %" PRIu64
		       ") max %.17g (index %" PRIu64 ") mean %.17g var %.17g: %s\n",
		       s.count, s.sum, s.min, s.argmin, s.max, s.argmax, s.mean, s.var,
		       *ok ? "ok" : "WRONG");
	tk_reduce_stats_free(&s);
	return 0;
}

/* The pi kernel's hits among this rank's samples, summed over ranks. */
static void check_pi(uint64_t samples, uint64_t seed, int rank, int size, int *ok)
{
	tk_range mine = tk_decomp_block(samples, (uint64_t)size, (uint64_t)rank);
	uint64_t hits = tk_mc_pi_hits(seed, mine.lo, mine.hi);
	tk_comm_allreduce_u64(&hits, 1, TK_SUM);
	const double q = 3.14159265358979323846 / 4;
	double nd = (double)samples, est = 4.0 * (double)hits / nd;
	double se = 4.0 * sqrt(q * (1 - q) / nd);
	*ok = fabs(est - 4 * q) < 5 * se;
	if (rank == 0)
		printf("pi: samples %" PRIu64 " seed %" PRIu64 " hits %" PRIu64
		       " estimate %.17g std_error %.3g: %s\n",
		       samples, seed, hits, est, se, *ok ? "ok" : "WRONG");
}

int main(int argc, char **argv)
{
	uint64_t n, samples, seed;
	if (tk_comm_init(&argc, &argv) != 0) {
		fprintf(stderr, "embed: the comm layer did not start\n");
		return 5;
	}
	int rank = tk_comm_rank(), size = tk_comm_size();
	if (arg_u64(argc, argv, 1, (uint64_t)1 << 20, &n) < 0 ||
	    arg_u64(argc, argv, 2, 1000000, &samples) < 0 ||
	    arg_u64(argc, argv, 3, 42, &seed) < 0) {
		if (rank == 0)
			fprintf(stderr, "usage: embed [N [SAMPLES [SEED]]] (positive integers)\n");
		tk_comm_finalize();
		return 2;
	}
	if (rank == 0)
		printf("embed: libtk %s, %d rank(s), simd %s\n", TK_VERSION, size,
		       tk_simd_name(tk_simd_active()));
	int red_ok = 0, pi_ok = 0;
	int rc = tk_error_agree(check_reduce(n, rank, size, &red_ok));
	if (rc == 0)
		check_pi(samples, seed, rank, size, &pi_ok);
	tk_comm_finalize();
	if (rc < 0)
		return tk_exit_code(rc);
	if (rank == 0)
		printf("embed: %s\n", red_ok && pi_ok ? "ok" : "FAILED");
	return red_ok && pi_ok ? 0 : 1;
}
