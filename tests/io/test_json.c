/*
 * test_json.c: the strict JSON reader (tk/json.h) against hand-written documents:
 * values and their kinds, escapes (with \u surrogate pairs, decoded by hand from the
 * Unicode tables), numbers at the limits of uint64 and double, every kind of malformed
 * input with the byte where it must be caught, every truncation of a document, and
 * nesting past the depth limit.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk/json.h"
#include "tk/tk.h"
#include "tk_test.h"

static int parse(tk_json_doc *d, const char *text)
{
	tk_error_clear();
	return tk_json_parse(d, "t.json", text, strlen(text));
}

static void test_values(void)
{
	tk_json_doc d;
	const char *text = " {\"schema\":\"toolkit.run/1\",\"ranks\":2,\"verified\":true,"
	                   "\"bad\":false,\"none\":null,\"time\":{\"kernel_s\":0.25,"
	                   "\"comm\":{}},\"list\":[1,\"two\",[],{}],\"digest\":"
	                   "\"0a68881cd43a0648\"}\n";
	CU_ASSERT_EQUAL_FATAL(parse(&d, text), 0);
	const tk_json *r = d.root;
	CU_ASSERT_EQUAL(r->kind, TK_JSON_OBJECT);
	CU_ASSERT_EQUAL(r->count, 8);
	CU_ASSERT_STRING_EQUAL(tk_json_str(tk_json_get(r, "schema")), "toolkit.run/1");
	CU_ASSERT_EQUAL(tk_json_f64(tk_json_get(r, "ranks")), 2.0);
	CU_ASSERT_EQUAL(tk_json_bool(tk_json_get(r, "verified")), 1);
	CU_ASSERT_EQUAL(tk_json_bool(tk_json_get(r, "bad")), 0);
	CU_ASSERT_EQUAL(tk_json_bool(tk_json_get(r, "none")), -1);
	CU_ASSERT_EQUAL(tk_json_get(r, "none")->kind, TK_JSON_NULL);
	CU_ASSERT(isnan(tk_json_f64(tk_json_get(r, "none"))));
	CU_ASSERT(isnan(tk_json_f64(tk_json_get(r, "missing"))));
	CU_ASSERT_PTR_NULL(tk_json_get(r, "missing"));
	CU_ASSERT_PTR_NULL(tk_json_str(tk_json_get(r, "ranks"))); /* a number, not a string */
	CU_ASSERT_EQUAL(tk_json_f64(tk_json_path(r, "time.kernel_s")), 0.25);
	CU_ASSERT_PTR_NULL(tk_json_path(r, "time.nosuch"));
	CU_ASSERT_PTR_NULL(tk_json_path(r, "ranks.x")); /* not an object */
	CU_ASSERT_EQUAL(tk_json_path(r, "time.comm")->count, 0);
	const tk_json *l = tk_json_get(r, "list");
	CU_ASSERT_EQUAL(l->kind, TK_JSON_ARRAY);
	CU_ASSERT_EQUAL(l->count, 4);
	CU_ASSERT_STRING_EQUAL(tk_json_str(tk_json_at(l, 1)), "two");
	CU_ASSERT_EQUAL(tk_json_at(l, 2)->kind, TK_JSON_ARRAY);
	CU_ASSERT_EQUAL(tk_json_at(l, 3)->kind, TK_JSON_OBJECT);
	CU_ASSERT_PTR_NULL(tk_json_at(l, 4));
	CU_ASSERT_PTR_NULL(tk_json_at(r, 0)); /* not an array */
	CU_ASSERT_PTR_NULL(tk_json_at(l, 0)->key);
	CU_ASSERT_STRING_EQUAL(tk_json_str(tk_json_get(r, "digest")), "0a68881cd43a0648");
	tk_json_free(&d);
	tk_json_free(&d); /* twice is harmless */

	/* a value alone, with whitespace of every allowed kind around it */
	CU_ASSERT_EQUAL_FATAL(parse(&d, " \t\r\n-0 \n"), 0);
	CU_ASSERT_EQUAL(d.root->kind, TK_JSON_NUMBER);
	CU_ASSERT_STRING_EQUAL(d.root->text, "-0");
	CU_ASSERT(signbit(tk_json_f64(d.root)));
	tk_json_free(&d);
	CU_ASSERT_EQUAL_FATAL(parse(&d, "\"\""), 0);
	CU_ASSERT_EQUAL(d.root->kind, TK_JSON_STRING);
	CU_ASSERT_EQUAL(d.root->len, 0);
	tk_json_free(&d);
	CU_ASSERT_EQUAL_FATAL(parse(&d, "[[[]]]"), 0);
	CU_ASSERT_EQUAL(d.root->count, 1);
	tk_json_free(&d);
}

static void expect_string(const char *json, const char *want, size_t want_len)
{
	tk_json_doc d;
	CU_ASSERT_EQUAL_FATAL(parse(&d, json), 0);
	CU_ASSERT_EQUAL(d.root->kind, TK_JSON_STRING);
	CU_ASSERT_EQUAL(d.root->len, want_len);
	CU_ASSERT(memcmp(d.root->text, want, want_len) == 0);
	CU_ASSERT_EQUAL(d.root->text[want_len], '\0');
	tk_json_free(&d);
}

static void test_escapes(void)
{
	expect_string("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"", "a\"b\\c/d\be\ff\ng\rh\ti", 17);
	/* U+00E9 is C3 A9 in UTF-8, U+20AC is E2 82 AC, U+FFFF is EF BF BF */
	expect_string("\"\\u00e9\\u20AC\\uffff\"", "\xc3\xa9\xe2\x82\xac\xef\xbf\xbf", 8);
	/* U+1F600 as the pair D83D DE00 is F0 9F 98 80; U+10FFFF (DBFF DFFF) F4 8F BF BF;
	 * U+10000 (D800 DC00) F0 90 80 80 */
	expect_string("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
	expect_string("\"\\uDBFF\\uDFFF\\uD800\\uDC00\"", "\xf4\x8f\xbf\xbf\xf0\x90\x80\x80", 8);
	/* \u0000 is kept: the length counts it */
	expect_string("\"\\u0000x\"", "\0x", 2);
	expect_string("\"\\u007f\\u0080\\u07ff\\u0800\"", "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80", 8);
	/* raw UTF-8 passes through as it is, DEL is not a control character */
	expect_string("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"",
	              "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f", 10);
	/* a member name is decoded like any string */
	tk_json_doc d;
	CU_ASSERT_EQUAL_FATAL(parse(&d, "{\"\\u0061b\":1}"), 0);
	CU_ASSERT_PTR_NOT_NULL(tk_json_get(d.root, "ab"));
	tk_json_free(&d);
}

static void expect_u64(const char *json, int want_rc, uint64_t want)
{
	tk_json_doc d;
	uint64_t v = 12345;
	CU_ASSERT_EQUAL_FATAL(parse(&d, json), 0);
	CU_ASSERT_EQUAL(tk_json_u64(d.root, &v), want_rc);
	CU_ASSERT_EQUAL(v, want_rc ? 12345 : want);
	tk_json_free(&d);
}

static void expect_f64(const char *json, double want)
{
	tk_json_doc d;
	CU_ASSERT_EQUAL_FATAL(parse(&d, json), 0);
	double v = tk_json_f64(d.root);
	CU_ASSERT(memcmp(&v, &want, sizeof v) == 0);
	CU_ASSERT_STRING_EQUAL(d.root->text, json); /* the text exactly as written */
	tk_json_free(&d);
}

static void test_numbers(void)
{
	expect_u64("0", 0, 0);
	expect_u64("18446744073709551615", 0, UINT64_MAX);
	expect_u64("9007199254740993", 0, 9007199254740993ull); /* no double holds it */
	expect_u64("18446744073709551616", TK_EUSAGE, 0);
	expect_u64("99999999999999999999", TK_EUSAGE, 0);
	expect_u64("100000000000000000000", TK_EUSAGE, 0);
	expect_u64("-1", TK_EUSAGE, 0);
	expect_u64("1.0", TK_EUSAGE, 0);
	expect_u64("1e3", TK_EUSAGE, 0);
	expect_u64("\"5\"", TK_EUSAGE, 0);
	uint64_t v;
	CU_ASSERT_EQUAL(tk_json_u64(NULL, &v), TK_EUSAGE);

	expect_f64("1.7976931348623157e308", DBL_MAX);
	expect_f64("2.2250738585072014e-308", DBL_MIN);
	expect_f64("4.9406564584124654e-324", 0x1p-1074);
	expect_f64("0.1", 0x1.999999999999ap-4);
	expect_f64("-2.5E+3", -2500.0);
	expect_f64("1E-2", 0.01);
	expect_f64("123456789012345678901234567890", 1.2345678901234568e29);
	expect_f64("1e400", HUGE_VAL); /* valid JSON, beyond a double */
	expect_f64("1e-400", 0.0);
	/* %.17g (what the toolkit writes) reads back to the same bits */
	const double xs[] = {M_PI, 1.0 / 3, 0.0071572550004930235, 6.02214076e23, -1e-300,
	                     DBL_EPSILON, 5e-324};
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		char buf[40];
		snprintf(buf, sizeof buf, "%.17g", xs[i]);
		expect_f64(buf, xs[i]);
	}
}

/* text must fail with TK_EIO at byte at */
static void expect_bad(const char *text, size_t len, size_t at)
{
	tk_json_doc d;
	tk_error_clear();
	int rc = tk_json_parse(&d, "t.json", text, len);
	CU_ASSERT_EQUAL(rc, TK_EIO);
	CU_ASSERT_PTR_NULL(d.root);
	if (rc != TK_EIO || d.err_offset != at)
		fprintf(stderr, "\n  %.*s: rc %d at %zu, expected %zu (%s)\n", (int)len, text, rc,
		        d.err_offset, at, tk_error_message());
	CU_ASSERT_EQUAL(d.err_offset, at);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "t.json: invalid JSON at line"));
	tk_json_free(&d);
}
#define BAD(text, at) expect_bad(text, sizeof text - 1, at)

static void test_malformed(void)
{
	BAD("", 0);
	BAD("   ", 3);
	BAD("{", 1);
	BAD("[", 1);
	BAD("[1,]", 3);
	BAD("{\"a\":1,}", 7);
	BAD("[,1]", 1);
	BAD("[1 2]", 3);
	BAD("{\"a\" 1}", 5);
	BAD("{\"a\":}", 5);
	BAD("{a:1}", 1);
	BAD("{'a':1}", 1);
	BAD("['a']", 1);
	BAD("{\"a\":1 \"b\":2}", 7);
	BAD("[01]", 2);
	BAD("[-01]", 3);
	BAD("[1.]", 3);
	BAD("[.5]", 1);
	BAD("[1e]", 3);
	BAD("[1e+]", 4);
	BAD("[+1]", 1);
	BAD("[-]", 2);
	BAD("[0x10]", 2);
	BAD("[NaN]", 1);
	BAD("[Infinity]", 1);
	BAD("[-Infinity]", 2);
	BAD("[True]", 1);
	BAD("[nul]", 1);
	BAD("/* comment */ 1", 0);
	BAD("1 // comment", 2);
	BAD("[1] x", 4);
	BAD("{} {}", 3);
	BAD("\xef\xbb\xbf{}", 0); /* a byte order mark is not JSON */
	BAD("[1]\0", 3);           /* a NUL after the value is text after it */
	/* strings */
	BAD("\"a\tb\"", 2);
	BAD("\"a\nb\"", 2);
	BAD("\"\x01\"", 1);
	BAD("\"\x1f\"", 1); /* the last control character */
	BAD("\"\\x\"", 1);
	BAD("\"\\u12G4\"", 5);
	BAD("\"\\u12\"", 5);
	BAD("\"\\ud800\"", 1);
	BAD("\"\\udc00\"", 1);
	BAD("\"\\ud800\\u0041\"", 7);
	BAD("\"\\ud800x\"", 1);
	BAD("\"\xff\"", 1);
	BAD("\"\x80\"", 1);
	BAD("\"\xc0\xaf\"", 1);         /* overlong '/' */
	BAD("\"\xe0\x80\xaf\"", 1);     /* overlong, 3 bytes */
	BAD("\"\xed\xa0\x80\"", 1);     /* a surrogate encoded directly */
	BAD("\"\xf4\x90\x80\x80\"", 1); /* above U+10FFFF */
	BAD("\"\xc3\"", 1);             /* cut short by the quote */
	BAD("\"\xe2\x82\"", 1);
	BAD("[\xc3\xa9]", 1); /* UTF-8 outside a string */
	/* duplicate names, also far apart in a large object */
	BAD("{\"a\":1,\"b\":2,\"a\":3}", 0);
	BAD("[{\"x\":{\"k\":1,\"k\":1}}]", 6);
	char big[40000];
	size_t n = 0;
	big[n++] = '{';
	for (int i = 0; i < 2000; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	n += (size_t)snprintf(big + n, sizeof big - n, ",\"k1234\":0}");
	expect_bad(big, n, 0);
	tk_json_doc d;
	big[n - 11] = '}'; /* without the duplicate: valid */
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_json_parse(&d, "big", big, n - 10), 0);
	CU_ASSERT_EQUAL(d.root ? d.root->count : 0, 2000);
	CU_ASSERT_STRING_EQUAL(d.root ? d.root->child->next->key : "", "k1");
	tk_json_free(&d);

	/* the message names line and column (1-based, in bytes) */
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_json_parse(&d, "f.json", "{\n  \"a\": tru\n}", 14), TK_EIO);
	CU_ASSERT_EQUAL(d.err_line, 2);
	CU_ASSERT_EQUAL(d.err_col, 8);
	CU_ASSERT_STRING_EQUAL(tk_error_message(),
	                       "f.json: invalid JSON at line 2, column 8 (byte 9): expected a value");
	tk_json_free(&d);
	/* without a name nothing is recorded; the document says what and where */
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_json_parse(&d, NULL, "[1,]", 4), TK_EIO);
	CU_ASSERT_EQUAL(tk_error_code(), 0);
	CU_ASSERT_EQUAL(d.err_offset, 3);
	CU_ASSERT_STRING_EQUAL(d.err_what, "trailing comma");
	tk_json_free(&d);
}

/* Every proper prefix of a document is an error at or before its end; the whole one
 * parses. */
static void test_truncated(void)
{
	const char *doc = "{\"s\":\"a\\u00e9\\ud83d\\ude00\",\"n\":-1.5e-3,\"a\":[true,false,"
	                  "null,{}],\"o\":{\"k\":[0]}}";
	size_t len = strlen(doc);
	for (size_t k = 0; k < len; k++) {
		tk_json_doc d;
		tk_error_clear();
		int rc = tk_json_parse(&d, "cut", doc, k);
		CU_ASSERT_EQUAL(rc, TK_EIO);
		CU_ASSERT(d.err_offset <= k);
		if (rc != TK_EIO)
			fprintf(stderr, "\n  prefix of %zu bytes parsed\n", k);
		tk_json_free(&d);
	}
	tk_json_doc d;
	CU_ASSERT_EQUAL(tk_json_parse(&d, "whole", doc, len), 0);
	tk_json_free(&d);
}

static void test_depth(void)
{
	char s[2 * TK_JSON_MAX_DEPTH + 3];
	tk_json_doc d;
	/* exactly the limit: valid */
	memset(s, '[', TK_JSON_MAX_DEPTH);
	memset(s + TK_JSON_MAX_DEPTH, ']', TK_JSON_MAX_DEPTH);
	CU_ASSERT_EQUAL(tk_json_parse(&d, "deep", s, 2 * TK_JSON_MAX_DEPTH), 0);
	tk_json_free(&d);
	/* one more: an error where the first array too many opens */
	memset(s, '[', TK_JSON_MAX_DEPTH + 1);
	memset(s + TK_JSON_MAX_DEPTH + 1, ']', TK_JSON_MAX_DEPTH + 1);
	expect_bad(s, 2 * TK_JSON_MAX_DEPTH + 2, TK_JSON_MAX_DEPTH);
	/* a bomb of a million brackets (and objects inside arrays) stops at the limit */
	size_t n = 1000000;
	char *bomb = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bomb);
	memset(bomb, '[', n);
	expect_bad(bomb, n, TK_JSON_MAX_DEPTH);
	for (size_t i = 0; i + 5 < n; i += 5)
		memcpy(bomb + i, "{\"a\":", 5);
	expect_bad(bomb, n, 5 * TK_JSON_MAX_DEPTH);
	free(bomb);
}

static const tk_test tests[] = {
	{"values and kinds", test_values},
	{"string escapes and surrogate pairs", test_escapes},
	{"numbers at the uint64 and double limits", test_numbers},
	{"malformed input, with the place", test_malformed},
	{"every truncation of a document", test_truncated},
	{"nesting past the depth limit", test_depth},
	{NULL, NULL},
};
const tk_suite tk_suite_json = {"json", tests};
