/*
 * filter.h: image filters on a strip of rows, so that the same code serves a whole
 * image, one rank's strip of it (with halo rows from its neighbours) and each thread's
 * share of a strip.
 *
 * Rule: every output pixel is computed by the same integer (or exactly rounded) code
 * from the same input pixels, whatever the split, so the output bytes are identical
 * for any ranks x threads.  Borders are reflect-101 (OpenCV's BORDER_REFLECT_101,
 * "gfedcb|abcdefgh|gfedcba") at the image's edges only; a strip's edges inside the
 * image use real rows.  Alpha (channel 2 of 2, 4 of 4) passes through unchanged.
 *
 * Filters (a chain is applied in order):
 *   gaussian  --sigma, --size: OpenCV's 8-bit GaussianBlur kernel (8 fraction bits,
 *             exact integer arithmetic, rounded once); size 0 = round(6 sigma + 1) | 1
 *   box       --size (odd): mean over size x size, rounded to nearest
 *   sobel     3x3 gradient magnitude sqrt(gx^2 + gy^2), rounded, at most 255
 *   sharpen   unsharp mask: round(p + amount (p - gaussian(p))), ties to even, amount
 *             in steps of 1/256
 *   median    --size 3 or 5
 *   gray      0.299 R + 0.587 G + 0.114 B (OpenCV's 15-bit fixed point); RGB -> gray,
 *             RGBA -> gray+alpha, gray unchanged
 *   invert    255 - p
 *   threshold --level: 255 where p > level, else 0
 */
#ifndef TK_FILTER_H
#define TK_FILTER_H

#include <stdint.h>

#include "tk/image.h"

#define TK_FILTER_MAX_STEPS 16
#define TK_FILTER_MAX_SIZE 255 /* largest gaussian/box kernel side */

/* The filters, the one list of them (an X-list, as TK_SIMD_KERNELS): X(ID, "name")
 * with SEP between entries.  It makes the kinds, the names the chain parses
 * (filter.c) and the list that help and errors print. */
#define TK_FILTERS(X, SEP)                                                              \
	X(GAUSSIAN, "gaussian") SEP X(BOX, "box") SEP X(SOBEL, "sobel") SEP                \
	X(SHARPEN, "sharpen") SEP X(MEDIAN, "median") SEP X(GRAY, "gray") SEP              \
	X(INVERT, "invert") SEP X(THRESHOLD, "threshold")

#define TK_FILTER_KIND_(id, name) TK_FILTER_##id,
enum tk_filter_kind { TK_FILTERS(TK_FILTER_KIND_, ) TK_FILTER_NKINDS };
/* "gaussian, box, ..., threshold": one string literal, for help texts */
#define TK_FILTER_NAME_(id, name) name
#define TK_FILTER_NAME_LIST TK_FILTERS(TK_FILTER_NAME_, ", ")

/* Parameters shared by the chain; 0 means "not given, use the default". */
typedef struct tk_filter_params {
	double sigma;  /* gaussian (default 1 unless size is given), sharpen (default 1) */
	int size;      /* gaussian (from sigma), box (3), median (3) */
	double amount; /* sharpen (default 1; 0 < amount <= 100) */
	int level;     /* threshold (0..255; negative = default 127) */
} tk_filter_params;
#define TK_FILTER_PARAMS_INIT {0.0, 0, 0.0, -1}

typedef struct tk_filter_step {
	int kind;
	int radius;                          /* context rows/columns on each side */
	uint16_t weight[TK_FILTER_MAX_SIZE / 2 + 1]; /* gaussian: centre, then outwards */
	int amount;                          /* sharpen: amount x 256 */
	int level;                           /* threshold */
} tk_filter_step;

typedef struct tk_filter_chain {
	int n;
	int radius; /* sum of the steps' radii: halo rows a strip needs on each side */
	tk_filter_step step[TK_FILTER_MAX_STEPS];
} tk_filter_chain;

/* Build a chain from "name[,name...]".  TK_EUSAGE with a clear message for an unknown
 * name (listing the valid ones), an even or out-of-range size, sigma < 0, etc. */
int tk_filter_chain_init(tk_filter_chain *chain, const char *list,
                         const tk_filter_params *params);
/* The valid names, comma-separated (TK_FILTER_NAME_LIST). */
const char *tk_filter_names(void);
/* Channels of the chain's output for an input with this many channels. */
int tk_filter_channels_out(const tk_filter_chain *chain, int channels);

/* The input rows [*in_y0, *in_y1) needed to compute output rows [y0, y1) of an image
 * of `height` rows (the strip plus chain->radius halo rows, clipped to the image). */
void tk_filter_halo(const tk_filter_chain *chain, uint32_t height, uint32_t y0,
                    uint32_t y1, uint32_t *in_y0, uint32_t *in_y1);

/* Compute output rows [y0, y1) of the filtered width x height image from `in`, which
 * holds input rows [in_y0, in_y1) (channels each) and must contain the rows
 * tk_filter_halo names.  out receives (y1 - y0) rows of tk_filter_channels_out
 * channels.  Uses the calling thread's OpenMP thread count.  TK_ENOMEM on failure. */
int tk_filter_rows(const tk_filter_chain *chain, uint32_t width, uint32_t height,
                   int channels, const uint8_t *in, uint32_t in_y0, uint32_t in_y1,
                   uint8_t *out, uint32_t y0, uint32_t y1);

/* Filter a whole image into *out (allocated here). */
int tk_filter_image(const tk_filter_chain *chain, const tk_image *in, tk_image *out);

#endif
