/*
 * launch.c: starting runs.  The launchers bench knows (Open MPI's mpirun, MPICH's
 * Hydra, srun, another taking -np) and the options each gets, one run as a child with
 * its output captured, and the schedule that interleaves the configurations.
 *
 * Rule: a run is its own process group with a timeout; when the timeout passes the
 * whole group (launcher and ranks) is killed, and SIGINT/SIGTERM to bench reach it.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"
#include "tk/tmpfile.h"

int bench_in_path(const char *cmd)
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

/* ---- one run --------------------------------------------------------------------- */

/* the most of a run's stdout bench keeps: far more than any record */
#define OUT_MAX ((size_t)64 << 20)

/* What a child printed and how it ended. */
typedef struct capture {
	char *out;  /* its stdout, NUL-terminated (bench's buffer: valid until the next run) */
	size_t olen;
	char err[4096]; /* the start of its stderr, NUL-terminated */
	int rc;         /* exit status, -1 when killed by a signal */
	int timed_out;
	double wall_s;
} capture;

/* Run argv with a timeout; stdout and stderr are captured into c.  Returns 0 when the
 * child could be started, TK_EINTERNAL when fork or pipe failed. */
static int capture_run(char *const argv[], double timeout, capture *c)
{
	int out[2], err[2];
	memset(c, 0, sizeof *c);
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
	/* stdout grows as needed (a record lists every rank's placement), up to OUT_MAX;
	 * kept between runs.  stderr: its first line is all bench shows. */
	static char *obuf;
	static size_t ocap;
	char *ebuf = c->err;
	if (!obuf && !(obuf = malloc(ocap = 1 << 16)))
		return tk_error_set(TK_ENOMEM, "bench: out of memory");
	size_t olen = 0, elen = 0;
	struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		double left = timeout - (tk_now() - t0);
		if (left <= 0) {
			c->timed_out = 1;
			kill(-pid, SIGKILL);
			break;
		}
		int r = poll(fds, 2, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char tmp[4096];
			ssize_t got = read(fds[i].fd, tmp, sizeof tmp);
			if (got <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0 && olen + (size_t)got + 1 > ocap && ocap < OUT_MAX) {
				char *more = realloc(obuf, 2 * ocap);
				if (more) {
					obuf = more;
					ocap *= 2;
				}
			}
			char *buf = i ? ebuf : obuf;
			size_t *len = i ? &elen : &olen, cap = i ? sizeof c->err : ocap;
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
	c->wall_s = tk_now() - t0;
	obuf[olen] = '\0';
	ebuf[elen] = '\0';
	c->out = obuf;
	c->olen = olen;
	c->rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return 0;
}

/* Run argv with a timeout; *out gets a copy of its stdout (free it), *rc its exit status
 * (-1 when killed or timed out), err the first part of its stderr.  Returns 0 when the
 * run could be started, TK_EINTERNAL or TK_ENOMEM otherwise. */
int bench_spawn_capture(char *const argv[], double timeout, char **out, int *rc, char *err,
                        size_t errn)
{
	capture c;
	TK_CHECK(capture_run(argv, timeout, &c));
	*rc = c.timed_out ? -1 : c.rc;
	snprintf(err, errn, "%s", c.err);
	*out = malloc(c.olen + 1);
	TK_REQUIRE(*out, TK_ENOMEM, "bench: out of memory");
	memcpy(*out, c.out, c.olen + 1);
	return 0;
}

/* Run argv with a timeout and read what it printed into o (parse.c).  Returns 0 when
 * the run could be started (its outcome is in o), TK_EINTERNAL when fork or pipe
 * failed. */
int bench_spawn_run(char *const argv[], double timeout, run_out *o)
{
	memset(o, 0, sizeof *o);
	o->kernel_s = NAN;
	o->rate = NAN;
	static double bench_t0;
	double t0 = tk_now();
	if (bench_t0 == 0)
		bench_t0 = t0;
	o->start_s = t0 - bench_t0;
	capture c;
	TK_CHECK(capture_run(argv, timeout, &c));
	o->rc = c.rc;
	o->timed_out = c.timed_out;
	o->wall_s = c.wall_s;
	bench_parse_run(c.out, c.olen, c.err, o);
	return 0;
}

int bench_launcher_kind(const char *cmd)
{
	const char *base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
	if (strcmp(base, "srun") == 0)
		return L_SRUN;
	if (strstr(base, "openmpi") || strcmp(base, "orterun") == 0)
		return L_OPENMPI;
	if (strstr(base, "mpich") || strstr(base, "hydra"))
		return L_HYDRA;
	/* CMD --version, started as a run is (no shell), killed after 10 s */
	char *argv[] = {(char *)cmd, "--version", NULL};
	capture c;
	if (capture_run(argv, 10, &c) != 0) {
		tk_error_clear(); /* a launcher bench cannot ask is one it does not know */
		return L_OTHER;
	}
	for (int i = 0; i < 2; i++) {
		const char *buf = i ? c.err : c.out;
		if (strstr(buf, "Open MPI") || strstr(buf, "OpenRTE"))
			return L_OPENMPI;
		if (strstr(buf, "HYDRA") || strstr(buf, "Hydra") || strstr(buf, "Intel(R) MPI"))
			return L_HYDRA;
	}
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
void bench_build_argv(const bench *b, const config *c, char **argv, char *store, size_t cap)
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
	if (c->mode == TK_MODE_MPI || c->mode == TK_MODE_HYBRID) {
		char lb[512];
		char *w[32];
		snprintf(lb, sizeof lb, "%s", c->launcher ? c->launcher : b->launcher);
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
				const char *l = c->launcher ? c->launcher : b->launcher;
				if (!strstr(l, "--bind-to") && !strstr(l, "--map-by")) {
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

void bench_command_line(char *const *argv, char *out, size_t n)
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
int bench_run_configs(const bench *b, int first, int last)
{
	int n = last - first;
	if (n <= 0)
		return 0;
	slot *sl = calloc((size_t)n, sizeof *sl);
	if (!sl)
		return tk_error_set(TK_ENOMEM, "bench: out of memory");
	for (int i = 0; i < n; i++) {
		config *c = &b->cfg[first + i];
		bench_build_argv(b, c, sl[i].argv, sl[i].store, sizeof sl[i].store);
		c->load_before = c->load_after = c->steal = NAN;
	}
	run_out tmp;
	int rc = 0;
	for (int w = 0; w < b->warmup && rc == 0; w++)
		for (int i = 0; i < n && rc == 0; i++) {
			config *c = &b->cfg[first + i];
			if (c->nruns) /* a warm-up failed: it is the configuration's one run */
				continue;
			rc = bench_spawn_run(sl[i].argv, b->timeout, &tmp);
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
			rc = bench_spawn_run(sl[i].argv, b->timeout, &c->runs[c->nruns]);
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
