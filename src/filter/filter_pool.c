/*
 * filter_pool.c: many images, a folder or a list of paths and URLs, handed out to a pool
 * of workers (tk/filter_run.h): each worker takes whole items, statically or from the
 * shared counter, and reads, filters and writes them itself; outputs keep the input's
 * order and name, collisions are found before any work, and a failed item is skipped by
 * name (exit 3).  One image split in strips is filter_run.c.
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


/* ---- many images: a folder or a list, handed out to a pool of workers --------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The items of a batch: names in a folder (sorted) or the lines of a list file (in
 * their order), as one "item\0item\0..." blob that every rank holds. */
typedef struct items {
	char *blob;
	const char **name;
	uint64_t n;
	const char *dir; /* folder mode: names are relative to it */
	char base[PATH_MAX]; /* list mode: the list's folder, for relative paths */
	int list;
} items;

/* A symbolic link in the folder whose target lies outside it (../secret/x.pgm) is
 * not read unless asked: it is skipped with a note. */
static int link_leaves(const char *dir, const char *path, int follow)
{
	struct stat lb;
	if (follow || lstat(path, &lb) != 0 || !S_ISLNK(lb.st_mode))
		return 0;
	char rd[PATH_MAX], rp[PATH_MAX];
	if (!realpath(dir, rd) || !realpath(path, rp))
		return 0; /* dangling: stat fails and the name is left out anyway */
	size_t n = strlen(rd);
	if (strncmp(rp, rd, n) == 0 && rp[n] == '/')
		return 0;
	fflush(stdout);
	fprintf(stderr, "toolkit: note: %s is a link to %s, outside the folder: skipped "
	                "(--follow-symlinks reads it)\n", path, rp);
	return 1;
}

typedef struct name_list {
	char **v;
	size_t n, cap, total;
} name_list;

static int name_add(name_list *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **more = realloc(l->v, cap * sizeof *more);
		if (!more)
			return TK_ENOMEM;
		l->v = more;
		l->cap = cap;
	}
	l->v[l->n] = strndup(s, len);
	if (!l->v[l->n])
		return TK_ENOMEM;
	l->total += len + 1;
	l->n++;
	return 0;
}

/* Rank 0: the image files in dir, sorted. */
static int read_folder(const char *dir, int follow, name_list *l)
{
	DIR *d = opendir(dir);
	if (!d)
		return tk_error_set(TK_EIO, "%s: cannot open folder (%s)", dir, strerror(errno));
	int st = 0;
	for (struct dirent *e; st == 0 && (e = readdir(d));) {
		char path[PATH_MAX];
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || !tk_image_known_extension(e->d_name) ||
		    stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || link_leaves(dir, path, follow))
			continue;
		if (name_add(l, e->d_name, strlen(e->d_name)) != 0)
			st = tk_error_set(TK_ENOMEM, "out of memory listing %s", dir);
	}
	closedir(d);
	if (st == 0 && l->n == 0)
		st = tk_error_set(TK_EIO, "%s: no PNG or PNM images (.png .pgm .ppm .pnm) in this "
		                  "folder", dir);
	if (st == 0)
		qsort(l->v, l->n, sizeof *l->v, cmp_str);
	return st;
}

/* Rank 0: the items of a list file, one per line (blank lines and lines starting with
 * # are skipped; surrounding spaces and a CR are dropped). */
static int read_list(const char *path, name_list *l)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return tk_error_set(TK_EIO, "%s: cannot open (%s)", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	int st = 0;
	ssize_t len;
	while (st == 0 && (len = getline(&line, &cap, f)) >= 0) {
		char *p = line, *e = line + len;
		if (memchr(line, '\0', (size_t)len))
			st = tk_error_set(TK_EIO, "%s: not a list of paths and URLs (binary data)", path);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (st == 0 && e > p && *p != '#') {
			TK_REQUIRE(e - p < PATH_MAX, TK_EIO, "%s: an item of %td characters (at most %d)",
			           path, e - p, PATH_MAX - 1);
			if (name_add(l, p, (size_t)(e - p)) != 0)
				st = tk_error_set(TK_ENOMEM, "out of memory reading %s", path);
		}
	}
	int bad = ferror(f);
	free(line);
	fclose(f);
	if (st == 0 && bad)
		st = tk_error_set(TK_EIO, "%s: read error", path);
	if (st == 0 && l->n == 0)
		st = tk_error_set(TK_EIO, "%s: the list has no items (one path or http(s) URL per "
		                  "line)", path);
	return st;
}

/* Collective: rank 0 reads the folder or list, everyone gets the items. */
static int share_items(const tk_filter_job *job, items *it)
{
	int st = 0;
	uint64_t hdr[2] = {0, 0}; /* bytes, count */
	char *text = NULL;
	memset(it, 0, sizeof *it);
	it->list = job->list;
	it->dir = job->list ? NULL : job->input;
	if (job->list) {
		const char *slash = strrchr(job->input, '/');
		snprintf(it->base, sizeof it->base, "%.*s", slash ? (int)(slash - job->input) : 1,
		         slash ? job->input : ".");
		if (slash == job->input)
			snprintf(it->base, sizeof it->base, "/");
	}
	if (tk_comm_rank() == 0) {
		name_list l = {0};
		st = job->list ? read_list(job->input, &l)
		               : read_folder(job->input, job->follow_links, &l);
		if (st == 0) {
			text = malloc(l.total + 1);
			size_t off = 0;
			for (size_t i = 0; text && i < l.n; i++) {
				size_t len = strlen(l.v[i]) + 1;
				memcpy(text + off, l.v[i], len);
				off += len;
			}
			st = text ? 0 : tk_error_set(TK_ENOMEM, "out of memory listing %s", job->input);
			hdr[0] = l.total;
			hdr[1] = l.n;
		}
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
	}
	TK_CHECK(tk_error_share(st));
	tk_comm_bcast(hdr, sizeof hdr, 0);
	if (tk_comm_rank() != 0)
		text = malloc(hdr[0] + 1);
	const char **name = text ? tk_alloc(hdr[1], sizeof *name) : NULL;
	st = name ? 0 : tk_error_set(TK_ENOMEM, "out of memory");
	if (tk_error_share(st) < 0) {
		free(text);
		tk_free(name);
		return TK_ENOMEM;
	}
	tk_comm_bcast(text, hdr[0], 0);
	const char *p = text;
	for (uint64_t i = 0; i < hdr[1]; i++, p += strlen(p) + 1)
		name[i] = p;
	it->blob = text;
	it->name = name;
	it->n = hdr[1];
	return 0;
}

static void items_free(items *it)
{
	tk_free(it->name);
	free(it->blob);
}

#define SRC_MAX (2 * PATH_MAX + 2)

/* Where item i is read from: a URL as it is; a path relative to the folder, or for a
 * list relative to the list file's folder (absolute paths as they are). */
static void source_of(const items *it, uint64_t i, char *buf, size_t cap)
{
	const char *s = it->name[i];
	int known;
	if (it->dir)
		snprintf(buf, cap, "%s/%s", it->dir, s);
	else if (tk_fetch_is_url(s, &known) || s[0] == '/' || strcmp(it->base, ".") == 0)
		snprintf(buf, cap, "%s", s);
	else
		snprintf(buf, cap, "%s/%s", it->base, s);
}

/* The name item i is written under: a folder's file name; for a list item, the last part
 * of its path or URL (without ?query or #fragment), or item<N>.pnm when that part is not
 * an image name. */
static void out_base_of(const items *it, uint64_t i, char *buf, size_t cap)
{
	const char *s = it->name[i];
	if (it->dir) {
		snprintf(buf, cap, "%s", s);
		return;
	}
	size_t end = strcspn(s, "?#");
	const char *last = s;
	for (const char *p = s; p < s + end; p++)
		if (*p == '/')
			last = p + 1;
	snprintf(buf, cap, "%.*s", (int)(s + end - last), last);
	if (!buf[0] || buf[0] == '.' || !tk_image_known_extension(buf))
		snprintf(buf, cap, "item%05llu.pnm", (unsigned long long)i);
}

/* Output path of one image: the same name, a PNM taking the extension of its layout. */
static void output_name(char *path, size_t cap, const char *dir, const char *name,
                        int channels)
{
	const char *dot = strrchr(name, '.');
	int png = dot && (dot[1] == 'p' || dot[1] == 'P') && (dot[2] == 'n' || dot[2] == 'N') &&
	          (dot[3] == 'g' || dot[3] == 'G');
	if (png || !dot)
		snprintf(path, cap, "%s/%s", dir, name);
	else
		snprintf(path, cap, "%s/%.*s.%s", dir, (int)(dot - name), name,
		         channels == 1 ? "pgm" : "ppm");
}

/* The channels of an image file from its first bytes (PNM magic), 0 when unknown. */
static int pnm_channels(const char *path)
{
	char m[2] = {0, 0};
	int known;
	if (tk_fetch_is_url(path, &known))
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t got = fread(m, 1, 2, f);
	fclose(f);
	if (got != 2 || m[0] != 'P')
		return 0;
	return m[1] == '2' || m[1] == '5' ? 1 : m[1] == '3' || m[1] == '6' ? 3 : 0;
}

typedef struct out_key {
	char *out;
	uint64_t idx;
} out_key;

static int cmp_key(const void *a, const void *b)
{
	const out_key *x = a, *y = b;
	int c = strcmp(x->out, y->out);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Rank 0: clash[i] = k + 1 when image i would be written to the same output name as
 * image k < i (a.pgm and a.pnm, or c.PGM and c.pgm, both become a.pgm / c.pgm; two
 * URLs ending in the same name); image i is then skipped, so no two inputs ever share
 * an output.  PNM output names depend on the layout, known from the file's magic; where
 * it is unknown (a URL) both are reserved. */
static int find_clashes(const tk_filter_job *job, const items *it, uint64_t *clash)
{
	uint64_t n = it->n;
	memset(clash, 0, n * sizeof *clash);
	if (!job->output)
		return 0;
	out_key *keys = tk_alloc(2 * n, sizeof *keys);
	if (!keys)
		return TK_ENOMEM;
	size_t nk = 0;
	int st = 0;
	for (uint64_t i = 0; i < n && st == 0; i++) {
		char src[SRC_MAX], dst[PATH_MAX], base[PATH_MAX];
		source_of(it, i, src, sizeof src);
		out_base_of(it, i, base, sizeof base);
		int ch = pnm_channels(src);
		for (int layout = 1; layout <= 3 && st == 0; layout += 2) {
			if (ch && ch != layout)
				continue;
			output_name(dst, sizeof dst, job->output, base,
			            tk_filter_channels_out(&job->chain, layout));
			if (nk && keys[nk - 1].idx == i && strcmp(keys[nk - 1].out, dst) == 0)
				continue; /* a PNG: one name whatever the layout */
			keys[nk].out = strdup(dst);
			keys[nk].idx = i;
			st = keys[nk++].out ? 0 : TK_ENOMEM;
		}
	}
	if (st == 0)
		qsort(keys, nk, sizeof *keys, cmp_key);
	for (size_t a = 0, b; st == 0 && a < nk; a = b) {
		for (b = a + 1; b < nk && strcmp(keys[b].out, keys[a].out) == 0; b++)
			if (keys[b].idx != keys[a].idx && !clash[keys[b].idx])
				clash[keys[b].idx] = keys[a].idx + 1;
	}
	for (size_t k = 0; k < nk; k++)
		free(keys[k].out);
	tk_free(keys);
	return st;
}

typedef struct batch {
	uint64_t *digest, *pixels, *failed, *verified; /* per image, summed over ranks */
	double compute, io;                            /* summed over this rank's workers */
	double busy_min, busy_max;                     /* one worker's item time, min / max */
	char *errors; /* this rank's failure messages, "index\tmessage\n" each */
	size_t elen, ecap;
} batch;

/* Called inside a critical section: item i failed with the thread's recorded error. */
static void note_failure(batch *b, uint64_t i)
{
	char head[32];
	const char *m = tk_error_message();
	int hl = snprintf(head, sizeof head, "%llu\t", (unsigned long long)i);
	size_t len = strlen(m) + (size_t)hl + 1;
	if (b->elen + len + 1 > b->ecap) {
		size_t cap = (b->ecap + len) * 2 + 256;
		char *more = realloc(b->errors, cap);
		if (!more)
			return;
		b->errors = more;
		b->ecap = cap;
	}
	memcpy(b->errors + b->elen, head, (size_t)hl);
	memcpy(b->errors + b->elen + hl, m, strlen(m));
	b->elen += len;
	b->errors[b->elen - 1] = '\n';
}

/* Read item i: a local file directly, a URL through tk_fetch into memory. */
static int read_item(const tk_filter_job *job, const char *src, tk_image *in)
{
	int known;
	if (!tk_fetch_is_url(src, &known))
		return tk_image_read(src, in);
	unsigned char *data = NULL;
	size_t len = 0;
	int st = tk_fetch(src, &job->fetch, &data, &len);
	if (st == 0)
		st = tk_image_read_mem(src, data, len, in);
	free(data);
	return st;
}

/* One item, start to end, on the calling thread (its nested team of `inner` threads
 * filters it).  io and compute accumulate this worker's seconds. */
static void one_image(const tk_filter_job *job, const items *it, uint64_t i,
                      const uint64_t *clash, int inner, batch *b, double *io,
                      double *compute)
{
	char src[SRC_MAX], dst[PATH_MAX], base[PATH_MAX];
	tk_image in = {0}, out = {0};
	source_of(it, i, src, sizeof src);
	tk_error_clear();
	double t = tk_now();
	int st = 0;
	if (clash[i]) {
		char other[SRC_MAX];
		source_of(it, clash[i] - 1, other, sizeof other);
		st = tk_error_set(TK_EIO, "%s: would be written to the same output as %s (rename "
		                          "one)", src, other);
	} else {
		st = read_item(job, src, &in);
	}
	struct stat sb;
	int known;
	unsigned mode = tk_fetch_is_url(src, &known) ? 0666
	                : st == 0 && stat(src, &sb) == 0 ? (unsigned)sb.st_mode & 0666 : 0600;
	*io += tk_now() - t;
	int ok = 0;
	if (st == 0) {
		t = tk_now();
		st = tk_filter_image(&job->chain, &in, &out);
		*compute += tk_now() - t;
	}
	if (st == 0)
		st = tk_filter_spot_check(&job->chain, &in, &out, inner, &ok);
	if (st == 0 && job->output) {
		out_base_of(it, i, base, sizeof base);
		output_name(dst, sizeof dst, job->output, base, out.channels);
		t = tk_now();
		st = tk_image_write_mode(dst, &out, mode);
		*io += tk_now() - t;
	}
	if (st == 0) {
		b->digest[i] = tk_image_digest(&out);
		b->pixels[i] = (uint64_t)in.width * in.height;
		b->verified[i] = (uint64_t)ok;
	} else {
		b->failed[i] = 1;
#pragma omp critical(tk_filter_batch)
		note_failure(b, i);
	}
	tk_error_clear();
	tk_image_free(&in);
	tk_image_free(&out);
}

static int cmp_line(const void *a, const void *b)
{
	unsigned long long x = strtoull(*(char *const *)a, NULL, 10),
	                   y = strtoull(*(char *const *)b, NULL, 10);
	return (x > y) - (x < y);
}

/* Rank 0 prints every rank's failure lines, in item order (whoever did the item). */
static void report_failures(batch *b)
{
	int rank = tk_comm_rank(), size = tk_comm_size();
	uint64_t *len = calloc((size_t)size, sizeof *len);
	size_t *bytes = calloc((size_t)size, sizeof *bytes);
	if (!len || !bytes)
		tk_comm_abort(4);
	len[rank] = b->elen;
	tk_comm_allreduce_u64(len, (size_t)size, TK_SUM);
	size_t total = 0;
	for (int q = 0; q < size; q++)
		total += bytes[q] = (size_t)len[q];
	char *all = rank == 0 ? malloc(total + 1) : NULL;
	if (rank == 0 && !all)
		tk_comm_abort(4);
	tk_comm_gatherv(b->errors, b->elen, all, bytes, 0);
	if (rank == 0) {
		size_t nl = 0;
		for (size_t k = 0; k < total; k++)
			nl += all[k] == '\n';
		char **line = calloc(nl ? nl : 1, sizeof *line);
		if (!line)
			tk_comm_abort(4);
		size_t m = 0;
		for (char *p = all, *end = all + total; p < end && m < nl;) {
			char *e = memchr(p, '\n', (size_t)(end - p));
			*e = '\0';
			line[m++] = p;
			p = e + 1;
		}
		qsort(line, m, sizeof *line, cmp_line);
		fflush(stdout);
		for (size_t k = 0; k < m; k++) {
			const char *tab = strchr(line[k], '\t');
			fprintf(stderr, "toolkit: error: %s (skipped)\n", tab ? tab + 1 : line[k]);
		}
		free(line);
	}
	free(all);
	free(len);
	free(bytes);
}

/* How a rank's T threads share the work: P workers in the pool, each filtering its
 * whole images with `inner` threads.  With at least one image per thread every thread
 * is a worker (inner = 1); with fewer images than workers, the images are shared out
 * and each one's rows are split over the threads left over (n = 1: one worker of T
 * threads, the old row split).  The same on every rank: n, R and T are. */
void tk_filter_pool_shape(uint64_t n, int ranks, int threads, int *pool, int *inner)
{
	uint64_t per_rank = (n + (uint64_t)ranks - 1) / (uint64_t)ranks;
	int p = per_rank >= (uint64_t)threads ? threads : per_rank < 1 ? 1 : (int)per_rank;
	*pool = p;
	*inner = threads / p > 0 ? threads / p : 1;
}

/* Items of worker w of W under a static schedule: chunk 0 = one contiguous block per
 * worker (tk_decomp_block's share); chunk C > 0 = chunks of C items dealt round robin.
 * Calls fn for each item in order. */
uint64_t tk_filter_static_next(uint64_t n, uint64_t chunk, uint64_t w, uint64_t nw,
                               uint64_t prev)
{
	if (chunk == 0) {
		tk_range b = tk_decomp_block(n, nw, w);
		uint64_t next = prev == UINT64_MAX ? b.lo : prev + 1;
		return next < b.hi ? next : n;
	}
	uint64_t next;
	if (prev == UINT64_MAX)
		next = w * chunk;
	else if ((prev + 1) % chunk != 0)
		next = prev + 1;
	else
		next = prev + 1 + (nw - 1) * chunk;
	return next < n ? next : n;
}

/* This rank's share of the batch: a pool of workers taking whole items, statically or
 * from the shared counter (chunks of job->chunk items). */
static void run_pool(const tk_filter_job *job, const tk_run_ctx *ctx, const items *it,
                     const uint64_t *clash, batch *b)
{
	int T = ctx->threads, R = tk_comm_size(), rank = tk_comm_rank(), P, inner;
	uint64_t n = it->n, chunk = job->chunk ? job->chunk : 1;
	uint64_t nchunks = (n + chunk - 1) / chunk;
	tk_filter_pool_shape(n, R, T, &P, &inner);
	if (!job->sched_static && R > 1 && !tk_comm_counter_any_thread())
		P = 1, inner = T; /* the MPI library allows MPI calls on one thread only */
	if (!job->sched_static)
		tk_comm_counter_create(nchunks);
	tk_thread_nest(inner > 1 ? 2 : 1);
	b->busy_min = INFINITY;
	b->busy_max = 0;
#pragma omp parallel num_threads(P)
	{
		char msg[512];
		double io = 0, compute = 0, t0 = tk_now();
		tk_thread_set(inner);
		tk_error_local(msg, sizeof msg);
		uint64_t w = (uint64_t)rank * (uint64_t)P + (uint64_t)tk_thread_id();
		uint64_t nw = (uint64_t)R * (uint64_t)P;
		if (job->sched_static) {
			for (uint64_t i = tk_filter_static_next(n, job->chunk, w, nw, UINT64_MAX); i < n;
			     i = tk_filter_static_next(n, job->chunk, w, nw, i)) {
				one_image(job, it, i, clash, inner, b, &io, &compute);
				tk_progress_add(1);
			}
		} else {
			for (uint64_t k; (k = tk_comm_counter_next()) < nchunks;)
				for (uint64_t i = k * chunk; i < n && i < (k + 1) * chunk; i++) {
					one_image(job, it, i, clash, inner, b, &io, &compute);
					tk_progress_add(1);
				}
		}
		double busy = tk_now() - t0;
		tk_error_local(NULL, 0);
#pragma omp critical(tk_filter_batch)
		{
			b->io += io;
			b->compute += compute;
			b->busy_min = busy < b->busy_min ? busy : b->busy_min;
			b->busy_max = busy > b->busy_max ? busy : b->busy_max;
		}
	}
	tk_thread_nest(1);
	tk_thread_set(T);
	if (!job->sched_static)
		tk_comm_counter_free();
}

int tk_filter_run_folder(const tk_filter_job *job, const tk_run_ctx *ctx, tk_result *r)
{
	int st = tk_comm_rank() == 0 ? tk_filter_check_output(job->input, job->output, 1) : 0;
	TK_CHECK(tk_error_share(st));
	items it;
	TK_CHECK(share_items(job, &it));
	uint64_t n = it.n;
	uint64_t *arrays = tk_alloc(5 * n, sizeof *arrays);
	st = arrays ? 0 : TK_ENOMEM;
	if (st == 0)
		memset(arrays, 0, 5 * n * sizeof *arrays);
	uint64_t *clash = arrays ? arrays + 4 * n : NULL;
	if (st == 0 && tk_comm_rank() == 0)
		st = find_clashes(job, &it, clash);
	st = tk_error_share(st);
	if (st < 0) {
		tk_free(arrays);
		items_free(&it);
		return st;
	}
	tk_comm_bcast(clash, n * sizeof *clash, 0);
	batch b = {arrays, arrays + n, arrays + 2 * n, arrays + 3 * n, 0, 0, 0, 0, NULL, 0, 0};

	tk_comm_barrier();
	double t0 = tk_now();
	tk_progress_begin(ctx, "filter", n);
	run_pool(job, ctx, &it, clash, &b);
	tk_progress_end();
	double wall = tk_now() - t0;
	tk_comm_allreduce_u64(arrays, 4 * n, TK_SUM);
	report_failures(&b);

	uint64_t images = 0, failed = 0, pixels = 0, verified = 0;
	uint64_t h = TK_FNV_OFFSET;
	for (uint64_t i = 0; i < n; i++) {
		failed += b.failed[i];
		images += !b.failed[i];
		pixels += b.pixels[i];
		verified += b.verified[i];
		h = tk_fnv1a_words(h, &b.digest[i], sizeof b.digest[i]);
	}
	tk_filter_note_16bit();
	double times[4] = {b.compute, b.io, wall, b.busy_max}, busy_min = b.busy_min;
	tk_comm_allreduce_f64(times, 4, TK_MAX);
	tk_comm_allreduce_f64(&busy_min, 1, TK_MIN);
	double sums[2] = {b.compute, b.io};
	tk_comm_allreduce_f64(sums, 2, TK_SUM);
	/* the batch's time is its wall time: reading and writing are part of the job */
	tk_result_time(r, wall);
	r->size = pixels;
	r->size_unit = "pixels";
	tk_result_u64(r, "images", images);
	tk_result_u64(r, "skipped", failed);
	tk_filter_fill_common(r, job);
	tk_result_hex(r, "pixel_digest", h);
	tk_result_ref_f64(r, "images_per_s", times[2] > 0 ? (double)images / times[2] : 0);
	tk_result_ref_f64(r, "filter_s", sums[0]);
	tk_result_unit(r, "s");
	tk_result_ref_f64(r, "read_write_s", sums[1]);
	tk_result_unit(r, "s");
	tk_result_ref_f64(r, "worker_busy_min_s", busy_min);
	tk_result_unit(r, "s");
	tk_result_ref_f64(r, "worker_busy_max_s", times[3]);
	tk_result_unit(r, "s");
	tk_result_ref_str(r, "schedule", job->sched_static ? "static" : "dynamic");
	tk_result_verify(r, verified == images,
	                 "%llu of %llu images: sample rows recomputed by one thread match",
	                 (unsigned long long)verified, (unsigned long long)images);
	r->io_s = times[1];
	r->work = (double)pixels;
	r->skipped = failed;
	tk_free(arrays);
	items_free(&it);
	return 0;
}
