/*
 * checkpoint.c: the checkpoint file's bytes, and its crash-safe write (checkpoint.h).
 * Rule: decoding trusts nothing: the checksum is checked before any field is read,
 * every count against its limit and the exact length, every accumulator chunk against
 * the normalized range, so a corrupt file is refused and never half used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk/checkpoint.h"
#include "tk/hash.h"
#include "tk/report.h"
#include "tk/tk.h"
#include "tk/tmpfile.h"

static const char magic[8] = {'T', 'K', 'C', 'K', 'P', 'T', '1', '\n'};
#define XFIELDS (TK_XSUM_CHUNKS + 5)
/* magic, version, model (2), nparams, total, done, nu, nx, checksum: 10 words */
#define MAX_BYTES (8 * (10 + TK_CKPT_MAX_PARAMS + TK_CKPT_MAX_U + TK_CKPT_MAX_X * XFIELDS))

static void put(unsigned char **p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		(*p)[i] = (unsigned char)(v >> (8 * i));
	*p += 8;
}

static uint64_t get(const unsigned char **p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)(*p)[i] << (8 * i);
	*p += 8;
	return v;
}

int tk_ckpt_encode(const tk_ckpt *c, unsigned char **buf, size_t *len)
{
	unsigned char *b = tk_alloc(MAX_BYTES, 1), *p = b;
	if (!b)
		return TK_ENOMEM;
	memcpy(p, magic, 8);
	p += 8;
	put(&p, TK_CKPT_VERSION);
	memset(p, 0, 16);
	memcpy(p, c->model, strnlen(c->model, 15));
	p += 16;
	put(&p, (uint64_t)c->nparams);
	for (int i = 0; i < c->nparams; i++)
		put(&p, c->params[i]);
	put(&p, c->total);
	put(&p, c->done);
	put(&p, (uint64_t)c->nu);
	for (int i = 0; i < c->nu; i++)
		put(&p, c->u[i]);
	put(&p, (uint64_t)c->nx);
	for (int i = 0; i < c->nx; i++) {
		tk_xsum x = c->x[i];
		tk_xsum_normalize(&x);
		for (int k = 0; k < TK_XSUM_CHUNKS; k++)
			put(&p, (uint64_t)x.chunk[k]);
		put(&p, (uint64_t)x.nan);
		put(&p, (uint64_t)x.pinf);
		put(&p, (uint64_t)x.ninf);
		put(&p, (uint64_t)x.any);
		put(&p, (uint64_t)x.nonnegzero);
	}
	put(&p, tk_fnv1a(TK_FNV_OFFSET, b, (size_t)(p - b)));
	*buf = b;
	*len = (size_t)(p - b);
	return 0;
}

/* Bytes left from p to end are at least 8 n. */
#define NEED(n)                                                                         \
	TK_REQUIRE((size_t)(end - p) / 8 >= (uint64_t)(n), TK_EIO,                      \
	           "%s: corrupt checkpoint (shorter than its counts say)", path)

int tk_ckpt_decode(const char *path, const unsigned char *buf, size_t len, tk_ckpt *c)
{
	memset(c, 0, sizeof *c);
	TK_REQUIRE(len >= 16 && memcmp(buf, magic, 8) == 0, TK_EIO,
	           "%s: not a toolkit checkpoint (no TKCKPT1 header)", path);
	TK_REQUIRE(len >= 40 + 8 && len % 8 == 0, TK_EIO,
	           "%s: corrupt checkpoint (truncated or padded: %zu bytes)", path, len);
	const unsigned char *p = buf + len - 8, *end;
	uint64_t sum = get(&p);
	TK_REQUIRE(sum == tk_fnv1a(TK_FNV_OFFSET, buf, len - 8), TK_EIO,
	           "%s: corrupt checkpoint (checksum does not match its contents)", path);
	p = buf + 8;
	end = buf + len - 8;
	uint64_t v = get(&p);
	TK_REQUIRE(v == TK_CKPT_VERSION, TK_EIO,
	           "%s: checkpoint format version %llu, this toolkit reads version %d", path,
	           (unsigned long long)v, TK_CKPT_VERSION);
	memcpy(c->model, p, 16);
	/* NUL-padded: a name, then only NULs (so a file has one spelling) */
	size_t mlen = strnlen(c->model, 16);
	int padded = mlen < 16;
	for (size_t i = mlen; i < 16; i++)
		padded &= c->model[i] == '\0';
	TK_REQUIRE(padded, TK_EIO, "%s: corrupt checkpoint (model name)", path);
	p += 16;
	NEED(1);
	v = get(&p);
	TK_REQUIRE(v <= TK_CKPT_MAX_PARAMS, TK_EIO, "%s: corrupt checkpoint (parameters)", path);
	c->nparams = (int)v;
	NEED(v + 3);
	for (int i = 0; i < c->nparams; i++)
		c->params[i] = get(&p);
	c->total = get(&p);
	c->done = get(&p);
	TK_REQUIRE(c->done <= c->total, TK_EIO, "%s: corrupt checkpoint (done beyond total)",
	           path);
	v = get(&p);
	TK_REQUIRE(v <= TK_CKPT_MAX_U, TK_EIO, "%s: corrupt checkpoint (counts)", path);
	c->nu = (int)v;
	NEED(v + 1);
	for (int i = 0; i < c->nu; i++)
		c->u[i] = get(&p);
	v = get(&p);
	TK_REQUIRE(v <= TK_CKPT_MAX_X, TK_EIO, "%s: corrupt checkpoint (accumulators)", path);
	c->nx = (int)v;
	NEED(v * XFIELDS);
	for (int i = 0; i < c->nx; i++) {
		tk_xsum *x = &c->x[i];
		tk_xsum_init(x);
		for (int k = 0; k < TK_XSUM_CHUNKS; k++) {
			x->chunk[k] = (int64_t)get(&p);
			TK_REQUIRE(k == TK_XSUM_CHUNKS - 1 ||
			                   (x->chunk[k] >= 0 && x->chunk[k] < ((int64_t)1 << 32)),
			           TK_EIO, "%s: corrupt checkpoint (accumulator chunk)", path);
		}
		int64_t *flag[5] = {&x->nan, &x->pinf, &x->ninf, &x->any, &x->nonnegzero};
		for (int k = 0; k < 5; k++) {
			*flag[k] = (int64_t)get(&p);
			TK_REQUIRE(*flag[k] == 0 || *flag[k] == 1, TK_EIO,
			           "%s: corrupt checkpoint (accumulator flag)", path);
		}
	}
	TK_REQUIRE(p == end, TK_EIO, "%s: corrupt checkpoint (%zu bytes of trailing data)", path,
	           (size_t)(end - p));
	return 0;
}

int tk_ckpt_match(const char *path, const tk_ckpt *file, const tk_ckpt *want)
{
	TK_REQUIRE(strcmp(file->model, want->model) == 0, TK_EUSAGE,
	           "%s: checkpoint of --model %s, this run is --model %s", path, file->model,
	           want->model);
	TK_REQUIRE(file->nparams == want->nparams, TK_EUSAGE,
	           "%s: checkpoint has %d parameters, this run %d", path, file->nparams,
	           want->nparams);
	for (int i = 0; i < want->nparams; i++)
		TK_REQUIRE(file->params[i] == want->params[i], TK_EUSAGE,
		           "%s: checkpoint written for another %s (this run's differs)", path,
		           want->param_names[i] ? want->param_names[i] : "parameter");
	TK_REQUIRE(file->total == want->total && file->nu == want->nu && file->nx == want->nx,
	           TK_EUSAGE, "%s: checkpoint of another problem size (%llu work units, this "
	           "run %llu)", path, (unsigned long long)file->total,
	           (unsigned long long)want->total);
	return 0;
}

static int write_all(int fd, const unsigned char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the folder holding path, so the rename itself is durable (best effort). */
static void sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (n >= sizeof dir)
		return;
	if (slash && n == 0)
		n = 1; /* "/file" */
	memcpy(dir, slash ? path : ".", slash ? n : 1);
	dir[slash ? n : 1] = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int tk_ckpt_write(const char *path, const tk_ckpt *c)
{
	unsigned char *buf;
	size_t len;
	TK_CHECK(tk_ckpt_encode(c, &buf, &len));
	char *tmp;
	int fd = tk_tmp_open("checkpoint", path, 0644, &tmp);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	int bad = write_all(fd, buf, len) != 0 || fsync(fd) != 0;
	int e = errno;
	bad |= close(fd) != 0;
	free(buf);
	if (bad) {
		tk_tmp_discard(tmp);
		return tk_error_set(TK_EIO, "checkpoint: cannot write %s: %s", path, strerror(e));
	}
	/* keep the one before: path.prev is a second name of the current file, so path
	 * itself exists at every moment */
	size_t n = strlen(path);
	char *prev = malloc(n + 6);
	if (prev) {
		memcpy(prev, path, n);
		memcpy(prev + n, ".prev", 6);
		if (unlink(prev) != 0 && errno != ENOENT) {
			/* cannot replace it: keep the older one */
		} else if (link(path, prev) != 0 && errno != ENOENT) {
			(void)rename(path, prev);
		}
		free(prev);
	}
	TK_CHECK(tk_tmp_commit("checkpoint", tmp, path));
	sync_dir(path);
	return 0;
}

int tk_ckpt_read(const char *path, tk_ckpt *c)
{
	int fd = open(path, O_RDONLY);
	TK_REQUIRE(fd >= 0, TK_EIO, "%s: cannot open checkpoint: %s", path, strerror(errno));
	unsigned char *buf = tk_alloc(MAX_BYTES + 1, 1);
	if (!buf) {
		close(fd);
		return TK_ENOMEM;
	}
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, buf + len, MAX_BYTES + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (len += (size_t)r) > MAX_BYTES)
			break;
	}
	close(fd);
	int rc = len > MAX_BYTES ? tk_error_set(TK_EIO, "%s: not a toolkit checkpoint (too "
	                                                "large)", path)
	                         : tk_ckpt_decode(path, buf, len, c);
	tk_free(buf);
	return rc;
}
