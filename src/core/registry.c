/*
 * registry.c: every kernel the toolkit has, once.  Adding a kernel is one row here
 * (and its family's source file); commands, bench and tests find it from this table,
 * and tests/core/test_registry.c checks every row.
 * Rule: a row names its kernel through its family's typed member of `run`; nothing
 * stands between the command's parameters and the kernel.
 */
#include <string.h>

#include "tk/filter_run.h"
#include "tk/kernel.h"
#include "tk/montecarlo.h"
#include "tk/reduce.h"
#include "tk/stencil.h"
#include "tk/tk.h"

static const tk_kernel kernels[] = {
	{"montecarlo", "pi", "estimate pi from points in the unit square", "cpu",
	 {.mc = tk_mc_pi}, "--model pi", "samples", (uint64_t)1 << 28, 1},
	{"montecarlo", "option", "price a European option, checked against Black-Scholes",
	 "cpu", {.mc = tk_mc_option}, "--model option", "samples", (uint64_t)1 << 24, 1},
	{"montecarlo", "ep", "NAS Parallel Benchmarks EP (Gaussian pairs), NPB-verified", "cpu",
	 {.mc = tk_mc_ep}, "--model ep --class W", NULL, 0, 0},
	{"reduce", "stats", "sum, min, max, mean, var, std (and hist) of an array, exact",
	 "memory", {.reduce = tk_reduce_stats_kernel}, "--model stats", "generate",
	 (uint64_t)1 << 27, 1},
	{"reduce", "membw", "read bandwidth: STREAM-style read-only sum", "memory",
	 {.reduce = tk_reduce_membw_kernel}, "--model membw", NULL, 0, 0},
	{"filter", "image",
	 "filter one image split in row strips over ranks (rows and halos in one transfer)",
	 "memory", {.filter = tk_filter_run_image},
	 "--filter gaussian --sigma 2 --generate 7680x4320", NULL, 0, 0},
	/* a folder of images needs files: bench has no preset for it */
	{"filter", "folder", "filter every image of a folder, a pool of workers taking whole "
	 "images", "io", {.filter = tk_filter_run_folder}, NULL, NULL, 0, 0},
	{"filter", "list", "filter every image of a list of paths and http(s) URLs, fetched by "
	 "the workers", "io", {.filter = tk_filter_run_folder}, NULL, NULL, 0, 0},
	/* an N x N grid: bench's --scaling weak grows N by the square root of the workers,
	 * so the work (N^2 points a step) grows as the workers do */
	{"stencil", "heat", "2-D heat equation: Jacobi sweeps, row strips, halos each step",
	 "memory", {.stencil = tk_stencil_run}, "--steps 50", "size", 2048, 2},
};

#define NKERNELS (sizeof kernels / sizeof kernels[0])

const tk_kernel *tk_kernel_list(size_t *n)
{
	*n = NKERNELS;
	return kernels;
}

const tk_kernel *tk_kernel_find(const char *command, const char *name)
{
	for (size_t i = 0; i < NKERNELS; i++)
		if (strcmp(kernels[i].command, command) == 0 && strcmp(kernels[i].name, name) == 0)
			return &kernels[i];
	return NULL;
}

const char *const *tk_kernel_names(const char *command)
{
	/* one list per command, built on first use (the commands call it while parsing,
	 * before any thread starts); the registry is small and fixed */
	static struct {
		const char *command; /* the rows' own string */
		const char *names[NKERNELS + 1];
	} lists[NKERNELS];
	static const char *const none[] = {NULL};
	for (size_t l = 0; l < NKERNELS; l++) {
		if (lists[l].command == NULL) {
			size_t n = 0;
			for (size_t i = 0; i < NKERNELS; i++)
				if (strcmp(kernels[i].command, command) == 0) {
					lists[l].command = kernels[i].command;
					lists[l].names[n++] = kernels[i].name;
				}
			lists[l].names[n] = NULL;
		}
		if (lists[l].command == NULL)
			return none; /* no kernel of that command: the slot stays free */
		if (strcmp(lists[l].command, command) == 0)
			return lists[l].names;
	}
	return none;
}

int tk_kernel_family(const tk_kernel *k)
{
	int family = -1, set = 0;
	if (k->run.mc)
		family = TK_FAMILY_MONTECARLO, set++;
	if (k->run.reduce)
		family = TK_FAMILY_REDUCE, set++;
	if (k->run.filter)
		family = TK_FAMILY_FILTER, set++;
	if (k->run.stencil)
		family = TK_FAMILY_STENCIL, set++;
	return set == 1 ? family : -1;
}

int tk_kernel_call(const tk_kernel *k, tk_kernel_args args, const tk_run_ctx *ctx,
                   tk_result *r)
{
	if (tk_kernel_family(k) != (int)args.family)
		return tk_error_set(TK_EINTERNAL, "%s %s: called with another family's parameters",
		                    k->command, k->name);
	switch (args.family) {
	case TK_FAMILY_MONTECARLO: return k->run.mc(args.p.mc, ctx, r);
	case TK_FAMILY_REDUCE: return k->run.reduce(args.p.reduce, ctx, r);
	case TK_FAMILY_FILTER: return k->run.filter(args.p.filter, ctx, r);
	case TK_FAMILY_STENCIL: return k->run.stencil(args.p.stencil, ctx, r);
	}
	return tk_error_set(TK_EINTERNAL, "%s %s: unknown family", k->command, k->name);
}
