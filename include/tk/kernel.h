/*
 * kernel.h: the kernel registry (Lua's luaL_Reg, PETSc's register-all): one table that
 * the commands, `toolkit bench` and the tests all read, so a kernel is registered once.
 *
 * The contract: a kernel is a function of its family's typed parameters,
 *     int kernel(const tk_<family>_params *p, const tk_run_ctx *ctx, tk_result *r);
 * collective over ranks, returning 0 or a negative TK_E* status.  p has been checked
 * where it was parsed (the option table and the command's checks); the kernel trusts
 * it.  It fills r, which owns whatever arrays it holds until tk_result_free: nothing
 * the report reads lives in the kernel's statics.  A registry row names the kernel
 * through its family's member of `run`, the one that is set; there is no void * and
 * no adapter in between.
 */
#ifndef TK_KERNEL_H
#define TK_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "tk/report.h"

/* each family's parameters, declared in its header (tk/montecarlo.h, tk/reduce.h,
 * tk/filter_run.h, tk/stencil.h) */
typedef struct tk_mc_params tk_mc_params;
typedef struct tk_reduce_params tk_reduce_params;
typedef struct tk_filter_job tk_filter_job;
typedef struct tk_stencil_params tk_stencil_params;

typedef enum tk_family {
	TK_FAMILY_MONTECARLO,
	TK_FAMILY_REDUCE,
	TK_FAMILY_FILTER,
	TK_FAMILY_STENCIL,
} tk_family;

typedef struct tk_kernel {
	const char *command;    /* command that runs it: "montecarlo" */
	const char *name;       /* its model/op name within the command: "pi" */
	const char *summary;
	const char *kind;       /* "cpu", "memory" or "io": how it is expected to scale */
	struct {                /* the kernel: exactly one member is set, its family's */
		int (*mc)(const tk_mc_params *p, const tk_run_ctx *ctx, tk_result *r);
		int (*reduce)(const tk_reduce_params *p, const tk_run_ctx *ctx, tk_result *r);
		int (*filter)(const tk_filter_job *p, const tk_run_ctx *ctx, tk_result *r);
		int (*stencil)(const tk_stencil_params *p, const tk_run_ctx *ctx, tk_result *r);
	} run;
	const char *bench_args; /* arguments bench passes for its preset size */
	const char *size_opt;   /* the option bench scales for weak scaling, or NULL */
	uint64_t bench_size;    /* preset value of size_opt */
	int size_dims;          /* the work grows as size_opt^size_dims (a grid's side: 2), so
	                         * weak scaling multiplies size_opt by workers^(1/size_dims);
	                         * 1 for a count, 0 without size_opt */
} tk_kernel;

/* One run's parameters, tagged with their family (tk_args_mc(&p), ...). */
typedef struct tk_kernel_args {
	tk_family family;
	union {
		const tk_mc_params *mc;
		const tk_reduce_params *reduce;
		const tk_filter_job *filter;
		const tk_stencil_params *stencil;
	} p;
} tk_kernel_args;

static inline tk_kernel_args tk_args_mc(const tk_mc_params *p)
{
	return (tk_kernel_args){TK_FAMILY_MONTECARLO, {.mc = p}};
}
static inline tk_kernel_args tk_args_reduce(const tk_reduce_params *p)
{
	return (tk_kernel_args){TK_FAMILY_REDUCE, {.reduce = p}};
}
static inline tk_kernel_args tk_args_filter(const tk_filter_job *p)
{
	return (tk_kernel_args){TK_FAMILY_FILTER, {.filter = p}};
}
static inline tk_kernel_args tk_args_stencil(const tk_stencil_params *p)
{
	return (tk_kernel_args){TK_FAMILY_STENCIL, {.stencil = p}};
}

/* All kernels, in a fixed order; *n gets their count. */
const tk_kernel *tk_kernel_list(size_t *n);
/* The kernel `name` of `command`, or NULL. */
const tk_kernel *tk_kernel_find(const char *command, const char *name);
/* NULL-terminated names of `command`'s kernels, in registry order (for --model); an
 * empty list for a command with none. */
const char *const *tk_kernel_names(const char *command);
/* The family of k: the one whose member of k->run is set; -1 when none or several are
 * (a broken row). */
int tk_kernel_family(const tk_kernel *k);
/* Run k with args: TK_EINTERNAL (recorded) when args are another family's; otherwise
 * the kernel's own status.  Collective, as the kernel is. */
int tk_kernel_call(const tk_kernel *k, tk_kernel_args args, const tk_run_ctx *ctx,
                   tk_result *r);

#endif
