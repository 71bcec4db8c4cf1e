# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# montecarlo --first-sample and toolkit merge: chunks of one index space, each run in
# another mode (serial, omp, and in MPI builds mpi and hybrid; one chunk stopped by
# SIGTERM and resumed from its checkpoint), merge to the digest of the one run over all
# their samples; records that do not compose, or are not whole records, are refused
# with one line and the documented exit code (2: do not compose, 3: not a record).

# merge_chunk OUT LAUNCH... -- ARGS: one chunk's record, which must verify
merge_chunk() {
	local out=$1
	run_json "$@" || {
		fail "merge: chunk $out: exit $?: $(head -c 300 "$out.err")"
		return 1
	}
	grep -q '"verified":true' "$out" || fail "merge: chunk $out: not verified"
}

# merge_expect NAME REF LAUNCH... -- merge FILES: the merged digest must be REF
merge_expect() {
	local name=$1 ref=$2 out="$WORK/merged.json" d
	shift 2
	if ! run_json "$out" "$@"; then
		fail "$name: merge exit $?: $(head -c 300 "$out.err")"
		return
	fi
	d=$(json_field "$out" digest)
	if [ "$d" != "$ref" ] || ! grep -q '"verified":true' "$out"; then
		fail "$name: merged digest '$d', the single run's $ref"
		return
	fi
	pass
}

# launchers of the chunks: one mode each
m_serial=(env --)
m_omp=(env --)
m_par=(env --)
m_par_args=(--threads 2)
m_merge=(env --)
if [ $have_mpi = 1 ]; then
	# shellcheck disable=SC2206
	m_par=($MPIRUN -np 2 --)
	m_par_args=(--threads 2) # hybrid: 2 ranks x 2 threads
	# shellcheck disable=SC2206
	m_merge=($MPIRUN -np 2 --)
fi
M=$WORK/merge
mkdir -p "$M"

# --first-sample gives one digest in every mode
same_digest "montecarlo pi --first-sample" -- montecarlo --first-sample 12345 --samples 1000003 --seed 21
same_digest "montecarlo option --first-sample" -- montecarlo --model option --first-sample $((3 * 65536)) --samples 700001

# pi from an odd first sample, cut anywhere (hit counts are exact per sample)
pi=(montecarlo --seed 21)
run_json "$M/pi.json" env -- "${pi[@]}" --first-sample 12345 --samples 3000017 --threads 2
pi_ref=$(json_field "$M/pi.json" digest)
merge_chunk "$M/pi.a.json" "${m_serial[@]}" "${pi[@]}" --first-sample 12345 --samples 700001 --threads 1
merge_chunk "$M/pi.b.json" "${m_omp[@]}" "${pi[@]}" --first-sample 712346 --samples 1000003 --threads 2
merge_chunk "$M/pi.c.json" "${m_par[@]}" "${pi[@]}" --first-sample 1712349 --samples 1300013 "${m_par_args[@]}"
merge_expect "merge: pi, 3 chunks (serial, omp, ${m_par[0]##*/})" "$pi_ref" env -- merge "$M/pi.c.json" "$M/pi.a.json" "$M/pi.b.json"
merge_expect "merge: pi, merged by ${m_merge[0]##*/}" "$pi_ref" "${m_merge[@]}" merge "$M/pi.b.json" "$M/pi.a.json" "$M/pi.c.json" --first-sample 12345 --samples 3000017
# a merged record is a chunk itself
run_json "$M/pi.ab.json" env -- merge "$M/pi.a.json" "$M/pi.b.json"
merge_expect "merge: pi, a merge of merges" "$pi_ref" env -- merge "$M/pi.ab.json" "$M/pi.c.json"
if [ "$pi_ref" = "$(json_field "$M/pi.ab.json" digest)" ]; then
	fail "merge: two chunks of three gave the whole run's digest"
else
	pass
fi

# option, chunks on 2^16 boundaries; the middle one stopped by SIGTERM and resumed
# with other threads from its checkpoint
opt=(montecarlo --model option --put --seed 5)
B=65536
run_json "$M/opt.json" env -- "${opt[@]}" --first-sample $((2 * B)) --samples 200000000 --threads 2
opt_ref=$(json_field "$M/opt.json" digest)
merge_chunk "$M/opt.a.json" "${m_par[@]}" "${opt[@]}" --first-sample $((2 * B)) --samples $((700 * B)) "${m_par_args[@]}"
ck=$M/opt.ck
rm -f "$ck"
mid=("${opt[@]}" --first-sample $((702 * B)) --samples $((2000 * B)))
"$TK" "${mid[@]}" --checkpoint "$ck" --checkpoint-every 0 --threads 2 --quiet \
	--format json >"$M/opt.b.json" 2>"$M/opt.b.err" &
pid=$!
sleep 0.3
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc = 143 ]; then
	merge_chunk "$M/opt.b.json" env -- "${mid[@]}" --resume "$ck" --threads 1
	grep -q "resuming" "$M/opt.b.json.err" || fail "merge: the option chunk did not resume"
elif [ $rc != 0 ]; then
	fail "merge: option chunk under SIGTERM: exit $rc: $(head -c 300 "$M/opt.b.err")"
else
	echo "  merge: the option chunk ended before SIGTERM (nothing resumed)"
fi
merge_chunk "$M/opt.c.json" "${m_serial[@]}" "${opt[@]}" --first-sample $((2702 * B)) --samples $((200000000 - 2700 * B)) --threads 1
merge_expect "merge: option, 3 chunks (${m_par[0]##*/}, resumed, serial)" "$opt_ref" env -- merge "$M/opt.b.json" "$M/opt.c.json" "$M/opt.a.json"
echo "  merge: pi digest $pi_ref, option digest $opt_ref"

# refused: records that do not compose (2), files that are not whole records (3)
a=$M/pi.a.json b=$M/pi.b.json
"$TK" "${pi[@]}" --first-sample 712345 --samples 1000 --format json --quiet >"$M/over.json"
"$TK" "${pi[@]}" --first-sample 712347 --samples 1000 --format json --quiet >"$M/gap.json"
"$TK" montecarlo --seed 22 --first-sample 712346 --samples 1000 --format json --quiet >"$M/seed.json"
"$TK" montecarlo --model option --seed 21 --first-sample $B --samples 1000 --format json --quiet >"$M/model.json"
"$TK" montecarlo --model ep --format json --quiet >"$M/ep.json"
sed 's/"version":"[^"]*"/"version":"0.0.0-other"/' "$b" >"$M/version.json"
head -c 400 "$b" >"$M/short.json"
echo "hits 12" >"$M/text.json"
cat "$a" "$b" >"$M/two.json"
# one word of the state changed: its checksum no longer matches
sed 's/\("state":\[[0-9]*,[0-9]*,\)[0-9]*/\1999/' "$b" >"$M/state.json"
# the parameters changed to match another run, the state left: an altered record
sed 's/"seed":21,/"seed":22,/' "$b" >"$M/params.json"
expect_error "merge: overlap" 2 "pi.a.json \[12345, 712346) and .*over.json \[712345, 713345) overlap" -- merge "$a" "$M/over.json"
expect_error "merge: gap" 2 "a gap: samples \[712346, 712347) are in no chunk" -- merge "$a" "$M/gap.json"
expect_error "merge: the same chunk twice" 2 "overlap" -- merge "$a" "$b" "$a"
expect_error "merge: other seed" 2 "seed.json has --seed 22, .*pi.a.json --seed 21" -- merge "$a" "$M/seed.json"
expect_error "merge: other model" 2 "model.json is a --model option chunk" -- merge "$a" "$M/model.json"
expect_error "merge: other version" 2 "written by toolkit 0.0.0-other" -- merge "$a" "$M/version.json"
expect_error "merge: ep" 2 "montecarlo --model ep has no chunks" -- merge "$M/ep.json" "$M/ep.json"
expect_error "merge: a lost last chunk" 2 "the chunks cover samples \[12345, 1712349), not the expected \[12345, 3012362)" -- merge "$a" "$b" --samples 3000017
expect_error "merge: one file" 2 "needs the records of two or more chunks (got 1 file)" -- merge "$a"
expect_error "merge: no file" 2 "needs the records of two or more chunks (got 0 files)" -- merge
expect_error "merge: missing file" 3 "no-such.json: cannot open" -- merge "$a" "$M/no-such.json"
expect_error "merge: truncated" 3 "short.json: invalid JSON at line 1, column 401" -- merge "$a" "$M/short.json"
expect_error "merge: not JSON" 3 "text.json: invalid JSON" -- merge "$a" "$M/text.json"
expect_error "merge: two records in a file" 3 "two.json: more than one record" -- merge "$M/two.json" "$b"
expect_error "merge: corrupt state" 3 "state.json: corrupt checkpoint (checksum" -- merge "$a" "$M/state.json"
expect_error "merge: altered parameters" 3 "params.json: the chunk state does not match" -- merge "$a" "$M/params.json"
sed 's/"chunk":{"first_sample":712346,"samples":1000003,/"chunk":{"first_sample":712346,"samples":0,/' "$b" >"$M/zero.json"
expect_error "merge: a range montecarlo does not run" 3 "zero.json: a chunk range that montecarlo does not run" -- merge "$a" "$M/zero.json"
expect_error "merge: a folder" 3 "cannot read" -- merge "$a" "$M"

# --first-sample's own checks
expect_error "first-sample past 2^63" 2 "past the sample index space" -- montecarlo --first-sample 9223372036854775807 --samples 2
expect_error "first-sample not a number" 2 "first-sample expects a whole" -- montecarlo --first-sample 1.5
expect_error "first-sample: option off a block" 2 "needs --first-sample a multiple of 65536" -- montecarlo --model option --first-sample 100
expect_error "first-sample: ep" 2 "first-sample does not apply to --model ep" -- montecarlo --model ep --first-sample 0

# a chunk's checkpoint resumes only as the same chunk
"$TK" montecarlo --samples 1000 --first-sample 5 --checkpoint "$M/ck5" --quiet >/dev/null 2>&1
expect_error "resume: other --first-sample" 2 "checkpoint written for another --first-sample" -- montecarlo --samples 1000 --first-sample 6 --resume "$M/ck5"
