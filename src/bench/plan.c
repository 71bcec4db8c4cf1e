/*
 * plan.c: bench's options and its plan: the kernels named, the worker counts, modes
 * and vector variants, and from them the configurations to run, serial first.
 *
 * Rule: every option is checked before the first run (a usage error costs nothing);
 * the plan is a list of rows in bench->cfg, each later filled by its runs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "tk/comm.h"
#include "tk/sysinfo.h"
#include "tk/tk.h"

const char *const bench_scalings[] = {"strong", "weak", NULL};

/* ---- option values ------------------------------------------------------------- */

static int parse_workers(bench *b, const char *s)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", s);
	b->nworkers = 0;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		long lo, hi;
		char *dots = strstr(tok, "..");
		if (strcmp(tok, "max") == 0) {
			lo = hi = tk_sys_cores();
		} else if (dots) {
			*dots = '\0';
			char *e1, *e2;
			lo = strtol(tok, &e1, 10);
			hi = strtol(dots + 2, &e2, 10);
			if (*e1 || *e2 || e1 == tok || e2 == dots + 2)
				lo = hi = 0;
		} else {
			char *e;
			lo = hi = strtol(tok, &e, 10);
			if (*e || e == tok)
				lo = hi = 0;
		}
		TK_REQUIRE(lo >= 1 && hi >= lo && hi <= 1024, TK_EUSAGE,
		           "bench: --workers '%s': expected counts from 1 to 1024 such as "
		           "1,2,4 or 1..8 or max",
		           s);
		for (long w = lo; w <= hi; w++) {
			TK_REQUIRE(b->nworkers < MAX_WORKERS, TK_EUSAGE,
			           "bench: --workers: at most %d worker counts", MAX_WORKERS);
			b->workers[b->nworkers++] = (int)w;
		}
	}
	TK_REQUIRE(b->nworkers > 0, TK_EUSAGE, "bench: --workers is empty");
	return 0;
}

static int parse_modes(bench *b, const char *s)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", s);
	memset(b->modes, 0, sizeof b->modes);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int m = -1;
		for (int i = 0; tk_mode_names[i]; i++)
			if (strcmp(tok, tk_mode_names[i]) == 0)
				m = i;
		TK_REQUIRE(m >= 0, TK_EUSAGE,
		           "bench: --modes: '%s' is not one of: serial, omp, mpi, hybrid", tok);
		b->modes[m] = 1;
	}
	return 0;
}

/* --simd LIST: variant names, "auto" (the best this CPU runs) or "all" (every one it
 * runs).  A name this CPU cannot run is a usage error naming what it has. Kept in
 * variant order, scalar first, so the scalar rows are the reference of the others. */
int bench_parse_simd(bench *b, const char *s)
{
	char buf[128];
	int want[TK_SIMD_NVARIANTS] = {0};
	snprintf(buf, sizeof buf, "%s", s);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "all") == 0) {
			for (int v = 0; v < TK_SIMD_NVARIANTS; v++)
				want[v] |= tk_simd_available(v);
			continue;
		}
		TK_CHECK(tk_simd_choose(tok, "bench: --simd"));
		want[tk_simd_active()] = 1;
	}
	tk_simd_choose(NULL, "TK_SIMD"); /* bench's own variant: as it was (checked) */
	b->nsimd = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++)
		if (want[v])
			b->simds[b->nsimd++] = v;
	TK_REQUIRE(b->nsimd > 0, TK_EUSAGE,
	           "bench: --simd '%s': expected variants such as scalar,avx2 or all (this CPU "
	           "has: %s)",
	           s, tk_simd_choices());
	return 0;
}

/* Expand "montecarlo" to its kernels, accept "montecarlo.pi" and plain "pi". */
int bench_resolve_kernels(bench *b, const char **names, int n, const tk_kernel **out,
                          int *nout)
{
	size_t nk;
	const tk_kernel *all = tk_kernel_list(&nk);
	*nout = 0;
	if (n == 0) { /* every kernel that has a preset (a folder of images has none) */
		for (size_t i = 0; i < nk && *nout < MAX_KERNELS; i++)
			if (all[i].bench_args)
				out[(*nout)++] = &all[i];
		return 0;
	}
	for (int j = 0; j < n; j++) {
		int found = 0;
		for (size_t i = 0; i < nk; i++) {
			char full[128];
			snprintf(full, sizeof full, "%s.%s", all[i].command, all[i].name);
			if (strcmp(names[j], all[i].command) == 0 || strcmp(names[j], full) == 0 ||
			    strcmp(names[j], all[i].name) == 0) {
				TK_REQUIRE(*nout < MAX_KERNELS, TK_EUSAGE, "bench: too many kernels");
				TK_REQUIRE(all[i].bench_args || b->args, TK_EUSAGE,
				           "bench: %s.%s has no preset input: give it with --args, "
				           "e.g. --args '--filter gaussian --input DIR --output DIR'",
				           all[i].command, all[i].name);
				out[(*nout)++] = &all[i];
				found = 1;
			}
		}
		if (!found) {
			char list[512] = "";
			for (size_t i = 0; i < nk; i++) {
				size_t len = strlen(list);
				snprintf(list + len, sizeof list - len, "%s%s.%s", i ? ", " : "",
				         all[i].command, all[i].name);
			}
			return tk_error_set(TK_EUSAGE, "bench: unknown kernel '%s' (kernels: %s)",
			                    names[j], list);
		}
	}
	return 0;
}

/* Check that PATH's directory is writable, so no run is wasted before failing. */
static int check_writable(const char *opt, const char *path)
{
	if (!path)
		return 0;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	TK_REQUIRE(access(dir[0] ? dir : "/", W_OK) == 0, TK_EIO,
	           "bench: %s %s: cannot write in '%s': %s", opt, path, dir[0] ? dir : "/",
	           strerror(errno));
	return 0;
}

/* ---- configurations ---------------------------------------------------------- */

config *bench_add_config(bench *b, const tk_kernel *k, int mode, int r, int t, int w)
{
	if (b->ncfg >= MAX_CONFIGS)
		return NULL;
	config *c = &b->cfg[b->ncfg++];
	memset(c, 0, sizeof *c);
	c->k = k;
	c->mode = mode;
	c->ranks = r;
	c->threads = t;
	c->workers = w;
	c->simd = tk_simd_active(); /* auto or TK_SIMD: the caller may choose another */
	c->oversub = w > tk_sys_cores();
	c->vec_speedup = NAN;
	c->rate = NAN;
	c->rss_max = c->rss_sum = c->busy_min = c->busy_max = NAN;
	c->ci_lo = c->ci_hi = c->ci_level = NAN;
	c->others = c->steal = c->load_before = c->load_after = NAN;
	uint64_t base = b->size_given ? b->size : k->bench_size;
	/* weak: the work, size^dims, grows as the workers; the size by w^(1/dims) */
	double grow = k->size_dims > 1 ? pow((double)w, 1.0 / k->size_dims) : (double)w;
	c->size = k->size_opt ? (b->scaling == 1 ? (k->size_dims > 1
	                                                ? (uint64_t)llround((double)base * grow)
	                                                : base * (uint64_t)w)
	                                         : base)
	                      : 0;
	return c;
}

/* One configuration per variant of --simd, side by side (scalar first). */
static void add_variants(bench *b, const tk_kernel *k, int mode, int r, int t, int w)
{
	for (int i = 0; i < b->nsimd; i++) {
		config *c = bench_add_config(b, k, mode, r, t, w);
		if (c)
			c->simd = b->simds[i];
	}
}

void bench_plan_kernel(bench *b, const tk_kernel *k)
{
	add_variants(b, k, TK_MODE_SERIAL, 1, 1, 1); /* the baseline, always */
	for (int i = 0; i < b->nworkers; i++) {
		int w = b->workers[i];
		if (b->modes[TK_MODE_OMP] && w > 1)
			add_variants(b, k, TK_MODE_OMP, 1, w, w);
		if (b->modes[TK_MODE_MPI] && b->have_mpi)
			add_variants(b, k, TK_MODE_MPI, w, 1, w);
		if (b->modes[TK_MODE_HYBRID] && b->have_mpi) {
			if (b->hybrid_r) {
				if (b->hybrid_r * b->hybrid_t == w)
					add_variants(b, k, TK_MODE_HYBRID, b->hybrid_r, b->hybrid_t, w);
				continue;
			}
			for (int r = 2; r <= w / 2; r++)
				if (w % r == 0)
					add_variants(b, k, TK_MODE_HYBRID, r, w / r, w);
		}
	}
}

/* ---- the command ------------------------------------------------------------------ */

static void default_workers(bench *b)
{
	int cores = tk_sys_cores();
	b->nworkers = 0;
	for (int w = 1; w <= cores && b->nworkers < MAX_WORKERS; w *= 2)
		b->workers[b->nworkers++] = w;
	if (b->workers[b->nworkers - 1] != cores)
		b->workers[b->nworkers++] = cores;
}

int bench_setup(bench *b, const char *workers, const char *modes, const char *hybrid)
{
	TK_REQUIRE(tk_comm_size() == 1 && !getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK"),
	           TK_EUSAGE, "bench: run toolkit bench without mpirun; it launches its own runs");
	ssize_t n = readlink("/proc/self/exe", b->exe, sizeof b->exe - 1);
	TK_REQUIRE(n > 0, TK_EINTERNAL, "bench: cannot find the toolkit binary");
	b->exe[n] = '\0';
	if (workers)
		TK_CHECK(parse_workers(b, workers));
	else
		default_workers(b);
	if (modes)
		TK_CHECK(parse_modes(b, modes));
	else
		for (int m = 0; m < TK_NMODES; m++)
			b->modes[m] = 1;
	if (hybrid) {
		char x;
		TK_REQUIRE(sscanf(hybrid, "%dx%d%c", &b->hybrid_r, &b->hybrid_t, &x) == 2 &&
		                   b->hybrid_r > 1 && b->hybrid_t > 1,
		           TK_EUSAGE, "bench: --hybrid '%s': expected RxT with R, T > 1, e.g. 2x2",
		           hybrid);
		b->modes[TK_MODE_HYBRID] = 1;
	}
	int built_mpi = strcmp(tk_comm_library(), "none") != 0;
	if (!b->launcher)
		b->launcher = getenv("SLURM_JOB_ID") && bench_in_path("srun") ? "srun" : tk_build_mpirun();
	char first[256];
	snprintf(first, sizeof first, "%s", b->launcher);
	first[strcspn(first, " \t")] = '\0';
	int have_launcher = first[0] && bench_in_path(first);
	b->lkind = have_launcher ? bench_launcher_kind(first) : L_OTHER;
	int want_mpi = b->modes[TK_MODE_MPI] || b->modes[TK_MODE_HYBRID];
	if (want_mpi && b->modes_given) {
		TK_REQUIRE(built_mpi, TK_EUSAGE,
		           "bench: modes mpi and hybrid need MPI, but this toolkit was built "
		           "without it (make MPI=1); valid modes here: serial, omp");
		TK_REQUIRE(have_launcher, TK_EUSAGE, "bench: --launcher '%s': command not found",
		           b->launcher);
	}
	b->have_mpi = built_mpi && have_launcher;
	if (want_mpi && !b->have_mpi)
		fprintf(stderr, "bench: note: mpi and hybrid modes skipped: %s\n",
		        !built_mpi ? "this toolkit was built without MPI (make MPI=1)"
		                   : "launcher not found (install Open MPI or give --launcher)");
	if (geteuid() == 0) {
		/* Open MPI refuses to run as root without these; bench's children only */
		setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
		setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
	}
	unsetenv("OMP_NUM_THREADS"); /* each run gets --threads */
	TK_CHECK(check_writable("--csv", b->csv));
	TK_CHECK(check_writable("--json", b->json));
	int cores = tk_sys_cores();
	for (int i = 0; i < b->nworkers; i++)
		if (b->workers[i] > cores) {
			fprintf(stderr,
			        "bench: warning: %d workers on %d cores: oversubscribed runs measure "
			        "time-sharing, not scaling\n",
			        b->workers[i], cores);
			break;
		}
	return 0;
}
