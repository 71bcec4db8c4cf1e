/*
 * study_net.c: --compare section 8, "crossing the network".  The same jobs with 2 ranks
 * on one host (shared memory) and on two hosts of a throw-away cluster made of network
 * namespaces on this machine (scripts/cluster.sh: each host a namespace with its own
 * hostname, joined through a bridge by veth pairs), once over the plain link and once
 * over a link shaped to 1 Gbit/s (tc tbf on both hosts' interfaces), with the comm
 * layer's own measurements beside them: ping-pong latency and bandwidth and an 8-byte
 * allreduce (`toolkit comm`, as OSU's osu_latency and osu_allreduce measure them).
 *
 * Rule: the section runs only where it can be real (root for the namespaces, ip and tc,
 * Open MPI, whose rsh agent starts the remote ranks); otherwise it says why it was
 * skipped.  The cluster is torn down by its names, whatever happens.  The veth links
 * are memory copies through the kernel's network stack, not a wire: they show what the
 * TCP path and a bandwidth limit cost, not a real network's latency.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "tk/json.h"
#include "tk/tk.h"

#define NET_SUBNET "10.213.3" /* tests/cluster.sh uses .0, make test-slurm .1 */
#define NET_RATE "1gbit"

/* scripts/NAME beside the binary (a source tree), or PREFIX/share/toolkit/NAME */
static int find_script(const bench *b, const char *name, char *out, size_t n)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", b->exe);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, n, "%.4000s/scripts/%s", dir, name);
	if (access(out, X_OK) != 0)
		snprintf(out, n, "%.4000s/../share/toolkit/%s", dir, name);
	return access(out, X_OK) == 0;
}

/* Run a cluster.sh command line (bounded); 0 when it succeeded. */
static int cluster(const char *script, const char *a1, const char *a2, const char *a3,
                   const char *a4, char *err, size_t errn)
{
	char *argv[] = {(char *)script, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
	char *out = NULL;
	int rc = -1;
	if (bench_spawn_capture(argv, 60, &out, &rc, err, errn) != 0)
		rc = -1;
	free(out);
	return rc;
}

/* What `toolkit comm` measured: one-way latency of 8 bytes, ping-pong bandwidth at the
 * largest size, the time of an 8-byte allreduce (seconds, bytes/s; NaN when missing). */
typedef struct net_comm {
	double lat_s, bw_Bps, allreduce_s;
	uint64_t bw_bytes;
} net_comm;

static void run_comm(const bench *b, const char *launcher, net_comm *m)
{
	m->lat_s = m->bw_Bps = m->allreduce_s = NAN;
	m->bw_bytes = 0;
	char line[8192];
	snprintf(line, sizeof line, "%s -np 2 %s comm --test all --max-bytes 4Mi --format json "
	         "--quiet", launcher, b->exe);
	char *argv[64];
	int n = 0;
	for (char *w = strtok(line, " "); w && n < 63; w = strtok(NULL, " "))
		argv[n++] = w;
	argv[n] = NULL;
	char *out = NULL, err[512];
	int rc;
	if (bench_spawn_capture(argv, b->timeout, &out, &rc, err, sizeof err) != 0 || rc != 0) {
		free(out);
		return;
	}
	for (char *s = out, *nl; s && *s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		tk_json_doc d;
		if (tk_json_parse(&d, NULL, s, len) == 0) {
			const char *test = tk_json_str(tk_json_get(d.root, "test"));
			uint64_t bytes = 0;
			(void)tk_json_u64(tk_json_get(d.root, "bytes"), &bytes);
			double t = tk_json_f64(tk_json_get(d.root, "time_s"));
			double bw = tk_json_f64(tk_json_get(d.root, "bandwidth_Bps"));
			if (test && strcmp(test, "latency") == 0 && bytes == 8)
				m->lat_s = t;
			if (test && strcmp(test, "latency") == 0 && bytes >= m->bw_bytes) {
				m->bw_bytes = bytes;
				m->bw_Bps = bw;
			}
			if (test && strcmp(test, "allreduce") == 0 && bytes == 8)
				m->allreduce_s = t;
		}
		tk_json_free(&d);
	}
	free(out);
}

static void say_comm(FILE *f, const char *where, const net_comm *m)
{
	if (isnan(m->lat_s) && isnan(m->bw_Bps) && isnan(m->allreduce_s)) {
		fprintf(f, "  %-28s not measured (toolkit comm failed there)\n", where);
		return;
	}
	fprintf(f, "  %-28s latency %8.1f us, bandwidth %8.1f MB/s (%llu bytes), 8-byte "
	           "allreduce %8.1f us\n",
	        where, m->lat_s * 1e6, m->bw_Bps / 1e6, (unsigned long long)m->bw_bytes,
	        m->allreduce_s * 1e6);
}

int bench_run_net_study(bench *b, FILE *sum)
{
	const char *title = "8. Crossing the network: 2 ranks on one host, then on two hosts "
	                    "(namespaces on this machine, TCP over veth), plain and shaped to "
	                    "1 Gbit/s";
	char script[4200], rsh[4200], why[300] = "";
	if (!b->have_mpi || b->lkind != L_OPENMPI)
		snprintf(why, sizeof why, "it drives Open MPI's mpirun (this launcher: %.200s)",
		         b->have_mpi ? b->launcher : "none, the build has no MPI");
	else if (geteuid() != 0)
		snprintf(why, sizeof why, "the namespace cluster needs root");
	else if (!find_script(b, "cluster.sh", script, sizeof script) ||
	         !find_script(b, "cluster-rsh.sh", rsh, sizeof rsh))
		snprintf(why, sizeof why, "scripts/cluster.sh not found beside %.200s", b->exe);
	else if (!bench_in_path("ip") || !bench_in_path("tc") || !bench_in_path("unshare"))
		snprintf(why, sizeof why, "it needs ip, tc and unshare (iproute2, util-linux)");
	if (why[0]) {
		fprintf(bench_tab, "\n%s\n  skipped: %s\n", title, why);
		fprintf(sum, "What does crossing the network cost?\n  not measured here: %s\n", why);
		return 0;
	}

	char prefix[32], err[512];
	snprintf(prefix, sizeof prefix, "tkn%d", (int)(getpid() % 100000));
	if (cluster(script, "up", prefix, "4", NET_SUBNET, err, sizeof err) != 0 ||
	    cluster(script, "shape", prefix, "h3", NET_RATE, err, sizeof err) != 0 ||
	    cluster(script, "shape", prefix, "h4", NET_RATE, err, sizeof err) != 0) {
		fprintf(bench_tab, "\n%s\n  skipped: the namespace cluster did not come up: %.200s\n",
		        title, err);
		fprintf(sum, "What does crossing the network cost?\n  not measured: the namespace "
		             "cluster did not come up\n");
		cluster(script, "down", prefix, NULL, NULL, err, sizeof err);
		return 0;
	}
	setenv("TK_CLUSTER_PREFIX", prefix, 1);
	/* mpirun on the first host of each pair, the ranks one per host (--map-by node),
	 * TCP on the hosts' only interface */
	static char plain[9000], shaped[9000];
	const char *mca = "--mca btl tcp,self,vader --mca btl_tcp_if_include eth0 --mca "
	                  "oob_tcp_if_include eth0 --mca plm_rsh_no_tree_spawn 1";
	snprintf(plain, sizeof plain, "%s exec %s h1 %s --mca plm_rsh_agent %s %s --host "
	         "h1:2,h2:2 --map-by node", script, prefix, b->launcher, rsh, mca);
	snprintf(shaped, sizeof shaped, "%s exec %s h3 %s --mca plm_rsh_agent %s %s --host "
	         "h3:2,h4:2 --map-by node", script, prefix, b->launcher, rsh, mca);

	/* the jobs: an image scattered, filtered and gathered (the rows cross the link
	 * twice), and the stencil, whose ranks trade a halo row each step */
	const tk_kernel *img = tk_kernel_find("filter", "image");
	const tk_kernel *heat = tk_kernel_find("stencil", "heat");
	const tk_kernel *jobs[2] = {img, heat};
	const char *extra[2] = {"--generate 3840x2160x3", NULL};
	const uint64_t size[2] = {0, 1024};
	const char *names[2] = {"filter one 3840x2160 RGB image (24 MiB), gaussian sigma 2",
	                        "stencil 1024 x 1024, 50 steps"};
	int first[2], rc = 0;
	for (int j = 0; j < 2 && rc == 0; j++) {
		first[j] = b->ncfg;
		config *c = bench_add_config(b, jobs[j], TK_MODE_SERIAL, 1, 1, 1);
		c->size = size[j];
		c->extra = extra[j];
		const char *labels[3] = {"1 host", "2 hosts", "1 Gbit/s"};
		const char *launchers[3] = {NULL, plain, shaped};
		for (int p = 0; p < 3; p++) {
			c = bench_add_config(b, jobs[j], TK_MODE_MPI, 2, 1, 2);
			c->size = size[j];
			c->extra = extra[j];
			c->label = labels[p];
			c->launcher = launchers[p];
			c->study = "network";
		}
		char t[400];
		if (j == 0)
			snprintf(t, sizeof t, "%s\n  8a. %s", title, names[j]);
		else
			snprintf(t, sizeof t, "8b. %s", names[j]);
		int save = bench_mode_w;
		bench_mode_w = 16;
		rc = bench_run_group(b, first[j], t);
		bench_mode_w = save;
	}
	net_comm m[3];
	if (rc == 0) {
		run_comm(b, b->launcher, &m[0]);
		run_comm(b, plain, &m[1]);
		run_comm(b, shaped, &m[2]);
	}
	cluster(script, "down", prefix, NULL, NULL, err, sizeof err);
	unsetenv("TK_CLUSTER_PREFIX");
	TK_CHECK(rc);

	fprintf(bench_tab, "  8c. the comm layer between the 2 ranks (toolkit comm: ping-pong, "
	                   "allreduce):\n");
	const char *where[3] = {"1 host (shared memory):", "2 hosts (TCP over veth):",
	                        "2 hosts, 1 Gbit/s link:"};
	for (int p = 0; p < 3; p++)
		say_comm(bench_tab, where[p], &m[p]);

	fprintf(sum, "What does crossing the network cost? (2 ranks; namespaces on this "
	             "machine, so the link is the kernel's TCP path, not a wire)\n");
	for (int j = 0; j < 2; j++) {
		const config *c1 = &b->cfg[first[j] + 1], *c3 = &b->cfg[first[j] + 3];
		const config *c2 = &b->cfg[first[j] + 2];
		if (!c1->kst.n || !c2->kst.n || !c3->kst.n)
			continue;
		fprintf(sum, "  %s: wall %.3f s on 1 host, %.3f s on 2 hosts, %.3f s over 1 Gbit/s "
		             "(time in the comm layer %.3f, %.3f, %.3f s)\n",
		        names[j], c1->wst.median, c2->wst.median, c3->wst.median, c1->comm_s,
		        c2->comm_s, c3->comm_s);
	}
	fprintf(sum, "  latency %.1f us on 1 host, %.1f us over TCP between hosts; bandwidth %.0f "
	             "MB/s, %.0f MB/s, %.0f MB/s shaped (a 1 Gbit/s link carries 125 MB/s)\n",
	        m[0].lat_s * 1e6, m[1].lat_s * 1e6, m[0].bw_Bps / 1e6, m[1].bw_Bps / 1e6,
	        m[2].bw_Bps / 1e6);
	return 0;
}
