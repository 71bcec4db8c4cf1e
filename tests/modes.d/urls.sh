# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# toolkit filter --input LIST and the worker pool: cases for tests/modes.sh (sourced).
# Lists of paths and of URLs served by scripts/imgserve.py on 127.0.0.1 (a local
# stand-in for a remote store, 5 ms per request here), against the folder they came
# from; every schedule and worker count gives the folder's pixel digest; every bad item
# of the issue is named on one line, skipped, and the run exits 3 without hanging.
U="$WORK/urls"
mkdir -p "$U/imgs" "$U/out"
for i in 0 1 2 3 4 5 6 7 8 9; do
	"$TK" filter --filter invert --generate $((97 + 31 * i))x$((50 + 7 * i)) --seed $i \
		--output "$U/imgs/p$i.pgm" --quiet >/dev/null
done
"$TK" filter --filter invert --generate 120x80x3 --output "$U/imgs/c.ppm" --quiet >/dev/null
(cd "$U/imgs" && ls) >"$U/rel.txt" # relative to the list's folder...
mv "$U/rel.txt" "$U/imgs/list.txt" # ...which is imgs/
F="--filter gaussian --sigma 1.5"

pixel_digest() { sed -n 's/.*"pixel_digest":"\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }

# run_pd NAME ARGS...: run with --format json; prints the pixel digest or fails
run_pd() {
	local name=$1 out="$WORK/pd.json"
	shift
	if ! timeout 60 "$@" --format json --quiet >"$out" 2>"$out.err"; then
		fail "$name: exit $?: $(head -c 300 "$out.err")"
		return
	fi
	grep -q '"verified":true' "$out" || fail "$name: not verified"
	pixel_digest "$out"
}

ref=$(run_pd urls-folder "$TK" filter $F --input "$U/imgs" --threads 1)
check_pd() { # check_pd NAME ARGS...: the folder's pixel digest
	local name=$1 d
	shift
	d=$(run_pd "$name" "$@")
	if [ -n "$d" ] && [ "$d" = "$ref" ]; then
		pass
	else
		fail "$name: pixel digest '$d', the folder's is '$ref'"
	fi
}
# shellcheck disable=SC2086
{
	check_pd urls-paths-list "$TK" filter $F --input "$U/imgs/list.txt" --threads 1
	for sched in static static,1 static,3 dynamic dynamic,4; do
		for t in 1 3 16; do
			check_pd "urls-folder-$sched-$t" "$TK" filter $F --input "$U/imgs" \
				--schedule "$sched" --threads "$t"
		done
	done
	# fewer images than threads: the rows of each image are split over the rest
	mkdir -p "$U/two" && cp "$U/imgs/p1.pgm" "$U/imgs/p2.pgm" "$U/two/"
	d2=$(run_pd urls-two-1 "$TK" filter $F --input "$U/two" --threads 1)
	d8=$(run_pd urls-two-8 "$TK" filter $F --input "$U/two" --threads 8)
	if [ -n "$d2" ] && [ "$d2" = "$d8" ]; then pass; else fail "urls-two: $d2 vs $d8"; fi
}

have_curl=0
"$TK" info | grep -q "^  URL support  *libcurl" && have_curl=1
if [ $have_curl = 0 ] || ! command -v python3 >/dev/null; then
	echo "  filter lists: paths checked; URLs skipped (no libcurl in this build or no python3)"
	return 0 2>/dev/null || exit 0
fi
python3 "$HERE/../scripts/imgserve.py" --root "$U/imgs" --latency 0.005 --lifetime 240 \
	--port-file "$U/port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do [ -s "$U/port" ] && break; sleep 0.1; done
port=$(cat "$U/port" 2>/dev/null)
if [ -z "$port" ]; then
	fail "urls: the local image server did not start"
	kill "$server" 2>/dev/null
	return 0 2>/dev/null || exit 0
fi
base="http://127.0.0.1:$port"
# a port with nothing listening: bound, then closed
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$U/imgs" && ls ./*.p?m) | sed "s|^\./|$base/|" >"$U/urls.txt"
# shellcheck disable=SC2086
{
	for t in 1 4 16; do
		check_pd "urls-http-$t" "$TK" filter $F --input "$U/urls.txt" --threads "$t" \
			--output "$U/out"
	done
	check_pd urls-http-static "$TK" filter $F --input "$U/urls.txt" --threads 4 \
		--schedule static
	if [ "$(find "$U/out" -type f | wc -l)" -eq 11 ]; then pass; else
		fail "urls-http: $(find "$U/out" -type f | wc -l) outputs, expected 11"
	fi
	if [ $have_mpi = 1 ]; then
		check_pd urls-http-mpi2 $MPIRUN -np 2 "$TK" filter $F --input "$U/urls.txt" --threads 3
		check_pd urls-folder-mpi3-static $MPIRUN -np 3 "$TK" filter $F --input "$U/imgs" \
			--threads 2 --schedule static,2
		check_pd urls-folder-mpi2-dynamic $MPIRUN -np 2 "$TK" filter $F --input "$U/imgs" \
			--threads 4 --schedule dynamic,3
	fi
}

# every bad item of the issue in one list: each named once, the rest done, exit 3
cat >"$U/bad.txt" <<EOF
# comments and blank lines are skipped

p0.pgm
missing.pgm
$base/nothere.pgm
http://127.0.0.1:$dead/p1.pgm
$base/_stall/p2.pgm
$base/_html/p3.pgm
ftp://127.0.0.1/p4.pgm
$base/_flaky/1/p5.pgm
$base/_fail/p6.pgm
$base/p7.pgm
EOF
cp "$U/bad.txt" "$U/imgs/bad.txt"
launches=(env)
[ $have_mpi = 1 ] && launches+=(mpi)
for launch in "${launches[@]}"; do
	cmd=(env)
	[ "$launch" = mpi ] && read -r -a cmd <<<"$MPIRUN -np 2"
	t0=$(date +%s)
	timeout 60 "${cmd[@]}" "$TK" filter --filter box --input "$U/imgs/bad.txt" --threads 4 \
		--timeout 1 --connect-timeout 1 --retries 1 --format json --quiet \
		>"$U/bad.json" 2>"$U/bad.err"
	rc=$?
	t1=$(date +%s)
	want=("missing.pgm: cannot open" "nothere.pgm: HTTP 404" "$dead/p1.pgm: connection refused"
		"_stall/p2.pgm: timed out" "_html/p3.pgm: not an image: the server sent text/html"
		"ftp://127.0.0.1/p4.pgm: unknown URL scheme" "_fail/p6.pgm: HTTP 503 (2 attempts)")
	bad=""
	for w in "${want[@]}"; do
		[ "$(grep -c -- "$w.*(skipped)" "$U/bad.err")" = 1 ] || bad="$bad [$w]"
	done
	if [ $rc != 3 ]; then
		fail "urls-bad [$launch]: exit $rc, expected 3: $(head -c 300 "$U/bad.err")"
	elif [ -n "$bad" ]; then
		fail "urls-bad [$launch]: stderr lacks one line each for:$bad: $(head -c 600 "$U/bad.err")"
	elif [ "$(grep -c '^toolkit: error:' "$U/bad.err")" != 7 ]; then
		fail "urls-bad [$launch]: $(grep -c '^toolkit: error:' "$U/bad.err") error lines, expected 7"
	elif ! grep -q '"images":3,"skipped":7' "$U/bad.json"; then
		fail "urls-bad [$launch]: expected 3 images done and 7 skipped: $(head -c 300 "$U/bad.json")"
	elif [ $((t1 - t0)) -gt 20 ]; then
		fail "urls-bad [$launch]: took $((t1 - t0)) s: the timeouts did not fire"
	else
		pass
	fi
done
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null

: >"$U/empty.txt"
printf '# only a comment\n\n' >"$U/comments.txt"
expect_error urls-empty-list 3 "empty.txt: the list has no items" -- filter --filter box \
	--input "$U/empty.txt"
expect_error urls-comment-only-list 3 "comments.txt: the list has no items" -- filter \
	--filter box --input "$U/comments.txt"
expect_error urls-schedule-chunk0 2 "filter: --schedule 'dynamic,0'" -- filter --filter box \
	--input "$U/imgs" --schedule dynamic,0
expect_error urls-schedule-junk 2 "filter: --schedule 'static,2x'" -- filter --filter box \
	--input "$U/imgs" --schedule static,2x
expect_error urls-schedule-kind 2 "filter: --schedule 'guided'" -- filter --filter box \
	--input "$U/imgs" --schedule guided
expect_error urls-schedule-one-image 2 "schedule applies to a folder or a list" -- filter \
	--filter box --input "$U/imgs/p0.pgm" --schedule static
echo "  filter lists: paths, URLs from the local server, schedules and every bad item checked"
