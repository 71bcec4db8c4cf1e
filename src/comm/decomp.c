/*
 * decomp.c: splits of an index space, row strips with halos, and the halo exchange
 * (tk/decomp.h).
 *
 * Rule: pure arithmetic on (n, parts, part), the same on every rank; the exchange
 * sends each halo row straight from its owner, one tk_comm_sendrecv per distance and
 * direction, so every rank's plan pairs with its neighbours' plans by construction.
 */
#include "tk/comm.h"
#include "tk/decomp.h"
#include "tk/omp.h"
#include "tk/tk.h"

tk_range tk_decomp_block(uint64_t n, uint64_t parts, uint64_t part)
{
	tk_range r;
	tk_split(n, parts, part, &r.lo, &r.hi);
	return r;
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

tk_strip tk_decomp_strip(uint64_t rows, uint64_t parts, uint64_t part, uint64_t halo)
{
	tk_range o = tk_decomp_block(rows, parts, part);
	tk_strip s = {o.lo, o.hi, o.lo, o.hi};
	if (o.lo < o.hi) {
		s.a = o.lo > halo ? o.lo - halo : 0;
		s.b = rows - o.hi > halo ? o.hi + halo : rows;
	}
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
