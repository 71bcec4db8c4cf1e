/*
 * mc_run.h: the driver shared by the Monte Carlo kernels: the work units [0, total)
 * run in epochs, each split over the ranks (and the kernel's threads), the epoch's exact
 * partials combined into the global state, and that state checkpointed between epochs
 * (--checkpoint, --checkpoint-every, --resume; SIGTERM/SIGUSR1 checkpoint and exit).
 * Rule: every rank holds the same global state after every epoch; only rank 0 reads
 * or writes the file, and its outcome is shared, so no rank is left waiting.
 */
#ifndef TK_MC_RUN_H
#define TK_MC_RUN_H

#include "tk/checkpoint.h"
#include "tk/montecarlo.h"

typedef struct tk_mc_job {
	const char *label; /* progress label, e.g. "montecarlo pi" */
	uint64_t epoch;    /* work units per worker (rank x thread) per epoch when checkpointing */
	/* add this rank's units [b0, b1) to u[0..nu) and x[0..nx) (initialised by the
	 * driver); called on every rank, with b0 == b1 where a rank has none */
	void (*local)(const void *arg, uint64_t b0, uint64_t b1, uint64_t *u, tk_xsum *x);
	const void *arg;
} tk_mc_job;

/* Run job: st describes the run (model, params and names, total, nu, nx) and ends
 * holding the global result.  *seconds: the time of the run's work (this process).
 * Returns 0 or a negative TK_E* (a checkpoint refused or not written), on every rank. */
int tk_mc_run(const tk_mc_params *p, const tk_run_ctx *ctx, const tk_mc_job *job,
              tk_ckpt *st, double *seconds);

#endif
