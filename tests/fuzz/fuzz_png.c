/* fuzz_png.c: the PNG reader (libpng underneath) through tk_image_read_mem. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_image(data, size); }
