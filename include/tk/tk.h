/*
 * tk.h: the toolkit's shared conventions: error codes, error macros, version.
 *
 * Rule: functions that can fail return int: 0 on success, a negative TK_E* code on
 * failure.  The exit code of the program is the negated code (see README "Exit codes").
 * User-facing messages are recorded with tk_error_set() (first error wins) and printed
 * once, by rank 0, after the ranks have agreed on the outcome (tk_error_agree()).
 */
#ifndef TK_TK_H
#define TK_TK_H

#include <stddef.h>
#include <stdint.h>

#include "tk/config.h"

#define TK_VERSION "0.1.0"

enum {
	TK_OK = 0,
	TK_EVERIFY = -1,   /* ran, but the result failed its verification   (exit 1) */
	TK_EUSAGE = -2,    /* bad command line or option value               (exit 2) */
	TK_EIO = -3,       /* missing, truncated or malformed file, I/O error (exit 3) */
	TK_ENOMEM = -4,    /* out of memory, or a size too large to hold      (exit 4) */
	TK_EINTERNAL = -5, /* a bug or a failed system call we cannot explain (exit 5) */
};

/* Record an error message (printf-style) with its code; returns code so that callers
 * can write `return tk_error_set(TK_EIO, "%s: truncated", path);`.  The first message
 * recorded wins until tk_error_clear(); thread-safe. */
int tk_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The message recorded so far ("" if none) and its code (0 if none). */
const char *tk_error_message(void);
int tk_error_code(void);
void tk_error_clear(void);
/* A worker thread that handles items of its own (filter's pool) records its errors in
 * buf (cap bytes) instead of the shared record, until called with NULL: set, message,
 * code and clear then act on the thread's record. */
void tk_error_local(char *buf, size_t cap);
/* Collective: every rank passes its local status; all ranks return the same global
 * status (the error of the lowest rank that failed).  Rank 0 prints that rank's message
 * as one line "toolkit: error: ..." on stderr.  Never leaves a rank waiting. */
int tk_error_agree(int status);
/* Collective, quiet: like tk_error_agree() but prints nothing; instead every rank
 * records the failing rank's code and message (with "(rank R)" when R > 0), so a
 * library can stop at a collective point on every rank together and the caller's
 * final tk_error_agree() still names the root cause. */
int tk_error_share(int status);
/* Exit code for a status (0, 1, 2, 3, 4, 5). */
int tk_exit_code(int status);

/* Report a user error unless cond holds (PETSc's PetscCheck). */
#define TK_REQUIRE(cond, code, ...)                                                   \
	do {                                                                          \
		if (!(cond))                                                          \
			return tk_error_set((code), __VA_ARGS__);                     \
	} while (0)

/* Propagate a failure; internal errors get file:line context. */
#define TK_CHECK(expr)                                                                \
	do {                                                                          \
		int tk_check_rc_ = (expr);                                            \
		if (tk_check_rc_ < 0) {                                               \
			if (tk_error_code() == 0)                                     \
				tk_error_set(tk_check_rc_, "%s:%d: %s failed",        \
				             __FILE__, __LINE__, #expr);              \
			return tk_check_rc_;                                          \
		}                                                                     \
	} while (0)

#define TK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation helpers (src/core/alloc.c): they record TK_ENOMEM with what was asked for
 * and return NULL.  Memory from tk_alloc_aligned is 64-byte aligned; both are released
 * with tk_free. */
void *tk_alloc(size_t n, size_t size);
void *tk_alloc_aligned(size_t n, size_t size);
void tk_free(void *p);

#endif
