/*
 * cmd_reduce.c: `toolkit reduce`: options, the kernel run, the report.
 * The model (stats or membw) is looked up in the kernel registry; this file knows no
 * mode.
 */
#include <string.h>

#include "core/cmd.h"
#include "reduce/stream.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/kernel.h"
#include "tk/reduce.h"
#include "tk/tk.h"

/* Turn the parsed strings into parameters; the same verdict on every rank. */
static int finish_params(tk_reduce_params *p, const char *input, int raw, int column_given,
                         int generate_given, const char *ops, const char *range,
                         int hist_opts_given, int memory_given, int is_stats)
{
	if (!is_stats) {
		TK_REQUIRE(!input && !generate_given && !ops && !range && !hist_opts_given,
		           TK_EUSAGE, "reduce: --model membw takes no input or --ops/--bins/--range");
		return 0;
	}
	TK_REQUIRE(!(input && generate_given), TK_EUSAGE,
	           "reduce: give either --input FILE or --generate N, not both");
	TK_REQUIRE(input || generate_given, TK_EUSAGE,
	           "reduce: no data: give --input FILE (.npy, .csv, raw float64) or --generate N");
	if (input) {
		p->src.path = input;
		p->src.kind = raw ? TK_SRC_RAW : tk_source_kind_of(input);
	} else {
		p->src.kind = TK_SRC_GENERATE;
	}
	TK_REQUIRE(!column_given || p->src.kind == TK_SRC_CSV, TK_EUSAGE,
	           "reduce: --column applies only to CSV input (.csv or .txt)");
	TK_REQUIRE(!raw || input, TK_EUSAGE, "reduce: --raw needs --input FILE");
	TK_REQUIRE(!memory_given || p->src.kind == TK_SRC_NPY || p->src.kind == TK_SRC_RAW,
	           TK_EUSAGE, "reduce: --memory applies to .npy and raw input (CSV and "
	           "--generate are held in memory)");
	if (ops)
		TK_CHECK(tk_reduce_parse_ops(ops, &p->opts.ops));
	if (range) {
		TK_CHECK(tk_reduce_parse_range(range, &p->opts.lo, &p->opts.hi));
		p->opts.range_given = 1;
	}
	TK_REQUIRE(!(hist_opts_given || range) || (p->opts.ops & TK_RED_HIST), TK_EUSAGE,
	           "reduce: --bins/--range need hist in --ops (e.g. --ops all)");
	return tk_reduce_opts_check(&p->opts);
}

int tk_cmd_reduce(int argc, char **argv, tk_run_ctx *ctx)
{
	tk_reduce_params p;
	tk_reduce_params_default(&p);
	int model = 0, dist = 0, strategy = 0, raw = 0, column = 0, ddof = 1;
	int column_given = 0, generate_given = 0, bins_given = 0, memory_given = 0;
	uint64_t bins = p.opts.bins, seed = p.src.seed, count = 0;
	const char *input = NULL, *ops = NULL, *range = NULL;
	const char *const *models = tk_kernel_names("reduce");
	const tk_opt opts[] = {
		{"model", TK_OPT_CHOICE, &model, "M",
		 "stats (default) or membw (read bandwidth alone)", models, 0, 0, 0, NULL, 0, 0},
		{"input", TK_OPT_STR, &input, "FILE",
		 "array to reduce: .npy (<f8 <f4 <i4 <i8 u1), .csv/.txt, else raw float64", NULL, 0,
		 0, 0, NULL, 0, 0},
		{"raw", TK_OPT_FLAG, &raw, NULL, "read --input as raw little-endian float64", NULL,
		 0, 0, 0, NULL, 0, 0},
		{"column", TK_OPT_INT, &column, "K", "CSV: the 0-based column (default 0)", NULL, 0,
		 1e6, 0, &column_given, 0, 0},
		{"generate", TK_OPT_U64, &count, "N", "reduce N generated values, e.g. 1e8", NULL, 0,
		 0, 0, &generate_given, 1, TK_REDUCE_MAX_VALUES},
		{"dist", TK_OPT_CHOICE, &dist, "D", "generated values: uniform (default) or normal",
		 tk_dist_names, 0, 0, 0, NULL, 0, 0},
		{"seed", TK_OPT_U64, &seed, "S", "generator seed (default 1)", NULL, 0, 0, 0, NULL, 0,
		 0},
		{"ops", TK_OPT_STR, &ops, "LIST",
		 "sum,min,max,mean,var,std,hist or all (default: all but hist)", NULL, 0, 0, 0,
		 NULL, 0, 0},
		{"bins", TK_OPT_U64, &bins, "B", "histogram bins (default 256)", NULL, 0, 0, 0,
		 &bins_given, 1, TK_REDUCE_MAX_BINS},
		{"range", TK_OPT_STR, &range, "LO:HI",
		 "histogram range (default: the data's min:max)", NULL, 0, 0, 0, NULL, 0, 0},
		{"ddof", TK_OPT_INT, &ddof, "D", "var divides by count - D (0 or 1, default 1)", NULL,
		 0, 1, 0, NULL, 0, 0},
		{"skip-nan", TK_OPT_FLAG, &p.opts.skip_nan, NULL,
		 "leave NaNs out of every statistic (default: they propagate, as numpy)", NULL, 0, 0,
		 0, NULL, 0, 0},
		{"strategy", TK_OPT_CHOICE, &strategy, "S",
		 "hist and sum updates: private (default), atomic or critical", tk_reduce_strategy_names,
		 0, 0, 0, NULL, 0, 0},
		{"memory", TK_OPT_U64, &p.memory, "BYTES",
		 "per rank for a .npy/raw file's values, e.g. 512Mi, 4Gi; a larger slice is "
		 "streamed in windows (default: half the available memory over the node's ranks)",
		 NULL, 0, 0, 0, &memory_given, TK_REDUCE_MEMORY_MIN, (uint64_t)1 << 50},
		{"membw", TK_OPT_FLAG, &p.membw, NULL,
		 "also measure the read bandwidth and report the fraction reached", NULL, 0, 0, 0,
		 NULL, 0, 0},
		{"membw-bytes", TK_OPT_U64, &p.membw_bytes, "B",
		 "bandwidth array per rank (default max(4 x LLC, 1 GiB))", NULL, 0, 0, 0,
		 NULL, (uint64_t)1 << 20, (uint64_t)1 << 50},
		{"membw-reps", TK_OPT_INT, &p.membw_reps, "R", "bandwidth: best of R runs (default 5)",
		 NULL, 1, 1000, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	int rc = tk_cli_begin(ctx, "reduce",
	                      "(--input FILE | --generate N) [--ops LIST] [--bins B --range LO:HI]",
	                      argc, argv, opts, NULL, 0, NULL);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	p.src.column = column;
	p.src.count = count;
	p.src.dist = (tk_dist)dist;
	p.src.seed = seed;
	p.opts.bins = (uint32_t)bins;
	p.opts.ddof = ddof;
	p.opts.strategy = (tk_strategy)strategy;
	int is_stats = strcmp(models[model], "stats") == 0;
	rc = tk_error_agree(finish_params(&p, input, raw, column_given, generate_given, ops,
	                                  range, bins_given, memory_given, is_stats));
	if (rc < 0)
		return rc;

	tk_result r;
	rc = tk_cli_run(ctx, "reduce", models[model], tk_args_reduce(&p), &r);
	if (rc == 0)
		rc = tk_cli_verdict(&r);
	tk_result_free(&r);
	return rc > 0 ? 0 : rc;
}
