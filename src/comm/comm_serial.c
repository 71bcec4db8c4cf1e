/*
 * comm_serial.c: the comm layer for builds without MPI: one rank, size-1 semantics
 * (SQLite's mutex_noop.c, PETSc's MPIUNI).  Every collective is a copy or a no-op.
 */
#include <stdlib.h>
#include <string.h>

#include "comm/pack.h"
#include "tk/comm.h"

static uint64_t counter_n, counter_next;

const char *const tk_comm_kind_names[TK_COMM_NKINDS] = {
	"scatter", "halo", "gather", "combine", "bcast", "sync", "handout"};

void tk_comm_times(double seconds[TK_COMM_NKINDS])
{
	memset(seconds, 0, TK_COMM_NKINDS * sizeof seconds[0]);
}

void tk_comm_times_reset(void) {}

double tk_comm_pingpong(size_t bytes, int iters, int peer)
{
	(void)bytes, (void)iters, (void)peer;
	return -1; /* one rank: no peer */
}

double tk_comm_allreduce_time(size_t n, int iters)
{
	(void)n, (void)iters;
	return -1;
}

int tk_comm_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void tk_comm_finalize(void) {}
int tk_comm_rank(void) { return 0; }
int tk_comm_size(void) { return 1; }
int tk_comm_launched(void) { return 0; }
const char *tk_comm_library(void) { return "none"; }
void tk_comm_abort(int exit_code) { exit(exit_code); }
void tk_comm_barrier(void) {}

void tk_comm_allreduce_u64(uint64_t *buf, size_t n, tk_op op)
{
	(void)buf, (void)n, (void)op;
}

void tk_comm_allreduce_i64(int64_t *buf, size_t n, tk_op op)
{
	(void)buf, (void)n, (void)op;
}

void tk_comm_allreduce_f64(double *buf, size_t n, tk_op op)
{
	(void)buf, (void)n, (void)op;
}

void tk_comm_allreduce_pack(tk_pack *p) { tk_pack_local(p); }

void tk_comm_allreduce_loc(tk_loc *buf, size_t n, tk_op op)
{
	tk_pack p;
	tk_pack_init(&p);
	tk_pack_loc(&p, buf, n, op);
	tk_pack_local(&p);
}

void tk_comm_bcast(void *buf, size_t bytes, int root)
{
	(void)buf, (void)bytes, (void)root;
}

void tk_comm_gatherv(const void *sbuf, size_t sbytes, void *rbuf, const size_t *rbytes,
                     int root)
{
	(void)rbytes, (void)root;
	if (sbytes && sbuf != rbuf)
		memmove(rbuf, sbuf, sbytes);
}

void tk_comm_scatterv(const void *sbuf, const size_t *sbytes, void *rbuf, size_t rbytes,
                      int root)
{
	(void)sbytes, (void)root;
	if (rbytes && sbuf != rbuf)
		memmove(rbuf, sbuf, rbytes);
}

void tk_comm_scatterv_at(const void *sbuf, const size_t *sbytes, const size_t *soff,
                         void *rbuf, size_t rbytes, int root)
{
	(void)sbytes, (void)root;
	const char *in = (const char *)sbuf + soff[0];
	if (rbytes && in != rbuf)
		memmove(rbuf, in, rbytes);
}

void tk_comm_sendrecv(const void *sbuf, size_t sbytes, int dest, void *rbuf,
                      size_t rbytes, int src)
{
	/* with one rank the only neighbour is oneself */
	if (dest == 0 && src == 0 && sbytes == rbytes && sbytes)
		memmove(rbuf, sbuf, sbytes);
}

int tk_comm_counter_create(uint64_t n)
{
	counter_n = n;
	counter_next = 0;
	return 0;
}

uint64_t tk_comm_counter_next(void)
{
	uint64_t v;
#pragma omp atomic capture
	v = counter_next++;
	return v < counter_n ? v : counter_n;
}

void tk_comm_counter_free(void) { counter_n = counter_next = 0; }
int tk_comm_counter_any_thread(void) { return 1; }

int tk_comm_local_size(void) { return 1; }
