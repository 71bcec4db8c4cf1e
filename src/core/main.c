/*
 * main.c: the command table and the one place that sets up and tears down a run
 * (git's git.c).  Adding a command is one row here plus its src/cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "core/cmd.h"
#include "tk/comm.h"
#include "tk/timer.h"
#include "tk/tmpfile.h"
#include "tk/tk.h"

static int cmd_help(int argc, char **argv, tk_run_ctx *ctx);

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv, tk_run_ctx *ctx);
	const char *summary;
	int no_comm; /* 1: never starts MPI (bench launches mpirun itself) */
} commands[] = {
	{"montecarlo", tk_cmd_montecarlo, "Monte Carlo kernels: pi, European option, NPB EP", 0},
	{"merge", tk_cmd_merge,
	 "combine the JSON records of chunked montecarlo runs (--first-sample) into one run", 0},
	{"reduce", tk_cmd_reduce,
	 "sum, min, max, mean, var, histogram of an array: exact, at memory speed", 0},
	{"filter", tk_cmd_filter, "image filters on one image (row strips) or a folder", 0},
	{"stencil", tk_cmd_stencil,
	 "2-D heat equation, Jacobi sweeps over row strips with halo exchange", 0},
	{"bench", tk_cmd_bench, "compare modes and worker counts: speedup, efficiency, launch cost",
	 1},
	{"comm", tk_cmd_comm, "ping-pong and allreduce sweeps of the comm layer (osu_latency-like)",
	 0},
	{"info", tk_cmd_info, "build configuration, MPI and OpenMP versions, cores, caches", 0},
	{"help", cmd_help, "list the commands (toolkit COMMAND --help for one)", 1},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: toolkit COMMAND [--option VALUE ...]\n"
	             "       mpirun -np R toolkit COMMAND ...   (distributed mode)\n\n"
	             "commands:\n");
	for (size_t i = 0; i < TK_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nOptions every command takes: --threads T, --mode serial|omp|mpi|hybrid,\n"
	             "--format text|json|csv, --simd auto|scalar|sse2|avx2|avx512, --placement,\n"
	             "--quiet, --help.  toolkit --version prints the build.\n");
}

static int cmd_help(int argc, char **argv, tk_run_ctx *ctx)
{
	(void)argc, (void)argv, (void)ctx;
	if (tk_comm_rank() == 0)
		usage(stdout);
	return 0;
}

static int dispatch(int argc, char **argv, tk_run_ctx *ctx)
{
	if (argc < 2) {
		if (tk_comm_init(&argc, &argv) == 0 && tk_comm_rank() == 0)
			usage(stderr);
		return TK_EUSAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0)
		name = "info";
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	for (size_t i = 0; i < TK_ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		if (!commands[i].no_comm && tk_comm_init(&argc, &argv) != 0) {
			fprintf(stderr, "toolkit: error: cannot start the communication layer\n");
			return TK_EINTERNAL;
		}
		return commands[i].fn(argc, argv, ctx);
	}
	/* not found: start the layer anyway, so only rank 0 of an MPI job says so */
	if (tk_comm_init(&argc, &argv) != 0)
		return TK_EINTERNAL;
	char list[256] = "";
	for (size_t i = 0; i < TK_ARRAY_SIZE(commands); i++) {
		size_t len = strlen(list);
		snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", commands[i].name);
	}
	/* every rank sees the same argv, so every rank reaches this verdict */
	return tk_error_agree(tk_error_set(TK_EUSAGE, "unknown command '%s' (commands: %s)",
	                                   argv[1], list));
}

int main(int argc, char **argv)
{
	tk_run_ctx ctx = {0};
	ctx.t_start = tk_now();
	tk_signals_install(); /* SIGINT/SIGTERM: temporary files removed, exit 128 + signal */
	int status = dispatch(argc, argv, &ctx);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "toolkit: error: cannot write to standard output\n");
		status = status < 0 ? status : TK_EIO;
	}
	tk_comm_finalize();
	return tk_exit_code(status);
}
