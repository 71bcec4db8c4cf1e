/* test_rng.c: Philox4x32-10 against Random123's known-answer vectors, and the uniform
 * conversions' ranges. */
#include <math.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/rng.h"
#include "tk/tk.h"
#include "tk_test.h"

static const struct {
	uint32_t ctr[4], key[2], out[4];
} kat[] = {
	/* Random123 kat_vectors: philox4x32 10 rounds */
	{{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
	{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
	 {0xffffffff, 0xffffffff},
	 {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
	{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
	 {0xa4093822, 0x299f31d0},
	 {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

static void known_answers(void)
{
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		tk_philox_ctr c = {{kat[i].ctr[0], kat[i].ctr[1], kat[i].ctr[2], kat[i].ctr[3]}};
		tk_philox_key k = {{kat[i].key[0], kat[i].key[1]}};
		tk_philox_ctr o = tk_philox4x32_10(c, k);
		for (int j = 0; j < 4; j++)
			CU_ASSERT_EQUAL(o.v[j], kat[i].out[j]);
	}
}

static void fill_matches_reference(void)
{
	/* every variant's fill must equal the one-block definition, including across the
	 * 2^32 boundary of the low counter word and for lengths that leave a remainder of
	 * every vector width; nothing is written past the n blocks */
	static uint32_t out[4 * 54];
	tk_philox_key k = tk_philox_seed(0x0123456789abcdefull);
	uint64_t firsts[] = {0, 7, 0xffffffffull - 20, ((uint64_t)5 << 40) + 3};
	uint64_t lens[] = {0, 1, 3, 5, 9, 53};
	int checked = 0;
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		const tk_functable *t = tk_simd_table(v);
		if (!t)
			continue;
		for (size_t f = 0; f < 4; f++)
			for (size_t n = 0; n < TK_ARRAY_SIZE(lens); n++) {
				memset(out, 0xA5, sizeof out);
				t->tk_philox_fill_lanes(firsts[f], 9, k, out, lens[n]);
				int bad = 0;
				for (uint64_t i = 0; i < lens[n]; i++) {
					tk_philox_ctr c =
						tk_philox4x32_10(tk_philox_block(firsts[f] + i, 9), k);
					for (int j = 0; j < 4; j++)
						bad += out[4 * i + (uint64_t)j] != c.v[j];
				}
				for (uint64_t i = 4 * lens[n]; i < 4 * 54; i++)
					bad += out[i] != 0xA5A5A5A5u;
				CU_ASSERT_EQUAL(bad, 0);
			}
		checked++;
	}
	CU_ASSERT(checked >= 2);
	/* and the public entry point (the active variant) */
	tk_philox_fill(firsts[2], 9, k, out, 53);
	for (uint64_t i = 0; i < 53; i++) {
		tk_philox_ctr c = tk_philox4x32_10(tk_philox_block(firsts[2] + i, 9), k);
		for (int j = 0; j < 4; j++)
			CU_ASSERT_EQUAL_FATAL(out[4 * i + j], c.v[j]);
	}
}

static void counters_are_64_bit(void)
{
	/* block 2^32 must differ from block 0: no wrap of the 32-bit low word */
	tk_philox_key k = tk_philox_seed(1);
	tk_philox_ctr a = tk_philox4x32_10(tk_philox_block(0, 1), k);
	tk_philox_ctr b = tk_philox4x32_10(tk_philox_block((uint64_t)1 << 32, 1), k);
	CU_ASSERT_NOT_EQUAL(a.v[0], b.v[0]);
	tk_philox_ctr c = tk_philox_block(((uint64_t)3 << 32) | 5, 2);
	CU_ASSERT_EQUAL(c.v[0], 5);
	CU_ASSERT_EQUAL(c.v[1], 3);
	CU_ASSERT_EQUAL(c.v[2], 2);
	/* the seed's high half is key word 1 */
	tk_philox_key s = tk_philox_seed(((uint64_t)7 << 32) | 9);
	CU_ASSERT_EQUAL(s.v[0], 9);
	CU_ASSERT_EQUAL(s.v[1], 7);
}

static void uniforms_in_open_interval(void)
{
	CU_ASSERT(tk_u01_32(0) > 0.0);
	CU_ASSERT(tk_u01_32(0xffffffffu) < 1.0);
	CU_ASSERT_DOUBLE_EQUAL(tk_u01_32(0x80000000u), 0.5 + 0x1p-33, 0);
	CU_ASSERT(tk_u01_52(0, 0) > 0.0);
	CU_ASSERT(tk_u01_52(0xffffffffu, 0xffffffffu) < 1.0);
	CU_ASSERT_EQUAL(tk_u01_52(0, 0), 0x1p-53);
	CU_ASSERT_EQUAL(tk_u01_52(0xffffffffu, 0xffffffffu), 1.0 - 0x1p-53);
	/* the mean of many uniforms is near 1/2 (2^16 values: sd 0.0011) */
	tk_philox_key k = tk_philox_seed(3);
	double sum = 0;
	for (uint64_t i = 0; i < 16384; i++) {
		tk_philox_ctr c = tk_philox4x32_10(tk_philox_block(i, 1), k);
		for (int j = 0; j < 4; j++)
			sum += tk_u01_32(c.v[j]);
	}
	CU_ASSERT(fabs(sum / 65536 - 0.5) < 0.006);
}

static const tk_test tests[] = {
	{"Random123 known answers", known_answers},
	{"vectorised fill equals reference", fill_matches_reference},
	{"64-bit counters", counters_are_64_bit},
	{"uniforms in (0,1)", uniforms_in_open_interval},
	{NULL, NULL},
};
const tk_suite tk_suite_rng = {"rng", tests};
