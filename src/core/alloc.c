/*
 * alloc.c: the allocation helpers (tk.h): on failure they record TK_ENOMEM with what was
 * asked for, so the caller only propagates it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tk/tk.h"

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
