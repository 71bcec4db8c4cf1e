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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/kernel.h"
#include "tk/omp.h"
#include "tk/simd.h"
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
	double rate;     /* the run's own rate (rate.value), in rate_unit */
	char rate_unit[16];
	char digest[24];
	char err[200];   /* first line of stderr, for the report */
	int ranks, threads; /* the world the run reported (0: none) */
	int reports;     /* JSON reports it printed: N independent copies print N */
	double rss_max, rss_sum;     /* peak resident bytes: max and sum over ranks */
	double busy_min, busy_max;   /* filter pools: the least and most busy worker, s */
	double start_s;  /* when it started, seconds after bench's first run */
} run_out;

typedef struct config {
	const tk_kernel *k;
	int mode, ranks, threads, workers;
	int simd;          /* TK_SIMD_*: passed to the runs as --simd NAME */
	uint64_t size;
	const char *extra; /* options for this configuration only (e.g. --strategy atomic) */
	const char *label; /* shown after the mode when set (e.g. "atomic") */
	run_out runs[MAX_RUNS];
	int nruns, failed, verified, identical;
	tk_stats kst, wst;
	double speedup, efficiency, karp_flatt;
	double vec_speedup; /* scalar's kernel time / this one's, same mode and workers */
	double rate;        /* median of the runs' rates, in rate_unit */
	char rate_unit[16];
	int oversub;        /* more workers than cores: time-sharing, not scaling */
	double others;      /* share of the machine's CPU time other processes took */
	char digest[24];
	char error[240];
	double rss_max, rss_sum; /* medians of the runs' peak resident memory, bytes */
	double busy_min, busy_max; /* medians of the runs' least / most busy worker (pools) */
	const char *study;  /* --compare: the study section the row belongs to, or NULL */
	double ci_lo, ci_hi, ci_level; /* order-statistics interval of the kernel median */
	double load_before, load_after; /* 1-min load average before its first, after its last run */
	double steal;       /* share of the machine's CPU time stolen by the hypervisor */
} config;

typedef struct bench {
	const char *kernels[MAX_KERNELS];
	int nkernels;
	int workers[MAX_WORKERS], nworkers;
	int modes[M_COUNT];
	int modes_given, scaling, repeat, warmup, compare;
	int simds[TK_SIMD_NVARIANTS], nsimd; /* variants to run, scalar first */
	int simd_given;
	int hybrid_r, hybrid_t;
	uint64_t size;
	int size_given;
	double timeout;
	const char *launcher, *csv, *json, *plot, *args;
	int lkind;         /* L_*: which launcher it is, so it gets only its own options */
	char exe[4096];
	int have_mpi;
	config *cfg;
	int ncfg;
	int status;
	char verdicts[8][640]; /* the study's words with their figures (--compare) */
	int nverdicts;
} bench;

static void summarise(bench *b, int first, int last);
static const char *reference_digest(const bench *b, int first, int j);

/* a configuration during which other processes took this share of the machine's CPU
 * time is marked busy: its timings are not to be trusted */
#define BUSY_SHARE 0.10
/* likewise when the hypervisor stole this share of the CPU time (a virtual machine whose
 * host is overcommitted: the runs waited for a CPU that is not there) */
#define STEAL_SHARE 0.05
/* the level asked of the median's confidence interval */
#define CI_LEVEL 0.95

/* width of the table's mode column: wider when rows carry a label (omp/critical) */
static int mode_w = 7;
/* whether the table shows the vector speedup column (more than one variant) */
static int lanes_col;
/* where the table goes: stdout for --format text; with json or csv stdout carries the
 * document alone and the table goes to stderr (nowhere with --quiet) */
static FILE *tab;

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

/* --simd LIST: variant names, "auto" (the best this CPU runs) or "all" (every one it
 * runs).  A name this CPU cannot run is a usage error naming what it has. Kept in
 * variant order, scalar first, so the scalar rows are the reference of the others. */
static int parse_simd(bench *b, const char *s)
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
	o->rate = NAN;
	if (pipe(out) != 0 || pipe(err) != 0)
		return tk_error_set(TK_EINTERNAL, "bench: pipe: %s", strerror(errno));
	fflush(NULL);
	double t0 = tk_now();
	static double bench_t0;
	if (bench_t0 == 0)
		bench_t0 = t0;
	o->start_s = t0 - bench_t0;
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
	for (const char *p = line; p; p = strstr(p + 1, "{\"schema\":\"toolkit.run/1\""))
		o->reports++;
	if (line) {
		o->ranks = (int)json_num(line, "ranks"); /* the first: the run's own world */
		o->threads = (int)json_num(line, "threads");
		o->kernel_s = json_num(line, "kernel_s");
		o->verified = strstr(line, "\"verified\":true") != NULL;
		json_str(line, "digest", o->digest, sizeof o->digest);
		o->rss_max = json_num(line, "peak_rss_max_bytes");
		o->rss_sum = json_num(line, "peak_rss_sum_bytes");
		o->busy_min = json_num(line, "worker_busy_min_s");
		o->busy_max = json_num(line, "worker_busy_max_s");
		const char *rate = strstr(line, "\"rate\":{");
		if (rate) {
			o->rate = json_num(rate, "value");
			json_str(rate, "unit", o->rate_unit, sizeof o->rate_unit);
		}
	}
	const char *e = strstr(ebuf, "error:");
	e = e ? e + 7 : ebuf;
	snprintf(o->err, sizeof o->err, "%.*s", (int)strcspn(e, "\n"), e);
	return 0;
}

/* The launchers bench knows, told apart by name and else by what `--version` says:
 * each understands different options (DESIGN.md section 2, any MPI). */
enum { L_OTHER, L_OPENMPI, L_HYDRA, L_SRUN };

static int launcher_kind(const char *cmd)
{
	const char *base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
	if (strcmp(base, "srun") == 0)
		return L_SRUN;
	if (strstr(base, "openmpi") || strcmp(base, "orterun") == 0)
		return L_OPENMPI;
	if (strstr(base, "mpich") || strstr(base, "hydra"))
		return L_HYDRA;
	char line[512], buf[1024] = "";
	snprintf(line, sizeof line, "timeout 10 '%s' --version 2>&1", cmd);
	FILE *p = strchr(cmd, '\'') ? NULL : popen(line, "r");
	if (!p)
		return L_OTHER;
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	pclose(p);
	if (strstr(buf, "Open MPI") || strstr(buf, "OpenRTE"))
		return L_OPENMPI;
	if (strstr(buf, "HYDRA") || strstr(buf, "Hydra") || strstr(buf, "Intel(R) MPI"))
		return L_HYDRA;
	return L_OTHER;
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
		if (b->lkind == L_SRUN) {
			snprintf(num, sizeof num, "-n%d", c->ranks);
			ADD(num);
			snprintf(num, sizeof num, "--cpus-per-task=%d", c->threads);
			ADD(num);
		} else {
			/* Hydra neither binds nor refuses to oversubscribe by default; Open MPI
			 * does both, and only it knows these options */
			ADD("-np");
			snprintf(num, sizeof num, "%d", c->ranks);
			ADD(num);
			if (b->lkind == L_OPENMPI) {
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
	ADD("--simd");
	ADD(tk_simd_name(c->simd));
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

/* The machine's CPU time (busy and total, from /proc/stat, steal counted as busy) and
 * that of this process's finished children, in seconds. */
typedef struct cpu_mark {
	double busy, total, ours, steal;
} cpu_mark;

static cpu_mark cpu_mark_now(void)
{
	cpu_mark m = {NAN, NAN, NAN, NAN};
	FILE *f = fopen("/proc/stat", "r");
	unsigned long long v[8] = {0};
	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		           &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
			double tick = (double)sysconf(_SC_CLK_TCK);
			m.busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick;
			m.total = m.busy + (double)(v[3] + v[4]) / tick;
			m.steal = (double)v[7] / tick;
		}
		fclose(f);
	}
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	m.ours = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
	         (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
	return m;
}

/* Share of the machine's CPU time between a and b that other processes (or the
 * hypervisor, as steal) took: the noise a timing suffered.  NAN when unknown or the
 * window is too short (under 0.5 CPU-seconds of the machine) to say. */
static double others_share(cpu_mark a, cpu_mark b)
{
	double total = b.total - a.total;
	/* /proc/stat counts in clock ticks: a window of a few ticks says nothing */
	if (!(total >= 0.5))
		return NAN;
	double others = (b.busy - a.busy) - (b.ours - a.ours);
	return others > 0 ? others / total : 0.0;
}

/* The 1-minute load average (/proc/loadavg), NAN when unknown. */
static double load_average(void)
{
	double l = NAN;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = NAN;
		fclose(f);
	}
	return l;
}

/* Whether configuration c wants another run: at least 5 runs and 1 s unless --repeat
 * says otherwise, none after a failure. */
static int wants_run(const bench *b, const config *c, double spent)
{
	if (c->nruns > 0 && (c->runs[c->nruns - 1].rc != 0 || c->runs[c->nruns - 1].timed_out))
		return 0;
	if (c->nruns >= MAX_RUNS)
		return 0;
	return b->repeat > 0 ? c->nruns < b->repeat
	                     : !((c->nruns >= 5 && spent >= 1.0) || c->nruns >= 50);
}

typedef struct slot {
	char *argv[MAX_ARGS];
	char store[16384];
	double spent;
	cpu_mark acc; /* the machine's CPU time summed over this configuration's runs */
} slot;

/* Run configurations [first, last) interleaved: every warm-up first, then round robin,
 * repeat r of every configuration before repeat r+1 of any, so a burst of noise from
 * another process spreads over all of them instead of landing on one. */
static int run_configs(const bench *b, int first, int last)
{
	int n = last - first;
	if (n <= 0)
		return 0;
	slot *sl = calloc((size_t)n, sizeof *sl);
	if (!sl)
		return tk_error_set(TK_ENOMEM, "bench: out of memory");
	for (int i = 0; i < n; i++) {
		config *c = &b->cfg[first + i];
		build_argv(b, c, sl[i].argv, sl[i].store, sizeof sl[i].store);
		c->load_before = c->load_after = c->steal = NAN;
	}
	run_out tmp;
	int rc = 0;
	for (int w = 0; w < b->warmup && rc == 0; w++)
		for (int i = 0; i < n && rc == 0; i++) {
			config *c = &b->cfg[first + i];
			if (c->nruns) /* a warm-up failed: it is the configuration's one run */
				continue;
			rc = spawn_run(sl[i].argv, b->timeout, &tmp);
			if (rc == 0 && (tmp.rc != 0 || tmp.timed_out)) {
				c->runs[0] = tmp;
				c->nruns = 1;
			}
		}
	for (int any = 1; any && rc == 0;) {
		any = 0;
		for (int i = 0; i < n && rc == 0; i++) {
			config *c = &b->cfg[first + i];
			if (!wants_run(b, c, sl[i].spent))
				continue;
			any = 1;
			if (c->nruns == 0)
				c->load_before = load_average();
			cpu_mark m0 = cpu_mark_now();
			rc = spawn_run(sl[i].argv, b->timeout, &c->runs[c->nruns]);
			if (rc)
				break;
			cpu_mark m1 = cpu_mark_now();
			c->load_after = load_average();
			sl[i].acc.busy += m1.busy - m0.busy;
			sl[i].acc.total += m1.total - m0.total;
			sl[i].acc.ours += m1.ours - m0.ours;
			sl[i].acc.steal += m1.steal - m0.steal;
			sl[i].spent += c->runs[c->nruns].wall_s;
			c->nruns++;
		}
	}
	for (int i = 0; i < n && rc == 0; i++) {
		config *c = &b->cfg[first + i];
		cpu_mark zero = {0, 0, 0, 0};
		c->others = others_share(zero, sl[i].acc);
		/* steal counts in clock ticks too: unknown over a window that is too short */
		c->steal = isfinite(c->others) && sl[i].acc.steal >= 0
		                   ? sl[i].acc.steal / sl[i].acc.total
		                   : NAN;
	}
	free(sl);
	return rc;
}

/* The statistics of one configuration's recorded runs, checked against the digest
 * serial_digest (NULL: none yet). */
static int finish_config(const bench *b, config *c, const char *serial_digest)
{
	char *argv[MAX_ARGS];
	static char store[16384];
	build_argv(b, c, argv, store, sizeof store); /* for the error line */
	double ks[MAX_RUNS], ws[MAX_RUNS], rs[MAX_RUNS], m1[MAX_RUNS], m2[MAX_RUNS],
		b1[MAX_RUNS], b2[MAX_RUNS];
	int nk = 0, nr = 0, nm = 0, nb = 0;
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
		if (isfinite(o->rss_max) && isfinite(o->rss_sum)) {
			m1[nm] = o->rss_max;
			m2[nm++] = o->rss_sum;
		}
		if (isfinite(o->busy_min) && isfinite(o->busy_max)) {
			b1[nb] = o->busy_min;
			b2[nb++] = o->busy_max;
		}
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
	c->simd = tk_simd_active(); /* auto or TK_SIMD: the caller may choose another */
	c->oversub = w > tk_sys_cores();
	c->vec_speedup = NAN;
	c->rate = NAN;
	c->rss_max = c->rss_sum = c->busy_min = c->busy_max = NAN;
	c->ci_lo = c->ci_hi = c->ci_level = NAN;
	c->others = c->steal = c->load_before = c->load_after = NAN;
	uint64_t base = b->size_given ? b->size : k->bench_size;
	c->size = k->size_opt ? (b->scaling == 1 ? base * (uint64_t)w : base) : 0;
	return c;
}

/* One configuration per variant of --simd, side by side (scalar first). */
static void add_variants(bench *b, const tk_kernel *k, int mode, int r, int t, int w)
{
	for (int i = 0; i < b->nsimd; i++) {
		config *c = add_config(b, k, mode, r, t, w);
		if (c)
			c->simd = b->simds[i];
	}
}

static void plan_kernel(bench *b, const tk_kernel *k)
{
	add_variants(b, k, M_SERIAL, 1, 1, 1); /* the baseline, always */
	for (int i = 0; i < b->nworkers; i++) {
		int w = b->workers[i];
		if (b->modes[M_OMP] && w > 1)
			add_variants(b, k, M_OMP, 1, w, w);
		if (b->modes[M_MPI] && b->have_mpi)
			add_variants(b, k, M_MPI, w, 1, w);
		if (b->modes[M_HYBRID] && b->have_mpi) {
			if (b->hybrid_r) {
				if (b->hybrid_r * b->hybrid_t == w)
					add_variants(b, k, M_HYBRID, b->hybrid_r, b->hybrid_t, w);
				continue;
			}
			for (int r = 2; r <= w / 2; r++)
				if (w % r == 0)
					add_variants(b, k, M_HYBRID, r, w / r, w);
		}
	}
}

/* ---- output ---------------------------------------------------------------------- */

static void print_columns(void)
{
	fprintf(tab, "  %-*s %-6s %-7s %4s  %-30s %-24s %9s %9s %9s %8s %7s %7s", mode_w, "mode",
	        "simd", "R x T", "runs", "kernel s: median [min..max]", "median CI (level)", "sd s",
	        "wall s", "launch s", "speedup", "effic", "K-F e");
	if (lanes_col)
		fprintf(tab, " %7s", "lanes");
	fprintf(tab, " %8s %4s %-4s %-4s %s\n", "mem MiB", "out", "ver", "same", "note");
}

static void print_header(const bench *b, const tk_kernel *k)
{
	uint64_t base = b->size_given ? b->size : k->bench_size;
	fprintf(tab, "\n%s.%s: %s%s", k->command, k->name, k->bench_args ? k->bench_args : "",
	       k->size_opt ? "" : "");
	if (k->size_opt)
		fprintf(tab, " --%s %llu%s", k->size_opt, (unsigned long long)base,
		       b->scaling == 1 ? " x workers (weak scaling)" : "");
	fprintf(tab, "%s\n", b->scaling == 1 ? "" : " (strong scaling)");
	print_columns();
}

static void print_config(const config *c)
{
	char rt[16], kern[64], mode[32];
	snprintf(rt, sizeof rt, "%dx%d", c->ranks, c->threads);
	snprintf(mode, sizeof mode, "%s%s%s", mode_names[c->mode], c->label ? "/" : "",
	         c->label ? c->label : "");
	const char *simd = tk_simd_name(c->simd);
	if (c->kst.n == 0) {
		fprintf(tab, "  %-*s %-6s %-7s %4d  FAILED: %s\n", mode_w, mode, simd, rt, c->nruns,
		        c->error);
		return;
	}
	snprintf(kern, sizeof kern, "%.4f [%.4f..%.4f]", c->kst.median, c->kst.min, c->kst.max);
	char ci[48] = "-";
	if (isfinite(c->ci_level))
		snprintf(ci, sizeof ci, "%.4f..%.4f (%.1f%%)", c->ci_lo, c->ci_hi,
		         100 * c->ci_level);
	char kf[16];
	if (isnan(c->karp_flatt))
		snprintf(kf, sizeof kf, "-");
	else
		snprintf(kf, sizeof kf, "%.3f", c->karp_flatt);
	fprintf(tab, "  %-*s %-6s %-7s %4d  %-30s %-24s %9.4f %9.4f %9.4f %7.2fx %6.0f%% %7s",
	        mode_w, mode, simd, rt, c->nruns, kern, ci, c->kst.sd, c->wst.median,
	        c->wst.median - c->kst.median, c->speedup, 100 * c->efficiency, kf);
	if (lanes_col && isfinite(c->vec_speedup))
		fprintf(tab, " %6.2fx", c->vec_speedup);
	else if (lanes_col)
		fprintf(tab, " %7s", "-");
	char note[400] = "";
	if (c->oversub)
		snprintf(note, sizeof note, "oversubscribed (%d on %d cores)", c->workers,
		         tk_sys_cores());
	if (c->efficiency >= 1.005) /* what prints as above 100% */
		snprintf(note + strlen(note), sizeof note - strlen(note),
		         "%seffic > 100%%: noise, or the serial run paid a cost this one did not",
		         note[0] ? "; " : "");
	if (!c->identical)
		snprintf(note + strlen(note), sizeof note - strlen(note),
		         "%sdigest differs from the reference run", note[0] ? "; " : "");
	if (c->others >= BUSY_SHARE)
		snprintf(note + strlen(note), sizeof note - strlen(note),
		         "%sbusy: other processes took %.0f%% of the CPUs", note[0] ? "; " : "",
		         100 * c->others);
	if (c->steal >= STEAL_SHARE)
		snprintf(note + strlen(note), sizeof note - strlen(note),
		         "%ssteal: the hypervisor took %.0f%% of the CPU time", note[0] ? "; " : "",
		         100 * c->steal);
	if (isfinite(c->rss_sum)) /* peak resident memory, summed over the ranks */
		fprintf(tab, " %8.1f", c->rss_sum / 1048576.0);
	else
		fprintf(tab, " %8s", "-");
	fprintf(tab, " %4zu %-4s %-4s %s\n", c->kst.outliers, c->verified ? "yes" : "NO",
	        c->identical ? "yes" : "NO", note);
	if (c->failed)
		fprintf(tab, "  %-*s %-6s %-7s       %d of %d runs FAILED: %s\n", mode_w, "", "", "",
		        c->failed, c->nruns, c->error);
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

/* The CSV document: a header and one row per configuration. */
static void csv_doc(const bench *b, FILE *f)
{
	fputs("kernel,mode,simd,workers,ranks,threads,size,runs,failed,verified,identical,"
	      "kernel_median_s,kernel_min_s,kernel_max_s,kernel_sd_s,wall_median_s,launch_s,"
	      "speedup,efficiency,karp_flatt,vector_speedup,rate,rate_unit,oversubscribed,"
	      "others_cpu,outliers,digest,peak_rss_max_bytes,peak_rss_sum_bytes,"
	      "worker_busy_min_s,worker_busy_max_s,study,kernel_ci_lo_s,kernel_ci_hi_s,ci_level,"
	      "load_before,load_after,steal_cpu\n",
	      f);
	for (int i = 0; i < b->ncfg; i++) {
		const config *c = &b->cfg[i];
		fprintf(f, "%s.%s,%s,%s,%d,%d,%d,%llu,%d,%d,%s,%s", c->k->command, c->k->name,
		        mode_names[c->mode], tk_simd_name(c->simd), c->workers, c->ranks, c->threads,
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
		csv_num(f, c->vec_speedup);
		csv_num(f, c->rate);
		fprintf(f, ",%s,%s", c->rate_unit, c->oversub ? "yes" : "no");
		csv_num(f, c->others);
		fprintf(f, ",%zu,%s", c->kst.outliers, c->digest);
		csv_num(f, c->rss_max);
		csv_num(f, c->rss_sum);
		csv_num(f, c->busy_min);
		csv_num(f, c->busy_max);
		fprintf(f, ",%s", c->study ? c->study : "");
		csv_num(f, c->ci_lo);
		csv_num(f, c->ci_hi);
		csv_num(f, c->ci_level);
		csv_num(f, c->load_before);
		csv_num(f, c->load_after);
		csv_num(f, c->steal);
		fputc('\n', f);
	}
}


static void json_kv_num(FILE *f, const char *key, double v, int comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("null", f);
}

static void json_machine(const bench *b, FILE *f)
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
	           "\"mpi\":\"%s\",\"openmp\":\"%s\",",
	        TK_VERSION, tk_build_compiler(), tk_build_flags(), tk_comm_library(),
	        tk_omp_version());
	fputs("\"simd\":[", f);
	for (int i = 0; i < b->nsimd; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", tk_simd_name(b->simds[i]));
	fputs("],\"simd_available\":", f);
	tk_json_string(f, tk_simd_choices());
	fputs(",\"cpu_features\":", f);
	tk_json_string(f, tk_simd_cpu_features());
	fputs("},", f);
}

/* The JSON document, on one line: machine, provenance, every configuration with its
 * runs, and the study's verdicts (--compare). */
static void json_doc(const bench *b, FILE *f)
{
	fprintf(f, "{\"schema\":\"toolkit.bench/1\",\"scaling\":\"%s\",", scalings[b->scaling]);
	json_machine(b, f);
	fputs("\"configs\":[", f);
	for (int i = 0; i < b->ncfg; i++) {
		const config *c = &b->cfg[i];
		fprintf(f, "%s{\"kernel\":\"%s.%s\",\"mode\":\"%s\",\"simd\":\"%s\",\"workers\":%d,"
		           "\"ranks\":%d,\"threads\":%d,\"size\":%llu,\"runs\":%d,\"failed\":%d,"
		           "\"verified\":%s,\"identical\":%s",
		        i ? "," : "", c->k->command, c->k->name, mode_names[c->mode],
		        tk_simd_name(c->simd), c->workers,
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
		json_kv_num(f, "vector_speedup", c->vec_speedup, 1);
		json_kv_num(f, "rate", c->rate, 1);
		fputs(",\"rate_unit\":", f);
		tk_json_string(f, c->rate_unit);
		fprintf(f, ",\"oversubscribed\":%s", c->oversub ? "true" : "false");
		json_kv_num(f, "others_cpu", c->others, 1);
		json_kv_num(f, "peak_rss_max_bytes", c->rss_max, 1);
		json_kv_num(f, "peak_rss_sum_bytes", c->rss_sum, 1);
		json_kv_num(f, "worker_busy_min_s", c->busy_min, 1);
		json_kv_num(f, "worker_busy_max_s", c->busy_max, 1);
		json_kv_num(f, "kernel_ci_lo_s", c->ci_lo, 1);
		json_kv_num(f, "kernel_ci_hi_s", c->ci_hi, 1);
		json_kv_num(f, "ci_level", c->ci_level, 1);
		json_kv_num(f, "load_before", c->load_before, 1);
		json_kv_num(f, "load_after", c->load_after, 1);
		json_kv_num(f, "steal_cpu", c->steal, 1);
		fputs(",\"study\":", f);
		tk_json_string(f, c->study ? c->study : "");
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
			json_kv_num(f, "start_s", o->start_s, 1);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("]", f);
	if (b->nverdicts) {
		fputs(",\"verdicts\":[", f);
		for (int i = 0; i < b->nverdicts; i++) {
			fputs(i ? "," : "", f);
			tk_json_string(f, b->verdicts[i]);
		}
		fputc(']', f);
	}
	fputs("}\n", f);
}

/* Write one document (csv_doc or json_doc) to path through a temporary file, so the
 * target is either the old file or the whole new one. */
static int write_doc(const bench *b, const char *path, void (*doc)(const bench *, FILE *))
{
	char *tmp;
	FILE *f = open_atomic(path, &tmp);
	if (!f)
		return TK_EIO;
	doc(b, f);
	return commit_atomic(f, tmp, path);
}
static int write_csv(const bench *b, const char *path) { return write_doc(b, path, csv_doc); }
static int write_json(const bench *b, const char *path) { return write_doc(b, path, json_doc); }

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
	fprintf(tab, "plots written to %s/\n", dir);
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
	fprintf(tab, "\n%s\n", title);
	print_columns();
	TK_CHECK(run_configs(b, first, b->ncfg));
	for (int j = first; j < b->ncfg; j++) {
		config *c = &b->cfg[j];
		TK_CHECK(finish_config(b, c, reference_digest(b, first, j)));
		summarise(b, first, j + 1);
		print_config(c);
		fflush(tab);
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

/* The speedups of a group's work at w workers, and its vector lanes when measured. */
static void say_speedups(const bench *b, int first, int lanes, int nlanes, int w)
{
	const config *o = find_cfg(b, first, M_OMP, w), *m = find_cfg(b, first, M_MPI, w);
	const config *s = &b->cfg[first];
	char name[64];
	snprintf(name, sizeof name, "%s.%s", s->k->command, s->k->name);
	fprintf(tab, "  %-18s threads %5.2fx", name, o && o->kst.n ? o->speedup : NAN);
	if (m)
		fprintf(tab, ", ranks %5.2fx", m->kst.n ? m->speedup : NAN);
	if (lanes >= 0) {
		const config *best = &b->cfg[lanes];
		for (int i = lanes; i < lanes + nlanes; i++)
			if (b->cfg[i].kst.n)
				best = &b->cfg[i];
		fprintf(tab, ", lanes %5.2fx (%s vs scalar, 1 thread)", best->vec_speedup,
		        tk_simd_name(best->simd));
	}
	if (o && m && o->wst.n && m->wst.n)
		fprintf(tab, "   (whole process, launch included: threads %.2fx, ranks %.2fx)",
		        s->wst.median / o->wst.median, s->wst.median / m->wst.median);
	fputc('\n', tab);
}

/* Section 1 of the study: only the process wall times mean something. */
static int run_start_group(bench *b, int first)
{
	fprintf(tab, "\n1. Starting workers: a run of 1 sample, so its time is the start and exit\n");
	fprintf(tab, "  %-7s %-7s %4s  %-36s\n", "mode", "R x T", "runs",
	        "process wall s: median [min..max]");
	TK_CHECK(run_configs(b, first, b->ncfg));
	for (int j = first; j < b->ncfg; j++) {
		config *c = &b->cfg[j];
		TK_CHECK(finish_config(b, c, NULL));
		char rt[16];
		snprintf(rt, sizeof rt, "%dx%d", c->ranks, c->threads);
		if (c->wst.n)
			fprintf(tab, "  %-7s %-7s %4d  %.4f [%.4f..%.4f]\n", mode_names[c->mode], rt,
			        c->nruns, c->wst.median, c->wst.min, c->wst.max);
		else
			fprintf(tab, "  %-7s %-7s %4d  FAILED: %s\n", mode_names[c->mode], rt, c->nruns,
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
	const config *s = &b->cfg[g], *o = find_cfg(b, g, M_OMP, w);
	const config *b1 = bw >= 0 ? &b->cfg[bw] : NULL, *bw_w = bw >= 0 ? find_cfg(b, bw, M_OMP, w) : NULL;
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
		config *c = add_config(b, k, M_SERIAL, 1, 1, 1);
		TK_REQUIRE(c, TK_EINTERNAL, "bench: too many configurations");
		c->size = size;
		c->simd = vs[i];
	}
	return first;
}


/* ---- the I/O study (--compare 5-7): a local image server, a URL list, skewed work ---- */

/* A gray PGM of w x h, a textured pattern from seed. */
static int write_pgm(const char *path, int w, int h, uint32_t seed)
{
	FILE *f = fopen(path, "wb");
	TK_REQUIRE(f, TK_EIO, "bench: cannot write %s: %s", path, strerror(errno));
	fprintf(f, "P5\n%d %d\n255\n", w, h);
	uint32_t x = seed * 2654435761u + 1;
	for (int r = 0; r < h; r++)
		for (int c = 0; c < w; c++) {
			x = x * 1664525u + 1013904223u;
			fputc((int)(((r ^ c) & 0xff) / 2 + (x >> 26)), f);
		}
	TK_REQUIRE(fclose(f) == 0, TK_EIO, "bench: cannot write %s", path);
	return 0;
}

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
	if (access(out, R_OK) != 0 || !in_path("python3"))
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
		if (c->k != b->cfg[g].k || (c->mode != mode && c->mode != M_SERIAL) || !c->kst.n)
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
static int run_io_study(bench *b, FILE *sum)
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
		rc = write_pgm(path, 400, 300, (uint32_t)i);
	}
	/* skewed: 4 large images first, then 28 small ones; static blocks give the first
	 * worker all the large ones */
	for (int i = 0; i < 32 && rc == 0; i++) {
		snprintf(path, sizeof path, "%s/%s%02d.pgm", skew, i < 4 ? "a" : "b", i);
		rc = i < 4 ? write_pgm(path, 4000, 3000, (uint32_t)i)
		           : write_pgm(path, 320, 240, (uint32_t)i);
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
		config *c = add_config(b, pi, ws[i] == 1 ? M_SERIAL : M_OMP, 1, ws[i], ws[i]);
		c->size = (uint64_t)1 << 26;
		c->study = study_crossover;
	}
	if (rc == 0)
		rc = run_group(b, g5, "5a. CPU-bound: montecarlo.pi, 2^26 samples, 1 to 16 threads");
	if (rc == 0 && server > 0) {
		g5l = b->ncfg;
		for (int i = 0; i < 5; i++) {
			config *c = add_config(b, list, ws[i] == 1 ? M_SERIAL : M_OMP, 1, ws[i], ws[i]);
			c->extra = list_args;
			c->study = study_crossover;
		}
		for (int r = 2; b->have_mpi && r <= 4; r *= 2) {
			config *c = add_config(b, list, M_MPI, r, 1, r);
			c->extra = list_args;
			c->study = study_crossover;
		}
		char title[200];
		snprintf(title, sizeof title, "5b. Waiting-bound: filter.list, %d images of 400x300 "
		                              "fetched from the local server (%.0f ms a request)",
		         nurl, latency * 1e3);
		rc = run_group(b, g5l, title);
	} else if (rc == 0) {
		fprintf(tab, "\n5b. skipped: the local image server needs python3 and "
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
		config *c = add_config(b, folder, M_SERIAL, 1, 1, 1);
		c->extra = skew_dynamic;
		c->study = study_pool;
		c = add_config(b, folder, M_OMP, 1, w, w);
		c->extra = skew_static;
		c->label = "static";
		c->study = study_pool;
		c = add_config(b, folder, M_OMP, 1, w, w);
		c->extra = skew_dynamic;
		c->label = "dynamic";
		c->study = study_pool;
		rc = run_group(b, g6, "6. The pool: a folder of 4 large (4000x3000) and 28 small "
		                      "images, dealt out in advance (static) or from a queue "
		                      "(dynamic)");
	}
	/* 7. memory per mode: one large image, threads vs ranks */
	int g7 = b->ncfg;
	if (rc == 0) {
		config *c = add_config(b, image, M_SERIAL, 1, 1, 1); /* the baseline of the rows */
		c->study = study_memory;
		c = add_config(b, image, M_OMP, 1, 2, 2);
		c->study = study_memory;
		if (b->have_mpi) {
			c = add_config(b, image, M_MPI, 2, 1, 2);
			c->study = study_memory;
		}
		rc = run_group(b, g7, "7. Memory: filter.image on one 7680x4320 image, 1x1, 1x2 "
		                      "threads vs 2x1 ranks (mem MiB: peak resident, summed over ranks)");
	}
	remove_tree(dir);
	TK_CHECK(rc);

	/* the words */
	char curve[400];
	int at;
	fprintf(sum, "Threads past the core count: CPU-bound vs waiting-bound (%d cores)\n", cores);
	say_curve(b, g5, M_OMP, curve, sizeof curve);
	double best = best_speedup(b, g5, M_OMP, &at);
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
		say_curve(b, g5l, M_OMP, curve, sizeof curve);
		best = best_speedup(b, g5l, M_OMP, &at);
		fprintf(sum, "  filter.list over the local server: threads %s\n", curve);
		fprintf(sum, "    -> best %.2fx at %d threads on %d cores: %s\n", best, at, cores,
		        best > 1.25 * cores
		            ? "keeps gaining past the core count: waiting-bound (a waiting thread "
		              "costs no core)"
		            : "does not gain past the core count: not waiting-bound here");
		say_curve(b, g5l, M_MPI, curve, sizeof curve);
		const config *s = &b->cfg[g5l];
		const config *r4 = NULL, *t4 = NULL;
		for (int i = g5l; i < b->ncfg; i++) {
			if (b->cfg[i].mode == M_MPI && b->cfg[i].workers == 4)
				r4 = &b->cfg[i];
			if (b->cfg[i].mode == M_OMP && b->cfg[i].workers == 4)
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

static int run_compare(bench *b)
{
	int cores = tk_sys_cores(), w = cores < 2 ? 2 : cores;
	if (!b->repeat)
		b->repeat = 3;
	double cold, warm;
	thread_cost(w, &cold, &warm);
	fprintf(tab, "toolkit bench --compare: threads vs processes vs vector lanes on this "
	             "machine (%d cores, %d workers, vector variant %s)\n",
	        cores, w, tk_simd_name(tk_simd_active()));

	/* 1. start cost of a process, with and without the MPI launcher */
	const tk_kernel *pi = tk_kernel_find("montecarlo", "pi");
	const tk_kernel *mem = tk_kernel_find("reduce", "stats");
	const tk_kernel *bwk = tk_kernel_find("reduce", "membw");
	const tk_kernel *io = tk_kernel_find("filter", "folder");
	int g1 = b->ncfg;
	add_config(b, pi, M_SERIAL, 1, 1, 1)->size = 1;
	if (b->have_mpi) {
		add_config(b, pi, M_MPI, 1, 1, 1)->size = 1;
		add_config(b, pi, M_MPI, w, 1, w)->size = 1;
	}
	TK_CHECK(run_start_group(b, g1));

	/* 2. scaling of three kinds of work, and the read bandwidth they are judged by */
	char dir[] = "/tmp/toolkit-compare-XXXXXX";
	char folder_args[9000] = "";
	TK_REQUIRE(mkdtemp(dir), TK_EIO, "bench: mkdtemp: %s", strerror(errno));
	char in[4200], out[4200];
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	int rc = make_folder(in, 24);
	if (rc == 0 && mkdir(out, 0700) != 0)
		rc = tk_error_set(TK_EIO, "bench: mkdir %s: %s", out, strerror(errno));
	if (rc) {
		remove_tree(dir);
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
		int modes[3] = {M_SERIAL, M_OMP, M_MPI};
		/* the bandwidth probe's array is per rank, so its ranks rows would be another
		 * problem; the words compare threads with threads */
		int nm = b->have_mpi && kinds[g] != bwk ? 3 : 2;
		for (int m = 0; m < nm; m++) {
			int ww = modes[m] == M_SERIAL ? 1 : w;
			config *c = add_config(b, kinds[g], modes[m], modes[m] == M_MPI ? ww : 1,
			                       modes[m] == M_OMP ? ww : 1, ww);
			if (sizes[g])
				c->size = sizes[g];
			c->extra = extras[g];
		}
		rc = run_group(b, groups[g], titles[g]);
	}
	remove_tree(dir);
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
		int save = lanes_col;
		lanes_col = 1;
		l_pi = add_lanes(b, pi, (uint64_t)1 << 27, vs, nv);
		TK_CHECK(run_group(b, l_pi, "3a. Vector lanes inside one core: montecarlo.pi, 2^27 "
		                            "samples, 1 thread (lanes = scalar time / this time)"));
		l_mem = add_lanes(b, mem, (uint64_t)1 << 25, vs, nv);
		TK_CHECK(run_group(b, l_mem, "3b. Vector lanes inside one core: reduce.stats, 2^25 "
		                             "doubles, 1 thread"));
		lanes_col = save;
	}

	/* 4. what a lock costs: the same reduction with private partials, atomics, a lock */
	static const char *const strategies[] = {"--strategy private", "--strategy atomic",
	                                         "--strategy critical"};
	static const char *const labels[] = {"private", "atomic", "critical"};
	int g4 = b->ncfg;
	config *c = add_config(b, mem, M_SERIAL, 1, 1, 1);
	c->size = (uint64_t)1 << 22;
	for (int i = 0; i < 3; i++) {
		c = add_config(b, mem, M_OMP, 1, w, w);
		c->size = (uint64_t)1 << 22;
		c->extra = strategies[i];
		c->label = labels[i];
	}
	mode_w = 12;
	TK_CHECK(run_group(b, g4, "4. Locks: reduce with per-thread partials, atomics, a "
	                          "critical section (2^22 values)"));
	char *io_words = NULL;
	size_t io_len = 0;
	FILE *io_sum = open_memstream(&io_words, &io_len);
	TK_REQUIRE(io_sum, TK_ENOMEM, "bench: out of memory");
	int io_rc = run_io_study(b, io_sum);
	fclose(io_sum);
	if (io_rc < 0) {
		free(io_words);
		return io_rc;
	}

	fprintf(tab, "\nSummary (medians of %d runs; speedup = serial kernel time / parallel)\n",
	        b->repeat);
	fprintf(tab, "What does it cost to start a worker?\n");
	fprintf(tab, "  a thread:  %.1f us to create and join a bare thread (median of 51);\n"
	             "             an OpenMP team of %d: %.1f us the first time, %.2f us for each "
	             "later parallel region\n",
	        pthread_cost() * 1e6, w, cold * 1e6, warm * 1e6);
	const config *s1 = &b->cfg[g1];
	fprintf(tab, "  a process: %.1f ms for toolkit alone", s1->wst.median * 1e3);
	if (b->have_mpi && b->ncfg > g1 + 2 && b->cfg[g1 + 1].wst.n && b->cfg[g1 + 2].wst.n)
		fprintf(tab, "; under %s: %.0f ms for 1 rank, %.0f ms for %d ranks", b->launcher,
		        b->cfg[g1 + 1].wst.median * 1e3, b->cfg[g1 + 2].wst.median * 1e3, w);
	fprintf(tab, "\nHow does each kind of work scale at %d workers?\n", w);
	say_speedups(b, groups[0], l_pi, nv, w);
	say_speedups(b, groups[1], l_mem, nv, w);
	say_speedups(b, groups[3], -1, 0, w);
	if (l_pi >= 0) {
		const config *sc = &b->cfg[l_pi], *top = find_cfg(b, groups[0], M_OMP, w);
		if (sc->kst.n && top && top->kst.n && top->simd != TK_SIMD_SCALAR)
			fprintf(tab, "  all three levels: montecarlo.pi from scalar on 1 thread to %s on "
			             "%d threads: %.2fx (measured, %.4f s -> %.4f s)\n",
			        tk_simd_name(top->simd), w, sc->kst.median / top->kst.median,
			        sc->kst.median, top->kst.median);
	}
	fprintf(tab, "What limits it? (from the figures: memory-bound at >= %.0f%% of the read "
	             "bandwidth measured in 2c;\n  CPU-bound when not, and %d threads keep >= "
	             "%.0f%% efficiency on %d cores)\n",
	        100 * BW_SHARE, w, 100 * CPU_EFFIC, cores);
	const int judged[3] = {groups[0], groups[1], groups[3]};
	for (int i = 0; i < 3 && b->nverdicts < 8; i++) {
		char *v = b->verdicts[b->nverdicts++];
		verdict(b, judged[i], groups[2], w, v, sizeof b->verdicts[0]);
		fprintf(tab, "  %s\n", v);
	}
	double t[3];
	for (int i = 0; i < 3; i++)
		t[i] = b->cfg[g4 + 1 + i].kst.median;
	fprintf(tab, "What does a lock cost? (%d threads, 2^22 values)\n", w);
	fprintf(tab, "  private partials %.4f s, atomic updates %.4f s (%.1fx), a critical "
	             "section %.4f s (%.1fx)\n",
	        t[0], t[1], t[1] / t[0], t[2], t[2] / t[0]);
	fprintf(tab, "  -> on this CPU %s\n",
	        t[2] / t[0] >= 10 ? "a lock in the hot loop serialises the threads: keep "
	                            "partials private and combine once"
	        : t[2] / t[0] >= 2 ? "a lock in the hot loop costs a clear factor: private "
	                             "partials pay"
	                           : "locks are cheap in this loop (other CPUs differ a lot: "
	                             "measure)");
	/* break-even of an MPI launch: the extra start cost against the time ranks save */
	const config *p1 = &b->cfg[groups[0]], *pm = find_cfg(b, groups[0], M_MPI, w);
	if (b->have_mpi && b->ncfg > g1 + 2 && b->cfg[g1 + 2].wst.n && s1->wst.n && pm &&
	    pm->kst.n && p1->kst.n && pm->speedup > 1) {
		double extra = b->cfg[g1 + 2].wst.median - s1->wst.median;
		double per_sample = p1->kst.median / (double)p1->size;
		double n_even = extra / (per_sample * (1 - 1 / pm->speedup));
		fprintf(tab, "When does an MPI launch pay off?\n  %d ranks cost %.0f ms more to start "
		             "than one process; pi runs at %.3g samples/s on 1 core and %.2fx on %d "
		             "ranks, so ranks pay off above about %.2g samples (%.2f s of serial "
		             "work)\n",
		        w, extra * 1e3, 1 / per_sample, pm->speedup, w, n_even, n_even * per_sample);
	}
	if (io_words)
		fputs(io_words, tab);
	free(io_words);
	fprintf(tab, "Threads share memory and start in microseconds; processes start in "
	             "milliseconds (more under a launcher) and must communicate; vector lanes "
	             "cost nothing to start but need the same operation on neighbouring data.\n");
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
		b->launcher = getenv("SLURM_JOB_ID") && in_path("srun") ? "srun" : tk_build_mpirun();
	char first[256];
	snprintf(first, sizeof first, "%s", b->launcher);
	first[strcspn(first, " \t")] = '\0';
	int have_launcher = first[0] && in_path(first);
	b->lkind = have_launcher ? launcher_kind(first) : L_OTHER;
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

/* Speedup against the serial run of the same variant; vector speedup against the
 * scalar run of the same mode, workers and problem; Karp-Flatt only where it means
 * something: strong scaling, W > 1 and a speedup above 1. */
static void summarise(bench *b, int first, int last)
{
	for (int i = first; i < last; i++) {
		config *c = &b->cfg[i];
		const config *serial = NULL, *scalar = NULL;
		for (int j = first; j < last; j++) {
			const config *o = &b->cfg[j];
			if (o->k != c->k)
				continue;
			if (!serial && o->mode == M_SERIAL && o->simd == c->simd)
				serial = o;
			if (!scalar && o->simd == TK_SIMD_SCALAR && o->mode == c->mode &&
			    o->ranks == c->ranks && o->threads == c->threads && o->size == c->size &&
			    o->extra == c->extra && o->kst.n)
				scalar = o;
		}
		double t1 = serial && serial->kst.n ? serial->kst.median : NAN;
		if (b->scaling == 1) /* weak: scaled speedup, w x T1 / Tw */
			c->speedup = c->workers * tk_speedup(t1, c->kst.median);
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
static const char *reference_digest(const bench *b, int first, int j)
{
	for (int i = first; i < j; i++)
		if (same_problem(&b->cfg[i], &b->cfg[j]) && b->cfg[i].digest[0])
			return b->cfg[i].digest;
	return NULL;
}

static int run_all(bench *b, const tk_kernel **ks, int nk)
{
	double res = tk_timer_resolution();
	for (int i = 0; i < nk; i++) {
		int first = b->ncfg;
		plan_kernel(b, ks[i]);
		print_header(b, ks[i]);
		TK_CHECK(run_configs(b, first, b->ncfg));
		for (int j = first; j < b->ncfg; j++) {
			config *c = &b->cfg[j];
			TK_CHECK(finish_config(b, c, reference_digest(b, first, j)));
			summarise(b, first, j + 1);
			print_config(c);
			fflush(tab);
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
	const char *workers = NULL, *modes = NULL, *hybrid = NULL, *simd = NULL;
	b->warmup = 1;
	b->timeout = 600;
	const tk_opt opts[] = {
		{"workers", TK_OPT_STR, &workers, "LIST",
		 "worker counts: 1,2,4 or 1..8 or max (default: powers of 2 up to the cores)",
		 NULL, 0, 0, 0, NULL, 0, 0},
		{"modes", TK_OPT_STR, &modes, "LIST",
		 "modes to compare: serial,omp,mpi,hybrid (default: all)", NULL, 0, 0, 0,
		 &b->modes_given, 0, 0},
		{"scaling", TK_OPT_CHOICE, &b->scaling, "S",
		 "strong: fixed size; weak: size grows with workers", scalings, 0, 0, 0, NULL, 0, 0},
		{"hybrid", TK_OPT_STR, &hybrid, "RxT",
		 "only this ranks x threads split for hybrid (default: every split)", NULL, 0, 0,
		 0, NULL, 0, 0},
		{"size", TK_OPT_U64, &b->size, "N",
		 "problem size for the kernel's size option (default: its preset)", NULL, 0, 0, 0,
		 &b->size_given, 1, 0},
		{"args", TK_OPT_STR, &b->args, "'ARGS'", "extra options passed to every run", NULL,
		 0, 0, 0, NULL, 0, 0},
		{"repeat", TK_OPT_INT, &b->repeat, "R",
		 "runs per configuration (default: at least 5 and at least 1 s)", NULL, 1,
		 MAX_RUNS, 0, NULL, 0, 0},
		{"warmup", TK_OPT_INT, &b->warmup, "W", "unrecorded runs first (default 1)", NULL,
		 0, 100, 0, NULL, 0, 0},
		{"launcher", TK_OPT_STR, &b->launcher, "CMD",
		 "MPI launcher: Open MPI's mpirun, MPICH's Hydra mpiexec, srun, or another taking -np "
		 "(default: the one of the build's MPI, see toolkit info; srun inside a Slurm "
		 "allocation)", NULL, 0, 0, 0,
		 NULL, 0, 0},
		{"timeout", TK_OPT_F64, &b->timeout, "S", "seconds before a run is killed (600)",
		 NULL, 0, 86400, 1, NULL, 0, 0},
		{"csv", TK_OPT_STR, &b->csv, "FILE", "write one row per configuration", NULL, 0, 0,
		 0, NULL, 0, 0},
		{"json", TK_OPT_STR, &b->json, "FILE", "write every run with provenance", NULL, 0,
		 0, 0, NULL, 0, 0},
		{"plot", TK_OPT_STR, &b->plot, "DIR", "draw PNG charts into DIR (gnuplot)", NULL,
		 0, 0, 0, NULL, 0, 0},
		{"simd", TK_OPT_STR, &simd, "LIST",
		 "vector variants to run each configuration with, side by side: names such as "
		 "scalar,avx2,avx512, auto (the best this CPU runs) or all (default: TK_SIMD, "
		 "else auto)",
		 NULL, 0, 0, 0, &b->simd_given, 0, 0},
		{"compare", TK_OPT_FLAG, &b->compare, NULL,
		 "run the preset study: start cost, scaling of three kinds of work, vector lanes, "
		 "lock cost",
		 NULL, 0, 0, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	const char *pos[MAX_KERNELS];
	int npos = 0;
	int rc = tk_cli_begin_driver(ctx, "bench", "[KERNEL...] [options]", argc, argv, opts,
	                             pos, MAX_KERNELS, &npos);
	tab = stdout;
	if (rc == 0 && ctx->format != TK_FMT_TEXT)
		tab = ctx->progress ? stderr : fopen("/dev/null", "w");
	if (!tab)
		rc = tk_error_agree(tk_error_set(TK_EIO, "bench: cannot open /dev/null"));
	if (rc == 0) {
		b->nsimd = 1;
		b->simds[0] = tk_simd_active();
		if (simd)
			rc = tk_error_agree(parse_simd(b, simd));
		lanes_col = b->nsimd > 1;
	}
	const tk_kernel *ks[MAX_KERNELS];
	int nk = 0;
	if (rc == 0)
		rc = tk_error_agree(resolve_kernels(b, pos, npos, ks, &nk));
	if (rc == 0)
		rc = tk_error_agree(setup(b, workers, modes, hybrid));
	if (rc == 0 && !b->compare) {
		fprintf(tab, "toolkit bench: %d core%s, %s, %s scaling, launcher '%s'\n", tk_sys_cores(),
		       tk_sys_cores() == 1 ? "" : "s", tk_sys_cpu_model(), scalings[b->scaling],
		       b->have_mpi ? b->launcher : "none");
		rc = tk_error_agree(run_all(b, ks, nk));
	} else if (rc == 0) {
		rc = tk_error_agree(run_compare(b));
	}
	if (rc == 0 && ctx->format == TK_FMT_JSON)
		json_doc(b, stdout);
	if (rc == 0 && ctx->format == TK_FMT_CSV)
		csv_doc(b, stdout);
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
	if (tab)
		fflush(tab); /* the table before the warnings below */
	int busy = 0, stolen = 0;
	for (int i = 0; i < b->ncfg; i++) {
		busy += b->cfg[i].others >= BUSY_SHARE;
		stolen += b->cfg[i].steal >= STEAL_SHARE;
	}
	if (rc == 0 && busy)
		fprintf(stderr,
		        "bench: warning: other processes took >= %.0f%% of the CPUs during %d of %d "
		        "configurations (marked busy): rerun on a quiet machine to trust them\n",
		        100 * BUSY_SHARE, busy, b->ncfg);
	if (rc == 0 && stolen)
		fprintf(stderr,
		        "bench: warning: the hypervisor stole >= %.0f%% of the CPU time during %d of "
		        "%d configurations (marked steal): this virtual machine's host is "
		        "overcommitted, rerun when it is not to trust them\n",
		        100 * STEAL_SHARE, stolen, b->ncfg);
	if (rc == 0 && b->status) {
		fprintf(stderr, "toolkit: bench: some runs failed, did not verify or disagreed "
		                "with serial (see the table)\n");
		rc = b->status;
	}
	if (tab && tab != stdout && tab != stderr)
		fclose(tab);
	free(b->cfg);
	free(b);
	return rc > 0 ? 0 : rc;
}
