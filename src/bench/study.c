/*
 * study.c: the comparison study (--compare, make demo): the start cost of a thread
 * and of a process, the scaling of CPU-bound, memory-bound and I/O-bound work against
 * the read bandwidth, vector lanes, what a lock costs, and the words that say what
 * limits each kind of work, with the figures that justify them.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/bench.h"
#include "tk/omp.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"

/* ---- the comparison study (--compare, make demo) -------------------------------- */

/* Thread start cost, in-process: the first parallel region of `threads` creates the
 * team (cold), later regions reuse it (warm). */
static void thread_cost(int threads, double *cold, double *warm)
{
	double x[101];
	int ids = 0;
	/* a team of one first: the OpenMP runtime's own start-up is not a thread's cost */
	tk_thread_set(1);
#pragma omp parallel reduction(+ : ids)
	ids += tk_thread_id();
	tk_thread_set(threads);
	double t0 = tk_now();
#pragma omp parallel reduction(+ : ids)
	ids += tk_thread_id();
	*cold = tk_now() - t0;
	for (int i = 0; i < 101; i++) {
		t0 = tk_now();
#pragma omp parallel reduction(+ : ids)
		ids += tk_thread_id();
		x[i] = tk_now() - t0;
	}
	*warm = tk_median_sort(x, 101);
	(void)ids;
}

static void *noop_thread(void *arg) { return arg; }

/* A bare thread's start: pthread_create + pthread_join, median of 51. */
static double pthread_cost(void)
{
	double x[51];
	for (int i = 0; i < 51; i++) {
		pthread_t t;
		double t0 = tk_now();
		if (pthread_create(&t, NULL, noop_thread, NULL) != 0)
			return NAN;
		pthread_join(t, NULL);
		x[i] = tk_now() - t0;
	}
	return tk_median_sort(x, 51);
}

/* Run configurations [first, b->ncfg) with the table, serial first. */
int bench_run_group(bench *b, int first, const char *title)
{
	fprintf(bench_tab, "\n%s\n", title);
	bench_print_columns();
	return bench_run_rows(b, first, 0);
}

static const config *find_cfg(const bench *b, int first, int mode, int workers)
{
	/* the first match of the group's kernel: groups run in order, so a later group of
	 * the same kernel (the lock study) is never reached first */
	for (int i = first; i < b->ncfg && b->cfg[i].k == b->cfg[first].k; i++)
		if (b->cfg[i].mode == mode && b->cfg[i].workers == workers)
			return &b->cfg[i];
	return NULL;
}

/* The speedups of a group's work at w workers, and its vector lanes when measured. */
static void say_speedups(const bench *b, int first, int lanes, int nlanes, int w)
{
	const config *o = find_cfg(b, first, TK_MODE_OMP, w), *m = find_cfg(b, first, TK_MODE_MPI, w);
	const config *s = &b->cfg[first];
	char name[64];
	snprintf(name, sizeof name, "%s.%s", s->k->command, s->k->name);
	fprintf(bench_tab, "  %-18s threads %5.2fx", name, o && o->kst.n ? o->speedup : NAN);
	if (m)
		fprintf(bench_tab, ", ranks %5.2fx", m->kst.n ? m->speedup : NAN);
	if (lanes >= 0) {
		const config *best = &b->cfg[lanes];
		for (int i = lanes; i < lanes + nlanes; i++)
			if (b->cfg[i].kst.n)
				best = &b->cfg[i];
		fprintf(bench_tab, ", lanes %5.2fx (%s vs scalar, 1 thread)", best->vec_speedup,
		        tk_simd_name(best->simd));
	}
	if (o && m && o->wst.n && m->wst.n)
		fprintf(bench_tab, "   (whole process, launch included: threads %.2fx, ranks %.2fx)",
		        s->wst.median / o->wst.median, s->wst.median / m->wst.median);
	fputc('\n', bench_tab);
}

/* Section 1 of the study: only the process wall times mean something. */
static int run_start_group(bench *b, int first)
{
	fprintf(bench_tab, "\n1. Starting workers: a run of 1 sample, so its time is the start and exit\n");
	fprintf(bench_tab, "  %-7s %-7s %4s  %-36s\n", "mode", "R x T", "runs",
	        "process wall s: median [min..max]");
	TK_CHECK(bench_run_configs(b, first, b->ncfg));
	for (int j = first; j < b->ncfg; j++) {
		config *c = &b->cfg[j];
		TK_CHECK(bench_finish_config(b, c, NULL));
		char rt[16];
		snprintf(rt, sizeof rt, "%dx%d", c->ranks, c->threads);
		if (c->wst.n)
			fprintf(bench_tab, "  %-7s %-7s %4d  %.4f [%.4f..%.4f]\n", tk_mode_names[c->mode], rt,
			        c->nruns, c->wst.median, c->wst.min, c->wst.max);
		else
			fprintf(bench_tab, "  %-7s %-7s %4d  FAILED: %s\n", tk_mode_names[c->mode], rt, c->nruns,
			        c->error);
		if (c->failed || !c->verified)
			b->status = TK_EVERIFY;
	}
	return 0;
}

/* Thresholds of the study's words.  Memory-bound: the bytes a kernel reads per second
 * reach this share of the read bandwidth measured in the same study at the same
 * worker count; CPU-bound: not memory-bound, and its threads keep at least this
 * efficiency on at most one worker per core. */
#define BW_SHARE 0.60
#define CPU_EFFIC 0.75

/* Is c's rate a byte rate (the kernel reports bytes processed)? */
static int byte_rate(const config *c)
{
	return c && c->kst.n && isfinite(c->rate) && strcmp(c->rate_unit, "GB/s") == 0;
}

/* The word for the work of group g at w workers, from what the study measured, with
 * the figures that justify it; bw is the bandwidth group (or -1).  Written into out. */
static void verdict(const bench *b, int g, int bw, int w, char *out, size_t n)
{
	const config *s = &b->cfg[g], *o = find_cfg(b, g, TK_MODE_OMP, w);
	const config *b1 = bw >= 0 ? &b->cfg[bw] : NULL, *bw_w = bw >= 0 ? find_cfg(b, bw, TK_MODE_OMP, w) : NULL;
	char name[64];
	size_t len = 0;
	snprintf(name, sizeof name, "%s.%s", s->k->command, s->k->name);
#define SAY(...) (len += (size_t)snprintf(out + len, len < n ? n - len : 0, __VA_ARGS__))
	if (!s->kst.n || !o || !o->kst.n) {
		SAY("%s: not classified (a run failed)", name);
		return;
	}
	double eff = o->efficiency;
	int memw = 0;
	int cores = tk_sys_cores();
	SAY("%s: ", name);
	if (byte_rate(s) && byte_rate(o) && byte_rate(b1) && byte_rate(bw_w)) {
		double f1 = s->rate / b1->rate, fw = o->rate / bw_w->rate;
		int mem1 = f1 >= BW_SHARE;
		memw = fw >= BW_SHARE;
		SAY("1 thread %.2f GB/s = %.0f%% of the %.2f GB/s read bandwidth (%s); "
		    "%d threads %.2f GB/s = %.0f%% of %.2f GB/s",
		    s->rate, 100 * f1, b1->rate, mem1 ? "memory-bound" : "not memory-bound", w,
		    o->rate, 100 * fw, bw_w->rate);
		if (memw)
			SAY(": memory-bound at %d threads (threads %.2fx)", w, o->speedup);
		else
			SAY(", so not memory-bound; ");
	} else {
		SAY("reports no bytes read, so judged by its scaling: ");
	}
	if (memw)
		; /* said */
	else if (o->oversub)
		SAY("%d workers on %d cores is time-sharing, so scaling says nothing here", w,
		    cores);
	else if (eff >= CPU_EFFIC)
		SAY("%d threads on %d cores give %.2fx (%.0f%% efficiency): CPU-bound", w, cores,
		    o->speedup, 100 * eff);
	else
		SAY("%d threads on %d cores give only %.2fx (%.0f%% efficiency): limited by "
		    "neither bandwidth nor cores (a serial part, start cost, I/O or a lock)",
		    w, cores, o->speedup, 100 * eff);
	double busy = fmax(s->others, o->others);
	if (busy >= BUSY_SHARE)
		SAY(" [other processes took %.0f%% of the CPUs during these runs: the figures "
		    "may show the machine's load, not the work]",
		    100 * busy);
#undef SAY
}

/* Section 3: kernel k at 1 thread in every variant of the study's list. */
static int add_lanes(bench *b, const tk_kernel *k, uint64_t size, const int *vs, int nv)
{
	int first = b->ncfg;
	for (int i = 0; i < nv; i++) {
		config *c = bench_add_config(b, k, TK_MODE_SERIAL, 1, 1, 1);
		TK_REQUIRE(c, TK_EINTERNAL, "bench: too many configurations");
		c->size = size;
		c->simd = vs[i];
	}
	return first;
}

int bench_run_compare(bench *b)
{
	int cores = tk_sys_cores(), w = cores < 2 ? 2 : cores;
	if (!b->repeat)
		b->repeat = 3;
	double cold, warm;
	thread_cost(w, &cold, &warm);
	fprintf(bench_tab, "toolkit bench --compare: threads vs processes vs vector lanes on this "
	             "machine (%d cores, %d workers, vector variant %s)\n",
	        cores, w, tk_simd_name(tk_simd_active()));

	/* 1. start cost of a process, with and without the MPI launcher */
	const tk_kernel *pi = tk_kernel_find("montecarlo", "pi");
	const tk_kernel *mem = tk_kernel_find("reduce", "stats");
	const tk_kernel *bwk = tk_kernel_find("reduce", "membw");
	const tk_kernel *io = tk_kernel_find("filter", "folder");
	int g1 = b->ncfg;
	bench_add_config(b, pi, TK_MODE_SERIAL, 1, 1, 1)->size = 1;
	if (b->have_mpi) {
		bench_add_config(b, pi, TK_MODE_MPI, 1, 1, 1)->size = 1;
		bench_add_config(b, pi, TK_MODE_MPI, w, 1, w)->size = 1;
	}
	TK_CHECK(run_start_group(b, g1));

	/* 2. scaling of three kinds of work, and the read bandwidth they are judged by */
	char dir[] = "/tmp/toolkit-compare-XXXXXX";
	char folder_args[9000] = "";
	TK_REQUIRE(mkdtemp(dir), TK_EIO, "bench: mkdtemp: %s", strerror(errno));
	char in[4200], out[4200];
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	int rc = bench_make_folder(in, 24);
	if (rc == 0 && mkdir(out, 0700) != 0)
		rc = tk_error_set(TK_EIO, "bench: mkdir %s: %s", out, strerror(errno));
	if (rc) {
		bench_remove_tree(dir);
		return rc;
	}
	snprintf(folder_args, sizeof folder_args,
	         "--filter gaussian --sigma 1.5 --input %s --output %s", in, out);
	const tk_kernel *kinds[4] = {pi, mem, bwk, io};
	const uint64_t sizes[4] = {(uint64_t)1 << 27, (uint64_t)1 << 25, 0, 0};
	const char *extras[4] = {NULL, NULL, "--membw-bytes 512Mi", folder_args};
	const char *titles[4] = {
		"2a. Monte Carlo pi, 2^27 samples: montecarlo.pi",
		"2b. statistics of 2^25 doubles (256 MiB): reduce.stats",
		"2c. the read bandwidth 2b is judged by (512 MiB, best of 5): reduce.membw",
		"2d. a folder of 24 images, read, filtered and written: filter.folder"};
	int groups[4];
	for (int g = 0; g < 4 && rc == 0; g++) {
		groups[g] = b->ncfg;
		int modes[3] = {TK_MODE_SERIAL, TK_MODE_OMP, TK_MODE_MPI};
		/* the bandwidth probe's array is per rank, so its ranks rows would be another
		 * problem; the words compare threads with threads */
		int nm = b->have_mpi && kinds[g] != bwk ? 3 : 2;
		for (int m = 0; m < nm; m++) {
			int ww = modes[m] == TK_MODE_SERIAL ? 1 : w;
			config *c = bench_add_config(b, kinds[g], modes[m], modes[m] == TK_MODE_MPI ? ww : 1,
			                       modes[m] == TK_MODE_OMP ? ww : 1, ww);
			if (sizes[g])
				c->size = sizes[g];
			c->extra = extras[g];
		}
		rc = bench_run_group(b, groups[g], titles[g]);
	}
	bench_remove_tree(dir);
	TK_CHECK(rc);

	/* 3. vector lanes: the same kernels at 1 thread, scalar vs every vector variant */
	int vs[TK_SIMD_NVARIANTS], nv = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		int listed = !b->simd_given;
		for (int i = 0; i < b->nsimd; i++)
			listed |= b->simds[i] == v;
		if (tk_simd_available(v) && (listed || v == TK_SIMD_SCALAR))
			vs[nv++] = v;
	}
	int l_pi = -1, l_mem = -1;
	if (nv > 1) {
		int save = bench_lanes_col;
		bench_lanes_col = 1;
		l_pi = add_lanes(b, pi, (uint64_t)1 << 27, vs, nv);
		TK_CHECK(bench_run_group(b, l_pi, "3a. Vector lanes inside one core: montecarlo.pi, 2^27 "
		                            "samples, 1 thread (lanes = scalar time / this time)"));
		l_mem = add_lanes(b, mem, (uint64_t)1 << 25, vs, nv);
		TK_CHECK(bench_run_group(b, l_mem, "3b. Vector lanes inside one core: reduce.stats, 2^25 "
		                             "doubles, 1 thread"));
		bench_lanes_col = save;
	}

	/* 4. what a lock costs: the same reduction with private partials, atomics, a lock */
	static const char *const strategies[] = {"--strategy private", "--strategy atomic",
	                                         "--strategy critical"};
	static const char *const labels[] = {"private", "atomic", "critical"};
	int g4 = b->ncfg;
	config *c = bench_add_config(b, mem, TK_MODE_SERIAL, 1, 1, 1);
	c->size = (uint64_t)1 << 22;
	for (int i = 0; i < 3; i++) {
		c = bench_add_config(b, mem, TK_MODE_OMP, 1, w, w);
		c->size = (uint64_t)1 << 22;
		c->extra = strategies[i];
		c->label = labels[i];
	}
	bench_mode_w = 12;
	TK_CHECK(bench_run_group(b, g4, "4. Locks: reduce with per-thread partials, atomics, a "
	                          "critical section (2^22 values)"));
	char *io_words = NULL;
	size_t io_len = 0;
	FILE *io_sum = open_memstream(&io_words, &io_len);
	TK_REQUIRE(io_sum, TK_ENOMEM, "bench: out of memory");
	int io_rc = bench_run_io_study(b, io_sum);
	fclose(io_sum);
	if (io_rc < 0) {
		free(io_words);
		return io_rc;
	}
	char *net_words = NULL;
	size_t net_len = 0;
	FILE *net_sum = open_memstream(&net_words, &net_len);
	TK_REQUIRE(net_sum, TK_ENOMEM, "bench: out of memory");
	int net_rc = bench_run_net_study(b, net_sum);
	fclose(net_sum);
	if (net_rc < 0) {
		free(io_words);
		free(net_words);
		return net_rc;
	}

	fprintf(bench_tab, "\nSummary (medians of %d runs; speedup = serial kernel time / parallel)\n",
	        b->repeat);
	fprintf(bench_tab, "What does it cost to start a worker?\n");
	fprintf(bench_tab, "  a thread:  %.1f us to create and join a bare thread (median of 51);\n"
	             "             an OpenMP team of %d: %.1f us the first time, %.2f us for each "
	             "later parallel region\n",
	        pthread_cost() * 1e6, w, cold * 1e6, warm * 1e6);
	const config *s1 = &b->cfg[g1];
	fprintf(bench_tab, "  a process: %.1f ms for toolkit alone", s1->wst.median * 1e3);
	if (b->have_mpi && b->ncfg > g1 + 2 && b->cfg[g1 + 1].wst.n && b->cfg[g1 + 2].wst.n)
		fprintf(bench_tab, "; under %s: %.0f ms for 1 rank, %.0f ms for %d ranks", b->launcher,
		        b->cfg[g1 + 1].wst.median * 1e3, b->cfg[g1 + 2].wst.median * 1e3, w);
	fprintf(bench_tab, "\nHow does each kind of work scale at %d workers?\n", w);
	say_speedups(b, groups[0], l_pi, nv, w);
	say_speedups(b, groups[1], l_mem, nv, w);
	say_speedups(b, groups[3], -1, 0, w);
	if (l_pi >= 0) {
		const config *sc = &b->cfg[l_pi], *top = find_cfg(b, groups[0], TK_MODE_OMP, w);
		if (sc->kst.n && top && top->kst.n && top->simd != TK_SIMD_SCALAR)
			fprintf(bench_tab, "  all three levels: montecarlo.pi from scalar on 1 thread to %s on "
			             "%d threads: %.2fx (measured, %.4f s -> %.4f s)\n",
			        tk_simd_name(top->simd), w, sc->kst.median / top->kst.median,
			        sc->kst.median, top->kst.median);
	}
	fprintf(bench_tab, "What limits it? (from the figures: memory-bound at >= %.0f%% of the read "
	             "bandwidth measured in 2c;\n  CPU-bound when not, and %d threads keep >= "
	             "%.0f%% efficiency on %d cores)\n",
	        100 * BW_SHARE, w, 100 * CPU_EFFIC, cores);
	const int judged[3] = {groups[0], groups[1], groups[3]};
	for (int i = 0; i < 3 && b->nverdicts < 8; i++) {
		char *v = b->verdicts[b->nverdicts++];
		verdict(b, judged[i], groups[2], w, v, sizeof b->verdicts[0]);
		fprintf(bench_tab, "  %s\n", v);
	}
	double t[3];
	for (int i = 0; i < 3; i++)
		t[i] = b->cfg[g4 + 1 + i].kst.median;
	fprintf(bench_tab, "What does a lock cost? (%d threads, 2^22 values)\n", w);
	fprintf(bench_tab, "  private partials %.4f s, atomic updates %.4f s (%.1fx), a critical "
	             "section %.4f s (%.1fx)\n",
	        t[0], t[1], t[1] / t[0], t[2], t[2] / t[0]);
	fprintf(bench_tab, "  -> on this CPU %s\n",
	        t[2] / t[0] >= 10 ? "a lock in the hot loop serialises the threads: keep "
	                            "partials private and combine once"
	        : t[2] / t[0] >= 2 ? "a lock in the hot loop costs a clear factor: private "
	                             "partials pay"
	                           : "locks are cheap in this loop (other CPUs differ a lot: "
	                             "measure)");
	/* break-even of an MPI launch: the extra start cost against the time ranks save */
	const config *p1 = &b->cfg[groups[0]], *pm = find_cfg(b, groups[0], TK_MODE_MPI, w);
	if (b->have_mpi && b->ncfg > g1 + 2 && b->cfg[g1 + 2].wst.n && s1->wst.n && pm &&
	    pm->kst.n && p1->kst.n && pm->speedup > 1) {
		double extra = b->cfg[g1 + 2].wst.median - s1->wst.median;
		double per_sample = p1->kst.median / (double)p1->size;
		double n_even = extra / (per_sample * (1 - 1 / pm->speedup));
		fprintf(bench_tab, "When does an MPI launch pay off?\n  %d ranks cost %.0f ms more to start "
		             "than one process; pi runs at %.3g samples/s on 1 core and %.2fx on %d "
		             "ranks, so ranks pay off above about %.2g samples (%.2f s of serial "
		             "work)\n",
		        w, extra * 1e3, 1 / per_sample, pm->speedup, w, n_even, n_even * per_sample);
	}
	if (io_words)
		fputs(io_words, bench_tab);
	free(io_words);
	if (net_words)
		fputs(net_words, bench_tab);
	free(net_words);
	fprintf(bench_tab, "Threads share memory and start in microseconds; processes start in "
	             "milliseconds (more under a launcher) and must communicate; vector lanes "
	             "cost nothing to start but need the same operation on neighbouring data.\n");
	return 0;
}
