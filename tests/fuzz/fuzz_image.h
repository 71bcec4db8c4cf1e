/*
 * fuzz_image.h: one image from memory (tk_image_read_mem), PNM or PNG by its first
 * bytes.  Accepted image: sides and channels within the limits, every byte of the
 * raster readable (the digest reads them all).
 */
#ifndef TK_FUZZ_IMAGE_H
#define TK_FUZZ_IMAGE_H

#include "fuzz.h"
#include "tk/image.h"

static inline int fuzz_image(const uint8_t *data, size_t size)
{
	tk_image img;
	int st = tk_image_read_mem("fuzz-image", data, size, &img);
	fuzz_check_status(st);
	if (st == 0) {
		FUZZ_ASSERT(img.width >= 1 && img.height >= 1);
		FUZZ_ASSERT(img.channels >= 1 && img.channels <= 4);
		FUZZ_ASSERT(img.data);
		(void)tk_image_digest(&img);
		tk_image_free(&img);
	}
	return 0;
}

#endif
