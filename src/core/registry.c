/*
 * registry.c: every kernel the toolkit has, once.  Adding a kernel is one row here
 * (and its family's source file); commands, bench and tests find it from this table.
 */
#include <string.h>

#include "tk/filter_run.h"
#include "tk/kernel.h"
#include "tk/montecarlo.h"
#include "tk/reduce.h"
#include "tk/stencil.h"

static int mc_pi(const void *p, const tk_run_ctx *c, tk_result *r) { return tk_mc_pi(p, c, r); }
static int mc_option(const void *p, const tk_run_ctx *c, tk_result *r)
{
	return tk_mc_option(p, c, r);
}
static int mc_ep(const void *p, const tk_run_ctx *c, tk_result *r) { return tk_mc_ep(p, c, r); }
static int filter_image(const void *p, const tk_run_ctx *c, tk_result *r)
{
	return tk_filter_run_image(p, c, r);
}
static int filter_folder(const void *p, const tk_run_ctx *c, tk_result *r)
{
	return tk_filter_run_folder(p, c, r);
}

static int reduce_stats(const void *p, const tk_run_ctx *c, tk_result *r)
{
	return tk_reduce_stats_kernel(p, c, r);
}
static int reduce_membw(const void *p, const tk_run_ctx *c, tk_result *r)
{
	return tk_reduce_membw_kernel(p, c, r);
}
static int stencil_heat(const void *p, const tk_run_ctx *c, tk_result *r)
{
	return tk_stencil_run(p, c, r);
}

static const tk_kernel kernels[] = {
	{"montecarlo", "pi", "estimate pi from points in the unit square", "cpu", mc_pi,
	 "--model pi", "samples", (uint64_t)1 << 28},
	{"montecarlo", "option", "price a European option, checked against Black-Scholes",
	 "cpu", mc_option, "--model option", "samples", (uint64_t)1 << 24},
	{"montecarlo", "ep", "NAS Parallel Benchmarks EP (Gaussian pairs), NPB-verified", "cpu",
	 mc_ep, "--model ep --class W", NULL, 0},
	{"reduce", "stats", "sum, min, max, mean, var, std (and hist) of an array, exact",
	 "memory", reduce_stats, "--model stats", "generate", (uint64_t)1 << 27},
	{"reduce", "membw", "read bandwidth: STREAM-style read-only sum", "memory", reduce_membw,
	 "--model membw", NULL, 0},
	{"filter", "image", "filter one image split in row strips over ranks (halo exchange)",
	 "memory", filter_image, "--filter gaussian --sigma 2 --generate 7680x4320", NULL, 0},
	/* a folder of images needs files: bench has no preset for it */
	{"filter", "folder", "filter every image of a folder, a pool of workers taking whole "
	 "images", "io", filter_folder, NULL, NULL, 0},
	{"filter", "list", "filter every image of a list of paths and http(s) URLs, fetched by "
	 "the workers", "io", filter_folder, NULL, NULL, 0},
	/* bench's --scaling weak multiplies --size by the workers: the work grows as their
	 * square (docs/stencil.md) */
	{"stencil", "heat", "2-D heat equation: Jacobi sweeps, row strips, halos each step",
	 "memory", stencil_heat, "--steps 50", "size", 2048},
};

const tk_kernel *tk_kernel_list(size_t *n)
{
	*n = sizeof kernels / sizeof kernels[0];
	return kernels;
}

const tk_kernel *tk_kernel_find(const char *command, const char *name)
{
	for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
		if (strcmp(kernels[i].command, command) == 0 && strcmp(kernels[i].name, name) == 0)
			return &kernels[i];
	return NULL;
}

const char *const *tk_kernel_names(const char *command)
{
	/* one list per command, built on first use; the registry is small and fixed */
	static struct {
		const char *command;
		const char *names[sizeof kernels / sizeof kernels[0] + 1];
	} lists[sizeof kernels / sizeof kernels[0]];
	for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
		if (lists[l].command == NULL) {
			size_t n = 0;
			lists[l].command = command;
			for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
				if (strcmp(kernels[i].command, command) == 0)
					lists[l].names[n++] = kernels[i].name;
			lists[l].names[n] = NULL;
		}
		if (strcmp(lists[l].command, command) == 0)
			return lists[l].names;
	}
	return lists[0].names;
}
