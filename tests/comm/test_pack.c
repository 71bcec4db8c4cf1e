/*
 * test_pack.c: min/max with index and packed reductions (tk/comm.h): the combine rule of
 * tk_loc on hand-worked cases (ties, -0.0 against 0.0, NaN, empty entries), and the
 * wire form's combine (src/comm/pack.h) of two or three "ranks" built here by hand, in
 * every order, as MPI would apply it.  (The collective over real ranks is tested in
 * tests/mpi_runner.c at 1, 2 and 4 ranks.)
 */
#include <math.h>
#include <string.h>

#include "comm/pack.h"
#include "tk/comm.h"
#include "tk_test.h"

#define NONE TK_LOC_NONE

static int same_loc(tk_loc a, double v, uint64_t i)
{
	return a.i == i && (v != v ? a.v != a.v : memcmp(&a.v, &v, sizeof v) == 0);
}

static tk_loc merged(tk_loc a, tk_loc b, tk_op op)
{
	tk_loc_merge(&a, b, op);
	return a;
}

static void loc_rule(void)
{
	tk_loc one3 = {1.0, 3}, two1 = {2.0, 1}, one7 = {1.0, 7}, empty = {5.0, NONE};
	/* the smaller (larger) value wins, whatever the indices */
	CU_ASSERT(same_loc(merged(two1, one3, TK_MIN), 1.0, 3));
	CU_ASSERT(same_loc(merged(one3, two1, TK_MIN), 1.0, 3));
	CU_ASSERT(same_loc(merged(one3, two1, TK_MAX), 2.0, 1));
	/* a tie: the lower index, from either side */
	CU_ASSERT(same_loc(merged(one7, one3, TK_MIN), 1.0, 3));
	CU_ASSERT(same_loc(merged(one3, one7, TK_MAX), 1.0, 3));
	/* -0.0 == 0.0 is a tie: the lower index wins with its own bits */
	tk_loc nz9 = {-0.0, 9}, pz4 = {0.0, 4}, nz2 = {-0.0, 2};
	CU_ASSERT(same_loc(merged(nz9, pz4, TK_MIN), 0.0, 4));
	CU_ASSERT(same_loc(merged(pz4, nz2, TK_MAX), -0.0, 2));
	/* NaN propagates in both directions; two NaNs: the lower index */
	tk_loc nan8 = {NAN, 8}, nan5 = {NAN, 5}, inf0 = {-INFINITY, 0};
	CU_ASSERT(same_loc(merged(inf0, nan8, TK_MIN), NAN, 8));
	CU_ASSERT(same_loc(merged(nan8, inf0, TK_MIN), NAN, 8));
	CU_ASSERT(same_loc(merged(inf0, nan8, TK_MAX), NAN, 8));
	CU_ASSERT(same_loc(merged(nan8, nan5, TK_MIN), NAN, 5));
	/* an empty entry loses to anything, its value (here 5.0) unseen */
	CU_ASSERT(same_loc(merged(empty, two1, TK_MIN), 2.0, 1));
	CU_ASSERT(same_loc(merged(two1, empty, TK_MIN), 2.0, 1));
	CU_ASSERT(same_loc(merged(empty, nan5, TK_MAX), NAN, 5));
	CU_ASSERT(merged(empty, empty, TK_MIN).i == NONE);
}

/* Three ranks' contributions to one pack of every kind. */
typedef struct contrib {
	uint64_t u[2];  /* SUM, then MIN below */
	uint64_t umin[2];
	int64_t i[2];   /* SUM */
	double f[1];    /* MAX */
	tk_loc mn[4], mx[1];
} contrib;

static void build(tk_pack *p, contrib *c)
{
	tk_pack_init(p);
	tk_pack_u64(p, c->u, 2, TK_SUM);
	tk_pack_u64(p, c->umin, 2, TK_MIN);
	tk_pack_i64(p, c->i, 2, TK_SUM);
	tk_pack_f64(p, c->f, 1, TK_MAX);
	tk_pack_loc(p, c->mn, 4, TK_MIN);
	tk_pack_loc(p, c->mx, 1, TK_MAX);
}

static const contrib ranks[3] = {
	{{1, UINT64_MAX - 4}, {5, UINT64_MAX}, {-7, 1}, {0.5},
	 {{3.0, 10}, {NAN, 40}, {5.0, NONE}, {-0.0, 30}}, {{2.0, 6}}},
	{{2, 3}, {UINT64_MAX, (UINT64_C(1) << 63) + 1}, {3, -1}, {2.5},
	 {{1.0, 20}, {-1.0, 2}, {5.0, NONE}, {0.0, 12}}, {{2.0, 4}}},
	{{3, 2}, {UINT64_C(1) << 63, UINT64_MAX}, {-2, 5}, {1.5},
	 {{1.0, 11}, {NAN, 33}, {5.0, NONE}, {0.0, 31}}, {{-1.0, 1}}},
};

/* The hand-worked answer over all three ranks. */
static void check_all_three(const contrib *c)
{
	CU_ASSERT(c->u[0] == 6);
	CU_ASSERT(c->u[1] == 0); /* 2^64 - 5 + 3 + 2 wraps to 0, as any sum mod 2^64 */
	CU_ASSERT(c->umin[0] == 5);                           /* unsigned order, not signed */
	CU_ASSERT(c->umin[1] == (UINT64_C(1) << 63) + 1);
	CU_ASSERT(c->i[0] == -6 && c->i[1] == 5);
	CU_ASSERT(c->f[0] == 2.5);
	CU_ASSERT(same_loc(c->mn[0], 1.0, 11));  /* tie at 1.0: index 11 before 20 */
	CU_ASSERT(same_loc(c->mn[1], NAN, 33));  /* NaN beats -1.0; first NaN is 33 */
	CU_ASSERT(same_loc(c->mn[2], NAN, NONE)); /* empty everywhere */
	CU_ASSERT(same_loc(c->mn[3], 0.0, 12));  /* zeros tie: index 12, its +0.0 */
	CU_ASSERT(same_loc(c->mx[0], 2.0, 4));   /* tie at 2.0: index 4 before 6 */
}

static void wire_combine(void)
{
	/* combine the wire forms in every order and tree shape an allreduce might use:
	 * ((a b) c), (a (b c)), ((c a) b), ... (the op is commutative and associative) */
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
	                                 {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	for (int o = 0; o < 6; o++) {
		for (int tree = 0; tree < 2; tree++) {
			contrib c[3];
			tk_pack p[3];
			uint64_t w[3][64];
			for (int r = 0; r < 3; r++) {
				c[r] = ranks[orders[o][r]];
				build(&p[r], &c[r]);
				CU_ASSERT_FATAL(tk_pack_words(&p[r]) <= 64);
				tk_pack_encode(&p[r], w[r]);
			}
			if (tree == 0) { /* w1 = w0 op w1, w2 = w1 op w2 */
				CU_ASSERT(tk_pack_combine(w[0], w[1]) == 0);
				CU_ASSERT(tk_pack_combine(w[1], w[2]) == 0);
			} else { /* w2 = w1 op w2, then w2 = w0 op w2 */
				CU_ASSERT(tk_pack_combine(w[1], w[2]) == 0);
				CU_ASSERT(tk_pack_combine(w[0], w[2]) == 0);
			}
			tk_pack_decode(&p[2], w[2]);
			check_all_three(&c[2]);
		}
	}
}

static void wire_mismatch_and_words(void)
{
	contrib a = ranks[0], b = ranks[1];
	tk_pack pa, pb;
	build(&pa, &a);
	/* header (1 + 6 items) + 2 + 2 + 2 + 1 + 2 * 4 + 2 * 1 words */
	CU_ASSERT_EQUAL(tk_pack_words(&pa), 7 + 17);
	tk_pack_init(&pb);
	tk_pack_u64(&pb, b.u, 2, TK_SUM);
	tk_pack_u64(&pb, b.umin, 2, TK_MAX); /* MAX where a has MIN */
	uint64_t wa[64], wb[64];
	tk_pack_encode(&pa, wa);
	tk_pack_encode(&pb, wb);
	CU_ASSERT(tk_pack_combine(wa, wb) == -1);
}

static void world_of_one(void)
{
	/* the reduction over one rank is the rank's own values, empty entries as NaN */
	contrib c = ranks[0];
	tk_pack p;
	build(&p, &c);
	tk_comm_allreduce_pack(&p);
	CU_ASSERT(c.u[0] == 1 && c.umin[1] == UINT64_MAX && c.i[0] == -7 && c.f[0] == 0.5);
	CU_ASSERT(same_loc(c.mn[1], NAN, 40));
	CU_ASSERT(same_loc(c.mn[2], NAN, NONE));
	CU_ASSERT(same_loc(c.mn[3], -0.0, 30));
	tk_loc l[2] = {{4.0, 2}, {4.0, NONE}};
	tk_comm_allreduce_loc(l, 2, TK_MAX);
	CU_ASSERT(same_loc(l[0], 4.0, 2));
	CU_ASSERT(same_loc(l[1], NAN, NONE));
}

static const tk_test tests[] = {
	{"min/max with index: the rule", loc_rule},
	{"wire forms combine in any order", wire_combine},
	{"different packs do not combine", wire_mismatch_and_words},
	{"a world of one", world_of_one},
	{NULL, NULL},
};

const tk_suite tk_suite_pack = {"pack", tests};
