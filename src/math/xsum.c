/*
 * xsum.c: the exact accumulator of xsum.h.
 *
 * Rule: every operation is exact integer arithmetic on the chunks, so no order of adds
 * or merges can change the value; only tk_xsum_round() rounds, once.
 *
 * Two add paths:
 * - one value (add_one): the 53-bit mantissa shifted to its exponent is split over two
 *   chunks (Neal's small superaccumulator);
 * - a block of values (add_block, the fast path): with E the exponent of the block's
 *   largest magnitude, every value is split exactly as x = q1 g1 + q2 g2 + r, where
 *   g1 = ulp of the largest value, g2 = g1 / 2^53, q1 and q2 integers below 2^53 and r
 *   what is left (zero unless the value is 2^53 times smaller than the largest).  The
 *   q1 and q2 of up to 1024 values are summed in int64 lanes without overflow
 *   (1024 (2^53 - 1) < 2^63), which the compiler turns into a few vector instructions
 *   per value, and the two block sums enter the chunks once.  The rare nonzero r go
 *   through add_one.  Blocks with NaN/inf or only tiny values use add_one throughout.
 */
#include <math.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/comm.h"
#include "tk/tk.h"
#include "tk/xsum.h"

#define TOP (TK_XSUM_CHUNKS - 1)
#define MANT_MASK ((UINT64_C(1) << 52) - 1)
#define ABS_MASK (~(UINT64_C(1) << 63))
#define SIGN_BIT (UINT64_C(1) << 63)
#define EXP_INF UINT64_C(0x7FF0000000000000)
#define LOW32 INT64_C(0xFFFFFFFF)
/* Each add changes any chunk by less than 2^53 in magnitude; a normalised chunk is
 * below 2^36 (the top one) or 2^32, so 1000 adds leave chunks far below 2^63. */
#define UNITS 1000
#define BLOCK TK_XSUM_BLOCK
/* The fast path needs 2^(E - 1075) and 2^(1128 - E) etc. to be normal doubles. */
#define FAST_MIN_EXP 106

static inline uint64_t bits_of(double x)
{
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	return b;
}

/* 2^k for -1022 <= k <= 1023 */
static inline double pow2(int k)
{
	uint64_t b = (uint64_t)(k + 1023) << 52;
	double x;
	memcpy(&x, &b, sizeof x);
	return x;
}

void tk_xsum_init(tk_xsum *a)
{
	memset(a, 0, sizeof *a);
	a->room = UNITS;
}

void tk_xsum_normalize(tk_xsum *a)
{
	for (int i = 0; i < TOP; i++) {
		int64_t c = a->chunk[i] >> 32; /* floor division: gcc shifts arithmetically */
		a->chunk[i] &= LOW32;
		a->chunk[i + 1] += c;
	}
	a->room = UNITS;
}

static inline void spend(tk_xsum *a)
{
	if (--a->room <= 0)
		tk_xsum_normalize(a);
}

void tk_xsum_add_scaled(tk_xsum *a, int64_t v, int p)
{
	int idx = p >> 5, sh = p & 31;
	/* v 2^sh = q 2^32 + r 2^sh with 0 <= r < 2^(32 - sh) */
	int64_t r = v & (int64_t)((UINT64_C(1) << (32 - sh)) - 1);
	int64_t q = v >> (32 - sh);
	a->chunk[idx] += r << sh;
	a->chunk[idx + 1] += q & LOW32;
	a->chunk[idx + 2] += q >> 32;
	spend(a);
}

static inline void add_one(tk_xsum *a, double x)
{
	uint64_t b = bits_of(x);
	int e = (int)((b >> 52) & 0x7FF);
	uint64_t m = b & MANT_MASK;
	a->any = 1;
	if (b != SIGN_BIT)
		a->nonnegzero = 1;
	if (e == 0x7FF) {
		if (m)
			a->nan = 1;
		else if (b >> 63)
			a->ninf = 1;
		else
			a->pinf = 1;
		return;
	}
	if (e)
		m |= UINT64_C(1) << 52;
	else
		e = 1; /* subnormal: same weight as the smallest normal, no hidden bit */
	if (m == 0)
		return;
	int p = e - 1, idx = p >> 5, sh = p & 31;
	int64_t lo = (int64_t)((m << sh) & (uint64_t)LOW32);
	int64_t hi = (int64_t)(m >> (32 - sh));
	if (b >> 63) {
		a->chunk[idx] -= lo;
		a->chunk[idx + 1] -= hi;
	} else {
		a->chunk[idx] += lo;
		a->chunk[idx + 1] += hi;
	}
	spend(a);
}

void tk_xsum_add(tk_xsum *a, double x) { add_one(a, x); }

/* Set a 0/1 flag of a shared accumulator: read first, so that the common case does
 * not write to a shared cache line. */
static inline void set_flag(int64_t *flag)
{
	int64_t seen;
#pragma omp atomic read
	seen = *flag;
	if (!seen) {
#pragma omp atomic write
		*flag = 1;
	}
}

void tk_xsum_add_atomic(tk_xsum *a, double x)
{
	uint64_t b = bits_of(x);
	int e = (int)((b >> 52) & 0x7FF);
	uint64_t m = b & MANT_MASK;
	set_flag(&a->any);
	if (b != SIGN_BIT)
		set_flag(&a->nonnegzero);
	if (e == 0x7FF) {
		set_flag(m ? &a->nan : (b >> 63) ? &a->ninf : &a->pinf);
		return;
	}
	if (e)
		m |= UINT64_C(1) << 52;
	else
		e = 1;
	if (m == 0)
		return;
	/* as tk_xsum_add_scaled: three pieces below 2^32 */
	int64_t v = (b >> 63) ? -(int64_t)m : (int64_t)m;
	int p = e - 1, idx = p >> 5, sh = p & 31;
	int64_t r = (v & (int64_t)((UINT64_C(1) << (32 - sh)) - 1)) << sh;
	int64_t q = v >> (32 - sh);
	int64_t q0 = q & LOW32, q1 = q >> 32;
#pragma omp atomic update
	a->chunk[idx] += r;
#pragma omp atomic update
	a->chunk[idx + 1] += q0;
	if (q1) {
#pragma omp atomic update
		a->chunk[idx + 2] += q1;
	}
}

static void add_scalar(tk_xsum *a, const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_one(a, x[i]);
}

/* The largest magnitude of n values, as bits (>= EXP_INF when a NaN or inf is there). */
static uint64_t max_abs_bits(const double *x, size_t n)
{
	uint64_t mx = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t ab = bits_of(x[i]) & ABS_MASK;
		mx = ab > mx ? ab : mx;
	}
	return mx;
}

/* The floating-point fast path (Rump's error-free extraction): with |x| < 2^E and
 * C = 1.5 2^(E + 10), q = (x + C) - C is x rounded to a multiple of u = 2^(E - 42),
 * exactly, and r = x - q is exact with |r| <= u / 2.  Up to 1024 such q sum exactly
 * in doubles (every partial sum is a multiple of u below 2^(E + 11) = 2^53 u); a second
 * level does the same to r with E - 43.  What is left (bits 85 places below the
 * largest value) goes through add_one.  Four additions per value and level, no
 * conversions (src/math/xsum_simd.c, one variant per vector ISA).
 * Needs -989 <= E <= 1013 (C finite, second level above the subnormal grid); returns 0
 * when the block is outside that range. */
int tk_xsum_split_consts(int e, double *c1, double *c2)
{
	if (e > 1013 || e < -989)
		return 0;
	*c1 = 1.5 * pow2(e + 10);
	*c2 = 1.5 * pow2(e - 33);
	return 1;
}

void tk_xsum_add_split(tk_xsum *a, double t1, double t2, int rest, const double *x, size_t n,
                       double c1, double c2)
{
	a->any = 1;
	a->nonnegzero = 1; /* some value is nonzero */
	add_one(a, t1);
	add_one(a, t2);
	if (rest) { /* r - p is -0.0 only for x = -0.0: harmless */
		for (size_t i = 0; i < n; i++) {
			double q = (x[i] + c1) - c1, r = x[i] - q, p = (r + c2) - c2;
			if (r - p != 0.0)
				add_one(a, r - p);
		}
	}
}

/* The floating-point fast path for one block (the split itself is the vector kernel
 * tk_xsum_split_block); when y is given, the largest magnitude of y[0..ny) (ny <= n,
 * the next block) is taken in the same loop and stored in *next, so that the next
 * block's loads overlap this block's arithmetic. */
static int add_block_fp(tk_xsum *a, const double *x, size_t n, uint64_t mx, const double *y,
                        size_t ny, uint64_t *next)
{
	int E = (int)(mx >> 52) - 1022; /* |x| < 2^E */
	double c1, c2;
	if ((mx >> 52) == 0 || !tk_xsum_split_consts(E, &c1, &c2))
		return 0;
	tk_xsum_split o;
	tk_fn.tk_xsum_split_block(x, n, c1, c2, y, y ? ny : 0, &o);
	tk_xsum_add_split(a, o.t1, o.t2, o.rest != 0, x, n, c1, c2);
	if (y)
		*next = o.next_max;
	return 1;
}

/* The integer fast-path sums of a block: see the file comment. */
typedef struct split_sums {
	int64_t sum1, sum2;
	uint64_t rest; /* nonzero when some value has bits below g2 (or is -0.0) */
	uint64_t next_max;
} split_sums;

/* Split x[0..n) at g1 = 1/s1 and g2 = 1/s2 and sum the parts; when y is given, also
 * take the largest magnitude of y[0..n) (the next block) in the same loop, so that
 * the loads of the next block overlap the arithmetic of this one. */
static inline __attribute__((always_inline)) void
split_loop(const double *restrict x, size_t n, const double *restrict y, double s1,
           double g1, double s2, double g2, split_sums *o)
{
	int64_t sum1 = 0, sum2 = 0;
	uint64_t rest = 0, mx = 0;
	for (size_t i = 0; i < n; i++) {
		double xi = x[i];
		/* |xi s1| < 2^53; truncation is exact below 1 even if xi s1 underflowed */
		int64_t q1 = (int64_t)(xi * s1);
		double r1 = xi - (double)q1 * g1; /* exact: the bits of xi below g1 */
		int64_t q2 = (int64_t)(r1 * s2);
		double r2 = r1 - (double)q2 * g2;
		sum1 += q1;
		sum2 += q2;
		rest |= bits_of(r2); /* r2 is -0.0 only for xi = -0.0: harmless */
		if (y) {
			uint64_t ab = bits_of(y[i]) & ABS_MASK;
			mx = ab > mx ? ab : mx;
		}
	}
	o->sum1 = sum1;
	o->sum2 = sum2;
	o->rest = rest;
	o->next_max = mx;
}

/* Add the block x[0..n) (n <= BLOCK) whose largest magnitude has the bits mx; returns
 * the largest magnitude of the next block y[0..ny) (ny <= n; y may be NULL). */
static uint64_t add_block(tk_xsum *a, const double *x, size_t n, uint64_t mx,
                          const double *y, size_t ny)
{
	if (mx >= EXP_INF || (mx >> 52) < FAST_MIN_EXP) {
		/* NaN/inf, or only tiny values (or zeros) */
		add_scalar(a, x, n);
		return y ? max_abs_bits(y, ny) : 0;
	}
	uint64_t next = 0;
	if (add_block_fp(a, x, n, mx, y, ny, &next))
		return next;
	a->any = 1;
	a->nonnegzero = 1; /* some value is nonzero */
	int emax = (int)(mx >> 52);
	int b1 = emax - 1, b2 = b1 - 53; /* bit positions of g1 and g2 */
	const double s1 = pow2(1074 - b1), g1 = pow2(b1 - 1074);
	const double s2 = pow2(1074 - b2), g2 = pow2(b2 - 1074);
	split_sums o, tail;
	if (y) {
		split_loop(x, ny, y, s1, g1, s2, g2, &o);
		split_loop(x + ny, n - ny, NULL, s1, g1, s2, g2, &tail);
		o.sum1 += tail.sum1;
		o.sum2 += tail.sum2;
		o.rest |= tail.rest;
	} else {
		split_loop(x, n, NULL, s1, g1, s2, g2, &o);
	}
	tk_xsum_add_scaled(a, o.sum1, b1);
	tk_xsum_add_scaled(a, o.sum2, b2);
	if (o.rest) {
		for (size_t i = 0; i < n; i++) {
			double xi = x[i];
			double r1 = xi - (double)(int64_t)(xi * s1) * g1;
			double r2 = r1 - (double)(int64_t)(r1 * s2) * g2;
			if (r2 != 0.0)
				add_one(a, r2);
		}
	}
	return o.next_max;
}

void tk_xsum_add_array(tk_xsum *a, const double *x, size_t n)
{
	if (n < 16) {
		add_scalar(a, x, n);
		return;
	}
	uint64_t mx = max_abs_bits(x, n < BLOCK ? n : BLOCK);
	for (size_t i = 0; i < n; i += BLOCK) {
		size_t len = n - i < BLOCK ? n - i : BLOCK;
		size_t j = i + len, nlen = n - j < BLOCK ? n - j : BLOCK;
		mx = add_block(a, x + i, len, mx, nlen ? x + j : NULL, nlen);
	}
}

void tk_xsum_add_block(tk_xsum *a, const double *x, size_t n, double maxabs)
{
	add_block(a, x, n, bits_of(maxabs) & ABS_MASK, NULL, 0);
}

void tk_xsum_merge(tk_xsum *dst, const tk_xsum *src)
{
	tk_xsum s = *src;
	tk_xsum_normalize(&s);
	tk_xsum_normalize(dst);
	for (int i = 0; i < TK_XSUM_CHUNKS; i++)
		dst->chunk[i] += s.chunk[i];
	dst->nan |= s.nan;
	dst->pinf |= s.pinf;
	dst->ninf |= s.ninf;
	dst->any |= s.any;
	dst->nonnegzero |= s.nonnegzero;
	tk_xsum_normalize(dst);
}

void tk_xsum_to_words(tk_xsum *a, int64_t w[TK_XSUM_WORDS])
{
	/* normalised chunks are < 2^32 (top: < 2^36 for 2^50 values below 2^1024), so a
	 * sum over 2^20 ranks stays below 2^56; the flags are 0/1 and summed too */
	tk_xsum_normalize(a);
	memcpy(w, a->chunk, sizeof a->chunk);
	w[TK_XSUM_CHUNKS + 0] = a->nan;
	w[TK_XSUM_CHUNKS + 1] = a->pinf;
	w[TK_XSUM_CHUNKS + 2] = a->ninf;
	w[TK_XSUM_CHUNKS + 3] = a->any;
	w[TK_XSUM_CHUNKS + 4] = a->nonnegzero;
}

void tk_xsum_from_words(tk_xsum *a, const int64_t w[TK_XSUM_WORDS])
{
	memcpy(a->chunk, w, sizeof a->chunk);
	a->nan = w[TK_XSUM_CHUNKS + 0] != 0;
	a->pinf = w[TK_XSUM_CHUNKS + 1] != 0;
	a->ninf = w[TK_XSUM_CHUNKS + 2] != 0;
	a->any = w[TK_XSUM_CHUNKS + 3] != 0;
	a->nonnegzero = w[TK_XSUM_CHUNKS + 4] != 0;
	tk_xsum_normalize(a);
}

void tk_xsum_allreduce(tk_xsum *a)
{
	int64_t w[TK_XSUM_WORDS];
	tk_xsum_to_words(a, w);
	tk_comm_allreduce_i64(w, TK_XSUM_WORDS, TK_SUM);
	tk_xsum_from_words(a, w);
}

/* Bits [lo, lo + 53) of a normalised, nonnegative accumulator (lo >= 0). */
static uint64_t bits53(const tk_xsum *t, int lo)
{
	int idx = lo >> 5, sh = lo & 31;
	uint64_t v = (uint64_t)t->chunk[idx] >> sh;
	if (idx + 1 < TK_XSUM_CHUNKS)
		v |= (uint64_t)t->chunk[idx + 1] << (32 - sh);
	if (sh > 0 && idx + 2 < TK_XSUM_CHUNKS)
		v |= (uint64_t)t->chunk[idx + 2] << (64 - sh);
	return v & ((UINT64_C(1) << 53) - 1);
}

/* Is any bit below position p set? */
static int any_below(const tk_xsum *t, int p)
{
	int idx = p >> 5;
	for (int i = 0; i < idx; i++)
		if (t->chunk[i])
			return 1;
	return ((uint64_t)t->chunk[idx] & ((UINT64_C(1) << (p & 31)) - 1)) != 0;
}

double tk_xsum_round(const tk_xsum *a)
{
	if (a->nan || (a->pinf && a->ninf))
		return NAN;
	if (a->pinf)
		return INFINITY;
	if (a->ninf)
		return -INFINITY;
	tk_xsum t = *a;
	tk_xsum_normalize(&t);
	int neg = t.chunk[TOP] < 0;
	if (neg) {
		for (int i = 0; i < TK_XSUM_CHUNKS; i++)
			t.chunk[i] = -t.chunk[i];
		tk_xsum_normalize(&t);
	}
	int h = TOP;
	while (h >= 0 && t.chunk[h] == 0)
		h--;
	if (h < 0)
		return a->any && !a->nonnegzero ? -0.0 : 0.0;
	double v;
	int pos = 32 * h + 63 - __builtin_clzll((uint64_t)t.chunk[h]); /* leading bit */
	if (pos >= 2098) { /* >= 2^1024 */
		v = INFINITY;
	} else if (pos < 53) { /* fits 53 bits at the subnormal scale: exact */
		v = ldexp((double)bits53(&t, 0), -1074);
	} else {
		int lo = pos - 52;
		uint64_t m = bits53(&t, lo);
		int half = (int)(((uint64_t)t.chunk[(lo - 1) >> 5] >> ((lo - 1) & 31)) & 1);
		if (half && ((m & 1) || any_below(&t, lo - 1)))
			m++;
		if (m == UINT64_C(1) << 53) {
			m >>= 1;
			lo++;
		}
		v = ldexp((double)m, lo - 1074); /* overflows to inf as IEEE rounding would */
	}
	return neg ? -v : v;
}
