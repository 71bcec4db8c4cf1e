/*
 * stencil_simd.c: the stencil family's row kernel, one source for every vector variant
 * (compiled once per variant: see tk/simd.h and vec.h).
 *
 * Rule: every point takes the same IEEE operations in the same order (POINT below,
 * written once for a vector of points and for one point), so the variants differ only
 * in how many points they do at a time, and every variant gives the scalar one's bits.
 * The remainder of a row (n % VL points) goes through the same POINT on doubles.
 */
#include <stddef.h>

#include "simd/dispatch.h"
#include "simd/vec.h"

/* u + alpha ((((up + down) + left) + right) - 4 u): 4 u is exact, no contraction
 * (-ffp-contract=off), for doubles and for vectors of them alike */
#define POINT(up, dn, l, r, c, a) ((c) + (a) * (((((up) + (dn)) + (l)) + (r)) - 4.0 * (c)))

void TK_SIMD_FN(tk_stencil_row)(const double *up, const double *mid, const double *down,
                                double *out, size_t n, double alpha)
{
	vd va = vd_splat(alpha);
	size_t j = 0;
	for (; j + 2 * VL <= n; j += 2 * VL) {
		/* two vectors a turn: independent chains for the adders */
#pragma GCC unroll 2
		for (int k = 0; k < 2; k++) {
			size_t i = j + (size_t)k * VL;
			vd c = vd_load(mid + i);
			vd_store(out + i, POINT(vd_load(up + i), vd_load(down + i),
			                        vd_load(mid + i - 1), vd_load(mid + i + 1), c, va));
		}
	}
	for (; j < n; j++)
		out[j] = POINT(up[j], down[j], mid[j - 1], mid[j + 1], mid[j], alpha);
}
