/*
 * cmd_comm.c: `toolkit comm`, the comm layer's own micro-benchmarks, after the OSU
 * micro-benchmarks: a ping-pong between rank 0 and one peer (osu_latency: one-way
 * time and bandwidth per message size) and an allreduce sweep over all ranks
 * (osu_allreduce: time per call, max over ranks).  What a kernel's combine or halo
 * exchange costs on this machine, or across hosts.
 * Rule: it measures through the same comm layer the kernels use (include/tk/comm.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/cmd.h"
#include "tk/cli.h"
#include "tk/comm.h"
#include "tk/sysinfo.h"
#include "tk/tk.h"

static const char *const tests[] = {"all", "latency", "allreduce", NULL};

/* Repeats: many for small messages, about 16 MiB of traffic for large ones. */
static int iters_for(size_t bytes, int given)
{
	if (given > 0)
		return given;
	if (bytes <= 8192)
		return 500;
	size_t n = ((size_t)16 << 20) / bytes;
	return n < 5 ? 5 : (int)n;
}

static void line(const tk_run_ctx *ctx, const char *test, size_t bytes, int iters, double t,
                 int peer)
{
	if (tk_comm_rank() != 0)
		return;
	double bw = t > 0 ? (double)bytes / t : 0;
	if (ctx->format == TK_FMT_JSON) {
		printf("{\"schema\":\"toolkit.comm/1\",\"test\":\"%s\",\"ranks\":%d,\"peer\":%d,"
		       "\"bytes\":%zu,\"iters\":%d,\"time_s\":%.9g,\"bandwidth_Bps\":%.6g}\n",
		       test, tk_comm_size(), peer, bytes, iters, t, bw);
	} else if (ctx->format == TK_FMT_CSV) {
		printf("%s,%d,%d,%zu,%d,%.9g,%.6g\n", test, tk_comm_size(), peer, bytes, iters, t,
		       bw);
	} else {
		printf("  %-9s %10zu %8d %12.2f %12.1f\n", test, bytes, iters, t * 1e6, bw / 1e6);
	}
}

int tk_cmd_comm(int argc, char **argv, tk_run_ctx *ctx)
{
	int test = 0, iters = 0;
	uint64_t max_bytes = (uint64_t)1 << 20;
	int peer = -1;
	const tk_opt opts[] = {
		{"test", TK_OPT_CHOICE, &test, "T",
		 "latency (ping-pong, rank 0 and --peer), allreduce (all ranks), or all", tests,
		 0, 0, 0, NULL, 0, 0},
		{"max-bytes", TK_OPT_U64, &max_bytes, "B",
		 "largest message: sizes 1, 2, 4 ... B bytes (default 1 MiB)", NULL, 0, 0, 0,
		 NULL, 1, (uint64_t)1 << 30},
		{"iters", TK_OPT_INT, &iters, "N",
		 "repeats per size (default: 500 up to 8 KiB, then about 16 MiB of traffic)",
		 NULL, 1, 1e7, 0, NULL, 0, 0},
		{"peer", TK_OPT_INT, &peer, "R",
		 "rank 0's partner in the ping-pong (default: the last rank, which mpirun's "
		 "--map-by node puts on another host)",
		 NULL, 1, 1e6, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	int rc = tk_cli_begin(ctx, "comm", "[--test latency|allreduce|all] [--max-bytes B]",
	                      argc, argv, opts, NULL, 0, NULL);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	int size = tk_comm_size();
	if (peer < 0)
		peer = size - 1;
	rc = size < 2 ? tk_error_set(TK_EUSAGE,
	                             "comm: measures communication between ranks, but this run "
	                             "has %d (run it under mpirun -np 2 or more)",
	                             size)
	     : peer >= size ? tk_error_set(TK_EUSAGE, "comm: --peer %d: the ranks are 0 to %d",
	                                   peer, size - 1)
	                    : 0;
	rc = tk_error_agree(rc);
	if (rc < 0)
		return rc;
	if (tk_comm_rank() == 0 && ctx->format == TK_FMT_TEXT)
		printf("toolkit comm: %d ranks (%s), host of rank 0: %s\n"
		       "  %-9s %10s %8s %12s %12s\n",
		       size, tk_comm_library(), tk_sys_host(), "test", "bytes", "iters",
		       "time us", "MB/s");
	if (tk_comm_rank() == 0 && ctx->format == TK_FMT_CSV)
		puts("test,ranks,peer,bytes,iters,time_s,bandwidth_Bps");
	if (test == 0 || test == 1)
		for (size_t b = 1; b <= max_bytes; b *= 2) {
			int n = iters_for(b, iters);
			line(ctx, "latency", b, n, tk_comm_pingpong(b, n, peer), peer);
		}
	if (test == 0 || test == 2)
		for (size_t b = 8; b <= max_bytes; b *= 2) {
			int n = iters_for(b, iters);
			line(ctx, "allreduce", b, n, tk_comm_allreduce_time(b / 8, n), -1);
		}
	return 0;
}
