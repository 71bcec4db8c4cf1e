/*
 * test_registry.c: every row of the kernel registry, read as the commands and bench read
 * it: names unique per command, a known kind, exactly one typed kernel of the command's
 * family, find and names agreeing, and bench's preset arguments accepted by the
 * command's own option table and checks (a dry run: parsed and checked, not run).
 */
#include <stdio.h>
#include <string.h>

#include "core/cmd.h"
#include "tk/comm.h"
#include "tk/kernel.h"
#include "tk/montecarlo.h"
#include "tk/omp.h"
#include "tk/simd.h"
#include "tk/stencil.h"
#include "tk/tk.h"
#include "tk_test.h"

/* The commands that run kernels and their families, written out here rather than read
 * from the registry, so a row under a wrong or new command fails. */
static const struct {
	const char *name;
	tk_family family;
	int (*fn)(int argc, char **argv, tk_run_ctx *ctx);
} commands[] = {
	{"montecarlo", TK_FAMILY_MONTECARLO, tk_cmd_montecarlo},
	{"reduce", TK_FAMILY_REDUCE, tk_cmd_reduce},
	{"filter", TK_FAMILY_FILTER, tk_cmd_filter},
	{"stencil", TK_FAMILY_STENCIL, tk_cmd_stencil},
};

static int command_index(const char *name)
{
	for (size_t i = 0; i < TK_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return (int)i;
	return -1;
}

int tk_test_dry_run(const char *line)
{
	char buf[512], *argv[64];
	int argc = 0;
	snprintf(buf, sizeof buf, "toolkit %s --quiet", line);
	for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	int c = argc > 1 ? command_index(argv[1]) : -1;
	if (c < 0)
		return TK_EINTERNAL;
	/* the command sets the thread count and SIMD variant as a run would: put them back */
	int threads = tk_thread_max(), simd = tk_simd_active();
	tk_run_ctx ctx = {0};
	ctx.dry_run = 1;
	tk_error_clear();
	int rc = commands[c].fn(argc, argv, &ctx);
	tk_error_clear();
	tk_thread_set(threads);
	tk_simd_choose(tk_simd_name(simd), "--simd");
	return rc;
}

static void rows(void)
{
	size_t n;
	const tk_kernel *k = tk_kernel_list(&n);
	CU_ASSERT_FATAL(n > 0);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(k[i].command);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k[i].name);
		CU_ASSERT(k[i].name[0] != '\0');
		CU_ASSERT(k[i].summary && k[i].summary[0]);
		int c = command_index(k[i].command);
		CU_ASSERT(c >= 0);
		if (c < 0)
			fprintf(stderr, "row %zu: command '%s' runs no kernels\n", i, k[i].command);
		else
			CU_ASSERT_EQUAL(tk_kernel_family(&k[i]), (int)commands[c].family);
		CU_ASSERT(k[i].kind && (strcmp(k[i].kind, "cpu") == 0 ||
		                        strcmp(k[i].kind, "memory") == 0 ||
		                        strcmp(k[i].kind, "io") == 0));
		/* a size bench scales needs its preset, and only then */
		CU_ASSERT_EQUAL(k[i].size_opt != NULL, k[i].bench_size != 0);
		CU_ASSERT(!k[i].size_opt || k[i].bench_args);
		/* the dimensions weak scaling grows the size by: 1 or 2 with a size, 0 without */
		CU_ASSERT(k[i].size_opt ? k[i].size_dims >= 1 && k[i].size_dims <= 3
		                        : k[i].size_dims == 0);
		for (size_t j = i + 1; j < n; j++)
			CU_ASSERT(strcmp(k[i].command, k[j].command) != 0 ||
			          strcmp(k[i].name, k[j].name) != 0);
	}
}

static void broken_rows(void)
{
	tk_kernel none = {"montecarlo", "x", "s", "cpu", {0}, NULL, NULL, 0, 0};
	CU_ASSERT_EQUAL(tk_kernel_family(&none), -1);
	tk_kernel two = {"montecarlo", "x", "s", "cpu", {.mc = tk_mc_pi, .stencil = tk_stencil_run},
	                 NULL, NULL, 0, 0};
	CU_ASSERT_EQUAL(tk_kernel_family(&two), -1);
	/* parameters of another family are refused before the kernel runs */
	const tk_kernel *pi = tk_kernel_find("montecarlo", "pi");
	tk_result r;
	tk_result_init(&r, "montecarlo", "pi");
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_kernel_call(pi, tk_args_stencil(NULL), NULL, &r), TK_EINTERNAL);
	tk_error_clear();
}

static void find_and_names_agree(void)
{
	size_t n;
	const tk_kernel *k = tk_kernel_list(&n);
	for (size_t c = 0; c < TK_ARRAY_SIZE(commands); c++) {
		const char *const *names = tk_kernel_names(commands[c].name);
		CU_ASSERT_PTR_EQUAL(names, tk_kernel_names(commands[c].name)); /* kept */
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(k[i].command, commands[c].name) != 0)
				continue;
			/* the names in registry order, each found as its own row */
			CU_ASSERT_PTR_NOT_NULL_FATAL(names[m]);
			CU_ASSERT_STRING_EQUAL(names[m], k[i].name);
			CU_ASSERT_PTR_EQUAL(tk_kernel_find(commands[c].name, names[m]), &k[i]);
			m++;
		}
		CU_ASSERT(m > 0);
		CU_ASSERT_PTR_NULL(names[m]);
		CU_ASSERT_PTR_NULL(tk_kernel_find(commands[c].name, "no-such-kernel"));
	}
	CU_ASSERT_PTR_NULL(tk_kernel_find("no-such-command", "pi"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tk_kernel_names("no-such-command"));
	CU_ASSERT_PTR_NULL(tk_kernel_names("no-such-command")[0]);
	/* an unknown command takes no slot: every command still gets its own list */
	for (int i = 0; i < 20; i++)
		tk_kernel_names("no-such-command");
	CU_ASSERT_STRING_EQUAL(tk_kernel_names("stencil")[0], "heat");
}

/* bench runs `toolkit COMMAND BENCH_ARGS [--SIZE_OPT N]`: each must pass the
 * command's option table and its checks, at the preset size and at 4 times it (weak
 * scaling at 4 workers) */
static void bench_args_parse(void)
{
	size_t n;
	const tk_kernel *k = tk_kernel_list(&n);
	int checked = 0;
	for (size_t i = 0; i < n; i++) {
		if (!k[i].bench_args)
			continue;
		for (uint64_t mul = 1; mul <= 4; mul *= 4) {
			char line[512];
			int len = snprintf(line, sizeof line, "%s %s", k[i].command, k[i].bench_args);
			if (k[i].size_opt)
				snprintf(line + len, sizeof line - (size_t)len, " --%s %llu",
				         k[i].size_opt, (unsigned long long)(k[i].bench_size * mul));
			int rc = tk_test_dry_run(line);
			if (rc != 0)
				fprintf(stderr, "bench's '%s' is refused (%d)\n", line, rc);
			CU_ASSERT_EQUAL(rc, 0);
			checked++;
		}
	}
	CU_ASSERT(checked > 0);
	/* and the dry run does refuse what a run refuses */
	CU_ASSERT_EQUAL(tk_test_dry_run("montecarlo --model pi --samples 0"), TK_EUSAGE);
	CU_ASSERT_EQUAL(tk_test_dry_run("stencil --size 1"), TK_EUSAGE);
}

static const tk_test tests[] = {
	{"every row well formed, names unique per command", rows},
	{"a row with no kernel or two, or another family's parameters", broken_rows},
	{"find and names agree with the rows", find_and_names_agree},
	{"bench's preset arguments pass the command's options", bench_args_parse},
	{NULL, NULL},
};

const tk_suite tk_suite_registry = {"registry", tests};
