/*
 * stats.c: a configuration's statistics from its runs: median, min, max, spread, the
 * order-statistics interval of the median, speedup and efficiency against serial,
 * Karp-Flatt's serial fraction, the vector speedup against scalar, and the digest each
 * row must give.
 *
 * Rule: a run that failed, timed out or reported another world than the one asked for
 * counts as failed and gives no timing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "tk/stats.h"

/* The statistics of one configuration's recorded runs, checked against the digest
 * serial_digest (NULL: none yet). */
int bench_finish_config(const bench *b, config *c, const char *serial_digest)
{
	char *argv[MAX_ARGS];
	static char store[16384];
	bench_build_argv(b, c, argv, store, sizeof store); /* for the error line */
	double ks[MAX_RUNS], ws[MAX_RUNS], rs[MAX_RUNS], m1[MAX_RUNS], m2[MAX_RUNS],
		b1[MAX_RUNS], b2[MAX_RUNS], cs[MAX_RUNS], csh[MAX_RUNS];
	int nk = 0, nr = 0, nm = 0, nb = 0, ncs = 0;
	c->hosts = 0;
	c->verified = 1;
	c->identical = 1;
	snprintf(c->digest, sizeof c->digest, "%s", c->runs[0].digest);
	for (int i = 0; i < c->nruns; i++) {
		run_out *o = &c->runs[i];
		int bad = o->rc != 0 || o->timed_out || isnan(o->kernel_s);
		/* a run that reports another world than the one asked for is a failure: a
		 * launcher that starts copies without the MPI wiring gives N serial runs */
		if (!bad && (o->reports != 1 || o->ranks != c->ranks || o->threads != c->threads)) {
			if (!c->error[0] && o->reports > 1)
				snprintf(c->error, sizeof c->error,
				         "asked for %dx%d, got %d separate reports of %dx%d: the launcher "
				         "started independent copies, not one MPI job (MPI flavour or "
				         "srun --mpi plugin does not match the build?)",
				         c->ranks, c->threads, o->reports, o->ranks, o->threads);
			else if (!c->error[0])
				snprintf(c->error, sizeof c->error,
				         "asked for %dx%d, the run reported %dx%d (ranks x threads)",
				         c->ranks, c->threads, o->ranks, o->threads);
			bad = 1;
		}
		if (bad) {
			c->failed++;
			if (!c->error[0]) {
				char cl[1024];
				bench_command_line(argv, cl, sizeof cl);
				if (o->timed_out)
					snprintf(c->error, sizeof c->error, "timed out after %.0f s: %.150s",
					         b->timeout, cl);
				else
					snprintf(c->error, sizeof c->error, "exit %d: %.200s", o->rc,
					         o->err[0] ? o->err : "no JSON output");
			}
			c->verified = 0;
			continue;
		}
		c->verified &= o->verified;
		if (strcmp(o->digest, c->digest) != 0 ||
		    (serial_digest && strcmp(o->digest, serial_digest) != 0))
			c->identical = 0;
		ks[nk] = o->kernel_s;
		ws[nk] = o->wall_s;
		nk++;
		if (isfinite(o->rss_max) && isfinite(o->rss_sum)) {
			m1[nm] = o->rss_max;
			m2[nm++] = o->rss_sum;
		}
		if (isfinite(o->busy_min) && isfinite(o->busy_max)) {
			b1[nb] = o->busy_min;
			b2[nb++] = o->busy_max;
		}
		if (isfinite(o->comm_s) && isfinite(o->comm_share)) {
			cs[ncs] = o->comm_s;
			csh[ncs++] = o->comm_share;
		}
		if (o->hosts > c->hosts)
			c->hosts = o->hosts;
		if (isfinite(o->rate)) {
			rs[nr++] = o->rate;
			snprintf(c->rate_unit, sizeof c->rate_unit, "%s", o->rate_unit);
		}
	}
	tk_stats_of(ks, (size_t)nk, &c->kst);
	c->ci_level = tk_median_ci(ks, (size_t)nk, CI_LEVEL, &c->ci_lo, &c->ci_hi);
	tk_stats_of(ws, (size_t)nk, &c->wst);
	c->rate = nr ? tk_median_sort(rs, (size_t)nr) : NAN;
	c->rss_max = nm ? tk_median_sort(m1, (size_t)nm) : NAN;
	c->rss_sum = nm ? tk_median_sort(m2, (size_t)nm) : NAN;
	c->busy_min = nb ? tk_median_sort(b1, (size_t)nb) : NAN;
	c->busy_max = nb ? tk_median_sort(b2, (size_t)nb) : NAN;
	c->comm_s = ncs ? tk_median_sort(cs, (size_t)ncs) : NAN;
	c->comm_share = ncs ? tk_median_sort(csh, (size_t)ncs) : NAN;
	return 0;
}

/* Speedup against the serial run of the same variant; vector speedup against the
 * scalar run of the same mode, workers and problem; Karp-Flatt only where it means
 * something: strong scaling, W > 1 and a speedup above 1. */
void bench_summarise(bench *b, int first, int last)
{
	for (int i = first; i < last; i++) {
		config *c = &b->cfg[i];
		const config *serial = NULL, *scalar = NULL;
		for (int j = first; j < last; j++) {
			const config *o = &b->cfg[j];
			if (o->k != c->k)
				continue;
			if (!serial && o->mode == TK_MODE_SERIAL && o->simd == c->simd)
				serial = o;
			if (!scalar && o->simd == TK_SIMD_SCALAR && o->mode == c->mode &&
			    o->ranks == c->ranks && o->threads == c->threads && o->size == c->size &&
			    o->extra == c->extra && o->kst.n)
				scalar = o;
		}
		double t1 = serial && serial->kst.n ? serial->kst.median : NAN;
		if (b->scaling == 1) { /* weak: scaled speedup, (work ratio) x T1 / Tw */
			double ratio = c->workers;
			if (c->k->size_dims > 1 && serial && serial->size)
				ratio = pow((double)c->size / (double)serial->size, c->k->size_dims);
			c->speedup = ratio * tk_speedup(t1, c->kst.median);
		}
		else
			c->speedup = tk_speedup(t1, c->kst.median);
		c->efficiency = tk_efficiency(c->speedup, c->workers);
		c->karp_flatt = b->scaling == 0 && c->workers > 1 && c->speedup > 1
		                        ? tk_karp_flatt(c->speedup, c->workers)
		                        : NAN;
		c->vec_speedup = scalar && c->kst.n ? tk_speedup(scalar->kst.median, c->kst.median)
		                                    : NAN;
	}
}

/* The same problem as a, so the same bits: the same kernel, size and options (another
 * strategy, a labelled row, is still the same problem); mode, workers and variant are
 * free. */
static int same_problem(const config *a, const config *c)
{
	return a->k == c->k && a->size == c->size &&
	       (a->extra == c->extra || a->label || c->label);
}

/* The digest row j must give: the first earlier row of the group with the same
 * problem that produced one (the serial run of the first variant, scalar when it is
 * listed), or NULL when j is the first of its problem. */
const char *bench_reference_digest(const bench *b, int first, int j)
{
	for (int i = first; i < j; i++)
		if (same_problem(&b->cfg[i], &b->cfg[j]) && b->cfg[i].digest[0])
			return b->cfg[i].digest;
	return NULL;
}
