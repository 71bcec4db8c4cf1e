/*
 * array_io.h: where reduce's array comes from: NumPy .npy files, raw float64 files,
 * CSV text, or values generated from the counter-based generator.
 *
 * Rule: for .npy and raw files every rank opens the file, checks the header and the
 * size itself, and reads only its own slice with pread, so the data never funnel
 * through rank 0.  CSV is text of unknown layout: rank 0 parses it and scatters.
 * Generated value i is a pure function of (seed, i).  Every load is collective and
 * its errors are agreed (tk_error_share), so no rank is left waiting.
 */
#ifndef TK_ARRAY_IO_H
#define TK_ARRAY_IO_H

#include <stddef.h>
#include <stdint.h>

typedef enum tk_dtype { TK_DT_F8, TK_DT_F4, TK_DT_I4, TK_DT_I8, TK_DT_U1 } tk_dtype;

typedef struct tk_npy_header {
	int major, minor;    /* format version 1.0, 2.0 or 3.0 */
	tk_dtype dtype;
	size_t itemsize;
	int fortran_order;
	int ndim;
	uint64_t shape[32];
	uint64_t count;      /* product of the shape */
	uint64_t data_offset;
	char descr[16];
} tk_npy_header;

/* Parse the header at the start of a .npy file (buf holds its first len bytes, at
 * least the whole header).  TK_EIO with a clear message for a bad magic, a corrupt
 * dictionary, an unsupported dtype (big-endian included) or a Fortran-order array of
 * more than one dimension.  `name` is used in messages.  Not collective. */
int tk_npy_parse(const unsigned char *buf, size_t len, const char *name, tk_npy_header *h);
/* Write x[0..n) as a version 1.0 '<f8' .npy file.  Not collective. */
int tk_npy_write(const char *path, const double *x, uint64_t n);

typedef enum tk_source_kind {
	TK_SRC_NPY, TK_SRC_RAW, TK_SRC_CSV, TK_SRC_GENERATE
} tk_source_kind;

typedef enum tk_dist { TK_DIST_UNIFORM, TK_DIST_NORMAL } tk_dist;
extern const char *const tk_dist_names[]; /* "uniform", "normal", NULL */

typedef struct tk_source {
	tk_source_kind kind;
	const char *path;   /* files */
	int column;         /* CSV: 0-based column (default 0) */
	uint64_t count;     /* generate: number of values */
	tk_dist dist;       /* generate */
	uint64_t seed;      /* generate */
} tk_source;

/* The kind of a file from its name: .npy, .csv/.txt, anything else raw float64. */
tk_source_kind tk_source_kind_of(const char *path);

/* This rank's slice of the array (tk_reduce_slice decides it). */
typedef struct tk_array {
	double *data;      /* hi - lo values, 64-byte aligned; tk_array_free */
	uint64_t n;        /* global count */
	uint64_t lo, hi;   /* global index range held here */
	uint64_t bytes;    /* bytes of input this rank read (file) or made (generate) */
	const char *dtype; /* "<f8", ... for files, "f8" otherwise */
} tk_array;

/* Collective: load this rank's slice.  Checks memory before allocating (TK_ENOMEM:
 * "needs X GiB, Y GiB available").  TK_EIO for missing, truncated or malformed
 * files (CSV: the line of a bad field), TK_EUSAGE for bad source parameters. */
int tk_array_load(const tk_source *src, tk_array *a);
void tk_array_free(tk_array *a);

/* Generated value i (the same on every rank): uniform in (0,1) or standard normal. */
double tk_generate_value(uint64_t seed, tk_dist dist, uint64_t i);

#endif
