# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# reduce --input streamed in bounded windows (--memory): the digest of every op equals
# the in-memory run's in every mode, for windows of one block (the smallest), windows
# that do not divide a rank's slice, and windows far smaller than a slice; bad --memory
# values; a file that shrinks while it is read; a sparse file of 32 GiB (larger than
# this machine's memory) against its closed-form answer (TK_STREAM_BIG=1, optional:
# about 2 minutes on 2 cores; `make test-stream-big`).
S=$WORK/windows
DATA=$HERE/data
mkdir -p "$S"
printf 'x\n1\n2\n' >"$S/small.csv"

# The fixtures, written with Python's struct (no numpy): value formulas are in the
# script, so nothing here comes from the toolkit.
if ! command -v python3 >/dev/null; then
	fail "stream: python3 is needed to write the fixtures"
	return 0
fi
python3 - "$S" <<'EOF'
import math, random, struct, sys
d = sys.argv[1]
def npy(path, descr, fmt, vals):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (descr, len(vals))
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
        f.write(struct.pack("<%d%s" % (len(vals), fmt), *vals))
rnd = random.Random(12)
# drifting data: the first block's mean is far from the whole mean (var_passes 2)
drift = [i * 1e-3 + rnd.random() for i in range(200003)]
with open(d + "/drift.f64", "wb") as f:
    f.write(struct.pack("<%dd" % len(drift), *drift))
# normal values with NaN and +-inf inside, a tie of the min, a short last block
mix = [rnd.gauss(0, 1) for _ in range(150001)]
mix[5], mix[77777], mix[100000] = -math.inf, math.nan, math.inf
mix[140000] = mix[3] = -7.25
npy(d + "/mix.npy", "<f8", "d", mix)
npy(d + "/f4.npy", "<f4", "f", [rnd.uniform(-1e3, 1e3) for _ in range(100003)])
npy(d + "/i8.npy", "<i8", "q", [rnd.randrange(-2**62, 2**62) for _ in range(66001)])
npy(d + "/u1.npy", "|u1", "B", [rnd.randrange(256) for _ in range(70001)])
EOF

digest_of() { sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }

# stream_same NAME MEMORY... -- ARGS...: the in-memory digest (serial, no --memory),
# then for each MEMORY the same digest in every mode, and the run really streamed
stream_same() {
	local name=$1 mems=() m ref out
	shift
	while [ "$1" != "--" ]; do
		mems+=("$1")
		shift
	done
	shift
	run_json "$S/$name.mem.json" env -- "$@" --threads 1
	ref=$(digest_of "$S/$name.mem.json")
	if [ -z "$ref" ] || ! grep -q '"verified":true' "$S/$name.mem.json" ||
		grep -q '"stream":"windows"' "$S/$name.mem.json"; then
		fail "$name: the in-memory run failed or streamed: $(head -c 300 "$S/$name.mem.json.err") $(head -c 200 "$S/$name.mem.json")"
		return
	fi
	for m in "${mems[@]}"; do
		same_digest "$name-m$m" -- "$@" --memory "$m"
		out="$WORK/$name-m$m.serial.json"
		if [ "$(digest_of "$out")" != "$ref" ]; then
			fail "$name --memory $m: digest $(digest_of "$out") != in-memory $ref"
		elif ! grep -q '"stream":"windows"' "$out"; then
			fail "$name --memory $m: did not stream"
		else
			pass
		fi
	done
}

# 16Ki: windows of one block (1024 values); 100000: 6 blocks, dividing no slice; 1M:
# 61 blocks; every slice of 2 or 4 ranks holds many windows
stream_same stream-drift 16Ki 100000 1M -- reduce --input "$S/drift.f64" --raw --ops all --bins 33
if grep -q '"var_passes":2' "$WORK/stream-drift-m100000.serial.json"; then pass; else
	fail "stream-drift: expected the variance's second pass (var_passes 2)"
fi
stream_same stream-mix 16Ki 100000 -- reduce --input "$S/mix.npy" --ops sum,min,max,mean,var,std
stream_same stream-mix-skipnan 16Ki 100000 -- reduce --input "$S/mix.npy" --skip-nan --ops all --range -4:4.5 --bins 17
stream_same stream-mix-hist 100000 -- reduce --input "$S/mix.npy" --ops hist --range -3:3 --bins 1000
stream_same stream-atomic 100000 -- reduce --input "$S/drift.f64" --ops all --strategy atomic
stream_same stream-critical 100000 -- reduce --input "$S/mix.npy" --skip-nan --ops sum,mean --strategy critical
stream_same stream-f4 16Ki 100000 -- reduce --input "$S/f4.npy" --ops all
stream_same stream-i8 100000 -- reduce --input "$S/i8.npy" --ops all --bins 8
stream_same stream-u1 16Ki -- reduce --input "$S/u1.npy" --ops all --bins 256
# the reader thread instead of the caller's reads (TK_STREAM_READ=thread)
export TK_STREAM_READ=thread
stream_same stream-thread 16Ki 100000 -- reduce --input "$S/mix.npy" --skip-nan --ops all --range -4:4.5
unset TK_STREAM_READ
# the JSON names the window (two of them fit in --memory) and counts what was read
if grep -q '"window":49152,' "$WORK/stream-drift-m100000.serial.json" &&
	grep -q '"bytes_read":' "$WORK/stream-drift-m100000.serial.json" &&
	grep -q '"io_wait":' "$WORK/stream-drift-m100000.serial.json"; then pass; else
	fail "stream: window/bytes_read/io_wait missing from the JSON"
fi
"$TK" reduce --input "$S/drift.f64" --memory 100000 >"$S/drift.txt" 2>&1
if grep -q '^  window  *49152 bytes' "$S/drift.txt" && grep -q '^  io_wait ' "$S/drift.txt" &&
	grep -q '^  bytes_read ' "$S/drift.txt"; then pass; else
	fail "stream: window/bytes_read/io_wait missing from the text report"
fi

# bad --memory values and inputs that cannot stream
expect_error stream-memory-0 2 "memory" -- reduce --input "$S/drift.f64" --memory 0
expect_error stream-memory-small 2 "memory" -- reduce --input "$S/drift.f64" --memory 16000
expect_error stream-memory-absurd 2 "memory" -- reduce --input "$S/drift.f64" --memory 1e30
expect_error stream-memory-word 2 "memory" -- reduce --input "$S/drift.f64" --memory lots
expect_error stream-memory-csv 2 "applies to .npy and raw" -- reduce --input "$S/small.csv" --memory 1M
expect_error stream-memory-generate 2 "applies to .npy and raw" -- reduce --generate 100 --memory 1M
expect_error stream-truncated 3 "truncated" -- reduce --input "$DATA/truncated.npy" --memory 16Ki
head -c 100000 "$S/mix.npy" >"$S/cut.npy"
expect_error stream-truncated-big 3 "cut.npy: truncated" -- reduce --input "$S/cut.npy" --memory 16Ki

# a file that shrinks while it is read: exit 3 with a clear message, and no result
# (cut before the run opened it, the run reads a 1 MiB file: tried again, up to 3 times)
shrink_case() {
	local launch=$1 f=$S/shrink.f64 pid rc try
	for try in 1 2 3; do
		rm -f "$f"
		truncate -s 8G "$f"
		# shellcheck disable=SC2086  # launch is a command prefix
		timeout "$TIMEOUT" $launch "$TK" reduce --input "$f" --memory 1Mi --ops all \
			--range 0:1 --format json --quiet >"$S/shrink.out" 2>"$S/shrink.err" &
		pid=$!
		sleep $try
		truncate -s 1M "$f"
		wait $pid
		rc=$?
		[ $rc -eq 0 ] && grep -q '"n":131072,' "$S/shrink.out" || break
	done
	if [ $rc -eq 3 ] && grep -q "shrank while reading" "$S/shrink.err" &&
		[ "$(grep -c '^toolkit: error:' "$S/shrink.err")" -eq 1 ] && [ ! -s "$S/shrink.out" ]; then
		pass
	else
		fail "stream-shrink [$launch]: exit $rc, stdout $(wc -c <"$S/shrink.out") bytes: $(head -c 300 "$S/shrink.err")"
	fi
	rm -f "$f"
}
shrink_case env
[ $have_mpi = 1 ] && shrink_case "$MPIRUN -np 2"

# a sparse raw file of 32 GiB (2^32 values, larger than this machine's memory) with
# three values at known places; the answer in closed form (optional: TK_STREAM_BIG=1)
if [ "${TK_STREAM_BIG:-0}" = 1 ]; then
	big=${TK_STREAM_BIG_DIR:-$S}/big.f64
	rm -f "$big"
	truncate -s 32G "$big"
	put() { printf "$2" | dd of="$big" bs=8 seek="$1" conv=notrunc status=none; }
	put 12345 '\0\0\0\0\0\0\010\100'       # 3.0 at 12345
	put 2147483648 '\0\0\0\0\0\0\0\300'    # -2.0 at 2^31
	put 4294967295 '\0\0\0\0\0\0\370\077'  # 1.5 at 2^32 - 1
	t0=$(date +%s)
	timeout 1800 "$TK" reduce --input "$big" --ops all --range -2:3 --bins 5 --format json \
		--quiet >"$S/big.json" 2>"$S/big.err"
	rc=$?
	t1=$(date +%s)
	want='"n":4294967296,"count":4294967296,"nan":0,"posinf":0,"neginf":0,"sum":2.5,'
	mean=$(sed -n 's/.*"mean":\([^,]*\),.*/\1/p' "$S/big.json")
	if [ $rc -eq 0 ] && grep -q "$want" "$S/big.json" &&
		awk -v m="$mean" 'BEGIN { exit !(m != "" && m + 0 == 2.5 / 4294967296) }' &&
		grep -q '"min":-2,"argmin":2147483648,"max":3,"argmax":12345,' "$S/big.json" &&
		grep -q '"below":0,"above":0,"hist":\[1,0,4294967293,1,1\]' "$S/big.json" &&
		grep -q '"stream":"windows"' "$S/big.json" && grep -q '"verified":true' "$S/big.json"; then
		pass
		echo "  stream-big: 32 GiB sparse file in $((t1 - t0)) s"
	else
		fail "stream-big: exit $rc: $(head -c 300 "$S/big.err") $(head -c 600 "$S/big.json")"
	fi
	rm -f "$big"
fi
