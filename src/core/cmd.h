/*
 * cmd.h: the commands' entry points, one per src/cmd_<name>.c.  Each parses its own
 * options (tk_cli_begin), runs, reports, and returns a status (0 or TK_E*).
 */
#ifndef TK_CMD_H
#define TK_CMD_H

#include "tk/report.h"

int tk_cmd_montecarlo(int argc, char **argv, tk_run_ctx *ctx);
int tk_cmd_filter(int argc, char **argv, tk_run_ctx *ctx);
int tk_cmd_reduce(int argc, char **argv, tk_run_ctx *ctx);
int tk_cmd_stencil(int argc, char **argv, tk_run_ctx *ctx);
int tk_cmd_info(int argc, char **argv, tk_run_ctx *ctx);
int tk_cmd_bench(int argc, char **argv, tk_run_ctx *ctx);
int tk_cmd_merge(int argc, char **argv, tk_run_ctx *ctx);
int tk_cmd_comm(int argc, char **argv, tk_run_ctx *ctx);

#endif
