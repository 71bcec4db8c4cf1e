/*
 * array_stream.h: a .npy or raw float64 file read window by window (private).
 *
 * Rule: a stream reads one rank's slice [lo, hi) of the file's values in windows of a
 * fixed number of values, converted to double, into two buffers: while the caller
 * works on window k (returned by tk_array_stream_next), the kernel reads window k + 1
 * ahead (and with TK_STREAM_READ=thread a reader thread copies it into the other
 * buffer).  Memory is 2 x window x 8 bytes, whatever the file's size.  Nothing here is collective: callers agree on errors at their own collective
 * points (tk_error_share).  A file that shrinks while it is read is an error (TK_EIO,
 * "truncated (file shrank while reading)"), never a short window.
 */
#ifndef TK_IO_ARRAY_STREAM_H
#define TK_IO_ARRAY_STREAM_H

#include <pthread.h>
#include <stdint.h>

#include "tk/array_io.h"

/* The file back end of array_io.c, shared with the stream. */
int tk_array_file_open(const tk_source *src, int *fd, tk_npy_header *h);
int tk_array_read_at(int fd, const char *path, void *buf, size_t len, uint64_t off);
void tk_array_convert(const unsigned char *in, tk_dtype dt, size_t n, double *out);
const char *tk_array_dtype_name(tk_dtype dt);

typedef struct tk_array_stream {
	int fd;
	const char *path;
	tk_npy_header h;
	uint64_t n;            /* values in the file */
	uint64_t lo, hi;       /* this rank's slice */
	uint64_t window;       /* values per window */
	double *buf[2];
	/* the pass under way */
	uint64_t at;           /* first value of the window being read (or next to read) */
	int cur;               /* the buffer it goes to */
	int pending;           /* a reader thread is running */
	int job_todo;          /* caller's reads: the copy waits for next() */
	pthread_t reader;
	uint64_t job_i0, job_len;
	int job_st;
	int job_buf;
	uint64_t used_i0, used_len; /* the window the caller holds */
	int drop_behind;       /* the file is larger than memory: drop used windows */
	/* accounting, over every pass */
	uint64_t bytes;        /* bytes read from the file */
	uint64_t windows;      /* windows handed out */
	double wait_s;         /* seconds the caller waited for a window */
	int passes;
} tk_array_stream;

/* Open the file and check its header and size (as tk_array_load does); sets s->n.
 * TK_EIO with the file's name. */
int tk_array_stream_open(const tk_source *src, tk_array_stream *s);
/* Read [lo, hi) in windows of `window` values (>= 1): allocates the two buffers
 * (TK_ENOMEM). */
int tk_array_stream_start(tk_array_stream *s, uint64_t lo, uint64_t hi, uint64_t window);
/* Start a pass over the slice (the first window's read begins at once). */
int tk_array_stream_begin(tk_array_stream *s);
/* The next window: values [*g, *g + *len) in *x, valid until the next call; *len == 0
 * at the end of the pass.  Reads it, or waits for the reader thread (counted in
 * wait_s), and starts the next one.  A read error ends the pass with that error. */
int tk_array_stream_next(tk_array_stream *s, const double **x, uint64_t *g, uint64_t *len);
/* Read values [i, i + count) of the file (anywhere, synchronously) into out. */
int tk_array_stream_read(tk_array_stream *s, uint64_t i, uint64_t count, double *out);
void tk_array_stream_close(tk_array_stream *s);

#endif
