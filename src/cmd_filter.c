/*
 * cmd_filter.c: `toolkit filter`: options, the run (one image or a folder), the report.
 * The kernel is looked up in the registry; this file knows no mode.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/filter_run.h"
#include "tk/image.h"
#include "tk/kernel.h"
#include "tk/tk.h"

/* One decimal part of WxH[xC]: digits only, at most `max` (so 4294967297 cannot wrap). */
static const char *size_part(const char *p, uint64_t max, uint64_t *v)
{
	*v = 0;
	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		*v = *v * 10 + (uint64_t)(*p - '0');
		if (*v > max)
			return NULL;
	}
	return p;
}

/* "WxH" or "WxHxC": whole numbers, nothing after them */
static int parse_generate(const char *s, tk_filter_job *job)
{
	uint64_t w = 0, h = 0, c = 1;
	const char *p = size_part(s, TK_IMAGE_MAX_DIM, &w);
	if (p && *p == 'x')
		p = size_part(p + 1, TK_IMAGE_MAX_DIM, &h);
	else
		p = NULL;
	if (p && *p == 'x')
		p = size_part(p + 1, 4, &c);
	TK_REQUIRE(p && *p == '\0' && w > 0 && h > 0 && c >= 1 && c <= 4, TK_EUSAGE,
	           "filter: --generate '%s' is not WIDTHxHEIGHT[xCHANNELS] (sides 1 to %u, "
	           "channels 1 to 4)",
	           s, TK_IMAGE_MAX_DIM);
	job->gen_width = (uint32_t)w;
	job->gen_height = (uint32_t)h;
	job->gen_channels = (int)c;
	return 0;
}

/* --generate: the input and output images must fit in memory together, checked before
 * anything is generated (a 60000x60000x4 image was generated, then refused) */
static int check_generate_memory(const tk_filter_job *job, const char *generate)
{
	char name[96];
	snprintf(name, sizeof name, "filter: --generate %s", generate);
	uint64_t w = job->gen_width, h = job->gen_height;
	TK_CHECK(tk_image_check_size(name, w, h, job->gen_channels));
	int co = tk_filter_channels_out(&job->chain, job->gen_channels);
	uint64_t bytes = w * h * (uint64_t)(job->gen_channels + co), avail = tk_mem_available();
	TK_REQUIRE(avail == 0 || bytes <= avail, TK_ENOMEM,
	           "%s: the input and output images need %.1f MiB, more than the %.1f MiB of "
	           "memory available",
	           name, bytes / 1048576.0, avail / 1048576.0);
	return 0;
}

/* Everything that can be checked without touching a file (same verdict on every rank). */
static int check_options(tk_filter_job *job, const char *generate, tk_filter_params *p)
{
	TK_REQUIRE(job->filters, TK_EUSAGE, "filter: --filter is required (valid: %s)",
	           tk_filter_names());
	TK_REQUIRE(!job->input != !generate, TK_EUSAGE,
	           "filter: give exactly one of --input FILE|FOLDER and --generate WxH");
	if (generate)
		TK_CHECK(parse_generate(generate, job));
	TK_CHECK(tk_filter_chain_init(&job->chain, job->filters, p));
	return generate ? check_generate_memory(job, generate) : 0;
}

/* Rank 0 looks, everyone hears: is the input a folder? */
static int input_is_folder(const char *input)
{
	int64_t v = 0;
	struct stat st;
	if (tk_comm_rank() == 0 && input && stat(input, &st) == 0 && S_ISDIR(st.st_mode))
		v = 1;
	tk_comm_bcast(&v, sizeof v, 0);
	return (int)v;
}

int tk_cmd_filter(int argc, char **argv, tk_run_ctx *ctx)
{
	static tk_filter_job job; /* large (the chain's kernels): not on the stack */
	tk_filter_params p = TK_FILTER_PARAMS_INIT;
	const char *generate = NULL;
	int failed = 0;
	memset(&job, 0, sizeof job);
	job.seed = 42;
	job.failed = &failed;
	const tk_opt opts[] = {
		{"filter", TK_OPT_STR, &job.filters, "F[,F...]",
		 "filters applied in order: gaussian, box, sobel, sharpen, median, gray, invert, "
		 "threshold",
		 NULL, 0, 0, 0, NULL},
		{"input", TK_OPT_STR, &job.input, "PATH",
		 "image file (PNG, PGM/PPM) or folder of images", NULL, 0, 0, 0, NULL},
		{"output", TK_OPT_STR, &job.output, "PATH",
		 "output file (format from its extension) or folder; none: digest only", NULL, 0,
		 0, 0, NULL},
		{"sigma", TK_OPT_F64, &p.sigma, "S",
		 "gaussian/sharpen standard deviation in pixels (default 1)", NULL, 0, 100, 1,
		 NULL},
		{"size", TK_OPT_INT, &p.size, "K",
		 "kernel side: gaussian (default from sigma), box (3), median (3 or 5)", NULL, 1,
		 TK_FILTER_MAX_SIZE, 0, NULL},
		{"amount", TK_OPT_F64, &p.amount, "A", "sharpen strength (default 1)", NULL, 0, 100,
		 1, NULL},
		{"level", TK_OPT_INT, &p.level, "L", "threshold: 255 above L, else 0 (default 127)",
		 NULL, 0, 255, 0, NULL},
		{"generate", TK_OPT_STR, &generate, "WxH[xC]",
		 "filter a synthetic image instead of --input (for benchmarks)", NULL, 0, 0, 0,
		 NULL},
		{"seed", TK_OPT_U64, &job.seed, "S", "seed of --generate (default 42)", NULL, 0, 0,
		 0, NULL},
		{"follow-symlinks", TK_OPT_FLAG, &job.follow_links, NULL,
		 "folder mode: also read links that lead out of the input folder", NULL, 0, 0, 0,
		 NULL},
		TK_OPT_END,
	};
	int rc = tk_cli_begin(ctx, "filter",
	                      "--filter F[,F...] --input IN [--output OUT] [options]", argc,
	                      argv, opts, NULL, 0, NULL);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	rc = tk_error_agree(check_options(&job, generate, &p));
	if (rc < 0)
		return rc;

	int folder = input_is_folder(job.input);
	tk_result r;
	rc = tk_cli_run(ctx, "filter", folder ? "folder" : "image", &job, &r);
	if (rc < 0)
		return rc;
	if (failed > 0)
		return TK_EIO; /* each skipped file has had its line on stderr */
	return tk_cli_verdict(&r);
}
