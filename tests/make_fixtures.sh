#!/bin/sh
# Regenerate the image fixtures in tests/data (committed, so the tests never need
# this script or its tools).  Needs Netpbm (apt-get install netpbm).
#
# Every good fixture shows the same 7 x 5 picture, so that tests/io/test_image.c can check
# the decoded pixels against these formulas (written there again, by hand):
#   gray(x, y)  = (37 x + 53 y) mod 256
#   rgb(x, y)   = (40 x, 60 y, 20 (x + y))
#   alpha(x, y) = 255 - 30 x
# The plain (P2/P3) files are written here as text; the other files are converted from
# them by Netpbm's own tools, so the readers are checked against an independent writer.
set -eu
cd "$(dirname "$0")/data"
W=7 H=5

# plain PNM with comments between the header fields; $1 type, $2 maxval, $3 awk expr
plain() {
	awk -v W=$W -v H=$H -v T="$1" -v M="$2" 'BEGIN {
		printf "P%s\n# fixture made by tests/make_fixtures.sh\n%d # width\n%d\n# maxval next\n%d\n", T, W, H, M
		for (y = 0; y < H; y++) { line = ""
			for (x = 0; x < W; x++) line = line " " '"$3"'
			print substr(line, 2) }
	}'
}
plain 2 255 '(37*x + 53*y) % 256' >gray_plain.pgm
plain 3 255 '(40*x) " " (60*y) " " (20*(x+y))' >rgb_plain.ppm
plain 2 255 '(255 - 30*x)' >alpha_plain.pgm
plain 2 65535 '((37*x + 53*y) % 256) * 257 + 100' >gray16_plain.pgm
plain 2 15 '((x + y) % 16)' >gray15_plain.pgm
plain 2 1 '((x + y) % 2)' >gray1_plain.pgm
plain 2 3 '((x + y) % 4)' >gray3_plain.pgm

pnmnoraw gray_plain.pgm >gray.pgm
pnmnoraw rgb_plain.ppm >rgb.ppm
pnmnoraw gray16_plain.pgm >gray16.pgm
pnmnoraw gray15_plain.pgm >gray15.pgm

# -force: true colour, not the palette pnmtopng would pick for so few colours
pnmtopng -force gray.pgm >gray.png
pnmtopng -force rgb.ppm >rgb.png
pnmtopng -force -alpha=alpha_plain.pgm gray.pgm >ga.png
pnmtopng -force -alpha=alpha_plain.pgm rgb.ppm >rgba.png
pnmtopng -force -interlace rgb.ppm >interlaced.png
pnmtopng -force gray16.pgm >gray16.png
# 16-bit RGB (pnmtopng would store these exact multiples of 257 in 8 bits)
pamdepth 65535 rgb.ppm | pnmtopng -force >rgb16.png
if [ "$(file -b rgb16.png | grep -c 16-bit)" = 0 ] && command -v convert >/dev/null; then
	convert rgb.ppm -depth 16 PNG48:rgb16.png
fi
pnmtopng gray1_plain.pgm >gray1.png
pnmtopng gray3_plain.pgm >gray2.png
pnmtopng gray15.pgm >gray4.png
pnmtopng rgb.ppm >pal.png
# palette with one transparent colour, (0, 0, 0) at x = y = 0
pnmtopng -transparent=rgb:00/00/00 rgb.ppm >pal_trns.png
rm -f alpha_plain.pgm gray16_plain.pgm gray15_plain.pgm gray1_plain.pgm gray3_plain.pgm

# bad files
n=$(wc -c <rgb.png); head -c $((n - 30)) rgb.png >bad_truncated.png
n=$(wc -c <gray.pgm); head -c $((n - 5)) gray.pgm >bad_truncated.pgm
n=$(wc -c <rgb_plain.ppm); head -c $((n - 8)) rgb_plain.ppm >bad_truncated_plain.ppm
printf 'P5\n65536 65537\n255\n\001\002\003' >bad_huge.pgm
printf 'P5\n0 5\n255\n' >bad_zero.pgm
printf 'P5\n2 2\n0\n\000\000\000\000' >bad_maxval0.pgm
printf 'P2\n2 1\n10\n3 11\n' >bad_sample.pgm
printf 'hello, this is not an image\n' >bad_notimage.png
echo "fixtures written to $(pwd)"
