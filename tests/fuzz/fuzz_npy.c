/*
 * fuzz_npy.c: the .npy header parser (tk_npy_parse, from memory) and, when it accepts
 * a header, the whole load (tk_array_load: the size check against the file, the read,
 * the dtype conversion) from a file holding the input.
 */
#include "fuzz.h"
#include "tk/array_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tk_npy_header h;
	int st = tk_npy_parse(data, size, "fuzz.npy", &h);
	fuzz_check_status(st);
	if (st == 0) {
		FUZZ_ASSERT(h.ndim >= 0 && h.ndim <= 32);
		FUZZ_ASSERT(h.itemsize == 1 || h.itemsize == 4 || h.itemsize == 8);
		FUZZ_ASSERT(h.data_offset <= size);
	}
	tk_source src = {TK_SRC_NPY, fuzz_file(data, size, ".npy"), 0, 0, TK_DIST_UNIFORM, 0};
	tk_array a;
	st = tk_array_load(&src, &a);
	fuzz_check_status(st);
	if (st == 0) {
		/* the file holds every value it promises: header, then count * itemsize */
		FUZZ_ASSERT(a.lo == 0 && a.hi == a.n);
		double s = 0;
		for (uint64_t i = 0; i < a.n; i++)
			s += a.data[i];
		(void)s;
		tk_array_free(&a);
	}
	unlink(src.path);
	return 0;
}
