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
#include "tk/topology.h"
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

/* "topology  hwloc 2.9.0: 1 package, 2 cores, 2 hardware threads, 1 NUMA node; L3 shared
 * by 2" */
static void topo_line(void)
{
	int p = tk_topo_count('p'), c = tk_topo_count('c'), t = tk_topo_count('t');
	int n = tk_topo_count('n');
	printf("  topology       %s: %d package%s, %d core%s, %d hardware thread%s, %d NUMA node%s",
	       tk_topo_source(), p, p == 1 ? "" : "s", c, c == 1 ? "" : "s", t, t == 1 ? "" : "s",
	       n, n == 1 ? "" : "s");
	const char *sep = "; ";
	for (int l = 1; l <= 3; l++) {
		int sh = 0;
		if (tk_topo_cache(l, &sh) && sh > 0) {
			printf("%sL%d per %d thread%s", sep, l, sh, sh == 1 ? "" : "s");
			sep = ", ";
		}
	}
	fputc('\n', stdout);
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
	tk_topo_load(); /* info is where the topology is shown: hwloc's when built with it */
	size_str(l1, sizeof l1, tk_sys_cache(1));
	size_str(l2, sizeof l2, tk_sys_cache(2));
	size_str(l3, sizeof l3, tk_sys_cache(3));
	size_str(mem, sizeof mem, tk_sys_memory());
	if (ctx->format != TK_FMT_TEXT) {
		/* one table of fields for JSON and CSV: numbers unquoted in JSON */
		char num[16][32];
		snprintf(num[0], 32, "%d", tk_sys_cores());
		snprintf(num[1], 32, "%d", tk_sys_cores_online());
		snprintf(num[2], 32, "%llu", (unsigned long long)tk_sys_cache(1));
		snprintf(num[3], 32, "%llu", (unsigned long long)tk_sys_cache(2));
		snprintf(num[4], 32, "%llu", (unsigned long long)tk_sys_cache(3));
		snprintf(num[5], 32, "%llu", (unsigned long long)tk_sys_memory());
		snprintf(num[6], 32, "%.3g", tk_timer_resolution());
		snprintf(num[7], 32, "%d", ctx->ranks);
		snprintf(num[8], 32, "%d", ctx->threads);
		snprintf(num[9], 32, "%d", tk_topo_count('p'));
		snprintf(num[10], 32, "%d", tk_topo_count('c'));
		snprintf(num[11], 32, "%d", tk_topo_count('t'));
		snprintf(num[12], 32, "%d", tk_topo_count('n'));
		int sh[3];
		for (int l = 0; l < 3; l++)
			(void)tk_topo_cache(l + 1, &sh[l]);
		snprintf(num[13], 32, "%d", sh[0]);
		snprintf(num[14], 32, "%d", sh[1]);
		snprintf(num[15], 32, "%d", sh[2]);
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
			{"topology", tk_topo_source(), 0},
			{"packages", num[9], 1},
			{"physical_cores", num[10], 1},
			{"hardware_threads", num[11], 1},
			{"numa_nodes", num[12], 1},
			{"l1d_shared_by", num[13], 1},
			{"l2_shared_by", num[14], 1},
			{"l3_shared_by", num[15], 1},
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
	topo_line();
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
