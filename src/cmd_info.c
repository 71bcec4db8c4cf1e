/*
 * cmd_info.c: `toolkit info` and `toolkit --version`: what this build is and what
 * this machine offers, as text or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/omp.h"
#include "tk/simd.h"
#include "tk/sysinfo.h"
#include "tk/timer.h"
#include "tk/tk.h"

static void size_str(char *buf, size_t n, uint64_t bytes)
{
	if (bytes == 0)
		snprintf(buf, n, "unknown");
	else if (bytes >= (1ull << 30))
		snprintf(buf, n, "%.1f GiB", (double)bytes / (1ull << 30));
	else if (bytes >= (1ull << 20))
		snprintf(buf, n, "%.0f MiB", (double)bytes / (1ull << 20));
	else
		snprintf(buf, n, "%.0f KiB", (double)bytes / 1024);
}

int tk_cmd_info(int argc, char **argv, tk_run_ctx *ctx)
{
	const tk_opt opts[] = {TK_OPT_END};
	int rc = tk_cli_begin(ctx, "info", "[--format text|json]", argc, argv, opts, NULL, 0,
	                      NULL);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	if (tk_comm_rank() != 0)
		return 0;
	char l1[32], l2[32], l3[32], mem[32];
	size_str(l1, sizeof l1, tk_sys_cache(1));
	size_str(l2, sizeof l2, tk_sys_cache(2));
	size_str(l3, sizeof l3, tk_sys_cache(3));
	size_str(mem, sizeof mem, tk_sys_memory());
	if (ctx->format == TK_FMT_JSON) {
		printf("{\"schema\":\"toolkit.info/1\",\"version\":\"%s\",\"compiler\":\"%s\","
		       "\"cflags\":\"%s\",\"mpi\":\"%s\",\"mpi_build\":\"%s\","
		       "\"mpi_launcher\":\"%s\",\"openmp\":\"%s\",\"png\":%s,"
		       "\"cores\":%d,\"cores_online\":%d,\"cpu\":\"%s\",\"l1d_bytes\":%llu,"
		       "\"l2_bytes\":%llu,\"l3_bytes\":%llu,\"memory_bytes\":%llu,"
		       "\"timer_resolution_s\":%.3g,\"ranks\":%d,\"threads\":%d,"
		       "\"cpu_features\":\"%s\",\"simd_available\":\"%s\",\"simd\":\"%s\"}\n",
		       TK_VERSION, tk_build_compiler(), tk_build_flags(), tk_comm_library(),
		       tk_build_mpi(), TK_HAVE_MPI ? tk_build_mpirun() : "", tk_omp_version(), TK_HAVE_PNG ? "true" : "false", tk_sys_cores(),
		       tk_sys_cores_online(), tk_sys_cpu_model(),
		       (unsigned long long)tk_sys_cache(1), (unsigned long long)tk_sys_cache(2),
		       (unsigned long long)tk_sys_cache(3), (unsigned long long)tk_sys_memory(),
		       tk_timer_resolution(), ctx->ranks, ctx->threads, tk_simd_cpu_features(),
		       tk_simd_choices(), tk_simd_name(tk_simd_active()));
		return 0;
	}
	printf("toolkit %s\n", TK_VERSION);
	printf("  compiler       %s\n", tk_build_compiler());
	printf("  flags          %s\n", tk_build_flags());
	printf("  MPI            %s\n", tk_comm_library());
	printf("  MPI build      %s%s%s\n", tk_build_mpi(), TK_HAVE_MPI ? "; launcher " : "",
	       TK_HAVE_MPI ? tk_build_mpirun() : "");
	printf("  OpenMP         %s\n", tk_omp_version());
	printf("  PNG support    %s\n", TK_HAVE_PNG ? "yes (libpng)" : "no (PNM only)");
	printf("  cpu            %s\n", tk_sys_cpu_model());
	printf("  cores          %d usable, %d online\n", tk_sys_cores(), tk_sys_cores_online());
	printf("  caches         L1d %s, L2 %s, L3 %s (per cpu0's view)\n", l1, l2, l3);
	printf("  memory         %s\n", mem);
	printf("  vector ISA     %s\n", tk_simd_cpu_features());
	printf("  SIMD variants  %s (active: %s%s)\n", tk_simd_choices(),
	       tk_simd_name(tk_simd_active()),
	       tk_simd_active() == tk_simd_best() ? ", the best this CPU runs" : ", chosen");
	printf("  kernels        every hot kernel runs the active variant:\n"
	       "                 %s\n", tk_simd_kernel_list());
	printf("  timer          CLOCK_MONOTONIC, resolution %.3g s\n", tk_timer_resolution());
	printf("  this run       %d rank%s x %d thread%s (%s mode)\n", ctx->ranks,
	       ctx->ranks == 1 ? "" : "s", ctx->threads, ctx->threads == 1 ? "" : "s",
	       ctx->mode);
	return 0;
}
