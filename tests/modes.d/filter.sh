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

# --generate sizes: no wrapping (4294967297 was read as 1), no trailing junk, and a size
# whose input and output images cannot fit is refused before generating, naming the option
expect_error filter-generate-wraps 2 "'4294967297x2' is not WIDTHxHEIGHT" -- filter \
	--filter box --generate 4294967297x2
expect_error filter-generate-junk 2 "'10x10junk' is not WIDTHxHEIGHT" -- filter \
	--filter box --generate 10x10junk
expect_error filter-generate-channels-junk 2 "'10x10x3z' is not WIDTHxHEIGHT" -- filter \
	--filter box --generate 10x10x3z
avail_kb=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo 2>/dev/null)
if [ -n "$avail_kb" ] && [ "$avail_kb" -lt $((32 * 1024 * 1024)) ]; then
	# 65536 x 65535 x 4: 16 GiB in and 16 GiB out
	expect_error filter-generate-memory 4 "filter: --generate 65536x65535x4: the input and output images need" -- \
		filter --filter box --generate 65536x65535x4
fi

# image headers are checked against what the file can hold before allocating: a plain
# P2 claiming 40000 x 40000 over 6 bytes is truncated (exit 3, it used to allocate
# 1.6 GB first); under a memory limit an honest large image fails naming the file
printf 'P2\n40000 40000\n255\n0 1 2\n' >"$WORK/liar.pgm"
expect_error filter-plain-header-beyond-file 3 "liar.pgm: truncated: header says 40000 x 40000" -- \
	filter --filter box --input "$WORK/liar.pgm"
printf 'P5\n20000 20000\n255\n' >"$WORK/big.pgm"
truncate -s $((19 + 400000000)) "$WORK/big.pgm"
(
	ulimit -v 300000
	"$TK" filter --filter box --input "$WORK/big.pgm" --threads 1 >/dev/null 2>"$WORK/big.err"
)
rc=$?
if [ $rc = 4 ] && grep -q "big.pgm: out of memory for a 20000 x 20000" "$WORK/big.err"; then
	pass
else
	fail "filter under ulimit -v: exit $rc, $(head -c 200 "$WORK/big.err")"
fi
rm -f "$WORK/big.pgm"

# SIGTERM while an image is being written: the temporary file is removed, the target is
# never created, and the exit code is 128 + 15
mkdir -p "$WORK/sig"
"$TK" filter --filter invert --generate 8000x8000x3 --output "$WORK/sig/big.png" --quiet \
	>/dev/null 2>&1 &
fpid=$!
for _ in $(seq 200); do
	ls "$WORK/sig/"*.tmp.* >/dev/null 2>&1 && break
	sleep 0.05
done
kill -TERM $fpid
wait $fpid
rc=$?
sleep 0.2
left=$(ls "$WORK/sig")
if [ $rc -eq 143 ] && [ -z "$left" ]; then
	pass
else
	fail "filter SIGTERM during a write: exit $rc, left: $left"
fi

# output-name collisions in folder mode: a.pgm and a.pnm (and c.PGM and c.pgm) would
# both be written as a.pgm (c.pgm); the later name is skipped with exit 3, never two
# inputs to one output
for pair in "a.pgm a.pnm" "c.PGM c.pgm"; do
	read -r c1 c2 <<<"$pair"
	rm -rf "$WORK/clash" "$WORK/clash_out"
	mkdir -p "$WORK/clash" "$WORK/clash_out"
	"$TK" filter --filter invert --generate 30x20 --seed 1 --output "$WORK/clash/$c1" --quiet >/dev/null
	"$TK" filter --filter invert --generate 30x20 --seed 2 --output "$WORK/clash/$c2" --quiet >/dev/null
	"$TK" filter --filter box --input "$WORK/clash/$c1" --output "$WORK/clash_ref.pgm" --quiet >/dev/null
	expect_error "filter-folder-clash $c1 $c2" 3 "$c2: would be written to the same output as .*$c1.*(skipped)" -- \
		filter --filter box --input "$WORK/clash" --output "$WORK/clash_out"
	want=$(echo "$c1" | sed 's/\.[^.]*$/.pgm/')
	if [ "$(ls "$WORK/clash_out")" = "$want" ] && cmp -s "$WORK/clash_out/$want" "$WORK/clash_ref.pgm"; then
		pass
	else
		fail "filter-folder-clash $c1 $c2: output folder holds $(ls "$WORK/clash_out" | tr '\n' ' ')"
	fi
done

# a link in the input folder that leads out of it is skipped with a note (read only
# with --follow-symlinks); outputs are no more readable than their inputs (a 0600
# input was written 0644)
rm -rf "$WORK/ln"
mkdir -p "$WORK/ln/in" "$WORK/ln/secret" "$WORK/ln/out" "$WORK/ln/out2"
"$TK" filter --filter invert --generate 30x20 --output "$WORK/ln/secret/private.pgm" --quiet >/dev/null
"$TK" filter --filter invert --generate 30x20 --output "$WORK/ln/in/ok.pgm" --quiet >/dev/null
chmod 600 "$WORK/ln/secret/private.pgm"
chmod 640 "$WORK/ln/in/ok.pgm"
ln -s ../secret/private.pgm "$WORK/ln/in/link.pgm"
ln -s ok.pgm "$WORK/ln/in/inside.pgm"
umask_was=$(umask)
umask 022
"$TK" filter --filter box --input "$WORK/ln/in" --output "$WORK/ln/out" >/dev/null 2>"$WORK/ln/err"
rc=$?
if [ $rc = 0 ] && grep -q "note: .*link.pgm is a link to .*private.pgm, outside the folder: skipped" \
	"$WORK/ln/err" && [ "$(ls "$WORK/ln/out" | tr '\n' ' ')" = "inside.pgm ok.pgm " ]; then
	pass
else
	fail "filter folder link leaving it: exit $rc, wrote $(ls "$WORK/ln/out" | tr '\n' ' '): $(head -c 200 "$WORK/ln/err")"
fi
"$TK" filter --filter box --input "$WORK/ln/in" --output "$WORK/ln/out2" --follow-symlinks \
	>/dev/null 2>&1
"$TK" filter --filter box --input "$WORK/ln/secret/private.pgm" --output "$WORK/ln/one.pgm" \
	>/dev/null 2>&1
modes_seen="$(stat -c %a "$WORK/ln/out2/link.pgm" "$WORK/ln/out2/ok.pgm" "$WORK/ln/one.pgm" 2>&1 | tr '\n' ' ')"
if [ "$modes_seen" = "600 640 600 " ]; then
	pass
else
	fail "filter output modes: $modes_seen, expected 600 640 600 (the inputs')"
fi
umask "$umask_was"
