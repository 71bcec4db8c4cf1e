/*
 * report.h: one result record per run and the one module that prints it, as a short
 * human report, JSON Lines (--format json) or CSV (--format csv).
 *
 * Rule: kernels fill a tk_result with named, typed fields; nothing else in the toolkit
 * formats results.  Fields flagged as part of the result feed the digest (FNV-1a 64 of
 * their exact bits), so two runs agree bitwise exactly when their digests agree.
 * A result owns its arrays (tk_result_free releases them), so nothing it reports
 * lives in a kernel's statics after the kernel returns.  Only rank 0 prints.
 */
#ifndef TK_REPORT_H
#define TK_REPORT_H

#include <stdint.h>
#include <stdio.h>

#define TK_RESULT_MAX_FIELDS 48
#define TK_FIELD_CHUNK 2

typedef enum tk_format { TK_FMT_TEXT, TK_FMT_JSON, TK_FMT_CSV } tk_format;
typedef enum tk_ftype { TK_F_U64, TK_F_I64, TK_F_F64, TK_F_STR, TK_F_U64S, TK_F_HEX } tk_ftype;

typedef struct tk_field {
	const char *name; /* snake_case, also the JSON key and CSV column */
	const char *unit; /* appended to the CSV column name, e.g. "s" -> time_s; or NULL */
	tk_ftype type;
	int in_digest;    /* part of the result (1), context such as a reference (0), or
	                   * TK_FIELD_CHUNK: a chunked run's state (JSON only, below) */
	uint64_t u;
	int64_t i;
	double f;
	char s[128];
	uint64_t *arr;    /* TK_F_U64S: owned by the result (tk_result_free) */
	size_t n;
} tk_field;

typedef struct tk_result {
	const char *command; /* "montecarlo" */
	const char *kernel;  /* "pi" */
	uint64_t size;       /* problem size in size_unit */
	const char *size_unit;
	tk_field fields[TK_RESULT_MAX_FIELDS];
	int nfields;
	int verified;        /* 1 passed, 0 failed, -1 not checked */
	char verification[256];
	double kernel_max, kernel_min, kernel_avg; /* seconds, over ranks */
	double io_s;         /* input/output seconds outside the kernel, or 0 */
	double work;         /* units of work done, for the rate (e.g. samples) */
	const char *rate_unit; /* "samples/s", "Mop/s", "GB/s": rate = work / kernel_max */
	double rate_scale;   /* rate = work / kernel_max / rate_scale (1e6 for Mop/s) */
	uint64_t digest;
	/* time in the comm layer during the kernel, per kind (tk_comm_kind) and in all,
	 * each the max over ranks; comm_on: measured (every run through tk_cli_run) */
	double comm_s[8], comm_total_s;
	int comm_on;
	uint64_t skipped;    /* items left out after an I/O error (filter's folders and lists:
	                      * each said why on stderr); the run then exits 3 */
	uint64_t rss_max, rss_sum; /* peak resident bytes: max and sum over ranks (tk_report) */
} tk_result;

/* The run's context, filled by the command front end (main.c). */
typedef struct tk_run_ctx {
	int ranks, threads;
	const char *mode;  /* serial, omp, mpi, hybrid */
	tk_format format;
	int progress;      /* rank 0, stderr is a terminal, not --quiet */
	int placement;     /* --placement: print the map of ranks and threads */
	int argc;
	char **argv;
	double t_start;    /* tk_now() at process start, for wall time */
	int defer_oversub; /* set before tk_cli_begin by a command that knows only later
	                    * whether its work waits (filter's URL lists): it then calls
	                    * tk_cli_oversub_warning itself */
	int dry_run;       /* tk_cli_run stops before the kernel: the options are checked
	                    * as for a run, nothing runs (the registry's tests) */
} tk_run_ctx;

/* An empty result; r holds nothing to free (a used one goes through tk_result_free). */
void tk_result_init(tk_result *r, const char *command, const char *kernel);
/* Release the arrays r owns; r keeps its other fields, its arrays become empty. */
void tk_result_free(tk_result *r);
void tk_result_u64(tk_result *r, const char *name, uint64_t v);
void tk_result_i64(tk_result *r, const char *name, int64_t v);
void tk_result_f64(tk_result *r, const char *name, double v);
void tk_result_str(tk_result *r, const char *name, const char *v);
/* A 64-bit hash, part of the result, printed as 16 hex digits like the digest. */
void tk_result_hex(tk_result *r, const char *name, uint64_t v);
/* An array field holding a copy of v[0..n): 0, or TK_ENOMEM (recorded) with no field
 * added. */
int tk_result_u64s(tk_result *r, const char *name, const uint64_t *v, size_t n);
/* An array field that takes v (from tk_alloc) over: r frees it, the caller must not. */
void tk_result_u64s_own(tk_result *r, const char *name, uint64_t *v, size_t n);
/* Context fields: printed, not part of the digest (references, tolerances). */
void tk_result_ref_f64(tk_result *r, const char *name, double v);
void tk_result_ref_str(tk_result *r, const char *name, const char *v);
/* Chunk fields: what `toolkit merge` needs to combine chunked runs exactly (the index
 * range, the parameters, the exact state).  Printed only in JSON, as the record's
 * "chunk" object after "reference"; not part of the digest, not in text or CSV. */
void tk_result_chunk_u64(tk_result *r, const char *name, uint64_t v);
void tk_result_chunk_f64(tk_result *r, const char *name, double v);
/* An array chunk field that takes v (from tk_alloc) over, as tk_result_u64s_own. */
void tk_result_chunk_u64s_own(tk_result *r, const char *name, uint64_t *v, size_t n);
/* Unit of the last field added (for CSV column names and the text report). */
void tk_result_unit(tk_result *r, const char *unit);
/* Set verification outcome with a short explanation. */
void tk_result_verify(tk_result *r, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Collective: set kernel_max/min/avg from each rank's local kernel seconds. */
void tk_result_time(tk_result *r, double local_seconds);
/* Compute the digest over the result fields (called by tk_report; exposed for tests). */
uint64_t tk_result_digest(const tk_result *r);

/* The source revision the binary was built from (git describe), or "unknown". */
const char *tk_build_revision(void);

/* Collective (gathers each rank's peak resident memory), then prints on rank 0 in the
 * run's format; returns 0, or TK_EIO if stdout failed. */
int tk_report(tk_result *r, const tk_run_ctx *ctx);

/* The shortest of %.15g, %.16g and %.17g that reads back to the same double (text
 * output: 0.1 stays 0.1, 1e16 + 4 prints as 10000000000000004).  Returns buf. */
const char *tk_fmt_f64(char *buf, size_t size, double v);

/* Write s as a JSON string literal (quoted, escaped). */
void tk_json_string(FILE *out, const char *s);

/* Progress on stderr for long runs: shown only on rank 0 when stderr is a terminal and
 * the run allows it.  add() is thread-safe and cheap; only thread 0 prints, at most
 * twice a second. */
void tk_progress_begin(const tk_run_ctx *ctx, const char *label, uint64_t local_total);
void tk_progress_add(uint64_t n);
void tk_progress_end(void);

#endif
