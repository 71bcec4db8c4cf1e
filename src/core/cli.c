/*
 * cli.c: common options and the execution model's rules for threads and mode.
 * Rule: the mode is derived from ranks x threads, never a code path; --mode only checks
 * (and, for serial and mpi, implies one thread per rank).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/kernel.h"
#include "tk/omp.h"
#include "tk/simd.h"
#include "tk/sysinfo.h"
#include "tk/tk.h"
#include "tk/topology.h"
#include "tk/world.h"

const char *const tk_mode_names[TK_NMODES + 1] = {
	[TK_MODE_SERIAL] = "serial", [TK_MODE_OMP] = "omp", [TK_MODE_MPI] = "mpi",
	[TK_MODE_HYBRID] = "hybrid", [TK_NMODES] = NULL,
};
static const char *const format_names[] = {"text", "json", "csv", NULL};

const char *tk_mode_name(int ranks, int threads)
{
	if (ranks <= 1)
		return tk_mode_names[threads <= 1 ? TK_MODE_SERIAL : TK_MODE_OMP];
	return tk_mode_names[threads <= 1 ? TK_MODE_MPI : TK_MODE_HYBRID];
}

static int resolve_threads(const char *cmd, int given, int threads, int *out)
{
	if (given) {
		*out = threads;
		return 0;
	}
	const char *env = getenv("OMP_NUM_THREADS");
	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);
		/* OMP_NUM_THREADS may be a list ("4,2") for nesting; we use its first level */
		if (end == env || (*end && *end != ',') || v < 1 || v > 4096)
			return tk_error_set(TK_EUSAGE,
			                    "%s: OMP_NUM_THREADS='%s' is not a thread count "
			                    "(1 to 4096)",
			                    cmd, env);
		*out = (int)v;
		return 0;
	}
	*out = tk_comm_size() > 1 ? 1 : tk_sys_cores();
	return 0;
}

static int check_mode(const char *cmd, int mode, int ranks, int threads_given, int *threads,
                      int mismatch)
{
	int have_mpi = strcmp(tk_comm_library(), "none") != 0;
	switch (mode) {
	case TK_MODE_SERIAL:
	case TK_MODE_OMP:
		TK_REQUIRE(ranks == 1, TK_EUSAGE,
		           "%s: --mode %s runs one process, but this run has %d ranks "
		           "(run without mpirun, or use --mode %s)",
		           cmd, tk_mode_names[mode], ranks, mode == TK_MODE_SERIAL ? "mpi" : "hybrid");
		if (mode == TK_MODE_SERIAL) {
			TK_REQUIRE(!threads_given || *threads == 1, TK_EUSAGE,
			           "%s: --mode serial uses 1 thread, but --threads %d was given",
			           cmd, *threads);
			*threads = 1;
		}
		return 0;
	case TK_MODE_MPI:
	case TK_MODE_HYBRID:
		TK_REQUIRE(have_mpi, TK_EUSAGE,
		           "%s: --mode %s needs MPI, but this toolkit was built without it "
		           "(rebuild with make MPI=1; valid modes here: serial, omp)",
		           cmd, tk_mode_names[mode]);
		TK_REQUIRE(!mismatch, TK_EUSAGE,
		           "%s: --mode %s: the launcher started more tasks than this run's world "
		           "of %d rank%s has (see the warning above): the launcher and the build's "
		           "MPI do not match",
		           cmd, tk_mode_names[mode], ranks, ranks == 1 ? "" : "s");
		TK_REQUIRE(ranks > 1, TK_EUSAGE,
		           "%s: --mode %s needs more than one rank (run under mpirun -np R, "
		           "R > 1); this run has 1 rank",
		           cmd, tk_mode_names[mode]);
		if (mode == TK_MODE_MPI) {
			TK_REQUIRE(!threads_given || *threads == 1, TK_EUSAGE,
			           "%s: --mode mpi uses 1 thread per rank, but --threads %d was "
			           "given (use --mode hybrid)",
			           cmd, *threads);
			*threads = 1;
		} else {
			TK_REQUIRE(*threads > 1, TK_EUSAGE,
			           "%s: --mode hybrid needs more than one thread per rank "
			           "(give --threads T, T > 1)",
			           cmd);
		}
		return 0;
	}
	return 0;
}

static int own_has(const tk_opt *own, const char *name)
{
	for (const tk_opt *o = own; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return 1;
	return 0;
}

static int cli_begin(tk_run_ctx *ctx, const char *cmd, const char *synopsis, int argc,
                     char **argv, const tk_opt *own, const char **pos, int maxpos, int *npos,
                     int driver)
{
	int threads = 0, threads_given = 0, mode = -1, format = 0, quiet = 0, help = 0;
	int placement = 0;
	const char *simd = NULL;
	const tk_opt common[] = {
		{"threads", TK_OPT_INT, &threads, "T",
		 "OpenMP threads per rank (default: OMP_NUM_THREADS, else all cores without "
		 "mpirun, 1 per rank with it)",
		 NULL, 1, 4096, 0, &threads_given, 0, 0},
		{"mode", TK_OPT_CHOICE, &mode, "M",
		 "check that the run is in this mode (serial and mpi imply 1 thread)", tk_mode_names,
		 0, 0, 0, NULL, 0, 0},
		{"format", TK_OPT_CHOICE, &format, "F", "output format", format_names, 0, 0, 0,
		 NULL, 0, 0},
		{"simd", TK_OPT_STR, &simd, "V",
		 "vector variant of the hot kernels: auto (the best this CPU runs), scalar, "
		 "sse2|neon, avx2, avx512 (default: TK_SIMD, else auto)",
		 NULL, 0, 0, 0, NULL, 0, 0},
		{"quiet", TK_OPT_FLAG, &quiet, NULL, "no progress display on stderr", NULL, 0, 0,
		 0, NULL, 0, 0},
		{"placement", TK_OPT_FLAG, &placement, NULL,
		 "print where ranks and threads ran: rank -> host -> cores -> threads, with "
		 "warnings (stdout in text format, else stderr)",
		 NULL, 0, 0, 0, NULL, 0, 0},
		{"help", TK_OPT_FLAG, &help, NULL, "show this help", NULL, 0, 0, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	/* a driver offers only the common options that mean something for it: not
	 * --threads or --mode, nor one that its own table redefines */
	tk_opt kept[TK_ARRAY_SIZE(common)];
	size_t nkept = 0;
	for (size_t i = 0; i < TK_ARRAY_SIZE(common); i++) {
		const char *name = common[i].name;
		if (driver && name &&
		    (strcmp(name, "threads") == 0 || strcmp(name, "mode") == 0 ||
		     strcmp(name, "placement") == 0 || own_has(own, name)))
			continue;
		kept[nkept++] = common[i];
	}
	const tk_opt *const tables[] = {own, kept, NULL};
	int rc = tk_opt_parse(cmd, argc, argv, 2, tables, pos, maxpos, npos);
	if (rc == 0 && help) {
		if (tk_comm_rank() == 0)
			tk_opt_usage(stdout, cmd, synopsis, tables);
		return 1;
	}
	if (rc == 0)
		rc = tk_simd_choose(simd, "--simd"); /* a driver's own --simd: TK_SIMD checked */
	if (rc == 0)
		rc = resolve_threads(cmd, threads_given, threads, &threads);
	/* the world against the launcher's claim: said loudly, even with --quiet */
	int mismatch = rc == 0 && !driver && !help ? tk_world_check(cmd, 0) : 0;
	if (rc == 0 && mode >= 0)
		rc = check_mode(cmd, mode, tk_comm_size(), threads_given, &threads, mismatch);
	if (rc == 0 && !TK_HAVE_OPENMP && threads > 1) {
		if (threads_given)
			rc = tk_error_set(TK_EUSAGE,
			                  "%s: --threads %d needs OpenMP, but this toolkit was "
			                  "built with OPENMP=0",
			                  cmd, threads);
		threads = 1;
	}
	rc = tk_error_agree(rc);
	if (rc < 0)
		return rc;
	tk_thread_set(threads);
	ctx->ranks = tk_comm_size();
	ctx->threads = threads;
	ctx->mode = tk_mode_name(ctx->ranks, threads);
	ctx->format = (tk_format)format;
	ctx->progress = !quiet;
	ctx->placement = placement;
	ctx->argc = argc;
	ctx->argv = argv;
	if (!driver && !ctx->defer_oversub)
		tk_cli_oversub_warning(ctx, 0);
	return 0;
}

void tk_cli_oversub_warning(const tk_run_ctx *ctx, int waiting)
{
	int threads = ctx->threads;
	if (waiting || threads <= tk_sys_cores() || tk_comm_rank() != 0 || !ctx->progress)
		return;
	fprintf(stderr,
	        "toolkit: warning: %d threads per rank, but this process may run on %d "
	        "core%s%s\n",
	        threads, tk_sys_cores(), tk_sys_cores() == 1 ? "" : "s",
	        tk_comm_size() > 1 ? " (mpirun binds ranks to cores: use --bind-to none "
	                             "or --map-by slot:PE=T)"
	                           : "");
}

int tk_cli_begin(tk_run_ctx *ctx, const char *cmd, const char *synopsis, int argc,
                 char **argv, const tk_opt *own, const char **pos, int maxpos, int *npos)
{
	return cli_begin(ctx, cmd, synopsis, argc, argv, own, pos, maxpos, npos, 0);
}

int tk_cli_begin_driver(tk_run_ctx *ctx, const char *cmd, const char *synopsis, int argc,
                        char **argv, const tk_opt *own, const char **pos, int maxpos,
                        int *npos)
{
	return cli_begin(ctx, cmd, synopsis, argc, argv, own, pos, maxpos, npos, 1);
}

/* The kernel's time in the comm layer: per kind and in all, max over ranks. */
static void comm_share(tk_result *r)
{
	double t[TK_COMM_NKINDS + 1];
	tk_comm_times(t);
	t[TK_COMM_NKINDS] = 0;
	for (int i = 0; i < TK_COMM_NKINDS; i++)
		t[TK_COMM_NKINDS] += t[i];
	tk_comm_allreduce_f64(t, TK_COMM_NKINDS + 1, TK_MAX);
	for (int i = 0; i < TK_COMM_NKINDS && i < (int)TK_ARRAY_SIZE(r->comm_s); i++)
		r->comm_s[i] = t[i];
	r->comm_total_s = t[TK_COMM_NKINDS];
	r->comm_on = 1;
}

int tk_cli_run(const tk_run_ctx *ctx, const char *command, const char *name,
               tk_kernel_args args, tk_result *r)
{
	const tk_kernel *k = tk_kernel_find(command, name);
	int rc = k ? 0 : tk_error_set(TK_EINTERNAL, "%s: no kernel '%s' registered", command, name);
	tk_result_init(r, command, name);
	if (rc == 0 && tk_kernel_family(k) != (int)args.family)
		rc = tk_error_set(TK_EINTERNAL, "%s %s: given another family's parameters",
		                  command, name);
	if (ctx->dry_run) {
		rc = tk_error_agree(rc);
		return rc < 0 ? rc : 1;
	}
	/* where the threads run: sampled just before and after the kernel on the pool's
	 * threads (and inside kernels that report progress) */
	tk_world_sample_all();
	tk_comm_times_reset();
	rc = tk_error_agree(rc == 0 ? tk_kernel_call(k, args, ctx, r) : rc);
	if (rc < 0)
		return rc;
	comm_share(r);
	tk_world_sample_all();
	if (ctx->placement)
		tk_topo_load(); /* the map's cores and NUMA nodes from hwloc, when built with it */
	tk_world_collect(ctx->threads);
	rc = tk_error_agree(tk_report(r, ctx));
	if (rc == 0 && ctx->placement && tk_comm_rank() == 0) {
		FILE *out = ctx->format == TK_FMT_TEXT ? stdout : stderr;
		tk_world_map(out);
		fflush(out);
	}
	return rc;
}

int tk_cli_verdict(const tk_result *r)
{
	if (r->skipped > 0)
		return TK_EIO;
	if (r->verified == 1)
		return 0;
	if (tk_comm_rank() == 0)
		fprintf(stderr, "toolkit: %s %s: verification FAILED: %s\n", r->command, r->kernel,
		        r->verification);
	return TK_EVERIFY;
}
