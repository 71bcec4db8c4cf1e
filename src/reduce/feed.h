/*
 * feed.h: how reduce's passes reach this rank's values (private to src/reduce).
 *
 * Rule: a pass is begin() and then next() until a window of length 0.  Windows cover
 * the rank's slice [lo, hi) in increasing order, each a run of whole blocks of the
 * global index space (only the array's last block may be short), so a window is
 * reduced exactly as the same blocks of one in-memory slice: block partials do not
 * depend on where a window starts, and they are combined exactly.  A feed holds either
 * the whole slice in memory (one window) or a file read window by window
 * (stream.c); none of its calls is collective.
 */
#ifndef TK_REDUCE_FEED_H
#define TK_REDUCE_FEED_H

#include <stdint.h>

#include "io/array_stream.h"
#include "tk/reduce.h"

typedef struct tk_feed tk_feed;
struct tk_feed {
	uint64_t n;      /* values in the whole array */
	uint64_t lo, hi; /* this rank's slice (tk_reduce_slice) */
	int (*begin)(tk_feed *f);
	/* values [*g, *g + *len) in *x, valid until the next call; *len == 0: the end */
	int (*next)(tk_feed *f, const double **x, uint64_t *g, uint64_t *len);
	/* values [i, i + count) of this rank's slice into out */
	int (*read)(tk_feed *f, uint64_t i, uint64_t count, double *out);
	const double *mem; /* memory: the slice */
	int mem_done;      /* memory: the one window was handed out */
	tk_array_stream *file; /* file: the window reader */
};

/* A feed over x[0 .. hi - lo), values [lo, hi) of n. */
void tk_feed_memory(tk_feed *f, const double *x, uint64_t lo, uint64_t hi, uint64_t n);
/* A feed over a started tk_array_stream (its slice and window). */
void tk_feed_file(tk_feed *f, tk_array_stream *s);

/* tk_reduce_run over a feed (collective; the same results as over memory). */
int tk_reduce_run_feed(tk_feed *f, const tk_reduce_opts *o, tk_reduce_stats *s);

#endif
