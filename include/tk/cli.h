/*
 * cli.h: what every command shares: the common options (--threads, --mode, --format,
 * --quiet, --help), the resolution of ranks x threads into a mode (DESIGN.md section 3)
 * and the collective agreement on usage errors.
 */
#ifndef TK_CLI_H
#define TK_CLI_H

#include "tk/kernel.h"
#include "tk/opt.h"
#include "tk/report.h"

/* Parse argv for command `cmd` against its own table plus the common options, resolve
 * the thread count and mode, and agree on the outcome across ranks.
 * Returns 0 to go on, 1 when --help was printed (exit 0), or a negative status that
 * every rank shares and whose message rank 0 has already printed. */
int tk_cli_begin(tk_run_ctx *ctx, const char *cmd, const char *synopsis, int argc,
                 char **argv, const tk_opt *own, const char **pos, int maxpos, int *npos);

/* The same, for a command that launches other runs (bench): it does not offer
 * --threads or --mode, which mean nothing for the driver itself (each run it launches
 * gets its own), and an option in `own` replaces the common option of that name
 * (bench's --simd takes a list).  TK_SIMD from the environment is still checked. */
int tk_cli_begin_driver(tk_run_ctx *ctx, const char *cmd, const char *synopsis, int argc,
                        char **argv, const tk_opt *own, const char **pos, int maxpos,
                        int *npos);

/* Run kernel `name` of `command` from the registry with args (its family's parameters,
 * tk_args_mc(&p) ...), agree on the outcome, and report r in the run's format.
 * Returns 0, 1 for a dry run (ctx->dry_run: the kernel found and its parameters of its
 * family, nothing run), or the shared negative status.  r is initialised here; the
 * caller releases it with tk_result_free whatever the status. */
int tk_cli_run(const tk_run_ctx *ctx, const char *command, const char *name,
               tk_kernel_args args, tk_result *r);
/* The run's exit status from its result: TK_EIO when items were skipped (each said why
 * already); else 0 when r verified, otherwise rank 0 says so on stderr and TK_EVERIFY
 * is returned. */
int tk_cli_verdict(const tk_result *r);

/* The warning for more threads per rank than this process may run on, from rank 0
 * unless --quiet.  waiting: the work waits (I/O-bound, e.g. URL downloads), where more
 * threads than cores is the point: no warning.  tk_cli_begin calls it with 0 unless
 * ctx->defer_oversub is set. */
void tk_cli_oversub_warning(const tk_run_ctx *ctx, int waiting);

/* The modes, the one list of their names: TK_MODE_* index it; NULL-terminated. */
enum { TK_MODE_SERIAL, TK_MODE_OMP, TK_MODE_MPI, TK_MODE_HYBRID, TK_NMODES };
extern const char *const tk_mode_names[TK_NMODES + 1];
/* The mode name for ranks x threads: serial, omp, mpi or hybrid. */
const char *tk_mode_name(int ranks, int threads);

#endif
