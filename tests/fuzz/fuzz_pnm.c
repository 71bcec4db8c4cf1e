/* fuzz_pnm.c: the PGM/PPM reader (P2, P3, P5, P6) through tk_image_read_mem. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_image(data, size); }
