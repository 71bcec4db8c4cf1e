/*
 * fuzz_csv.c: reduce's CSV reader (tk_array_load of a .csv file holding the input),
 * column 0 and column 1.  Accepted input: every value it returns is a number the text
 * held, so never more values than lines.
 */
#include "fuzz.h"
#include "tk/array_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, ".csv");
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';
	for (int col = 0; col < 2; col++) {
		tk_source src = {TK_SRC_CSV, path, col, 0, TK_DIST_UNIFORM, 0};
		tk_array a;
		int st = tk_array_load(&src, &a);
		fuzz_check_status(st);
		if (st == 0) {
			FUZZ_ASSERT(a.n <= lines && a.lo == 0 && a.hi == a.n);
			double s = 0;
			for (uint64_t i = 0; i < a.n; i++)
				s += a.data[i];
			(void)s;
			tk_array_free(&a);
		}
	}
	unlink(path);
	return 0;
}
