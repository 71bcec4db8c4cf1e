/*
 * hash.c: FNV-1a 64 by bytes and by 64-bit words (see tk/hash.h).
 */
#include <string.h>

#include "tk/hash.h"

uint64_t tk_fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= TK_FNV_PRIME;
	}
	return h;
}

uint64_t tk_fnv1a_words(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8); /* little-endian hosts only, checked by the tests */
		h = (h ^ w) * TK_FNV_PRIME;
	}
	if (i < n) {
		uint64_t w = 0;
		for (size_t k = 0; i + k < n; k++)
			w |= (uint64_t)p[i + k] << (8 * k);
		h = (h ^ w) * TK_FNV_PRIME;
	}
	return h;
}
