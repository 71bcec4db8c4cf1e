/*
 * kernel.h: the kernel registry (Lua's luaL_Reg, PETSc's register-all): one table that
 * the commands, `toolkit bench` and the tests all read, so a kernel is registered once.
 */
#ifndef TK_KERNEL_H
#define TK_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "tk/report.h"

typedef struct tk_kernel {
	const char *command;    /* command that runs it: "montecarlo" */
	const char *name;       /* its model/op name within the command: "pi" */
	const char *summary;
	const char *kind;       /* "cpu", "memory" or "io": how it is expected to scale */
	/* run with the command's parameter struct (tk_mc_params for montecarlo, ...) */
	int (*run)(const void *params, const tk_run_ctx *ctx, tk_result *r);
	const char *bench_args; /* arguments bench passes for its preset size */
	const char *size_opt;   /* the option bench scales for weak scaling, or NULL */
	uint64_t bench_size;    /* preset value of size_opt */
} tk_kernel;

/* All kernels, in a fixed order; *n gets their count. */
const tk_kernel *tk_kernel_list(size_t *n);
/* The kernel `name` of `command`, or NULL. */
const tk_kernel *tk_kernel_find(const char *command, const char *name);
/* NULL-terminated names of `command`'s kernels, in registry order (for --model). */
const char *const *tk_kernel_names(const char *command);

#endif
