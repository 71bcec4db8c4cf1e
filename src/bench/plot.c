/*
 * plot.c: bench's charts (--plot DIR): scripts/plot draws them from the CSV with gnuplot.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "tk/tk.h"

/* scripts/plot beside the binary (a source tree), or PREFIX/share/toolkit/plot beside
 * an installed PREFIX/bin/toolkit (make install puts it there) */
int bench_run_plot(const bench *b, const char *csv, const char *dir)
{
	char script[4200], exe_dir[4096];
	snprintf(exe_dir, sizeof exe_dir, "%s", b->exe);
	char *slash = strrchr(exe_dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(script, sizeof script, "%s/scripts/plot", exe_dir);
	if (access(script, X_OK) != 0)
		snprintf(script, sizeof script, "%s/../share/toolkit/plot", exe_dir);
	TK_REQUIRE(access(script, X_OK) == 0, TK_EIO,
	           "bench: --plot: scripts/plot not found beside %s", b->exe);
	mkdir(dir, 0777);
	char *argv[] = {script, (char *)csv, (char *)dir, NULL};
	run_out o;
	TK_CHECK(bench_spawn_run(argv, 120, &o));
	TK_REQUIRE(o.rc == 0, TK_EIO, "bench: --plot: %s", o.err[0] ? o.err : "plotting failed");
	fprintf(bench_tab, "plots written to %s/\n", dir);
	return 0;
}
