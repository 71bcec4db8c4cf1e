# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# bench: end to end on a tiny size, its CSV and JSON, a failing configuration, a
# timeout, and bad options.  Bench launches its own runs, so it is never run under
# mpirun here.
bench_csv_header="kernel,mode,workers,ranks,threads,size,runs,failed,verified,identical,kernel_median_s,kernel_min_s,kernel_max_s,kernel_sd_s,wall_median_s,launch_s,speedup,efficiency,karp_flatt,outliers,digest"
modes_list=serial,omp
[ $have_mpi = 1 ] && modes_list=serial,omp,mpi
if timeout 300 "$TK" bench montecarlo.pi --size 2^16 --workers 1,2 --modes $modes_list \
	--repeat 2 --warmup 0 --csv "$WORK/b.csv" --json "$WORK/b.json" >"$WORK/b.out" 2>&1; then
	pass
else
	fail "bench end to end: exit $?: $(tail -n 5 "$WORK/b.out")"
fi
[ "$(head -n 1 "$WORK/b.csv" 2>/dev/null)" = "$bench_csv_header" ] && pass || fail "bench CSV header"
want_rows=2 # serial 1x1, omp 1x2
[ $have_mpi = 1 ] && want_rows=4 # + mpi 1x1, mpi 2x1
rows=$(tail -n +2 "$WORK/b.csv" 2>/dev/null | grep -c ',yes,yes,')
[ "$rows" = "$want_rows" ] && pass || fail "bench CSV: $rows verified+identical rows, expected $want_rows"
grep -q '"schema":"toolkit.bench/1"' "$WORK/b.json" && grep -q '"runs_detail":\[{' "$WORK/b.json" &&
	pass || fail "bench JSON"
grep -q "montecarlo.pi" "$WORK/b.out" && pass || fail "bench table"
# charts from the CSV just written (gnuplot is installed by make test)
if command -v gnuplot >/dev/null; then
	if "$HERE/../scripts/plot" "$WORK/b.csv" "$WORK/plots" >"$WORK/p.out" 2>&1 &&
		[ "$(find "$WORK/plots" -name '*.png' -size +2k | wc -l)" -ge 3 ]; then
		pass
	else
		fail "scripts/plot: $(tail -n 3 "$WORK/p.out")"
	fi
fi

# a configuration whose runs fail is shown as failed (bench stops it at the first
# failure) and sets the exit code
timeout 120 "$TK" bench montecarlo.pi --size 2^16 --workers 1 --modes serial --repeat 2 \
	--warmup 0 --args "--seed many" --csv "$WORK/f.csv" >"$WORK/f.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "FAILED" "$WORK/f.out" && grep -q ",1,1,no," "$WORK/f.csv"; then
	pass
else
	fail "bench failing configuration: exit $rc: $(tail -n 3 "$WORK/f.out")"
fi
# a run that outlives --timeout is killed and reported, and bench does not hang
timeout 60 "$TK" bench montecarlo.pi --size 2^36 --workers 1 --modes serial --repeat 1 \
	--warmup 0 --timeout 1 >"$WORK/t.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "timed out" "$WORK/t.out"; then
	pass
else
	fail "bench timeout: exit $rc: $(tail -n 3 "$WORK/t.out")"
fi

SERIAL_ONLY=1 expect_error "bench unknown kernel" 2 "unknown kernel 'nosuch'" -- bench nosuch
SERIAL_ONLY=1 expect_error "bench unknown mode" 2 "'threads' is not one of" -- bench --modes threads
SERIAL_ONLY=1 expect_error "bench zero workers" 2 "expected counts from 1" -- bench --workers 0
SERIAL_ONLY=1 expect_error "bench absurd workers" 2 "expected counts from 1" -- bench --workers 1..100000
SERIAL_ONLY=1 expect_error "bench unwritable csv" 3 "cannot write" -- bench --csv /nonexistent/dir/b.csv
if [ $have_mpi = 1 ]; then
	SERIAL_ONLY=1 expect_error "bench missing launcher" 2 "command not found" -- bench --modes mpi --launcher /no/such/mpirun
else
	SERIAL_ONLY=1 expect_error "bench mpi without MPI" 2 "built without it" -- bench --modes mpi
fi

# --csv/--json write through a temporary file made with O_EXCL under a random name: a
# symbolic link planted at the old predictable name <path>.tmp<PID> (the PID is known:
# exec keeps the subshell's) is never followed, so its victim is untouched
mkdir -p "$WORK/shared"
echo "precious" >"$WORK/victim"
(
	ln -s "$WORK/victim" "$WORK/shared/res.csv.tmp$BASHPID"
	ln -s "$WORK/victim" "$WORK/shared/res.json.tmp$BASHPID"
	exec "$TK" bench montecarlo.pi --size 2^12 --workers 1 --modes serial --timeout 60 \
		--repeat 1 --warmup 0 --csv "$WORK/shared/res.csv" --json "$WORK/shared/res.json" \
		>/dev/null 2>&1
)
if [ "$(cat "$WORK/victim")" = precious ] && [ -f "$WORK/shared/res.csv" ] &&
	[ ! -L "$WORK/shared/res.csv" ] && head -n 1 "$WORK/shared/res.csv" | grep -q '^kernel,'; then
	pass
else
	fail "bench --csv followed a planted link: victim now '$(head -c 60 "$WORK/victim")'"
fi

# SIGTERM to bench reaches its running child (in its own process group), which is
# reaped: no orphan runs on for the --timeout; bench exits 128 + 15
bench_sigterm() {
	local bpid child="" rc
	"$TK" bench montecarlo.pi --size 2^40 --workers 1 --modes serial --repeat 1 \
		--warmup 0 --timeout 300 >/dev/null 2>&1 &
	bpid=$!
	for _ in $(seq 100); do
		child=$(ps -o pid= --ppid "$bpid" 2>/dev/null | tr -d ' ' | head -n 1)
		[ -n "$child" ] && break
		sleep 0.1
	done
	sleep 0.3
	kill -TERM "$bpid"
	wait "$bpid"
	rc=$?
	for _ in $(seq 50); do
		[ -n "$child" ] && kill -0 "$child" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$child" ]; then
		fail "bench SIGTERM: no child seen"
	elif kill -0 "$child" 2>/dev/null; then
		fail "bench SIGTERM: child $child still runs (orphan)"
		kill -KILL "$child"
	elif [ $rc -ne 143 ]; then
		fail "bench SIGTERM: exit $rc, expected 143"
	else
		pass
	fi
}
bench_sigterm
