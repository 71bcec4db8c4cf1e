/*
 * dispatch.c: the one place where a vector variant is chosen (see tk/simd.h).
 *
 * Rule: the CPU is asked once (__builtin_cpu_supports, which also checks that the OS
 * saves the wide registers); the best variant it runs is the default, --simd or
 * TK_SIMD may pick a lower one, never one the CPU lacks.  tk_fn then points at that
 * variant's entry points for every kernel in TK_SIMD_KERNELS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd/dispatch.h"
#include "tk/simd.h"
#include "tk/tk.h"

#if defined(__x86_64__)
#define HAVE_X86 1
#else
#define HAVE_X86 0
#endif

#define ROW_(name, ret, params, sfx) .name = name##_##sfx,
#define ROW_SCALAR_(name, ret, params) ROW_(name, ret, params, scalar)
#define ROW_V128_(name, ret, params) ROW_(name, ret, params, v128)
#define ROW_AVX2_(name, ret, params) ROW_(name, ret, params, avx2)
#define ROW_AVX512_(name, ret, params) ROW_(name, ret, params, avx512)

static const tk_functable tables[TK_SIMD_NVARIANTS] = {
	[TK_SIMD_SCALAR] = {TK_SIMD_KERNELS(ROW_SCALAR_)},
	[TK_SIMD_V128] = {TK_SIMD_KERNELS(ROW_V128_)},
#if HAVE_X86
	[TK_SIMD_AVX2] = {TK_SIMD_KERNELS(ROW_AVX2_)},
	[TK_SIMD_AVX512] = {TK_SIMD_KERNELS(ROW_AVX512_)},
#endif
};

tk_functable tk_fn;
static int active = -1;

const char *tk_simd_name(int v)
{
	switch (v) {
	case TK_SIMD_SCALAR:
		return "scalar";
	case TK_SIMD_V128:
#if HAVE_X86
		return "sse2";
#elif defined(__aarch64__)
		return "neon";
#else
		return "vec128";
#endif
	case TK_SIMD_AVX2:
		return "avx2";
	case TK_SIMD_AVX512:
		return "avx512";
	}
	return "?";
}

int tk_simd_available(int v)
{
	switch (v) {
	case TK_SIMD_SCALAR:
	case TK_SIMD_V128: /* SSE2 is part of x86-64; NEON of aarch64 */
		return 1;
#if HAVE_X86
	case TK_SIMD_AVX2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
		       __builtin_cpu_supports("bmi2");
	case TK_SIMD_AVX512:
		__builtin_cpu_init();
		return tk_simd_available(TK_SIMD_AVX2) && __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
		       __builtin_cpu_supports("avx512vl");
#endif
	}
	return 0;
}

int tk_simd_best(void)
{
	for (int v = TK_SIMD_NVARIANTS - 1; v > 0; v--)
		if (tk_simd_available(v))
			return v;
	return TK_SIMD_SCALAR;
}

const tk_functable *tk_simd_table(int v)
{
	return v >= 0 && v < TK_SIMD_NVARIANTS && tk_simd_available(v) ? &tables[v] : NULL;
}

static void set_active(int v)
{
	active = v;
	tk_fn = tables[v];
}

/* Before main: a library user that never calls tk_simd_choose() gets the best. */
__attribute__((constructor)) static void simd_init(void) { set_active(tk_simd_best()); }

int tk_simd_active(void)
{
	if (active < 0)
		set_active(tk_simd_best());
	return active;
}

const char *tk_simd_choices(void)
{
	static char buf[64];
	buf[0] = '\0';
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		if (!tk_simd_available(v))
			continue;
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, "%s%s", len ? ", " : "", tk_simd_name(v));
	}
	return buf;
}

const char *tk_simd_cpu_features(void)
{
	static char buf[160];
	if (buf[0])
		return buf;
#if HAVE_X86
	/* __builtin_cpu_supports takes literal names only: one test each */
	__builtin_cpu_init();
	snprintf(buf, sizeof buf, "%s%s%s%s%s%s%s%s%s%s%s", "sse2",
	         __builtin_cpu_supports("sse4.2") ? " sse4.2" : "",
	         __builtin_cpu_supports("avx") ? " avx" : "",
	         __builtin_cpu_supports("avx2") ? " avx2" : "",
	         __builtin_cpu_supports("fma") ? " fma" : "",
	         __builtin_cpu_supports("bmi2") ? " bmi2" : "",
	         __builtin_cpu_supports("avx512f") ? " avx512f" : "",
	         __builtin_cpu_supports("avx512bw") ? " avx512bw" : "",
	         __builtin_cpu_supports("avx512dq") ? " avx512dq" : "",
	         __builtin_cpu_supports("avx512vl") ? " avx512vl" : "",
	         __builtin_cpu_supports("avx512vnni") ? " avx512vnni" : "");
#elif defined(__aarch64__)
	snprintf(buf, sizeof buf, "neon (asimd)");
#else
	snprintf(buf, sizeof buf, "none known");
#endif
	return buf;
}

int tk_simd_choose(const char *name, const char *what)
{
	if (!name) {
		name = getenv("TK_SIMD");
		what = "TK_SIMD";
		if (!name || !*name)
			name = "auto";
	}
	if (strcmp(name, "auto") == 0) {
		set_active(tk_simd_best());
		return 0;
	}
	for (int v = 0; v < TK_SIMD_NVARIANTS; v++) {
		if (strcmp(name, tk_simd_name(v)) != 0)
			continue;
		if (!tk_simd_available(v))
			return tk_error_set(TK_EUSAGE,
			                    "%s %s: this CPU or build has no %s (this CPU has: %s; "
			                    "choices: auto, %s)",
			                    what, name, name, tk_simd_cpu_features(),
			                    tk_simd_choices());
		set_active(v);
		return 0;
	}
	return tk_error_set(TK_EUSAGE, "%s '%s' is not a SIMD variant (choices: auto, %s)",
	                    what, name, tk_simd_choices());
}

#define NAME_(name, ret, params) #name ", "
const char *tk_simd_kernel_list(void)
{
	static const char list[] = TK_SIMD_KERNELS(NAME_);
	static char buf[sizeof list];
	if (!buf[0]) {
		memcpy(buf, list, sizeof list);
		if (sizeof list > 2)
			buf[sizeof list - 3] = '\0'; /* the last ", " */
	}
	return buf;
}
