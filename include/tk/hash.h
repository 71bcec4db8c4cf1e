/*
 * hash.h: the toolkit's one hash, FNV-1a 64 (Fowler-Noll-Vo), in its two strides.
 *
 * Rule: every digest and checksum the toolkit prints or stores is one of these two
 * functions from TK_FNV_OFFSET: results, checkpoints and stencil grids hash bytes one
 * at a time (the published FNV-1a 64); pixels, the bulk of filter's data, hash 8 bytes
 * at a time, 8 times fewer multiplications.  Changing either changes every digest.
 */
#ifndef TK_HASH_H
#define TK_HASH_H

#include <stddef.h>
#include <stdint.h>

#define TK_FNV_OFFSET 0xcbf29ce484222325ull
#define TK_FNV_PRIME 0x100000001b3ull

/* FNV-1a 64 over the n bytes at data, continuing from h (start with TK_FNV_OFFSET). */
uint64_t tk_fnv1a(uint64_t h, const void *data, size_t n);
/* The same over little-endian 64-bit words, the last one zero-padded: h = (h ^ w) *
 * TK_FNV_PRIME per word (little-endian hosts only, checked by the tests). */
uint64_t tk_fnv1a_words(uint64_t h, const void *data, size_t n);

#endif
