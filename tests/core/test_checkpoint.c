/*
 * test_checkpoint.c: the checkpoint file format (checkpoint.h): the bytes of a small
 * checkpoint built by hand from the documented layout (with an FNV-1a 64 written here),
 * round trips of exact accumulators, every corruption refused (each byte flipped,
 * every truncation, trailing bytes, another version), mismatches named, and the write
 * keeping the previous file as FILE.prev.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk/checkpoint.h"
#include "tk/tk.h"
#include "tk_test.h"

static uint64_t fnv(const unsigned char *b, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void le(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void small(tk_ckpt *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->model, "pi");
	c->nparams = 1;
	c->params[0] = 42;
	c->param_names[0] = "--seed";
	c->total = 100;
	c->done = 7;
	c->nu = 1;
	c->u[0] = 123456789;
}

static void layout_by_hand(void)
{
	unsigned char want[128], *p = want;
	memcpy(p, "TKCKPT1\n", 8), p += 8;
	le(p, 1), p += 8; /* version */
	memset(p, 0, 16), memcpy(p, "pi", 2), p += 16;
	le(p, 1), p += 8; /* nparams */
	le(p, 42), p += 8;
	le(p, 100), p += 8; /* total */
	le(p, 7), p += 8;   /* done */
	le(p, 1), p += 8;   /* nu */
	le(p, 123456789), p += 8;
	le(p, 0), p += 8; /* nx */
	le(p, fnv(want, (size_t)(p - want))), p += 8;
	tk_ckpt c;
	small(&c);
	unsigned char *buf;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(tk_ckpt_encode(&c, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, (size_t)(p - want));
	CU_ASSERT(len == (size_t)(p - want) && memcmp(buf, want, len) == 0);
	free(buf);
}

static void full(tk_ckpt *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->model, "option");
	c->nparams = TK_CKPT_MAX_PARAMS;
	for (int i = 0; i < c->nparams; i++)
		c->params[i] = 0x0123456789abcdefull * (uint64_t)(i + 1);
	c->total = 1ull << 46;
	c->done = 12345;
	c->nu = TK_CKPT_MAX_U;
	for (int i = 0; i < c->nu; i++)
		c->u[i] = ~0ull - (uint64_t)i;
	c->nx = TK_CKPT_MAX_X;
	for (int i = 0; i < c->nx; i++)
		tk_xsum_init(&c->x[i]);
	/* exact sums known by hand: 1e16 + 1 + 3 = 10000000000000004; 0.1 ten times
	 * rounds to 1.0 exactly only when summed exactly (naive order gives 0.9999...) */
	tk_xsum_add(&c->x[0], 1e16);
	tk_xsum_add(&c->x[0], 1.0);
	tk_xsum_add(&c->x[0], 3.0);
	for (int k = 0; k < 10; k++)
		tk_xsum_add(&c->x[1], 0.1);
	tk_xsum_add(&c->x[2], -0.0); /* only -0.0: the sum is -0.0 */
	tk_xsum_add(&c->x[3], -1e300);
	tk_xsum_add(&c->x[3], -1e300);
	tk_xsum_add(&c->x[3], 5e-324);
}

static void round_trip(void)
{
	tk_ckpt c, d;
	full(&c);
	unsigned char *buf;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(tk_ckpt_encode(&c, &buf, &len), 0);
	CU_ASSERT_EQUAL_FATAL(tk_ckpt_decode("t", buf, len, &d), 0);
	CU_ASSERT_STRING_EQUAL(d.model, "option");
	CU_ASSERT_EQUAL(d.nparams, c.nparams);
	CU_ASSERT(memcmp(d.params, c.params, sizeof c.params) == 0);
	CU_ASSERT_EQUAL(d.total, c.total);
	CU_ASSERT_EQUAL(d.done, c.done);
	CU_ASSERT(memcmp(d.u, c.u, sizeof c.u) == 0);
	CU_ASSERT_EQUAL(tk_xsum_round(&d.x[0]), 10000000000000004.0);
	CU_ASSERT_EQUAL(tk_xsum_round(&d.x[1]), 1.0);
	double z = tk_xsum_round(&d.x[2]);
	CU_ASSERT(z == 0.0 && signbit(z));
	CU_ASSERT_EQUAL(tk_xsum_round(&d.x[3]), -2e300);
	/* adding more after the round trip still sums exactly */
	tk_xsum_add(&d.x[0], -1e16);
	CU_ASSERT_EQUAL(tk_xsum_round(&d.x[0]), 4.0);
	/* and the decoded state encodes to the same bytes */
	unsigned char *buf2;
	size_t len2;
	tk_xsum_add(&d.x[0], 1e16);
	CU_ASSERT_EQUAL_FATAL(tk_ckpt_encode(&d, &buf2, &len2), 0);
	CU_ASSERT(len2 == len && memcmp(buf, buf2, len) == 0);
	free(buf);
	free(buf2);
}

static void corruption_refused(void)
{
	tk_ckpt c, d;
	full(&c);
	unsigned char *buf;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(tk_ckpt_encode(&c, &buf, &len), 0);
	int accepted = 0;
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit += 3) {
			buf[i] ^= (unsigned char)(1u << bit);
			accepted += tk_ckpt_decode("t", buf, len, &d) != TK_EIO;
			buf[i] ^= (unsigned char)(1u << bit);
		}
	CU_ASSERT_EQUAL(accepted, 0);
	int cut = 0;
	for (size_t n = 0; n < len; n++)
		cut += tk_ckpt_decode("t", buf, n, &d) != TK_EIO;
	CU_ASSERT_EQUAL(cut, 0);
	unsigned char *more = malloc(len + 8);
	memcpy(more, buf, len);
	memset(more + len, 0, 8);
	CU_ASSERT_EQUAL(tk_ckpt_decode("t", more, len + 8, &d), TK_EIO);
	/* trailing bytes inside a valid checksum: still refused */
	memcpy(more + len - 8, "\0\0\0\0\0\0\0\0", 8);
	le(more + len, fnv(more, len));
	CU_ASSERT_EQUAL(tk_ckpt_decode("t", more, len + 8, &d), TK_EIO);
	/* another version with a correct checksum: refused, named */
	le(buf + 8, 2);
	le(buf + len - 8, fnv(buf, len - 8));
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_ckpt_decode("t", buf, len, &d), TK_EIO);
	CU_ASSERT(strstr(tk_error_message(), "version 2") != NULL);
	tk_error_clear();
	le(buf + 8, 1);
	le(buf + len - 8, fnv(buf, len - 8));
	CU_ASSERT_EQUAL(tk_ckpt_decode("t", buf, len, &d), 0);
	/* a byte after the model name's NUL, with a correct checksum: refused (found by
	 * tests/fuzz/fuzz_ckpt.c: it decoded, and encoded to other bytes) */
	buf[16 + 10] = 'x';
	le(buf + len - 8, fnv(buf, len - 8));
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_ckpt_decode("t", buf, len, &d), TK_EIO);
	CU_ASSERT(strstr(tk_error_message(), "model name") != NULL);
	tk_error_clear();
	free(more);
	free(buf);
}

static void mismatch_named(void)
{
	tk_ckpt want, file;
	small(&want);
	small(&file);
	CU_ASSERT_EQUAL(tk_ckpt_match("f", &file, &want), 0);
	file.params[0] = 43;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_ckpt_match("f", &file, &want), TK_EUSAGE);
	CU_ASSERT(strstr(tk_error_message(), "--seed") != NULL);
	small(&file);
	strcpy(file.model, "ep");
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_ckpt_match("f", &file, &want), TK_EUSAGE);
	CU_ASSERT(strstr(tk_error_message(), "--model ep") != NULL);
	small(&file);
	file.total = 101;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_ckpt_match("f", &file, &want), TK_EUSAGE);
	tk_error_clear();
}

static void write_keeps_previous(void)
{
	char dir[] = "/tmp/tk_ckpt_XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char path[64], prev[80];
	snprintf(path, sizeof path, "%s/run.ckpt", dir);
	snprintf(prev, sizeof prev, "%s.prev", path);
	tk_ckpt c, d;
	small(&c);
	CU_ASSERT_EQUAL(tk_ckpt_write(path, &c), 0);
	c.done = 8;
	c.u[0] += 5;
	CU_ASSERT_EQUAL(tk_ckpt_write(path, &c), 0);
	CU_ASSERT_EQUAL(tk_ckpt_read(path, &d), 0);
	CU_ASSERT_EQUAL(d.done, 8);
	CU_ASSERT_EQUAL(d.u[0], 123456789 + 5);
	CU_ASSERT_EQUAL(tk_ckpt_read(prev, &d), 0);
	CU_ASSERT_EQUAL(d.done, 7);
	CU_ASSERT_EQUAL(d.u[0], 123456789);
	tk_error_clear();
	char missing[80];
	snprintf(missing, sizeof missing, "%s/none", dir);
	CU_ASSERT_EQUAL(tk_ckpt_read(missing, &d), TK_EIO);
	tk_error_clear();
	unlink(path);
	unlink(prev);
	CU_ASSERT_EQUAL(rmdir(dir), 0); /* no temporary file left behind */
}

static const tk_test tests[] = {
	{"layout by hand", layout_by_hand},
	{"round trip, exact sums", round_trip},
	{"corruption refused", corruption_refused},
	{"mismatch named", mismatch_named},
	{"write keeps FILE.prev", write_keeps_previous},
	{NULL, NULL},
};
const tk_suite tk_suite_checkpoint = {"checkpoint", tests};
