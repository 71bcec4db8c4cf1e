/*
 * study_io.c: the I/O part of the study (--compare 5-7): CPU-bound against
 * waiting-bound work past the core count (a URL list over a local image server), the
 * pool on skewed work (static against dynamic), and memory per mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "tk/sysinfo.h"
#include "tk/tk.h"

/* ---- the I/O study (--compare 5-7): a local image server, a URL list, skewed work ---- */

/* scripts/imgserve.py (a source tree) or PREFIX/share/toolkit/imgserve.py, or "" */
static void server_script(const bench *b, char *out, size_t n)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", b->exe);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, n, "%.4000s/scripts/imgserve.py", dir);
	if (access(out, R_OK) != 0)
		snprintf(out, n, "%.4000s/../share/toolkit/imgserve.py", dir);
	if (access(out, R_OK) != 0 || !bench_in_path("python3"))
		out[0] = '\0';
}

/* Start the local image server on root (latency s per request); its port is read from
 * a file it writes.  Returns its pid (its own process group), or -1. */
static pid_t start_server(const char *script, const char *root, double latency, int *port)
{
	char pf[4200], lat[32];
	snprintf(pf, sizeof pf, "%.4096s/port", root);
	snprintf(lat, sizeof lat, "%g", latency);
	unlink(pf);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		int dn = open("/dev/null", O_RDWR);
		if (dn >= 0) {
			dup2(dn, 1);
			dup2(dn, 2);
		}
		execlp("python3", "python3", script, "--root", root, "--latency", lat, "--lifetime",
		       "900", "--port-file", pf, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	for (int i = 0; i < 100; i++) { /* up to 10 s */
		FILE *f = fopen(pf, "r");
		if (f) {
			int ok = fscanf(f, "%d", port) == 1;
			fclose(f);
			if (ok)
				return pid;
		}
		usleep(100000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static void stop_server(pid_t pid)
{
	if (pid > 0) {
		kill(-pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

/* speedups of rows of kernel k in group g, omp (or mpi) at each worker count, as text */
static void say_curve(const bench *b, int g, int mode, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = g; i < b->ncfg && b->cfg[i].study == b->cfg[g].study; i++) {
		const config *c = &b->cfg[i];
		if (c->k != b->cfg[g].k || (c->mode != mode && c->mode != TK_MODE_SERIAL) || !c->kst.n)
			continue;
		len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%d: %.2fx", len ? ", " : "",
		                        c->workers, c->speedup);
	}
}

/* the best speedup of group g's kernel in mode, and at how many workers */
static double best_speedup(const bench *b, int g, int mode, int *at)
{
	double best = NAN;
	*at = 0;
	for (int i = g; i < b->ncfg && b->cfg[i].study == b->cfg[g].study; i++) {
		const config *c = &b->cfg[i];
		if (c->k == b->cfg[g].k && c->mode == mode && c->kst.n &&
		    !(c->speedup <= best)) {
			best = c->speedup;
			*at = c->workers;
		}
	}
	return best;
}

static const char study_crossover[] = "crossover", study_pool[] = "pool",
                  study_memory[] = "memory";

/* 5: CPU-bound pi and a URL list over the local server at 1..16 threads (and ranks);
 * 6: a skewed folder, static vs dynamic; 7: one large image, threads vs ranks.
 * Prints its summary lines into sum (a memory stream). */
int bench_run_io_study(bench *b, FILE *sum)
{
	int cores = tk_sys_cores(), rc = 0;
	const tk_kernel *pi = tk_kernel_find("montecarlo", "pi");
	const tk_kernel *list = tk_kernel_find("filter", "list");
	const tk_kernel *folder = tk_kernel_find("filter", "folder");
	const tk_kernel *image = tk_kernel_find("filter", "image");
	char script[4200], dir[] = "/tmp/toolkit-io-XXXXXX";
	server_script(b, script, sizeof script);
	TK_REQUIRE(mkdtemp(dir), TK_EIO, "bench: mkdtemp: %s", strerror(errno));
	static char list_args[9000], skew_static[9000], skew_dynamic[9000];
	char path[4400], imgs[4200], skew[4200];
	snprintf(imgs, sizeof imgs, "%s/imgs", dir);
	snprintf(skew, sizeof skew, "%s/skew", dir);
	rc = mkdir(imgs, 0700) || mkdir(skew, 0700)
	             ? tk_error_set(TK_EIO, "bench: mkdir in %s: %s", dir, strerror(errno))
	             : 0;
	const int nurl = 48;
	for (int i = 0; i < nurl && rc == 0; i++) {
		snprintf(path, sizeof path, "%s/u%02d.pgm", imgs, i);
		rc = bench_write_pgm(path, 400, 300, (uint32_t)i);
	}
	/* skewed: 4 large images first, then 28 small ones; static blocks give the first
	 * worker all the large ones */
	for (int i = 0; i < 32 && rc == 0; i++) {
		snprintf(path, sizeof path, "%s/%s%02d.pgm", skew, i < 4 ? "a" : "b", i);
		rc = i < 4 ? bench_write_pgm(path, 4000, 3000, (uint32_t)i)
		           : bench_write_pgm(path, 320, 240, (uint32_t)i);
	}
	int port = 0;
	pid_t server = -1;
	const double latency = 0.020;
	if (rc == 0 && script[0])
		server = start_server(script, imgs, latency, &port);
	if (rc == 0 && server > 0) {
		snprintf(path, sizeof path, "%s/urls.txt", dir);
		FILE *f = fopen(path, "w");
		for (int i = 0; f && i < nurl; i++)
			fprintf(f, "http://127.0.0.1:%d/u%02d.pgm\n", port, i);
		rc = f && fclose(f) == 0 ? 0 : tk_error_set(TK_EIO, "bench: cannot write %s", path);
		snprintf(list_args, sizeof list_args, "--filter gaussian --sigma 1.5 --input %s", path);
	}
	static const int ws[] = {1, 2, 4, 8, 16};
	int g5 = b->ncfg, g5l = -1;
	for (int i = 0; i < 5 && rc == 0; i++) {
		config *c = bench_add_config(b, pi, ws[i] == 1 ? TK_MODE_SERIAL : TK_MODE_OMP, 1, ws[i], ws[i]);
		c->size = (uint64_t)1 << 26;
		c->study = study_crossover;
	}
	if (rc == 0)
		rc = bench_run_group(b, g5, "5a. CPU-bound: montecarlo.pi, 2^26 samples, 1 to 16 threads");
	if (rc == 0 && server > 0) {
		g5l = b->ncfg;
		for (int i = 0; i < 5; i++) {
			config *c = bench_add_config(b, list, ws[i] == 1 ? TK_MODE_SERIAL : TK_MODE_OMP, 1, ws[i], ws[i]);
			c->extra = list_args;
			c->study = study_crossover;
		}
		for (int r = 2; b->have_mpi && r <= 4; r *= 2) {
			config *c = bench_add_config(b, list, TK_MODE_MPI, r, 1, r);
			c->extra = list_args;
			c->study = study_crossover;
		}
		char title[200];
		snprintf(title, sizeof title, "5b. Waiting-bound: filter.list, %d images of 400x300 "
		                              "fetched from the local server (%.0f ms a request)",
		         nurl, latency * 1e3);
		rc = bench_run_group(b, g5l, title);
	} else if (rc == 0) {
		fprintf(bench_tab, "\n5b. skipped: the local image server needs python3 and "
		             "scripts/imgserve.py\n");
	}
	stop_server(server);
	/* 6. the pool lesson */
	int g6 = b->ncfg;
	snprintf(skew_static, sizeof skew_static, "--filter gaussian --sigma 1.5 --input %s "
	                                          "--schedule static", skew);
	snprintf(skew_dynamic, sizeof skew_dynamic, "--filter gaussian --sigma 1.5 --input %s "
	                                            "--schedule dynamic", skew);
	int w = cores < 2 ? 2 : cores;
	if (rc == 0) {
		config *c = bench_add_config(b, folder, TK_MODE_SERIAL, 1, 1, 1);
		c->extra = skew_dynamic;
		c->study = study_pool;
		c = bench_add_config(b, folder, TK_MODE_OMP, 1, w, w);
		c->extra = skew_static;
		c->label = "static";
		c->study = study_pool;
		c = bench_add_config(b, folder, TK_MODE_OMP, 1, w, w);
		c->extra = skew_dynamic;
		c->label = "dynamic";
		c->study = study_pool;
		rc = bench_run_group(b, g6, "6. The pool: a folder of 4 large (4000x3000) and 28 small "
		                      "images, dealt out in advance (static) or from a queue "
		                      "(dynamic)");
	}
	/* 7. memory per mode: one large image, threads vs ranks */
	int g7 = b->ncfg;
	if (rc == 0) {
		config *c = bench_add_config(b, image, TK_MODE_SERIAL, 1, 1, 1); /* the baseline of the rows */
		c->study = study_memory;
		c = bench_add_config(b, image, TK_MODE_OMP, 1, 2, 2);
		c->study = study_memory;
		if (b->have_mpi) {
			c = bench_add_config(b, image, TK_MODE_MPI, 2, 1, 2);
			c->study = study_memory;
		}
		rc = bench_run_group(b, g7, "7. Memory: filter.image on one 7680x4320 image, 1x1, 1x2 "
		                      "threads vs 2x1 ranks (mem MiB: peak resident, summed over ranks)");
	}
	bench_remove_tree(dir);
	TK_CHECK(rc);

	/* the words */
	char curve[400];
	int at;
	fprintf(sum, "Threads past the core count: CPU-bound vs waiting-bound (%d cores)\n", cores);
	say_curve(b, g5, TK_MODE_OMP, curve, sizeof curve);
	double best = best_speedup(b, g5, TK_MODE_OMP, &at);
	const config *pi16 = &b->cfg[g5 + 4], *pi2 = &b->cfg[g5 + 1];
	fprintf(sum, "  montecarlo.pi: threads %s\n", curve);
	if (pi16->kst.n && pi2->kst.n)
		fprintf(sum, "    -> best %.2fx at %d threads; 16 threads give %.2fx against %.2fx at "
		             "2: %s\n",
		        best, at, pi16->speedup, pi2->speedup,
		        pi16->speedup <= pi2->speedup * 1.10
		            ? "no gain past the cores: 4 or more workers on 2 cores is time-sharing"
		            : "still gaining past the cores (not CPU-bound here?)");
	if (g5l >= 0) {
		say_curve(b, g5l, TK_MODE_OMP, curve, sizeof curve);
		best = best_speedup(b, g5l, TK_MODE_OMP, &at);
		fprintf(sum, "  filter.list over the local server: threads %s\n", curve);
		fprintf(sum, "    -> best %.2fx at %d threads on %d cores: %s\n", best, at, cores,
		        best > 1.25 * cores
		            ? "keeps gaining past the core count: waiting-bound (a waiting thread "
		              "costs no core)"
		            : "does not gain past the core count: not waiting-bound here");
		say_curve(b, g5l, TK_MODE_MPI, curve, sizeof curve);
		const config *s = &b->cfg[g5l];
		const config *r4 = NULL, *t4 = NULL;
		for (int i = g5l; i < b->ncfg; i++) {
			if (b->cfg[i].mode == TK_MODE_MPI && b->cfg[i].workers == 4)
				r4 = &b->cfg[i];
			if (b->cfg[i].mode == TK_MODE_OMP && b->cfg[i].workers == 4)
				t4 = &b->cfg[i];
		}
		if (r4 && t4 && r4->kst.n && t4->kst.n && s->wst.n)
			fprintf(sum, "    ranks gain too: 4 ranks %.2fx (4 threads %.2fx), at a higher "
			             "start cost: whole process %.3f s with 4 ranks, %.3f s with 4 "
			             "threads\n",
			        r4->speedup, t4->speedup, r4->wst.median, t4->wst.median);
	}
	const config *st = &b->cfg[g6 + 1], *dy = &b->cfg[g6 + 2];
	if (st->kst.n && dy->kst.n) {
		fprintf(sum, "The pool lesson (skewed work, %d workers):\n", w);
		fprintf(sum, "  static:  %.3f s; its workers were busy %.3f s and %.3f s: one idle "
		             "%.0f%% of the run\n",
		        st->kst.median, st->busy_max, st->busy_min,
		        st->busy_max > 0 ? 100 * (1 - st->busy_min / st->busy_max) : NAN);
		fprintf(sum, "  dynamic: %.3f s; busy %.3f s and %.3f s (%.0f%% idle): %.2fx faster "
		             "than static%s\n",
		        dy->kst.median, dy->busy_max, dy->busy_min,
		        dy->busy_max > 0 ? 100 * (1 - dy->busy_min / dy->busy_max) : NAN,
		        st->kst.median / dy->kst.median,
		        !strcmp(st->digest, dy->digest) ? "; same digest" : "; DIGESTS DIFFER");
	}
	const config *m1 = &b->cfg[g7 + 1], *m2 = b->ncfg > g7 + 2 ? &b->cfg[g7 + 2] : NULL;
	if (m1->kst.n && isfinite(m1->rss_sum)) {
		fprintf(sum, "Memory for the same job (one 7680x4320 image):\n  1 rank x 2 threads: "
		             "%.0f MiB",
		        m1->rss_sum / 1048576.0);
		if (m2 && m2->kst.n && isfinite(m2->rss_sum))
			fprintf(sum, "; 2 ranks x 1 thread: %.0f MiB in all (largest rank %.0f MiB): "
			             "threads share memory, ranks use %.2fx as much",
			        m2->rss_sum / 1048576.0, m2->rss_max / 1048576.0,
			        m2->rss_sum / m1->rss_sum);
		fputc('\n', sum);
	}
	return 0;
}
