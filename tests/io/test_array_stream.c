/*
 * test_array_stream.c: the window reader (src/io/array_stream.c): windows cover a
 * slice in order with the values the formulas below wrote, every dtype widened in
 * place, reads by the caller and by the reader thread (TK_STREAM_READ=thread) alike,
 * repeated passes, reads of single values, and a file that shrinks while it is read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/array_stream.h"
#include "tk/tk.h"
#include "tk_test.h"

/* The value the fixture holds at index i, for each dtype (exact in the dtype). */
static double want_value(tk_dtype dt, uint64_t i)
{
	switch (dt) {
	case TK_DT_F8: return (double)i * 0.5 - 100.0;
	case TK_DT_F4: return (double)(float)((double)i * 0.25 - 7.0);
	case TK_DT_I4: return (double)((int32_t)i * 7 - 30000);
	case TK_DT_I8: return (double)((int64_t)i * 1000003 - (INT64_C(1) << 40));
	case TK_DT_U1: return (double)(i % 251);
	}
	return NAN;
}

/* A version 1.0 .npy of n values of dtype dt (descr, itemsize), written byte by byte. */
static void write_npy(const char *path, tk_dtype dt, const char *descr, size_t isz,
                      uint64_t n)
{
	char h[128];
	int len = snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, "
	                   "'shape': (%llu,), }", descr, (unsigned long long)n);
	int pad = (64 - (10 + len + 1) % 64) % 64;
	memset(h + len, ' ', (size_t)pad);
	h[len + pad] = '\n';
	int hl = len + pad + 1;
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite("\x93NUMPY\x01\x00", 1, 8, f);
	unsigned char l2[2] = {(unsigned char)(hl & 255), (unsigned char)(hl >> 8)};
	fwrite(l2, 1, 2, f);
	fwrite(h, 1, (size_t)hl, f);
	for (uint64_t i = 0; i < n; i++) {
		double v = want_value(dt, i);
		unsigned char b[8];
		float fv = (float)v;
		int32_t i4 = (int32_t)v;
		int64_t i8 = (int64_t)v;
		uint8_t u1 = (uint8_t)v;
		switch (dt) {
		case TK_DT_F8: memcpy(b, &v, 8); break;
		case TK_DT_F4: memcpy(b, &fv, 4); break;
		case TK_DT_I4: memcpy(b, &i4, 4); break;
		case TK_DT_I8: memcpy(b, &i8, 8); break;
		case TK_DT_U1: b[0] = u1; break;
		}
		fwrite(b, 1, isz, f);
	}
	CU_ASSERT_EQUAL(fclose(f), 0);
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char p[128];
	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/tk_stream_XXXXXX");
		CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
	}
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

/* Two passes over [lo, hi) in windows of w: in order, contiguous, every value right. */
static void check_passes(tk_array_stream *s, tk_dtype dt, uint64_t lo, uint64_t hi,
                         uint64_t w)
{
	for (int pass = 0; pass < 2; pass++) {
		CU_ASSERT_EQUAL_FATAL(tk_array_stream_begin(s), 0);
		uint64_t at = lo, bad = 0, windows = 0, g, len;
		const double *x;
		while (tk_array_stream_next(s, &x, &g, &len) == 0 && len > 0) {
			CU_ASSERT_EQUAL(g, at);
			CU_ASSERT(len == w || g + len == hi);
			for (uint64_t k = 0; k < len; k++)
				bad += x[k] != want_value(dt, g + k);
			at += len;
			windows++;
		}
		CU_ASSERT_EQUAL(len, 0);
		CU_ASSERT_EQUAL(at, hi);
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(windows, (hi - lo + w - 1) / w);
	}
}

static void one_dtype(tk_dtype dt, const char *descr, size_t isz)
{
	const char *path = tmp_path("v.npy");
	uint64_t n = 10007;
	write_npy(path, dt, descr, isz, n);
	tk_source src = {TK_SRC_NPY, path, 0, 0, TK_DIST_UNIFORM, 0};
	tk_array_stream s;
	tk_error_clear();
	CU_ASSERT_EQUAL_FATAL(tk_array_stream_open(&src, &s), 0);
	CU_ASSERT_EQUAL(s.n, n);
	/* a slice that starts inside the file and a window dividing nothing */
	CU_ASSERT_EQUAL_FATAL(tk_array_stream_start(&s, 2048, n, 1000), 0);
	check_passes(&s, dt, 2048, n, 1000);
	CU_ASSERT_EQUAL(s.passes, 2);
	CU_ASSERT_EQUAL(s.bytes, 2 * (n - 2048) * isz);
	double v[3];
	CU_ASSERT_EQUAL(tk_array_stream_read(&s, 0, 3, v), 0);
	CU_ASSERT(v[0] == want_value(dt, 0) && v[2] == want_value(dt, 2));
	CU_ASSERT_EQUAL(tk_array_stream_read(&s, n - 1, 1, v), 0);
	CU_ASSERT(v[0] == want_value(dt, n - 1));
	/* a pass left early, then a whole one */
	const double *x;
	uint64_t g, len;
	CU_ASSERT_EQUAL(tk_array_stream_begin(&s), 0);
	CU_ASSERT_EQUAL(tk_array_stream_next(&s, &x, &g, &len), 0);
	check_passes(&s, dt, 2048, n, 1000);
	tk_array_stream_close(&s);
	unlink(path);
}

static void dtypes_in_windows(void)
{
	for (int thread = 0; thread < 2; thread++) {
		if (thread)
			setenv("TK_STREAM_READ", "thread", 1);
		one_dtype(TK_DT_F8, "<f8", 8);
		one_dtype(TK_DT_F4, "<f4", 4);
		one_dtype(TK_DT_I4, "<i4", 4);
		one_dtype(TK_DT_I8, "<i8", 8);
		one_dtype(TK_DT_U1, "|u1", 1);
		unsetenv("TK_STREAM_READ");
	}
}

static void empty_slice(void)
{
	const char *path = tmp_path("e.npy");
	write_npy(path, TK_DT_F8, "<f8", 8, 5);
	tk_source src = {TK_SRC_NPY, path, 0, 0, TK_DIST_UNIFORM, 0};
	tk_array_stream s;
	CU_ASSERT_EQUAL_FATAL(tk_array_stream_open(&src, &s), 0);
	CU_ASSERT_EQUAL_FATAL(tk_array_stream_start(&s, 5, 5, 1024), 0);
	const double *x;
	uint64_t g, len = 1;
	CU_ASSERT_EQUAL(tk_array_stream_begin(&s), 0);
	CU_ASSERT_EQUAL(tk_array_stream_next(&s, &x, &g, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	tk_array_stream_close(&s);
	unlink(path);
}

/* Cut the file to 3000 values after the first window: the pass ends with TK_EIO and
 * says the file shrank, never a short window or zeros. */
static void shrinking_file(void)
{
	for (int thread = 0; thread < 2; thread++) {
		if (thread)
			setenv("TK_STREAM_READ", "thread", 1);
		const char *path = tmp_path("s.f64");
		write_npy(path, TK_DT_F8, "<f8", 8, 10000);
		tk_source src = {TK_SRC_NPY, path, 0, 0, TK_DIST_UNIFORM, 0};
		tk_array_stream s;
		tk_error_clear();
		CU_ASSERT_EQUAL_FATAL(tk_array_stream_open(&src, &s), 0);
		CU_ASSERT_EQUAL_FATAL(tk_array_stream_start(&s, 0, 10000, 2048), 0);
		const double *x;
		uint64_t g, len, seen = 0;
		int st = tk_array_stream_begin(&s);
		CU_ASSERT_EQUAL(st, 0);
		CU_ASSERT_EQUAL(tk_array_stream_next(&s, &x, &g, &len), 0);
		CU_ASSERT_EQUAL(len, 2048);
		CU_ASSERT_EQUAL(truncate(path, (off_t)(s.h.data_offset + 3000 * 8)), 0);
		while ((st = tk_array_stream_next(&s, &x, &g, &len)) == 0 && len > 0)
			seen += len;
		/* the window read before the cut may still arrive; nothing past the cut */
		CU_ASSERT(seen <= 2048);
		CU_ASSERT_EQUAL(st, TK_EIO);
		CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "shrank"));
		tk_error_clear();
		tk_array_stream_close(&s);
		unlink(path);
		unsetenv("TK_STREAM_READ");
	}
	rmdir(tmpdir);
}

static const tk_test tests[] = {
	{"every dtype in windows, caller and thread reads", dtypes_in_windows},
	{"an empty slice", empty_slice},
	{"a file that shrinks while read", shrinking_file},
	{NULL, NULL},
};
const tk_suite tk_suite_array_stream = {"array_stream", tests};
