/*
 * comm.h: the communication layer, the only interface the kernels have to other ranks.
 *
 * Rule: src/comm/comm_mpi.c is the only compilation unit that includes <mpi.h>;
 * src/comm/comm_serial.c implements the same functions with size-1 semantics (rank 0 of 1),
 * so kernels never know whether MPI is built.  All functions are collective unless
 * marked otherwise and are called from one thread per rank (MPI_THREAD_FUNNELED).
 */
#ifndef TK_COMM_H
#define TK_COMM_H

#include <stddef.h>
#include <stdint.h>

typedef enum tk_op { TK_SUM, TK_MIN, TK_MAX } tk_op;

/* Start/stop the layer; init must come before anything else, finalize last. */
int tk_comm_init(int *argc, char ***argv);
void tk_comm_finalize(void);

/* Not collective. */
int tk_comm_rank(void);
int tk_comm_size(void);
/* True when started by a launcher (mpirun, srun) even with 1 rank. */
int tk_comm_launched(void);
/* "Open MPI v4.1.4, ..." or "none"; not collective. */
const char *tk_comm_library(void);
/* Abort every rank with this exit code (MPI_Abort); never returns. */
void tk_comm_abort(int exit_code) __attribute__((noreturn));

void tk_comm_barrier(void);
/* In-place elementwise reductions over all ranks; every rank gets the result.
 * Integer sums are exact, so their result does not depend on the rank count.
 * TK_SUM on doubles is for timings only: it is not bitwise reproducible. */
void tk_comm_allreduce_u64(uint64_t *buf, size_t n, tk_op op);
void tk_comm_allreduce_i64(int64_t *buf, size_t n, tk_op op);
void tk_comm_allreduce_f64(double *buf, size_t n, tk_op op);
/* A value with its global index, for min/max-with-index (MPI_MINLOC/MAXLOC with 64-bit
 * indices).  i == TK_LOC_NONE marks an empty entry: a rank with no candidate.  Two
 * entries combine as reduce defines its min/max (numpy's argmin/argmax): an empty one
 * loses to any other; a NaN wins over any number (NaN propagates); otherwise the
 * smaller (TK_MIN) or larger (TK_MAX) value wins; equal values (== : -0.0 equals 0.0)
 * or two NaNs: the lower index wins, and its value, bits and all, is kept.  The result
 * does not depend on the rank count or the order of combining.  An entry that is
 * empty on every rank comes back as {NaN, TK_LOC_NONE}. */
#define TK_LOC_NONE UINT64_MAX
typedef struct tk_loc {
	double v;
	uint64_t i;
} tk_loc;

/* Not collective: combine src into *dst by the rule above (op TK_MIN or TK_MAX); for a
 * rank's threads, so the rule has one home. */
void tk_loc_merge(tk_loc *dst, tk_loc src, tk_op op);
/* In-place min/max-with-index over all ranks, elementwise; op TK_MIN or TK_MAX. */
void tk_comm_allreduce_loc(tk_loc *buf, size_t n, tk_op op);

/* A packed reduction: several reductions of different kinds (sums, min/max, min/max
 * with index) in one collective.  Build it with tk_pack_init and the tk_pack_* adders
 * (not collective: each records an array of the caller's, which must stay alive until
 * the reduction), then tk_comm_allreduce_pack: afterwards every array added holds its
 * result on every rank, exactly as if each had been reduced by its own call above.
 * Every rank adds the same items, in the same order, with the same counts.  At most
 * TK_PACK_ITEMS items (more is a bug: the run aborts with exit 5).  Integer results
 * are exact; TK_SUM on doubles is for timings, as above. */
#define TK_PACK_ITEMS 16
typedef struct tk_pack {
	int n;
	struct tk_pack_item {
		int kind; /* private to the layer */
		void *buf;
		size_t count;
	} item[TK_PACK_ITEMS];
} tk_pack;
void tk_pack_init(tk_pack *p);
void tk_pack_u64(tk_pack *p, uint64_t *buf, size_t n, tk_op op);
void tk_pack_i64(tk_pack *p, int64_t *buf, size_t n, tk_op op);
void tk_pack_f64(tk_pack *p, double *buf, size_t n, tk_op op);
void tk_pack_loc(tk_pack *p, tk_loc *buf, size_t n, tk_op op); /* TK_MIN or TK_MAX */
/* Collective: one MPI_Allreduce of every item at once. */
void tk_comm_allreduce_pack(tk_pack *p);

/* Broadcast bytes from root. */
void tk_comm_bcast(void *buf, size_t bytes, int root);
/* Gather variable-size byte blocks to root, in rank order: rank r sends sbytes from
 * sbuf; root receives them back to back in rbuf (rbytes[r] each, known to root). */
void tk_comm_gatherv(const void *sbuf, size_t sbytes, void *rbuf, const size_t *rbytes,
                     int root);
/* Scatter variable-size byte blocks from root, in rank order (inverse of gatherv). */
void tk_comm_scatterv(const void *sbuf, const size_t *sbytes, void *rbuf, size_t rbytes,
                      int root);
/* Scatter byte blocks from anywhere in sbuf: rank r receives sbytes[r] bytes from
 * sbuf + soff[r] (root only reads the arrays).  Blocks may overlap, so each rank can
 * get its rows and its halo rows in one transfer.  Root's rbuf may be sbuf +
 * soff[root] (in place: nothing is copied). */
void tk_comm_scatterv_at(const void *sbuf, const size_t *sbytes, const size_t *soff,
                         void *rbuf, size_t rbytes, int root);
/* Send sbytes to dest and receive rbytes from src at once (either may be -1: none).
 * Used for halo exchange between neighbouring row strips. */
void tk_comm_sendrecv(const void *sbuf, size_t sbytes, int dest, void *rbuf,
                      size_t rbytes, int src);

/* Time spent in the layer, per kind of communication, on this rank since the last
 * reset (not collective): what a kernel pays for "processes must communicate".  The
 * serial layer spends none. */
typedef enum tk_comm_kind {
	TK_COMM_SCATTER, /* scatterv: the root hands out slices */
	TK_COMM_HALO,    /* sendrecv: neighbours' halo rows */
	TK_COMM_GATHER,  /* gatherv: slices back to the root */
	TK_COMM_COMBINE, /* allreduce: the global combine */
	TK_COMM_BCAST,
	TK_COMM_SYNC,    /* barrier */
	TK_COMM_HANDOUT, /* counter_next: dynamic hand-out of tasks */
	TK_COMM_NKINDS
} tk_comm_kind;
extern const char *const tk_comm_kind_names[TK_COMM_NKINDS]; /* "scatter", ... */
void tk_comm_times(double seconds[TK_COMM_NKINDS]);
void tk_comm_times_reset(void);

/* Micro-benchmarks of the layer itself (osu_latency, osu_allreduce): collective.
 * pingpong: rank 0 and rank `peer` bounce `bytes` back and forth `iters` times;
 * returns the one-way time in seconds (on rank 0; others 0), or -1 without a peer.
 * allreduce: `iters` allreduces of n doubles; returns the mean time per call, max
 * over ranks. */
double tk_comm_pingpong(size_t bytes, int iters, int peer);
double tk_comm_allreduce_time(size_t n, int iters);

/* Collective the first time (then cached, not collective): the number of ranks on
 * this rank's node, which share its memory (MPI_COMM_TYPE_SHARED); 1 without MPI.
 * Used to check a per-rank allocation against the node's available memory. */
int tk_comm_local_size(void);

/* A shared work counter for dynamic load balancing (a pool of tasks 0..n-1 handed out
 * first come, first served across ranks).  create/free are collective; next is not:
 * any rank may call it at any time and gets the next unclaimed index, or n when the
 * pool is empty.  Only one counter exists at a time. */
int tk_comm_counter_create(uint64_t n);
uint64_t tk_comm_counter_next(void);
void tk_comm_counter_free(void);
/* Whether tk_comm_counter_next may be called from any thread (always true in a world
 * of one; with MPI, when the library gave MPI_THREAD_MULTIPLE). */
int tk_comm_counter_any_thread(void);

#endif
