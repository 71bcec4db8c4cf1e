/*
 * bench.h: what the modules of `toolkit bench` share (private to src/bench/).
 *
 * The modules: plan.c (options, kernels, the configurations to run), launch.c (the
 * launchers bench knows, spawning a run with a timeout in its own process group, the
 * interleaved schedule), parse.c (the record a run prints), stats.c (medians, the
 * interval, speedup, efficiency, Karp-Flatt, the digest each row must give), output.c
 * (the table, the CSV and JSON documents, written atomically), plot.c (charts through
 * scripts/plot), study.c and study_io.c (the --compare study) with fixture.c (its inputs),
 * cmd_bench.c (the command).
 * One bench struct holds the plan and every configuration's runs; each module reads it
 * and fills its own fields.
 */
#ifndef TK_BENCH_H
#define TK_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "tk/cli.h" /* tk_mode_names, TK_MODE_*: the one list of modes */
#include "tk/kernel.h"
#include "tk/simd.h"
#include "tk/stats.h"

#define MAX_KERNELS 32
#define MAX_WORKERS 64
#define MAX_RUNS 100
#define MAX_CONFIGS 512
#define MAX_ARGS 96

extern const char *const bench_scalings[];

/* The launchers bench knows, told apart by name and else by what `--version` says:
 * each understands different options (DESIGN.md section 2, any MPI). */
enum { L_OTHER, L_OPENMPI, L_HYDRA, L_SRUN };

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
	double comm_s;   /* time in the comm layer, max over ranks (NaN: not reported) */
	double comm_share; /* comm_s / the run's own wall time (time.wall_s) */
	int hosts;       /* hosts the run's ranks ran on (0: not reported) */
} run_out;

typedef struct config {
	const tk_kernel *k;
	int mode, ranks, threads, workers;
	int simd;          /* TK_SIMD_*: passed to the runs as --simd NAME */
	uint64_t size;
	const char *extra; /* options for this configuration only (e.g. --strategy atomic) */
	const char *label; /* shown after the mode when set (e.g. "atomic") */
	const char *launcher; /* this configuration's MPI launcher, when not bench's own */
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
	double comm_s;      /* median of the runs' time in the comm layer (NaN: none) */
	double comm_share;  /* median of the runs' comm_s / their own wall time */
	int hosts;          /* hosts its runs spanned (the most seen; 0: not reported) */
} config;

typedef struct bench {
	const char *kernels[MAX_KERNELS];
	int nkernels;
	int workers[MAX_WORKERS], nworkers;
	int modes[TK_NMODES];
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

/* a configuration during which other processes took this share of the machine's CPU
 * time is marked busy: its timings are not to be trusted */
#define BUSY_SHARE 0.10
/* likewise when the hypervisor stole this share of the CPU time (a virtual machine whose
 * host is overcommitted: the runs waited for a CPU that is not there) */
#define STEAL_SHARE 0.05
/* the level asked of the median's confidence interval */
#define CI_LEVEL 0.95

/* width of the table's mode column: wider when rows carry a label (omp/critical) */
extern int bench_mode_w;
/* whether the table shows the vector speedup column (more than one variant) */
extern int bench_lanes_col;
/* where the table goes: stdout for --format text; with json or csv stdout carries the
 * document alone and the table goes to stderr (nowhere with --quiet) */
extern FILE *bench_tab;

/* plan.c: options, kernels and the configurations to run */
int bench_parse_simd(bench *b, const char *s);
int bench_resolve_kernels(bench *b, const char **names, int n, const tk_kernel **out,
                          int *nout);
int bench_setup(bench *b, const char *workers, const char *modes, const char *hybrid);
config *bench_add_config(bench *b, const tk_kernel *k, int mode, int r, int t, int w);
void bench_plan_kernel(bench *b, const tk_kernel *k);

/* launch.c: launchers, one run, the interleaved schedule */
int bench_in_path(const char *cmd);
int bench_launcher_kind(const char *cmd);
int bench_spawn_run(char *const argv[], double timeout, run_out *o);
int bench_spawn_capture(char *const argv[], double timeout, char **out, int *rc, char *err,
                        size_t errn);
void bench_build_argv(const bench *b, const config *c, char **argv, char *store, size_t cap);
void bench_command_line(char *const *argv, char *out, size_t n);
int bench_run_configs(const bench *b, int first, int last);

/* parse.c: what a run printed: out[0, len) its stdout (JSON Lines), err its stderr;
 * fills o's reports, world, timings, verdict, digest, memory, rate and err */
void bench_parse_run(const char *out, size_t len, const char *err, run_out *o);

/* stats.c: a configuration's statistics and the digest it must give */
int bench_finish_config(const bench *b, config *c, const char *serial_digest);
void bench_summarise(bench *b, int first, int last);
const char *bench_reference_digest(const bench *b, int first, int j);

/* output.c: the table, the CSV and JSON documents */
void bench_print_columns(void);
void bench_print_header(const bench *b, const tk_kernel *k);
void bench_print_config(const config *c);
void bench_csv_doc(const bench *b, FILE *f);
void bench_json_doc(const bench *b, FILE *f);
int bench_write_csv(const bench *b, const char *path);
int bench_write_json(const bench *b, const char *path);

/* plot.c: charts */
int bench_run_plot(const bench *b, const char *csv, const char *dir);

/* study.c, study_io.c, study_net.c: the --compare study */
int bench_run_compare(bench *b);
/* cmd_bench.c: run a group of configurations and print their rows */
int bench_run_rows(bench *b, int first, int warn_short);
int bench_run_group(bench *b, int first, const char *title);
int bench_run_io_study(bench *b, FILE *sum);
int bench_run_net_study(bench *b, FILE *sum);

/* fixture.c: the study's inputs and scratch folders */
int bench_make_folder(const char *dir, int n);
int bench_write_pgm(const char *path, int w, int h, uint32_t seed);
void bench_remove_tree(const char *dir);

#endif
