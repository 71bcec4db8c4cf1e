/*
 * report.c: the result record, its digest, and the three output formats.
 * Rule: every number a user or a script reads comes out of this file; JSON doubles are
 * printed with 17 significant digits so they read back to the same bits, text ones with
 * the fewest digits (15 to 17) that do.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "revision.h" /* TK_BUILD_REVISION, written by the Makefile */
#include "tk/comm.h"
#include "tk/hash.h"
#include "tk/omp.h"
#include "tk/report.h"
#include "tk/simd.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"
#include "tk/world.h"

extern char **environ;

void tk_result_init(tk_result *r, const char *command, const char *kernel)
{
	memset(r, 0, sizeof *r);
	r->command = command;
	r->kernel = kernel;
	r->size_unit = "items";
	r->verified = -1;
	r->rate_unit = "items/s";
	r->rate_scale = 1.0;
}

static tk_field *add_field(tk_result *r, const char *name, tk_ftype type, int in_digest)
{
	if (r->nfields >= TK_RESULT_MAX_FIELDS) {
		/* a programming error: the table is sized for the largest kernel */
		fprintf(stderr, "toolkit: internal error: too many result fields\n");
		tk_comm_abort(5);
	}
	tk_field *f = &r->fields[r->nfields++];
	memset(f, 0, sizeof *f);
	f->name = name;
	f->type = type;
	f->in_digest = in_digest;
	return f;
}

void tk_result_u64(tk_result *r, const char *name, uint64_t v)
{
	add_field(r, name, TK_F_U64, 1)->u = v;
}

void tk_result_hex(tk_result *r, const char *name, uint64_t v)
{
	add_field(r, name, TK_F_HEX, 1)->u = v;
}

void tk_result_i64(tk_result *r, const char *name, int64_t v)
{
	add_field(r, name, TK_F_I64, 1)->i = v;
}

void tk_result_f64(tk_result *r, const char *name, double v)
{
	add_field(r, name, TK_F_F64, 1)->f = v;
}

void tk_result_str(tk_result *r, const char *name, const char *v)
{
	snprintf(add_field(r, name, TK_F_STR, 1)->s, sizeof r->fields[0].s, "%s", v);
}

void tk_result_u64s_own(tk_result *r, const char *name, uint64_t *v, size_t n)
{
	tk_field *f = add_field(r, name, TK_F_U64S, 1);
	f->arr = v;
	f->n = n;
}

int tk_result_u64s(tk_result *r, const char *name, const uint64_t *v, size_t n)
{
	uint64_t *mine = tk_alloc(n, sizeof *mine);
	if (!mine)
		return TK_ENOMEM;
	if (n)
		memcpy(mine, v, n * sizeof *mine);
	tk_result_u64s_own(r, name, mine, n);
	return 0;
}

void tk_result_free(tk_result *r)
{
	for (int i = 0; i < r->nfields; i++)
		if (r->fields[i].type == TK_F_U64S) {
			tk_free(r->fields[i].arr);
			r->fields[i].arr = NULL;
			r->fields[i].n = 0;
		}
}

void tk_result_ref_f64(tk_result *r, const char *name, double v)
{
	add_field(r, name, TK_F_F64, 0)->f = v;
}

void tk_result_ref_str(tk_result *r, const char *name, const char *v)
{
	snprintf(add_field(r, name, TK_F_STR, 0)->s, sizeof r->fields[0].s, "%s", v);
}

void tk_result_chunk_u64(tk_result *r, const char *name, uint64_t v)
{
	add_field(r, name, TK_F_U64, TK_FIELD_CHUNK)->u = v;
}

void tk_result_chunk_f64(tk_result *r, const char *name, double v)
{
	add_field(r, name, TK_F_F64, TK_FIELD_CHUNK)->f = v;
}

void tk_result_chunk_u64s_own(tk_result *r, const char *name, uint64_t *v, size_t n)
{
	tk_field *f = add_field(r, name, TK_F_U64S, TK_FIELD_CHUNK);
	f->arr = v;
	f->n = n;
}

void tk_result_unit(tk_result *r, const char *unit)
{
	if (r->nfields > 0)
		r->fields[r->nfields - 1].unit = unit;
}

void tk_result_verify(tk_result *r, int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->verification, sizeof r->verification, fmt, ap);
	va_end(ap);
	r->verified = ok ? 1 : 0;
}

void tk_result_time(tk_result *r, double local_seconds)
{
	double t[3] = {local_seconds, local_seconds, local_seconds};
	tk_comm_allreduce_f64(&t[0], 1, TK_MAX);
	tk_comm_allreduce_f64(&t[1], 1, TK_MIN);
	tk_comm_allreduce_f64(&t[2], 1, TK_SUM);
	r->kernel_max = t[0];
	r->kernel_min = t[1];
	r->kernel_avg = t[2] / tk_comm_size();
}

static uint64_t hash_u64(uint64_t h, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i)); /* little-endian on every host */
	return tk_fnv1a(h, b, 8);
}

uint64_t tk_result_digest(const tk_result *r)
{
	uint64_t h = TK_FNV_OFFSET;
	h = tk_fnv1a(h, r->command, strlen(r->command) + 1);
	h = tk_fnv1a(h, r->kernel, strlen(r->kernel) + 1);
	h = hash_u64(h, r->size);
	for (int i = 0; i < r->nfields; i++) {
		const tk_field *f = &r->fields[i];
		if (f->in_digest != 1)
			continue;
		h = tk_fnv1a(h, f->name, strlen(f->name) + 1);
		switch (f->type) {
		case TK_F_U64:
		case TK_F_HEX: h = hash_u64(h, f->u); break;
		case TK_F_I64: h = hash_u64(h, (uint64_t)f->i); break;
		case TK_F_F64: {
			uint64_t bits;
			memcpy(&bits, &f->f, 8);
			h = hash_u64(h, bits);
			break;
		}
		case TK_F_STR: h = tk_fnv1a(h, f->s, strlen(f->s) + 1); break;
		case TK_F_U64S:
			for (size_t k = 0; k < f->n; k++)
				h = hash_u64(h, f->arr[k]);
			break;
		}
	}
	return h;
}

/* Peak resident memory of this process in bytes (getrusage: ru_maxrss, KiB on Linux). */
static uint64_t peak_rss(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024;
}

/* Collective: the ranks' peak resident memory, max and sum, into r. */
static void gather_memory(tk_result *r)
{
	uint64_t mx = peak_rss(), sum = mx;
	tk_comm_allreduce_u64(&mx, 1, TK_MAX);
	tk_comm_allreduce_u64(&sum, 1, TK_SUM);
	r->rss_max = mx;
	r->rss_sum = sum;
}

/* The time of the report as ISO 8601 UTC, e.g. 2024-05-01T12:00:00Z. */
static const char *utc_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, n, "unknown");
	return buf;
}

const char *tk_build_revision(void) { return TK_BUILD_REVISION; }

static double rate_of(const tk_result *r)
{
	return r->kernel_max > 0 ? r->work / r->kernel_max / r->rate_scale : 0.0;
}

void tk_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_double(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.17g", v);
	else
		fputs("null", out); /* JSON has no NaN or infinity */
}

static void json_field(FILE *out, const tk_field *f)
{
	tk_json_string(out, f->name);
	fputc(':', out);
	switch (f->type) {
	case TK_F_U64: fprintf(out, "%llu", (unsigned long long)f->u); break;
	case TK_F_HEX: fprintf(out, "\"%016llx\"", (unsigned long long)f->u); break;
	case TK_F_I64: fprintf(out, "%lld", (long long)f->i); break;
	case TK_F_F64: json_double(out, f->f); break;
	case TK_F_STR: tk_json_string(out, f->s); break;
	case TK_F_U64S:
		fputc('[', out);
		for (size_t k = 0; k < f->n; k++)
			fprintf(out, "%s%llu", k ? "," : "", (unsigned long long)f->arr[k]);
		fputc(']', out);
		break;
	}
}

static void json_env(FILE *out)
{
	static const char *const prefixes[] = {"OMP_", "SLURM_", "PBS_", "OMPI_COMM_WORLD_SIZE",
	                                       "TK_"};
	int first = 1;
	fputc('{', out);
	for (char **e = environ; e && *e; e++) {
		int keep = 0;
		for (size_t p = 0; p < TK_ARRAY_SIZE(prefixes); p++)
			keep |= strncmp(*e, prefixes[p], strlen(prefixes[p])) == 0;
		const char *eq = strchr(*e, '=');
		if (!keep || !eq)
			continue;
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
		fputs(first ? "" : ",", out);
		tk_json_string(out, name);
		fputc(':', out);
		tk_json_string(out, eq + 1);
		first = 0;
	}
	fputc('}', out);
}

/* The fields of one kind (in_digest == kind) as a JSON object. */
static void json_fields(FILE *out, const tk_result *r, int kind)
{
	int first = 1;
	fputc('{', out);
	for (int i = 0; i < r->nfields; i++) {
		if (r->fields[i].in_digest != kind)
			continue;
		fputs(first ? "" : ",", out);
		json_field(out, &r->fields[i]);
		first = 0;
	}
	fputc('}', out);
}

static void report_json(const tk_result *r, const tk_run_ctx *ctx, FILE *out)
{
	fprintf(out, "{\"schema\":\"toolkit.run/1\",\"command\":");
	tk_json_string(out, r->command);
	fputs(",\"kernel\":", out);
	tk_json_string(out, r->kernel);
	fprintf(out, ",\"mode\":\"%s\",\"ranks\":%d,\"threads\":%d,\"size\":%llu,", ctx->mode,
	        ctx->ranks, ctx->threads, (unsigned long long)r->size);
	fputs("\"size_unit\":", out);
	tk_json_string(out, r->size_unit);
	fputs(",\"result\":", out);
	json_fields(out, r, 1);
	fputs(",\"reference\":", out);
	json_fields(out, r, 0);
	for (int i = 0; i < r->nfields; i++)
		if (r->fields[i].in_digest == TK_FIELD_CHUNK) {
			fputs(",\"chunk\":", out);
			json_fields(out, r, TK_FIELD_CHUNK);
			break;
		}
	fprintf(out, ",\"verified\":%s,\"verification\":",
	        r->verified == 1 ? "true" : r->verified == 0 ? "false" : "null");
	tk_json_string(out, r->verification);
	fprintf(out, ",\"digest\":\"%016llx\",\"time\":{\"kernel_s\":",
	        (unsigned long long)r->digest);
	json_double(out, r->kernel_max);
	fputs(",\"kernel_min_s\":", out);
	json_double(out, r->kernel_min);
	fputs(",\"kernel_avg_s\":", out);
	json_double(out, r->kernel_avg);
	fputs(",\"io_s\":", out);
	json_double(out, r->io_s);
	fputs(",\"wall_s\":", out);
	json_double(out, tk_now() - ctx->t_start);
	if (r->comm_on) {
		/* time in the comm layer, max over ranks: in all and per kind */
		fputs(",\"comm_s\":", out);
		json_double(out, r->comm_total_s);
		fputs(",\"comm\":{", out);
		for (int i = 0; i < TK_COMM_NKINDS; i++) {
			fprintf(out, "%s\"%s_s\":", i ? "," : "", tk_comm_kind_names[i]);
			json_double(out, r->comm_s[i]);
		}
		fputc('}', out);
	}
	fputs("},\"rate\":{\"value\":", out);
	json_double(out, rate_of(r));
	fputs(",\"unit\":", out);
	tk_json_string(out, r->rate_unit);
	fprintf(out, "},\"memory\":{\"peak_rss_max_bytes\":%llu,\"peak_rss_sum_bytes\":%llu,"
	             "\"ranks\":%d}",
	        (unsigned long long)r->rss_max, (unsigned long long)r->rss_sum, ctx->ranks);
	char when[32];
	fputs(",\"provenance\":{\"version\":\"" TK_VERSION "\",\"revision\":", out);
	tk_json_string(out, tk_build_revision());
	fputs(",\"timestamp\":", out);
	tk_json_string(out, utc_now(when, sizeof when));
	fputs(",\"compiler\":", out);
	tk_json_string(out, tk_build_compiler());
	fputs(",\"cflags\":", out);
	tk_json_string(out, tk_build_flags());
	fputs(",\"simd\":", out);
	tk_json_string(out, tk_simd_name(tk_simd_active()));
	fputs(",\"cpu_features\":", out);
	tk_json_string(out, tk_simd_cpu_features());
	fputs(",\"mpi\":", out);
	tk_json_string(out, tk_comm_library());
	fputs(",\"openmp\":", out);
	tk_json_string(out, tk_omp_version());
	fputs(",\"host\":", out);
	tk_json_string(out, tk_sys_host());
	fprintf(out, ",\"cores\":%d,\"ranks\":%d,\"threads\":%d,", tk_sys_cores(), ctx->ranks,
	        ctx->threads);
	if (tk_world_collected()) {
		fputs("\"world\":", out);
		tk_world_json(out);
		fputc(',', out);
	}
	fputs("\"argv\":[", out);
	for (int i = 0; i < ctx->argc; i++) {
		fputs(i ? "," : "", out);
		tk_json_string(out, ctx->argv[i]);
	}
	fputs("],\"env\":", out);
	json_env(out);
	fputs("}}\n", out);
}

static void csv_name(FILE *out, const tk_field *f)
{
	fputs(f->name, out);
	if (f->unit) {
		fputc('_', out);
		for (const char *u = f->unit; *u; u++)
			fputc(*u == '/' ? 'p' : *u, out); /* GB/s -> GBps */
	}
}

static void csv_value(FILE *out, const tk_field *f)
{
	switch (f->type) {
	case TK_F_U64: fprintf(out, "%llu", (unsigned long long)f->u); break;
	case TK_F_HEX: fprintf(out, "%016llx", (unsigned long long)f->u); break;
	case TK_F_I64: fprintf(out, "%lld", (long long)f->i); break;
	case TK_F_F64: fprintf(out, "%.17g", f->f); break;
	case TK_F_STR: fprintf(out, "\"%s\"", f->s); break;
	case TK_F_U64S:
		for (size_t k = 0; k < f->n; k++)
			fprintf(out, "%s%llu", k ? " " : "", (unsigned long long)f->arr[k]);
		break;
	}
}

static void report_csv(const tk_result *r, const tk_run_ctx *ctx, FILE *out)
{
	fputs("command,kernel,mode,ranks,threads,size,size_unit", out);
	for (int i = 0; i < r->nfields; i++) {
		if (r->fields[i].in_digest == TK_FIELD_CHUNK)
			continue;
		fputc(',', out);
		csv_name(out, &r->fields[i]);
	}
	fputs(",verified,digest,kernel_s,kernel_min_s,kernel_avg_s,io_s,wall_s,rate,rate_unit,"
	      "peak_rss_max_bytes,peak_rss_sum_bytes,revision,timestamp\n",
	      out);
	fprintf(out, "%s,%s,%s,%d,%d,%llu,%s", r->command, r->kernel, ctx->mode, ctx->ranks,
	        ctx->threads, (unsigned long long)r->size, r->size_unit);
	for (int i = 0; i < r->nfields; i++) {
		if (r->fields[i].in_digest == TK_FIELD_CHUNK)
			continue;
		fputc(',', out);
		csv_value(out, &r->fields[i]);
	}
	char when[32];
	fprintf(out, ",%s,%016llx,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%s,%llu,%llu,%s,%s\n",
	        r->verified == 1 ? "yes" : r->verified == 0 ? "no" : "n/a",
	        (unsigned long long)r->digest, r->kernel_max, r->kernel_min, r->kernel_avg,
	        r->io_s, tk_now() - ctx->t_start, rate_of(r), r->rate_unit,
	        (unsigned long long)r->rss_max, (unsigned long long)r->rss_sum,
	        tk_build_revision(), utc_now(when, sizeof when));
}

const char *tk_fmt_f64(char *buf, size_t size, double v)
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, size, "%.*g", digits, v);
		if (!isfinite(v) || strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

static void text_value(FILE *out, const tk_field *f)
{
	char num[32];
	switch (f->type) {
	case TK_F_U64: fprintf(out, "%llu", (unsigned long long)f->u); break;
	case TK_F_HEX: fprintf(out, "%016llx", (unsigned long long)f->u); break;
	case TK_F_I64: fprintf(out, "%lld", (long long)f->i); break;
	case TK_F_F64: fputs(tk_fmt_f64(num, sizeof num, f->f), out); break;
	case TK_F_STR: fputs(f->s, out); break;
	case TK_F_U64S:
		for (size_t k = 0; k < f->n && k < 16; k++)
			fprintf(out, "%s%llu", k ? " " : "", (unsigned long long)f->arr[k]);
		if (f->n > 16)
			fprintf(out, " ... (%zu values)", f->n);
		break;
	}
	if (f->unit)
		fprintf(out, " %s", f->unit);
}

static void report_text(const tk_result *r, const tk_run_ctx *ctx, FILE *out)
{
	fprintf(out, "toolkit %s %s: %s mode, %d rank%s x %d thread%s, %llu %s\n", r->command,
	        r->kernel, ctx->mode, ctx->ranks, ctx->ranks == 1 ? "" : "s", ctx->threads,
	        ctx->threads == 1 ? "" : "s", (unsigned long long)r->size, r->size_unit);
	for (int i = 0; i < r->nfields; i++) {
		if (r->fields[i].in_digest == TK_FIELD_CHUNK)
			continue;
		fprintf(out, "  %-14s ", r->fields[i].name);
		text_value(out, &r->fields[i]);
		fputc('\n', out);
	}
	fprintf(out, "  %-14s %s%s%s\n", "verified",
	        r->verified == 1 ? "yes" : r->verified == 0 ? "NO" : "n/a",
	        r->verification[0] ? ": " : "", r->verification);
	fprintf(out, "  %-14s %016llx\n", "digest", (unsigned long long)r->digest);
	fprintf(out, "  %-14s %.6f s kernel (max over ranks; min %.6f, avg %.6f)", "time",
	        r->kernel_max, r->kernel_min, r->kernel_avg);
	if (r->io_s > 0)
		fprintf(out, ", %.6f s I/O", r->io_s);
	fprintf(out, ", %.3f s wall\n", tk_now() - ctx->t_start);
	if (r->comm_on && ctx->ranks > 1) {
		/* the whole run's, waiting for other ranks included (not only the kernel's) */
		fprintf(out, "  %-14s %.6f s in the comm layer (max over ranks, waits included)",
		        "communication", r->comm_total_s);
		const char *sep = ": ";
		for (int i = 0; i < TK_COMM_NKINDS; i++)
			if (r->comm_s[i] > 0) {
				fprintf(out, "%s%s %.6f", sep, tk_comm_kind_names[i], r->comm_s[i]);
				sep = ", ";
			}
		fputc('\n', out);
	}
	fprintf(out, "  %-14s %.4g %s (%.4g per worker)\n", "rate", rate_of(r), r->rate_unit,
	        rate_of(r) / (ctx->ranks * ctx->threads));
	fprintf(out, "  %-14s %.1f MiB peak resident, max over %d rank%s (sum %.1f MiB)\n",
	        "memory", (double)r->rss_max / 1048576.0, ctx->ranks, ctx->ranks == 1 ? "" : "s",
	        (double)r->rss_sum / 1048576.0);
}

int tk_report(tk_result *r, const tk_run_ctx *ctx)
{
	r->digest = tk_result_digest(r);
	gather_memory(r);
	if (tk_comm_rank() != 0)
		return 0;
	FILE *out = stdout;
	switch (ctx->format) {
	case TK_FMT_JSON: report_json(r, ctx, out); break;
	case TK_FMT_CSV: report_csv(r, ctx, out); break;
	case TK_FMT_TEXT: report_text(r, ctx, out); break;
	}
	if (fflush(out) != 0 || ferror(out))
		return tk_error_set(TK_EIO, "cannot write the report to standard output");
	return 0;
}

/* ---- progress ---------------------------------------------------------------- */

static struct {
	int on;
	const char *label;
	uint64_t total, done;
	double t0, last;
} prog;

void tk_progress_begin(const tk_run_ctx *ctx, const char *label, uint64_t local_total)
{
	prog.on = ctx && ctx->progress && tk_comm_rank() == 0 && isatty(2) && local_total;
	prog.label = label;
	prog.total = local_total;
	prog.done = 0;
	prog.t0 = prog.last = tk_now();
}

void tk_progress_add(uint64_t n)
{
	tk_world_sample(); /* where this thread runs, seen inside the kernel */
	if (!prog.on)
		return;
	uint64_t done;
#pragma omp atomic capture
	done = prog.done += n;
	if (tk_thread_id() != 0)
		return;
	double t = tk_now();
	if (t - prog.last < 0.5)
		return;
	prog.last = t;
	double frac = (double)done / (double)prog.total;
	double eta = frac > 0 ? (t - prog.t0) * (1 - frac) / frac : 0;
	fprintf(stderr, "\r%s: %5.1f%%  %.0f s left ", prog.label, 100.0 * frac, eta);
	fflush(stderr);
}

void tk_progress_end(void)
{
	if (prog.on && prog.last > prog.t0)
		fprintf(stderr, "\r%*s\r", 60, "");
	prog.on = 0;
}
