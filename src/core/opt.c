/*
 * opt.c: the option-table parser and the number syntax for sizes and counts.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tk/opt.h"
#include "tk/tk.h"

int tk_parse_f64(const char *s, double *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int parse_uint_digits(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*end = p;
	*out = v;
	return 0;
}

int tk_parse_u64(const char *s, uint64_t *out)
{
	const char *p;
	uint64_t v;
	if (!s || parse_uint_digits(s, &p, &v) != 0)
		return -1;
	if (*p == '\0') {
		*out = v;
		return 0;
	}
	if (*p == '^') { /* 2^30 */
		uint64_t e;
		const char *q;
		if (parse_uint_digits(p + 1, &q, &e) != 0 || *q)
			return -1;
		/* 0 and 1 are their own powers; any other base overflows within 64 steps,
		 * so the loop is bounded whatever the exponent (1^99999999999999 is 1) */
		uint64_t r = 1;
		if (v <= 1) {
			*out = (v == 0 && e > 0) ? 0 : 1;
			return 0;
		}
		for (uint64_t i = 0; i < e; i++) {
			if (r > UINT64_MAX / v)
				return -1;
			r *= v;
		}
		*out = r;
		return 0;
	}
	/* suffixes: k M G T (powers of 10), Ki Mi Gi Ti (powers of 2) */
	static const char *const sfx[] = {"k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"};
	static const uint64_t mul[] = {1000ull, 1000000ull, 1000000000ull, 1000000000000ull,
	                               1ull << 10, 1ull << 20, 1ull << 30, 1ull << 40};
	for (size_t i = 0; i < TK_ARRAY_SIZE(sfx); i++) {
		if (strcmp(p, sfx[i]) == 0) {
			if (v > UINT64_MAX / mul[i])
				return -1;
			*out = v * mul[i];
			return 0;
		}
	}
	/* scientific or decimal forms such as 1e9 or 1.5e3: must be whole and exact */
	if (strspn(p, "0123456789.eE+-") != strlen(p))
		return -1;
	double d;
	if (tk_parse_f64(s, &d) != 0 || d < 0 || d != floor(d) || d >= 0x1p64)
		return -1;
	*out = (uint64_t)d;
	return 0;
}

static const tk_opt *find_opt(const tk_opt *const *tables, const char *name, size_t len)
{
	for (; *tables; tables++)
		for (const tk_opt *o = *tables; o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				return o;
	return NULL;
}

static void list_choices(char *buf, size_t size, const char *const *choices)
{
	buf[0] = '\0';
	for (size_t i = 0; choices[i]; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i ? ", " : "", choices[i]);
	}
}

static int range_error(const char *cmd, const tk_opt *o, const char *val)
{
	if (o->lo_open && o->hi == 0)
		return tk_error_set(TK_EUSAGE, "%s: --%s must be greater than %g (got '%s')",
		                    cmd, o->name, o->lo, val);
	if (o->lo_open)
		return tk_error_set(TK_EUSAGE,
		                    "%s: --%s must be greater than %g and at most %g (got '%s')",
		                    cmd, o->name, o->lo, o->hi, val);
	return tk_error_set(TK_EUSAGE, "%s: --%s must be between %g and %g (got '%s')", cmd,
	                    o->name, o->lo, o->hi, val);
}

static int in_range(const tk_opt *o, double v)
{
	if (o->lo == 0 && o->hi == 0 && !o->lo_open)
		return 1;
	if (o->lo_open ? v <= o->lo : v < o->lo)
		return 0;
	return o->hi == 0 || v <= o->hi;
}

static int set_value(const char *cmd, const tk_opt *o, const char *val)
{
	switch (o->type) {
	case TK_OPT_FLAG:
		*(int *)o->ptr = 1;
		return 0;
	case TK_OPT_STR:
		*(const char **)o->ptr = val;
		return 0;
	case TK_OPT_U64: {
		uint64_t v;
		if (tk_parse_u64(val, &v) != 0)
			return tk_error_set(TK_EUSAGE,
			                    "%s: --%s expects a whole non-negative number such "
			                    "as 1000, 1e9 or 2^30 (got '%s')",
			                    cmd, o->name, val);
		/* (double)v rounds: 2^62 + 1 would pass a bound of 2^62, so the bound is
		 * also compared as an integer */
		if (!in_range(o, (double)v) || (o->hi > 0 && o->hi < 0x1p64 && v > (uint64_t)o->hi))
			return range_error(cmd, o, val);
		*(uint64_t *)o->ptr = v;
		return 0;
	}
	case TK_OPT_INT: {
		char *end;
		errno = 0;
		long v = strtol(val, &end, 10);
		if (end == val || *end || errno || v < -2147483647L || v > 2147483647L)
			return tk_error_set(TK_EUSAGE, "%s: --%s expects an integer (got '%s')",
			                    cmd, o->name, val);
		if (!in_range(o, (double)v))
			return range_error(cmd, o, val);
		*(int *)o->ptr = (int)v;
		return 0;
	}
	case TK_OPT_F64: {
		double v;
		if (tk_parse_f64(val, &v) != 0)
			return tk_error_set(TK_EUSAGE, "%s: --%s expects a number (got '%s')",
			                    cmd, o->name, val);
		if (!in_range(o, v))
			return range_error(cmd, o, val);
		*(double *)o->ptr = v;
		return 0;
	}
	case TK_OPT_CHOICE:
		for (int i = 0; o->choices[i]; i++) {
			if (strcmp(o->choices[i], val) == 0) {
				*(int *)o->ptr = i;
				return 0;
			}
		}
		char list[512];
		list_choices(list, sizeof list, o->choices);
		return tk_error_set(TK_EUSAGE, "%s: --%s '%s' is not one of: %s", cmd, o->name,
		                    val, list);
	}
	return tk_error_set(TK_EINTERNAL, "bad option table entry --%s", o->name);
}

int tk_opt_parse(const char *cmd, int argc, char **argv, int first,
                 const tk_opt *const *tables, const char **pos, int maxpos, int *npos)
{
	int n = 0;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (a[0] == '-' && a[1] != '\0')
				return tk_error_set(TK_EUSAGE,
				                    "%s: unknown option '%s' (options are --name; "
				                    "see toolkit %s --help)",
				                    cmd, a, cmd);
			if (n >= maxpos)
				return tk_error_set(TK_EUSAGE,
				                    "%s: unexpected argument '%s' (see toolkit %s "
				                    "--help)",
				                    cmd, a, cmd);
			pos[n++] = a;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const tk_opt *o = find_opt(tables, name, len);
		if (!o)
			return tk_error_set(TK_EUSAGE,
			                    "%s: unknown option '--%.*s' (see toolkit %s --help)",
			                    cmd, (int)len, name, cmd);
		const char *val = NULL;
		if (o->type == TK_OPT_FLAG) {
			if (eq)
				return tk_error_set(TK_EUSAGE, "%s: --%s takes no value", cmd,
				                    o->name);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return tk_error_set(TK_EUSAGE, "%s: --%s needs a value (%s)", cmd, o->name,
			                    o->arg ? o->arg : "VALUE");
		}
		TK_CHECK(set_value(cmd, o, val));
		if (o->given)
			*o->given = 1;
	}
	if (npos)
		*npos = n;
	return 0;
}

void tk_opt_usage(FILE *out, const char *cmd, const char *synopsis,
                  const tk_opt *const *tables)
{
	fprintf(out, "usage: toolkit %s %s\n\noptions:\n", cmd, synopsis);
	for (; *tables; tables++) {
		for (const tk_opt *o = *tables; o->name; o++) {
			char head[64];
			snprintf(head, sizeof head, "--%s%s%s", o->name, o->arg ? " " : "",
			         o->arg ? o->arg : "");
			fprintf(out, "  %-22s %s", head, o->help);
			if (o->type == TK_OPT_CHOICE) {
				char list[512];
				list_choices(list, sizeof list, o->choices);
				fprintf(out, " (%s)", list);
			}
			fputc('\n', out);
		}
	}
}
