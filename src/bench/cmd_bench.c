/*
 * cmd_bench.c: `toolkit bench`, the driver that compares modes and worker counts.
 *
 * Rule: every configuration runs as its own process (`[launcher -np R] toolkit KERNEL
 * --threads T --format json`), so the launch cost is measured as well as the kernel;
 * each is repeated (hyperfine's minimums: at least 5 runs and 1 s), every run must
 * verify and print the serial run's digest, and a run that fails, times out or
 * disagrees is shown as such and makes bench exit non-zero.  Bench never hangs: each
 * run has a timeout and is killed with its whole process group when it passes.
 *
 * The command: options, then plan (plan.c), run (launch.c), statistics (stats.c) and
 * output (output.c) per kernel, or the study (study.c); see bench/bench.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "bench/bench.h"
#include "core/cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"

/* Run configurations [first, b->ncfg) round robin, then finish and print each row
 * (serial first: the others' reference); a failed row makes bench's status a failure.
 * With warn_short, a kernel time too short to measure well gets a warning. */
int bench_run_rows(bench *b, int first, int warn_short)
{
	double res = tk_timer_resolution();
	TK_CHECK(bench_run_configs(b, first, b->ncfg));
	for (int j = first; j < b->ncfg; j++) {
		config *c = &b->cfg[j];
		TK_CHECK(bench_finish_config(b, c, bench_reference_digest(b, first, j)));
		bench_summarise(b, first, j + 1);
		bench_print_config(c);
		fflush(bench_tab);
		if (c->failed || !c->verified || !c->identical)
			b->status = TK_EVERIFY;
		if (warn_short && c->kst.n && (c->kst.median < 1e-3 || c->kst.median < 20 * res))
			fprintf(stderr,
			        "bench: warning: %s.%s %s %dx%d: kernel time %.3g s is too short "
			        "to measure well (give a larger --size)\n",
			        c->k->command, c->k->name, tk_mode_names[c->mode], c->ranks, c->threads,
			        c->kst.median);
	}
	return 0;
}

static int run_all(bench *b, const tk_kernel **ks, int nk)
{
	for (int i = 0; i < nk; i++) {
		int first = b->ncfg;
		bench_plan_kernel(b, ks[i]);
		bench_print_header(b, ks[i]);
		TK_CHECK(bench_run_rows(b, first, 1));
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
		 "strong: fixed size; weak: size grows with workers", bench_scalings, 0, 0, 0, NULL, 0, 0},
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
	bench_tab = stdout;
	if (rc == 0 && ctx->format != TK_FMT_TEXT)
		bench_tab = ctx->progress ? stderr : fopen("/dev/null", "w");
	if (!bench_tab)
		rc = tk_error_agree(tk_error_set(TK_EIO, "bench: cannot open /dev/null"));
	if (rc == 0) {
		b->nsimd = 1;
		b->simds[0] = tk_simd_active();
		if (simd)
			rc = tk_error_agree(bench_parse_simd(b, simd));
		bench_lanes_col = b->nsimd > 1;
	}
	const tk_kernel *ks[MAX_KERNELS];
	int nk = 0;
	if (rc == 0)
		rc = tk_error_agree(bench_resolve_kernels(b, pos, npos, ks, &nk));
	if (rc == 0)
		rc = tk_error_agree(bench_setup(b, workers, modes, hybrid));
	if (rc == 0 && !b->compare) {
		fprintf(bench_tab, "toolkit bench: %d core%s, %s, %s scaling, launcher '%s'\n", tk_sys_cores(),
		       tk_sys_cores() == 1 ? "" : "s", tk_sys_cpu_model(), bench_scalings[b->scaling],
		       b->have_mpi ? b->launcher : "none");
		rc = tk_error_agree(run_all(b, ks, nk));
	} else if (rc == 0) {
		rc = tk_error_agree(bench_run_compare(b));
	}
	if (rc == 0 && ctx->format == TK_FMT_JSON)
		bench_json_doc(b, stdout);
	if (rc == 0 && ctx->format == TK_FMT_CSV)
		bench_csv_doc(b, stdout);
	if (rc == 0 && b->csv)
		rc = tk_error_agree(bench_write_csv(b, b->csv));
	if (rc == 0 && b->json)
		rc = tk_error_agree(bench_write_json(b, b->json));
	if (rc == 0 && b->plot) {
		char csv[4200];
		if (b->csv) {
			snprintf(csv, sizeof csv, "%s", b->csv);
		} else {
			mkdir(b->plot, 0777);
			snprintf(csv, sizeof csv, "%s/bench.csv", b->plot);
			rc = tk_error_agree(bench_write_csv(b, csv));
		}
		if (rc == 0)
			rc = tk_error_agree(bench_run_plot(b, csv, b->plot));
	}
	if (bench_tab)
		fflush(bench_tab); /* the table before the warnings below */
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
	if (bench_tab && bench_tab != stdout && bench_tab != stderr)
		fclose(bench_tab);
	free(b->cfg);
	free(b);
	return rc > 0 ? 0 : rc;
}
