/*
 * filter_run_priv.h: what the one-image run (filter_run.c) and the pool of many images
 * (filter_pool.c) share: checks and the common result fields.
 */
#ifndef TK_FILTER_RUN_PRIV_H
#define TK_FILTER_RUN_PRIV_H

#include <stdint.h>

#include "tk/filter_run.h"
#include "tk/image.h"
#include "tk/report.h"

/* Recompute a few rows with one thread, straight from the input, and compare (*ok):
 * checks the strips, halos, threads and gather against the simplest path. */
int tk_filter_spot_check(const tk_filter_chain *c, const tk_image *in, const tk_image *out,
                         int threads, int *ok);
/* Refuse an output that is the input, or whose folder is missing or not writable,
 * before any work is done. */
int tk_filter_check_output(const char *input, const char *output, int folder);
/* Collective: if any rank reduced 16-bit samples, rank 0 says so once on stderr. */
void tk_filter_note_16bit(void);
/* The reference fields every filter run reports (the chain and its parameters). */
void tk_filter_fill_common(tk_result *r, const tk_filter_job *job);

#endif
