/*
 * simd.h: which vector instruction set the hot kernels use, chosen once at start-up.
 *
 * Rule: every hot kernel is written once, in src/FAMILY_simd.c, against the vector layer
 * (src/simd/vec.h), and the Makefile compiles that one source once per variant: scalar
 * (one lane, the reference), a 128-bit variant (SSE2 on x86-64, NEON on aarch64),
 * AVX2 and AVX-512 (x86-64 only).  The variants give the same bits: the same IEEE
 * operations in the same order per logical lane, no contraction into FMA, no libm
 * calls whose result could depend on the CPU.  One table (src/simd/dispatch.c, zlib-ng's
 * functable) holds the active variant's entry points; `--simd` or TK_SIMD picks it,
 * otherwise the best one this CPU runs.
 */
#ifndef TK_SIMD_H
#define TK_SIMD_H

enum {
	TK_SIMD_SCALAR = 0, /* one lane: the reference every other variant matches */
	TK_SIMD_V128 = 1,   /* 128-bit vectors: "sse2" on x86-64, "neon" on aarch64 */
	TK_SIMD_AVX2 = 2,   /* x86-64-v3: AVX2, FMA (unused: no contraction), BMI2 */
	TK_SIMD_AVX512 = 3, /* x86-64-v4: AVX-512 F, BW, DQ, VL */
	TK_SIMD_NVARIANTS = 4,
};

/* The variant's name ("scalar", "sse2", "neon", "avx2", "avx512"). */
const char *tk_simd_name(int variant);
/* 1 when this binary carries the variant and this CPU can run it. */
int tk_simd_available(int variant);
/* The best available variant. */
int tk_simd_best(void);
/* Choose the variant by name ("auto" or one of the names); NULL means TK_SIMD from the
 * environment, else auto.  An unknown name or one this CPU cannot run is a usage
 * error (TK_EUSAGE) whose message lists what this CPU has.  `what` names the source
 * in the message ("--simd", "TK_SIMD"). */
int tk_simd_choose(const char *name, const char *what);
/* The active variant (auto's choice until tk_simd_choose() says otherwise). */
int tk_simd_active(void);
/* Space-separated vector features of this CPU ("sse2 sse4.2 avx avx2 fma avx512f ..."). */
const char *tk_simd_cpu_features(void);
/* Comma-separated names of the available variants, best last ("scalar, sse2, avx2"). */
const char *tk_simd_choices(void);

/* Comma-separated names of the kernels that have variants (src/simd/dispatch.h). */
const char *tk_simd_kernel_list(void);

#endif
