/*
 * test_npy.c: .npy parsing and array loading (npy, raw, CSV, generated) against the
 * fixtures that tests/make_npy_fixtures.py wrote with numpy (tests/data).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "tk/array_io.h"
#include "tk/tk.h"
#include "tk_test.h"

static const double small[] = {1.5, -2.0, 3.25, 1e16, 1.0, -1e16};

static const char *fixture(const char *name)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tk_test_data_dir(), name);
	return path;
}

static int load(tk_source_kind kind, const char *name, int column, tk_array *a)
{
	tk_source src = {kind, fixture(name), column, 0, TK_DIST_UNIFORM, 0};
	tk_error_clear();
	return tk_array_load(&src, a);
}

/* Load must succeed with exactly these values. */
static void expect_values(tk_source_kind kind, const char *name, int column,
                          const double *want, uint64_t n)
{
	tk_array a;
	int rc = load(kind, name, column, &a);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(a.n, n);
	CU_ASSERT_EQUAL(a.lo, 0);
	CU_ASSERT_EQUAL(a.hi, n);
	for (uint64_t i = 0; i < n && i < a.n; i++)
		CU_ASSERT_EQUAL(a.data[i], want[i]);
	tk_array_free(&a);
}

/* Load must fail with this code and a message containing `words`. */
static void expect_error(tk_source_kind kind, const char *name, int column, int code,
                         const char *words)
{
	tk_array a;
	int rc = load(kind, name, column, &a);
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), words));
	if (!strstr(tk_error_message(), words))
		fprintf(stderr, "\n  message was: %s\n", tk_error_message());
	CU_ASSERT_PTR_NULL(a.data);
	tk_error_clear();
}

static void versions_1_2_3(void)
{
	expect_values(TK_SRC_NPY, "f8_v1.npy", 0, small, 6);
	expect_values(TK_SRC_NPY, "f8_v2.npy", 0, small, 6);
	expect_values(TK_SRC_NPY, "f8_v3.npy", 0, small, 6);
}

static void dtypes_converted(void)
{
	const double f4[] = {0.5, -1.25, 3.0, (double)1e30f};
	const double i4[] = {1, -2, 2147483647.0, -2147483648.0};
	const double i8[] = {1, -2, 9007199254740992.0 /* 2^53 + 1 rounds to even */,
	                     -4611686018427387904.0};
	const double u1[] = {0, 1, 255, 7};
	expect_values(TK_SRC_NPY, "f4.npy", 0, f4, 4);
	expect_values(TK_SRC_NPY, "i4.npy", 0, i4, 4);
	expect_values(TK_SRC_NPY, "i8.npy", 0, i8, 4);
	expect_values(TK_SRC_NPY, "u1.npy", 0, u1, 4);
}

static void shapes_and_order(void)
{
	const double six[] = {0, 1, 2, 3, 4, 5};
	expect_values(TK_SRC_NPY, "f8_2d.npy", 0, six, 6);
	expect_values(TK_SRC_NPY, "f8_fortran_1d.npy", 0, small, 6);
	expect_error(TK_SRC_NPY, "f8_fortran_2d.npy", 0, TK_EIO, "Fortran-order");
}

static void bad_files(void)
{
	expect_error(TK_SRC_NPY, "be_f8.npy", 0, TK_EIO, "big-endian dtype '>f8'");
	expect_error(TK_SRC_NPY, "f2.npy", 0, TK_EIO, "unsupported dtype '<f2'");
	expect_error(TK_SRC_NPY, "truncated.npy", 0, TK_EIO, "truncated: the header says 100");
	expect_error(TK_SRC_NPY, "corrupt.npy", 0, TK_EIO, "corrupt .npy header");
	expect_error(TK_SRC_NPY, "badmagic.npy", 0, TK_EIO, "bad magic");
	expect_error(TK_SRC_NPY, "no-such-file.npy", 0, TK_EIO, "cannot open");
	expect_error(TK_SRC_RAW, "odd.f64", 0, TK_EIO, "not a multiple of 8");
}

/* A version 1.0 header around dict (no padding). */
static size_t v1_header(const char *dict, unsigned char *buf)
{
	size_t n = strlen(dict);
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (unsigned char)(n & 0xFF);
	buf[9] = (unsigned char)(n >> 8);
	memcpy(buf + 10, dict, n);
	return 10 + n;
}

static void parse_headers(void)
{
	tk_npy_header h;
	unsigned char buf[256];
	size_t n = v1_header("{\"descr\":\"<f8\",  'shape' : ( ), 'fortran_order':False}\n",
	                     buf);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_npy_parse(buf, n, "t", &h), 0);
	CU_ASSERT_EQUAL(h.count, 1); /* a 0-d array holds one value */
	CU_ASSERT_EQUAL(h.ndim, 0);
	CU_ASSERT_EQUAL(h.data_offset, n);
	n = v1_header("{'descr': '<i4', 'fortran_order': False, 'shape': (0, 5)}", buf);
	CU_ASSERT_EQUAL(tk_npy_parse(buf, n, "t", &h), 0);
	CU_ASSERT_EQUAL(h.count, 0);
	CU_ASSERT_EQUAL(h.itemsize, 4);
	n = v1_header("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4,), }", buf);
	CU_ASSERT_EQUAL(tk_npy_parse(buf, n, "t", &h), 0);
	CU_ASSERT_EQUAL(h.count, 12);
	CU_ASSERT_EQUAL(h.ndim, 2);
	/* header length beyond the buffer */
	n = v1_header("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", buf);
	CU_ASSERT_EQUAL(tk_npy_parse(buf, n - 5, "t", &h), TK_EIO);
	tk_error_clear();
	n = v1_header("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (3,)}", buf);
	CU_ASSERT_EQUAL(tk_npy_parse(buf, n, "t", &h), TK_EIO);
	tk_error_clear();
	n = v1_header("{'descr': '<f8', 'shape': (3,)}", buf);
	CU_ASSERT_EQUAL(tk_npy_parse(buf, n, "t", &h), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "missing"));
	tk_error_clear();
	n = v1_header("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,)}", buf);
	CU_ASSERT_EQUAL(tk_npy_parse(buf, n, "t", &h), TK_EIO);
	tk_error_clear();
	buf[6] = 9;
	CU_ASSERT_EQUAL(tk_npy_parse(buf, n, "t", &h), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "version 9.0"));
	tk_error_clear();
}

/* shape (2^61+1,) of f8 with 8 data bytes: count * itemsize wraps to 8, yet the file
 * is truncated (exit 3), not an allocation that overflows (exit 4) */
static void count_times_itemsize_wraps(void)
{
	unsigned char buf[256];
	size_t n = v1_header("{'descr': '<f8', 'fortran_order': False, "
	                     "'shape': (2305843009213693953,), }\n", buf);
	memset(buf + n, 0, 8);
	char path[] = "/tmp/tk_test_npy_XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, buf, n + 8) == (ssize_t)(n + 8));
	close(fd);
	tk_source src = {TK_SRC_NPY, path, 0, 0, TK_DIST_UNIFORM, 0};
	tk_array a;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_array_load(&src, &a), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "truncated"));
	tk_error_clear();
	unlink(path);
}

static void write_round_trip(void)
{
	char path[] = "/tmp/tk_test_npy_XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	double x[1000];
	for (int i = 0; i < 1000; i++)
		x[i] = i * 0.37 - 100;
	CU_ASSERT_EQUAL(tk_npy_write(path, x, 1000), 0);
	tk_source src = {TK_SRC_NPY, path, 0, 0, TK_DIST_UNIFORM, 0};
	tk_array a;
	CU_ASSERT_EQUAL_FATAL(tk_array_load(&src, &a), 0);
	CU_ASSERT_EQUAL(a.n, 1000);
	CU_ASSERT(memcmp(a.data, x, sizeof x) == 0);
	tk_array_free(&a);
	unlink(path);
}

static void raw_and_csv(void)
{
	expect_values(TK_SRC_RAW, "small.f64", 0, small, 6);
	/* small.csv: header row "id,value,name", the values in column 1 */
	expect_values(TK_SRC_CSV, "small.csv", 1, small, 6);
	const double ids[] = {0, 1, 2, 3, 4, 5};
	expect_values(TK_SRC_CSV, "small.csv", 0, ids, 6);
	expect_error(TK_SRC_CSV, "small.csv", 2, TK_EIO, "small.csv:2: 'x0' is not a number");
	expect_error(TK_SRC_CSV, "small.csv", 5, TK_EIO, "no column 5");
	/* bad.csv: blank line 3 is skipped, line 4 holds "3.x" */
	expect_error(TK_SRC_CSV, "bad.csv", 0, TK_EIO, "bad.csv:4: '3.x' is not a number");
	expect_error(TK_SRC_CSV, "missing.csv", 0, TK_EIO, "cannot open");
	CU_ASSERT_EQUAL(tk_source_kind_of("a.npy"), TK_SRC_NPY);
	CU_ASSERT_EQUAL(tk_source_kind_of("a.csv"), TK_SRC_CSV);
	CU_ASSERT_EQUAL(tk_source_kind_of("a.f64"), TK_SRC_RAW);
}

/* A CSV written here: CRLF line ends, spaces around fields, nan/inf, a header row. */
static void csv_details(void)
{
	char path[] = "/tmp/tk_test_csv_XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	const char text[] = "a, b\r\n1, 2.5 \r\n\r\n3,-inf\r\n4, nan\r\n5,1e-320\r\n";
	CU_ASSERT_FATAL(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
	close(fd);
	tk_source src = {TK_SRC_CSV, path, 1, 0, TK_DIST_UNIFORM, 0};
	tk_array a;
	tk_error_clear();
	CU_ASSERT_EQUAL_FATAL(tk_array_load(&src, &a), 0);
	CU_ASSERT_EQUAL(a.n, 4);
	if (a.n == 4) {
		CU_ASSERT_EQUAL(a.data[0], 2.5);
		CU_ASSERT_EQUAL(a.data[1], -INFINITY);
		CU_ASSERT(isnan(a.data[2]));
		CU_ASSERT_EQUAL(a.data[3], 1e-320); /* subnormal, read exactly */
	}
	tk_array_free(&a);
	/* only a header: no values (reduce then reports empty input) */
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, "x\n", 2) == 2);
	close(fd);
	src.column = 0;
	CU_ASSERT_EQUAL_FATAL(tk_array_load(&src, &a), 0);
	CU_ASSERT_EQUAL(a.n, 0);
	tk_array_free(&a);
	unlink(path);
}

/* Load CSV text (len bytes, NULs allowed) from a temp file, column 0. */
static int load_csv_text(const char *text, size_t len, tk_array *a)
{
	char path[] = "/tmp/tk_test_csv_XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, len) == (ssize_t)len);
	close(fd);
	tk_source src = {TK_SRC_CSV, path, 0, 0, TK_DIST_UNIFORM, 0};
	tk_error_clear();
	int rc = tk_array_load(&src, a);
	unlink(path);
	return rc;
}

#define CSV_VALUES(text, ...)                                                          \
	do {                                                                           \
		const double want_[] = {__VA_ARGS__};                                  \
		size_t n_ = sizeof want_ / sizeof want_[0];                            \
		tk_array a_;                                                           \
		int rc_ = load_csv_text(text, sizeof text - 1, &a_);                   \
		CU_ASSERT_EQUAL(rc_, 0);                                               \
		if (rc_ == 0) {                                                        \
			CU_ASSERT_EQUAL(a_.n, n_);                                     \
			for (size_t i_ = 0; i_ < n_ && i_ < a_.n; i_++)                \
				CU_ASSERT_EQUAL(a_.data[i_], want_[i_]);               \
			tk_array_free(&a_);                                            \
		}                                                                      \
	} while (0)

static void csv_error(const char *text, size_t len, const char *words)
{
	tk_array a;
	CU_ASSERT_EQUAL(load_csv_text(text, len, &a), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), words));
	if (!strstr(tk_error_message(), words))
		fprintf(stderr, "\n  wanted '%s', message was: %s\n", words, tk_error_message());
	tk_error_clear();
}
#define CSV_ERROR(text, words) csv_error(text, sizeof text - 1, words)

/* Strict CSV: what is a value, a header, a line end, and what is refused (with the line) */
static void csv_strict(void)
{
	/* a UTF-8 byte-order mark is skipped: the first value is not taken for a header */
	CSV_VALUES("\xEF\xBB\xBF" "1\n2\n3\n", 1, 2, 3);
	CSV_VALUES("\xEF\xBB\xBF" "x\n2\n3\n", 2, 3);
	/* CR, LF and CRLF all end lines, mixed too */
	CSV_VALUES("1\r2\r3", 1, 2, 3);
	CSV_VALUES("x\r1\r\n2\n3\r", 1, 2, 3);
	CSV_ERROR("1\r2\rz\r", "/tmp/tk_test_csv_"); /* the file is named */
	CSV_ERROR("1\r2\rz\r", ":3: 'z' is not a number");
	CSV_ERROR("1\r\n2\r\n\r\nz\r\n", ":4: 'z' is not a number");
	/* a bad first value is an error, not a header */
	CSV_ERROR("1.5e\n2\n", ":1: '1.5e' is not a number");
	CSV_ERROR("-.5x,1\n", ":1: '-.5x' is not a number");
	/* hex, nan(...), trailing junk and NUL bytes are refused */
	CSV_ERROR("1\n0x10\n", ":2: '0x10' is not a number");
	CSV_ERROR("1\n0x1p3\n", ":2: '0x1p3' is not a number");
	CSV_ERROR("1\nnan(7)\n", ":2: 'nan(7)' is not a number");
	CSV_ERROR("1\n2 junk\n", ":2: '2 junk' is not a number");
	CSV_ERROR("1\n1\0009\n", ":2: a NUL byte");
	CSV_ERROR("x\n5\0\n", ":2: a NUL byte");
	/* out of range is an error; underflow rounds */
	CSV_ERROR("1\n1e400\n", ":2: '1e400' is out of range");
	CSV_ERROR("1\n-1e400\n", ":2: '-1e400' is out of range");
	CSV_VALUES("1e-400\n4.9e-324\n+7.\n.5\n1E+2\nInfinity\n-INF\n", 0, 0x1p-1074, 7, 0.5,
	           100, INFINITY, -INFINITY);
}

static void generated(void)
{
	tk_source src = {TK_SRC_GENERATE, NULL, 0, 100000, TK_DIST_UNIFORM, 7};
	tk_array a;
	CU_ASSERT_EQUAL_FATAL(tk_array_load(&src, &a), 0);
	double s = 0;
	int inside = 1;
	for (uint64_t i = 0; i < a.n; i++) {
		s += a.data[i];
		inside &= a.data[i] > 0 && a.data[i] < 1;
		if (i % 9973 == 0) /* value i is a function of (seed, i) only */
			CU_ASSERT_EQUAL(a.data[i], tk_generate_value(7, TK_DIST_UNIFORM, i));
	}
	CU_ASSERT(inside);
	/* mean 1/2, standard error sqrt(1/12 / n) < 1e-3 */
	CU_ASSERT(fabs(s / (double)a.n - 0.5) < 5e-3);
	tk_array_free(&a);
	src.dist = TK_DIST_NORMAL;
	CU_ASSERT_EQUAL_FATAL(tk_array_load(&src, &a), 0);
	double m = 0, v = 0;
	for (uint64_t i = 0; i < a.n; i++)
		m += a.data[i];
	m /= (double)a.n;
	for (uint64_t i = 0; i < a.n; i++)
		v += (a.data[i] - m) * (a.data[i] - m);
	v /= (double)(a.n - 1);
	CU_ASSERT(fabs(m) < 0.02);       /* SE 0.0032 */
	CU_ASSERT(fabs(v - 1.0) < 0.03); /* SE 0.0045 */
	tk_array_free(&a);
	/* other seeds give other values */
	CU_ASSERT(tk_generate_value(7, TK_DIST_UNIFORM, 5) != tk_generate_value(8, TK_DIST_UNIFORM, 5));
}

static void too_large_is_enomem(void)
{
	tk_source src = {TK_SRC_GENERATE, NULL, 0, UINT64_C(1) << 60, TK_DIST_UNIFORM, 1};
	tk_array a;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_array_load(&src, &a), TK_ENOMEM);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "GiB available"));
	tk_error_clear();
}

static const tk_test tests[] = {
	{".npy versions 1.0, 2.0, 3.0", versions_1_2_3},
	{"dtypes converted", dtypes_converted},
	{"N-D and Fortran order", shapes_and_order},
	{"bad files", bad_files},
	{"header parsing", parse_headers},
	{"write and read back", write_round_trip},
	{"count x itemsize wraps: truncated", count_times_itemsize_wraps},
	{"raw and CSV", raw_and_csv},
	{"CSV details", csv_details},
	{"CSV strict", csv_strict},
	{"generated values", generated},
	{"too large is ENOMEM", too_large_is_enomem},
	{NULL, NULL},
};
const tk_suite tk_suite_npy = {"npy", tests};
