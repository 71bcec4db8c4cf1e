/*
 * stream.c: reduce's input, held in memory or streamed from a file in bounded windows.
 *
 * Rule: a .npy or raw file whose slice on some rank is larger than the memory limit
 * (--memory, default half the available memory shared by the ranks of a node) is
 * read window by window through the same feed the in-memory slice uses, so every
 * pass runs the same code on the same blocks and the results are the same bits.
 * The decision is agreed by all ranks (if one streams, all do).  CSV and generated
 * input are always held in memory.
 */
#include <string.h>

#include "reduce/feed.h"
#include "reduce/stream.h"
#include "tk/comm.h"
#include "tk/report.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"

/* ---- the feeds ------------------------------------------------------------------ */

static int mem_begin(tk_feed *f)
{
	f->mem_done = 0;
	return 0;
}

static int mem_next(tk_feed *f, const double **x, uint64_t *g, uint64_t *len)
{
	*x = f->mem;
	*g = f->lo;
	*len = f->mem_done ? 0 : f->hi - f->lo;
	f->mem_done = 1;
	return 0;
}

static int mem_read(tk_feed *f, uint64_t i, uint64_t count, double *out)
{
	memcpy(out, f->mem + (i - f->lo), (size_t)count * sizeof *out);
	return 0;
}

void tk_feed_memory(tk_feed *f, const double *x, uint64_t lo, uint64_t hi, uint64_t n)
{
	memset(f, 0, sizeof *f);
	f->n = n;
	f->lo = lo;
	f->hi = hi;
	f->mem = x;
	f->begin = mem_begin;
	f->next = mem_next;
	f->read = mem_read;
}

static int file_begin(tk_feed *f) { return tk_array_stream_begin(f->file); }

static int file_next(tk_feed *f, const double **x, uint64_t *g, uint64_t *len)
{
	return tk_array_stream_next(f->file, x, g, len);
}

static int file_read(tk_feed *f, uint64_t i, uint64_t count, double *out)
{
	return tk_array_stream_read(f->file, i, count, out);
}

void tk_feed_file(tk_feed *f, tk_array_stream *s)
{
	memset(f, 0, sizeof *f);
	f->n = s->n;
	f->lo = s->lo;
	f->hi = s->hi;
	f->file = s;
	f->begin = file_begin;
	f->next = file_next;
	f->read = file_read;
}

/* ---- the input ------------------------------------------------------------------ */

uint64_t tk_reduce_memory_default(void)
{
	uint64_t avail = tk_mem_available();
	int local = tk_comm_local_size(); /* collective the first time */
	if (avail == 0)
		return UINT64_MAX; /* unknown: hold the slice, as before streaming existed */
	uint64_t m = avail / 2 / (uint64_t)(local > 0 ? local : 1);
	return m < TK_REDUCE_MEMORY_MIN ? TK_REDUCE_MEMORY_MIN : m;
}

/* Values per window for a limit: two buffers of whole blocks, each at most
 * TK_REDUCE_WINDOW_MAX bytes (larger windows only add page faults and cache pressure:
 * the per-window cost, one parallel region, is already small beside 256 MiB). */
static uint64_t window_for(uint64_t limit)
{
	uint64_t per = limit / 2 < TK_REDUCE_WINDOW_MAX ? limit / 2 : TK_REDUCE_WINDOW_MAX;
	uint64_t w = per / sizeof(double) / TK_REDUCE_BLOCK * TK_REDUCE_BLOCK;
	return w < TK_REDUCE_BLOCK ? TK_REDUCE_BLOCK : w;
}

static int hold(const tk_source *src, tk_reduce_input *in)
{
	TK_CHECK(tk_array_load(src, &in->a));
	tk_feed_memory(&in->f, in->a.data, in->a.lo, in->a.hi, in->a.n);
	return 0;
}

int tk_reduce_input_open(const tk_source *src, uint64_t memory, tk_reduce_input *in)
{
	memset(in, 0, sizeof *in);
	in->fs.fd = -1;
	if (src->kind != TK_SRC_NPY && src->kind != TK_SRC_RAW)
		return hold(src, in);
	int st = tk_error_share(tk_array_stream_open(src, &in->fs));
	uint64_t lo = 0, hi = 0;
	if (st == 0)
		tk_reduce_slice(in->fs.n, tk_comm_rank(), tk_comm_size(), &lo, &hi);
	in->limit = memory ? memory : tk_reduce_memory_default();
	uint64_t want[1] = {st == 0 && (hi - lo) > in->limit / sizeof(double)};
	tk_comm_allreduce_u64(want, 1, TK_MAX);
	if (st < 0 || !want[0]) {
		tk_array_stream_close(&in->fs);
		return st < 0 ? st : hold(src, in);
	}
	in->streamed = 1;
	st = tk_error_share(tk_array_stream_start(&in->fs, lo, hi, window_for(in->limit)));
	if (st < 0) {
		tk_array_stream_close(&in->fs);
		return st;
	}
	in->a.n = in->fs.n;
	in->a.lo = lo;
	in->a.hi = hi;
	in->a.dtype = tk_array_dtype_name(in->fs.h.dtype);
	tk_feed_file(&in->f, &in->fs);
	return 0;
}

void tk_reduce_input_report(tk_reduce_input *in, tk_result *r)
{
	if (!in->streamed)
		return;
	/* bytes read by all ranks; the longest wait of any rank */
	uint64_t b[1] = {in->fs.bytes}, w[1] = {in->fs.window * sizeof(double)};
	uint64_t passes[1] = {(uint64_t)in->fs.passes};
	double wait[1] = {in->fs.wait_s};
	tk_comm_allreduce_u64(b, 1, TK_SUM);
	tk_comm_allreduce_u64(w, 1, TK_MAX);
	tk_comm_allreduce_u64(passes, 1, TK_MAX);
	tk_comm_allreduce_f64(wait, 1, TK_MAX);
	tk_result_ref_str(r, "stream", "windows");
	tk_result_ref_f64(r, "window", (double)w[0]);
	tk_result_unit(r, "bytes");
	tk_result_ref_f64(r, "passes", (double)passes[0]);
	tk_result_ref_f64(r, "bytes_read", (double)b[0]);
	tk_result_unit(r, "bytes");
	tk_result_ref_f64(r, "io_wait", wait[0]);
	tk_result_unit(r, "s");
}

void tk_reduce_input_close(tk_reduce_input *in)
{
	if (in->streamed)
		tk_array_stream_close(&in->fs);
	tk_array_free(&in->a);
	in->streamed = 0;
}
