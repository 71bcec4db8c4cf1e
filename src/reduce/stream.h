/*
 * stream.h: reduce's input, in memory or streamed in windows (private; see stream.c).
 */
#ifndef TK_REDUCE_STREAM_H
#define TK_REDUCE_STREAM_H

#include <stdint.h>

#include "io/array_stream.h"
#include "reduce/feed.h"
#include "tk/array_io.h"
#include "tk/report.h"

/* The smallest --memory: two windows of one block of doubles. */
#define TK_REDUCE_MEMORY_MIN (2u * TK_REDUCE_BLOCK * 8u)
/* The largest window (one of the two buffers), whatever the limit. */
#define TK_REDUCE_WINDOW_MAX (UINT64_C(256) << 20)

typedef struct tk_reduce_input {
	tk_array a;          /* held: the slice; streamed: n, lo, hi and dtype only */
	tk_array_stream fs;  /* streamed: the window reader */
	tk_feed f;           /* what the passes read */
	int streamed;
	uint64_t limit;      /* the memory limit that decided it, bytes per rank */
} tk_reduce_input;

/* Collective, and the errors agreed: open the input; a .npy or raw file whose slice on
 * some rank exceeds `memory` bytes (0: tk_reduce_memory_default) is streamed in
 * windows of memory / 16 values (at most TK_REDUCE_WINDOW_MAX bytes) (whole blocks, two buffers), everything else loaded
 * as tk_array_load does. */
int tk_reduce_input_open(const tk_source *src, uint64_t memory, tk_reduce_input *in);
/* Collective: a streamed input's window, passes, bytes read and I/O wait into r. */
void tk_reduce_input_report(tk_reduce_input *in, tk_result *r);
void tk_reduce_input_close(tk_reduce_input *in);

/* Collective the first time: half the available memory over the ranks of this node. */
uint64_t tk_reduce_memory_default(void);

#endif
