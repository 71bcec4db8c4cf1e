/*
 * fuzz.h: what the libFuzzer harnesses share (tests/fuzz/fuzz_*.c; make fuzz,
 * make fuzz-replay).
 *
 * Rule: a harness feeds one input to one public parser and checks only what the parser
 * promises whatever the bytes: it returns 0 or a negative TK_E... code, leaves a
 * message when it refuses, and never reads or writes out of bounds (ASan/UBSan judge
 * that).  The error state is cleared after each input, so inputs do not meet.
 */
#ifndef TK_FUZZ_H
#define TK_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk/tk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise is a crash, so libFuzzer saves the input. */
#define FUZZ_ASSERT(cond)                                                             \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* A parser's status: 0, or a known negative code with a message recorded. */
static inline void fuzz_check_status(int st)
{
	FUZZ_ASSERT(st <= 0);
	if (st < 0)
		FUZZ_ASSERT(tk_error_message() && tk_error_message()[0]);
	tk_error_clear();
}

/* The input as a NUL-terminated string (stops at the first NUL byte); free(). */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	FUZZ_ASSERT(s);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input written to a file of this process's own (for parsers that read a path);
 * the path, in a static buffer. */
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *ext)
{
	static char path[256];
	const char *dir = getenv("TMPDIR");
	if (access("/dev/shm", W_OK) == 0)
		dir = "/dev/shm";
	snprintf(path, sizeof path, "%s/tk-fuzz-%ld%s", dir ? dir : "/tmp", (long)getpid(), ext);
	FILE *f = fopen(path, "wb");
	FUZZ_ASSERT(f);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
	FUZZ_ASSERT(fclose(f) == 0);
	return path;
}

#endif
