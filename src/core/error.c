/*
 * error.c: the recorded user-facing error, its collective agreement, and allocation.
 * Rule: the first error recorded wins, so the message names the root cause rather than
 * the cascade of callers that propagated it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

int tk_error_agree(int status)
{
	int rank = tk_comm_rank(), size = tk_comm_size();
	int64_t v[1];
	/* lowest failing rank, and it tells everyone its code and message */
	v[0] = status < 0 ? rank : size;
	tk_comm_allreduce_i64(v, 1, TK_MIN);
	if (v[0] == size)
		return 0;
	int owner = (int)v[0];
	char msg[TK_ERRMSG_MAX];
	int64_t code = status;
	if (rank == owner) {
		snprintf(msg, sizeof msg, "%s", err_msg[0] ? err_msg : "unknown error");
	}
	tk_comm_bcast(&code, sizeof code, owner);
	tk_comm_bcast(msg, sizeof msg, owner);
	if (rank == 0) {
		fflush(stdout);
		if (size > 1 && owner != 0)
			fprintf(stderr, "toolkit: error: %s (rank %d)\n", msg, owner);
		else
			fprintf(stderr, "toolkit: error: %s\n", msg);
	}
	return (int)code;
}

int tk_exit_code(int status)
{
	if (status >= 0)
		return 0;
	if (status < TK_EINTERNAL)
		return 5;
	return -status;
}

void *tk_alloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		tk_error_set(TK_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
		return NULL;
	}
	size_t bytes = n * size;
	void *p = malloc(bytes ? bytes : 1);
	if (!p)
		tk_error_set(TK_ENOMEM, "out of memory allocating %zu bytes", n * size);
	return p;
}

void *tk_alloc_aligned(size_t n, size_t size)
{
	if (size && n > (SIZE_MAX - 64) / size) {
		tk_error_set(TK_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
		return NULL;
	}
	size_t bytes = (n * size + 63) / 64 * 64;
	void *p = NULL;
	if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) {
		tk_error_set(TK_ENOMEM, "out of memory allocating %zu bytes", n * size);
		return NULL;
	}
	return p;
}

void tk_free(void *p) { free(p); }

static uint64_t read_u64_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char buf[64] = "";
	uint64_t v = 0;
	if (fgets(buf, sizeof buf, f) && strncmp(buf, "max", 3) != 0)
		v = strtoull(buf, NULL, 10);
	fclose(f);
	return v;
}

uint64_t tk_mem_available(void)
{
	uint64_t avail = 0;
	FILE *f = fopen("/proc/meminfo", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof line, f)) {
			unsigned long long kb;
			if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
				avail = (uint64_t)kb * 1024;
				break;
			}
		}
		fclose(f);
	}
	uint64_t lim = read_u64_file("/sys/fs/cgroup/memory.max");
	if (lim) {
		uint64_t cur = read_u64_file("/sys/fs/cgroup/memory.current");
		uint64_t room = lim > cur ? lim - cur : 0;
		if (avail == 0 || room < avail)
			avail = room;
	}
	return avail;
}
