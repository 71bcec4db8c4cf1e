/*
 * cmd_filter.c: `toolkit filter`: options, the run (one image or a folder), the report.
 * The kernel is looked up in the registry; this file knows no mode.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/fetch.h"
#include "tk/filter_run.h"
#include "tk/opt.h"
#include "tk/image.h"
#include "tk/kernel.h"
#include "tk/sysinfo.h"
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

/* --schedule static|dynamic[,CHUNK]: CHUNK a whole number of items from 1 to 2^32 */
static int parse_schedule(const char *s, tk_filter_job *job)
{
	const char *comma = strchr(s, ',');
	size_t len = comma ? (size_t)(comma - s) : strlen(s);
	uint64_t chunk = 0;
	int kind = len == 6 && strncmp(s, "static", 6) == 0    ? 1
	           : len == 7 && strncmp(s, "dynamic", 7) == 0 ? 0
	                                                        : -1;
	int ok = kind >= 0 && (!comma || (tk_parse_u64(comma + 1, &chunk) == 0 && chunk >= 1 &&
	                                  chunk <= (uint64_t)1 << 32));
	TK_REQUIRE(ok, TK_EUSAGE,
	           "filter: --schedule '%s': expected static or dynamic, optionally with a chunk "
	           "of 1 to 2^32 items (dynamic,4)",
	           s);
	job->sched_static = kind;
	job->chunk = chunk;
	return 0;
}

enum { IN_IMAGE, IN_FOLDER, IN_LIST };

/* An input file that is neither named nor shaped like an image is a list. */
static int looks_like_list(const char *path)
{
	if (tk_image_known_extension(path))
		return 0;
	unsigned char m[8] = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0; /* the image reader says why */
	size_t got = fread(m, 1, sizeof m, f);
	fclose(f);
	static const unsigned char png_sig[4] = {0x89, 'P', 'N', 'G'};
	int image = (got >= 4 && memcmp(m, png_sig, 4) == 0) ||
	            (got >= 3 && m[0] == 'P' && m[1] >= '1' && m[1] <= '7' &&
	             (m[2] == ' ' || m[2] == '\n' || m[2] == '\r' || m[2] == '\t' || m[2] == '#'));
	return !image;
}

/* Rank 0 looks, everyone hears: is the input an image, a folder or a list? */
static int input_kind(const char *input)
{
	int64_t v = IN_IMAGE;
	struct stat st;
	if (tk_comm_rank() == 0 && input && stat(input, &st) == 0)
		v = S_ISDIR(st.st_mode)                              ? IN_FOLDER
		    : S_ISREG(st.st_mode) && looks_like_list(input) ? IN_LIST
		                                                     : IN_IMAGE;
	tk_comm_bcast(&v, sizeof v, 0);
	return (int)v;
}

int tk_cmd_filter(int argc, char **argv, tk_run_ctx *ctx)
{
	static tk_filter_job job; /* large (the chain's kernels): not on the stack */
	tk_filter_params p = TK_FILTER_PARAMS_INIT;
	const char *generate = NULL, *schedule = NULL;
	tk_fetch_opts fetch = TK_FETCH_OPTS_INIT;
	memset(&job, 0, sizeof job);
	job.seed = 42;
	const tk_opt opts[] = {
		{"filter", TK_OPT_STR, &job.filters, "F[,F...]",
		 "filters applied in order: " TK_FILTER_NAME_LIST,
		 NULL, 0, 0, 0, NULL, 0, 0},
		{"input", TK_OPT_STR, &job.input, "PATH",
		 "image file (PNG, PGM/PPM), folder of images, or list file (one path or http(s) "
		 "URL per line)",
		 NULL, 0, 0, 0, NULL, 0, 0},
		{"output", TK_OPT_STR, &job.output, "PATH",
		 "output file (format from its extension) or folder; none: digest only", NULL, 0,
		 0, 0, NULL, 0, 0},
		{"sigma", TK_OPT_F64, &p.sigma, "S",
		 "gaussian/sharpen standard deviation in pixels (default 1)", NULL, 0, 100, 1,
		 NULL, 0, 0},
		{"size", TK_OPT_INT, &p.size, "K",
		 "kernel side: gaussian (default from sigma), box (3), median (3 or 5)", NULL, 1,
		 TK_FILTER_MAX_SIZE, 0, NULL, 0, 0},
		{"amount", TK_OPT_F64, &p.amount, "A", "sharpen strength (default 1)", NULL, 0, 100,
		 1, NULL, 0, 0},
		{"level", TK_OPT_INT, &p.level, "L", "threshold: 255 above L, else 0 (default 127)",
		 NULL, 0, 255, 0, NULL, 0, 0},
		{"generate", TK_OPT_STR, &generate, "WxH[xC]",
		 "filter a synthetic image instead of --input (for benchmarks)", NULL, 0, 0, 0,
		 NULL, 0, 0},
		{"seed", TK_OPT_U64, &job.seed, "S", "seed of --generate (default 42)", NULL, 0, 0,
		 0, NULL, 0, 0},
		{"follow-symlinks", TK_OPT_FLAG, &job.follow_links, NULL,
		 "folder mode: also read links that lead out of the input folder", NULL, 0, 0, 0,
		 NULL, 0, 0},
		{"schedule", TK_OPT_STR, &schedule, "KIND[,CHUNK]",
		 "folder/list: static (dealt out in advance, like Pool.map) or dynamic (a shared "
		 "queue, first come first served; the default), CHUNK items at a time",
		 NULL, 0, 0, 0, NULL, 0, 0},
		{"timeout", TK_OPT_F64, &fetch.timeout, "S",
		 "list: seconds allowed for one URL transfer (default 30)", NULL, 0, 3600, 1, NULL, 0, 0},
		{"connect-timeout", TK_OPT_F64, &fetch.connect_timeout, "S",
		 "list: seconds allowed to connect (default 5)", NULL, 0, 600, 1, NULL, 0, 0},
		{"retries", TK_OPT_INT, &fetch.retries, "N",
		 "list: further attempts after a connect error, timeout or HTTP 5xx (default 2)",
		 NULL, 0, 20, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	ctx->defer_oversub = 1; /* said below, once the input's kind is known */
	int rc = tk_cli_begin(ctx, "filter",
	                      "--filter F[,F...] --input IN [--output OUT] [options]", argc,
	                      argv, opts, NULL, 0, NULL);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	rc = tk_error_agree(check_options(&job, generate, &p));
	if (rc == 0 && schedule)
		rc = tk_error_agree(parse_schedule(schedule, &job));
	if (rc < 0)
		return rc;
	job.fetch = fetch;

	int kind = input_kind(job.input);
	if (schedule && kind == IN_IMAGE)
		return tk_error_agree(tk_error_set(TK_EUSAGE, "filter: --schedule applies to a "
		                                              "folder or a list of images, not to one "
		                                              "image"));
	job.list = kind == IN_LIST;
	/* a list's items are downloads: threads past the core count wait, which is the point */
	tk_cli_oversub_warning(ctx, job.list);
	if (job.list)
		tk_fetch_global_init();
	tk_result r;
	static const char *const kinds[] = {"image", "folder", "list"};
	rc = tk_cli_run(ctx, "filter", kinds[kind], tk_args_filter(&job), &r);
	if (rc == 0)
		rc = tk_cli_verdict(&r);
	tk_result_free(&r);
	return rc > 0 ? 0 : rc;
}
