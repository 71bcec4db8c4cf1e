/*
 * test_decomp.c: the decomposition layer (tk/decomp.h) on hand-worked splits: a part
 * count that does not divide the items, more parts than items, halos wider than a
 * strip; whole-block splits; the exchange, scatter and gather of a world of one.  (The
 * transfers over ranks are tested in tests/mpi_runner.c at 1, 2 and 4 ranks.)
 */
#include <string.h>

#include "tk/decomp.h"
#include "tk/omp.h"
#include "tk/tk.h"
#include "tk_test.h"

#define RANGE_IS(rg, l, h)                                                             \
	do {                                                                            \
		tk_range r_ = (rg);                                                     \
		CU_ASSERT_EQUAL(r_.lo, (uint64_t)(l));                                  \
		CU_ASSERT_EQUAL(r_.hi, (uint64_t)(h));                                  \
	} while (0)

#define STRIP_IS(st, y0_, y1_, a_, b_)                                                 \
	do {                                                                            \
		tk_strip s_ = (st);                                                     \
		CU_ASSERT_EQUAL(s_.y0, (uint64_t)(y0_));                                \
		CU_ASSERT_EQUAL(s_.y1, (uint64_t)(y1_));                                \
		CU_ASSERT_EQUAL(s_.a, (uint64_t)(a_));                                  \
		CU_ASSERT_EQUAL(s_.b, (uint64_t)(b_));                                  \
	} while (0)

static void blocks_and_owners(void)
{
	/* 10 over 4: q = 2, r = 2: sizes 3, 3, 2, 2 */
	RANGE_IS(tk_decomp_block(10, 4, 0), 0, 3);
	RANGE_IS(tk_decomp_block(10, 4, 1), 3, 6);
	RANGE_IS(tk_decomp_block(10, 4, 2), 6, 8);
	RANGE_IS(tk_decomp_block(10, 4, 3), 8, 10);
	static const uint64_t owner10[10] = {0, 0, 0, 1, 1, 1, 2, 2, 3, 3};
	for (uint64_t i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(tk_decomp_owner(10, 4, i), owner10[i]);
	/* 3 over 5: one each for parts 0..2, parts 3 and 4 empty (at the end) */
	RANGE_IS(tk_decomp_block(3, 5, 0), 0, 1);
	RANGE_IS(tk_decomp_block(3, 5, 2), 2, 3);
	RANGE_IS(tk_decomp_block(3, 5, 3), 3, 3);
	RANGE_IS(tk_decomp_block(3, 5, 4), 3, 3);
	for (uint64_t i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(tk_decomp_owner(3, 5, i), i);
	/* 7 over 7, 6 over 3 (dividing), one part, and 2^64 - 1 items */
	for (uint64_t i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(tk_decomp_owner(7, 7, i), i);
	CU_ASSERT_EQUAL(tk_decomp_owner(6, 3, 1), 0);
	CU_ASSERT_EQUAL(tk_decomp_owner(6, 3, 2), 1);
	CU_ASSERT_EQUAL(tk_decomp_owner(6, 3, 5), 2);
	CU_ASSERT_EQUAL(tk_decomp_owner(UINT64_MAX, 1, UINT64_MAX - 1), 0);
	/* 2^64 - 1 over 2: q = 2^63 - 1, r = 1: part 0 holds 2^63 */
	CU_ASSERT_EQUAL(tk_decomp_owner(UINT64_MAX, 2, (UINT64_C(1) << 63) - 1), 0);
	CU_ASSERT_EQUAL(tk_decomp_owner(UINT64_MAX, 2, UINT64_C(1) << 63), 1);
	RANGE_IS(tk_decomp_block(UINT64_MAX, 2, 1), UINT64_C(1) << 63, UINT64_MAX);
	/* a world of one: this rank owns everything */
	RANGE_IS(tk_decomp_rank(17), 0, 17);
	/* 2 over 5: the last part is empty, at the end; near 2^64 nothing wraps */
	RANGE_IS(tk_decomp_block(2, 5, 4), 2, 2);
	RANGE_IS(tk_decomp_block(UINT64_MAX, 3, 2), UINT64_MAX / 3 * 2, UINT64_MAX);
}

static void whole_blocks(void)
{
	/* 10 items in blocks of 4 (4, 4, 2) over 2 parts: blocks 0, 1 | block 2 */
	RANGE_IS(tk_decomp_blocks(10, 4, 2, 0), 0, 8);
	RANGE_IS(tk_decomp_blocks(10, 4, 2, 1), 8, 10);
	/* over 4 parts: one block each for parts 0..2, part 3 empty at the end */
	RANGE_IS(tk_decomp_blocks(10, 4, 4, 0), 0, 4);
	RANGE_IS(tk_decomp_blocks(10, 4, 4, 1), 4, 8);
	RANGE_IS(tk_decomp_blocks(10, 4, 4, 2), 8, 10);
	RANGE_IS(tk_decomp_blocks(10, 4, 4, 3), 10, 10);
	/* 8 in blocks of 4 over 3 (no short block): 0-4, 4-8, empty */
	RANGE_IS(tk_decomp_blocks(8, 4, 3, 1), 4, 8);
	RANGE_IS(tk_decomp_blocks(8, 4, 3, 2), 8, 8);
	/* 11 in blocks of 4 (4, 4, 3) over 2: blocks 0, 1 | block 2 = 8..10 */
	RANGE_IS(tk_decomp_blocks(11, 4, 2, 1), 8, 11);
	/* nothing, and a block larger than n */
	RANGE_IS(tk_decomp_blocks(0, 4, 3, 0), 0, 0);
	RANGE_IS(tk_decomp_blocks(3, 4, 2, 0), 0, 3);
	RANGE_IS(tk_decomp_blocks(3, 4, 2, 1), 3, 3);
}

static void held_rows(void)
{
	/* own 3..5 of 10, halo 2: 1..7 */
	RANGE_IS(tk_decomp_held(10, (tk_range){3, 6}, 2), 1, 8);
	/* clipped at both ends */
	RANGE_IS(tk_decomp_held(10, (tk_range){0, 2}, 5), 0, 7);
	RANGE_IS(tk_decomp_held(10, (tk_range){9, 10}, 1), 8, 10);
	RANGE_IS(tk_decomp_held(4, (tk_range){1, 3}, 9), 0, 4);
	/* nothing own, nothing held */
	RANGE_IS(tk_decomp_held(10, (tk_range){4, 4}, 3), 4, 4);
}

static void thread_blocks(void)
{
	/* outside a parallel region the range itself */
	RANGE_IS(tk_decomp_thread((tk_range){5, 12}), 5, 12);
	/* 7 rows [5, 12) over 3 threads: [5, 8), [8, 10), [10, 12) */
	uint64_t lo[3] = {0}, hi[3] = {0};
	int team = 0;
#pragma omp parallel num_threads(3)
	{
		tk_range t = tk_decomp_thread((tk_range){5, 12});
		lo[tk_thread_id()] = t.lo;
		hi[tk_thread_id()] = t.hi;
#pragma omp single
		team = tk_thread_count();
	}
	if (team == 3) {
		CU_ASSERT(lo[0] == 5 && hi[0] == 8);
		CU_ASSERT(lo[1] == 8 && hi[1] == 10);
		CU_ASSERT(lo[2] == 10 && hi[2] == 12);
	} else { /* a build without OpenMP: one thread, the whole range */
		CU_ASSERT(team == 1 && lo[0] == 5 && hi[0] == 12);
	}
}

static void strips_with_halos(void)
{
	/* 10 rows over 4, halo 1 */
	STRIP_IS(tk_decomp_strip(10, 4, 0, 1), 0, 3, 0, 4);
	STRIP_IS(tk_decomp_strip(10, 4, 1, 1), 3, 6, 2, 7);
	STRIP_IS(tk_decomp_strip(10, 4, 2, 1), 6, 8, 5, 9);
	STRIP_IS(tk_decomp_strip(10, 4, 3, 1), 8, 10, 7, 10);
	/* halo 3, wider than the 2-row strips: part 2 holds rows 3..9 */
	STRIP_IS(tk_decomp_strip(10, 4, 2, 3), 6, 8, 3, 10);
	STRIP_IS(tk_decomp_strip(10, 4, 3, 3), 8, 10, 5, 10);
	STRIP_IS(tk_decomp_strip(10, 4, 0, 3), 0, 3, 0, 6);
	/* halo 0, and the halo of an empty strip: nothing */
	STRIP_IS(tk_decomp_strip(10, 4, 1, 0), 3, 6, 3, 6);
	STRIP_IS(tk_decomp_strip(3, 5, 4, 2), 3, 3, 3, 3);
	/* one part: the whole grid, the halo clipped away */
	STRIP_IS(tk_decomp_strip(5, 1, 0, 2), 0, 5, 0, 5);
	/* a halo near 2^64 does not wrap */
	STRIP_IS(tk_decomp_strip(10, 4, 1, UINT64_MAX), 3, 6, 0, 10);
}

static void halo_rows_and_reach(void)
{
	/* halo 1 over 10 rows, 4 parts: the neighbours' edge rows, nothing further */
	RANGE_IS(tk_decomp_halo_rows(10, 4, 1, 0, 1), 2, 3);
	RANGE_IS(tk_decomp_halo_rows(10, 4, 1, 1, 0), 3, 4);
	RANGE_IS(tk_decomp_halo_rows(10, 4, 1, 2, 1), 6, 7);
	RANGE_IS(tk_decomp_halo_rows(10, 4, 1, 0, 2), 0, 0);
	RANGE_IS(tk_decomp_halo_rows(10, 4, 1, 1, 1), 0, 0);
	CU_ASSERT_EQUAL(tk_decomp_halo_reach(10, 4, 1), 1);
	/* halo 3: part 2 (rows 6, 7; holds 3..9) takes 3..5 from part 1, 8, 9 from part 3;
	 * part 3 (8, 9; holds 5..9) takes row 5 from part 1, two parts away */
	RANGE_IS(tk_decomp_halo_rows(10, 4, 3, 1, 2), 3, 6);
	RANGE_IS(tk_decomp_halo_rows(10, 4, 3, 3, 2), 8, 10);
	RANGE_IS(tk_decomp_halo_rows(10, 4, 3, 1, 3), 5, 6);
	RANGE_IS(tk_decomp_halo_rows(10, 4, 3, 2, 3), 6, 8);
	RANGE_IS(tk_decomp_halo_rows(10, 4, 3, 0, 3), 0, 0);
	/* part 1 (3..5, holds 0..8) takes 6, 7 from part 2 and row 8 from part 3 */
	RANGE_IS(tk_decomp_halo_rows(10, 4, 3, 3, 1), 8, 9);
	CU_ASSERT_EQUAL(tk_decomp_halo_reach(10, 4, 3), 2);
	/* more parts than rows: 3 rows over 5, halo 1: parts 3, 4 empty, take nothing */
	RANGE_IS(tk_decomp_halo_rows(3, 5, 1, 2, 3), 0, 0);
	RANGE_IS(tk_decomp_halo_rows(3, 5, 1, 1, 2), 1, 2);
	CU_ASSERT_EQUAL(tk_decomp_halo_reach(3, 5, 1), 1);
	/* halo 2: part 0 (row 0) holds rows 0..2, row 2 from part 2 */
	RANGE_IS(tk_decomp_halo_rows(3, 5, 2, 2, 0), 2, 3);
	CU_ASSERT_EQUAL(tk_decomp_halo_reach(3, 5, 2), 2);
	/* one part: no neighbour */
	CU_ASSERT_EQUAL(tk_decomp_halo_reach(10, 1, 4), 0);
}

static void exchange_alone(void)
{
	/* a world of one holds the whole grid: the exchange has nothing to move */
	tk_halo h;
	tk_halo_init(&h, 6, 1, 4);
	CU_ASSERT_EQUAL(h.reach, 0);
	CU_ASSERT(h.me.y0 == 0 && h.me.y1 == 6 && h.me.a == 0 && h.me.b == 6);
	unsigned char buf[24], copy[24];
	for (int i = 0; i < 24; i++)
		buf[i] = copy[i] = (unsigned char)(i * 7);
	tk_halo_exchange(&h, buf);
	CU_ASSERT(memcmp(buf, copy, sizeof buf) == 0);
}

static void scatter_gather_alone(void)
{
	/* a world of one: the scatter copies the whole grid (the halo clipped away), the
	 * gather copies it back; in place nothing moves; a failed status moves nothing */
	unsigned char all[12], held[12], back[12];
	for (int i = 0; i < 12; i++)
		all[i] = (unsigned char)(3 * i + 1);
	memset(held, 0, sizeof held);
	CU_ASSERT_EQUAL(tk_strip_scatter(4, 2, 3, all, held, 0, 0), 0);
	CU_ASSERT(memcmp(held, all, sizeof all) == 0);
	CU_ASSERT_EQUAL(tk_strip_scatter(4, 2, 3, all, all, 0, 0), 0);
	CU_ASSERT_EQUAL(all[11], 34);
	memset(back, 0, sizeof back);
	CU_ASSERT_EQUAL(tk_strip_gather(4, 3, held, back, 0, 0), 0);
	CU_ASSERT(memcmp(back, all, sizeof all) == 0);
	memset(held, 0, sizeof held);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_strip_scatter(4, 1, 3, all, held, 0, TK_EIO), TK_EIO);
	CU_ASSERT_EQUAL(tk_strip_gather(4, 3, all, held, 0, TK_EIO), TK_EIO);
	CU_ASSERT_EQUAL(held[0] + held[11], 0);
	tk_error_clear();
}

static const tk_test tests[] = {
	{"blocks and owners", blocks_and_owners},
	{"whole blocks", whole_blocks},
	{"held rows", held_rows},
	{"scatter and gather in a world of one", scatter_gather_alone},
	{"thread blocks", thread_blocks},
	{"strips with halos", strips_with_halos},
	{"halo rows and reach", halo_rows_and_reach},
	{"exchange in a world of one", exchange_alone},
	{NULL, NULL},
};

const tk_suite tk_suite_decomp = {"decomp", tests};
