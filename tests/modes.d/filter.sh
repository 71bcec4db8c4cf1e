# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# shellcheck shell=bash
# toolkit filter: cases for tests/modes.sh (sourced; uses TK, HERE, WORK and its helpers).
# One image in row strips (generated and from files, including more ranks than rows of
# halo), a folder with dynamic load balancing, and every bad input of the issue.
FD="$HERE/data"
png=0
"$TK" info | grep -q "PNG support *yes" && png=1
mkdir -p "$WORK/imgs" "$WORK/broken" "$WORK/out"
# a folder of mixed sizes and layouts, written by the toolkit itself
"$TK" filter --filter invert --generate 640x360x3 --output "$WORK/imgs/a.ppm" --quiet >/dev/null
"$TK" filter --filter invert --generate 97x300 --output "$WORK/imgs/b.pgm" --quiet >/dev/null
"$TK" filter --filter invert --generate 333x111 --output "$WORK/imgs/c.pgm" --quiet >/dev/null
cp "$FD/rgb_plain.ppm" "$WORK/imgs/d.ppm"
if [ $png = 1 ]; then
	"$TK" filter --filter invert --generate 333x111x4 --output "$WORK/imgs/c.png" --quiet \
		>/dev/null
	cp "$FD/ga.png" "$FD/pal.png" "$WORK/imgs/"
fi
cp "$WORK/imgs/"* "$WORK/broken/"
cp "$FD/bad_truncated.pgm" "$WORK/broken/broken.pgm"

same_digest filter-gaussian-gray -- filter --filter gaussian --sigma 2 --generate 301x97
same_digest filter-chain-rgba -- filter --filter median,sharpen,sobel --size 5 --generate 200x37x4
same_digest filter-thin-strips -- filter --filter gaussian,box --size 7 --generate 64x5x3
if [ $png = 1 ]; then
	same_digest filter-png-file -- filter --filter gaussian --sigma 1.5 --input "$FD/rgba.png"
	expect_error filter-truncated-png 3 "bad_truncated.png: truncated" -- filter \
		--filter gaussian --input "$FD/bad_truncated.png" --output "$WORK/o.png"
fi
same_digest filter-gray-threshold -- filter --filter gray,threshold --level 100 --input "$FD/rgb.ppm"
same_digest filter-folder -- filter --filter gray,box --size 5 --input "$WORK/imgs"

# every SIMD variant this CPU runs gives the scalar variant's digest (--simd, and TK_SIMD
# for one case); the ones it cannot run are named
simd_all=$("$TK" info | sed -n 's/^  SIMD variants *\([^(]*\).*/\1/p' | tr -d ',')
for v in sse2 avx2 avx512; do
	case " $simd_all " in
	*" $v "*) ;;
	*) echo "  filter --simd $v: not run (this CPU or build has: $simd_all)" ;;
	esac
done
filter_simd_same() { # filter_simd_same NAME -- ARGS...
	local name=$1 ref d v n=0
	shift 2
	run_json "$WORK/simd.json" env -- "$@" --simd scalar
	ref=$(json_field "$WORK/simd.json" digest)
	if [ -z "$ref" ]; then
		fail "$name [scalar]: no digest: $(head -c 300 "$WORK/simd.json.err")"
		return
	fi
	for v in $simd_all; do
		[ "$v" = scalar ] && continue
		run_json "$WORK/simd.json" env -- "$@" --simd "$v"
		d=$(json_field "$WORK/simd.json" digest)
		if [ "$d" != "$ref" ]; then
			fail "$name [--simd $v]: digest '${d}' differs from scalar $ref"
		else
			pass
			n=$((n + 1))
		fi
	done
	echo "  $name: digest $ref in scalar and $n other SIMD variant(s)"
}
filter_simd_same filter-simd-gaussian -- filter --filter gaussian --sigma 3 --generate 1013x37x3
filter_simd_same filter-simd-gaussian-small -- filter --filter gaussian --size 5 --generate 65x9
filter_simd_same filter-simd-box -- filter --filter box --size 5 --generate 333x41x4
filter_simd_same filter-simd-box-large -- filter --filter box --size 21 --generate 129x40x2
filter_simd_same filter-simd-sharpen -- filter --filter sharpen --sigma 2 --amount 3.5 \
	--generate 777x19x3
filter_simd_same filter-simd-median -- filter --filter median --size 5 --generate 259x23x3
filter_simd_same filter-simd-chain -- filter --filter gray,median,sobel,invert,threshold \
	--generate 301x97x4
filter_simd_same filter-simd-thin -- filter --filter gaussian,median,box --size 3 --generate 2x7x3
if [ $png = 1 ]; then
	filter_simd_same filter-simd-png -- filter --filter median,sharpen --input "$FD/rgba.png"
fi
for v in $simd_all; do
	run_json "$WORK/simd.json" env TK_SIMD="$v" -- filter --filter gaussian,sobel --sigma 2 \
		--generate 300x50x3
	d=$(json_field "$WORK/simd.json" digest)
	run_json "$WORK/simd2.json" env -- filter --filter gaussian,sobel --sigma 2 \
		--generate 300x50x3 --simd scalar
	if [ -n "$d" ] && [ "$d" = "$(json_field "$WORK/simd2.json" digest)" ] &&
		grep -q "\"simd\":\"$v\"" "$WORK/simd.json"; then
		pass
	else
		fail "filter TK_SIMD=$v: digest '$d' or variant not recorded: $(head -c 300 "$WORK/simd.json")"
	fi
done

expect_error filter-truncated 3 "bad_truncated.pgm: truncated" -- filter --filter gaussian \
	--input "$FD/bad_truncated.pgm" --output "$WORK/o.pgm"
expect_error filter-absurd-dims 4 "too large" -- filter --filter box --input "$FD/bad_huge.pgm"
expect_error filter-zero-dims 3 "zero width" -- filter --filter box --input "$FD/bad_zero.pgm"
expect_error filter-maxval0 3 "maxval 0" -- filter --filter box --input "$FD/bad_maxval0.pgm"
expect_error filter-not-image 3 "not a PNG or PNM" -- filter --filter box \
	--input "$FD/bad_notimage.png"
expect_error filter-unknown 2 "unknown filter 'blur'" -- filter --filter blur \
	--input "$FD/rgb.png"
expect_error filter-even-box 2 "box: --size 4" -- filter --filter box --size 4 \
	--input "$FD/rgb.png"
expect_error filter-sigma0 2 "sigma must be greater than 0" -- filter --filter gaussian \
	--sigma 0 --input "$FD/rgb.png"
expect_error filter-no-outdir 3 "does not exist" -- filter --filter gaussian \
	--input "$FD/rgb.png" --output "$WORK/nodir/o.png"
expect_error filter-in-is-out 2 "output is the input" -- filter --filter gaussian \
	--input "$WORK/imgs/a.ppm" --output "$WORK/imgs/a.ppm"
expect_error filter-folder-in-is-out 2 "output is the input" -- filter --filter gaussian \
	--input "$WORK/imgs" --output "$WORK/imgs/"
if ls "$WORK"/o.p* >/dev/null 2>&1; then
	fail "filter: a failed run left $(ls "$WORK"/o.p*)"
else
	pass
fi

# a broken file in a folder: named, skipped, exit 3, every other image written
expect_error filter-folder-broken 3 "broken.pgm: truncated.*(skipped)" -- filter \
	--filter gaussian --input "$WORK/broken" --output "$WORK/out"
if [ "$(ls "$WORK/out" | wc -l)" -eq "$(ls "$WORK/imgs" | wc -l)" ] &&
	[ ! -e "$WORK/out/broken.pgm" ]; then
	pass
else
	fail "filter-folder-broken: output folder holds: $(ls "$WORK/out" | tr '\n' ' ')"
fi
echo "  filter: bad inputs and the broken-file folder checked"
