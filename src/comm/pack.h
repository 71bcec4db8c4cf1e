/*
 * pack.h: the wire form of a packed reduction (tk_pack in tk/comm.h), shared by both
 * comm backends.
 *
 * Rule: a pack travels as one array of 64-bit words that describes itself: word 0 the
 * item count n, words 1..n each item's kind and count, then each item's values in
 * order (two words per tk_loc: the value's bits, then the index).  So the combine
 * needs no context and MPI can call it as a user operation on one element.
 */
#ifndef TK_COMM_PACK_H
#define TK_COMM_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "tk/comm.h"

/* Words of p's wire form. */
size_t tk_pack_words(const tk_pack *p);
/* p's arrays into w (tk_pack_words(p) words), and back: decode writes the reduced
 * values into the arrays (empty tk_loc entries as {NaN, TK_LOC_NONE}). */
void tk_pack_encode(const tk_pack *p, uint64_t *w);
void tk_pack_decode(const tk_pack *p, const uint64_t *w);
/* Combine two wire forms of the same pack, inout = in (op) inout.  Neither need be
 * aligned.  Returns 0, or -1 when the two describe different packs (a bug: the ranks
 * added different items). */
int tk_pack_combine(const void *in, void *inout);
/* The reduction over a world of one: the arrays are the result, empty entries set to
 * {NaN, TK_LOC_NONE}. */
void tk_pack_local(tk_pack *p);

#endif
