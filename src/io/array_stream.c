/*
 * array_stream.c: a .npy or raw file read window by window, the read of window k + 1
 * overlapping the caller's work on window k (see array_stream.h).
 *
 * Rule: the kernel is always asked to read ahead the window after the one being read
 * (posix_fadvise WILLNEED), so the device works on window k + 1 while the caller
 * reduces window k, with a deep queue of large requests (a pread alone ramps the
 * kernel's readahead up slowly).  The copy from the page cache into a buffer is done
 * by the caller (the default: on a node whose cores all run ranks and threads a reader
 * thread would only oversubscribe them, and on this project's 2-core machine it was
 * no faster, see docs/reduce.md) or, with TK_STREAM_READ=thread, by a reader thread:
 * one at a time, started for each window and joined before its buffer is handed out,
 * so no buffer is ever read and written at once and no thread outlives a pass.
 *
 * A file larger than the available memory cannot stay in the page cache for the next
 * pass anyway: its windows are dropped from the cache once used (POSIX_FADV_DONTNEED),
 * so streaming it does not push every other process's files out of memory first.
 *
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/array_stream.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"

int tk_array_stream_open(const tk_source *src, tk_array_stream *s)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->path = src->path;
	TK_CHECK(tk_array_file_open(src, &s->fd, &s->h));
	s->n = s->h.count;
	(void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	uint64_t avail = tk_mem_available();
	s->drop_behind = avail > 0 && s->h.data_offset + s->n * s->h.itemsize > avail;
	return 0;
}

int tk_array_stream_start(tk_array_stream *s, uint64_t lo, uint64_t hi, uint64_t window)
{
	s->lo = lo;
	s->hi = hi;
	s->window = window ? window : 1;
	for (int b = 0; b < 2; b++) {
		s->buf[b] = tk_alloc_aligned((size_t)s->window, sizeof(double));
		if (!s->buf[b])
			return TK_ENOMEM;
	}
	return 0;
}

/* Values [i0, i0 + len) into out (len <= window): doubles directly, other dtypes read
 * into the end of the buffer and widened in place from the front (value j lies at or
 * after where double j goes, so none is overwritten before it is read). */
static int read_values(tk_array_stream *s, uint64_t i0, uint64_t len, double *out)
{
	size_t isz = s->h.itemsize;
	uint64_t off = s->h.data_offset + i0 * isz;
	if (s->h.dtype == TK_DT_F8)
		TK_CHECK(tk_array_read_at(s->fd, s->path, out, (size_t)(len * 8), off));
	else {
		unsigned char *raw = (unsigned char *)out + (8 - isz) * len;
		TK_CHECK(tk_array_read_at(s->fd, s->path, raw, (size_t)(len * isz), off));
		tk_array_convert(raw, s->h.dtype, (size_t)len, out);
	}
	return 0;
}

static void *reader_main(void *arg)
{
	tk_array_stream *s = arg;
	s->job_st = read_values(s, s->job_i0, s->job_len, s->buf[s->job_buf]);
	return NULL;
}

static int sync_mode(void)
{
	const char *e = getenv("TK_STREAM_READ");
	return !(e && strcmp(e, "thread") == 0);
}

/* Start reading the window at s->at into buffer s->cur (nothing past the slice). */
static int launch(tk_array_stream *s)
{
	s->job_i0 = s->at;
	s->job_len = s->hi - s->at < s->window ? s->hi - s->at : s->window;
	s->job_buf = s->cur;
	s->job_st = 0;
	if (s->job_len == 0)
		return 0;
	/* the window after this one: the device reads it while this one is copied and
	 * reduced */
	uint64_t isz = s->h.itemsize, nx = s->job_i0 + s->job_len;
	uint64_t ahead = s->hi - nx < s->window ? s->hi - nx : s->window;
	if (ahead)
		(void)posix_fadvise(s->fd, (off_t)(s->h.data_offset + nx * isz),
		                    (off_t)(ahead * isz), POSIX_FADV_WILLNEED);
	if (sync_mode()) {
		s->job_todo = 1; /* copied when it is asked for */
		return 0;
	}
	int e = pthread_create(&s->reader, NULL, reader_main, s);
	if (e != 0) /* no thread: read it now, in this one */
		reader_main(s);
	else
		s->pending = 1;
	return 0;
}

/* Wait for the read under way (want: do a read still to be done); its status. */
static int land(tk_array_stream *s, int want)
{
	if (s->pending) {
		pthread_join(s->reader, NULL);
		s->pending = 0;
	}
	if (s->job_todo && want)
		reader_main(s);
	s->job_todo = 0;
	return s->job_st;
}

int tk_array_stream_begin(tk_array_stream *s)
{
	(void)land(s, 0); /* a pass left early */
	s->passes++;
	s->used_len = 0;
	s->at = s->lo;
	s->cur = 0;
	return launch(s);
}

int tk_array_stream_next(tk_array_stream *s, const double **x, uint64_t *g, uint64_t *len)
{
	*x = NULL;
	*g = s->at;
	*len = 0;
	double t0 = tk_now();
	int st = land(s, 1);
	s->wait_s += tk_now() - t0;
	if (st < 0 || s->job_len == 0) {
		s->job_len = 0;
		return st;
	}
	if (s->drop_behind && s->used_len > 0) /* the window handed out before this one */
		(void)posix_fadvise(s->fd, (off_t)(s->h.data_offset + s->used_i0 * s->h.itemsize),
		                    (off_t)(s->used_len * s->h.itemsize), POSIX_FADV_DONTNEED);
	s->used_i0 = s->job_i0;
	s->used_len = s->job_len;
	*x = s->buf[s->job_buf];
	*len = s->job_len;
	s->bytes += s->job_len * s->h.itemsize;
	s->windows++;
	s->at += s->job_len;
	s->cur ^= 1;
	return launch(s);
}

int tk_array_stream_read(tk_array_stream *s, uint64_t i, uint64_t count, double *out)
{
	TK_REQUIRE(i <= s->n && count <= s->n - i, TK_EINTERNAL,
	           "%s: read of values [%llu, +%llu) past the end", s->path,
	           (unsigned long long)i, (unsigned long long)count);
	if (count == 0)
		return 0;
	s->bytes += count * s->h.itemsize;
	if (s->h.dtype == TK_DT_F8)
		return tk_array_read_at(s->fd, s->path, out, (size_t)(count * 8),
		                        s->h.data_offset + i * 8);
	unsigned char tmp[8 * 64];
	for (uint64_t k = 0; k < count; k += 64) {
		size_t m = count - k < 64 ? (size_t)(count - k) : 64;
		TK_CHECK(tk_array_read_at(s->fd, s->path, tmp, m * s->h.itemsize,
		                          s->h.data_offset + (i + k) * s->h.itemsize));
		tk_array_convert(tmp, s->h.dtype, m, out + k);
	}
	return 0;
}

void tk_array_stream_close(tk_array_stream *s)
{
	(void)land(s, 0);
	for (int b = 0; b < 2; b++) {
		tk_free(s->buf[b]);
		s->buf[b] = NULL;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
