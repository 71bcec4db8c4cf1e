/*
 * image_io.h: the format back ends behind tk_image_read/tk_image_write (private).
 * Each reader gets the open file positioned at its start and the path for messages;
 * each writer gets an open temporary file and the target path for messages.
 */
#ifndef TK_IMAGE_IO_H
#define TK_IMAGE_IO_H

#include <stdio.h>

#include "tk/image.h"

/* Bytes in the stream: a regular file's size, or a memory stream's (fmemopen); -1 for
 * a pipe or anything else whose size is unknown. */
int64_t tk_stream_size(FILE *f);
int tk_pnm_read(FILE *f, const char *path, tk_image *img);
int tk_pnm_write(FILE *f, const char *path, const tk_image *img);
int tk_png_read(FILE *f, const char *path, tk_image *img);
int tk_png_write(FILE *f, const char *path, const tk_image *img);

/* Count an image whose 16-bit samples were reduced to 8 bits (tk_image_16bit_count). */
void tk_image_note_16bit(const char *path);

#endif
