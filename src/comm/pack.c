/*
 * pack.c: packed reductions and min/max-with-index (tk/comm.h), the part that does not
 * depend on MPI: building a pack, its wire form (pack.h) and the combine of two wire
 * forms, which comm_mpi.c hands to MPI as a user operation.
 *
 * Rule: the combine of each kind is a pure function of the two values (integer sums
 * wrap as the hardware adds; min/max with index by tk_loc_merge's total order), so
 * every rank count and every combining tree give the same integers and locations.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "comm/pack.h"
#include "tk/comm.h"

/* kind = type * 3 + op */
enum { T_U64, T_I64, T_F64, T_LOC };

static void bug(const char *what)
{
	fflush(stdout);
	fprintf(stderr, "toolkit: internal error: packed reduction: %s\n", what);
	tk_comm_abort(5);
}

/* Whether b replaces a as the min (op TK_MIN) or max (TK_MAX) with index. */
static int loc_wins(tk_loc b, tk_loc a, tk_op op)
{
	if (b.i == TK_LOC_NONE)
		return 0;
	if (a.i == TK_LOC_NONE)
		return 1;
	int bn = b.v != b.v, an = a.v != a.v;
	if (bn != an)
		return bn; /* NaN propagates */
	if (!bn && b.v != a.v)
		return op == TK_MIN ? b.v < a.v : b.v > a.v;
	return b.i < a.i; /* equal values, or both NaN: the first */
}

void tk_loc_merge(tk_loc *dst, tk_loc src, tk_op op)
{
	if (loc_wins(src, *dst, op))
		*dst = src;
}

void tk_pack_init(tk_pack *p) { memset(p, 0, sizeof *p); }

static void add(tk_pack *p, int type, void *buf, size_t n, tk_op op)
{
	if (p->n >= TK_PACK_ITEMS)
		bug("more than TK_PACK_ITEMS items");
	if (type == T_LOC && op == TK_SUM)
		bug("TK_SUM of values with index");
	if (n >= (UINT64_C(1) << 48))
		bug("an item too large");
	p->item[p->n].kind = type * 3 + (int)op;
	p->item[p->n].buf = buf;
	p->item[p->n].count = n;
	p->n++;
}

void tk_pack_u64(tk_pack *p, uint64_t *buf, size_t n, tk_op op) { add(p, T_U64, buf, n, op); }
void tk_pack_i64(tk_pack *p, int64_t *buf, size_t n, tk_op op) { add(p, T_I64, buf, n, op); }
void tk_pack_f64(tk_pack *p, double *buf, size_t n, tk_op op) { add(p, T_F64, buf, n, op); }
void tk_pack_loc(tk_pack *p, tk_loc *buf, size_t n, tk_op op) { add(p, T_LOC, buf, n, op); }

static size_t item_words(int kind, uint64_t count)
{
	return (size_t)count * (kind / 3 == T_LOC ? 2 : 1);
}

size_t tk_pack_words(const tk_pack *p)
{
	size_t w = 1 + (size_t)p->n;
	for (int k = 0; k < p->n; k++)
		w += item_words(p->item[k].kind, p->item[k].count);
	return w;
}

void tk_pack_encode(const tk_pack *p, uint64_t *w)
{
	w[0] = (uint64_t)p->n;
	size_t at = 1 + (size_t)p->n;
	for (int k = 0; k < p->n; k++) {
		const struct tk_pack_item *it = &p->item[k];
		w[1 + k] = (uint64_t)it->kind | (uint64_t)it->count << 8;
		if (it->kind / 3 == T_LOC) {
			const tk_loc *l = it->buf;
			for (size_t j = 0; j < it->count; j++) {
				memcpy(&w[at++], &l[j].v, sizeof(double));
				w[at++] = l[j].i;
			}
		} else {
			memcpy(&w[at], it->buf, it->count * sizeof(uint64_t));
			at += it->count;
		}
	}
}

static void loc_empty_nan(tk_loc *l, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (l[j].i == TK_LOC_NONE)
			l[j].v = NAN;
}

void tk_pack_decode(const tk_pack *p, const uint64_t *w)
{
	size_t at = 1 + (size_t)p->n;
	for (int k = 0; k < p->n; k++) {
		const struct tk_pack_item *it = &p->item[k];
		if (it->kind / 3 == T_LOC) {
			tk_loc *l = it->buf;
			for (size_t j = 0; j < it->count; j++) {
				memcpy(&l[j].v, &w[at++], sizeof(double));
				l[j].i = w[at++];
			}
			loc_empty_nan(l, it->count);
		} else {
			memcpy(it->buf, &w[at], it->count * sizeof(uint64_t));
			at += it->count;
		}
	}
}

void tk_pack_local(tk_pack *p)
{
	for (int k = 0; k < p->n; k++)
		if (p->item[k].kind / 3 == T_LOC)
			loc_empty_nan(p->item[k].buf, p->item[k].count);
}

/* Words of a wire form that MPI may hand over unaligned. */
static uint64_t get(const void *base, size_t i)
{
	uint64_t v;
	memcpy(&v, (const char *)base + i * sizeof v, sizeof v);
	return v;
}

static void put(void *base, size_t i, uint64_t v)
{
	memcpy((char *)base + i * sizeof v, &v, sizeof v);
}

static double dget(const void *base, size_t i)
{
	double v;
	memcpy(&v, (const char *)base + i * sizeof v, sizeof v);
	return v;
}

static void dput(void *base, size_t i, double v)
{
	memcpy((char *)base + i * sizeof v, &v, sizeof v);
}

/* One scalar of an integer or double item: inout[i] = in[i] (op) inout[i]. */
static void combine_one(int kind, const void *in, void *io, size_t i)
{
	int op = kind % 3;
	uint64_t a = get(in, i), b = get(io, i);
	switch (kind / 3) {
	case T_U64:
		put(io, i, op == TK_SUM ? a + b : op == TK_MIN ? (a < b ? a : b) : (a > b ? a : b));
		break;
	case T_I64: {
		int64_t x = (int64_t)a, y = (int64_t)b; /* two's complement, as everywhere */
		put(io, i, op == TK_SUM ? a + b
		           : (uint64_t)(op == TK_MIN ? (x < y ? x : y) : (x > y ? x : y)));
		break;
	}
	default: {
		double x = dget(in, i), y = dget(io, i);
		dput(io, i, op == TK_SUM ? x + y : op == TK_MIN ? (x < y ? x : y) : (x > y ? x : y));
		break;
	}
	}
}

int tk_pack_combine(const void *in, void *inout)
{
	uint64_t n = get(in, 0);
	if (n != get(inout, 0) || n > TK_PACK_ITEMS)
		return -1;
	for (size_t k = 1; k <= n; k++)
		if (get(in, k) != get(inout, k))
			return -1;
	size_t at = 1 + (size_t)n;
	for (size_t k = 1; k <= n; k++) {
		int kind = (int)(get(in, k) & 0xff);
		uint64_t count = get(in, k) >> 8;
		if (kind / 3 == T_LOC) {
			for (uint64_t j = 0; j < count; j++, at += 2) {
				tk_loc a = {dget(in, at), get(in, at + 1)};
				tk_loc b = {dget(inout, at), get(inout, at + 1)};
				if (loc_wins(a, b, (tk_op)(kind % 3))) {
					dput(inout, at, a.v);
					put(inout, at + 1, a.i);
				}
			}
		} else {
			for (uint64_t j = 0; j < count; j++)
				combine_one(kind, in, inout, at++);
		}
	}
	return 0;
}
