/*
 * ep.c: the NAS Parallel Benchmarks EP kernel ("embarrassingly parallel"), with its own
 * generator x <- 5^13 x mod 2^46 and the published verification values.
 *
 * Rule: the work is NPB's own batches of 2^16 pairs; batch k starts at the generator
 * jumped 2^17 k steps ahead of the seed, so any rank or thread can start anywhere.  A
 * batch's sums are formed in pair order with NPB's arithmetic (the log is the
 * toolkit's own, tkmath.h, so the bits do not depend on the CPU's libm); the SIMD
 * kernel (montecarlo_simd.c, tk_ep_lanes) runs one batch per vector lane.  Batch sums
 * meet in an exact accumulator, so the reported sums do not depend on ranks x threads
 * or on the SIMD variant.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simd/dispatch.h"
#include "montecarlo/mc_run.h"
#include "tk/comm.h"
#include "tk/montecarlo.h"
#include "tk/timer.h"
#include "tk/tk.h"
#include "tk/xsum.h"

#define MK 16
#define NK (1u << MK) /* pairs per batch */
#define NQ 10
#define MASK46 ((1ull << 46) - 1)
#define GROUP 16 /* batches per call: a multiple of every variant's lanes (2 VL) */

/* NPB 3.0-3.3 signed sums; NPB 3.4 sums of absolute values and accepted pairs. */
static const tk_ep_ref refs[] = {
	{'S', 24, -3.247834652034740e3, -6.958407078382297e3, 1.051299420395306e7,
	 1.051517131857535e7, 13176389ull},
	{'W', 25, -2.863319731645753e3, -6.320053679109499e3, 2.102505525182392e7,
	 2.103162209578822e7, 26354769ull},
	{'A', 28, -4.295875165629892e3, -1.580732573678431e4, 1.682235632304711e8,
	 1.682195123368299e8, 210832767ull},
	{'B', 30, 4.033815542441498e4, -2.660669192809235e4, 6.728927543423024e8,
	 6.728951822504275e8, 843345606ull},
	{'C', 32, 4.764367927995374e4, -8.084072988043731e4, 2.691444083862931e9,
	 2.691519118724585e9, 3373275903ull},
};

/* NPB class S annulus counts (published with the benchmark's sample output). */
static const uint64_t class_s_counts[NQ] = {6140517, 5865300, 1100361, 68546, 1648, 17,
                                            0,       0,       0,       0};

const tk_ep_ref *tk_ep_reference(char cls)
{
	for (size_t i = 0; i < TK_ARRAY_SIZE(refs); i++)
		if (refs[i].cls == cls)
			return &refs[i];
	return NULL;
}

/* (a * x) mod 2^46: the low 46 bits of the 64-bit wrapped product are exact, since
 * 2^46 divides 2^64. */
static inline uint64_t mulmod46(uint64_t a, uint64_t x) { return (a * x) & MASK46; }

uint64_t tk_ep_jump(uint64_t x, uint64_t n)
{
	uint64_t p = TK_EP_A;
	for (; n; n >>= 1) {
		if (n & 1)
			x = mulmod46(p, x);
		p = mulmod46(p, p);
	}
	return x;
}

void tk_ep_batch(uint64_t k, double s[4], uint64_t q[NQ]) { tk_ep_batches(k, 1, s, q); }

void tk_ep_batches(uint64_t k0, uint64_t n, double *s, uint64_t q[NQ])
{
	tk_fn.tk_ep_lanes(k0, n, s, q);
}

static int rel_ok(double got, double want) { return fabs((got - want) / want) <= 1e-8; }

static void ep_local(const void *arg, uint64_t b0, uint64_t b1, uint64_t *q, tk_xsum *acc)
{
	(void)arg;
#pragma omp parallel
	{
		tk_xsum mine[4];
		uint64_t qm[NQ] = {0};
		for (int i = 0; i < 4; i++)
			tk_xsum_init(&mine[i]);
#pragma omp for schedule(dynamic, 1)
		for (uint64_t g = b0; g < b1; g += GROUP) {
			uint64_t n = b1 - g < GROUP ? b1 - g : GROUP;
			double s[4 * GROUP];
			tk_ep_batches(g, n, s, qm);
			for (uint64_t k = 0; k < n; k++)
				for (int i = 0; i < 4; i++)
					tk_xsum_add(&mine[i], s[4 * k + (uint64_t)i]);
			tk_progress_add(n);
		}
#pragma omp critical(tk_mc_ep)
		{
			for (int i = 0; i < 4; i++)
				tk_xsum_merge(&acc[i], &mine[i]);
			for (int i = 0; i < NQ; i++)
				q[i] += qm[i];
		}
	}
}

int tk_mc_ep(const tk_mc_params *p, const tk_run_ctx *ctx, tk_result *r)
{
	const tk_ep_ref *ref = tk_ep_reference(p->ep_class);
	TK_REQUIRE(ref, TK_EUSAGE, "montecarlo: --class '%c' is not one of: S, W, A, B, C",
	           p->ep_class);
	tk_ckpt st;
	memset(&st, 0, sizeof st);
	snprintf(st.model, sizeof st.model, "ep");
	st.param_names[0] = "--class";
	st.params[0] = (uint64_t)(unsigned char)p->ep_class;
	st.param_names[1] = "batch size";
	st.params[1] = NK;
	st.nparams = 2;
	st.total = (uint64_t)1 << (ref->m - MK);
	st.nu = NQ;
	st.nx = 4;
	const tk_mc_job job = {"montecarlo ep", 2 * GROUP, ep_local, NULL};
	double secs;
	TK_CHECK(tk_mc_run(p, ctx, &job, &st, &secs));
	tk_xsum *acc = st.x;
	uint64_t *q = st.u;
	tk_result_time(r, secs);

	uint64_t gc = 0;
	for (int i = 0; i < NQ; i++)
		gc += q[i];
	double sx = tk_xsum_round(&acc[0]), sy = tk_xsum_round(&acc[1]);
	double ax = tk_xsum_round(&acc[2]), ay = tk_xsum_round(&acc[3]);
	char cls[2] = {p->ep_class, '\0'};
	r->size = (uint64_t)2 << ref->m;
	r->size_unit = "uniforms";
	tk_result_str(r, "class", cls);
	tk_result_f64(r, "sx", sx);
	tk_result_f64(r, "sy", sy);
	tk_result_f64(r, "sx_abs", ax);
	tk_result_f64(r, "sy_abs", ay);
	tk_result_u64(r, "pairs", gc);
	TK_CHECK(tk_result_u64s(r, "counts", q, NQ)); /* a copy: st is this function's */
	tk_result_ref_f64(r, "ref_sx", ref->sx);
	tk_result_ref_f64(r, "ref_sy", ref->sy);
	int ok33 = rel_ok(sx, ref->sx) && rel_ok(sy, ref->sy);
	int ok34 = rel_ok(ax, ref->ax) && rel_ok(ay, ref->ay) && gc == ref->gc;
	int okq = p->ep_class != 'S' || memcmp(q, class_s_counts, sizeof class_s_counts) == 0;
	tk_result_verify(r, ok33 && ok34 && okq,
	                 "NPB 3.3 sums %s, NPB 3.4 sums and pairs %s%s (relative error <= 1e-8)",
	                 ok33 ? "match" : "DIFFER", ok34 ? "match" : "DIFFER",
	                 p->ep_class == 'S' ? (okq ? ", class S counts match"
	                                           : ", class S counts DIFFER")
	                                    : "");
	r->work = (double)r->size;
	r->rate_unit = "Mop/s";
	r->rate_scale = 1e6;
	return 0;
}
