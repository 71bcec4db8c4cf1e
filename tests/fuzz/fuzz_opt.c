/*
 * fuzz_opt.c: the number syntax (tk_parse_u64, tk_parse_f64) and the option parser
 * (tk_opt_parse).  The input is split at NUL bytes into words: the first word is given
 * to the number parsers, all of them to tk_opt_parse as an argv against a table of
 * every option type.  Every input must finish at once (libFuzzer's -timeout judges),
 * and an accepted count written in plain digits must be the number those digits say.
 */
#include <errno.h>
#include <math.h>

#include "fuzz.h"
#include "tk/opt.h"

static void numbers(const char *s)
{
	uint64_t u;
	double d;
	if (tk_parse_u64(s, &u) == 0 && s[0] && strspn(s, "0123456789") == strlen(s)) {
		errno = 0;
		unsigned long long ref = strtoull(s, NULL, 10);
		FUZZ_ASSERT(errno == 0 && ref == u);
	}
	if (tk_parse_f64(s, &d) == 0)
		FUZZ_ASSERT(isfinite(d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = fuzz_cstring(data, size);
	/* the words, NUL-separated in a copy that ends with NUL */
	char *buf = malloc(size + 1);
	FUZZ_ASSERT(buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *argv[66];
	int argc = 0;
	argv[argc++] = "toolkit";
	argv[argc++] = "fuzz";
	for (size_t i = 0; i <= size && argc < 64;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	numbers(s);
	numbers(argv[argc - 1]);

	int flag = 0, ival = 0, choice = 0, given = 0;
	uint64_t u = 0;
	double f = 0, g = 0;
	const char *str = NULL;
	static const char *const choices[] = {"pi", "option", "ep", NULL};
	const tk_opt table[] = {
		{"flag", TK_OPT_FLAG, &flag, NULL, "a flag", NULL, 0, 0, 0, NULL, 0, 0},
		{"int", TK_OPT_INT, &ival, "N", "an int", NULL, -5, 100, 0, NULL, 0, 0},
		{"samples", TK_OPT_U64, &u, "N", "a count", NULL, 0, 0, 0, &given, 1,
		 UINT64_C(1) << 62},
		{"sigma", TK_OPT_F64, &f, "X", "positive", NULL, 0, 0, 1, NULL, 0, 0},
		{"any", TK_OPT_F64, &g, "X", "any real", NULL, 0, 0, 0, NULL, 0, 0},
		{"name", TK_OPT_STR, &str, "S", "a string", NULL, 0, 0, 0, NULL, 0, 0},
		{"model", TK_OPT_CHOICE, &choice, "M", "a choice", choices, 0, 0, 0, NULL, 0, 0},
		TK_OPT_END};
	const tk_opt *const tables[] = {table, NULL};
	const char *pos[4];
	int npos = 0;
	int st = tk_opt_parse("fuzz", argc, argv, 2, tables, pos, 4, &npos);
	fuzz_check_status(st);
	if (st == 0) {
		FUZZ_ASSERT(npos >= 0 && npos <= 4);
		FUZZ_ASSERT(choice >= 0 && choice <= 2);
		FUZZ_ASSERT(ival >= -5 && ival <= 100);
		FUZZ_ASSERT(!given || (u >= 1 && u <= (UINT64_C(1) << 62)));
		FUZZ_ASSERT(f == 0 || f > 0);
	}
	free(buf);
	free(s);
	return 0;
}
