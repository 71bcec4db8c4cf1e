/*
 * cmd_bench.c: `toolkit bench`, the driver that compares modes and worker counts.
 *
 * Rule: every configuration runs as its own process (`[launcher -np R] toolkit KERNEL
 * --threads T --format json`), so the launch cost is measured as well as the kernel;
 * each is repeated (hyperfine's minimums: at least 5 runs and 1 s), every run must
 * verify and print the serial run's digest, and a run that fails, times out or
 * disagrees is shown as such and makes bench exit non-zero.  Bench never hangs: each
 * run has a timeout and is killed with its whole process group when it passes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/kernel.h"
#include "tk/omp.h"
#include "tk/stats.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"
#include "tk/tmpfile.h"

#define MAX_KERNELS 32
#define MAX_WORKERS 64
#define MAX_RUNS 100
#define MAX_CONFIGS 512
#define MAX_ARGS 96

static const char *const mode_names[] = {"serial", "omp", "mpi", "hybrid", NULL};
enum { M_SERIAL, M_OMP, M_MPI, M_HYBRID, M_COUNT };
static const char *const scalings[] = {"strong", "weak", NULL};

typedef struct run_out {
	int rc;          /* exit status, or -1 when killed */
	int timed_out;
	int verified;
	double kernel_s, wall_s;
	char digest[24];
	char err[200];   /* first line of stderr, for the report */
} run_out;

typedef struct config {
	const tk_kernel *k;
	int mode, ranks, threads, workers;
	uint64_t size;
	const char *extra; /* options for this configuration only (e.g. --strategy atomic) */
	const char *label; /* shown after the mode when set (e.g. "atomic") */
	run_out runs[MAX_RUNS];
	int nruns, failed, verified, identical;
	tk_stats kst, wst;
	double speedup, efficiency, karp_flatt;
	char digest[24];
	char error[240];
} config;

typedef struct bench {
	const char *kernels[MAX_KERNELS];
	int nkernels;
	int workers[MAX_WORKERS], nworkers;
	int modes[M_COUNT];
	int modes_given, scaling, repeat, warmup, compare;
	int hybrid_r, hybrid_t;
	uint64_t size;
	int size_given;
	double timeout;
	const char *launcher, *csv, *json, *plot, *args;
	char exe[4096];
	int have_mpi;
	config *cfg;
	int ncfg;
	int status;
} bench;

static void summarise(bench *b, int first, int last);

/* width of the table's mode column: wider when rows carry a label (omp/critical) */
static int mode_w = 7;

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
		for (int i = 0; mode_names[i]; i++)
			if (strcmp(tok, mode_names[i]) == 0)
				m = i;
		TK_REQUIRE(m >= 0, TK_EUSAGE,
		           "bench: --modes: '%s' is not one of: serial, omp, mpi, hybrid", tok);
		b->modes[m] = 1;
	}
	return 0;
}

/* Expand "montecarlo" to its kernels, accept "montecarlo.pi" and plain "pi". */
static int resolve_kernels(bench *b, const char **names, int n, const tk_kernel **out,
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

static int in_path(const char *cmd)
{
	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		return 0;
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		char full[4200];
		snprintf(full, sizeof full, "%s/%s", *dir ? dir : ".", cmd);
		if (access(full, X_OK) == 0)
			return 1;
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

/* ---- one run --------------------------------------------------------------------- */

static double json_num(const char *s, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(s, pat);
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static void json_str(const char *s, const char *key, char *out, size_t n)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	const char *p = strstr(s, pat);
	out[0] = '\0';
	if (!p)
		return;
	p += strlen(pat);
	size_t len = strcspn(p, "\"");
	snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), p);
}

/* Run argv with a timeout; stdout and stderr are captured.  Returns 0 when the run
 * could be started (its outcome is in o), TK_EINTERNAL when fork or pipe failed. */
static int spawn_run(char *const argv[], double timeout, run_out *o)
{
	int out[2], err[2];
	memset(o, 0, sizeof *o);
	o->kernel_s = NAN;
	if (pipe(out) != 0 || pipe(err) != 0)
		return tk_error_set(TK_EINTERNAL, "bench: pipe: %s", strerror(errno));
	fflush(NULL);
	double t0 = tk_now();
	/* SIGINT/SIGTERM held until the child's group is known, so they reach it */
	sigset_t hold, old;
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigprocmask(SIG_BLOCK, &hold, &old);
	pid_t pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return tk_error_set(TK_EINTERNAL, "bench: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		setpgid(0, 0); /* its own group, so a timeout kills launcher and ranks alike */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		close(out[1]);
		close(err[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	tk_signals_child(pid); /* SIGINT/SIGTERM to bench are passed on to the run */
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(out[1]);
	close(err[1]);
	static char obuf[1 << 16], ebuf[4096];
	size_t olen = 0, elen = 0;
	struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		double left = timeout - (tk_now() - t0);
		if (left <= 0) {
			o->timed_out = 1;
			kill(-pid, SIGKILL);
			break;
		}
		int r = poll(fds, 2, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char *buf = i ? ebuf : obuf;
			size_t *len = i ? &elen : &olen, cap = i ? sizeof ebuf : sizeof obuf;
			char tmp[4096];
			ssize_t got = read(fds[i].fd, tmp, sizeof tmp);
			if (got <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			size_t room = cap - 1 - *len, take = (size_t)got < room ? (size_t)got : room;
			memcpy(buf + *len, tmp, take);
			*len += take;
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	int status = 0;
	waitpid(pid, &status, 0);
	kill(-pid, SIGKILL); /* leftovers of the group, if any (none normally) */
	tk_signals_child(0);
	o->wall_s = tk_now() - t0;
	obuf[olen] = '\0';
	ebuf[elen] = '\0';
	o->rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	const char *line = strstr(obuf, "{\"schema\":\"toolkit.run/1\"");
	if (line) {
		o->kernel_s = json_num(line, "kernel_s");
		o->verified = strstr(line, "\"verified\":true") != NULL;
		json_str(line, "digest", o->digest, sizeof o->digest);
	}
	const char *e = strstr(ebuf, "error:");
	e = e ? e + 7 : ebuf;
	snprintf(o->err, sizeof o->err, "%.*s", (int)strcspn(e, "\n"), e);
	return 0;
}

static int split_words(char *s, char **out, int max)
{
	int n = 0;
	for (char *save = NULL, *w = strtok_r(s, " \t", &save); w && n < max;
	     w = strtok_r(NULL, " \t", &save))
		out[n++] = w;
	return n;
}

/* Build the command line of a configuration into argv (strings in store). */
static void build_argv(const bench *b, const config *c, char **argv, char *store, size_t cap)
{
	int n = 0;
	size_t used = 0;
#define ADD(str)                                                                          \
	do {                                                                              \
		int len_ = snprintf(store + used, cap - used, "%s", (str));               \
		argv[n++] = store + used;                                                 \
		used += (size_t)len_ + 1;                                                 \
	} while (0)
	char num[32];
	if (c->mode == M_MPI || c->mode == M_HYBRID) {
		char lb[512];
		char *w[32];
		snprintf(lb, sizeof lb, "%s", b->launcher);
		int nw = split_words(lb, w, 32);
		for (int i = 0; i < nw; i++)
			ADD(w[i]);
		const char *base = strrchr(w[0], '/') ? strrchr(w[0], '/') + 1 : w[0];
		if (strcmp(base, "srun") == 0) {
			snprintf(num, sizeof num, "-n%d", c->ranks);
			ADD(num);
			snprintf(num, sizeof num, "--cpus-per-task=%d", c->threads);
			ADD(num);
		} else {
			ADD("-np");
			snprintf(num, sizeof num, "%d", c->ranks);
			ADD(num);
			if (strcmp(base, "mpirun") == 0 || strcmp(base, "mpiexec") == 0) {
				if (c->ranks > tk_sys_cores())
					ADD("--oversubscribe");
				if (!strstr(b->launcher, "--bind-to") && !strstr(b->launcher, "--map-by")) {
					ADD("--bind-to");
					ADD("none");
				}
			}
		}
	}
	ADD(b->exe);
	ADD(c->k->command);
	char args[512];
	char *w[48];
	snprintf(args, sizeof args, "%s", c->k->bench_args ? c->k->bench_args : "");
	int nw = split_words(args, w, 48);
	for (int i = 0; i < nw; i++)
		ADD(w[i]);
	if (c->k->size_opt && c->size) {
		char opt[64];
		snprintf(opt, sizeof opt, "--%s", c->k->size_opt);
		ADD(opt);
		snprintf(num, sizeof num, "%llu", (unsigned long long)c->size);
		ADD(num);
	}
	ADD("--threads");
	snprintf(num, sizeof num, "%d", c->threads);
	ADD(num);
	ADD("--format");
	ADD("json");
	ADD("--quiet");
	const char *more[2] = {b->args, c->extra};
	for (int m = 0; m < 2; m++) {
		if (!more[m])
			continue;
		snprintf(args, sizeof args, "%s", more[m]);
		nw = split_words(args, w, 48);
		for (int i = 0; i < nw && n < MAX_ARGS - 1; i++)
			ADD(w[i]);
	}
	argv[n] = NULL;
#undef ADD
}

static void command_line(char *const *argv, char *out, size_t n)
{
	out[0] = '\0';
	for (int i = 0; argv[i]; i++) {
		size_t len = strlen(out);
		snprintf(out + len, n - len, "%s%s", i ? " " : "", argv[i]);
	}
}

/* Run one configuration: warm-ups, then repeats (at least 5 runs and 1 s unless
 * --repeat says otherwise), stopping early when a run fails. */
static int run_config(const bench *b, config *c, const char *serial_digest)
{
	char *argv[MAX_ARGS];
	static char store[16384];
	build_argv(b, c, argv, store, sizeof store);
	run_out tmp;
	for (int i = 0; i < b->warmup; i++) {
		TK_CHECK(spawn_run(argv, b->timeout, &tmp));
		if (tmp.rc != 0 || tmp.timed_out) {
			c->runs[0] = tmp;
			c->nruns = 1;
			break;
		}
	}
	double spent = 0;
	while (c->nruns == 0 || (c->runs[c->nruns - 1].rc == 0 && !c->runs[c->nruns - 1].timed_out)) {
		if (b->repeat > 0 ? c->nruns >= b->repeat
		                  : (c->nruns >= 5 && spent >= 1.0) || c->nruns >= 50)
			break;
		if (c->nruns >= MAX_RUNS)
			break;
		TK_CHECK(spawn_run(argv, b->timeout, &c->runs[c->nruns]));
		spent += c->runs[c->nruns].wall_s;
		c->nruns++;
	}
	double ks[MAX_RUNS], ws[MAX_RUNS];
	int nk = 0;
	c->verified = 1;
	c->identical = 1;
	snprintf(c->digest, sizeof c->digest, "%s", c->runs[0].digest);
	for (int i = 0; i < c->nruns; i++) {
		run_out *o = &c->runs[i];
		int bad = o->rc != 0 || o->timed_out || isnan(o->kernel_s);
		if (bad) {
			c->failed++;
			if (!c->error[0]) {
				char cl[1024];
				command_line(argv, cl, sizeof cl);
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
	}
	tk_stats_of(ks, (size_t)nk, &c->kst);
	tk_stats_of(ws, (size_t)nk, &c->wst);
	return 0;
}

/* ---- configurations ---------------------------------------------------------- */

static config *add_config(bench *b, const tk_kernel *k, int mode, int r, int t, int w)
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
	uint64_t base = b->size_given ? b->size : k->bench_size;
	c->size = k->size_opt ? (b->scaling == 1 ? base * (uint64_t)w : base) : 0;
	return c;
}

static void plan_kernel(bench *b, const tk_kernel *k)
{
	add_config(b, k, M_SERIAL, 1, 1, 1); /* the baseline, always */
	for (int i = 0; i < b->nworkers; i++) {
		int w = b->workers[i];
		if (b->modes[M_OMP] && w > 1)
			add_config(b, k, M_OMP, 1, w, w);
		if (b->modes[M_MPI] && b->have_mpi)
			add_config(b, k, M_MPI, w, 1, w);
		if (b->modes[M_HYBRID] && b->have_mpi) {
			if (b->hybrid_r) {
				if (b->hybrid_r * b->hybrid_t == w)
					add_config(b, k, M_HYBRID, b->hybrid_r, b->hybrid_t, w);
				continue;
			}
			for (int r = 2; r <= w / 2; r++)
				if (w % r == 0)
					add_config(b, k, M_HYBRID, r, w / r, w);
		}
	}
}

/* ---- output ---------------------------------------------------------------------- */

static void print_header(const bench *b, const tk_kernel *k)
{
	uint64_t base = b->size_given ? b->size : k->bench_size;
	printf("\n%s.%s: %s%s", k->command, k->name, k->bench_args ? k->bench_args : "",
	       k->size_opt ? "" : "");
	if (k->size_opt)
		printf(" --%s %llu%s", k->size_opt, (unsigned long long)base,
		       b->scaling == 1 ? " x workers (weak scaling)" : "");
	printf("%s\n", b->scaling == 1 ? "" : " (strong scaling)");
	printf("  %-*s %-7s %4s  %-30s %9s %9s %9s %8s %7s %7s %4s %-4s %-4s\n", mode_w, "mode", "R x T",
	       "runs", "kernel s: median [min..max]", "sd s", "wall s", "launch s", "speedup",
	       "effic", "serial", "out", "ver", "same");
}

static void print_config(const config *c)
{
	char rt[16], kern[64], mode[32];
	snprintf(rt, sizeof rt, "%dx%d", c->ranks, c->threads);
	snprintf(mode, sizeof mode, "%s%s%s", mode_names[c->mode], c->label ? "/" : "",
	         c->label ? c->label : "");
	if (c->kst.n == 0) {
		printf("  %-*s %-7s %4d  FAILED: %s\n", mode_w, mode, rt, c->nruns, c->error);
		return;
	}
	snprintf(kern, sizeof kern, "%.4f [%.4f..%.4f]", c->kst.median, c->kst.min, c->kst.max);
	char kf[16];
	if (isnan(c->karp_flatt))
		snprintf(kf, sizeof kf, "-");
	else
		snprintf(kf, sizeof kf, "%.3f", c->karp_flatt);
	printf("  %-*s %-7s %4d  %-30s %9.4f %9.4f %9.4f %7.2fx %6.0f%% %7s %4zu %-4s %-4s\n",
	       mode_w, mode, rt, c->nruns, kern, c->kst.sd, c->wst.median,
	       c->wst.median - c->kst.median, c->speedup, 100 * c->efficiency, kf,
	       c->kst.outliers, c->verified ? "yes" : "NO", c->identical ? "yes" : "NO");
	if (c->failed)
		printf("  %-*s %-7s       %d of %d runs FAILED: %s\n", mode_w, "", "", c->failed, c->nruns,
		       c->error);
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.9g", v);
	else
		fputs(",", f);
}

/* Output files are written beside the target and renamed when complete, so a failed
 * or interrupted bench never leaves a half-written CSV or JSON. */
static FILE *open_atomic(const char *path, char **tmp)
{
	int fd = tk_tmp_open("bench", path, 0666, tmp);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		tk_error_set(TK_EIO, "bench: cannot write %s: %s", path, strerror(errno));
		close(fd);
		tk_tmp_discard(*tmp);
	}
	return f;
}

static int commit_atomic(FILE *f, char *tmp, const char *path)
{
	int bad = ferror(f);
	bad |= fclose(f) != 0;
	if (bad) {
		int e = errno;
		tk_tmp_discard(tmp);
		return tk_error_set(TK_EIO, "bench: cannot write %s: %s", path, strerror(e));
	}
	return tk_tmp_commit("bench", tmp, path);
}

static int write_csv(const bench *b, const char *path)
{
	char *tmp;
	FILE *f = open_atomic(path, &tmp);
	if (!f)
		return TK_EIO;
	fputs("kernel,mode,workers,ranks,threads,size,runs,failed,verified,identical,"
	      "kernel_median_s,kernel_min_s,kernel_max_s,kernel_sd_s,wall_median_s,launch_s,"
	      "speedup,efficiency,karp_flatt,outliers,digest\n",
	      f);
	for (int i = 0; i < b->ncfg; i++) {
		const config *c = &b->cfg[i];
		fprintf(f, "%s.%s,%s,%d,%d,%d,%llu,%d,%d,%s,%s", c->k->command, c->k->name,
		        mode_names[c->mode], c->workers, c->ranks, c->threads,
		        (unsigned long long)c->size, c->nruns, c->failed,
		        c->verified ? "yes" : "no", c->identical ? "yes" : "no");
		csv_num(f, c->kst.median);
		csv_num(f, c->kst.min);
		csv_num(f, c->kst.max);
		csv_num(f, c->kst.sd);
		csv_num(f, c->wst.median);
		csv_num(f, c->wst.median - c->kst.median);
		csv_num(f, c->speedup);
		csv_num(f, c->efficiency);
		csv_num(f, c->karp_flatt);
		fprintf(f, ",%zu,%s\n", c->kst.outliers, c->digest);
	}
	return commit_atomic(f, tmp, path);
}

static void json_kv_num(FILE *f, const char *key, double v, int comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("null", f);
}

static void json_machine(FILE *f)
{
	fputs("\"machine\":{\"host\":", f);
	tk_json_string(f, tk_sys_host());
	fputs(",\"cpu\":", f);
	tk_json_string(f, tk_sys_cpu_model());
	fprintf(f, ",\"cores\":%d,\"l1d_bytes\":%llu,"
	           "\"l2_bytes\":%llu,\"l3_bytes\":%llu,\"memory_bytes\":%llu},",
	        tk_sys_cores(),
	        (unsigned long long)tk_sys_cache(1), (unsigned long long)tk_sys_cache(2),
	        (unsigned long long)tk_sys_cache(3), (unsigned long long)tk_sys_memory());
	fprintf(f, "\"provenance\":{\"version\":\"%s\",\"compiler\":\"%s\",\"cflags\":\"%s\","
	           "\"mpi\":\"%s\",\"openmp\":\"%s\"},",
	        TK_VERSION, tk_build_compiler(), tk_build_flags(), tk_comm_library(),
	        tk_omp_version());
}

static int write_json(const bench *b, const char *path)
{
	char *tmp;
	FILE *f = open_atomic(path, &tmp);
	if (!f)
		return TK_EIO;
	fprintf(f, "{\"schema\":\"toolkit.bench/1\",\"scaling\":\"%s\",", scalings[b->scaling]);
	json_machine(f);
	fputs("\"configs\":[", f);
	for (int i = 0; i < b->ncfg; i++) {
		const config *c = &b->cfg[i];
		fprintf(f, "%s{\"kernel\":\"%s.%s\",\"mode\":\"%s\",\"workers\":%d,\"ranks\":%d,"
		           "\"threads\":%d,\"size\":%llu,\"runs\":%d,\"failed\":%d,"
		           "\"verified\":%s,\"identical\":%s",
		        i ? "," : "", c->k->command, c->k->name, mode_names[c->mode], c->workers,
		        c->ranks, c->threads, (unsigned long long)c->size, c->nruns, c->failed,
		        c->verified ? "true" : "false", c->identical ? "true" : "false");
		json_kv_num(f, "kernel_median_s", c->kst.median, 1);
		json_kv_num(f, "kernel_min_s", c->kst.min, 1);
		json_kv_num(f, "kernel_max_s", c->kst.max, 1);
		json_kv_num(f, "kernel_sd_s", c->kst.sd, 1);
		json_kv_num(f, "wall_median_s", c->wst.median, 1);
		json_kv_num(f, "launch_s", c->wst.median - c->kst.median, 1);
		json_kv_num(f, "speedup", c->speedup, 1);
		json_kv_num(f, "efficiency", c->efficiency, 1);
		json_kv_num(f, "karp_flatt", c->karp_flatt, 1);
		fprintf(f, ",\"outliers\":%zu,\"digest\":\"%s\",\"error\":", c->kst.outliers,
		        c->digest);
		tk_json_string(f, c->error);
		fputs(",\"runs_detail\":[", f);
		for (int j = 0; j < c->nruns; j++) {
			const run_out *o = &c->runs[j];
			fprintf(f, "%s{\"rc\":%d,\"timed_out\":%s,\"verified\":%s,\"digest\":\"%s\"",
			        j ? "," : "", o->rc, o->timed_out ? "true" : "false",
			        o->verified ? "true" : "false", o->digest);
			json_kv_num(f, "kernel_s", o->kernel_s, 1);
			json_kv_num(f, "wall_s", o->wall_s, 1);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
	return commit_atomic(f, tmp, path);
}

/* scripts/plot beside the binary (a source tree), or PREFIX/share/toolkit/plot beside
 * an installed PREFIX/bin/toolkit (make install puts it there) */
static int run_plot(const bench *b, const char *csv, const char *dir)
{
	char script[4200], exe_dir[4096];
	snprintf(exe_dir, sizeof exe_dir, "%s", b->exe);
	char *slash = strrchr(exe_dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(script, sizeof script, "%s/scripts/plot", exe_dir);
	if (access(script, X_OK) != 0)
		snprintf(script, sizeof script, "%s/../share/toolkit/plot", exe_dir);
	TK_REQUIRE(access(script, X_OK) == 0, TK_EIO,
	           "bench: --plot: scripts/plot not found beside %s", b->exe);
	mkdir(dir, 0777);
	char *argv[] = {script, (char *)csv, (char *)dir, NULL};
	run_out o;
	TK_CHECK(spawn_run(argv, 120, &o));
	TK_REQUIRE(o.rc == 0, TK_EIO, "bench: --plot: %s", o.err[0] ? o.err : "plotting failed");
	printf("plots written to %s/\n", dir);
	return 0;
}


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

/* A folder of n gray PGM images of mixed sizes (a textured pattern), for the I/O-heavy
 * part of the study. */
static int make_folder(const char *dir, int n)
{
	TK_REQUIRE(mkdir(dir, 0700) == 0 || errno == EEXIST, TK_EIO, "bench: mkdir %s: %s", dir,
	           strerror(errno));
	uint32_t x = 12345;
	for (int i = 0; i < n; i++) {
		int w = 640 + 320 * (i % 5), h = 480 + 240 * (i % 3);
		char path[4400];
		snprintf(path, sizeof path, "%.4096s/img%03d.pgm", dir, i);
		FILE *f = fopen(path, "wb");
		TK_REQUIRE(f, TK_EIO, "bench: cannot write %s: %s", path, strerror(errno));
		fprintf(f, "P5\n%d %d\n255\n", w, h);
		for (int r = 0; r < h; r++)
			for (int c = 0; c < w; c++) {
				x = x * 1664525u + 1013904223u;
				fputc((int)(((r ^ c) & 0xff) / 2 + (x >> 26)), f);
			}
		TK_REQUIRE(fclose(f) == 0, TK_EIO, "bench: cannot write %s", path);
	}
	return 0;
}

static void remove_tree(const char *dir)
{
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
}

/* Run configurations [first, b->ncfg) with the table, serial first. */
static int run_group(bench *b, int first, const char *title)
{
	printf("\n%s\n", title);
	printf("  %-*s %-7s %4s  %-30s %9s %9s %9s %8s %7s %7s %4s %-4s %-4s\n", mode_w, "mode",
	       "R x T", "runs", "kernel s: median [min..max]", "sd s", "wall s", "launch s",
	       "speedup", "effic", "serial", "out", "ver", "same");
	for (int j = first; j < b->ncfg; j++) {
		config *c = &b->cfg[j];
		/* the same problem must give the serial run's bits: a different strategy
		 * (label) is still the same problem */
		int same_size = c->size == b->cfg[first].size &&
		                (c->label || c->extra == b->cfg[first].extra);
		TK_CHECK(run_config(b, c, j == first || !same_size ? NULL : b->cfg[first].digest));
		summarise(b, first, j + 1);
		print_config(c);
		fflush(stdout);
		if (c->failed || !c->verified || !c->identical)
			b->status = TK_EVERIFY;
	}
	return 0;
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

static void say_speedups(const bench *b, int first, int w, const char *what)
{
	const config *o = find_cfg(b, first, M_OMP, w), *m = find_cfg(b, first, M_MPI, w);
	const config *s = &b->cfg[first];
	char name[64];
	snprintf(name, sizeof name, "%s.%s", s->k->command, s->k->name);
	printf("  %-13s %-18s threads %5.2fx", what, name, o && o->kst.n ? o->speedup : NAN);
	if (m)
		printf(", ranks %5.2fx", m->kst.n ? m->speedup : NAN);
	if (o && m && o->wst.n && m->wst.n)
		printf("   (whole process, launch included: %.2fx / %.2fx)",
		       s->wst.median / o->wst.median, s->wst.median / m->wst.median);
	putchar('\n');
}

/* Section 1 of the study: only the process wall times mean something. */
static int run_start_group(bench *b, int first)
{
	printf("\n1. Starting workers: a run of 1 sample, so its time is the start and exit\n");
	printf("  %-7s %-7s %4s  %-36s\n", "mode", "R x T", "runs",
	       "process wall s: median [min..max]");
	for (int j = first; j < b->ncfg; j++) {
		config *c = &b->cfg[j];
		TK_CHECK(run_config(b, c, NULL));
		char rt[16];
		snprintf(rt, sizeof rt, "%dx%d", c->ranks, c->threads);
		if (c->wst.n)
			printf("  %-7s %-7s %4d  %.4f [%.4f..%.4f]\n", mode_names[c->mode], rt,
			       c->nruns, c->wst.median, c->wst.min, c->wst.max);
		else
			printf("  %-7s %-7s %4d  FAILED: %s\n", mode_names[c->mode], rt, c->nruns,
			       c->error);
		if (c->failed || !c->verified)
			b->status = TK_EVERIFY;
	}
	return 0;
}

static int run_compare(bench *b)
{
	int cores = tk_sys_cores(), w = cores < 2 ? 2 : cores;
	if (!b->repeat)
		b->repeat = 3;
	double cold, warm;
	thread_cost(w, &cold, &warm);
	printf("toolkit bench --compare: threads vs processes on this machine (%d cores, %d "
	       "workers)\n",
	       cores, w);

	/* 1. start cost of a process, with and without the MPI launcher */
	const tk_kernel *pi = tk_kernel_find("montecarlo", "pi");
	int g1 = b->ncfg;
	add_config(b, pi, M_SERIAL, 1, 1, 1)->size = 1;
	if (b->have_mpi) {
		add_config(b, pi, M_MPI, 1, 1, 1)->size = 1;
		add_config(b, pi, M_MPI, w, 1, w)->size = 1;
	}
	TK_CHECK(run_start_group(b, g1));

	/* 2. scaling of three kinds of work */
	int groups[3] = {-1, -1, -1};
	const char *names[3] = {"CPU-bound", "memory-bound", "I/O-heavy"};
	size_t nk;
	const tk_kernel *all = tk_kernel_list(&nk), *mem = NULL, *io = NULL;
	for (size_t i = 0; i < nk; i++) {
		if (!mem && strcmp(all[i].kind, "memory") == 0 && strcmp(all[i].command, "reduce") == 0)
			mem = &all[i];
		if (!io && strcmp(all[i].kind, "io") == 0)
			io = &all[i];
	}
	char dir[] = "/tmp/toolkit-compare-XXXXXX";
	char folder_args[9000] = "";
	if (io) {
		TK_REQUIRE(mkdtemp(dir), TK_EIO, "bench: mkdtemp: %s", strerror(errno));
		char in[4200], out[4200];
		snprintf(in, sizeof in, "%s/in", dir);
		snprintf(out, sizeof out, "%s/out", dir);
		TK_CHECK(make_folder(in, 24));
		TK_REQUIRE(mkdir(out, 0700) == 0, TK_EIO, "bench: mkdir %s", out);
		snprintf(folder_args, sizeof folder_args,
		         "--filter gaussian --sigma 1.5 --input %s --output %s", in, out);
	}
	const tk_kernel *kinds[3] = {pi, mem, io};
	for (int g = 0; g < 3; g++) {
		if (!kinds[g])
			continue;
		groups[g] = b->ncfg;
		int modes[3] = {M_SERIAL, M_OMP, M_MPI};
		for (int m = 0; m < (b->have_mpi ? 3 : 2); m++) {
			int ww = modes[m] == M_SERIAL ? 1 : w;
			config *c = add_config(b, kinds[g], modes[m], modes[m] == M_MPI ? ww : 1,
			                       modes[m] == M_OMP ? ww : 1, ww);
			if (g == 0)
				c->size = (uint64_t)1 << 27;
			if (g == 1)
				c->size = (uint64_t)1 << 25;
			if (g == 2)
				c->extra = folder_args;
		}
		char title[128];
		snprintf(title, sizeof title, "2%c. %s work: %s.%s", 'a' + g, names[g],
		         kinds[g]->command, kinds[g]->name);
		TK_CHECK(run_group(b, groups[g], title));
	}
	if (io)
		remove_tree(dir);

	/* 3. what a lock costs: the same reduction with private partials, atomics, a lock */
	int g3 = -1;
	static const char *const strategies[] = {"--strategy private", "--strategy atomic",
	                                         "--strategy critical"};
	if (mem) {
		static const char *const labels[] = {"private", "atomic", "critical"};
		g3 = b->ncfg;
		config *c = add_config(b, mem, M_SERIAL, 1, 1, 1);
		c->size = (uint64_t)1 << 22;
		for (int i = 0; i < 3; i++) {
			c = add_config(b, mem, M_OMP, 1, w, w);
			c->size = (uint64_t)1 << 22;
			c->extra = strategies[i];
			c->label = labels[i];
		}
		mode_w = 12;
		TK_CHECK(run_group(b, g3, "3. Locks: reduce with per-thread partials, atomics, a "
		                          "critical section (2^22 values)"));
	}

	printf("\nSummary (medians of %d runs; speedup = serial kernel time / parallel)\n",
	       b->repeat);
	printf("What does it cost to start a worker?\n");
	printf("  a thread:  %.1f us to create and join a bare thread (median of 51);\n             an OpenMP "
	       "team of %d: %.1f us the first time, %.2f us for each later parallel region\n",
	       pthread_cost() * 1e6, w, cold * 1e6, warm * 1e6);
	const config *s1 = &b->cfg[g1];
	printf("  a process: %.1f ms for toolkit alone", s1->wst.median * 1e3);
	if (b->have_mpi && b->ncfg > g1 + 2 && b->cfg[g1 + 1].wst.n && b->cfg[g1 + 2].wst.n)
		printf("; under %s: %.0f ms for 1 rank, %.0f ms for %d ranks",
		       b->launcher, b->cfg[g1 + 1].wst.median * 1e3, b->cfg[g1 + 2].wst.median * 1e3,
		       w);
	printf("\nHow do kinds of work scale at %d workers?\n", w);
	for (int g = 0; g < 3; g++)
		if (groups[g] >= 0)
			say_speedups(b, groups[g], w, names[g]);
	if (g3 >= 0) {
		double t[3];
		for (int i = 0; i < 3; i++)
			t[i] = b->cfg[g3 + 1 + i].kst.median;
		printf("What does a lock cost? (%d threads, 2^22 values)\n", w);
		printf("  private partials %.4f s, atomic updates %.4f s (%.1fx), a critical "
		       "section %.4f s (%.1fx)\n",
		       t[0], t[1], t[1] / t[0], t[2], t[2] / t[0]);
	}
	printf("Threads share memory and start in microseconds; processes start in "
	       "milliseconds (more under a launcher) and must communicate.\n");
	return 0;
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

static int setup(bench *b, const char *workers, const char *modes, const char *hybrid)
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
		for (int m = 0; m < M_COUNT; m++)
			b->modes[m] = 1;
	if (hybrid) {
		char x;
		TK_REQUIRE(sscanf(hybrid, "%dx%d%c", &b->hybrid_r, &b->hybrid_t, &x) == 2 &&
		                   b->hybrid_r > 1 && b->hybrid_t > 1,
		           TK_EUSAGE, "bench: --hybrid '%s': expected RxT with R, T > 1, e.g. 2x2",
		           hybrid);
		b->modes[M_HYBRID] = 1;
	}
	int built_mpi = strcmp(tk_comm_library(), "none") != 0;
	if (!b->launcher)
		b->launcher = getenv("SLURM_JOB_ID") && in_path("srun") ? "srun" : "mpirun";
	char first[256];
	snprintf(first, sizeof first, "%s", b->launcher);
	first[strcspn(first, " \t")] = '\0';
	int have_launcher = first[0] && in_path(first);
	int want_mpi = b->modes[M_MPI] || b->modes[M_HYBRID];
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

static void summarise(bench *b, int first, int last)
{
	const config *serial = &b->cfg[first];
	for (int i = first; i < last; i++) {
		config *c = &b->cfg[i];
		double t1 = serial->kst.median;
		if (b->scaling == 1) /* weak: scaled speedup, w x T1 / Tw */
			c->speedup = c->workers * tk_speedup(t1, c->kst.median);
		else
			c->speedup = tk_speedup(t1, c->kst.median);
		c->efficiency = tk_efficiency(c->speedup, c->workers);
		c->karp_flatt = tk_karp_flatt(c->speedup, c->workers);
	}
}

static int run_all(bench *b, const tk_kernel **ks, int nk)
{
	double res = tk_timer_resolution();
	for (int i = 0; i < nk; i++) {
		int first = b->ncfg;
		plan_kernel(b, ks[i]);
		print_header(b, ks[i]);
		for (int j = first; j < b->ncfg; j++) {
			config *c = &b->cfg[j];
			const char *ref = j == first || b->scaling == 1 ? NULL : b->cfg[first].digest;
			TK_CHECK(run_config(b, c, ref));
			if (j == first)
				summarise(b, first, first + 1);
			else
				summarise(b, first, j + 1);
			print_config(c);
			fflush(stdout);
			if (c->failed || !c->verified || !c->identical)
				b->status = TK_EVERIFY;
			if (c->kst.n && (c->kst.median < 1e-3 || c->kst.median < 20 * res))
				fprintf(stderr,
				        "bench: warning: %s.%s %s %dx%d: kernel time %.3g s is too short "
				        "to measure well (give a larger --size)\n",
				        c->k->command, c->k->name, mode_names[c->mode], c->ranks,
				        c->threads, c->kst.median);
		}
	}
	return 0;
}

int tk_cmd_bench(int argc, char **argv, tk_run_ctx *ctx)
{
	bench *b = calloc(1, sizeof *b);
	if (!b)
		return tk_error_agree(tk_error_set(TK_ENOMEM, "bench: out of memory"));
	b->cfg = calloc(MAX_CONFIGS, sizeof *b->cfg);
	const char *workers = NULL, *modes = NULL, *hybrid = NULL;
	b->warmup = 1;
	b->timeout = 600;
	const tk_opt opts[] = {
		{"workers", TK_OPT_STR, &workers, "LIST",
		 "worker counts: 1,2,4 or 1..8 or max (default: powers of 2 up to the cores)",
		 NULL, 0, 0, 0, NULL},
		{"modes", TK_OPT_STR, &modes, "LIST",
		 "modes to compare: serial,omp,mpi,hybrid (default: all)", NULL, 0, 0, 0,
		 &b->modes_given},
		{"scaling", TK_OPT_CHOICE, &b->scaling, "S",
		 "strong: fixed size; weak: size grows with workers", scalings, 0, 0, 0, NULL},
		{"hybrid", TK_OPT_STR, &hybrid, "RxT",
		 "only this ranks x threads split for hybrid (default: every split)", NULL, 0, 0,
		 0, NULL},
		{"size", TK_OPT_U64, &b->size, "N",
		 "problem size for the kernel's size option (default: its preset)", NULL, 1, 0, 0,
		 &b->size_given},
		{"args", TK_OPT_STR, &b->args, "'ARGS'", "extra options passed to every run", NULL,
		 0, 0, 0, NULL},
		{"repeat", TK_OPT_INT, &b->repeat, "R",
		 "runs per configuration (default: at least 5 and at least 1 s)", NULL, 1,
		 MAX_RUNS, 0, NULL},
		{"warmup", TK_OPT_INT, &b->warmup, "W", "unrecorded runs first (default 1)", NULL,
		 0, 100, 0, NULL},
		{"launcher", TK_OPT_STR, &b->launcher, "CMD",
		 "MPI launcher (default: mpirun; srun inside a Slurm allocation)", NULL, 0, 0, 0,
		 NULL},
		{"timeout", TK_OPT_F64, &b->timeout, "S", "seconds before a run is killed (600)",
		 NULL, 0, 86400, 1, NULL},
		{"csv", TK_OPT_STR, &b->csv, "FILE", "write one row per configuration", NULL, 0, 0,
		 0, NULL},
		{"json", TK_OPT_STR, &b->json, "FILE", "write every run with provenance", NULL, 0,
		 0, 0, NULL},
		{"plot", TK_OPT_STR, &b->plot, "DIR", "draw PNG charts into DIR (gnuplot)", NULL,
		 0, 0, 0, NULL},
		{"compare", TK_OPT_FLAG, &b->compare, NULL,
		 "run the preset study: start cost, CPU/memory/I-O scaling, lock cost", NULL, 0, 0,
		 0, NULL},
		TK_OPT_END,
	};
	const char *pos[MAX_KERNELS];
	int npos = 0;
	int rc = tk_cli_begin(ctx, "bench", "[KERNEL...] [options]", argc, argv, opts, pos,
	                      MAX_KERNELS, &npos);
	const tk_kernel *ks[MAX_KERNELS];
	int nk = 0;
	if (rc == 0)
		rc = tk_error_agree(resolve_kernels(b, pos, npos, ks, &nk));
	if (rc == 0)
		rc = tk_error_agree(setup(b, workers, modes, hybrid));
	if (rc == 0 && !b->compare) {
		printf("toolkit bench: %d core%s, %s, %s scaling, launcher '%s'\n", tk_sys_cores(),
		       tk_sys_cores() == 1 ? "" : "s", tk_sys_cpu_model(), scalings[b->scaling],
		       b->have_mpi ? b->launcher : "none");
		rc = tk_error_agree(run_all(b, ks, nk));
	} else if (rc == 0) {
		rc = tk_error_agree(run_compare(b));
	}
	if (rc == 0 && b->csv)
		rc = tk_error_agree(write_csv(b, b->csv));
	if (rc == 0 && b->json)
		rc = tk_error_agree(write_json(b, b->json));
	if (rc == 0 && b->plot) {
		char csv[4200];
		if (b->csv) {
			snprintf(csv, sizeof csv, "%s", b->csv);
		} else {
			mkdir(b->plot, 0777);
			snprintf(csv, sizeof csv, "%s/bench.csv", b->plot);
			rc = tk_error_agree(write_csv(b, csv));
		}
		if (rc == 0)
			rc = tk_error_agree(run_plot(b, csv, b->plot));
	}
	if (rc == 0 && b->status) {
		fprintf(stderr, "toolkit: bench: some runs failed, did not verify or disagreed "
		                "with serial (see the table)\n");
		rc = b->status;
	}
	free(b->cfg);
	free(b);
	return rc > 0 ? 0 : rc;
}
