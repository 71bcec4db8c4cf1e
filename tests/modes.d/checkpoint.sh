# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# montecarlo --checkpoint/--resume: runs killed at random moments (SIGKILL and SIGTERM)
# and resumed, with other thread counts (and in MPI builds other rank counts), must end
# with the uninterrupted run's digest; a corrupt or mismatched checkpoint is refused.

# ckpt_digest OUT LAUNCH... -- ARGS: run to the end (exit 0 and verified), print the digest
ckpt_digest() {
	local out=$1
	shift
	run_json "$out" "$@" || return 1
	grep -q '"verified":true' "$out" || return 1
	json_field "$out" digest
}

# one kill trial: start, kill with SIG after a random moment, then resume (killing the
# resumed run too now and then) until a run finishes; compare with the reference
ckpt_trial() {
	local name=$1 sig=$2 ref=$3
	shift 3
	local ck="$WORK/ck.$name" out="$WORK/ck.$name.json" rc d pid tries=0 ms launch
	rm -f "$ck" "$ck.prev" "$ck".tmp.*
	local -a from=()
	while :; do
		tries=$((tries + 1))
		launch="env"
		# under mpirun a third of the time, never to be SIGKILLed: its ranks would
		# outlive it for a moment and could still write the checkpoint
		if [ $have_mpi = 1 ] && [ $((RANDOM % 3)) = 0 ] &&
			{ [ "$sig" = TERM ] || [ $tries -gt 2 ]; }; then
			launch="$MPIRUN -np $((2 + RANDOM % 2))"
		fi
		# shellcheck disable=SC2086
		$launch "$TK" "$@" "${from[@]}" --checkpoint "$ck" --checkpoint-every 0.02 \
			--threads $((1 + RANDOM % 2)) --format json --quiet >"$out" 2>"$out.err" &
		pid=$!
		if [ $tries -le 2 ]; then
			# SIGTERM is a checkpoint request only once the run checkpoints: one that
			# arrives earlier (while the process loads, or before the kernel) ends it
			# with 143 and rightly no checkpoint.  So a TERM trial first waits (at most
			# 10 s) until this process has written a checkpoint of its own (a new file:
			# each write is a rename), then picks its random moment; KILL trials pick
			# theirs from the start.
			if [ "$sig" = TERM ]; then
				ino=$(stat -c %i "$ck" 2>/dev/null)
				for _ in $(seq 1000); do
					[ "$(stat -c %i "$ck" 2>/dev/null)" != "$ino" ] && break
					kill -0 $pid 2>/dev/null || break
					sleep 0.01
				done
			fi
			ms=$((20 + RANDOM % 400))
			sleep "0.$(printf %03d $ms)"
			kill -"$sig" $pid 2>/dev/null
		fi
		{ wait $pid; } 2>/dev/null # no "Killed" line from the shell
		rc=$?
		[ -f "$ck" ] && from=(--resume "$ck")
		case $rc in
		0)
			grep -q '"digest"' "$out" && break
			# a run that was signalled and ended 0 without a result: MPICH's Hydra
			# mpiexec can report 0 when it forwarded SIGTERM and its ranks stopped
			if [ $tries -gt 2 ] || [ "$launch" = env ]; then
				fail "$name: exit 0 without a result: $(head -c 300 "$out.err")"
				return
			fi
			;;
		137 | 143 | 1) ;; # killed (mpirun itself exits 1 when its ranks exit 143)
		*)
			fail "$name: exit $rc: $(head -c 300 "$out.err")"
			return
			;;
		esac
		if [ "$sig" = TERM ] && [ "$launch" = env ]; then
			if [ $rc != 143 ] || ! grep -q "checkpoint .* written" "$out.err"; then
				fail "$name: SIGTERM gave exit $rc without a checkpoint note"
				return
			fi
			if compgen -G "$ck.tmp.*" >/dev/null; then
				fail "$name: SIGTERM left a temporary file"
				return
			fi
		fi
		[ $tries -gt 5 ] && {
			fail "$name: no end after $tries runs"
			return
		}
	done
	# a trial counts as resumed when its last run continued a run stopped half way
	if grep -q "resuming .*: [1-9][0-9]* of" "$out.err" &&
		! grep -q "resuming .*: \([0-9]*\) of \1 " "$out.err"; then
		ckpt_resumed=$((ckpt_resumed + 1))
	fi
	d=$(json_field "$out" digest)
	if [ "$d" != "$ref" ] || ! grep -q '"verified":true' "$out"; then
		fail "$name: resumed digest $d differs from the uninterrupted $ref"
		return
	fi
	pass
}

ckpt_cases=("pi:montecarlo --samples 2^30 --seed 11"
	"option:montecarlo --model option --put --samples 2^28 --seed 5"
	"ep:montecarlo --model ep --class A")
ckpt_t0=$SECONDS
ckpt_n=0
ckpt_resumed=0
for c in "${ckpt_cases[@]}"; do
	label=${c%%:*}
	# shellcheck disable=SC2086
	ref=$(ckpt_digest "$WORK/ck.ref.$label.json" env -- ${c#*:} --threads 2) || {
		fail "checkpoint $label: the uninterrupted run failed"
		continue
	}
	for i in 1 2 3 4 5 6 7 8; do
		sig=KILL
		[ $((i % 2)) = 0 ] && sig=TERM
		# shellcheck disable=SC2086
		ckpt_trial "checkpoint-$label-$i-$sig" $sig "$ref" ${c#*:}
		ckpt_n=$((ckpt_n + 1))
	done
	echo "  checkpoint $label: digest $ref"
done
echo "  checkpoint: $ckpt_n kill trials ($ckpt_resumed resumed half way) in $((SECONDS - ckpt_t0)) s"
# most kills land after the first checkpoint: a suite where none resumed tested nothing
if [ $ckpt_resumed -lt $((ckpt_n / 3)) ]; then
	fail "checkpoint: only $ckpt_resumed of $ckpt_n trials resumed from a partial checkpoint"
else
	pass
fi

# a finished run's checkpoint resumes to the same result, with any workers
ck=$WORK/ck.small
rm -f "$ck"
"$TK" montecarlo --samples 1000003 --seed 7 --checkpoint "$ck" --quiet >/dev/null 2>&1
same_digest "resume of a finished pi run" -- montecarlo --samples 1000003 --seed 7 --resume "$ck"
"$TK" montecarlo --model option --samples 100003 --checkpoint "$ck.opt" --quiet >/dev/null 2>&1
"$TK" montecarlo --model ep --class S --checkpoint "$ck.ep" --quiet >/dev/null 2>&1

expect_error "resume: other seed" 2 "checkpoint written for another --seed" -- montecarlo --samples 1000003 --seed 8 --resume "$ck"
expect_error "resume: other size" 2 "checkpoint written for another --samples" -- montecarlo --samples 1000004 --seed 7 --resume "$ck"
expect_error "resume: other model" 2 "checkpoint of --model pi, this run is --model option" -- montecarlo --model option --samples 1000003 --seed 7 --resume "$ck"
expect_error "resume: other strike" 2 "checkpoint written for another --strike" -- montecarlo --model option --samples 100003 --strike 101 --resume "$ck.opt"
expect_error "resume: call for put" 2 "checkpoint written for another --put" -- montecarlo --model option --samples 100003 --put --resume "$ck.opt"
expect_error "resume: other class" 2 "checkpoint written for another --class" -- montecarlo --model ep --class W --resume "$ck.ep"
expect_error "resume: missing file" 3 "cannot open checkpoint" -- montecarlo --resume "$WORK/no-such-checkpoint"
cp "$ck" "$ck.bad"
printf '\001' | dd of="$ck.bad" bs=1 seek=60 conv=notrunc status=none
expect_error "resume: one byte changed" 3 "corrupt checkpoint (checksum" -- montecarlo --samples 1000003 --seed 7 --resume "$ck.bad"
head -c 50 "$ck" >"$ck.short"
expect_error "resume: truncated" 3 "corrupt checkpoint (truncated" -- montecarlo --samples 1000003 --seed 7 --resume "$ck.short"
echo "not a checkpoint" >"$ck.txt"
expect_error "resume: not a checkpoint" 3 "not a toolkit checkpoint" -- montecarlo --samples 1000003 --seed 7 --resume "$ck.txt"
expect_error "checkpoint-every alone" 2 "checkpoint-every needs --checkpoint" -- montecarlo --checkpoint-every 5
expect_error "checkpoint-every negative" 2 "checkpoint-every" -- montecarlo --checkpoint "$WORK/x" --checkpoint-every -1
