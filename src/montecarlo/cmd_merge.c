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

/* The merged run's result: the single run's fields, its kernel time the chunks' sum. */
static int merged_result(tk_mc_chunk *c, size_t n, tk_result *r)
{
	static char model[16]; /* borrowed by the report */
	tk_mc_params p;
	tk_ckpt st;
	TK_CHECK(tk_mc_chunks_merge(c, n, &p, &st));
	memcpy(model, c[0].model, sizeof model);
	tk_result_init(r, "montecarlo", model);
	TK_CHECK(tk_mc_chunk_result(model, &p, &st, r));
	double secs = 0;
	for (size_t i = 0; i < n; i++)
		secs += c[i].kernel_s;
	r->kernel_max = r->kernel_min = r->kernel_avg = secs;
	return 0;
}

static int merge_files(const char **files, int n, tk_result *r)
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
		rc = merged_result(c, (size_t)n, r);
	tk_free(c);
	return rc;
}

int tk_cmd_merge(int argc, char **argv, tk_run_ctx *ctx)
{
	const tk_opt opts[] = {TK_OPT_END};
	const char **files = tk_alloc((size_t)argc + 1, sizeof *files);
	int nfiles = 0;
	int rc = tk_error_agree(files ? 0 : TK_ENOMEM);
	if (rc < 0)
		return rc;
	rc = tk_cli_begin(ctx, "merge", "CHUNK.json CHUNK.json ... (montecarlo --first-sample "
	                  "records)", argc, argv, opts, files, argc, &nfiles);
	if (rc == 0) {
		tk_result r;
		rc = tk_error_agree(merge_files(files, nfiles, &r));
		if (rc == 0)
			rc = tk_error_agree(tk_report(&r, ctx));
		if (rc == 0)
			rc = tk_cli_verdict(&r);
	} else if (rc > 0) {
		rc = 0;
	}
	tk_free(files);
	return rc;
}
