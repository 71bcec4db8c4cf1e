#!/usr/bin/env bash
# cross.sh NATIVE CROSS: the same digests from another build (make test-aarch64, and
# make test-clang with TK_CROSS_RUN=env).  NATIVE is this machine's gcc build, CROSS a
# build for another architecture run through TK_CROSS_RUN (default: qemu-aarch64 -L
# /usr/aarch64-linux-gnu), or another compiler's build.  Every case below runs
#   - natively: --simd scalar with 1 thread (the reference), the best variant with 2
#     threads, and, on x86-64, with glibc's libm told the CPU lacks AVX2 and FMA
#     (GLIBC_TUNABLES, as on an x86-64-v2 machine: glibc picks exp/log/cos by CPU);
#   - cross: every variant of TK_CROSS_VARIANTS (default: every one CROSS's `info` says
#     this CPU runs), 1 and 2 threads;
# and every run must exit 0, verify, report the variant it was asked for, and print the
# reference's digest, bit for bit.  The only exception is the KNOWN list below.
set -u
NATIVE=${1:?usage: cross.sh NATIVE CROSS}
CROSS=${2:?usage: cross.sh NATIVE CROSS}
read -r -a RUN <<<"${TK_CROSS_RUN:-qemu-aarch64 -L /usr/aarch64-linux-gnu}"
variants=${TK_CROSS_VARIANTS:-$("${RUN[@]}" "$CROSS" info | sed -n 's/^  SIMD variants  \([^(]*\)(.*/\1/p' | tr -d ,)}
read -r -a VARIANTS <<<"$variants"
if [ ${#VARIANTS[@]} -eq 0 ]; then
	echo "FAIL: cross: '${RUN[*]} $CROSS info' names no SIMD variant" >&2
	exit 1
fi
TIMEOUT=${TK_TEST_TIMEOUT:-120}
unset OMP_NUM_THREADS TK_SIMD

# ==== KNOWN platform-dependent digests: the one place to edit ==========================
# Cases listed here would call platform arithmetic whose bits may change with the
# machine (e.g. libm's exp, log, cos: glibc's x86-64 libm picks an FMA or a non-FMA
# version of each by CPU).  They would still run and must verify; a differing digest is
# reported as "KNOWN", not as a failure.  Empty: every digested result uses the
# toolkit's own exp/log/sincos (src/simd/tkmath.h), so every case is checked strictly.
KNOWN=""
# =======================================================================================

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
known_differ=""
known_agree=""
is_x86=0
case $(uname -m) in x86_64) is_x86=1 ;; esac

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

json_field() { # json_field FILE KEY: the value of "KEY":"..." in the JSON line
	sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$1" | head -n 1
}

# run_one OUT VARIANT LAUNCH... -- ARGS...: one run; prints its digest, or returns 1
# after reporting why it is not usable (exit code, not verified, wrong variant)
run_one() {
	local out=$1 want=$2
	shift 2
	local launch=()
	while [ "$1" != "--" ]; do
		launch+=("$1")
		shift
	done
	shift
	timeout "$TIMEOUT" "${launch[@]}" "$@" --format json --quiet >"$out" 2>"$out.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "exit $rc: $(head -c 300 "$out.err")"
		return 1
	fi
	if ! grep -q '"verified":true' "$out"; then
		echo "not verified"
		return 1
	fi
	local simd
	simd=$(json_field "$out" simd)
	if [ "$want" != auto ] && [ "$simd" != "$want" ]; then
		echo "ran variant '$simd', asked for '$want'"
		return 1
	fi
	json_field "$out" digest
}

# case NAME ARGS...: run ARGS everywhere and compare every digest with the reference
case_() {
	local name=$1
	shift
	local ref d label v t differ=""
	if ! ref=$(run_one "$WORK/$name.ref" scalar env -- "$NATIVE" "$@" --simd scalar --threads 1); then
		fail "$name [native scalar 1 thread]: $ref"
		return
	fi
	local -a runs=("native auto 2 threads|auto|env|$NATIVE|--threads 2")
	[ $is_x86 = 1 ] && runs+=("native, libm without FMA|auto|env GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA|$NATIVE|--threads 2")
	for v in "${VARIANTS[@]}"; do
		for t in 1 2; do
			runs+=("cross $v $t thread(s)|$v|${RUN[*]}|$CROSS|--simd $v --threads $t")
		done
	done
	for r in "${runs[@]}"; do
		IFS='|' read -r label v launch bin opts <<<"$r"
		# shellcheck disable=SC2086  # launch and opts are word lists
		if ! d=$(run_one "$WORK/$name.run" "$v" $launch -- "$bin" "$@" $opts); then
			fail "$name [$label]: $d"
			return
		fi
		[ "$d" = "$ref" ] || differ="$differ; $label: $d"
	done
	if [ -z "$differ" ]; then
		passed=$((passed + 1))
		case " $KNOWN " in *" $name "*) known_agree="$known_agree $name" ;; esac
		echo "  $name: digest $ref in ${#runs[@]} more runs"
	elif case " $KNOWN " in *" $name "*) true ;; *) false ;; esac then
		known_differ="$known_differ $name"
		echo "  KNOWN $name: reference $ref, differs in${differ#;}"
	else
		fail "$name: reference (native scalar, 1 thread) $ref, differs in${differ#;}"
	fi
}

echo "== the same digests: $NATIVE here vs ${RUN[*]} $CROSS (variants: ${VARIANTS[*]})"
# Monte Carlo: sizes that leave a remainder of every vector width and of the blocks
case_ mc-pi montecarlo --model pi --samples 1000003 --seed 7
case_ mc-pi-tiny montecarlo --model pi --samples 13 --seed 3
case_ mc-option montecarlo --model option --samples 200003
case_ mc-option-put montecarlo --model option --put --samples 100001 --sigma 0.35 --strike 90
case_ mc-ep montecarlo --model ep --class S
# reduce: every op, uniform and normal data, given and data-derived histogram ranges
ops=sum,min,max,mean,var,std,hist
case_ reduce-uniform reduce --generate 100003 --seed 1 --ops $ops
case_ reduce-uniform-range reduce --generate 65537 --seed 2 --ops $ops --bins 97 --range 0.1:0.9 --ddof 0
case_ reduce-atomic reduce --generate 20011 --seed 3 --ops $ops --strategy atomic
case_ reduce-normal reduce --generate 1000003 --dist normal --seed 1 --ops $ops --bins 64
# filter: every filter on a generated image, RGB and gray, odd sizes
for f in gaussian box sobel sharpen median gray invert threshold; do
	case_ "filter-$f-rgb" filter --filter "$f" --generate 301x97x3
done
case_ filter-gaussian-s3-gray filter --filter gaussian --sigma 3 --generate 203x67
case_ filter-box7-gray filter --filter box --size 7 --generate 203x67
case_ filter-median5-rgba filter --filter median --size 5 --generate 131x45x4
case_ filter-chain-gray filter --filter sharpen,sobel,threshold --amount 2 --level 90 --generate 97x300

# stencil: the start through the toolkit's own sincos, row remainders of every width
case_ stencil-101 stencil --size 101 --steps 50
case_ stencil-67 stencil --size 67 --steps 40 --alpha 0.1
echo "cross: $passed cases agree, $failed failed"
if [ -n "$known_differ" ]; then
	echo "cross: KNOWN platform-dependent differences (libm; see KNOWN in tests/cross.sh):$known_differ"
fi
if [ -n "$known_agree" ]; then
	echo "cross: listed as KNOWN but agreeing on every platform tried here:$known_agree"
fi
[ $failed -eq 0 ]
