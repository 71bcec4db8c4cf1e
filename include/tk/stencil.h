/*
 * stencil.h: the stencil family: explicit (Jacobi) sweeps of the 2-D heat equation on
 * an N x N grid with a zero (Dirichlet) boundary, the 5-point update
 *     u'(i,j) = u(i,j) + alpha ((((u(i-1,j) + u(i+1,j)) + u(i,j-1)) + u(i,j+1)) - 4 u(i,j))
 * in exactly that order of operations at every point.
 *
 * Rule: the grid is cut in row strips by the decomposition layer (tk/decomp.h): rank r
 * owns a block of rows plus one halo row on each side, exchanged every step; its
 * threads split its rows.  A point's new value depends only on its neighbours' old
 * values through fixed IEEE operations, so the grid is bitwise the same for every
 * ranks x threads and every SIMD variant.  The start is the sine mode
 *     u0(i,j) = s(i) s(j),  s(k) = sin(pi k / (N + 1)),  i, j = 1..N
 * (through the toolkit's own sincos, tkmath.h), an eigenvector of the update: after S
 * steps the exact discrete answer is lambda^S u0 with
 *     lambda = 1 - 8 alpha sin^2(pi / (2 (N + 1))).
 */
#ifndef TK_STENCIL_H
#define TK_STENCIL_H

#include <stddef.h>
#include <stdint.h>

#include "tk/report.h"

/* Limits, all exact integers, checked by the option table: N >= 2 (N = 1 has no
 * interior neighbour to exchange), steps <= 2^40 (the rounding bound below stays far
 * under 1). */
#define TK_STENCIL_MIN_SIZE 2
#define TK_STENCIL_MAX_STEPS ((uint64_t)1 << 40)
/* the explicit scheme is stable (and the update a contraction) for alpha <= 1/4 */
#define TK_STENCIL_MAX_ALPHA 0.25

typedef struct tk_stencil_params {
	uint64_t size;  /* N: interior points per side */
	uint64_t steps; /* S >= 0; 0 reports the start */
	double alpha;   /* 0 < alpha <= 1/4 */
} tk_stencil_params;

void tk_stencil_params_default(tk_stencil_params *p);

/* The checks the option table cannot state, for N and steps within its limits; the
 * same verdict on every rank: TK_EUSAGE for alpha outside (0, 1/4] (with the reason);
 * TK_ENOMEM when this rank's two strip buffers, times the ranks on its node, exceed the
 * memory available (computed without overflow: a grid whose size overflows 64 bits is
 * too large).  Collective the first time (tk_comm_local_size). */
int tk_stencil_check(const tk_stencil_params *p);

/* The registered kernel: sweeps, verification against lambda^S u0, digest of the grid;
 * collective.  p has passed the option table and tk_stencil_check (the kernel does not
 * check it again).  Returns 0 or a negative TK_E* status (never a failed verification,
 * which is r->verified). */
int tk_stencil_run(const tk_stencil_params *p, const tk_run_ctx *ctx, tk_result *r);

/* The local sweep of a strip: rows [0, rows) of out from in, each row n points, rows
 * `stride` doubles apart.  in and out point at the strip's first own row, first
 * interior point; rows -1 and `rows` and columns -1 and n of in must be readable (halo
 * rows, or the zero boundary).  Uses the active SIMD variant. */
void tk_stencil_sweep(const double *in, double *out, size_t stride, uint64_t rows,
                      uint64_t n, double alpha);

/* lambda for N and alpha (see above), through tk_sincos_2pi. */
double tk_stencil_lambda(uint64_t n, double alpha);
/* x^s by binary powering (a fixed sequence of roundings, the same everywhere). */
double tk_stencil_pow(double x, uint64_t s);
/* The verification's bound on max |u_S - lambda^S u0| from rounding alone, in units of
 * u = 2^-53: (16 S + 16) u (docs/stencil.md derives 12.75 S + 11 to first order). */
double tk_stencil_tolerance(uint64_t steps);

#endif
