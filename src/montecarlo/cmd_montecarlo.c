/*
 * cmd_montecarlo.c: `toolkit montecarlo`: options, the kernel run, the report.
 * The model is looked up in the kernel registry; this file knows no mode.
 */
#include <string.h>

#include "core/cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/kernel.h"
#include "tk/montecarlo.h"
#include "tk/tk.h"

static const char *const classes[] = {"S", "W", "A", "B", "C", NULL};

/* Options that only some models take: refuse them elsewhere rather than ignore them.
 * With the table's limits, these are all the checks: the kernels trust p. */
static int check_applicable(const char *model, const tk_mc_params *p, int samples_given,
                            int class_given, int option_given, int first_given)
{
	int ep = strcmp(model, "ep") == 0, opt = strcmp(model, "option") == 0;
	TK_REQUIRE(!(opt && p->samples < 2), TK_EUSAGE,
	           "montecarlo: --model option needs at least 2 samples");
	TK_REQUIRE(!(ep && first_given), TK_EUSAGE,
	           "montecarlo: --first-sample does not apply to --model ep (its work is the "
	           "class's NPB batches, verified only as a whole; split a long EP run with "
	           "--checkpoint and --resume)");
	TK_REQUIRE(ep || p->first_sample <= TK_MC_MAX_INDEX - p->samples, TK_EUSAGE,
	           "montecarlo: --first-sample %llu + --samples %llu is past the sample index "
	           "space [0, 2^63)",
	           (unsigned long long)p->first_sample, (unsigned long long)p->samples);
	TK_REQUIRE(!opt || p->first_sample % TK_MC_BLOCK == 0, TK_EUSAGE,
	           "montecarlo: --model option needs --first-sample a multiple of %u = 2^16 "
	           "(its block sums are floating; got %llu)",
	           TK_MC_BLOCK, (unsigned long long)p->first_sample);
	TK_REQUIRE(!(ep && samples_given), TK_EUSAGE,
	           "montecarlo: --samples does not apply to --model ep (its size is set by "
	           "--class S|W|A|B|C)");
	TK_REQUIRE(!(class_given && !ep), TK_EUSAGE,
	           "montecarlo: --class applies only to --model ep");
	TK_REQUIRE(!(option_given && !opt), TK_EUSAGE,
	           "montecarlo: --spot/--strike/--rate/--sigma/--maturity/--put apply only "
	           "to --model option");
	return 0;
}

int tk_cmd_montecarlo(int argc, char **argv, tk_run_ctx *ctx)
{
	tk_mc_params p;
	tk_mc_params_default(&p);
	int model = 0, cls = 0, samples_given = 0, class_given = 0, option_given = 0;
	int every_given = 0, first_given = 0;
	const char *const *models = tk_kernel_names("montecarlo");
	const tk_opt opts[] = {
		{"model", TK_OPT_CHOICE, &model, "M", "what to compute", models, 0, 0, 0, NULL, 0, 0},
		{"samples", TK_OPT_U64, &p.samples, "N",
		 "number of samples, e.g. 1e9 or 2^30 (default 2^26)", NULL, 0, 0, 0,
		 &samples_given, 1, TK_MC_MAX_SAMPLES},
		{"first-sample", TK_OPT_U64, &p.first_sample, "K",
		 "pi, option: draw samples [K, K + N) of the one index space, so chunks of a "
		 "long run can be merged (toolkit merge); option: K a multiple of 2^16 (default 0)",
		 NULL, 0, 0, 0, &first_given, 0, TK_MC_MAX_INDEX - 1},
		{"seed", TK_OPT_U64, &p.seed, "S", "random seed (default 42)", NULL, 0, 0, 0, NULL, 0,
		 0},
		{"class", TK_OPT_CHOICE, &cls, "C", "NPB EP problem class (default S)", classes, 0,
		 0, 0, &class_given, 0, 0},
		{"spot", TK_OPT_F64, &p.spot, "S0", "option: spot price (default 100)", NULL, 0, 0,
		 1, &option_given, 0, 0},
		{"strike", TK_OPT_F64, &p.strike, "K", "option: strike (default 100)", NULL, 0, 0,
		 1, &option_given, 0, 0},
		{"rate", TK_OPT_F64, &p.rate, "R", "option: risk-free rate (default 0.05)", NULL, 0,
		 0, 0, &option_given, 0, 0},
		{"sigma", TK_OPT_F64, &p.sigma, "V", "option: volatility (default 0.2)", NULL, 0, 0,
		 1, &option_given, 0, 0},
		{"maturity", TK_OPT_F64, &p.maturity, "T", "option: years to maturity (default 1)",
		 NULL, 0, 0, 1, &option_given, 0, 0},
		{"put", TK_OPT_FLAG, &p.put, NULL, "option: price a put instead of a call", NULL, 0,
		 0, 0, &option_given, 0, 0},
		{"checkpoint", TK_OPT_STR, &p.checkpoint, "FILE",
		 "write the run's state to FILE (FILE.prev keeps the one before) every "
		 "--checkpoint-every seconds, at the end, and on SIGTERM/SIGUSR1 (then exit "
		 "128+signal)", NULL, 0, 0, 0, NULL, 0, 0},
		{"checkpoint-every", TK_OPT_F64, &p.checkpoint_every, "SECONDS",
		 "seconds between checkpoints (default 60; 0: after every epoch)", NULL, 0, 1e9, 0,
		 &every_given, 0, 0},
		{"resume", TK_OPT_STR, &p.resume, "FILE",
		 "continue the run checkpointed in FILE (same model and parameters; any ranks x "
		 "threads)", NULL, 0, 0, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	int rc = tk_cli_begin(ctx, "montecarlo", "[--model pi|option|ep] [options]", argc,
	                      argv, opts, NULL, 0, NULL);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	p.ep_class = classes[cls][0];
	rc = tk_error_agree(
		check_applicable(models[model], &p, samples_given, class_given, option_given,
		                 first_given));
	if (rc < 0)
		return rc;
	rc = tk_error_agree(every_given && !p.checkpoint
	                            ? tk_error_set(TK_EUSAGE, "montecarlo: --checkpoint-every "
	                                                      "needs --checkpoint FILE")
	                            : 0);
	if (rc < 0)
		return rc;

	tk_result r;
	rc = tk_cli_run(ctx, "montecarlo", models[model], tk_args_mc(&p), &r);
	if (rc == 0)
		rc = tk_cli_verdict(&r);
	tk_result_free(&r);
	return rc > 0 ? 0 : rc;
}
