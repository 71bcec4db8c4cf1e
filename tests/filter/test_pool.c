/*
 * test_pool.c: how filter's pool deals out items (tk/filter_run.h), the per-thread error
 * record (tk_error_local), an image read from memory, and the hex result field.
 * Expected item lists are worked out by hand below each case.
 */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <string.h>

#include "tk/filter_run.h"
#include "tk/image.h"
#include "tk/report.h"
#include "tk/tk.h"
#include "tk_test.h"

/* the items of worker w, in order, into out; returns how many */
static int items_of(uint64_t n, uint64_t chunk, uint64_t w, uint64_t nw, uint64_t *out)
{
	int k = 0;
	for (uint64_t i = tk_filter_static_next(n, chunk, w, nw, UINT64_MAX); i < n && k < 64;
	     i = tk_filter_static_next(n, chunk, w, nw, i))
		out[k++] = i;
	return k;
}

static void static_blocks(void)
{
	/* 10 items over 3 workers in blocks (tk_decomp_block): 0-3, 4-6, 7-9 */
	uint64_t v[64];
	CU_ASSERT_EQUAL(items_of(10, 0, 0, 3, v), 4);
	CU_ASSERT(v[0] == 0 && v[3] == 3);
	CU_ASSERT_EQUAL(items_of(10, 0, 1, 3, v), 3);
	CU_ASSERT(v[0] == 4 && v[2] == 6);
	CU_ASSERT_EQUAL(items_of(10, 0, 2, 3, v), 3);
	CU_ASSERT(v[0] == 7 && v[2] == 9);
	/* more workers than items: the last ones get none */
	CU_ASSERT_EQUAL(items_of(2, 0, 3, 4, v), 0);
}

static void static_chunks(void)
{
	/* 10 items, chunks of 2, 3 workers: chunks 0..4 = {0,1} {2,3} {4,5} {6,7} {8,9};
	 * worker 0 gets chunks 0 and 3, worker 1 chunks 1 and 4, worker 2 chunk 2 */
	uint64_t v[64];
	static const uint64_t w0[] = {0, 1, 6, 7}, w1[] = {2, 3, 8, 9}, w2[] = {4, 5};
	CU_ASSERT_EQUAL(items_of(10, 2, 0, 3, v), 4);
	CU_ASSERT(memcmp(v, w0, sizeof w0) == 0);
	CU_ASSERT_EQUAL(items_of(10, 2, 1, 3, v), 4);
	CU_ASSERT(memcmp(v, w1, sizeof w1) == 0);
	CU_ASSERT_EQUAL(items_of(10, 2, 2, 3, v), 2);
	CU_ASSERT(memcmp(v, w2, sizeof w2) == 0);
	/* chunk 3 over 2 workers, 7 items: {0,1,2} {3,4,5} {6}: worker 0 gets 0,1,2,6 */
	static const uint64_t x0[] = {0, 1, 2, 6};
	CU_ASSERT_EQUAL(items_of(7, 3, 0, 2, v), 4);
	CU_ASSERT(memcmp(v, x0, sizeof x0) == 0);
	/* every item exactly once, for a few shapes */
	for (uint64_t n = 1; n < 30; n += 7)
		for (uint64_t c = 0; c < 5; c++)
			for (uint64_t nw = 1; nw < 6; nw++) {
				int seen[64] = {0}, total = 0;
				for (uint64_t w = 0; w < nw; w++) {
					int k = items_of(n, c, w, nw, v);
					for (int i = 0; i < k; i++)
						seen[v[i]]++;
					total += k;
				}
				CU_ASSERT_EQUAL(total, (int)n);
				for (uint64_t i = 0; i < n; i++)
					CU_ASSERT_EQUAL(seen[i], 1);
			}
}

static void pool_shape(void)
{
	int p, in;
	tk_filter_pool_shape(30, 1, 2, &p, &in); /* plenty of images: every thread a worker */
	CU_ASSERT(p == 2 && in == 1);
	tk_filter_pool_shape(1, 1, 8, &p, &in); /* one image: one worker, rows over 8 */
	CU_ASSERT(p == 1 && in == 8);
	tk_filter_pool_shape(3, 1, 8, &p, &in); /* 3 images: 3 workers of 2 threads */
	CU_ASSERT(p == 3 && in == 2);
	tk_filter_pool_shape(5, 2, 4, &p, &in); /* 3 per rank (rounded up): 3 workers x 1 */
	CU_ASSERT(p == 3 && in == 1);
}

static void error_local(void)
{
	char buf[64];
	tk_error_clear();
	tk_error_local(buf, sizeof buf);
	tk_error_set(TK_EIO, "first %d", 1);
	tk_error_set(TK_EIO, "second");
	CU_ASSERT_STRING_EQUAL(tk_error_message(), "first 1");
	CU_ASSERT_EQUAL(tk_error_code(), TK_EIO);
	tk_error_local(NULL, 0);
	CU_ASSERT_EQUAL(tk_error_code(), 0); /* the shared record was not touched */
	CU_ASSERT_STRING_EQUAL(buf, "first 1");
}

static void read_from_memory(void)
{
	/* a 2x2 gray P5 by hand, and an HTML page */
	static const unsigned char pgm[] = "P5\n2 2\n255\n\x01\x02\x03\x04";
	tk_image img;
	CU_ASSERT_EQUAL(tk_image_read_mem("mem", pgm, sizeof pgm - 1, &img), 0);
	CU_ASSERT(img.width == 2 && img.height == 2 && img.channels == 1);
	CU_ASSERT(img.data[0] == 1 && img.data[3] == 4);
	tk_image_free(&img);
	/* one byte short: truncated, named */
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_image_read_mem("short", pgm, sizeof pgm - 2, &img), TK_EIO);
	CU_ASSERT(strstr(tk_error_message(), "short: truncated") != NULL);
	tk_error_clear();
	static const char html[] = "<!DOCTYPE html><html></html>";
	CU_ASSERT_EQUAL(tk_image_read_mem("page", (const unsigned char *)html, sizeof html - 1,
	                                  &img),
	                TK_EIO);
	CU_ASSERT(strstr(tk_error_message(), "looks like HTML") != NULL);
	tk_error_clear();
}

static void hex_field_digest(void)
{
	/* a hex field is hashed as the same 64-bit value as a u64 field */
	tk_result a, b;
	tk_result_init(&a, "c", "k");
	tk_result_init(&b, "c", "k");
	tk_result_u64(&a, "x", 0x0123456789abcdefull);
	tk_result_hex(&b, "x", 0x0123456789abcdefull);
	CU_ASSERT_EQUAL(tk_result_digest(&a), tk_result_digest(&b));
}

static const tk_test tests[] = {
	{"static schedule: blocks", static_blocks},
	{"static schedule: chunks round robin", static_chunks},
	{"pool shape", pool_shape},
	{"per-thread error record", error_local},
	{"image read from memory", read_from_memory},
	{"hex field hashes as u64", hex_field_digest},
	{NULL, NULL},
};

const tk_suite tk_suite_pool = {"pool", tests};
