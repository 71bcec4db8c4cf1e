/*
 * fuzz_ckpt.c: the checkpoint decoder (tk_ckpt_decode, from memory), fed the input as
 * it is and again with its last 8 bytes replaced by the right checksum, so that the
 * fields behind the checksum are explored too.  An accepted file is a whole version-1
 * checkpoint: encoding what was decoded gives the same bytes, and it matches itself.
 */
#include "fuzz.h"
#include "tk/checkpoint.h"
#include "tk/hash.h"
#include "tk/report.h"

static void one(const uint8_t *data, size_t size)
{
	tk_ckpt c;
	int st = tk_ckpt_decode("fuzz.ckpt", data, size, &c);
	fuzz_check_status(st);
	if (st != 0)
		return;
	FUZZ_ASSERT(c.nparams >= 0 && c.nparams <= TK_CKPT_MAX_PARAMS);
	FUZZ_ASSERT(c.nu >= 0 && c.nu <= TK_CKPT_MAX_U);
	FUZZ_ASSERT(c.nx >= 0 && c.nx <= TK_CKPT_MAX_X);
	FUZZ_ASSERT(c.done <= c.total);
	unsigned char *buf;
	size_t len;
	FUZZ_ASSERT(tk_ckpt_encode(&c, &buf, &len) == 0);
	FUZZ_ASSERT(len == size && memcmp(buf, data, size) == 0);
	free(buf);
	for (int i = 0; i < c.nparams; i++)
		c.param_names[i] = "p";
	FUZZ_ASSERT(tk_ckpt_match("fuzz.ckpt", &c, &c) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size);
	if (size < 8)
		return 0;
	uint8_t *fixed = malloc(size);
	FUZZ_ASSERT(fixed);
	memcpy(fixed, data, size);
	uint64_t sum = tk_fnv1a(TK_FNV_OFFSET, fixed, size - 8);
	for (int i = 0; i < 8; i++)
		fixed[size - 8 + i] = (uint8_t)(sum >> (8 * i));
	one(fixed, size);
	free(fixed);
	return 0;
}
