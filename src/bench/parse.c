/*
 * parse.c: what a run printed.  Its stdout holds JSON Lines, one toolkit.run/1 record
 * per line (one per independent copy when a launcher starts copies instead of one MPI
 * job); its stderr holds at most an error line.
 *
 * Rule: records are read with the JSON reader (tk/json.h), never scraped: a field is
 * taken from its place in the schema (README "Output"), and a line that is not valid
 * JSON is no record.  The first record is the run's; the others are only counted.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "tk/json.h"

/* An integer field (ranks, threads), 0 when missing or not a count. */
static int count_of(const tk_json *v)
{
	uint64_t n;
	return tk_json_u64(v, &n) == 0 && n <= 1u << 30 ? (int)n : 0;
}

static void copy_str(const tk_json *v, char *out, size_t n)
{
	const char *s = tk_json_str(v);
	snprintf(out, n, "%s", s ? s : "");
}

/* The fields bench keeps from record r (the run's first). */
static void take_record(const tk_json *r, run_out *o)
{
	o->ranks = count_of(tk_json_get(r, "ranks"));
	o->threads = count_of(tk_json_get(r, "threads"));
	o->kernel_s = tk_json_f64(tk_json_path(r, "time.kernel_s"));
	o->verified = tk_json_bool(tk_json_get(r, "verified")) == 1;
	copy_str(tk_json_get(r, "digest"), o->digest, sizeof o->digest);
	o->rss_max = tk_json_f64(tk_json_path(r, "memory.peak_rss_max_bytes"));
	o->rss_sum = tk_json_f64(tk_json_path(r, "memory.peak_rss_sum_bytes"));
	/* a pool's busiest and idlest worker: reference fields of filter's folder and list
	 * kernels (not in the digest) */
	const tk_json *where = tk_json_get(r, "reference");
	if (!tk_json_get(where, "worker_busy_min_s"))
		where = tk_json_get(r, "result");
	o->busy_min = tk_json_f64(tk_json_get(where, "worker_busy_min_s"));
	o->busy_max = tk_json_f64(tk_json_get(where, "worker_busy_max_s"));
	o->rate = tk_json_f64(tk_json_path(r, "rate.value"));
	/* communication: time in the comm layer (kernels that communicate report it) and
	 * the hosts the ranks were on */
	const tk_json *cs = tk_json_path(r, "time.comm_s");
	o->comm_s = cs ? tk_json_f64(cs) : NAN;
	double wall = tk_json_f64(tk_json_path(r, "time.wall_s"));
	o->comm_share = cs && wall > 0 ? o->comm_s / wall : NAN;
	const tk_json *hs = tk_json_path(r, "provenance.world.hosts");
	o->hosts = hs && hs->kind == TK_JSON_ARRAY ? (int)hs->count : 0;
	copy_str(tk_json_path(r, "rate.unit"), o->rate_unit, sizeof o->rate_unit);
}

void bench_parse_run(const char *out, size_t len, const char *err, run_out *o)
{
	const char *e = strstr(err, "error:");
	e = e ? e + 7 : err;
	snprintf(o->err, sizeof o->err, "%.*s", (int)strcspn(e, "\n"), e);
	char bad[160] = "";
	for (size_t at = 0; at < len;) {
		const char *line = out + at;
		const char *nl = memchr(line, '\n', len - at);
		size_t n = nl ? (size_t)(nl - line) : len - at;
		at += n + 1;
		if (n == 0 || line[0] != '{')
			continue;
		tk_json_doc d;
		if (tk_json_parse(&d, NULL, line, n) != 0) {
			if (!bad[0])
				snprintf(bad, sizeof bad, "its JSON record is malformed at byte %zu: %s",
				         d.err_offset, d.err_what ? d.err_what : "?");
			continue;
		}
		const char *schema = tk_json_str(tk_json_get(d.root, "schema"));
		if (schema && strcmp(schema, "toolkit.run/1") == 0 && o->reports++ == 0)
			take_record(d.root, o);
		tk_json_free(&d);
	}
	/* no record, and nothing on stderr to say why: say what was wrong with it */
	if (o->reports == 0 && bad[0] && !o->err[0])
		snprintf(o->err, sizeof o->err, "%s", bad);
}
