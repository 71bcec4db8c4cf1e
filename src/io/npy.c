/*
 * npy.c: NumPy's .npy format (versions 1.0, 2.0, 3.0): header parsing and a minimal
 * writer.  https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 *
 * Rule: anything we cannot read correctly is refused with a message that says what
 * and why (big-endian data, Fortran order of an N-D array, an unknown dtype), never
 * read into a wrong answer.
 */
#include <stdio.h>
#include <string.h>

#include "tk/array_io.h"
#include "tk/tk.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c reads little-endian data in place: port it before using a big-endian host"
#endif

typedef struct cursor {
	const char *p, *end;
	const char *name;
} cursor;

static void skip_ws(cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' ||
	                         *c->p == '\r'))
		c->p++;
}

static int corrupt(const cursor *c, const char *what)
{
	return tk_error_set(TK_EIO, "%s: corrupt .npy header (%s)", c->name, what);
}

static int expect(cursor *c, char ch)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != ch) {
		char what[32];
		snprintf(what, sizeof what, "expected '%c'", ch);
		return corrupt(c, what);
	}
	c->p++;
	return 0;
}

/* A Python string literal in quotes ' or ", without escapes. */
static int parse_str(cursor *c, char *out, size_t cap)
{
	skip_ws(c);
	if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
		return corrupt(c, "expected a string");
	char q = *c->p++;
	size_t n = 0;
	while (c->p < c->end && *c->p != q) {
		if (n + 1 < cap)
			out[n++] = *c->p;
		c->p++;
	}
	if (c->p >= c->end)
		return corrupt(c, "unterminated string");
	c->p++;
	out[n] = '\0';
	return 0;
}

static int parse_shape(cursor *c, tk_npy_header *h)
{
	TK_CHECK(expect(c, '('));
	h->ndim = 0;
	h->count = 1;
	for (;;) {
		skip_ws(c);
		if (c->p < c->end && *c->p == ')') {
			c->p++;
			return 0;
		}
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return corrupt(c, "bad shape");
		uint64_t v = 0;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
			if (v > (UINT64_C(1) << 62) / 10)
				return corrupt(c, "shape too large");
			v = v * 10 + (uint64_t)(*c->p++ - '0');
		}
		if (c->p < c->end && *c->p == 'L') /* Python 2 long */
			c->p++;
		if (h->ndim >= (int)(sizeof h->shape / sizeof h->shape[0]))
			return corrupt(c, "too many dimensions");
		h->shape[h->ndim++] = v;
		if (v && h->count > (UINT64_C(1) << 62) / v)
			return corrupt(c, "shape too large");
		h->count *= v;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			c->p++;
	}
}

static int set_dtype(const char *name, tk_npy_header *h)
{
	static const struct {
		const char *descr;
		tk_dtype dt;
		size_t size;
	} known[] = {
		{"<f8", TK_DT_F8, 8}, {"<f4", TK_DT_F4, 4}, {"<i4", TK_DT_I4, 4},
		{"<i8", TK_DT_I8, 8}, {"|u1", TK_DT_U1, 1}, {"<u1", TK_DT_U1, 1},
	};
	for (size_t i = 0; i < TK_ARRAY_SIZE(known); i++) {
		if (strcmp(h->descr, known[i].descr) == 0) {
			h->dtype = known[i].dt;
			h->itemsize = known[i].size;
			return 0;
		}
	}
	if (h->descr[0] == '>')
		return tk_error_set(TK_EIO,
		                    "%s: big-endian dtype '%s' is not supported (convert it, "
		                    "e.g. numpy: a.astype('<%s'))",
		                    name, h->descr, h->descr + 1);
	return tk_error_set(TK_EIO,
	                    "%s: unsupported dtype '%s' (supported: <f8, <f4, <i4, <i8, u1)",
	                    name, h->descr);
}

int tk_npy_parse(const unsigned char *buf, size_t len, const char *name, tk_npy_header *h)
{
	memset(h, 0, sizeof *h);
	TK_REQUIRE(len >= 10 && memcmp(buf, "\x93NUMPY", 6) == 0, TK_EIO,
	           "%s: not a .npy file (bad magic)", name);
	h->major = buf[6];
	h->minor = buf[7];
	TK_REQUIRE(h->major >= 1 && h->major <= 3 && h->minor == 0, TK_EIO,
	           "%s: unsupported .npy version %d.%d (supported: 1.0, 2.0, 3.0)", name,
	           h->major, h->minor);
	uint64_t start, hlen;
	if (h->major == 1) {
		start = 10;
		hlen = (uint64_t)buf[8] | (uint64_t)buf[9] << 8;
	} else {
		TK_REQUIRE(len >= 12, TK_EIO, "%s: truncated .npy header", name);
		start = 12;
		hlen = (uint64_t)buf[8] | (uint64_t)buf[9] << 8 | (uint64_t)buf[10] << 16 |
		       (uint64_t)buf[11] << 24;
	}
	TK_REQUIRE(start + hlen <= len, TK_EIO,
	           "%s: truncated .npy header (it says %llu bytes)", name,
	           (unsigned long long)hlen);
	h->data_offset = start + hlen;
	cursor c = {(const char *)buf + start, (const char *)buf + start + hlen, name};
	int seen = 0;
	TK_CHECK(expect(&c, '{'));
	for (;;) {
		skip_ws(&c);
		if (c.p < c.end && *c.p == '}')
			break;
		char key[32];
		TK_CHECK(parse_str(&c, key, sizeof key));
		TK_CHECK(expect(&c, ':'));
		skip_ws(&c);
		if (strcmp(key, "descr") == 0) {
			if (c.p < c.end && *c.p == '[')
				return tk_error_set(TK_EIO, "%s: structured dtypes are not supported",
				                    name);
			TK_CHECK(parse_str(&c, h->descr, sizeof h->descr));
			seen |= 1;
		} else if (strcmp(key, "fortran_order") == 0) {
			size_t rest = (size_t)(c.end - c.p);
			if (rest >= 4 && memcmp(c.p, "True", 4) == 0) {
				h->fortran_order = 1;
				c.p += 4;
			} else if (rest >= 5 && memcmp(c.p, "False", 5) == 0) {
				c.p += 5;
			} else {
				return corrupt(&c, "fortran_order is not True or False");
			}
			seen |= 2;
		} else if (strcmp(key, "shape") == 0) {
			TK_CHECK(parse_shape(&c, h));
			seen |= 4;
		} else {
			return tk_error_set(TK_EIO, "%s: corrupt .npy header (unknown key '%s')",
			                    name, key);
		}
		skip_ws(&c);
		if (c.p < c.end && *c.p == ',') {
			c.p++;
			continue;
		}
		TK_CHECK(expect(&c, '}'));
		break;
	}
	TK_REQUIRE(seen == 7, TK_EIO, "%s: corrupt .npy header (descr, fortran_order or "
	           "shape missing)", name);
	TK_CHECK(set_dtype(name, h));
	if (h->fortran_order) {
		int big = 0;
		for (int i = 0; i < h->ndim; i++)
			big += h->shape[i] > 1;
		TK_REQUIRE(big <= 1, TK_EIO,
		           "%s: Fortran-order arrays of more than one dimension are not "
		           "supported (save with numpy.ascontiguousarray)", name);
	}
	return 0;
}

int tk_npy_write(const char *path, const double *x, uint64_t n)
{
	char head[256];
	int len = snprintf(head + 10, sizeof head - 10,
	                   "{'descr': '<f8', 'fortran_order': False, 'shape': (%llu,), }",
	                   (unsigned long long)n);
	int total = 10 + len + 1;
	int padded = (total + 63) / 64 * 64;
	memset(head + 10 + len, ' ', (size_t)(padded - total));
	head[padded - 1] = '\n';
	memcpy(head, "\x93NUMPY\x01\x00", 8);
	head[8] = (char)((padded - 10) & 0xFF);
	head[9] = (char)((padded - 10) >> 8);
	FILE *f = fopen(path, "wb");
	TK_REQUIRE(f, TK_EIO, "%s: cannot create", path);
	int ok = fwrite(head, 1, (size_t)padded, f) == (size_t)padded &&
	         fwrite(x, sizeof *x, n, f) == n;
	ok = fclose(f) == 0 && ok;
	TK_REQUIRE(ok, TK_EIO, "%s: write failed", path);
	return 0;
}
