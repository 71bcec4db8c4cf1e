/*
 * array_io.c: loading reduce's array (see array_io.h): .npy and raw files read per
 * rank with pread, CSV parsed by rank 0 and scattered, generated values.
 *
 * Rule: every step that can fail is followed by tk_error_share() before the next
 * collective, so all ranks stop together with the same message.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/array_stream.h"
#include "tk/array_io.h"
#include "tk/comm.h"
#include "tk/reduce.h"
#include "tk/rng.h"
#include "tk/sysinfo.h"
#include "tk/tk.h"
#include "simd/tkmath.h"

#define HEADER_MAX (1u << 20)     /* we refuse .npy headers above 1 MiB */
#define READ_CHUNK (1u << 20)     /* values converted per read for small dtypes */
#define MEM_MARGIN (UINT64_C(64) << 20)

const char *const tk_dist_names[] = {"uniform", "normal", NULL};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

tk_source_kind tk_source_kind_of(const char *path)
{
	if (ends_with(path, ".npy"))
		return TK_SRC_NPY;
	if (ends_with(path, ".csv") || ends_with(path, ".txt"))
		return TK_SRC_CSV;
	return TK_SRC_RAW;
}

void tk_array_free(tk_array *a)
{
	tk_free(a->data);
	a->data = NULL;
}

/* Refuse before allocating what this machine cannot hold. */
static int check_memory(uint64_t bytes, uint64_t values)
{
	uint64_t avail = tk_mem_available();
	double gib = 1024.0 * 1024.0 * 1024.0;
	TK_REQUIRE(avail == 0 || bytes + MEM_MARGIN <= avail, TK_ENOMEM,
	           "reduce: %llu values need %.2f GiB on this rank, %.2f GiB available",
	           (unsigned long long)values, (double)bytes / gib, (double)avail / gib);
	return 0;
}

static int alloc_slice(tk_array *a)
{
	uint64_t m = a->hi - a->lo;
	TK_CHECK(check_memory(m * sizeof(double), m));
	a->data = tk_alloc_aligned(m ? m : 1, sizeof(double));
	return a->data ? 0 : TK_ENOMEM;
}

/* pread exactly len bytes at off. */
static int read_at(int fd, const char *path, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	while (len > 0) {
		size_t want = len > (SIZE_MAX >> 2) ? (SIZE_MAX >> 2) : len;
		if (want > (1u << 30))
			want = 1u << 30;
		ssize_t got = pread(fd, p, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		TK_REQUIRE(got >= 0, TK_EIO, "%s: read failed: %s", path, strerror(errno));
		TK_REQUIRE(got > 0, TK_EIO, "%s: truncated (file shrank while reading)", path);
		p += got;
		len -= (size_t)got;
		off += (uint64_t)got;
	}
	return 0;
}

static void convert(const unsigned char *in, tk_dtype dt, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++) {
		switch (dt) {
		case TK_DT_F4: {
			float f;
			memcpy(&f, in + 4 * i, 4);
			out[i] = f;
			break;
		}
		case TK_DT_I4: {
			int32_t v;
			memcpy(&v, in + 4 * i, 4);
			out[i] = v;
			break;
		}
		case TK_DT_I8: {
			int64_t v; /* beyond 2^53 rounds to nearest, as numpy's astype */
			memcpy(&v, in + 8 * i, 8);
			out[i] = (double)v;
			break;
		}
		case TK_DT_U1:
			out[i] = in[i];
			break;
		case TK_DT_F8:
			memcpy(&out[i], in + 8 * i, 8);
			break;
		}
	}
}

static const char *dtype_name(tk_dtype dt)
{
	static const char *const names[] = {"<f8", "<f4", "<i4", "<i8", "u1"};
	return names[dt];
}

/* Every rank: open, check the header and that the file holds the data it promises. */
static int file_open(const tk_source *src, int *fd, tk_npy_header *h)
{
	/* O_NONBLOCK: a FIFO with no writer is refused below instead of blocking the open
	 * for ever (it changes nothing for a regular file) */
	*fd = open(src->path, O_RDONLY | O_NONBLOCK);
	TK_REQUIRE(*fd >= 0, TK_EIO, "%s: cannot open: %s", src->path, strerror(errno));
	struct stat sb;
	TK_REQUIRE(fstat(*fd, &sb) == 0 && S_ISREG(sb.st_mode), TK_EIO,
	           "%s: not a regular file", src->path);
	uint64_t size = (uint64_t)sb.st_size;
	if (src->kind == TK_SRC_RAW) {
		memset(h, 0, sizeof *h);
		h->dtype = TK_DT_F8;
		h->itemsize = 8;
		TK_REQUIRE(size % 8 == 0, TK_EIO,
		           "%s: raw float64 input, but its size (%llu bytes) is not a multiple "
		           "of 8", src->path, (unsigned long long)size);
		h->count = size / 8;
		return 0;
	}
	size_t hl = size < HEADER_MAX ? (size_t)size : HEADER_MAX;
	unsigned char *buf = tk_alloc(hl ? hl : 1, 1);
	if (!buf)
		return TK_ENOMEM;
	int st = read_at(*fd, src->path, buf, hl, 0);
	if (st == 0)
		st = tk_npy_parse(buf, hl, src->path, h);
	tk_free(buf);
	TK_CHECK(st);
	/* by division: count * itemsize can wrap (shape (2^61+1,) of f8 is 8 bytes) */
	uint64_t have = size > h->data_offset ? size - h->data_offset : 0;
	TK_REQUIRE(size >= h->data_offset && h->count <= have / h->itemsize, TK_EIO,
	           "%s: truncated: the header says %llu values of %u bytes but the file "
	           "holds %llu bytes of data", src->path, (unsigned long long)h->count,
	           (unsigned)h->itemsize, (unsigned long long)have);
	return 0;
}

static int file_read(int fd, const tk_source *src, const tk_npy_header *h, tk_array *a)
{
	uint64_t m = a->hi - a->lo, off = h->data_offset + a->lo * h->itemsize;
	a->bytes = m * h->itemsize;
	if (h->dtype == TK_DT_F8)
		return read_at(fd, src->path, a->data, (size_t)(m * 8), off);
	unsigned char *buf = tk_alloc(READ_CHUNK, h->itemsize);
	if (!buf)
		return TK_ENOMEM;
	int st = 0;
	for (uint64_t i = 0; i < m && st == 0; i += READ_CHUNK) {
		size_t k = m - i < READ_CHUNK ? (size_t)(m - i) : READ_CHUNK;
		st = read_at(fd, src->path, buf, k * h->itemsize, off + i * h->itemsize);
		if (st == 0)
			convert(buf, h->dtype, k, a->data + i);
	}
	tk_free(buf);
	return st;
}

static int load_file(const tk_source *src, tk_array *a)
{
	int fd = -1;
	tk_npy_header h;
	int st = tk_error_share(file_open(src, &fd, &h));
	if (st == 0) {
		a->n = h.count;
		a->dtype = dtype_name(h.dtype);
		tk_reduce_slice(a->n, tk_comm_rank(), tk_comm_size(), &a->lo, &a->hi);
		st = tk_error_share(alloc_slice(a));
	}
	if (st == 0)
		st = tk_error_share(file_read(fd, src, &h, a));
	if (fd >= 0)
		close(fd);
	if (st < 0)
		tk_array_free(a);
	return st;
}

/* ---- CSV ----------------------------------------------------------------------- */

/* A decimal number as CSV holds it: [+-] digits [. digits] [e [+-] digits], or inf,
 * infinity, nan (any case).  Not hex (strtod reads 0x10 as 16), not nan(...). */
static int csv_number_syntax(const char *p, size_t len)
{
	size_t i = 0, digits = 0;
	if (i < len && (p[i] == '+' || p[i] == '-'))
		i++;
	static const char *const words[] = {"inf", "infinity", "nan"};
	for (size_t w = 0; w < TK_ARRAY_SIZE(words); w++)
		if (len - i == strlen(words[w]) && strncasecmp(p + i, words[w], len - i) == 0)
			return 1;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (i < len && p[i] == '.')
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			digits++;
	if (!digits)
		return 0;
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		size_t e = 0;
		if (++i < len && (p[i] == '+' || p[i] == '-'))
			i++;
		for (; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			e++;
		if (!e)
			return 0;
	}
	return i == len;
}

/* Does the field start like a number (so a bad one is an error, not a header)? */
static int csv_looks_numeric(const char *p)
{
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.')
		p++;
	return (*p >= '0' && *p <= '9') || strncasecmp(p, "inf", 3) == 0 ||
	       strncasecmp(p, "nan", 3) == 0;
}

typedef struct csv_state {
	const char *path;
	int column;
	uint64_t line, cnt, cap;
	int seen_line; /* a non-blank line came before (a header can only be the first) */
	double *v;
} csv_state;

/* One line, NUL-terminated by the caller (len bytes before the terminator). */
static int csv_line(csv_state *cs, char *buf, size_t len)
{
	const char *path = cs->path;
	unsigned long long line = (unsigned long long)cs->line;
	TK_REQUIRE(memchr(buf, '\0', len) == NULL, TK_EIO, "%s:%llu: a NUL byte in the line",
	           path, line);
	const char *p = buf;
	if (cs->line == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3; /* a UTF-8 byte-order mark */
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0; /* blank line */
	int first = !cs->seen_line;
	cs->seen_line = 1;
	/* a header: the first non-blank line, when its first field is not a number */
	if (first && !csv_looks_numeric(p))
		return 0;
	for (int c = 0; c < cs->column; c++) {
		p = strchr(p, ',');
		TK_REQUIRE(p, TK_EIO, "%s:%llu: no column %d (0-based) on this line", path, line,
		           cs->column);
		p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	size_t flen = strcspn(p, ",");
	while (flen > 0 && (p[flen - 1] == ' ' || p[flen - 1] == '\t'))
		flen--;
	TK_REQUIRE(csv_number_syntax(p, flen), TK_EIO, "%s:%llu: '%.*s' is not a number", path,
	           line, (int)(flen > 40 ? 40 : flen), p);
	char *end;
	errno = 0;
	double x = strtod(p, &end);
	TK_REQUIRE(end == p + flen, TK_EIO, "%s:%llu: '%.*s' is not a number", path, line,
	           (int)(flen > 40 ? 40 : flen), p);
	/* overflow is an error; underflow rounds (to a subnormal or zero) as usual */
	TK_REQUIRE(!(errno == ERANGE && isinf(x)), TK_EIO,
	           "%s:%llu: '%.*s' is out of range for a double", path, line,
	           (int)(flen > 40 ? 40 : flen), p);
	if (cs->cnt == cs->cap) {
		double *nv = realloc(cs->v, 2 * cs->cap * sizeof *nv);
		TK_REQUIRE(nv, TK_ENOMEM, "reduce: out of memory reading %s", path);
		cs->v = nv;
		cs->cap *= 2;
	}
	cs->v[cs->cnt++] = x;
	return 0;
}

/* Rank 0: parse the whole file into *vals (*n values).  LF, CRLF and CR end lines. */
static int csv_parse(const char *path, int column, double **vals, uint64_t *n)
{
	*vals = NULL;
	*n = 0;
	FILE *f = fopen(path, "rb");
	TK_REQUIRE(f, TK_EIO, "%s: cannot open: %s", path, strerror(errno));
	csv_state cs = {path, column, 0, 0, 1024, 0, malloc(1024 * sizeof(double))};
	char *buf = NULL;
	size_t bcap = 0;
	ssize_t len;
	int st = cs.v ? 0 : tk_error_set(TK_ENOMEM, "reduce: out of memory reading %s", path);
	while (st == 0 && (len = getline(&buf, &bcap, f)) >= 0) {
		/* getline splits at LF; a CR inside ends a line too (CR-only files) */
		size_t end = (size_t)len;
		if (end > 0 && buf[end - 1] == '\n')
			end--;
		if (end > 0 && buf[end - 1] == '\r' && end < (size_t)len)
			end--; /* CRLF */
		size_t s0 = 0;
		while (st == 0) {
			char *cr = memchr(buf + s0, '\r', end - s0);
			size_t e = cr ? (size_t)(cr - buf) : end;
			buf[e] = '\0';
			cs.line++;
			st = csv_line(&cs, buf + s0, e - s0);
			if (!cr)
				break;
			s0 = e + 1;
		}
	}
	if (st == 0 && ferror(f))
		st = tk_error_set(TK_EIO, "%s: read error", path);
	free(buf);
	fclose(f);
	if (st < 0) {
		free(cs.v);
		return st;
	}
	*vals = cs.v;
	*n = cs.cnt;
	return 0;
}

static int load_csv(const tk_source *src, tk_array *a)
{
	int rank = tk_comm_rank(), size = tk_comm_size();
	double *all = NULL;
	uint64_t n = 0;
	int st = 0;
	if (rank == 0)
		st = csv_parse(src->path, src->column, &all, &n);
	st = tk_error_share(st);
	if (st < 0)
		return st;
	tk_comm_bcast(&n, sizeof n, 0);
	a->n = n;
	a->dtype = "f8";
	tk_reduce_slice(n, rank, size, &a->lo, &a->hi);
	st = tk_error_share(alloc_slice(a));
	size_t *bytes = NULL;
	if (st == 0 && rank == 0) {
		bytes = tk_alloc((size_t)size, sizeof *bytes);
		if (!bytes)
			st = TK_ENOMEM;
	}
	st = tk_error_share(st);
	if (st == 0) {
		if (rank == 0) {
			for (int r = 0; r < size; r++) {
				uint64_t lo, hi;
				tk_reduce_slice(n, r, size, &lo, &hi);
				bytes[r] = (size_t)((hi - lo) * sizeof(double));
			}
		}
		tk_comm_scatterv(all, bytes, a->data, (size_t)((a->hi - a->lo) * sizeof(double)),
		                 0);
		a->bytes = (a->hi - a->lo) * sizeof(double);
	}
	tk_free(bytes);
	free(all);
	if (st < 0)
		tk_array_free(a);
	return st;
}

/* ---- generated values ------------------------------------------------------------ */

/* Value i from Philox block i of the generate stream: uniform in (0, 1) from words
 * 0-1, or a Box-Muller normal from words 0-1 and 2-3 (one value per block, so value
 * i never depends on its neighbours). */
static double value_from(const uint32_t w[4], tk_dist dist)
{
	double u1 = tk_u01_52(w[0], w[1]);
	if (dist == TK_DIST_UNIFORM)
		return u1;
	double u2 = tk_u01_52(w[2], w[3]), s, c; /* u1 in (0, 1): the log is finite */
	/* the toolkit's own log and cos (tkmath.h), not libm's: the data, and so every
	 * digest of a normal --generate, are the same on every CPU */
	tk_sincos_2pi(u2, &s, &c);
	return sqrt(-2.0 * tk_log(u1)) * c;
}

double tk_generate_value(uint64_t seed, tk_dist dist, uint64_t i)
{
	tk_philox_ctr c =
		tk_philox4x32_10(tk_philox_block(i, TK_STREAM_GENERATE), tk_philox_seed(seed));
	return value_from(c.v, dist);
}

#define GEN_CHUNK 1024

static int load_generate(const tk_source *src, tk_array *a)
{
	a->n = src->count;
	a->dtype = "f8";
	tk_reduce_slice(a->n, tk_comm_rank(), tk_comm_size(), &a->lo, &a->hi);
	int st = tk_error_share(alloc_slice(a));
	if (st < 0)
		return st;
	uint64_t m = a->hi - a->lo, lo = a->lo;
	uint64_t nchunk = m / GEN_CHUNK + (m % GEN_CHUNK != 0);
	double *x = a->data;
	tk_philox_key key = tk_philox_seed(src->seed);
#pragma omp parallel
	{
		uint32_t w[4 * GEN_CHUNK];
#pragma omp for schedule(static)
		for (uint64_t c = 0; c < nchunk; c++) {
			uint64_t i0 = c * GEN_CHUNK, k = m - i0 < GEN_CHUNK ? m - i0 : GEN_CHUNK;
			tk_philox_fill(lo + i0, TK_STREAM_GENERATE, key, w, k);
			for (uint64_t j = 0; j < k; j++)
				x[i0 + j] = value_from(w + 4 * j, src->dist);
		}
	}
	a->bytes = m * sizeof(double);
	return 0;
}

int tk_array_load(const tk_source *src, tk_array *a)
{
	memset(a, 0, sizeof *a);
	switch (src->kind) {
	case TK_SRC_NPY:
	case TK_SRC_RAW:
		return load_file(src, a);
	case TK_SRC_CSV:
		return load_csv(src, a);
	case TK_SRC_GENERATE:
		return load_generate(src, a);
	}
	return tk_error_share(tk_error_set(TK_EUSAGE, "reduce: unknown input kind"));
}

/* ---- for the window reader (array_stream.c) -------------------------------------- */

int tk_array_file_open(const tk_source *src, int *fd, tk_npy_header *h)
{
	return file_open(src, fd, h);
}

int tk_array_read_at(int fd, const char *path, void *buf, size_t len, uint64_t off)
{
	return read_at(fd, path, buf, len, off);
}

void tk_array_convert(const unsigned char *in, tk_dtype dt, size_t n, double *out)
{
	convert(in, dt, n, out);
}

const char *tk_array_dtype_name(tk_dtype dt) { return dtype_name(dt); }
