/*
 * cmd_stencil.c: `toolkit stencil`: options, the kernel run, the report.
 * The kernel is looked up in the registry; this file knows no mode.
 */
#include "core/cmd.h"
#include "tk/cli.h"
#include "tk/stencil.h"
#include "tk/tk.h"

int tk_cmd_stencil(int argc, char **argv, tk_run_ctx *ctx)
{
	tk_stencil_params p;
	tk_stencil_params_default(&p);
	/* the table holds the exact integer limits of --size and --steps; tk_stencil_check
	 * the rest (alpha's reason, a grid too large for memory: exit 4) */
	const tk_opt opts[] = {
		{"size", TK_OPT_U64, &p.size, "N",
		 "interior points per side of the N x N grid, N >= 2 (default 1024)", NULL, 0, 0, 0,
		 NULL, TK_STENCIL_MIN_SIZE, 0},
		{"steps", TK_OPT_U64, &p.steps, "S",
		 "Jacobi steps, 0 to 2^40 (default 100; 0 reports the start)", NULL, 0, 0, 0, NULL,
		 0, TK_STENCIL_MAX_STEPS},
		{"alpha", TK_OPT_F64, &p.alpha, "A",
		 "diffusion number dt/dx^2, in (0, 0.25] (default 0.2)", NULL, 0, 0, 0, NULL, 0, 0},
		TK_OPT_END,
	};
	int rc = tk_cli_begin(ctx, "stencil", "[--size N] [--steps S] [--alpha A]", argc, argv,
	                      opts, NULL, 0, NULL);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	rc = tk_error_agree(tk_stencil_check(&p));
	if (rc < 0)
		return rc;
	tk_result r;
	rc = tk_cli_run(ctx, "stencil", "heat", tk_args_stencil(&p), &r);
	if (rc == 0)
		rc = tk_cli_verdict(&r);
	tk_result_free(&r);
	return rc > 0 ? 0 : rc;
}
