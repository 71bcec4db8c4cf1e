/*
 * decomp.c: splits of an index space, row strips with halos, and the halo exchange
 * (tk/decomp.h).
 *
 * Rule: pure arithmetic on (n, parts, part), the same on every rank; the exchange
 * sends each halo row straight from its owner, one tk_comm_sendrecv per distance and
 * direction, so every rank's plan pairs with its neighbours' plans by construction.
 * The strip scatter and gather are planned by root alone from the same arithmetic.
 */
#include "tk/comm.h"
#include "tk/decomp.h"
#include "tk/omp.h"
#include "tk/tk.h"

tk_range tk_decomp_block(uint64_t n, uint64_t parts, uint64_t part)
{
	uint64_t q = n / parts, r = n % parts;
	tk_range b;
	b.lo = part * q + (part < r ? part : r);
	b.hi = b.lo + q + (part < r ? 1 : 0);
	return b;
}

tk_range tk_decomp_blocks(uint64_t n, uint64_t block, uint64_t parts, uint64_t part)
{
	uint64_t nblk = n / block + (n % block != 0);
	tk_range b = tk_decomp_block(nblk, parts, part);
	/* block k starts at k * block < n for k < nblk; the last one ends at n */
	b.lo = b.lo < nblk ? b.lo * block : n;
	b.hi = b.hi < nblk ? b.hi * block : n;
	return b;
}

uint64_t tk_decomp_owner(uint64_t n, uint64_t parts, uint64_t i)
{
	if (parts == 1)
		return 0; /* and q + 1 below cannot wrap */
	uint64_t q = n / parts, r = n % parts;
	/* the first r parts hold q + 1 items each, the others q (q >= 1 past them, since
	 * q == 0 means n == r and every item is among the first r) */
	if (i / (q + 1) < r)
		return i / (q + 1);
	return r + (i - r * (q + 1)) / q;
}

tk_range tk_decomp_rank(uint64_t n)
{
	return tk_decomp_block(n, (uint64_t)tk_comm_size(), (uint64_t)tk_comm_rank());
}

tk_range tk_decomp_thread(tk_range r)
{
	tk_range t = tk_decomp_block(r.hi - r.lo, (uint64_t)tk_thread_count(),
	                             (uint64_t)tk_thread_id());
	t.lo += r.lo;
	t.hi += r.lo;
	return t;
}

tk_range tk_decomp_held(uint64_t rows, tk_range own, uint64_t halo)
{
	tk_range h = {own.lo, own.lo};
	if (own.lo < own.hi) {
		h.lo = own.lo > halo ? own.lo - halo : 0;
		h.hi = rows - own.hi > halo ? own.hi + halo : rows;
	}
	return h;
}

tk_strip tk_decomp_strip(uint64_t rows, uint64_t parts, uint64_t part, uint64_t halo)
{
	tk_range o = tk_decomp_block(rows, parts, part);
	tk_range h = tk_decomp_held(rows, o, halo);
	tk_strip s = {o.lo, o.hi, h.lo, h.hi};
	return s;
}

tk_range tk_decomp_halo_rows(uint64_t rows, uint64_t parts, uint64_t halo, uint64_t from,
                             uint64_t to)
{
	tk_range none = {0, 0};
	if (from == to)
		return none;
	tk_range own = tk_decomp_block(rows, parts, from);
	tk_strip t = tk_decomp_strip(rows, parts, to, halo);
	/* from's rows are not to's own, so what of them to holds is halo */
	uint64_t lo = own.lo > t.a ? own.lo : t.a, hi = own.hi < t.b ? own.hi : t.b;
	if (lo >= hi)
		return none;
	tk_range r = {lo, hi};
	return r;
}

uint64_t tk_decomp_halo_reach(uint64_t rows, uint64_t parts, uint64_t halo)
{
	uint64_t reach = 0;
	for (uint64_t p = 0; p < parts; p++) {
		tk_strip s = tk_decomp_strip(rows, parts, p, halo);
		if (s.a == s.b)
			continue;
		uint64_t up = p - tk_decomp_owner(rows, parts, s.a);
		uint64_t down = tk_decomp_owner(rows, parts, s.b - 1) - p;
		if (up > reach)
			reach = up;
		if (down > reach)
			reach = down;
	}
	return reach;
}

void tk_halo_init(tk_halo *h, uint64_t rows, uint64_t halo, size_t row_bytes)
{
	h->rows = rows;
	h->halo = halo;
	h->row_bytes = row_bytes;
	h->rank = tk_comm_rank();
	h->parts = tk_comm_size();
	h->reach = tk_decomp_halo_reach(rows, (uint64_t)h->parts, halo);
	h->me = tk_decomp_strip(rows, (uint64_t)h->parts, (uint64_t)h->rank, halo);
}

/* One shift: send to rank + d what it needs of my rows, receive from rank - d what I
 * need of its rows (d may be negative); every rank makes the same shift at once. */
static void shift(const tk_halo *h, char *buf, int64_t d)
{
	int64_t rank = h->rank, parts = h->parts, dest = rank + d, src = rank - d;
	tk_range s = {0, 0}, g = {0, 0};
	if (dest >= 0 && dest < parts)
		s = tk_decomp_halo_rows(h->rows, (uint64_t)parts, h->halo, (uint64_t)rank,
		                        (uint64_t)dest);
	if (src >= 0 && src < parts)
		g = tk_decomp_halo_rows(h->rows, (uint64_t)parts, h->halo, (uint64_t)src,
		                        (uint64_t)rank);
	if (s.lo == s.hi && g.lo == g.hi)
		return;
	size_t rb = h->row_bytes;
	char *sp = s.lo < s.hi ? buf + (size_t)(s.lo - h->me.a) * rb : NULL;
	char *gp = g.lo < g.hi ? buf + (size_t)(g.lo - h->me.a) * rb : NULL;
	tk_comm_sendrecv(sp, (size_t)(s.hi - s.lo) * rb, sp ? (int)dest : -1, gp,
	                 (size_t)(g.hi - g.lo) * rb, gp ? (int)src : -1);
}

void tk_halo_exchange(const tk_halo *h, void *buf)
{
	for (uint64_t d = 1; d <= h->reach; d++) {
		shift(h, buf, (int64_t)d);  /* rows going down the grid */
		shift(h, buf, -(int64_t)d); /* rows going up */
	}
}

/* Root's plan of a strip transfer: per rank its bytes and where they start in the
 * whole grid; NULL elsewhere, and NULL on root when out of memory. */
static size_t *plan(uint64_t rows, uint64_t halo, size_t row_bytes, int root, int held)
{
	int parts = tk_comm_size();
	if (tk_comm_rank() != root)
		return NULL;
	size_t *p = tk_alloc(2 * (size_t)parts, sizeof *p);
	for (int q = 0; p && q < parts; q++) {
		tk_strip s = tk_decomp_strip(rows, (uint64_t)parts, (uint64_t)q, halo);
		uint64_t lo = held ? s.a : s.y0, hi = held ? s.b : s.y1;
		p[q] = (size_t)(hi - lo) * row_bytes;
		p[parts + q] = (size_t)lo * row_bytes;
	}
	return p;
}

int tk_strip_scatter(uint64_t rows, uint64_t halo, size_t row_bytes, const void *all,
                     void *held, int root, int st)
{
	size_t *p = st == 0 ? plan(rows, halo, row_bytes, root, 1) : NULL;
	if (st == 0 && tk_comm_rank() == root && !p)
		st = TK_ENOMEM;
	st = tk_error_share(st);
	if (st == 0) {
		tk_strip me = tk_decomp_strip(rows, (uint64_t)tk_comm_size(),
		                              (uint64_t)tk_comm_rank(), halo);
		tk_comm_scatterv_at(all, p, p ? p + tk_comm_size() : NULL, held,
		                    (size_t)(me.b - me.a) * row_bytes, root);
	}
	tk_free(p);
	return st;
}

int tk_strip_gather(uint64_t rows, size_t row_bytes, const void *own, void *all, int root,
                    int st)
{
	size_t *p = st == 0 ? plan(rows, 0, row_bytes, root, 0) : NULL;
	if (st == 0 && tk_comm_rank() == root && !p)
		st = TK_ENOMEM;
	st = tk_error_share(st);
	if (st == 0) {
		tk_range me = tk_decomp_rank(rows);
		tk_comm_gatherv(own, (size_t)(me.hi - me.lo) * row_bytes, all, p, root);
	}
	tk_free(p);
	return st;
}
