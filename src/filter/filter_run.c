/*
 * filter_run.c: the filter chain over ranks and threads (tk/filter_run.h).
 *
 * Rule: the image is cut into row strips by the decomposition layer (tk/decomp.h: rank
 * r owns rows [y0, y1), possibly none); a rank holds its rows plus chain.radius halo
 * rows on each side, clipped to the image.  Rank 0 holds the whole image, halos
 * included, so each rank gets its rows and its halos from it in one transfer
 * (tk_strip_scatter), strips thinner than the halo and empty strips alike; no halo
 * exchange follows, since a chain of filters runs whole on its strip (the halo is the
 * sum of the steps' radii, tk_filter_rows recomputes each step's rows that the next
 * needs).  tk_filter_rows then computes the same bytes as on the whole image.
 * Many images handed out to a pool of workers are filter_pool.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk/comm.h"
#include "tk/decomp.h"
#include "tk/fetch.h"
#include "tk/filter_run.h"
#include "tk/hash.h"
#include "tk/image.h"
#include "tk/omp.h"
#include "tk/timer.h"
#include "tk/tk.h"
#include "filter/filter_run_priv.h"

/* ---- shared helpers ------------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int tk_filter_generate(tk_image *img, uint32_t width, uint32_t height, int channels,
                       uint64_t seed)
{
	TK_CHECK(tk_image_check_size("--generate", width, height, channels));
	TK_CHECK(tk_image_init_for("--generate", img, width, height, channels));
	size_t row = tk_image_row_bytes(img);
#pragma omp parallel for schedule(static)
	for (uint32_t y = 0; y < height; y++) {
		uint8_t *p = img->data + (size_t)y * row;
		for (size_t i = 0; i < row; i++) {
			uint64_t x = i / (size_t)channels, c = i % (size_t)channels;
			uint64_t n = mix64(seed ^ ((uint64_t)y << 32 | (x << 2) | c));
			/* gradients and blocks, as in a photograph, plus a little noise */
			uint64_t v = (x * 3 / 7 + y / 5 + c * 40 + ((x / 64 + y / 48) % 3) * 30) %
			             224 + (n & 31);
			p[i] = (uint8_t)(c == 3 ? 255 - (x % 256) : v);
		}
	}
	return 0;
}

/* Recompute a few rows with one thread, straight from the input, and compare: checks
 * the strips, halos, threads and gather against the simplest path. */
int tk_filter_spot_check(const tk_filter_chain *c, const tk_image *in, const tk_image *out,
                         int threads, int *ok)
{
	uint32_t h = in->height, rows[3] = {0, h / 2, h - 1};
	size_t orow = (size_t)out->width * out->channels;
	uint8_t *tmp = tk_alloc(orow, 1);
	if (!tmp)
		return TK_ENOMEM;
	*ok = 1;
	tk_thread_set(1);
	int rc = 0;
	for (int i = 0; i < 3 && rc == 0; i++) {
		rc = tk_filter_rows(c, in->width, h, in->channels, in->data, 0, h, tmp, rows[i],
		                    rows[i] + 1);
		if (rc == 0 && memcmp(tmp, out->data + (size_t)rows[i] * orow, orow) != 0)
			*ok = 0;
	}
	tk_thread_set(threads);
	tk_free(tmp);
	return rc;
}

/* Refuse an output that is the input, or whose folder is missing or not writable,
 * before any work is done. */
int tk_filter_check_output(const char *input, const char *output, int folder)
{
	if (!output)
		return 0;
	char dir[PATH_MAX];
	if (folder) {
		snprintf(dir, sizeof dir, "%s", output);
	} else {
		const char *slash = strrchr(output, '/');
		if (!slash)
			snprintf(dir, sizeof dir, ".");
		else
			snprintf(dir, sizeof dir, "%.*s", (int)(slash - output) + (slash == output),
			         output);
		TK_REQUIRE(tk_image_known_extension(output), TK_EUSAGE,
		           "%s: unknown output format (use .png, .pgm, .ppm or .pnm)", output);
	}
	struct stat st;
	TK_REQUIRE(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), TK_EIO,
	           "%s: output folder %s does not exist", output, dir);
	TK_REQUIRE(access(dir, W_OK | X_OK) == 0, TK_EIO, "%s: output folder %s is not writable",
	           output, dir);
	if (input) {
		char ri[PATH_MAX], ro[PATH_MAX];
		int same = strcmp(input, output) == 0 ||
		           (realpath(input, ri) && realpath(output, ro) && strcmp(ri, ro) == 0);
		TK_REQUIRE(!same, TK_EUSAGE,
		           "%s: the output is the input; write the result elsewhere", output);
	}
	return 0;
}

/* Collective: if any rank reduced 16-bit samples, rank 0 says so once on stderr. */
void tk_filter_note_16bit(void)
{
	const char *first = NULL;
	uint64_t v[2] = {tk_image_16bit_count(&first), 0};
	v[1] = v[0] && tk_comm_rank() == 0; /* whether rank 0 can name one */
	tk_comm_allreduce_u64(v, 2, TK_SUM);
	if (v[0] && tk_comm_rank() == 0) {
		fflush(stdout);
		if (v[1])
			fprintf(stderr, "toolkit: note: 16-bit samples reduced to 8 bits in %llu "
			                "image(s), e.g. %s\n", (unsigned long long)v[0], first);
		else
			fprintf(stderr, "toolkit: note: 16-bit samples reduced to 8 bits in %llu "
			                "image(s)\n", (unsigned long long)v[0]);
	}
}

void tk_filter_fill_common(tk_result *r, const tk_filter_job *job)
{
	tk_result_ref_str(r, "filters", job->filters);
	tk_result_ref_str(r, "input", job->input ? job->input : "generated");
	tk_result_ref_str(r, "output", job->output ? job->output : "none");
	r->rate_unit = "MP/s";
	r->rate_scale = 1e6;
}

/* ---- one image ---------------------------------------------------------------- */

/* Rank 0: read or generate the image; everyone: its size. */
static int load(const tk_filter_job *job, tk_image *in, uint64_t hdr[3], double *io)
{
	int st = 0;
	if (tk_comm_rank() == 0) {
		double t = tk_now();
		st = tk_filter_check_output(job->input, job->output, 0);
		if (st == 0)
			st = job->input ? tk_image_read(job->input, in)
			                : tk_filter_generate(in, job->gen_width, job->gen_height,
			                                     job->gen_channels, job->seed);
		*io += tk_now() - t;
		if (st == 0) {
			hdr[0] = in->width;
			hdr[1] = in->height;
			hdr[2] = (uint64_t)in->channels;
		}
	}
	TK_CHECK(tk_error_share(st));
	tk_comm_bcast(hdr, 3 * sizeof *hdr, 0);
	return 0;
}

int tk_filter_run_image(const tk_filter_job *job, const tk_run_ctx *ctx, tk_result *r)
{
	const tk_filter_chain *c = &job->chain;
	int rank = tk_comm_rank(), size = tk_comm_size();
	tk_image in = {0}, out = {0};
	uint64_t hdr[3] = {0, 0, 0};
	double io = 0, comm = 0;
	TK_CHECK(load(job, &in, hdr, &io));
	uint32_t w = (uint32_t)hdr[0], h = (uint32_t)hdr[1];
	int ch = (int)hdr[2], co = tk_filter_channels_out(c, ch);
	size_t row = (size_t)w * ch, orow = (size_t)w * co;
	tk_strip me = tk_decomp_strip(h, (uint64_t)size, (uint64_t)rank, (uint64_t)c->radius);

	/* buffers: rank 0 works in place in the whole images */
	uint8_t *buf = NULL, *obuf = NULL;
	int st = 0;
	if (rank == 0) {
		st = tk_image_init_for(job->output ? job->output : "the output image", &out, w, h,
		                       co);
		buf = in.data;
		obuf = out.data;
	} else {
		buf = tk_alloc_aligned((size_t)(me.b - me.a) + 1, row);
		obuf = tk_alloc_aligned((size_t)(me.y1 - me.y0) + 1, orow);
		st = buf && obuf ? 0 : TK_ENOMEM;
	}
	if (st == 0) /* page faults of a new buffer are not filtering time */
		memset(obuf, 0, (size_t)(me.y1 - me.y0) * orow);
	/* rows and halos in one transfer each (agreeing on st first) */
	double t0 = tk_now();
	st = tk_strip_scatter(h, (uint64_t)c->radius, row, in.data, buf, 0, st);
	comm += tk_now() - t0;
	if (st == 0) {
		tk_comm_barrier();
		t0 = tk_now();
		st = tk_filter_rows(c, w, h, ch, buf, me.a, me.b, obuf, me.y0, me.y1);
		tk_result_time(r, tk_now() - t0);
	}
	t0 = tk_now();
	st = tk_strip_gather(h, orow, obuf, out.data, 0, st);
	comm += tk_now() - t0;
	if (rank != 0) {
		tk_free(buf);
		tk_free(obuf);
	}

	/* rank 0: check, digest, write */
	uint64_t digest = 0;
	int ok = 0;
	if (st == 0 && rank == 0) {
		/* the input was only read: rows are rows */
		st = tk_filter_spot_check(c, &in, &out, ctx->threads, &ok);
		digest = tk_image_digest(&out);
		if (st == 0 && job->output) {
			double t = tk_now();
			struct stat sb;
			unsigned mode = !job->input ? 0666
			                : stat(job->input, &sb) == 0 ? (unsigned)sb.st_mode & 0666
			                                             : 0600;
			st = tk_image_write_mode(job->output, &out, mode);
			io += tk_now() - t;
		}
	}
	tk_image_free(&in);
	tk_image_free(&out);
	TK_CHECK(tk_error_share(st));
	int64_t v[2] = {ok, (int64_t)digest};
	tk_comm_bcast(v, sizeof v, 0);

	tk_filter_note_16bit();
	r->size = (uint64_t)w * h;
	r->size_unit = "pixels";
	tk_result_u64(r, "width", w);
	tk_result_u64(r, "height", h);
	tk_result_u64(r, "channels", (uint64_t)co);
	tk_result_ref_str(r, "layout_in", tk_image_layout_name(ch));
	tk_filter_fill_common(r, job);
	tk_result_hex(r, "pixel_digest", (uint64_t)v[1]);
	tk_result_ref_f64(r, "scatter_gather_s", comm);
	tk_result_verify(r, v[0] == 1,
	                 "rows 0, %u and %u recomputed by one thread from the whole image %s",
	                 h / 2, h - 1, v[0] == 1 ? "match" : "DIFFER");
	r->io_s = io;
	r->work = (double)w * h;
	return 0;
}
