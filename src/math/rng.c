/*
 * rng.c: Philox4x32-10 over many blocks at once: the active SIMD variant's loop
 * (rng_simd.c), whose per-block arithmetic is exactly tk_philox4x32_10's.
 */
#include "simd/dispatch.h"
#include "tk/rng.h"

void tk_philox_fill(uint64_t first, uint32_t stream, tk_philox_key key, uint32_t *out,
                    uint64_t n)
{
	tk_fn.tk_philox_fill_lanes(first, stream, key, out, n);
}
