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

#include "tk/fetch.h"
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
	int follow_links;      /* folder mode: read links that lead out of the folder */
	int list;              /* input is a list file of paths and URLs, not a folder */
	int sched_static;      /* folder/list: items dealt out in advance (1) or on demand */
	uint64_t chunk;        /* items per hand-out; 0 with static: one block per worker */
	tk_fetch_opts fetch;   /* list mode: timeouts and retries of each URL */
} tk_filter_job;

/* One image (a file, or a generated one).  Fills r: size, pixel digest, verification
 * (sample rows recomputed by one thread from the input must match), kernel time
 * (halo exchange + filtering, max over ranks) and I/O time (rank 0). */
int tk_filter_run_image(const tk_filter_job *job, const tk_run_ctx *ctx, tk_result *r);

/* Every PNG/PNM file (by extension) in job->input, or with job->list every item of the
 * list file job->input (paths relative to the list's folder, http(s) URLs), written
 * under the same name into job->output (PNM files take the extension of their output
 * layout; a list item whose name is no image name becomes item<N>.pnm).
 * A pool of workers (the threads of every rank) takes whole images: each worker reads,
 * filters and writes its image while the others do theirs, so the steps of different
 * images overlap and a waiting worker (a URL) costs no core.  Fewer images than
 * workers: the threads left over split each image's rows (tk_filter_pool_shape).
 * Dynamic schedule: chunks of job->chunk items from the shared counter, first come
 * first served; static: dealt out in advance (tk_filter_static_next).  Output names,
 * their order and the digest do not depend on the schedule or the workers.  A file that
 * cannot be read or written is reported on stderr by rank 0, skipped, and counted in
 * r->skipped (and the "skipped" field); the others are still done.  A symbolic link
 * whose target lies outside the folder is skipped with a note unless
 * job->follow_links.  Outputs keep no wider permissions than their input. */
int tk_filter_run_folder(const tk_filter_job *job, const tk_run_ctx *ctx, tk_result *r);

/* The pool of a rank with `threads` threads for n images over `ranks` ranks: *pool
 * workers of *inner threads each. */
void tk_filter_pool_shape(uint64_t n, int ranks, int threads, int *pool, int *inner);

/* Static schedule: the item after prev (UINT64_MAX: the first) of worker w of nw for n
 * items, or n when it has no more.  chunk 0: one contiguous block per worker (as
 * tk_decomp_block); chunk C: chunks of C items dealt round robin (chunk k to worker k % nw). */
uint64_t tk_filter_static_next(uint64_t n, uint64_t chunk, uint64_t w, uint64_t nw,
                               uint64_t prev);

/* Fill img (allocated here) with the synthetic test picture: smooth gradients plus
 * noise, a pure function of (x, y, channel, seed). */
int tk_filter_generate(tk_image *img, uint32_t width, uint32_t height, int channels,
                       uint64_t seed);

#endif
