/*
 * cmd_merge.c: `toolkit merge A.json B.json ...`: the records of chunked montecarlo
 * runs (--first-sample, --format json) combined into the result and digest of the one
 * run over all their samples (merge.h).  Every rank reads the files itself (they are
 * small) and reaches the same verdict, agreed before anything is printed.
 */
#include <string.h>

#include "core/cmd.h"
#include "montecarlo/merge.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/tk.h"

/* --first-sample/--samples given: the range the chunks must cover (a lost last chunk
 * leaves no gap between the others, so only the expected range can catch it). */
typedef struct want_range {
	uint64_t first, samples;
	int first_given, samples_given;
} want_range;

static int check_range(const tk_mc_params *p, const want_range *w)
{
	uint64_t first = w->first_given ? w->first : p->first_sample;
	uint64_t n = w->samples_given ? w->samples : p->samples;
	TK_REQUIRE(first == p->first_sample && n == p->samples, TK_EUSAGE,
	           "merge: the chunks cover samples [%llu, %llu), not the expected [%llu, "
	           "%llu)",
	           (unsigned long long)p->first_sample,
	           (unsigned long long)(p->first_sample + p->samples), (unsigned long long)first,
	           (unsigned long long)(first + n));
	return 0;
}

/* The merged run's result: the single run's fields, its kernel time the chunks' sum. */
static int merged_result(tk_mc_chunk *c, size_t n, const want_range *w, tk_result *r)
{
	static char model[16]; /* borrowed by the report */
	tk_mc_params p;
	tk_ckpt st;
	TK_CHECK(tk_mc_chunks_merge(c, n, &p, &st));
	TK_CHECK(check_range(&p, w));
	memcpy(model, c[0].model, sizeof model);
	tk_result_init(r, "montecarlo", model);
	TK_CHECK(tk_mc_chunk_result(model, &p, &st, r));
	double secs = 0;
	for (size_t i = 0; i < n; i++)
		secs += c[i].kernel_s;
	r->kernel_max = r->kernel_min = r->kernel_avg = secs;
	return 0;
}

static int merge_files(const char **files, int n, const want_range *w, tk_result *r)
{
	TK_REQUIRE(n >= 2, TK_EUSAGE,
	           "merge: needs the records of two or more chunks (got %d file%s)", n,
	           n == 1 ? "" : "s");
	tk_mc_chunk *c = tk_alloc((size_t)n, sizeof *c);
	if (!c)
		return TK_ENOMEM;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = tk_mc_chunk_read(files[i], &c[i]);
	if (rc == 0)
		rc = merged_result(c, (size_t)n, w, r);
	tk_free(c);
	return rc;
}

int tk_cmd_merge(int argc, char **argv, tk_run_ctx *ctx)
{
	want_range w = {0, 0, 0, 0};
	const tk_opt opts[] = {
		{"first-sample", TK_OPT_U64, &w.first, "K",
		 "the chunks must start at sample K (default: where the first one does)", NULL, 0,
		 0, 0, &w.first_given, 0, TK_MC_MAX_INDEX - 1},
		{"samples", TK_OPT_U64, &w.samples, "N",
		 "the chunks must cover N samples in all (default: what they cover)", NULL, 0, 0,
		 0, &w.samples_given, 1, TK_MC_MAX_SAMPLES},
		TK_OPT_END,
	};
	const char **files = tk_alloc((size_t)argc + 1, sizeof *files);
	int nfiles = 0;
	int rc = tk_error_agree(files ? 0 : TK_ENOMEM);
	if (rc < 0)
		return rc;
	rc = tk_cli_begin(ctx, "merge", "CHUNK.json CHUNK.json ... (montecarlo --first-sample "
	                  "records)", argc, argv, opts, files, argc, &nfiles);
	if (rc == 0) {
		tk_result r;
		tk_result_init(&r, "montecarlo", "merge");
		rc = tk_error_agree(merge_files(files, nfiles, &w, &r));
		if (rc == 0)
			rc = tk_error_agree(tk_report(&r, ctx));
		if (rc == 0)
			rc = tk_cli_verdict(&r);
		tk_result_free(&r);
	} else if (rc > 0) {
		rc = 0;
	}
	tk_free(files);
	return rc;
}
