/*
 * error.c: the recorded user-facing error and its agreement across ranks, one protocol
 * with two endings: tk_error_agree prints the verdict, tk_error_share records it.
 * Rule: the first error recorded wins, so the message names the root cause rather than
 * the cascade of callers that propagated it; after an agreement every rank holds the
 * same status, so no rank goes on into a collective that another has abandoned.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tk/comm.h"
#include "tk/tk.h"

#define TK_ERRMSG_MAX 512

static char err_msg[TK_ERRMSG_MAX];
static int err_code;
/* a worker thread's own record (tk_error_local): items handled by different threads
 * at once each keep their own first error */
static _Thread_local char *local_msg;
static _Thread_local size_t local_cap;
static _Thread_local int local_code;

void tk_error_local(char *buf, size_t cap)
{
	local_msg = buf;
	local_cap = cap;
	local_code = 0;
	if (buf && cap)
		buf[0] = '\0';
}

int tk_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (local_msg) {
		if (local_code == 0) {
			vsnprintf(local_msg, local_cap, fmt, ap);
			local_code = code;
		}
		va_end(ap);
		return code;
	}
#pragma omp critical(tk_error)
	{
		if (err_code == 0) {
			vsnprintf(err_msg, sizeof err_msg, fmt, ap);
			err_code = code;
		}
	}
	va_end(ap);
	return code;
}

const char *tk_error_message(void) { return local_msg ? local_msg : err_msg; }
int tk_error_code(void) { return local_msg ? local_code : err_code; }

void tk_error_clear(void)
{
	if (local_msg) {
		local_code = 0;
		local_msg[0] = '\0';
		return;
	}
	err_code = 0;
	err_msg[0] = '\0';
}

/* The agreement: the lowest failing rank owns the verdict and sends every rank its code
 * and message.  Returns 0 when no rank failed, else the owner's code, with msg and
 * *owner set on every rank.  Collective. */
static int agree(int status, char msg[TK_ERRMSG_MAX], int *owner)
{
	int rank = tk_comm_rank(), size = tk_comm_size();
	int64_t v[1] = {status < 0 ? rank : size};
	tk_comm_allreduce_i64(v, 1, TK_MIN);
	if (v[0] == size)
		return 0;
	*owner = (int)v[0];
	int64_t code = status;
	if (rank == *owner)
		snprintf(msg, TK_ERRMSG_MAX, "%s",
		         tk_error_message()[0] ? tk_error_message() : "unknown error");
	tk_comm_bcast(&code, sizeof code, *owner);
	tk_comm_bcast(msg, TK_ERRMSG_MAX, *owner);
	return (int)code;
}

int tk_error_agree(int status)
{
	char msg[TK_ERRMSG_MAX];
	int owner = 0, size = tk_comm_size();
	int code = agree(status, msg, &owner);
	if (code == 0)
		return 0;
	if (tk_comm_rank() == 0) {
		fflush(stdout);
		if (size > 1 && owner != 0)
			fprintf(stderr, "toolkit: error: %s (rank %d)\n", msg, owner);
		else
			fprintf(stderr, "toolkit: error: %s\n", msg);
	}
	return code;
}

int tk_error_share(int status)
{
	char msg[TK_ERRMSG_MAX];
	int owner = 0;
	int code = agree(status, msg, &owner);
	if (code == 0)
		return 0;
	/* the owner keeps its own record; the others take the owner's, naming it */
	if (tk_comm_rank() != owner || tk_error_code() == 0) {
		tk_error_clear();
		if (owner != 0)
			tk_error_set(code, "%s (rank %d)", msg, owner);
		else
			tk_error_set(code, "%s", msg);
	}
	return code;
}

int tk_exit_code(int status)
{
	if (status >= 0)
		return 0;
	if (status < TK_EINTERNAL)
		return 5;
	return -status;
}
