/*
 * parse.c: reading the JSON record a run prints (toolkit.run/1, one line per run).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

double bench_json_num(const char *s, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(s, pat);
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

void bench_json_str(const char *s, const char *key, char *out, size_t n)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	const char *p = strstr(s, pat);
	out[0] = '\0';
	if (!p)
		return;
	p += strlen(pat);
	size_t len = strcspn(p, "\"");
	snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), p);
}
