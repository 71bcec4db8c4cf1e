/*
 * merge.h: chunked Monte Carlo runs (montecarlo --first-sample) read back from their
 * JSON records and checked to compose into one run (toolkit merge, cmd_merge.c).
 *
 * Rule: a merge is exact or refused.  Chunks must be records of one model, one toolkit
 * version and the same parameters, and their sample ranges [first, first + samples)
 * must tile one range with no overlap and no gap; their exact state (integer counts,
 * exact accumulators) then adds up to the bits of the single run over that range.
 * Errors: TK_EIO (exit 3) for a file that is not a whole chunk record; TK_EUSAGE
 * (exit 2) for records that are fine but do not compose (and for ep's, which have no
 * chunks).
 */
#ifndef TK_MC_MERGE_H
#define TK_MC_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "tk/checkpoint.h"
#include "tk/montecarlo.h"

/* One chunk's sample range, named for messages. */
typedef struct tk_mc_range {
	const char *name;
	uint64_t first, samples; /* [first, first + samples), first + samples <= 2^64 - 1 */
	size_t index;            /* the caller's, carried through the sort */
} tk_mc_range;

/* Sort r[0..n) by first and check that the ranges tile [*first, *first + *samples)
 * exactly: 0, or TK_EUSAGE naming the two files and their ranges where two overlap
 * ("A [0, 100) and B [50, 150) overlap") or where a gap lies between neighbours
 * ("samples [100, 120) are in no chunk: ..."). n >= 1. */
int tk_mc_ranges_tile(tk_mc_range *r, size_t n, uint64_t *first, uint64_t *samples);

/* A chunk record as read from its file. */
typedef struct tk_mc_chunk {
	const char *path;
	char model[16];
	char version[32];
	tk_mc_params p;   /* the chunk's parameters (first_sample and samples its range) */
	tk_ckpt st;       /* its final state, checked against p */
	double kernel_s;  /* the chunk's kernel seconds (max over its ranks) */
} tk_mc_chunk;

/* Read path's record into c: 0, TK_EIO (missing, unreadable, not JSON, more than one
 * record, not a montecarlo record with a chunk object, a state that is corrupt or does
 * not match the record's parameters), TK_EUSAGE (a model that has no chunks, ep), or
 * TK_ENOMEM.  Local: no communication. */
int tk_mc_chunk_read(const char *path, tk_mc_chunk *c);

/* Check that c[0..n) are chunks of one run (model, version, every parameter but the
 * range) and tile one range; then fill *p and *st with the parameters and the final
 * state of the single run over that range.  0 or TK_EUSAGE.  c is reordered by first
 * sample. */
int tk_mc_chunks_merge(tk_mc_chunk *c, size_t n, tk_mc_params *p, tk_ckpt *st);

#endif
