/*
 * cmd_info.c: `toolkit info` and `toolkit --version`: what this build is and what
 * this machine offers, as text or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "core/cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/fetch.h"
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

/* A comma-separated list, wrapped at `width` columns, each line indented by `indent`. */
static void print_wrapped(const char *list, int indent, int width)
{
	int col = 0;
	while (*list) {
		size_t len = strcspn(list, ",");
		int last = list[len] == '\0';
		if (col > 0 && col + 1 + (int)len + 1 > width) {
			putchar('\n');
			col = 0;
		}
		col += col == 0 ? printf("%*s", indent, "") : printf(" ");
		col += printf("%.*s%s", (int)len, list, last ? "" : ",");
		list += len + !last;
		while (*list == ' ')
			list++;
	}
	putchar('\n');
}

int tk_cmd_info(int argc, char **argv, tk_run_ctx *ctx)
{
	const tk_opt opts[] = {TK_OPT_END};
	int rc = tk_cli_begin(ctx, "info", "[--format text|json|csv]", argc, argv, opts, NULL, 0,
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
	if (ctx->format != TK_FMT_TEXT) {
		/* one table of fields for JSON and CSV: numbers unquoted in JSON */
		char num[10][32];
		snprintf(num[0], 32, "%d", tk_sys_cores());
		snprintf(num[1], 32, "%d", tk_sys_cores_online());
		snprintf(num[2], 32, "%llu", (unsigned long long)tk_sys_cache(1));
		snprintf(num[3], 32, "%llu", (unsigned long long)tk_sys_cache(2));
		snprintf(num[4], 32, "%llu", (unsigned long long)tk_sys_cache(3));
		snprintf(num[5], 32, "%llu", (unsigned long long)tk_sys_memory());
		snprintf(num[6], 32, "%.3g", tk_timer_resolution());
		snprintf(num[7], 32, "%d", ctx->ranks);
		snprintf(num[8], 32, "%d", ctx->threads);
		const struct {
			const char *key, *val;
			int is_num;
		} kv[] = {
			{"version", TK_VERSION, 0},
			{"revision", tk_build_revision(), 0},
			{"compiler", tk_build_compiler(), 0},
			{"cflags", tk_build_flags(), 0},
			{"mpi", tk_comm_library(), 0},
			{"mpi_build", tk_build_mpi(), 0},
			{"mpi_launcher", TK_HAVE_MPI ? tk_build_mpirun() : "", 0},
			{"openmp", tk_omp_version(), 0},
			{"png", TK_HAVE_PNG ? "true" : "false", 1},
			{"curl", tk_fetch_library(), 0},
			{"cores", num[0], 1},
			{"cores_online", num[1], 1},
			{"cpu", tk_sys_cpu_model(), 0},
			{"l1d_bytes", num[2], 1},
			{"l2_bytes", num[3], 1},
			{"l3_bytes", num[4], 1},
			{"memory_bytes", num[5], 1},
			{"timer_resolution_s", num[6], 1},
			{"ranks", num[7], 1},
			{"threads", num[8], 1},
			{"cpu_features", tk_simd_cpu_features(), 0},
			{"simd_available", tk_simd_choices(), 0},
			{"simd", tk_simd_name(tk_simd_active()), 0},
		};
		size_t n = sizeof kv / sizeof kv[0];
		if (ctx->format == TK_FMT_JSON) {
			fputs("{\"schema\":\"toolkit.info/1\"", stdout);
			for (size_t i = 0; i < n; i++) {
				printf(",\"%s\":", kv[i].key);
				if (kv[i].is_num)
					fputs(kv[i].val, stdout);
				else
					tk_json_string(stdout, kv[i].val);
			}
			fputs("}\n", stdout);
		} else {
			for (size_t i = 0; i < n; i++)
				printf("%s%s", i ? "," : "", kv[i].key);
			fputc('\n', stdout);
			for (size_t i = 0; i < n; i++) {
				fputs(i ? "," : "", stdout);
				if (kv[i].is_num) {
					fputs(kv[i].val, stdout);
				} else { /* RFC 4180: quoted, quotes doubled */
					fputc('"', stdout);
					for (const char *c = kv[i].val; *c; c++)
						fputs(*c == '"' ? "\"\"" : (char[2]){*c, 0}, stdout);
					fputc('"', stdout);
				}
			}
			fputc('\n', stdout);
		}
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
	printf("  URL support    %s\n", TK_HAVE_CURL ? tk_fetch_library() : "no (built with CURL=0)");
	printf("  revision       %s\n", tk_build_revision());
	printf("  cpu            %s\n", tk_sys_cpu_model());
	printf("  cores          %d usable, %d online\n", tk_sys_cores(), tk_sys_cores_online());
	printf("  caches         L1d %s, L2 %s, L3 %s (per cpu0's view)\n", l1, l2, l3);
	printf("  memory         %s\n", mem);
	printf("  vector ISA     %s\n", tk_simd_cpu_features());
	printf("  SIMD variants  %s (active: %s%s)\n", tk_simd_choices(),
	       tk_simd_name(tk_simd_active()),
	       tk_simd_active() == tk_simd_best() ? ", the best this CPU runs" : ", chosen");
	printf("  kernels        each of these runs its %s variant:\n",
	       tk_simd_name(tk_simd_active()));
	print_wrapped(tk_simd_kernel_list(), 17, 88);
	printf("  timer          CLOCK_MONOTONIC, resolution %.3g s\n", tk_timer_resolution());
	printf("  this run       %d rank%s x %d thread%s (%s mode)\n", ctx->ranks,
	       ctx->ranks == 1 ? "" : "s", ctx->threads, ctx->threads == 1 ? "" : "s",
	       ctx->mode);
	return 0;
}
