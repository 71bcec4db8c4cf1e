/*
 * world.c: what the launcher claims, what MPI joined, and where each rank and thread
 * ran (include/tk/world.h).  Cores and NUMA nodes come from include/tk/topology.h
 * (hwloc with --placement, sysfs otherwise), so two hardware threads of one core count
 * as one core.
 * Rule: nothing here changes a result; it only reports, and warns.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk/comm.h"
#include "tk/config.h"
#include "tk/omp.h"
#include "tk/report.h"
#include "tk/sysinfo.h"
#include "tk/topology.h"
#include "tk/world.h"

#define WT 64     /* threads per rank recorded (the rest are counted, not shown) */
#define WCPUS 1024 /* CPUs per host recorded in the masks */
#define WWARN 8

/* ---- the launcher's claim --------------------------------------------------------- */

static long env_long(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return -1;
	char *end;
	long n = strtol(v, &end, 10);
	return *end || n < 0 ? -1 : n;
}

int tk_world_launcher_tasks(char *var, size_t n)
{
	/* The launcher that started this process sets its own size variable; the first one
	 * set, in this order, is the claim (mpirun inside a Slurm allocation leaves
	 * SLURM_NTASKS behind, but its OMPI_COMM_WORLD_SIZE is what it started).
	 * MPI_LOCALNRANKS counts this host's tasks only: a lower bound.  A rank variable
	 * above 0 means at least rank + 1 tasks. */
	static const char *const sizes[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
	                                    "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS",
	                                    "MPI_LOCALNRANKS"};
	static const char *const ranks[] = {"PMIX_RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK",
	                                    "SLURM_PROCID"};
	long best = -1;
	char buf[96] = "";
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && best < 0; i++) {
		long v = env_long(sizes[i]);
		if (v >= 0) {
			best = v;
			snprintf(buf, sizeof buf, "%s=%ld", sizes[i], v);
		}
	}
	for (size_t i = 0; i < sizeof ranks / sizeof ranks[0]; i++) {
		long v = env_long(ranks[i]);
		if (v >= 0 && v + 1 > best) {
			best = v + 1;
			snprintf(buf, sizeof buf, "%s=%ld", ranks[i], v);
		}
	}
	if (var && n)
		snprintf(var, n, "%s", buf);
	if (best < 0)
		return 0;
	return best < 1 ? 1 : best > INT32_MAX ? INT32_MAX : (int)best;
}

static int claimed;          /* launcher's task count, 0: none */
static char claim_var[96];

int tk_world_check(const char *cmd, int quiet)
{
	claimed = tk_world_launcher_tasks(claim_var, sizeof claim_var);
	int size = tk_comm_size();
	if (claimed == 0)
		return 0;
	if (!TK_HAVE_MPI) {
		if (!quiet)
			fprintf(stderr,
			        "toolkit: WARNING: %s: this toolkit was built without MPI, but a "
			        "launcher started it (%s): %s\n",
			        cmd, claim_var,
			        claimed > 1 ? "each copy is an independent serial run of the whole "
			                      "problem, not one MPI job (rebuild with make MPI=1)"
			                    : "it runs as one process (rebuild with make MPI=1 for "
			                      "MPI runs)");
		return claimed > 1;
	}
	if (claimed <= size)
		return 0;
	if (!quiet)
		fprintf(stderr,
		        "toolkit: WARNING: %s: the environment says a launcher started %d tasks "
		        "(%s), but this process is in a world of %d rank%s: %s\n",
		        cmd, claimed, claim_var, size, size == 1 ? "" : "s",
		        size == 1 ? "the copies run independently, each the whole problem (an MPI "
		                    "flavour other than the build's, or srun without the matching "
		                    "--mpi plugin; toolkit info names the build's MPI)"
		                  : "the launcher and the MPI library disagree");
	return 1;
}

/* ---- where threads run ------------------------------------------------------------ */

static int last_cpu[WT]; /* CPU + 1 (0: never seen) */
static unsigned char moved[WT];
static int samples[WT];

void tk_world_sample(void)
{
	int t = tk_thread_id();
	if (t < 0 || t >= WT)
		return;
	int c = sched_getcpu();
	if (c < 0)
		return;
	if (last_cpu[t] && last_cpu[t] != c + 1)
		moved[t] = 1;
	last_cpu[t] = c + 1;
	samples[t]++;
}

/* The CPUs the rank's threads may use: the union of every thread's own mask.  Not the
 * process's mask read once: with OMP_PROC_BIND the OpenMP runtime binds the initial
 * thread to its place before main, so its mask is that place, not the rank's CPUs. */
static uint64_t threads_mask[WCPUS / 64];

void tk_world_sample_all(void)
{
#pragma omp parallel
	{
		tk_world_sample();
		cpu_set_t set;
		CPU_ZERO(&set);
		if (sched_getaffinity(0, sizeof set, &set) == 0) {
#pragma omp critical(tk_world_mask)
			for (int c = 0; c < WCPUS && c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &set))
					threads_mask[c / 64] |= 1ull << (c % 64);
		}
	}
}

/* A core's identity (include/tk/topology.h: hwloc's when --placement loaded it,
 * else sysfs's package and core id), so two hardware threads of one core count once */
static int core_of(int cpu) { return tk_topo_core_of(cpu); }

/* ---- one rank's record, gathered to rank 0 ---------------------------------------- */

typedef struct rank_rec {
	char host[64];
	char cpus[96];                 /* the CPUs it may use, as a list: "0-3,8" */
	char topo[24];                 /* where cores and NUMA nodes came from: "sysfs", "hwloc 2.9.0" */
	int32_t rank, threads, ncpus, ncores, online;
	int32_t numa;                 /* NUMA nodes its CPUs span (0: unknown) */
	int32_t cpu[WT], core[WT];    /* last CPU each thread was seen on, and its core */
	int32_t moved[WT];            /* seen on more than one CPU */
	int32_t samples[WT];          /* how often it was seen */
	uint64_t mask[WCPUS / 64];    /* the CPUs it may use */
} rank_rec;

static rank_rec *recs;
static int nrecs, world_threads;

/* Whether record r is the first one of its host (so each host is reported once). */
static int first_on_host(const rank_rec *rs, int r)
{
	for (int q = 0; q < r; q++)
		if (strcmp(rs[q].host, rs[r].host) == 0)
			return 0;
	return 1;
}
static char warns[WWARN][240];
static int nwarns;

static void cpu_list(const uint64_t *mask, char *out, size_t n)
{
	size_t used = 0;
	out[0] = '\0';
	for (int c = 0; c < WCPUS; c++) {
		if (!(mask[c / 64] >> (c % 64) & 1))
			continue;
		int e = c;
		while (e + 1 < WCPUS && (mask[(e + 1) / 64] >> ((e + 1) % 64) & 1))
			e++;
		int w = e > c ? snprintf(out + used, n - used, "%s%d-%d", used ? "," : "", c, e)
		              : snprintf(out + used, n - used, "%s%d", used ? "," : "", c);
		if (w < 0 || (size_t)w >= n - used) {
			snprintf(out + (n > 4 ? n - 4 : 0), 4, "...");
			return;
		}
		used += (size_t)w;
		c = e;
	}
}

static void fill_mine(rank_rec *m, int threads)
{
	memset(m, 0, sizeof *m);
	snprintf(m->host, sizeof m->host, "%s", tk_sys_host());
	m->rank = tk_comm_rank();
	m->threads = threads;
	m->online = tk_sys_cores_online();
	cpu_set_t set;
	CPU_ZERO(&set);
	int have = 0;
	for (int i = 0; i < WCPUS / 64; i++)
		have |= threads_mask[i] != 0;
	for (int c = 0; have && c < WCPUS && c < CPU_SETSIZE; c++)
		if (threads_mask[c / 64] >> (c % 64) & 1)
			CPU_SET(c, &set);
	if (!have && sched_getaffinity(0, sizeof set, &set) != 0)
		for (int c = 0; c < m->online && c < CPU_SETSIZE; c++)
			CPU_SET(c, &set);
	int cores[WCPUS], nc = 0, nodes[WCPUS], nn = 0;
	for (int c = 0; c < WCPUS && c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		m->mask[c / 64] |= 1ull << (c % 64);
		m->ncpus++;
		int k = core_of(c), seen = 0;
		for (int i = 0; i < nc; i++)
			seen |= cores[i] == k;
		if (!seen)
			cores[nc++] = k;
		int node = tk_topo_numa_of(c);
		seen = node < 0;
		for (int i = 0; i < nn; i++)
			seen |= nodes[i] == node;
		if (!seen)
			nodes[nn++] = node;
	}
	m->ncores = nc;
	m->numa = nn;
	snprintf(m->topo, sizeof m->topo, "%s", tk_topo_source());
	cpu_list(m->mask, m->cpus, sizeof m->cpus);
	for (int t = 0; t < WT; t++) {
		m->cpu[t] = last_cpu[t] - 1;
		m->core[t] = last_cpu[t] ? core_of(last_cpu[t] - 1) : -1;
		m->moved[t] = moved[t];
		m->samples[t] = samples[t];
	}
}

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	if (nwarns >= WWARN)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(warns[nwarns++], sizeof warns[0], fmt, ap);
	va_end(ap);
}

static const char *count_word(int n)
{
	static const char *const words[] = {"no", "one", "two", "three", "four"};
	static char buf[16];
	if (n >= 0 && n <= 4)
		return words[n];
	snprintf(buf, sizeof buf, "%d", n);
	return buf;
}

static int distinct(const int32_t *v, int n)
{
	int d = 0;
	for (int i = 0; i < n; i++) {
		int dup = v[i] < 0;
		for (int j = 0; j < i && !dup; j++)
			dup = v[j] == v[i];
		d += !dup;
	}
	return d;
}

/* The warnings rank 0 draws from the records: threads sharing cores, hosts with more
 * threads than cores, ranks bound to overlapping CPUs. */
static void judge(void)
{
	nwarns = 0;
	for (int r = 0; r < nrecs; r++) {
		const rank_rec *m = &recs[r];
		int t = m->threads < WT ? m->threads : WT;
		int seen = distinct(m->core, t), steady = t > 0;
		/* threads that stayed put through many samples and still share a core: an
		 * observation worth a warning (unbound threads that were merely caught on one
		 * CPU at the same moment are not) */
		for (int i = 0; i < t; i++)
			steady &= !m->moved[i] && m->samples[i] >= 8;
		if (m->threads > 1 && m->ncores < m->threads)
			warn("the %d threads of rank %d share %s core%s (it may use CPUs %s only): "
			     "give each rank T cores (mpirun --map-by slot:PE=T --bind-to core, srun "
			     "--cpus-per-task=T)",
			     m->threads, m->rank, count_word(m->ncores), m->ncores == 1 ? "" : "s",
			     m->cpus);
		else if (m->threads > 1 && steady && seen > 0 && seen < t)
			warn("the %d threads of rank %d were seen on %s core%s", m->threads, m->rank,
			     count_word(seen), seen == 1 ? "" : "s");
		if (m->threads > 1 && m->numa > 1)
			warn("rank %d may run its %d threads on CPUs %s of %s NUMA nodes: memory "
			     "first touched by one thread can be remote to another (one rank per NUMA "
			     "node: mpirun --map-by numa, srun --cpu-bind=ldoms)",
			     m->rank, m->threads, m->cpus, count_word(m->numa));
	}
	/* hosts: threads against the cores their ranks may use together */
	for (int r = 0; r < nrecs; r++) {
		if (!first_on_host(recs, r))
			continue;
		uint64_t u[WCPUS / 64] = {0};
		int threads = 0, ranks = 0;
		for (int q = r; q < nrecs; q++) {
			if (strcmp(recs[q].host, recs[r].host) != 0)
				continue;
			ranks++;
			threads += recs[q].threads;
			for (int i = 0; i < WCPUS / 64; i++)
				u[i] |= recs[q].mask[i];
		}
		int32_t ks[WCPUS];
		int nk = 0;
		for (int c = 0; c < WCPUS; c++)
			if (u[c / 64] >> (c % 64) & 1)
				ks[nk++] = core_of(c); /* rank 0's sysfs: right for its own host only */
		int cores = strcmp(recs[r].host, tk_sys_host()) == 0 ? distinct(ks, nk) : nk;
		if (threads > cores)
			warn("host %s runs %d thread%s of %d rank%s on %d core%s: oversubscribed, "
			     "so timings measure time-sharing",
			     recs[r].host, threads, threads == 1 ? "" : "s", ranks, ranks == 1 ? "" : "s",
			     cores, cores == 1 ? "" : "s");
	}
	/* ranks bound (fewer CPUs than the host has) to overlapping sets */
	for (int a = 0; a < nrecs; a++)
		for (int b = a + 1; b < nrecs; b++) {
			const rank_rec *x = &recs[a], *y = &recs[b];
			if (strcmp(x->host, y->host) != 0 || x->ncpus >= x->online ||
			    y->ncpus >= y->online)
				continue;
			int overlap = 0;
			for (int i = 0; i < WCPUS / 64; i++)
				overlap |= (x->mask[i] & y->mask[i]) != 0;
			if (overlap)
				warn("ranks %d and %d are bound to overlapping CPUs (%s and %s) on %s",
				     x->rank, y->rank, x->cpus, y->cpus, x->host);
		}
}

void tk_world_collect(int threads)
{
	static rank_rec mine;
	fill_mine(&mine, threads);
	int size = tk_comm_size();
	world_threads = threads;
	if (tk_comm_rank() == 0) {
		free(recs);
		recs = calloc((size_t)size, sizeof *recs);
	}
	size_t *bytes = calloc((size_t)size, sizeof *bytes);
	int ok = tk_comm_rank() != 0 || (recs && bytes);
	for (int r = 0; bytes && r < size; r++)
		bytes[r] = sizeof(rank_rec);
	if (!ok) {
		/* a placement report is not worth a run: rank 0 short of memory aborts */
		fprintf(stderr, "toolkit: error: out of memory gathering the placement\n");
		tk_comm_abort(4);
	}
	tk_comm_gatherv(&mine, sizeof mine, recs, bytes, 0);
	free(bytes);
	nrecs = tk_comm_rank() == 0 && recs ? size : 0;
	if (nrecs)
		judge();
}

int tk_world_collected(void) { return nrecs > 0; }

void tk_world_json(FILE *out)
{
	fprintf(out, "{\"ranks\":%d,\"threads\":%d,\"launcher_tasks\":%d,\"launcher_var\":",
	        nrecs, world_threads, claimed);
	tk_json_string(out, claim_var);
	fputs(",\"hosts\":[", out);
	int nh = 0;
	for (int r = 0; r < nrecs; r++) {
		if (!first_on_host(recs, r))
			continue;
		fputs(nh++ ? "," : "", out);
		tk_json_string(out, recs[r].host);
	}
	fputs("],\"placement\":[", out);
	for (int r = 0; r < nrecs; r++) {
		const rank_rec *m = &recs[r];
		fprintf(out, "%s{\"rank\":%d,\"host\":", r ? "," : "", m->rank);
		tk_json_string(out, m->host);
		fputs(",\"cpus\":", out);
		tk_json_string(out, m->cpus);
		fprintf(out, ",\"ncpus\":%d,\"cores\":%d,\"numa_nodes\":%d,\"topology\":", m->ncpus,
		        m->ncores, m->numa);
		tk_json_string(out, m->topo);
		fputs(",\"thread_cpus\":[", out);
		int t = m->threads < WT ? m->threads : WT;
		for (int i = 0; i < t; i++)
			fprintf(out, "%s%d", i ? "," : "", m->cpu[i]);
		fputs("],\"thread_moved\":[", out);
		for (int i = 0; i < t; i++)
			fprintf(out, "%s%s", i ? "," : "", m->moved[i] ? "true" : "false");
		fputs("]}", out);
	}
	fputs("],\"warnings\":[", out);
	for (int i = 0; i < nwarns; i++) {
		fputs(i ? "," : "", out);
		tk_json_string(out, warns[i]);
	}
	fputs("]}", out);
}

void tk_world_map(FILE *out)
{
	int nh = 0;
	for (int r = 0; r < nrecs; r++) {
		int first = 1;
		for (int q = 0; q < r; q++)
			first &= strcmp(recs[q].host, recs[r].host) != 0;
		nh += first;
	}
	fprintf(out, "placement: %d rank%s x %d thread%s on %d host%s", nrecs,
	        nrecs == 1 ? "" : "s", world_threads, world_threads == 1 ? "" : "s", nh,
	        nh == 1 ? "" : "s");
	if (claimed)
		fprintf(out, " (launcher: %s)", claim_var);
	fputc('\n', out);
	for (int r = 0; r < nrecs; r++) {
		const rank_rec *m = &recs[r];
		fprintf(out, "  rank %d -> %s -> CPUs %s (%d core%s", m->rank, m->host, m->cpus,
		        m->ncores, m->ncores == 1 ? "" : "s");
		if (m->numa > 0)
			fprintf(out, ", %d NUMA node%s", m->numa, m->numa == 1 ? "" : "s");
		fprintf(out, "; %s) -> threads", m->topo);
		int t = m->threads < WT ? m->threads : WT;
		for (int i = 0; i < t; i++)
			fprintf(out, " %d:cpu%d%s", i, m->cpu[i], m->moved[i] ? "*" : "");
		if (m->threads > WT)
			fprintf(out, " ... (%d threads)", m->threads);
		fputc('\n', out);
	}
	int any_moved = 0;
	for (int r = 0; r < nrecs; r++)
		for (int i = 0; i < WT; i++)
			any_moved |= recs[r].moved[i];
	if (any_moved)
		fputs("  (* the thread was seen on more than one CPU: not bound)\n", out);
	for (int i = 0; i < nwarns; i++)
		fprintf(out, "  warning: %s\n", warns[i]);
	if (!nwarns)
		fputs("  no warnings: every thread has a core of its own\n", out);
}
