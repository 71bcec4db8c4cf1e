/*
 * comm_mpi.c: the comm layer over MPI, and the only compilation unit that includes
 * <mpi.h> (CoMD's parallel.c).  Byte counts are size_t; transfers larger than an int
 * can describe are split into chunks, so a 3 GiB image strip is no special case.
 */
#include <errno.h>
#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "comm/pack.h"
#include "tk/comm.h"
#include "tk/timer.h"

#define CHUNK ((size_t)1 << 30)

/* before tk_comm_init (or for commands that never start MPI, such as bench, which
 * launches mpirun itself) the layer behaves as one rank of one */
static int rank_, size_ = 1, inited, thread_level;
static char library[MPI_MAX_LIBRARY_VERSION_STRING];
static MPI_Win counter_win = MPI_WIN_NULL;
static uint64_t *counter_mem;
static uint64_t counter_n;
static MPI_Op pack_op = MPI_OP_NULL;

/* ---- time in the layer, per kind ----------------------------------------------- */
const char *const tk_comm_kind_names[TK_COMM_NKINDS] = {
	"scatter", "halo", "gather", "combine", "bcast", "sync", "handout"};
static double spent[TK_COMM_NKINDS];
#define TIMED(kind, stmt)                                                                 \
	do {                                                                              \
		double t0_ = tk_now(); /* MPI_Wtime is not to be called before init */   \
		stmt;                                                                     \
		double dt_ = tk_now() - t0_;                                              \
		_Pragma("omp atomic") spent[kind] += dt_;                                 \
	} while (0)

void tk_comm_times(double seconds[TK_COMM_NKINDS])
{
	memcpy(seconds, spent, sizeof spent);
}

void tk_comm_times_reset(void) { memset(spent, 0, sizeof spent); }

/* Started by a launcher?  mpirun, mpiexec and srun set one of these in each rank. */
static int under_launcher(void)
{
	static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
	                                   "PMI_SIZE", "MPI_LOCALNRANKS", "TK_MPI_INIT"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if (getenv(vars[i]))
			return 1;
	return 0;
}

int tk_comm_init(int *argc, char ***argv)
{
	int provided;
	/* A process no launcher started is a world of one: it skips MPI_Init (a singleton
	 * init costs a third of a second with Open MPI), so serial and omp runs of an MPI
	 * build start as fast as those of an MPI=0 build. */
	if (!under_launcher())
		return 0;
	/* MULTIPLE when the library has it: filter's workers ask for items from any thread,
	 * and rank 0 answers on a thread of its own (the counter below) */
	if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS)
		return -5;
	thread_level = provided;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
	MPI_Comm_size(MPI_COMM_WORLD, &size_);
	/* errors in collectives abort every rank rather than leaving one waiting */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
	inited = 1;
	return 0;
}

void tk_comm_finalize(void)
{
	int done = 0;
	if (!inited)
		return;
	MPI_Finalized(&done);
	if (done)
		return;
	if (pack_op != MPI_OP_NULL)
		MPI_Op_free(&pack_op);
	MPI_Finalize();
}

int tk_comm_rank(void) { return rank_; }
int tk_comm_size(void) { return size_; }

int tk_comm_launched(void) { return inited; }

const char *tk_comm_library(void)
{
	if (!library[0]) {
		int len = 0;
		MPI_Get_library_version(library, &len);
		/* first line only, without trailing punctuation; MPICH's "MPICH Version:\t4.0.2"
		 * reads as "MPICH 4.0.2" */
		library[strcspn(library, "\n,")] = '\0';
		char *v = strstr(library, " Version:");
		if (v) {
			char *num = v + strlen(" Version:");
			num += strspn(num, " \t");
			memmove(v + 1, num, strlen(num) + 1);
		}
	}
	return library;
}

void tk_comm_abort(int exit_code)
{
	fflush(stdout);
	fflush(stderr);
	if (inited)
		MPI_Abort(MPI_COMM_WORLD, exit_code);
	exit(exit_code); /* not reached */
}

void tk_comm_barrier(void)
{
	if (inited)
		TIMED(TK_COMM_SYNC, MPI_Barrier(MPI_COMM_WORLD));
}

static MPI_Op mpi_op(tk_op op)
{
	return op == TK_SUM ? MPI_SUM : op == TK_MIN ? MPI_MIN : MPI_MAX;
}

void tk_comm_allreduce_u64(uint64_t *buf, size_t n, tk_op op)
{
	if (!inited)
		return;
	if (op == TK_SUM) {
		TIMED(TK_COMM_COMBINE, MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_UINT64_T,
		                                     MPI_SUM, MPI_COMM_WORLD));
		return;
	}
	/* MIN and MAX as signed numbers of the same order: flipping the top bit maps
	 * 0..2^64-1 onto INT64_MIN..INT64_MAX.  Debian's MPICH 4.0.2 compares MPI_UINT64_T
	 * as signed (the MIN of 5 and 2^64-1 comes back as 2^64-1), so the unsigned
	 * type is not trusted here. */
	const uint64_t top = (uint64_t)1 << 63;
	for (size_t i = 0; i < n; i++)
		buf[i] ^= top;
	TIMED(TK_COMM_COMBINE, MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_INT64_T, mpi_op(op),
	                                     MPI_COMM_WORLD));
	for (size_t i = 0; i < n; i++)
		buf[i] ^= top;
}

void tk_comm_allreduce_i64(int64_t *buf, size_t n, tk_op op)
{
	if (!inited)
		return;
	TIMED(TK_COMM_COMBINE, MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_INT64_T, mpi_op(op),
	                                     MPI_COMM_WORLD));
}

void tk_comm_allreduce_f64(double *buf, size_t n, tk_op op)
{
	if (!inited)
		return;
	TIMED(TK_COMM_COMBINE, MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_DOUBLE, mpi_op(op),
	                                     MPI_COMM_WORLD));
}

/* The packed reduction as an MPI user operation on one element of a contiguous type
 * (count 1, so no algorithm splits a pack: MPI may cut a long vector of a predefined
 * type into pieces, Rabenseifner's allreduce does, but never an element).  The
 * comparisons are ours, so MPI_UINT64_T's order in the library (above) does not
 * matter. */
static void pack_fn(void *in, void *inout, int *len, MPI_Datatype *type)
{
	int bytes = 0;
	MPI_Type_size(*type, &bytes);
	for (int k = 0; k < *len; k++) {
		if (tk_pack_combine((char *)in + (size_t)k * (size_t)bytes,
		                    (char *)inout + (size_t)k * (size_t)bytes) != 0) {
			fprintf(stderr, "toolkit: internal error: the ranks packed different "
			                "reductions\n");
			MPI_Abort(MPI_COMM_WORLD, 5);
		}
	}
}

void tk_comm_allreduce_pack(tk_pack *p)
{
	if (!inited) {
		tk_pack_local(p);
		return;
	}
	uint64_t stack[1024], *w = stack;
	size_t nw = tk_pack_words(p);
	if (nw > INT_MAX) {
		fprintf(stderr, "toolkit: internal error: a packed reduction too large\n");
		MPI_Abort(MPI_COMM_WORLD, 5);
	}
	if (nw > sizeof stack / sizeof stack[0] && !(w = malloc(nw * sizeof *w))) {
		fprintf(stderr, "toolkit: error: out of memory for a packed reduction\n");
		MPI_Abort(MPI_COMM_WORLD, 4);
	}
	tk_pack_encode(p, w);
	if (pack_op == MPI_OP_NULL)
		MPI_Op_create(pack_fn, 1, &pack_op);
	MPI_Datatype t;
	MPI_Type_contiguous((int)nw, MPI_UINT64_T, &t);
	MPI_Type_commit(&t);
	TIMED(TK_COMM_COMBINE, MPI_Allreduce(MPI_IN_PLACE, w, 1, t, pack_op, MPI_COMM_WORLD));
	MPI_Type_free(&t);
	tk_pack_decode(p, w);
	if (w != stack)
		free(w);
}

void tk_comm_allreduce_loc(tk_loc *buf, size_t n, tk_op op)
{
	tk_pack p;
	tk_pack_init(&p);
	tk_pack_loc(&p, buf, n, op);
	tk_comm_allreduce_pack(&p);
}

void tk_comm_bcast(void *buf, size_t bytes, int root)
{
	if (!inited)
		return;
	for (size_t off = 0; off < bytes; off += CHUNK) {
		size_t n = bytes - off < CHUNK ? bytes - off : CHUNK;
		TIMED(TK_COMM_BCAST,
		      MPI_Bcast((char *)buf + off, (int)n, MPI_BYTE, root, MPI_COMM_WORLD));
	}
}

static void send_bytes(const void *buf, size_t bytes, int dest, int tag)
{
	for (size_t off = 0; off < bytes; off += CHUNK) {
		size_t n = bytes - off < CHUNK ? bytes - off : CHUNK;
		MPI_Send((const char *)buf + off, (int)n, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
	}
}

static void recv_bytes(void *buf, size_t bytes, int src, int tag)
{
	for (size_t off = 0; off < bytes; off += CHUNK) {
		size_t n = bytes - off < CHUNK ? bytes - off : CHUNK;
		MPI_Recv((char *)buf + off, (int)n, MPI_BYTE, src, tag, MPI_COMM_WORLD,
		         MPI_STATUS_IGNORE);
	}
}

static void do_gatherv(const void *sbuf, size_t sbytes, void *rbuf, const size_t *rbytes,
                     int root)
{
	if (rank_ != root) {
		send_bytes(sbuf, sbytes, root, 11);
		return;
	}
	char *out = rbuf;
	for (int r = 0; r < size_; r++) {
		if (r == root) {
			if (sbytes && out != sbuf)
				memmove(out, sbuf, sbytes);
		} else {
			recv_bytes(out, rbytes[r], r, 11);
		}
		out += rbytes[r];
	}
}

/* Blocks back to back when soff is NULL. */
static void do_scatterv(const void *sbuf, const size_t *sbytes, const size_t *soff,
                        void *rbuf, size_t rbytes, int root)
{
	if (rank_ != root) {
		recv_bytes(rbuf, rbytes, root, 12);
		return;
	}
	size_t off = 0;
	for (int r = 0; r < size_; r++) {
		const char *in = (const char *)sbuf + (soff ? soff[r] : off);
		if (r == root) {
			if (rbytes && in != rbuf)
				memmove(rbuf, in, rbytes);
		} else {
			send_bytes(in, sbytes[r], r, 12);
		}
		off += sbytes[r];
	}
}

static void do_sendrecv(const void *sbuf, size_t sbytes, int dest, void *rbuf,
                      size_t rbytes, int src)
{
	if (!inited) {
		if (dest == 0 && src == 0 && sbytes == rbytes && sbytes)
			memmove(rbuf, sbuf, sbytes);
		return;
	}
	if (sbytes > INT_MAX || rbytes > INT_MAX) {
		/* halos are a few rows; fall back to ordered blocking transfers */
		if (dest >= 0 && (src < 0 || rank_ < dest))
			send_bytes(sbuf, sbytes, dest, 13);
		if (src >= 0)
			recv_bytes(rbuf, rbytes, src, 13);
		if (dest >= 0 && !(src < 0 || rank_ < dest))
			send_bytes(sbuf, sbytes, dest, 13);
		return;
	}
	MPI_Sendrecv(sbuf, (int)sbytes, MPI_BYTE, dest < 0 ? MPI_PROC_NULL : dest, 13, rbuf,
	             (int)rbytes, MPI_BYTE, src < 0 ? MPI_PROC_NULL : src, 13,
	             MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

void tk_comm_gatherv(const void *sbuf, size_t sbytes, void *rbuf, const size_t *rbytes,
                     int root)
{
	TIMED(TK_COMM_GATHER, do_gatherv(sbuf, sbytes, rbuf, rbytes, root));
}

void tk_comm_scatterv(const void *sbuf, const size_t *sbytes, void *rbuf, size_t rbytes,
                      int root)
{
	TIMED(TK_COMM_SCATTER, do_scatterv(sbuf, sbytes, NULL, rbuf, rbytes, root));
}

void tk_comm_scatterv_at(const void *sbuf, const size_t *sbytes, const size_t *soff,
                         void *rbuf, size_t rbytes, int root)
{
	TIMED(TK_COMM_SCATTER, do_scatterv(sbuf, sbytes, soff, rbuf, rbytes, root));
}

void tk_comm_sendrecv(const void *sbuf, size_t sbytes, int dest, void *rbuf,
                      size_t rbytes, int src)
{
	TIMED(TK_COMM_HALO, do_sendrecv(sbuf, sbytes, dest, rbuf, rbytes, src));
}

/* ---- micro-benchmarks -------------------------------------------------------------- */

double tk_comm_pingpong(size_t bytes, int iters, int peer)
{
	if (!inited || peer <= 0 || peer >= size_ || iters < 1 || bytes > INT_MAX)
		return -1;
	char *buf = calloc(bytes ? bytes : 1, 1);
	int ok = buf != NULL, all = 0;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (!all) {
		free(buf);
		return -1;
	}
	double t = 0;
	MPI_Barrier(MPI_COMM_WORLD);
	/* one untimed round trip first: connections are set up lazily */
	for (int i = -1; i < iters; i++) {
		double t0 = MPI_Wtime();
		if (rank_ == 0) {
			MPI_Send(buf, (int)bytes, MPI_BYTE, peer, 14, MPI_COMM_WORLD);
			MPI_Recv(buf, (int)bytes, MPI_BYTE, peer, 14, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else if (rank_ == peer) {
			MPI_Recv(buf, (int)bytes, MPI_BYTE, 0, 14, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			MPI_Send(buf, (int)bytes, MPI_BYTE, 0, 14, MPI_COMM_WORLD);
		}
		if (i >= 0)
			t += MPI_Wtime() - t0;
	}
	free(buf);
	MPI_Barrier(MPI_COMM_WORLD);
	return rank_ == 0 ? t / iters / 2 : 0;
}

double tk_comm_allreduce_time(size_t n, int iters)
{
	if (!inited || iters < 1 || n > INT_MAX)
		return -1;
	double *buf = calloc(n ? n : 1, sizeof *buf);
	int ok = buf != NULL, all = 0;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (!all) {
		free(buf);
		return -1;
	}
	MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = MPI_Wtime();
	for (int i = 0; i < iters; i++)
		MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	double t = (MPI_Wtime() - t0) / iters;
	free(buf);
	MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	return t;
}

/* The shared counter.  With MPI_THREAD_MULTIPLE it is two-sided: rank 0 keeps the
 * counter and a thread of its own answers the other ranks' requests, so a request is
 * answered while rank 0's workers are busy with their own images (a passive-target
 * RMA counter may wait for the target to enter MPI: with no progress thread, a rank
 * asking rank 0 for work could wait until rank 0 finished its current image).  Rank 0's
 * own workers take from the counter directly.  Without MULTIPLE: an RMA counter,
 * called from the main thread only. */
#define TAG_ASK 7301
#define TAG_GIVE 7302
#define ASK_DONE UINT64_MAX
static MPI_Comm counter_comm = MPI_COMM_NULL;
static uint64_t counter_next0; /* rank 0: the next index (atomic) */
static pthread_t server;
static int server_on;
static pthread_mutex_t ask_lock = PTHREAD_MUTEX_INITIALIZER;

static void nap_us(long us)
{
	struct timespec ts = {0, us * 1000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Rank 0's server: one request at a time, polled (a blocking receive would spin a core);
 * the pause grows from 20 us to 1 ms while nobody asks.  Ends when every other rank
 * has said it is done. */
static void *serve_counter(void *arg)
{
	(void)arg;
	int done = 0;
	long pause = 20;
	uint64_t ask = 0;
	MPI_Request rq;
	MPI_Irecv(&ask, 1, MPI_UINT64_T, MPI_ANY_SOURCE, TAG_ASK, counter_comm, &rq);
	while (done < size_ - 1) {
		int flag = 0;
		MPI_Status st;
		MPI_Test(&rq, &flag, &st);
		if (!flag) {
			nap_us(pause);
			pause = pause < 1000 ? pause * 2 : 1000;
			continue;
		}
		pause = 20;
		if (ask == ASK_DONE) {
			done++;
		} else {
			uint64_t v = __atomic_fetch_add(&counter_next0, 1, __ATOMIC_RELAXED);
			MPI_Send(&v, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_GIVE, counter_comm);
		}
		if (done < size_ - 1)
			MPI_Irecv(&ask, 1, MPI_UINT64_T, MPI_ANY_SOURCE, TAG_ASK, counter_comm, &rq);
	}
	return NULL;
}

int tk_comm_counter_any_thread(void) { return !inited || thread_level >= MPI_THREAD_MULTIPLE; }

static uint64_t local_next; /* the counter of a world of one (no MPI_Init) */

int tk_comm_counter_create(uint64_t n)
{
	counter_n = n;
	local_next = 0;
	if (!inited)
		return 0;
	if (thread_level >= MPI_THREAD_MULTIPLE) {
		if (MPI_Comm_dup(MPI_COMM_WORLD, &counter_comm) != MPI_SUCCESS)
			return -5;
		counter_next0 = 0;
		server_on = rank_ == 0 && size_ > 1 &&
		            pthread_create(&server, NULL, serve_counter, NULL) == 0;
		if (rank_ == 0 && size_ > 1 && !server_on) {
			fprintf(stderr, "toolkit: error: cannot start the work counter's thread\n");
			MPI_Abort(MPI_COMM_WORLD, 5);
		}
		return 0;
	}
	MPI_Aint bytes = rank_ == 0 ? (MPI_Aint)sizeof(uint64_t) : 0;
	if (MPI_Win_allocate(bytes, sizeof(uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD,
	                     &counter_mem, &counter_win) != MPI_SUCCESS)
		return -5;
	if (rank_ == 0)
		*counter_mem = 0;
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_lock_all(0, counter_win);
	return 0;
}

uint64_t tk_comm_counter_next(void)
{
	uint64_t one = 1, v = 0;
	if (!inited) {
#pragma omp atomic capture
		v = local_next++;
		return v < counter_n ? v : counter_n;
	}
	if (counter_comm != MPI_COMM_NULL) {
		if (rank_ == 0) {
			v = __atomic_fetch_add(&counter_next0, 1, __ATOMIC_RELAXED);
		} else {
			pthread_mutex_lock(&ask_lock);
			TIMED(TK_COMM_HANDOUT,
			      MPI_Send(&one, 1, MPI_UINT64_T, 0, TAG_ASK, counter_comm);
			      MPI_Recv(&v, 1, MPI_UINT64_T, 0, TAG_GIVE, counter_comm, MPI_STATUS_IGNORE));
			pthread_mutex_unlock(&ask_lock);
		}
		return v < counter_n ? v : counter_n;
	}
	TIMED(TK_COMM_HANDOUT, MPI_Fetch_and_op(&one, &v, MPI_UINT64_T, 0, 0, MPI_SUM, counter_win);
	      MPI_Win_flush(0, counter_win));
	return v < counter_n ? v : counter_n;
}

void tk_comm_counter_free(void)
{
	if (counter_comm != MPI_COMM_NULL) {
		uint64_t done = ASK_DONE;
		if (rank_ != 0)
			MPI_Send(&done, 1, MPI_UINT64_T, 0, TAG_ASK, counter_comm);
		else if (server_on)
			pthread_join(server, NULL);
		server_on = 0;
		MPI_Comm_free(&counter_comm);
		return;
	}
	if (counter_win == MPI_WIN_NULL)
		return;
	MPI_Win_unlock_all(counter_win);
	MPI_Win_free(&counter_win);
	counter_win = MPI_WIN_NULL;
}

int tk_comm_local_size(void)
{
	static int local;
	if (!inited)
		return 1;
	if (local == 0) {
		MPI_Comm node;
		local = size_;
		if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL,
		                        &node) == MPI_SUCCESS) {
			MPI_Comm_size(node, &local);
			MPI_Comm_free(&node);
		}
	}
	return local;
}
