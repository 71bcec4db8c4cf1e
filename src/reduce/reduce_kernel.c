/*
 * reduce_kernel.c: the registered reduce kernels (stats, membw): load the input, run
 * the kernel, verify the result by independent means, and fill the result record.
 *
 * Rule: verification never reuses the kernel's code path: the sum is checked against
 * a compensated (Neumaier) sum within that sum's error bound, the variance against a
 * plain two-pass formula, min/max against a plain scan, the histogram by its counts
 * adding up to n.  It runs outside the timed kernel.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reduce/stream.h"
#include "tk/comm.h"
#include "tk/omp.h"
#include "tk/reduce.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"

void tk_reduce_params_default(tk_reduce_params *p)
{
	memset(p, 0, sizeof *p);
	p->src.kind = TK_SRC_GENERATE;
	p->src.count = UINT64_C(1) << 24;
	p->src.dist = TK_DIST_UNIFORM;
	p->src.seed = 1;
	tk_reduce_opts_default(&p->opts);
	p->membw_reps = 5;
}

/* Neumaier's compensated sum, one value. */
static inline void neumaier(double *s, double *c, double v)
{
	double t = *s + v;
	if (fabs(*s) >= fabs(v))
		*c += (*s - t) + v;
	else
		*c += (v - t) + *s;
	*s = t;
}

typedef struct check {
	double sum, abssum, ss; /* compensated sum, sum of |x|, sum of (x - mean)^2 */
	double min, max;        /* plain scan, NaN left out */
} check;

typedef struct check_acc {
	double s, sc, a, q, qc, mn, mx;
} check_acc;

/* Two plain loops over one window of the local values, added to t. */
static void check_window(const double *x, uint64_t m, int skip_nan, double mean,
                         check_acc *t)
{
	double s = t->s, sc = t->sc, a = t->a, q = t->q, qc = t->qc, mn = t->mn, mx = t->mx;
#pragma omp parallel
	{
		double ls = 0, lc = 0, la = 0, lq = 0, lqc = 0, lmn = INFINITY, lmx = -INFINITY;
#pragma omp for schedule(static)
		for (uint64_t i = 0; i < m; i++) {
			double v = x[i];
			if (skip_nan && v != v)
				continue;
			neumaier(&ls, &lc, v);
			la += fabs(v);
			if (v < lmn)
				lmn = v;
			if (v > lmx)
				lmx = v;
		}
#pragma omp for schedule(static)
		for (uint64_t i = 0; i < m; i++) {
			double v = x[i];
			if (skip_nan && v != v)
				continue;
			neumaier(&lq, &lqc, (v - mean) * (v - mean));
		}
#pragma omp critical(tk_reduce_check)
		{
			neumaier(&s, &sc, ls);
			neumaier(&s, &sc, lc);
			a += la;
			neumaier(&q, &qc, lq);
			neumaier(&q, &qc, lqc);
			if (lmn < mn)
				mn = lmn;
			if (lmx > mx)
				mx = lmx;
		}
	}
	*t = (check_acc){s, sc, a, q, qc, mn, mx};
}

/* The plain loops over every window of the local values (a pass of its own: the mean
 * is known), combined over threads, windows and ranks. */
static int check_local(tk_feed *f, int skip_nan, double mean, check *c)
{
	check_acc t = {0, 0, 0, 0, 0, INFINITY, -INFINITY};
	const double *x;
	uint64_t g, len;
	int rd = f->begin(f);
	while (rd == 0 && (rd = f->next(f, &x, &g, &len)) == 0 && len > 0)
		check_window(x, len, skip_nan, mean, &t);
	TK_CHECK(tk_error_share(rd));
	double s = t.s, sc = t.sc, a = t.a, q = t.q, qc = t.qc, mn = t.mn, mx = t.mx;
	double v[3] = {s, sc, a}, w[2] = {q, qc};
	tk_comm_allreduce_f64(v, 3, TK_SUM);
	tk_comm_allreduce_f64(w, 2, TK_SUM);
	double lo[1] = {mn}, hi[1] = {mx};
	tk_comm_allreduce_f64(lo, 1, TK_MIN);
	tk_comm_allreduce_f64(hi, 1, TK_MAX);
	c->sum = v[0] + v[1];
	c->abssum = v[2];
	c->ss = w[0] + w[1];
	c->min = lo[0];
	c->max = hi[0];
	return 0;
}

/* The value at global index i (the owner sends it), NaN for none. */
static int value_at(tk_feed *f, uint64_t i, double *out)
{
	/* as bits: the owner's are the only nonzero ones, unless its value is +0.0 */
	uint64_t v[1] = {0};
	double x = 0;
	int st = 0;
	if (i == TK_REDUCE_NONE)
		v[0] = UINT64_C(0x7FF8000000000000); /* NaN on every rank */
	else if (i >= f->lo && i < f->hi && (st = f->read(f, i, 1, &x)) == 0)
		memcpy(v, &x, sizeof v[0]);
	TK_CHECK(tk_error_share(st));
	tk_comm_allreduce_u64(v, 1, TK_MAX);
	memcpy(out, v, sizeof *out);
	return 0;
}

static int same(double a, double b) { return a == b || (a != a && b != b); }

/* Fill r's verdict. */
static int verify(const tk_reduce_params *p, tk_feed *f, const tk_reduce_stats *s,
                  tk_result *r)
{
	const tk_reduce_opts *o = &p->opts;
	check c;
	TK_CHECK(check_local(f, o->skip_nan, s->mean, &c));
	int ranks = tk_comm_size(), threads = tk_thread_max();
	double eps = DBL_EPSILON / 2, parts = (double)(ranks * threads + 4);
	char why[200] = "";
	int ok = s->count + (o->skip_nan ? s->nan : 0) == s->n;
	if (!ok)
		snprintf(why, sizeof why, "count %llu + NaN %llu != n",
		         (unsigned long long)s->count, (unsigned long long)s->nan);
	/* sum: the compensated sum is within parts * eps * sum|x| + 2 eps |S| */
	double sum_err = fabs(s->sum - c.sum);
	double sum_tol = parts * eps * c.abssum + 4 * eps * fabs(s->sum);
	int summed = (o->ops & (TK_RED_SUM | TK_RED_MEAN | TK_RED_VAR | TK_RED_STD)) != 0;
	if (!summed)
		sum_err = sum_tol = 0;
	if (ok && summed && isfinite(s->sum) && !(sum_err <= sum_tol)) {
		ok = 0;
		snprintf(why, sizeof why, "sum differs from a compensated sum by %.3g (bound %.3g)",
		         sum_err, sum_tol);
	}
	if (ok && summed && !isfinite(s->sum)) {
		int nan_expected = (s->nan && !o->skip_nan) || (s->posinf && s->neginf);
		ok = nan_expected ? isnan(s->sum)
		                  : (s->posinf || s->neginf || !isfinite(c.sum) ||
		                     c.abssum > 0x1p1000);
		if (!ok)
			snprintf(why, sizeof why, "sum %g is not what the NaN/inf counts imply", s->sum);
	}
	/* var: a two-pass compensated sum of (x - mean)^2; the mean's own rounding adds
	 * count (eps mean)^2 to it */
	if (ok && (o->ops & (TK_RED_VAR | TK_RED_STD)) && isfinite(s->var)) {
		double cn = (double)s->count;
		double v2 = c.ss / (cn - o->ddof);
		double tol = 1e-12 * s->var + 4 * cn * (eps * s->mean) * (eps * s->mean) / (cn - o->ddof) +
		             DBL_MIN;
		if (!(fabs(s->var - v2) <= tol)) {
			ok = 0;
			snprintf(why, sizeof why, "var %.17g differs from a two-pass %.17g", s->var, v2);
		}
	}
	/* min/max: a plain scan, and the value at the reported index */
	int nan_out = s->nan && !o->skip_nan;
	if (ok && (o->ops & (TK_RED_MIN | TK_RED_MAX))) {
		double at_min, at_max;
		TK_CHECK(value_at(f, s->argmin, &at_min));
		TK_CHECK(value_at(f, s->argmax, &at_max));
		int good = nan_out ? (isnan(s->min) && isnan(at_min) && isnan(at_max))
		                   : (s->min == c.min && s->max == c.max && same(at_min, s->min) &&
		                      same(at_max, s->max));
		if (!good) {
			ok = 0;
			snprintf(why, sizeof why, "min/max %g/%g disagree with a plain scan %g/%g",
			         s->min, s->max, c.min, c.max);
		}
	}
	if (ok && (o->ops & TK_RED_HIST)) {
		uint64_t t = s->below + s->above + s->nan;
		for (uint32_t b = 0; b < s->bins; b++)
			t += s->hist[b];
		if (t != s->n) {
			ok = 0;
			snprintf(why, sizeof why, "histogram counts add up to %llu, not n = %llu",
			         (unsigned long long)t, (unsigned long long)s->n);
		}
	}
	if (ok)
		tk_result_verify(r, 1, "sum within %.2g of a compensated sum (bound %.2g); "
		                 "var, min/max and counts agree with plain passes",
		                 sum_err, sum_tol);
	else
		tk_result_verify(r, 0, "%s", why);
	return 0;
}

static const char *source_name(const tk_source *src)
{
	static const char *const names[] = {"npy", "raw", "csv", "generate"};
	return names[src->kind];
}

static void fill_result(const tk_reduce_params *p, const tk_array *a,
                        const tk_reduce_stats *s, tk_result *r)
{
	const tk_reduce_opts *o = &p->opts;
	unsigned ops = o->ops;
	r->size = s->n;
	r->size_unit = "values";
	tk_result_u64(r, "n", s->n);
	tk_result_u64(r, "count", s->count);
	tk_result_u64(r, "nan", s->nan);
	tk_result_u64(r, "posinf", s->posinf);
	tk_result_u64(r, "neginf", s->neginf);
	if (ops & TK_RED_SUM)
		tk_result_f64(r, "sum", s->sum);
	if (ops & TK_RED_MEAN)
		tk_result_f64(r, "mean", s->mean);
	if (ops & TK_RED_VAR)
		tk_result_f64(r, "var", s->var);
	if (ops & TK_RED_STD)
		tk_result_f64(r, "std", s->std);
	if (ops & (TK_RED_VAR | TK_RED_STD))
		tk_result_u64(r, "ddof", (uint64_t)o->ddof);
	if (ops & TK_RED_MIN) {
		tk_result_f64(r, "min", s->min);
		tk_result_u64(r, "argmin", s->argmin);
	}
	if (ops & TK_RED_MAX) {
		tk_result_f64(r, "max", s->max);
		tk_result_u64(r, "argmax", s->argmax);
	}
	if (ops & TK_RED_HIST) {
		tk_result_u64(r, "bins", s->bins);
		tk_result_f64(r, "hist_lo", s->hist_lo);
		tk_result_f64(r, "hist_hi", s->hist_hi);
		tk_result_u64(r, "below", s->below);
		tk_result_u64(r, "above", s->above);
		tk_result_u64s_own(r, "hist", s->hist, s->bins); /* the kernel lets go of it */
	}
	tk_result_ref_str(r, "input", source_name(&p->src));
	tk_result_ref_str(r, "dtype", a->dtype ? a->dtype : "f8");
	tk_result_ref_str(r, "strategy", tk_reduce_strategy_names[o->strategy]);
	if (ops & (TK_RED_VAR | TK_RED_STD))
		tk_result_ref_f64(r, "var_passes", s->var_passes);
	tk_result_ref_f64(r, "stats_time", s->t_stats);
	tk_result_unit(r, "s");
	if (s->t_sum > 0) {
		tk_result_ref_f64(r, "sum_time", s->t_sum);
		tk_result_unit(r, "s");
	}
	if (ops & TK_RED_HIST) {
		tk_result_ref_f64(r, "hist_time", s->t_hist);
		tk_result_unit(r, "s");
	}
}

/* The membw probe's array per rank: max(4 x LLC, 1 GiB), within half the memory. */
static uint64_t membw_bytes(const tk_reduce_params *p)
{
	if (p->membw_bytes)
		return p->membw_bytes;
	uint64_t b = 4 * tk_sys_cache(3);
	if (b < (UINT64_C(1) << 30))
		b = UINT64_C(1) << 30;
	uint64_t avail = tk_mem_available() / 2 / (uint64_t)tk_comm_size();
	if (avail && b > avail)
		b = avail;
	return b;
}

int tk_reduce_stats_kernel(const tk_reduce_params *p, const tk_run_ctx *ctx, tk_result *r)
{
	(void)ctx;
	tk_reduce_input in;
	tk_comm_barrier();
	double t0 = tk_now();
	TK_CHECK(tk_reduce_input_open(&p->src, p->memory, &in));
	r->io_s = tk_now() - t0;
	tk_reduce_stats s;
	tk_comm_barrier();
	int st = tk_reduce_run_feed(&in.f, &p->opts, &s);
	if (st < 0) {
		tk_reduce_input_close(&in);
		return st;
	}
	tk_result_time(r, s.t_stats + s.t_sum + s.t_hist);
	fill_result(p, &in.a, &s, r);
	r->work = (double)in.a.n * sizeof(double);
	r->rate_unit = "GB/s";
	r->rate_scale = 1e9;
	st = verify(p, &in.f, &s, r);
	tk_reduce_input_report(&in, r);
	tk_reduce_input_close(&in);
	if (p->opts.ops & TK_RED_HIST)
		s.hist = NULL; /* r owns the histogram (fill_result) */
	tk_reduce_stats_free(&s);
	if (st < 0)
		return st;
	if (p->membw) {
		int ok;
		double bw = tk_membw(membw_bytes(p), p->membw_reps, &ok);
		st = tk_error_share(ok || tk_error_code() == 0 ? 0 : tk_error_code());
		if (st < 0)
			return st;
		tk_result_ref_f64(r, "membw", bw / 1e9);
		tk_result_unit(r, "GB/s");
		tk_result_ref_f64(r, "membw_fraction", r->work / r->kernel_max / bw);
		if (!ok)
			tk_result_verify(r, 0, "the bandwidth probe's sums were wrong");
	}
	return 0;
}

int tk_reduce_membw_kernel(const tk_reduce_params *p, const tk_run_ctx *ctx, tk_result *r)
{
	(void)ctx;
	uint64_t bytes = membw_bytes(p);
	int ok;
	double bw = tk_membw(bytes, p->membw_reps, &ok);
	int st = tk_error_share(ok || tk_error_code() == 0 ? 0 : tk_error_code());
	if (st < 0)
		return st;
	r->size = bytes * (uint64_t)tk_comm_size();
	r->size_unit = "bytes";
	tk_result_u64(r, "bytes", r->size);
	tk_result_u64(r, "reps", (uint64_t)p->membw_reps);
	tk_result_ref_f64(r, "bandwidth", bw / 1e9);
	tk_result_unit(r, "GB/s");
	tk_result_verify(r, ok, "every run summed the array to its known exact total");
	tk_result_time(r, (double)r->size / bw);
	r->work = (double)r->size;
	r->rate_unit = "GB/s";
	r->rate_scale = 1e9;
	return 0;
}
