/*
 * output.c: what bench shows and writes: the table (stdout, or stderr when stdout
 * carries a document), the CSV (one row per configuration) and the JSON document
 * (toolkit.bench/1: machine, provenance, every configuration with its runs).
 *
 * Rule: a file is written beside its target and renamed when complete, so a failed or
 * interrupted bench leaves the old file or the whole new one, never half of one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "tk/comm.h"
#include "tk/omp.h"
#include "tk/sysinfo.h"
#include "tk/tk.h"
#include "tk/tmpfile.h"

int bench_mode_w = 7;
int bench_lanes_col;
FILE *bench_tab;

/* ---- output ---------------------------------------------------------------------- */

void bench_print_columns(void)
{
	fprintf(bench_tab, "  %-*s %-6s %-7s %4s  %-30s %-24s %9s %9s %9s %8s %7s %7s", bench_mode_w, "mode",
	        "simd", "R x T", "runs", "kernel s: median [min..max]", "median CI (level)", "sd s",
	        "wall s", "launch s", "speedup", "effic", "K-F e");
	if (bench_lanes_col)
		fprintf(bench_tab, " %7s", "lanes");
	fprintf(bench_tab, " %8s %4s %-4s %-4s %s\n", "mem MiB", "out", "ver", "same", "note");
}

void bench_print_header(const bench *b, const tk_kernel *k)
{
	uint64_t base = b->size_given ? b->size : k->bench_size;
	fprintf(bench_tab, "\n%s.%s: %s%s", k->command, k->name, k->bench_args ? k->bench_args : "",
	       k->size_opt ? "" : "");
	if (k->size_opt)
		fprintf(bench_tab, " --%s %llu%s", k->size_opt, (unsigned long long)base,
		       b->scaling == 1 ? " x workers (weak scaling)" : "");
	fprintf(bench_tab, "%s\n", b->scaling == 1 ? "" : " (strong scaling)");
	bench_print_columns();
}

void bench_print_config(const config *c)
{
	char rt[16], kern[64], mode[32];
	snprintf(rt, sizeof rt, "%dx%d", c->ranks, c->threads);
	snprintf(mode, sizeof mode, "%s%s%s", tk_mode_names[c->mode], c->label ? "/" : "",
	         c->label ? c->label : "");
	const char *simd = tk_simd_name(c->simd);
	if (c->kst.n == 0) {
		fprintf(bench_tab, "  %-*s %-6s %-7s %4d  FAILED: %s\n", bench_mode_w, mode, simd, rt, c->nruns,
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
	fprintf(bench_tab, "  %-*s %-6s %-7s %4d  %-30s %-24s %9.4f %9.4f %9.4f %7.2fx %6.0f%% %7s",
	        bench_mode_w, mode, simd, rt, c->nruns, kern, ci, c->kst.sd, c->wst.median,
	        c->wst.median - c->kst.median, c->speedup, 100 * c->efficiency, kf);
	if (bench_lanes_col && isfinite(c->vec_speedup))
		fprintf(bench_tab, " %6.2fx", c->vec_speedup);
	else if (bench_lanes_col)
		fprintf(bench_tab, " %7s", "-");
	char note[400] = "";
	/* the communication share: time in the comm layer (max over ranks, waiting for
	 * another rank included) / the run's own wall time */
	if (c->ranks > 1 && isfinite(c->comm_share))
		snprintf(note, sizeof note, "comm %.3f s, %.0f%% of the run", c->comm_s,
		         100 * c->comm_share);
	if (c->hosts > 1)
		snprintf(note + strlen(note), sizeof note - strlen(note), "%s%d hosts",
		         note[0] ? ", " : "", c->hosts);
	if (c->oversub && note[0])
		snprintf(note + strlen(note), sizeof note - strlen(note), "; ");
	if (c->oversub)
		snprintf(note + strlen(note), sizeof note - strlen(note), "oversubscribed (%d on %d cores)", c->workers,
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
		fprintf(bench_tab, " %8.1f", c->rss_sum / 1048576.0);
	else
		fprintf(bench_tab, " %8s", "-");
	fprintf(bench_tab, " %4zu %-4s %-4s %s\n", c->kst.outliers, c->verified ? "yes" : "NO",
	        c->identical ? "yes" : "NO", note);
	if (c->failed)
		fprintf(bench_tab, "  %-*s %-6s %-7s       %d of %d runs FAILED: %s\n", bench_mode_w, "", "", "",
		        c->failed, c->nruns, c->error);
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.9g", v);
	else
		fputs(",", f);
}

/* The CSV document: a header and one row per configuration. */
void bench_csv_doc(const bench *b, FILE *f)
{
	fputs("kernel,mode,simd,workers,ranks,threads,size,runs,failed,verified,identical,"
	      "kernel_median_s,kernel_min_s,kernel_max_s,kernel_sd_s,wall_median_s,launch_s,"
	      "speedup,efficiency,karp_flatt,vector_speedup,rate,rate_unit,oversubscribed,"
	      "others_cpu,outliers,digest,peak_rss_max_bytes,peak_rss_sum_bytes,"
	      "worker_busy_min_s,worker_busy_max_s,study,kernel_ci_lo_s,kernel_ci_hi_s,ci_level,"
	      "load_before,load_after,steal_cpu,comm_s,comm_share,hosts\n",
	      f);
	for (int i = 0; i < b->ncfg; i++) {
		const config *c = &b->cfg[i];
		fprintf(f, "%s.%s,%s,%s,%d,%d,%d,%llu,%d,%d,%s,%s", c->k->command, c->k->name,
		        tk_mode_names[c->mode], tk_simd_name(c->simd), c->workers, c->ranks, c->threads,
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
		csv_num(f, c->comm_s);
		csv_num(f, c->comm_share);
		fprintf(f, ",%d", c->hosts);
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
void bench_json_doc(const bench *b, FILE *f)
{
	fprintf(f, "{\"schema\":\"toolkit.bench/1\",\"scaling\":\"%s\",", bench_scalings[b->scaling]);
	json_machine(b, f);
	fputs("\"configs\":[", f);
	for (int i = 0; i < b->ncfg; i++) {
		const config *c = &b->cfg[i];
		fprintf(f, "%s{\"kernel\":\"%s.%s\",\"mode\":\"%s\",\"simd\":\"%s\",\"workers\":%d,"
		           "\"ranks\":%d,\"threads\":%d,\"size\":%llu,\"runs\":%d,\"failed\":%d,"
		           "\"verified\":%s,\"identical\":%s",
		        i ? "," : "", c->k->command, c->k->name, tk_mode_names[c->mode],
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
		json_kv_num(f, "comm_s", c->comm_s, 1);
		json_kv_num(f, "comm_share", c->comm_share, 1);
		fprintf(f, ",\"hosts\":%d", c->hosts);
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

/* Write one document (bench_csv_doc or bench_json_doc) to path through a temporary file
 * (tk_tmp_fopen), so a failed or interrupted bench never leaves a half-written CSV or
 * JSON: the target is either the old file or the whole new one. */
static int write_doc(const bench *b, const char *path, void (*doc)(const bench *, FILE *))
{
	char *tmp;
	FILE *f;
	int rc = tk_tmp_fopen("bench", path, 0666, &f, &tmp);
	if (rc != 0)
		return rc;
	doc(b, f);
	return tk_tmp_fcommit("bench", f, tmp, path, 0);
}
int bench_write_csv(const bench *b, const char *path) { return write_doc(b, path, bench_csv_doc); }
int bench_write_json(const bench *b, const char *path) { return write_doc(b, path, bench_json_doc); }
