/* test_merge.c: chunked Monte Carlo runs: the range tiling of toolkit merge on hand-made
 * ranges (exact tiles in any order, overlaps, gaps, duplicates, ranges at the top of
 * the index space), --first-sample against a plain scalar pi counter over the reference
 * Philox, and chunk states that add up to the single run's bits. */
#include <string.h>

#include "montecarlo/merge.h"
#include "tk/montecarlo.h"
#include "tk/rng.h"
#include "tk/tk.h"
#include "tk_test.h"

static int tile(tk_mc_range *r, size_t n, uint64_t *first, uint64_t *samples)
{
	tk_error_clear();
	for (size_t i = 0; i < n; i++)
		r[i].index = i;
	return tk_mc_ranges_tile(r, n, first, samples);
}

static void tiles_in_any_order(void)
{
	tk_mc_range r[] = {{"c", 250, 750, 0}, {"a", 100, 50, 0}, {"b", 150, 100, 0}};
	uint64_t first = 0, n = 0;
	CU_ASSERT_EQUAL_FATAL(tile(r, 3, &first, &n), 0);
	CU_ASSERT_EQUAL(first, 100);
	CU_ASSERT_EQUAL(n, 900);
	/* sorted by first, each carrying the caller's index */
	CU_ASSERT_STRING_EQUAL(r[0].name, "a");
	CU_ASSERT_EQUAL(r[0].index, 1);
	CU_ASSERT_STRING_EQUAL(r[2].name, "c");
	CU_ASSERT_EQUAL(r[2].index, 0);
	/* one range tiles itself */
	tk_mc_range one[] = {{"x", 7, 1, 0}};
	CU_ASSERT_EQUAL(tile(one, 1, &first, &n), 0);
	CU_ASSERT_EQUAL(first, 7);
	CU_ASSERT_EQUAL(n, 1);
	/* at the top of the index space: [2^63 - 3, 2^63) */
	uint64_t top = (uint64_t)1 << 63;
	tk_mc_range hi[] = {{"y", top - 1, 1, 0}, {"x", top - 3, 2, 0}};
	CU_ASSERT_EQUAL(tile(hi, 2, &first, &n), 0);
	CU_ASSERT_EQUAL(first, top - 3);
	CU_ASSERT_EQUAL(n, 3);
}

static void refuses_overlaps(void)
{
	uint64_t first, n;
	tk_mc_range r[] = {{"b.json", 50, 100, 0}, {"a.json", 0, 100, 0}};
	CU_ASSERT_EQUAL(tile(r, 2, &first, &n), TK_EUSAGE);
	CU_ASSERT_STRING_EQUAL(tk_error_message(),
	                       "merge: a.json [0, 100) and b.json [50, 150) overlap (samples "
	                       "[50, 100) are in both)");
	/* the same range twice */
	tk_mc_range d[] = {{"a", 0, 10, 0}, {"b", 10, 5, 0}, {"a2", 0, 10, 0}};
	CU_ASSERT_EQUAL(tile(d, 3, &first, &n), TK_EUSAGE);
	CU_ASSERT(strstr(tk_error_message(), "[0, 10) overlap") != NULL);
	/* one range inside another */
	tk_mc_range in[] = {{"big", 0, 100, 0}, {"small", 10, 5, 0}, {"rest", 100, 5, 0}};
	CU_ASSERT_EQUAL(tile(in, 3, &first, &n), TK_EUSAGE);
	CU_ASSERT(strstr(tk_error_message(), "samples [10, 15) are in both") != NULL);
}

static void refuses_gaps(void)
{
	uint64_t first, n;
	tk_mc_range r[] = {{"a.json", 0, 100, 0}, {"c.json", 200, 10, 0},
	                   {"b.json", 101, 99, 0}};
	CU_ASSERT_EQUAL(tile(r, 3, &first, &n), TK_EUSAGE);
	CU_ASSERT_STRING_EQUAL(tk_error_message(),
	                       "merge: a gap: samples [100, 101) are in no chunk (between "
	                       "a.json [0, 100) and b.json [101, 200))");
}

static uint64_t u64_field(const tk_result *r, const char *name)
{
	for (int i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0 && r->fields[i].in_digest == 1)
			return r->fields[i].u;
	CU_FAIL_FATAL("result field missing");
	return 0;
}

static void first_sample_draws_its_range(void)
{
	tk_run_ctx ctx = {0};
	/* odd starts, ranges across block boundaries, one at the top of the index space */
	const uint64_t cases[][2] = {{1, 1000}, {65535, 3}, {65537, 200001},
	                             {((uint64_t)1 << 63) - 77, 77}};
	for (size_t k = 0; k < TK_ARRAY_SIZE(cases); k++) {
		tk_mc_params p;
		tk_mc_params_default(&p);
		p.seed = 99;
		p.first_sample = cases[k][0];
		p.samples = cases[k][1];
		tk_result r;
		tk_result_init(&r, "montecarlo", "pi");
		CU_ASSERT_EQUAL_FATAL(tk_mc_pi(&p, &ctx, &r), 0);
		CU_ASSERT_EQUAL(u64_field(&r, "hits"), tk_test_pi_hits(99, p.first_sample,
		                                                p.first_sample + p.samples));
		CU_ASSERT_EQUAL(u64_field(&r, "first_sample"), p.first_sample);
		tk_result_free(&r);
	}
}

/* A chunk of model over [first, first + n) as the merge would read it back. */
static void chunk(const char *model, uint64_t first, uint64_t n, tk_mc_chunk *c)
{
	tk_run_ctx ctx = {0};
	memset(c, 0, sizeof *c);
	c->path = model;
	snprintf(c->model, sizeof c->model, "%s", model);
	snprintf(c->version, sizeof c->version, "%s", TK_VERSION);
	tk_mc_params_default(&c->p);
	c->p.seed = 3;
	c->p.first_sample = first;
	c->p.samples = n;
	tk_result r;
	tk_result_init(&r, "montecarlo", model);
	/* the state of the run: the kernel's own, read from its checkpoint identity */
	CU_ASSERT_EQUAL_FATAL(tk_mc_chunk_ident(model, &c->p, &c->st), 0);
	int rc = strcmp(model, "pi") == 0 ? tk_mc_pi(&c->p, &ctx, &r)
	                                  : tk_mc_option(&c->p, &ctx, &r);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	for (int i = 0; i < r.nfields; i++)
		if (strcmp(r.fields[i].name, "state") == 0) {
			unsigned char b[16384];
			for (size_t w = 0; w < r.fields[i].n; w++)
				for (int k = 0; k < 8; k++)
					b[8 * w + (size_t)k] = (unsigned char)(r.fields[i].arr[w] >> (8 * k));
			CU_ASSERT_EQUAL_FATAL(tk_ckpt_decode("t", b, 8 * r.fields[i].n, &c->st), 0);
		}
	tk_result_free(&r);
}

static void chunks_add_up(void)
{
	const char *models[] = {"pi", "option"};
	const uint64_t B = TK_MC_BLOCK, n = 5 * B + 12345;
	for (int m = 0; m < 2; m++) {
		tk_mc_chunk c[3];
		uint64_t cut1 = m == 0 ? 70001 : 2 * B, cut2 = m == 0 ? 3 * B + 1 : 4 * B;
		chunk(models[m], cut2, n - cut2, &c[0]);
		chunk(models[m], 0, cut1, &c[1]);
		chunk(models[m], cut1, cut2 - cut1, &c[2]);
		tk_mc_params p;
		tk_ckpt st;
		CU_ASSERT_EQUAL_FATAL(tk_mc_chunks_merge(c, 3, &p, &st), 0);
		CU_ASSERT_EQUAL(p.first_sample, 0);
		CU_ASSERT_EQUAL(p.samples, n);
		tk_mc_chunk whole;
		chunk(models[m], 0, n, &whole);
		/* the merged state is the single run's, bit for bit */
		unsigned char *a, *b;
		size_t la, lb;
		CU_ASSERT_EQUAL_FATAL(tk_ckpt_encode(&st, &a, &la), 0);
		CU_ASSERT_EQUAL_FATAL(tk_ckpt_encode(&whole.st, &b, &lb), 0);
		CU_ASSERT(la == lb && memcmp(a, b, la) == 0);
		tk_free(a);
		tk_free(b);
		/* and the first chunk alone is not it */
		CU_ASSERT(m != 0 || c[0].st.u[0] != whole.st.u[0]);
		CU_ASSERT_EQUAL(whole.st.u[0], m == 0 ? tk_test_pi_hits(3, 0, n) : 0);
	}
	/* another seed is refused, naming both */
	tk_mc_chunk c[2];
	chunk("pi", 0, 100, &c[0]);
	chunk("pi", 100, 100, &c[1]);
	c[1].p.seed = 4;
	tk_mc_params p;
	tk_ckpt st;
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_mc_chunks_merge(c, 2, &p, &st), TK_EUSAGE);
	CU_ASSERT(strstr(tk_error_message(), "--seed 4") != NULL);
	tk_error_clear();
}

static const tk_test tests[] = {
	{"ranges tile in any order", tiles_in_any_order},
	{"overlapping ranges refused", refuses_overlaps},
	{"a gap refused", refuses_gaps},
	{"--first-sample draws samples [K, K + N)", first_sample_draws_its_range},
	{"chunk states add up to the single run", chunks_add_up},
	{NULL, NULL},
};

const tk_suite tk_suite_merge = {"merge", tests};
