/*
 * checkpoint.h: the checkpoint file of a long Monte Carlo run (montecarlo --checkpoint,
 * --resume), its format, and how it is written and read.
 *
 * Rule: a checkpoint holds the global state of a run, never a rank's: the work units
 * (fixed blocks of the global index space) [0, done) are complete and their exact
 * partial results (integer counts, exact accumulators) are in u[] and x[].  So a run
 * resumed with any ranks x threads continues from the same state and ends with the same
 * bits.  The file names the model and every parameter that changes the result; a file
 * whose checksum, size, magic or version is wrong is refused as corrupt (TK_EIO), one
 * written for other parameters as a mismatch (TK_EUSAGE), never used.
 *
 * Format (version 1, every integer 64-bit little-endian): "TKCKPT1\n"; version;
 * model (16 bytes, NUL-padded); nparams, params[nparams] (the parameters' bits);
 * total, done; nu, u[nu]; nx, then per accumulator (normalized) its 67 chunks and the
 * flags nan, pinf, ninf, any, nonnegzero;
 * FNV-1a 64 of every byte before it.
 */
#ifndef TK_CHECKPOINT_H
#define TK_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "tk/xsum.h"

#define TK_CKPT_VERSION 1
#define TK_CKPT_MAX_PARAMS 12
#define TK_CKPT_MAX_U 16
#define TK_CKPT_MAX_X 4

typedef struct tk_ckpt {
	char model[16];
	int nparams;
	uint64_t params[TK_CKPT_MAX_PARAMS];
	const char *param_names[TK_CKPT_MAX_PARAMS]; /* for messages; not in the file */
	uint64_t total, done;                        /* work units: all, and [0, done) */
	int nu, nx;
	uint64_t u[TK_CKPT_MAX_U];
	tk_xsum x[TK_CKPT_MAX_X];
} tk_ckpt;

/* The file's bytes: *buf (free()) of *len bytes; TK_ENOMEM on failure. */
int tk_ckpt_encode(const tk_ckpt *c, unsigned char **buf, size_t *len);
/* Parse len bytes read from path into c (param_names left NULL).  TK_EIO with
 * "PATH: not a toolkit checkpoint", "... is corrupt (checksum ...)", "... truncated",
 * "... format version N" when the bytes are not a whole version-1 checkpoint. */
int tk_ckpt_decode(const char *path, const unsigned char *buf, size_t len, tk_ckpt *c);
/* Whether file (from path) was written for the run described by want (model, every
 * parameter, total): 0, or TK_EUSAGE naming the first thing that differs. */
int tk_ckpt_match(const char *path, const tk_ckpt *file, const tk_ckpt *want);
/* Write c to path: a temporary file beside it (mkstemp), fsync, the current path kept
 * as path.prev (a hard link, or a rename where links are not supported), rename, fsync
 * of the folder.  0, or TK_EIO with a message. */
int tk_ckpt_write(const char *path, const tk_ckpt *c);
/* Read and decode path (TK_EIO: missing, unreadable, corrupt). */
int tk_ckpt_read(const char *path, tk_ckpt *c);

#endif
