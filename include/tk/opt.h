/*
 * opt.h: named options, one table per command (git's parse-options).
 *
 * Rule: every option is `--name VALUE` or `--name=VALUE` (flags take no value);
 * positional words are collected for the command.  Values are checked here, against
 * the table: type, range, and for choices the list of valid values, which the error
 * message spells out.  Parsing is pure: it prints nothing and records errors with
 * tk_error_set, so every rank reaches the same verdict.
 */
#ifndef TK_OPT_H
#define TK_OPT_H

#include <stdint.h>
#include <stdio.h>

typedef enum tk_opt_type {
	TK_OPT_FLAG,   /* int*: set to 1 */
	TK_OPT_INT,    /* int* */
	TK_OPT_U64,    /* uint64_t*: 1000000, 1e6, 2^20, 4Ki/4Mi/4Gi, 10k/10M/10G; range min/max */
	TK_OPT_F64,    /* double* */
	TK_OPT_STR,    /* const char**: points into argv */
	TK_OPT_CHOICE, /* int*: index into choices */
} tk_opt_type;

typedef struct tk_opt {
	const char *name;  /* without the leading "--"; NULL ends a table */
	tk_opt_type type;
	void *ptr;
	const char *arg;   /* placeholder in help ("N"), NULL for flags */
	const char *help;
	const char *const *choices; /* TK_OPT_CHOICE: NULL-terminated list */
	double lo, hi;     /* TK_OPT_INT, TK_OPT_F64: valid range [lo, hi]; lo == hi == 0: any
	                    * (every int is exact in a double) */
	int lo_open;       /* 1: lo itself is not valid (e.g. sigma > 0) */
	int *given;        /* optional: set to 1 when the option appears */
	uint64_t min, max; /* TK_OPT_U64: valid range [min, max], exact; max 0: no upper limit
	                    * (lo, hi and lo_open stay 0: a double cannot hold every count) */
} tk_opt;

#define TK_OPT_END {NULL, TK_OPT_FLAG, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0, 0}

/* Parse argv[first..argc) against the tables (a NULL-terminated list of tables).
 * Positional words go to pos[] (up to maxpos).  Returns 0 or TK_EUSAGE (TK_EINTERNAL
 * for a table entry that breaks the rules above).  A value that passes is final: the
 * code behind the table does not check it again. */
int tk_opt_parse(const char *cmd, int argc, char **argv, int first,
                 const tk_opt *const *tables, const char **pos, int maxpos, int *npos);

/* Print "usage: toolkit CMD SYNOPSIS" and the options with their help. */
void tk_opt_usage(FILE *out, const char *cmd, const char *synopsis,
                  const tk_opt *const *tables);

/* Number parsing shared with the tests: whole, non-negative counts with the forms above;
 * returns 0 or -1 (not a number, not whole, out of range). */
int tk_parse_u64(const char *s, uint64_t *out);
int tk_parse_f64(const char *s, double *out);

#endif
