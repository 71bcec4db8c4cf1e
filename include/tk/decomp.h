/*
 * decomp.h: the decomposition layer (CoMD's decomposition.c, PETSc's DMDA): how a
 * global index space is split over ranks and threads, row strips of a 2-D grid with
 * halos, and the halo exchange of an iterative kernel.
 *
 * Rule: a split is a pure function of (n, parts, part), so every rank computes every
 * other rank's share itself and no sizes travel.  Part i of n items owns
 * [i q + min(i, r), (i + 1) q + min(i + 1, r)) with q = n / parts, r = n % parts: the
 * first r parts get one item more, and when parts > n the last parts are empty.  Every
 * family takes its splits from here: ranks over samples, blocks of values, image rows
 * and grid rows; threads over a rank's range; a batch's items over workers.
 * Row strips are blocks of rows; a strip's halo is up to H rows on each side, clipped
 * to the grid, and the rows of a halo may belong to several ranks (a strip thinner
 * than H).  A one-shot kernel (filter) gets its rows and halos from the root in one
 * transfer (tk_strip_scatter); an iterative one (stencil) refreshes its halos every
 * step (tk_halo_exchange), which moves only rows that their owner holds as its own, so
 * it never relays and its transfers may happen in any order.  Global combines of
 * several values at once are the comm layer's packed reductions (tk_pack, tk/comm.h).
 */
#ifndef TK_DECOMP_H
#define TK_DECOMP_H

#include <stddef.h>
#include <stdint.h>

/* A half-open range [lo, hi) of a global index space; empty when lo == hi. */
typedef struct tk_range {
	uint64_t lo, hi;
} tk_range;

/* Part `part` of n items split into `parts` parts (parts >= 1, part < parts). */
tk_range tk_decomp_block(uint64_t n, uint64_t parts, uint64_t part);
/* Part `part` of n items cut into blocks of `block` items (the last one may be short),
 * whole blocks split as above (block >= 1). */
tk_range tk_decomp_blocks(uint64_t n, uint64_t block, uint64_t parts, uint64_t part);
/* The part that owns item i (i < n) of n items split into `parts` parts. */
uint64_t tk_decomp_owner(uint64_t n, uint64_t parts, uint64_t i);
/* This rank's block of n items (part tk_comm_rank() of tk_comm_size()). */
tk_range tk_decomp_rank(uint64_t n);
/* The calling thread's block of r: inside a parallel region part tk_thread_id() of
 * tk_thread_count(); outside one, r itself.  Not collective. */
tk_range tk_decomp_thread(tk_range r);

/* Rows of part `part` of a grid of `rows` rows and the rows it holds. */
typedef struct tk_strip {
	uint64_t y0, y1; /* own rows [y0, y1) */
	uint64_t a, b;   /* held rows [a, b), a <= y0 <= y1 <= b: own rows plus up to
	                    `halo` rows on each side, clipped to [0, rows); an empty strip
	                    holds nothing (a == y0 == y1 == b) */
} tk_strip;

tk_strip tk_decomp_strip(uint64_t rows, uint64_t parts, uint64_t part, uint64_t halo);
/* The rows held for own rows `own` of a grid of `rows` rows: up to `halo` more on each
 * side, clipped to [0, rows); nothing (own.lo, own.lo) when own is empty.  A strip's
 * [a, b), and the rows each step of a filter chain must compute. */
tk_range tk_decomp_held(uint64_t rows, tk_range own, uint64_t halo);
/* Rows that part `from` owns and part `to` holds as halo (empty when from == to or
 * when there are none): one contiguous range, since both are. */
tk_range tk_decomp_halo_rows(uint64_t rows, uint64_t parts, uint64_t halo, uint64_t from,
                             uint64_t to);
/* How many parts away a halo row may come from: max |from - to| over the pairs with
 * halo rows (0 for one part, 1 when every non-empty strip has at least `halo` rows;
 * more for thin strips). */
uint64_t tk_decomp_halo_reach(uint64_t rows, uint64_t parts, uint64_t halo);

/* Collective: the rows of a grid from root to every rank, each rank's held rows [a, b)
 * of tk_decomp_strip(rows, ranks, rank, halo), its own rows and its halo rows, in one
 * transfer (the blocks overlap where halos do), so no halo exchange follows.  all: the
 * whole grid on root, `rows` rows of row_bytes bytes, row 0 first (unused elsewhere);
 * held: room for b - a rows (root's may be all + a * row_bytes: nothing is copied).
 * st: this rank's status so far; rows move only when every rank's is 0 (and root could
 * plan the transfer).  Returns the status agreed over ranks (tk_error_share), so the
 * caller needs no agreement of its own before the transfer. */
int tk_strip_scatter(uint64_t rows, uint64_t halo, size_t row_bytes, const void *all,
                     void *held, int root, int st);
/* Collective: the inverse for own rows: every rank sends its own rows [y0, y1) from
 * `own`, root receives the whole grid in `all` (root's own may be all + y0 *
 * row_bytes).  st and the result as above. */
int tk_strip_gather(uint64_t rows, size_t row_bytes, const void *own, void *all, int root,
                    int st);

/* The halo exchange of this rank's strip, planned once and run every step. */
typedef struct tk_halo {
	uint64_t rows, halo;
	size_t row_bytes; /* bytes per row, ghost columns and padding included */
	int rank, parts;
	uint64_t reach;   /* tk_decomp_halo_reach */
	tk_strip me;
} tk_halo;

/* Plan the exchange for a grid of `rows` rows of row_bytes bytes, halos of `halo`
 * rows, over this run's ranks.  Not collective (every rank plans its own). */
void tk_halo_init(tk_halo *h, uint64_t rows, uint64_t halo, size_t row_bytes);
/* Collective: buf holds rows [me.a, me.b) back to back (row me.a first), this rank's
 * own rows filled; afterwards its halo rows hold their owners' rows.  At most 2 x
 * reach transfers to and from ranks at distance 1..reach, each one MPI_Sendrecv, so no
 * ordering between ranks can deadlock.  Called by one thread per rank. */
void tk_halo_exchange(const tk_halo *h, void *buf);

#endif
