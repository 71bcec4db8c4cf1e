#!/usr/bin/env bash
# faults.sh TOOLKIT: what the toolkit does when the world misbehaves (make test-faults,
# part of make test; docs/reliability.md).  Each case is bounded in time (a timeout per
# run, bounded waits) and checks the exit code against the README's "Exit codes", the one
# `toolkit: error:` line, and what is left on disk:
#   - a rank killed with SIGKILL mid-run (2 and 4 ranks): the job ends non-zero within
#     5 s, no rank is left, no output;
#   - SIGTERM to mpirun, and to bench running an MPI configuration: every rank ends
#     within 5 s (none left: pgrep), no temporary file, no target;
#   - a full disk (a 1 MiB tmpfs) under filter's output, bench's --csv/--json and a
#     checkpoint: exit 3, a clear error, no partial target, no temporary file, an
#     existing output kept byte for byte;
#   - an unwritable output folder (a read-only tmpfs as root, mode 0555 otherwise):
#     exit 3, a clear error, nothing created;
#   - an input that shrinks while it is read (truncated by another process during
#     reduce --input big.f64), and a FIFO given as input: exit 3, a clear error, never a
#     wrong answer, a crash or a hang.
# The MPI cases need an MPI build (else skipped); the tmpfs cases need root (else
# skipped, with a message; the 0555 folder stands in for the read-only one).
set -u
TK=${1:-./toolkit}
TK=$(cd "$(dirname "$TK")" && pwd)/$(basename "$TK")
HERE=$(cd "$(dirname "$0")" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
unset OMP_NUM_THREADS
TK_MPIRUN=${TK_MPIRUN:-mpirun}
export TK_MPIRUN
WORK=$(mktemp -d)
MOUNTS=()
STARTED=()
cleanup() {
	local p
	for p in "${STARTED[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in $(pgrep -f -- "^$TKC( |\$)" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	chmod -R u+w "$WORK" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
# the ranks are found by this copy's path (pgrep -f), which nothing else runs
mkdir "$WORK/bin"
cp "$TK" "$WORK/bin/tk"
TKC=$WORK/bin/tk
T=60 # seconds any one run may take
passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
skip() {
	skipped=$((skipped + 1))
	echo "  skip: $*"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
ranks() { pgrep -f -- "^$TKC( |\$)" | tr '\n' ' '; }
# gone PID SECONDS: 0 when PID has ended within SECONDS (polled every 0.05 s)
gone() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
# wait_ranks N SECONDS: until N ranks of this copy run; their pids in RANKS
wait_ranks() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		read -ra RANKS <<<"$(ranks)"
		[ ${#RANKS[@]} -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
# no_ranks SECONDS: no rank of this copy left within SECONDS
no_ranks() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		[ -z "$(ranks)" ] && return 0
		sleep 0.05
	done
	return 1
}
# one_error FILE TEXT: FILE (a stderr) holds exactly one error line, and it has TEXT
one_error() {
	[ "$(grep -c '^toolkit: error: ' "$1")" = 1 ] && grep -q "^toolkit: error: .*$2" "$1"
}
temps() { find "$1" -name '*.tmp*' 2>/dev/null | head -n 3 | tr '\n' ' '; }
# expect3 NAME TEXT DIR -- ARGS...: exit 3, one error line with TEXT, no temporary file
# in DIR
expect3() {
	local name=$1 text=$2 dir=$3 rc
	shift 4
	timeout $T "$TKC" "$@" --quiet >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc != 3 ] || ! one_error "$WORK/err" "$text" || [ -n "$(temps "$dir")" ]; then
		fail "$name: exit $rc (want 3), left '$(temps "$dir")', stderr: $(head -c 300 "$WORK/err")"
		return 1
	fi
	pass
}
have_mpi=0
if ! "$TK" info | grep -q "^  MPI  *none" && command -v "${TK_MPIRUN%% *}" >/dev/null; then
	have_mpi=1
fi
root=0
[ "$(id -u)" = 0 ] && root=1
# tmpfs DIR SIZE: a fresh tmpfs at DIR (root only)
tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" && MOUNTS+=("$1")
}

# ---- a rank killed with SIGKILL ---------------------------------------------------
# the job must end, non-zero, within 5 s of the kill, with no rank left and no output
rank_kill() {
	local np=$1 name="rank kill (-np $1)" dir="$WORK/kill$1" job t0 rc took
	shift
	mkdir -p "$dir"
	"$HERE/mpirun.sh" -np "$np" "$TKC" "$@" --quiet >"$dir/stdout" 2>"$dir/stderr" &
	job=$!
	STARTED+=("$job")
	if ! wait_ranks "$np" 30; then
		fail "$name: $np ranks did not start: $(head -c 300 "$dir/stderr")"
		kill -KILL "$job" 2>/dev/null
		return
	fi
	sleep 1 # mid-run: past MPI_Init, into the kernel
	local victim=${RANKS[$((np - 1))]}
	kill -KILL "$victim"
	t0=$(now)
	if ! gone "$job" 10; then
		fail "$name: the job still runs 10 s after rank pid $victim was killed"
		kill -KILL "$job" 2>/dev/null
		wait "$job" 2>/dev/null
		return
	fi
	took=$(since "$t0")
	wait "$job"
	rc=$?
	if [ $rc = 0 ] || awk -v t="$took" 'BEGIN {exit !(t > 5)}'; then
		fail "$name: exit $rc after $took s (want non-zero within 5 s)"
	elif ! no_ranks 3; then
		fail "$name: ranks left after the job ended: $(ranks)"
	elif [ -s "$dir/stdout" ] || [ -n "$(ls "$dir/out" 2>/dev/null)" ]; then
		fail "$name: output left: $(head -c 200 "$dir/stdout") $(ls "$dir/out" 2>/dev/null)"
	else
		echo "  $name: pid $victim killed, the job ended with exit $rc after $took s"
		pass
	fi
}

# ---- SIGTERM to mpirun -----------------------------------------------------------
# mpirun_sigterm NP WHEN: SIGTERM 1 s into the run (WHEN=run) or while rank 0 writes
# the image's temporary file (WHEN=write)
mpirun_sigterm() {
	local np=$1 when=$2 name="SIGTERM to mpirun (-np $1, during the $2)" dir="$WORK/term$1"
	local job t0 rc took i filt=(--filter median --size 5)
	[ "$when" = write ] && filt=(--filter invert)
	mkdir -p "$dir/out"
	"$HERE/mpirun.sh" -np "$np" "$TKC" filter "${filt[@]}" \
		--generate 6000x6000x3 --output "$dir/out/big.png" --quiet >/dev/null 2>"$dir/stderr" &
	job=$!
	STARTED+=("$job")
	if ! wait_ranks "$np" 30; then
		fail "$name: $np ranks did not start: $(head -c 300 "$dir/stderr")"
		return
	fi
	if [ "$when" = write ]; then
		for ((i = 0; i < 1200; i++)); do
			[ -n "$(temps "$dir/out")" ] && break
			sleep 0.05
		done
		if [ -z "$(temps "$dir/out")" ]; then
			fail "$name: no temporary file seen in 60 s"
			return
		fi
	else
		sleep 1
	fi
	kill -TERM "$job"
	t0=$(now)
	if ! gone "$job" 10; then
		fail "$name: mpirun still runs 10 s after SIGTERM"
		kill -KILL "$job" 2>/dev/null
		return
	fi
	took=$(since "$t0")
	wait "$job"
	rc=$?
	if [ $rc = 0 ] || awk -v t="$took" 'BEGIN {exit !(t > 5)}'; then
		fail "$name: exit $rc after $took s (want non-zero within 5 s)"
	elif ! no_ranks 3; then
		fail "$name: ranks left (orphans): $(ranks)"
	elif [ -e "$dir/out/big.png" ] &&
		! timeout $T "$TKC" filter --filter invert --input "$dir/out/big.png" --quiet >/dev/null 2>&1; then
		# mpirun may pass SIGTERM on only once the write is done: then the target is
		# whole; a target that does not read back is partial
		fail "$name: a partial target big.png is left"
	elif [ -n "$(find "$dir/out" -mindepth 1 ! -name big.png ! -name 'big.png.tmp.??????')" ]; then
		fail "$name: left in the output folder: $(ls -A "$dir/out")"
	else
		# once rank 0 writes (on a loaded machine the "run" case can reach the write
		# too), Open MPI's mpirun may SIGKILL it as soon as another rank has exited
		# 143 on its SIGTERM: its temporary file stays, as after any SIGKILL
		# (docs/reliability.md); the target is never partial
		local left
		left=$(ls -A "$dir/out")
		echo "  $name: ended with exit $rc after $took s, no rank left${left:+ (left by a SIGKILLed rank 0: $left)}"
		pass
	fi
}

# ---- SIGTERM to bench running an MPI configuration ----------------------------------
bench_mpi_sigterm() {
	local name="SIGTERM to bench (mpi run)" dir="$WORK/bench-term" bpid t0 rc took
	mkdir -p "$dir"
	# bench runs its serial baseline first (2 runs of about 2 s), then the mpi runs
	(cd "$dir" && exec "$TKC" bench montecarlo.pi --size 2^30 --workers 2 --modes mpi \
		--repeat 2 --warmup 0 --timeout 300 --csv "$dir/r.csv" --json "$dir/r.json" \
		--quiet >/dev/null 2>"$WORK/bench-term.err") &
	bpid=$!
	STARTED+=("$bpid")
	local i
	# the 2 ranks of bench's mpirun child ("$TKC montecarlo ..."; a serial reference
	# run is one process)
	for ((i = 0; i < 1200; i++)); do
		[ "$(pgrep -c -f -- "^$TKC montecarlo")" -ge 2 ] && break
		kill -0 "$bpid" 2>/dev/null || break
		sleep 0.05
	done
	if [ "$(pgrep -c -f -- "^$TKC montecarlo")" -lt 2 ]; then
		fail "$name: no 2 ranks seen in 60 s: $(head -c 300 "$WORK/bench-term.err")"
		kill -KILL "$bpid" 2>/dev/null
		return
	fi
	sleep 0.3
	kill -TERM "$bpid"
	t0=$(now)
	if ! gone "$bpid" 10; then
		fail "$name: bench still runs 10 s after SIGTERM"
		return
	fi
	took=$(since "$t0")
	wait "$bpid"
	rc=$?
	if [ $rc != 143 ] || awk -v t="$took" 'BEGIN {exit !(t > 5)}'; then
		fail "$name: exit $rc after $took s (want 143 within 5 s)"
	elif ! no_ranks 3; then
		fail "$name: ranks left (orphans): $(ranks)"
	elif [ -n "$(ls -A "$dir")" ]; then
		fail "$name: files left: $(ls -A "$dir")"
	else
		echo "  $name: exit 143 after $took s, no rank left"
		pass
	fi
}

if [ $have_mpi = 1 ]; then
	rank_kill 2 montecarlo --samples 2^44
	mkdir -p "$WORK/kill4/out"
	# a kernel of about 3 s (4 wide gaussians), so the kill lands before the write even
	# on a loaded machine (a median's 0.04 s let the run finish first)
	rank_kill 4 filter --filter gaussian,gaussian,gaussian,gaussian --sigma 40 \
		--generate 6000x6000x3 --output "$WORK/kill4/out/big.png"
	mpirun_sigterm 2 write
	mpirun_sigterm 4 run
	bench_mpi_sigterm
else
	skip "rank kill, SIGTERM to mpirun and to bench's MPI run: this build has no MPI"
fi

# ---- a full disk ----------------------------------------------------------------------
full_disk() {
	local d="$WORK/full"
	if ! tmpfs "$d" 1m; then
		fail "full disk: cannot mount a tmpfs at $d"
		return
	fi
	# an image larger than the disk: nothing of it stays
	expect3 "full disk: filter output" "No space left" "$d" -- \
		filter --filter box --generate 1000x1000x3 --output "$d/big.ppm" &&
		{ [ -e "$d/big.ppm" ] && fail "full disk: a partial big.ppm is left"; }
	# a checkpoint written while there was room, then the disk filled up
	timeout $T "$TKC" montecarlo --samples 1e6 --checkpoint "$d/run.ckpt" --quiet >/dev/null ||
		fail "full disk: the first checkpoint could not be written"
	printf 'P5 1 1 255\n\001' >"$d/keep.pgm"
	cp "$d/run.ckpt" "$WORK/run.ckpt.before"
	cp "$d/keep.pgm" "$WORK/keep.pgm.before"
	dd if=/dev/zero of="$d/fill" bs=64k 2>/dev/null # until the disk is full
	expect3 "full disk: existing output" "No space left" "$d" -- \
		filter --filter box --generate 100x100 --output "$d/keep.pgm"
	cmp -s "$d/keep.pgm" "$WORK/keep.pgm.before" ||
		fail "full disk: the existing keep.pgm was changed"
	expect3 "full disk: bench --csv" "No space left" "$d" -- \
		bench montecarlo.pi --size 1e5 --workers 1 --modes serial --repeat 1 --warmup 0 \
		--csv "$d/res.csv" --json "$d/res.json"
	[ -e "$d/res.csv" ] || [ -e "$d/res.json" ] && fail "full disk: bench left res.csv/res.json"
	expect3 "full disk: checkpoint" "No space left" "$d" -- \
		montecarlo --samples 1e6 --checkpoint "$d/run.ckpt"
	cmp -s "$d/run.ckpt" "$WORK/run.ckpt.before" ||
		fail "full disk: the existing checkpoint was changed"
	# and what was kept is still whole: it resumes to the uninterrupted digest
	rm -f "$d/fill"
	local a b
	a=$(timeout $T "$TKC" montecarlo --samples 1e6 --resume "$d/run.ckpt" --format json --quiet 2>/dev/null |
		sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
	b=$(timeout $T "$TKC" montecarlo --samples 1e6 --format json --quiet | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "full disk: the kept checkpoint resumes to '$a', not '$b'"
}
if [ $root = 1 ]; then
	full_disk
else
	skip "full disk: needs root to mount a 1 MiB tmpfs"
fi

# ---- an unwritable output folder ------------------------------------------------------
unwritable() {
	local d="$WORK/ro" how
	if [ $root = 1 ]; then # root ignores modes: a read-only file system
		tmpfs "$d" 1m && mount -o remount,ro "$d" ||
			{ fail "unwritable: cannot mount a read-only tmpfs at $d"; return; }
		how="read-only tmpfs"
	else
		mkdir -p "$d" && chmod 0555 "$d"
		how="mode 0555"
	fi
	mkdir -p "$WORK/in"
	cp "$HERE/data/gray.pgm" "$HERE/data/rgb.ppm" "$WORK/in/"
	expect3 "unwritable ($how): filter output file" "not writable" "$d" -- \
		filter --filter box --generate 100x100x3 --output "$d/out.ppm"
	expect3 "unwritable ($how): filter output folder" "not writable" "$d" -- \
		filter --filter box --input "$WORK/in" --output "$d"
	expect3 "unwritable ($how): bench --csv" "cannot write" "$d" -- \
		bench montecarlo.pi --size 1e5 --workers 1 --modes serial --repeat 1 --warmup 0 \
		--csv "$d/res.csv"
	expect3 "unwritable ($how): checkpoint" "cannot write" "$d" -- \
		montecarlo --samples 1e6 --checkpoint "$d/run.ckpt"
	[ -z "$(ls -A "$d")" ] || fail "unwritable ($how): files appeared: $(ls -A "$d")"
}
unwritable

# ---- an input that shrinks while it is read, a FIFO -----------------------------------
# reduce reads a sparse file of zeros; another process truncates it to a quarter once
# the run has it open.  Exit 3 "truncated", or (the read won the race) the whole file's
# count; anything else is a wrong answer.  A larger file is tried when the read wins.
has_open() { # has_open PID FILE: PID has FILE open
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}
shrink() {
	local f="$WORK/big.f64" mib pid rc n i won=0
	for mib in 256 1024; do
		rm -f "$f"
		truncate -s ${mib}M "$f"
		"$TKC" reduce --input "$f" --ops sum --threads 1 --format json --quiet \
			>"$WORK/shrink.out" 2>"$WORK/shrink.err" &
		pid=$!
		STARTED+=("$pid")
		for ((i = 0; i < 400; i++)); do
			has_open "$pid" "$f" && break
			sleep 0.005
		done
		truncate -s $((mib / 4))M "$f"
		if ! gone "$pid" $T; then
			fail "shrinking input: reduce still runs after $T s"
			return
		fi
		wait "$pid"
		rc=$?
		if [ $rc = 3 ] && one_error "$WORK/shrink.err" "truncated"; then
			echo "  shrinking input: a ${mib} MiB file cut to a quarter while read: exit 3, $(sed 's/^toolkit: error: //' "$WORK/shrink.err")"
			pass
			return
		fi
		n=$(sed -n 's/.*"n":\([0-9]*\).*/\1/p' "$WORK/shrink.out")
		if [ $rc != 0 ] || [ "$n" != $((mib * 131072)) ]; then
			fail "shrinking input: exit $rc, n '$n' (want exit 3, or all $((mib * 131072)) values), stderr: $(head -c 300 "$WORK/shrink.err")"
			return
		fi
		won=$((won + 1))
	done
	skip "shrinking input: the read finished before the truncation $won times (the answers were right)"
}
shrink
F=$WORK/fifo
mkdir -p "$F"
mkfifo "$F/in.f64" "$F/in.npy"
expect3 "FIFO input, no writer (.f64)" "not a regular file" "$F" -- reduce --input "$F/in.f64"
expect3 "FIFO input, no writer (.npy)" "not a regular file" "$F" -- reduce --input "$F/in.npy"
# a writer that would stream the data: refused too (reduce reads files by slices)
timeout 10 cp "$HERE/data/small.f64" "$F/in.f64" 2>/dev/null &
wpid=$!
expect3 "FIFO input with a writer" "not a regular file" "$F" -- reduce --input "$F/in.f64"
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null

echo "faults: $passed passed, $failed failed, $skipped skipped ($SECONDS s)"
[ $failed = 0 ]
