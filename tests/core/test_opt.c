/* test_opt.c: option tables and number syntax, including every error the user sees. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tk/hash.h"
#include "tk/opt.h"
#include "tk/report.h"
#include "tk/tk.h"
#include "tk_test.h"

static void numbers(void)
{
	uint64_t v;
	CU_ASSERT(tk_parse_u64("1000", &v) == 0 && v == 1000);
	CU_ASSERT(tk_parse_u64("1e9", &v) == 0 && v == 1000000000ull);
	CU_ASSERT(tk_parse_u64("1.5e3", &v) == 0 && v == 1500);
	CU_ASSERT(tk_parse_u64("2^30", &v) == 0 && v == (1ull << 30));
	CU_ASSERT(tk_parse_u64("2^63", &v) == 0 && v == (1ull << 63));
	CU_ASSERT(tk_parse_u64("4Ki", &v) == 0 && v == 4096);
	CU_ASSERT(tk_parse_u64("3G", &v) == 0 && v == 3000000000ull);
	CU_ASSERT(tk_parse_u64("18446744073709551615", &v) == 0 && v == UINT64_MAX);
	const char *bad[] = {"", "-1", "abc", "1e-3", "2.5", "2^64", "18446744073709551616",
	                     "1e30", "12x", "0x10", " 5", "nan", "inf", "2^", "^3", "1,000"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CU_ASSERT_EQUAL(tk_parse_u64(bad[i], &v), -1);
}

static sigjmp_buf parse_timeout;
static void on_alarm(int sig)
{
	(void)sig;
	siglongjmp(parse_timeout, 1);
}

/* Powers finish at once whatever the exponent: 1^99999999999999 used to loop once per
 * unit of the exponent.  An alarm turns a hang into a failure instead of a stuck suite. */
static void powers_are_bounded(void)
{
	struct sigaction sa = {0}, old;
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	volatile int finished = 0;
	static uint64_t v, w, x, y;
	static int r1, r2, r3, r4;
	v = w = x = y = 7;
	r1 = r2 = r3 = r4 = 0;
	if (sigsetjmp(parse_timeout, 1) == 0) {
		alarm(2);
		r1 = tk_parse_u64("1^99999999999999", &v);
		r2 = tk_parse_u64("0^18446744073709551615", &w);
		r3 = tk_parse_u64("0^0", &x);
		r4 = tk_parse_u64("2^99999999999999", &y);
		finished = 1;
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	CU_ASSERT_TRUE(finished);
	CU_ASSERT(r1 == 0 && v == 1);
	CU_ASSERT(r2 == 0 && w == 0);
	CU_ASSERT(r3 == 0 && x == 1);
	CU_ASSERT(r4 == -1);
}

static const char *const colors[] = {"red", "green", NULL};

static int parse(int argc, char **argv, uint64_t *n, double *x, int *color, int *flag)
{
	const tk_opt opts[] = {
		{"n", TK_OPT_U64, n, "N", "count", NULL, 0, 0, 0, NULL, 1, 100},
		{"x", TK_OPT_F64, x, "X", "positive", NULL, 0, 0, 1, NULL, 0, 0},
		{"color", TK_OPT_CHOICE, color, "C", "color", colors, 0, 0, 0, NULL, 0, 0},
		{"flag", TK_OPT_FLAG, flag, NULL, "flag", NULL, 0, 0, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	const tk_opt *const tables[] = {opts, NULL};
	tk_error_clear();
	return tk_opt_parse("t", argc, argv, 0, tables, NULL, 0, NULL);
}

static void tables(void)
{
	uint64_t n = 0;
	double x = 0;
	int color = -1, flag = 0;
	char *ok[] = {"--n", "7", "--x=2.5", "--color", "green", "--flag"};
	CU_ASSERT_EQUAL(parse(6, ok, &n, &x, &color, &flag), 0);
	CU_ASSERT(n == 7 && x == 2.5 && color == 1 && flag == 1);

	struct {
		int argc;
		char *argv[3];
		const char *msg;
	} bad[] = {
		{1, {"--bogus"}, "unknown option '--bogus'"},
		{1, {"-n"}, "unknown option '-n'"},
		{1, {"--n"}, "--n needs a value"},
		{2, {"--n", "0"}, "--n must be between 1 and 100 (got '0')"},
		{2, {"--n", "101"}, "--n must be between 1 and 100"},
		{2, {"--n", "ten"}, "--n expects a whole non-negative number"},
		{2, {"--x", "0"}, "--x must be greater than 0"},
		{2, {"--x", "-1"}, "--x must be greater than 0"},
		{2, {"--color", "blue"}, "--color 'blue' is not one of: red, green"},
		{1, {"--flag=1"}, "--flag takes no value"},
		{1, {"stray"}, "unexpected argument 'stray'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(parse(bad[i].argc, bad[i].argv, &n, &x, &color, &flag), TK_EUSAGE);
		if (!strstr(tk_error_message(), bad[i].msg))
			fprintf(stderr, "case %zu got: %s\n", i, tk_error_message());
		CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), bad[i].msg));
	}
	/* a bound above 2^53 compared exactly: 2^62 + 1 is a double 2^62 but is over it
	 * (found by tests/fuzz/fuzz_opt.c) */
	uint64_t big = 0;
	const tk_opt wide[] = {
		{"big", TK_OPT_U64, &big, "N", "count", NULL, 0, 0, 0, NULL, 1, UINT64_C(1) << 62},
		TK_OPT_END};
	const tk_opt *const wtables[] = {wide, NULL};
	char *top[] = {"--big", "4611686018427387904"}, *over[] = {"--big", "4611686018427387905"};
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_opt_parse("t", 2, top, 0, wtables, NULL, 0, NULL), 0);
	CU_ASSERT_EQUAL(big, UINT64_C(1) << 62);
	CU_ASSERT_EQUAL(tk_opt_parse("t", 2, over, 0, wtables, NULL, 0, NULL), TK_EUSAGE);
	CU_ASSERT_EQUAL(big, UINT64_C(1) << 62);
	tk_error_clear();
}

/* Count limits are integers: 2^62 + 1 is above 2^62 (as a double both are 2^62). */
static int parse_count(const char *val, uint64_t min, uint64_t max, uint64_t *v)
{
	const tk_opt opts[] = {
		{"n", TK_OPT_U64, v, "N", "count", NULL, 0, 0, 0, NULL, min, max},
		TK_OPT_END,
	};
	const tk_opt *const tables[] = {opts, NULL};
	char *argv[] = {"--n", (char *)val};
	tk_error_clear();
	return tk_opt_parse("t", 2, argv, 0, tables, NULL, 0, NULL);
}

static void exact_count_limits(void)
{
	uint64_t v = 0, top = (uint64_t)1 << 62;
	CU_ASSERT(parse_count("2^62", 1, top, &v) == 0 && v == top);
	CU_ASSERT_EQUAL(parse_count("4611686018427387905", 1, top, &v), TK_EUSAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(),
	                              "--n must be between 1 and 2^62 (got '4611686018427387905')"));
	CU_ASSERT_EQUAL(v, top); /* a refused value is not stored */
	CU_ASSERT(parse_count("4611686018427387903", 1, top - 1, &v) == 0 && v == top - 1);
	CU_ASSERT_EQUAL(parse_count("2^62", 1, top - 1, &v), TK_EUSAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "between 1 and 4611686018427387903"));
	/* max 0: no upper limit, up to 2^64 - 1 */
	CU_ASSERT(parse_count("18446744073709551615", 2, 0, &v) == 0 && v == UINT64_MAX);
	CU_ASSERT_EQUAL(parse_count("1", 2, 0, &v), TK_EUSAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "--n must be at least 2 (got '1')"));
	CU_ASSERT(parse_count("0", 0, 0, &v) == 0 && v == 0);
	/* a count with a double range, or a double with a count range: a table bug */
	const tk_opt bad_u64[] = {
		{"n", TK_OPT_U64, &v, "N", "count", NULL, 1, 100, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	double x;
	const tk_opt bad_f64[] = {
		{"x", TK_OPT_F64, &x, "X", "number", NULL, 0, 0, 0, NULL, 1, 0},
		TK_OPT_END,
	};
	const tk_opt *const t1[] = {bad_u64, NULL}, *const t2[] = {bad_f64, NULL};
	char *none[] = {NULL};
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_opt_parse("t", 0, none, 0, t1, NULL, 0, NULL), TK_EINTERNAL);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_opt_parse("t", 0, none, 0, t2, NULL, 0, NULL), TK_EINTERNAL);
	tk_error_clear();
}

static void digest_follows_result_bits(void)
{
	tk_result a, b;
	tk_result_init(&a, "montecarlo", "pi");
	tk_result_init(&b, "montecarlo", "pi");
	tk_result_u64(&a, "hits", 5);
	tk_result_u64(&b, "hits", 5);
	tk_result_f64(&a, "x", 0.1);
	tk_result_f64(&b, "x", 0.1);
	/* context fields (references) do not enter the digest */
	tk_result_ref_f64(&a, "reference", 1.0);
	tk_result_ref_f64(&b, "reference", 2.0);
	CU_ASSERT_EQUAL(tk_result_digest(&a), tk_result_digest(&b));
	b.fields[1].f = 0.1 + 0x1p-56; /* one bit off */
	CU_ASSERT_NOT_EQUAL(tk_result_digest(&a), tk_result_digest(&b));
	b.fields[1].f = -0.0;
	a.fields[1].f = 0.0;
	CU_ASSERT_NOT_EQUAL(tk_result_digest(&a), tk_result_digest(&b));
	/* FNV-1a 64 of "a" is af63dc4c8601ec8c (published test vector) */
	CU_ASSERT_EQUAL(tk_fnv1a(TK_FNV_OFFSET, "a", 1), 0xaf63dc4c8601ec8cull);
}

/* Text numbers: the fewest digits that read back to the same double (hand-worked). */
static void text_numbers_round_trip(void)
{
	char b[32];
	CU_ASSERT_STRING_EQUAL(tk_fmt_f64(b, sizeof b, 0.1), "0.1");
	CU_ASSERT_STRING_EQUAL(tk_fmt_f64(b, sizeof b, 1e16 + 4), "10000000000000004");
	CU_ASSERT_STRING_EQUAL(tk_fmt_f64(b, sizeof b, 3333333333333334.5), "3333333333333334.5");
	CU_ASSERT_STRING_EQUAL(tk_fmt_f64(b, sizeof b, 1.0 / 3), "0.3333333333333333");
	CU_ASSERT_STRING_EQUAL(tk_fmt_f64(b, sizeof b, 0.3), "0.3");
	CU_ASSERT_STRING_EQUAL(tk_fmt_f64(b, sizeof b, -0.0), "-0");
	CU_ASSERT_STRING_EQUAL(tk_fmt_f64(b, sizeof b, 1.0 / 0.0), "inf");
	CU_ASSERT_STRING_EQUAL(tk_fmt_f64(b, sizeof b, 0x1p-1074), "4.94065645841247e-324");
}

static const tk_test tests[] = {
	{"number syntax", numbers},
	{"powers are bounded", powers_are_bounded},
	{"option tables and their errors", tables},
	{"count limits are exact integers", exact_count_limits},
	{"digest follows result bits", digest_follows_result_bits},
	{"text numbers round-trip", text_numbers_round_trip},
	{NULL, NULL},
};
const tk_suite tk_suite_opt = {"opt", tests};
