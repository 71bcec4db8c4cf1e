/*
 * filter_run.h: running a filter chain over ranks and threads: one image split into row
 * strips (rank 0 reads, scatters the strips, neighbours exchange halo rows, rank 0
 * gathers and writes), or a folder of images handed out one at a time from a shared
 * counter (dynamic load balancing), threads working inside each image.
 *
 * Rule: collective; every rank calls with the same job.  Errors are agreed across
 * ranks before anyone stops, so no rank is left waiting.
 */
#ifndef TK_FILTER_RUN_H
#define TK_FILTER_RUN_H

#include <stdint.h>

#include "tk/filter.h"
#include "tk/report.h"

typedef struct tk_filter_job {
	tk_filter_chain chain;
	const char *filters;   /* the chain as given, for the report */
	const char *input;     /* file or folder; NULL with generate */
	const char *output;    /* file or folder; NULL: digest only, nothing written */
	uint32_t gen_width, gen_height; /* generate: a synthetic image of this size... */
	int gen_channels;      /* ...and channels (1..4) */
	uint64_t seed;         /* ...from this seed */
	int *failed;           /* folder mode: set to the number of skipped images */
	int follow_links;      /* folder mode: read links that lead out of the folder */
} tk_filter_job;

/* One image (a file, or a generated one).  Fills r: size, pixel digest, verification
 * (sample rows recomputed by one thread from the input must match), kernel time
 * (halo exchange + filtering, max over ranks) and I/O time (rank 0). */
int tk_filter_run_image(const tk_filter_job *job, const tk_run_ctx *ctx, tk_result *r);

/* Every PNG/PNM file (by extension) in job->input, written under the same name into
 * job->output (PNM files take the extension of their output layout).  A file that
 * cannot be read or written is reported on stderr by rank 0, skipped, and counted in
 * *job->failed; the others are still done.  A symbolic link whose target lies outside
 * the folder is skipped with a note unless job->follow_links.  Outputs keep no wider
 * permissions than their input. */
int tk_filter_run_folder(const tk_filter_job *job, const tk_run_ctx *ctx, tk_result *r);

/* Fill img (allocated here) with the synthetic test picture: smooth gradients plus
 * noise, a pure function of (x, y, channel, seed). */
int tk_filter_generate(tk_image *img, uint32_t width, uint32_t height, int channels,
                       uint64_t seed);

#endif
