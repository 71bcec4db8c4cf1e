/*
 * error_share.c: quiet agreement on an error between ranks (see tk_error_share in
 * tk.h).  Rule: after it returns, every rank holds the same status and message, so no
 * rank goes on into a collective that another rank has abandoned.
 */
#include <stdio.h>
#include <string.h>

#include "tk/comm.h"
#include "tk/tk.h"

int tk_error_share(int status)
{
	int rank = tk_comm_rank(), size = tk_comm_size();
	int64_t v[1] = {status < 0 ? rank : size};
	tk_comm_allreduce_i64(v, 1, TK_MIN);
	if (v[0] == size)
		return 0;
	int owner = (int)v[0];
	char msg[400];
	int64_t code = status;
	if (rank == owner)
		snprintf(msg, sizeof msg, "%s",
		         tk_error_message()[0] ? tk_error_message() : "unknown error");
	tk_comm_bcast(&code, sizeof code, owner);
	tk_comm_bcast(msg, sizeof msg, owner);
	if (rank != owner || tk_error_code() == 0) {
		tk_error_clear();
		if (owner != 0)
			tk_error_set((int)code, "%s (rank %d)", msg, owner);
		else
			tk_error_set((int)code, "%s", msg);
	}
	return (int)code;
}
