# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# reduce: cross-mode digests and bad inputs (sourced by tests/modes.sh, which provides
# same_digest, expect_error, $WORK and $HERE).
DATA=$HERE/data

# generated data: N not a multiple of the block (1024) or of any worker count, N below
# the worker count, NaN/inf from CSV, numpy's .npy fixtures
same_digest reduce-generate -- reduce --generate 1000003 --seed 1 --ops all
same_digest reduce-normal -- reduce --generate 250001 --dist normal --seed 7 --ops all --bins 64
same_digest reduce-tiny -- reduce --generate 3 --seed 2 --ops all
same_digest reduce-npy -- reduce --input "$DATA/rand1000.npy" --ops all --bins 10
same_digest reduce-npy-f4 -- reduce --input "$DATA/f4.npy" --ops all
same_digest reduce-atomic -- reduce --generate 20000 --seed 3 --ops all --strategy atomic
same_digest reduce-critical -- reduce --generate 20000 --seed 3 --ops all --strategy critical
{
	echo "x,value"
	for i in $(seq 0 4999); do
		case $((i % 1000)) in
		7) echo "$i,nan" ;;
		8) echo "$i,inf" ;;
		*) echo "$i,$((i * 37 % 1001)).25" ;;
		esac
	done
} >"$WORK/nan.csv"
same_digest reduce-csv-skipnan -- reduce --input "$WORK/nan.csv" --column 1 --skip-nan --ops all --range 0:1000
same_digest reduce-csv-nan -- reduce --input "$WORK/nan.csv" --column 1

# private, atomic and critical give the same digest as each other
d1=$("$TK" reduce --generate 50000 --seed 5 --ops all --format json --quiet | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
for st in atomic critical; do
	d2=$("$TK" reduce --generate 50000 --seed 5 --ops all --strategy $st --format json --quiet |
		sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
	if [ -n "$d1" ] && [ "$d1" = "$d2" ]; then pass; else fail "reduce --strategy $st: digest $d2 != private $d1"; fi
done

# every SIMD variant this CPU has gives the scalar variant's digest (remainders of every
# vector width, NaN/inf, huge values that take the careful path, the histogram alone)
simd_have=$("$TK" info --format json | sed -n 's/.*"simd_available":"\([^"]*\)".*/\1/p')
printf '%s\n' 1e300 -1e300 5e-324 -0.0 0.0 3 nan inf -inf 1e-310 7.5 >"$WORK/odd.csv"
simd_cases=(
	"--generate 1000003 --seed 1 --ops all"
	"--generate 250001 --dist normal --seed 7 --ops all --bins 77"
	"--generate 100003 --dist normal --ops hist --range -1:1.5 --bins 1000"
	"--generate 4099 --seed 9 --ops all --threads 2"
	"--input $WORK/nan.csv --column 1 --skip-nan --ops all --range 0:1000"
	"--input $WORK/odd.csv --ops sum,min,max,hist --range -1:10 --bins 3"
	"--input $DATA/rand1000.npy --ops all --bins 10"
)
for v in sse2 neon avx2 avx512; do
	case ", $simd_have, " in
	*", $v, "*) ;;
	*)
		case $v in sse2 | avx2 | avx512) [ "$(uname -m)" = x86_64 ] && echo "  reduce --simd $v: skipped (this CPU or build has only: $simd_have)" ;; esac
		continue
		;;
	esac
	for c in "${simd_cases[@]}"; do
		# shellcheck disable=SC2086  # each case is a list of words
		ref=$("$TK" reduce $c --simd scalar --format json --quiet | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
		# shellcheck disable=SC2086
		got=$("$TK" reduce $c --simd "$v" --format json --quiet | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
		if [ -n "$ref" ] && [ "$ref" = "$got" ]; then pass; else fail "reduce $c --simd $v: digest '$got' != scalar '$ref'"; fi
	done
done

# bad inputs: one line on stderr, the documented exit code, on every rank, no hang
printf '1.5\n2.5\nabc\n' >"$WORK/bad.csv"
: >"$WORK/empty.f64"
expect_error reduce-missing 3 "cannot open" -- reduce --input "$WORK/no-such.npy"
expect_error reduce-truncated 3 "truncated" -- reduce --input "$DATA/truncated.npy"
expect_error reduce-corrupt 3 "corrupt .npy header" -- reduce --input "$DATA/corrupt.npy"
expect_error reduce-dtype 3 "unsupported dtype" -- reduce --input "$DATA/f2.npy"
expect_error reduce-bigendian 3 "big-endian" -- reduce --input "$DATA/be_f8.npy"
expect_error reduce-csv-nonnumber 3 "bad.csv:3: 'abc' is not a number" -- reduce --input "$WORK/bad.csv"
expect_error reduce-empty 3 "empty" -- reduce --input "$WORK/empty.f64"
expect_error reduce-bins0 2 "bins" -- reduce --generate 100 --ops hist --bins 0
expect_error reduce-range 2 "LO must not exceed HI" -- reduce --generate 100 --ops hist --range 5:1
expect_error reduce-unknown-op 2 "unknown op 'median'" -- reduce --generate 100 --ops sum,median
expect_error reduce-no-input 2 "no data" -- reduce
expect_error reduce-too-large 4 "GiB available" -- reduce --generate 4e18

# against numpy and math.fsum on files numpy writes (skipped without numpy)
if "$HERE/numpy_check.sh" "$TK" >"$WORK/numpy.out" 2>&1; then
	pass
	sed 's/^/  /' "$WORK/numpy.out"
else
	fail "reduce vs numpy: $(grep FAIL "$WORK/numpy.out" | head -3)"
fi

# text output prints round-trip digits: the exact sum 1e16 + 4 and the mean
# 3333333333333334.5 (%.16g printed 1e+16 and 3333333333333334)
printf 'x\n1e16\n1\n3\n' >"$WORK/exact.csv"
text_exact reduce-text-digits -- reduce --input "$WORK/exact.csv" --ops sum,mean,var,std
text_exact reduce-text-generate -- reduce --generate 1001 --seed 3 --ops all

# histogram ranges whose width overflows or underflows are refused, never "verified"
# with every value in bin 0
printf 'x\n-9e307\n9e307\n' >"$WORK/wide.csv"
printf 'x\n1e300\n1e300\n' >"$WORK/flat.csv"
expect_error reduce-range-overflow 2 "HI - LO overflows" -- reduce --generate 100 --ops hist \
	--range -9e307:9e307 --bins 4
expect_error reduce-range-underflow 2 "too narrow for 4 bins" -- reduce --generate 100 \
	--ops hist --range 0:5e-324 --bins 4
expect_error reduce-data-range-overflow 2 "HI - LO overflows" -- reduce --input "$WORK/wide.csv" \
	--ops all --bins 4
expect_error reduce-data-range-flat 2 "too narrow for 4 bins" -- reduce --input "$WORK/flat.csv" \
	--ops hist --bins 4

# strict CSV: a byte-order mark is skipped (1,2,3 is n=3, sum=6, not a header and 5),
# CR-only line ends are lines, a bad first value, hex, 1e400 and NUL are errors naming
# the line
printf '\357\273\2771\n2\n3\n' >"$WORK/bom.csv"
if "$TK" reduce --input "$WORK/bom.csv" --ops sum --format json --quiet 2>/dev/null |
	grep -q '"n":3,.*"sum":6[,}]'; then pass; else fail "reduce CSV with a BOM: not n=3, sum=6"; fi
printf '1\r2\r3\r' >"$WORK/cr.csv"
if "$TK" reduce --input "$WORK/cr.csv" --ops sum --format json --quiet 2>/dev/null |
	grep -q '"n":3,.*"sum":6[,}]'; then pass; else fail "reduce CSV with CR line ends: not n=3, sum=6"; fi
printf '1.5e\n2\n' >"$WORK/badfirst.csv"
printf '1\n0x10\n' >"$WORK/hex.csv"
printf '1\n1e400\n' >"$WORK/huge.csv"
printf '1\n1\0009\n' >"$WORK/nul.csv"
expect_error reduce-csv-bad-first 3 "badfirst.csv:1: '1.5e' is not a number" -- reduce --input "$WORK/badfirst.csv"
expect_error reduce-csv-hex 3 "hex.csv:2: '0x10' is not a number" -- reduce --input "$WORK/hex.csv"
expect_error reduce-csv-out-of-range 3 "huge.csv:2: '1e400' is out of range" -- reduce --input "$WORK/huge.csv"
expect_error reduce-csv-nul 3 "nul.csv:2: a NUL byte" -- reduce --input "$WORK/nul.csv"

# shape (2^61+1,) of f8 with 8 data bytes: count x itemsize wraps to 8; the file is
# truncated (exit 3), not an allocation that overflows (exit 4)
npy_dict="{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693953,), }"
npy_pad=$(((64 - (10 + ${#npy_dict} + 1) % 64) % 64))
npy_len=$((${#npy_dict} + npy_pad + 1))
{
	printf '\223NUMPY\001\000'
	printf "\\$(printf '%03o' $((npy_len % 256)))\\$(printf '%03o' $((npy_len / 256)))"
	printf '%s%*s\n' "$npy_dict" "$npy_pad" ""
	printf '\0\0\0\0\0\0\0\0'
} >"$WORK/wrap.npy"
expect_error reduce-npy-count-wraps 3 "wrap.npy: truncated" -- reduce --input "$WORK/wrap.npy"
