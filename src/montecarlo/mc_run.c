/*
 * mc_run.c: the Monte Carlo driver: epochs, the global combine, checkpoints (mc_run.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "montecarlo/mc_run.h"
#include "tk/comm.h"
#include "tk/decomp.h"
#include "tk/timer.h"
#include "tk/tk.h"
#include "tk/tmpfile.h"

/* Rank 0 loads the checkpoint and checks it against the run; every rank gets it. */
static int load(const char *path, tk_ckpt *st)
{
	tk_ckpt f;
	int rc = 0;
	if (tk_comm_rank() == 0) {
		rc = tk_ckpt_read(path, &f);
		if (rc == 0)
			rc = tk_ckpt_match(path, &f, st);
	}
	rc = tk_error_share(rc);
	if (rc < 0)
		return rc;
	tk_comm_bcast(&f, sizeof f, 0);
	if (tk_comm_rank() == 0)
		fprintf(stderr, "toolkit: note: resuming %s: %llu of %llu work units done\n", path,
		        (unsigned long long)f.done, (unsigned long long)f.total);
	st->done = f.done;
	memcpy(st->u, f.u, sizeof st->u);
	memcpy(st->x, f.x, sizeof st->x);
	return 0;
}

static int save(const char *path, const tk_ckpt *st)
{
	int rc = tk_comm_rank() == 0 ? tk_ckpt_write(path, st) : 0;
	return tk_error_share(rc);
}

static void stop(const char *path, const tk_ckpt *st, int sig)
{
	tk_progress_end();
	if (tk_comm_rank() == 0)
		fprintf(stderr,
		        "toolkit: note: %s: checkpoint %s written (%llu of %llu work units "
		        "done); resume with --resume %s; exit %d\n",
		        sig == SIGTERM ? "SIGTERM" : "SIGUSR1", path, (unsigned long long)st->done,
		        (unsigned long long)st->total, path, 128 + sig);
	fflush(stdout);
	tk_comm_finalize();
	exit(128 + sig);
}

int tk_mc_run(const tk_mc_params *p, const tk_run_ctx *ctx, const tk_mc_job *job,
              tk_ckpt *st, double *seconds)
{
	st->done = 0;
	memset(st->u, 0, sizeof st->u);
	for (int i = 0; i < TK_CKPT_MAX_X; i++)
		tk_xsum_init(&st->x[i]);
	if (p->resume)
		TK_CHECK(load(p->resume, st));
	if (p->checkpoint)
		tk_signals_defer();
	uint64_t R = (uint64_t)tk_comm_size(), r = (uint64_t)tk_comm_rank();
	uint64_t epoch = job->epoch * R * (uint64_t)(ctx->threads > 0 ? ctx->threads : 1);
	tk_comm_barrier();
	double t0 = tk_now(), last = t0;
	tk_progress_begin(ctx, job->label, (st->total - st->done + R - 1) / R);
	while (st->done < st->total) {
		uint64_t left = st->total - st->done;
		uint64_t n = p->checkpoint && epoch < left ? epoch : left;
		tk_range b = tk_decomp_rank(n);
		uint64_t u[TK_CKPT_MAX_U] = {0};
		tk_xsum x[TK_CKPT_MAX_X];
		for (int i = 0; i < st->nx; i++)
			tk_xsum_init(&x[i]);
		job->local(job->arg, st->done + b.lo, st->done + b.hi, u, x);
		/* the epoch's combine: counts and exact sums in one packed collective */
		int64_t w[TK_CKPT_MAX_X][TK_XSUM_WORDS];
		tk_pack pk;
		tk_pack_init(&pk);
		if (st->nu > 0)
			tk_pack_u64(&pk, u, (size_t)st->nu, TK_SUM);
		for (int i = 0; i < st->nx; i++) {
			tk_xsum_to_words(&x[i], w[i]);
			tk_pack_i64(&pk, w[i], TK_XSUM_WORDS, TK_SUM);
		}
		tk_comm_allreduce_pack(&pk);
		for (int i = 0; i < st->nx; i++) {
			tk_xsum_from_words(&x[i], w[i]);
			tk_xsum_merge(&st->x[i], &x[i]);
		}
		for (int i = 0; i < st->nu; i++)
			st->u[i] += u[i];
		st->done += n;
		if (!p->checkpoint)
			continue;
		/* agree whether to write now: a signal on any rank, rank 0's clock */
		double now = tk_now();
		uint64_t why[2] = {(uint64_t)tk_signals_pending(),
		                   r == 0 && now - last >= p->checkpoint_every};
		tk_comm_allreduce_u64(why, 2, TK_MAX);
		if (why[0] || why[1] || st->done == st->total) {
			TK_CHECK(save(p->checkpoint, st));
			last = tk_now();
		}
		if (why[0] && st->done < st->total)
			stop(p->checkpoint, st, (int)why[0]);
	}
	tk_progress_end();
	*seconds = tk_now() - t0;
	return 0;
}
