# shellcheck shell=bash disable=SC2154  # sourced by tests/modes.sh, which defines the helpers
# bench: end to end on a tiny size, its CSV and JSON, every vector variant side by
# side, JSON on stdout, the statistics rules, a failing configuration, a timeout, and
# bad options.  Bench launches its own runs, so it is never run under
# mpirun here.
bench_csv_header="kernel,mode,simd,workers,ranks,threads,size,runs,failed,verified,identical,kernel_median_s,kernel_min_s,kernel_max_s,kernel_sd_s,wall_median_s,launch_s,speedup,efficiency,karp_flatt,vector_speedup,rate,rate_unit,oversubscribed,others_cpu,outliers,digest,peak_rss_max_bytes,peak_rss_sum_bytes,worker_busy_min_s,worker_busy_max_s,study,kernel_ci_lo_s,kernel_ci_hi_s,ci_level,load_before,load_after,steal_cpu,comm_s,comm_share,hosts"
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
	# a negative Karp-Flatt value (efficiency just above 100%) is drawn, not an error
	awk -F, 'BEGIN {OFS = ","} NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; print; next}
		$c["mode"] == "omp" {$c["karp_flatt"] = "-0.02"; $c["speedup"] = "1.04"} {print}' \
		"$WORK/b.csv" >"$WORK/kneg.csv"
	if "$HERE/../scripts/plot" "$WORK/kneg.csv" "$WORK/kneg" >"$WORK/kneg.out" 2>&1 &&
		[ -s "$WORK/kneg/montecarlo.pi-karpflatt.png" ]; then
		pass
	else
		fail "scripts/plot with a negative Karp-Flatt value: $(tail -n 2 "$WORK/kneg.out")"
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

# --- vector variants side by side (bench --simd) ------------------------------------
# The variants this CPU runs, from /proc/cpuinfo rather than from the toolkit: scalar
# and the 128-bit one always, avx2 with avx2+fma+bmi2, avx512 with its four subsets.
cpu_flags=" $(grep -m 1 -E '^(flags|Features)' /proc/cpuinfo | cut -d: -f2) "
has_flag() { case $cpu_flags in *" $1 "*) return 0 ;; esac; return 1; }
case $(uname -m) in
x86_64) want_simd="scalar sse2" ;;
aarch64) want_simd="scalar neon" ;;
*) want_simd="scalar vec128" ;;
esac
has_avx2=0
if [ "$(uname -m)" = x86_64 ] && has_flag avx2 && has_flag fma && has_flag bmi2; then
	want_simd+=" avx2"
	has_avx2=1
fi
if [ $has_avx2 = 1 ] && has_flag avx512f && has_flag avx512bw && has_flag avx512dq &&
	has_flag avx512vl; then
	want_simd+=" avx512"
fi
echo "   bench --simd all: expecting rows for: $want_simd"
if timeout 300 "$TK" bench montecarlo.pi --size 65539 --workers 1,2 --modes serial,omp --simd all \
	--repeat 2 --warmup 0 --csv "$WORK/v.csv" --json "$WORK/v.json" >"$WORK/v.out" 2>&1; then
	pass
else
	fail "bench --simd all: exit $?: $(tail -n 5 "$WORK/v.out")"
fi
# 65539 = 2^16+3 samples is no multiple of any vector width: the remainder path runs too
got_simd=$(awk -F, 'NR > 1 && $2 == "serial" {printf "%s%s", sep, $3; sep = " "}' "$WORK/v.csv")
[ "$got_simd" = "$want_simd" ] && pass ||
	fail "bench --simd all: serial rows for '$got_simd', expected '$want_simd'"
got_omp=$(awk -F, 'NR > 1 && $2 == "omp" && $6 == 2 {n++} END {print n + 0}' "$WORK/v.csv")
[ "$got_omp" = "$(wc -w <<<"$want_simd")" ] && pass || fail "bench --simd all: $got_omp omp 1x2 rows"
# every row verified, its digest equal to the scalar serial run's (read from the CSV
# itself, not from bench's verdict), and bench agreed (identical = yes)
if awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	NR == 2 {ref = $c["digest"]; if ($c["simd"] != "scalar" || $c["mode"] != "serial") bad = 1}
	$c["digest"] != ref || $c["verified"] != "yes" || $c["identical"] != "yes" {bad = 1}
	END {exit bad || NR < 3}' "$WORK/v.csv"; then
	pass
else
	fail "bench --simd all: digests differ across variants or rows did not verify: $(cut -d, -f2,3,10,11,27 "$WORK/v.csv" | tr '\n' ' ')"
fi
# vector speedup: 1 for the scalar rows, a positive number for the others
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{v = $c["vector_speedup"]}
	$c["simd"] == "scalar" && v != 1 {bad = 1}
	$c["simd"] != "scalar" && !(v > 0) {bad = 1}
	END {exit bad}' "$WORK/v.csv" &&
	pass || fail "bench --simd all: vector_speedup column: $(cut -d, -f2,3,21 "$WORK/v.csv" | tr '\n' ' ')"
grep -q " lanes " "$WORK/v.out" && pass || fail "bench --simd all: no lanes column in the table"
# the JSON records the variants and the CPU's features, and each configuration its variant
cat >"$WORK/v.py" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
want = sys.argv[2].split()
prov = doc["provenance"]
assert prov["simd"] == want, prov["simd"]
assert "sse2" in prov["cpu_features"] or "neon" in prov["cpu_features"], prov["cpu_features"]
assert [c["simd"] for c in doc["configs"] if c["mode"] == "serial"] == want
assert all(c["digest"] == doc["configs"][0]["digest"] for c in doc["configs"])
EOF
if python3 "$WORK/v.py" "$WORK/v.json" "$want_simd" 2>"$WORK/v.pyerr"; then
	pass
else
	fail "bench --simd all: JSON: $(tail -n 2 "$WORK/v.pyerr")"
fi
# a list in any order runs in variant order, scalar first; the default is TK_SIMD or auto
if [ "$(uname -m)" = x86_64 ]; then
	timeout 120 "$TK" bench pi --size 2^14 --workers 1 --modes serial --simd sse2,scalar --repeat 1 --warmup 0 \
		--csv "$WORK/s.csv" >/dev/null 2>&1
	[ "$(tail -n +2 "$WORK/s.csv" | cut -d, -f3 | paste -sd, -)" = "scalar,sse2" ] && pass ||
		fail "bench --simd sse2,scalar: $(cut -d, -f3 "$WORK/s.csv" | paste -sd' ')"
fi
TK_SIMD=scalar timeout 120 "$TK" bench pi --size 2^14 --workers 1 --modes serial --repeat 1 --warmup 0 \
	--csv "$WORK/d.csv" >/dev/null 2>&1
[ "$(tail -n +2 "$WORK/d.csv" | cut -d, -f3 | paste -sd, -)" = "scalar" ] && pass ||
	fail "bench with TK_SIMD=scalar: rows $(cut -d, -f3 "$WORK/d.csv" | paste -sd' ')"
SERIAL_ONLY=1 expect_error "bench unknown variant" 2 "'nosuch' is not a SIMD variant" -- bench pi --simd scalar,nosuch
SERIAL_ONLY=1 TK_SIMD=garbage expect_error "bench TK_SIMD=garbage" 2 "TK_SIMD 'garbage'" -- bench pi
# a variant the CPU lacks (where there is one: avx2 on aarch64, avx512 on AVX2-only)
lacking=""
[ "$(uname -m)" != x86_64 ] && lacking=avx2
[ "$(uname -m)" = x86_64 ] && [[ $want_simd != *avx512* ]] && lacking=avx512
if [ -n "$lacking" ]; then
	SERIAL_ONLY=1 expect_error "bench --simd $lacking on a CPU without it" 2 "this CPU has" -- bench pi --simd scalar,$lacking
else
	echo "   (skipped: bench --simd with a variant the CPU lacks: this CPU has them all)"
fi

# --- --format json prints JSON, and only JSON, on stdout; csv likewise ----------------
if timeout 120 "$TK" bench pi --size 2^14 --workers 1,2 --modes serial,omp --repeat 1 \
	--warmup 0 --format json --quiet >"$WORK/j.out" 2>"$WORK/j.err" &&
	python3 -c '
import json, sys
docs = [json.loads(l) for l in sys.stdin]
assert len(docs) == 1 and docs[0]["schema"] == "toolkit.bench/1", docs
assert len(docs[0]["configs"]) == 2 and docs[0]["configs"][0]["simd"]
' <"$WORK/j.out" 2>"$WORK/j.py"; then
	pass
else
	fail "bench --format json: $(head -c 300 "$WORK/j.out") $(tail -n 2 "$WORK/j.py" 2>/dev/null)"
fi
timeout 120 "$TK" bench pi --size 2^14 --workers 1 --modes serial --repeat 1 --warmup 0 --format csv --quiet \
	>"$WORK/c.out" 2>/dev/null
[ "$(head -n 1 "$WORK/c.out")" = "$bench_csv_header" ] && [ "$(wc -l <"$WORK/c.out")" = 2 ] &&
	pass || fail "bench --format csv: $(head -c 300 "$WORK/c.out")"

# --- options that mean nothing for bench are not offered -----------------------------
"$TK" bench --help >"$WORK/h.out" 2>&1
if grep -q -e "--threads" -e "--mode " "$WORK/h.out" || ! grep -q -e "--simd LIST" "$WORK/h.out"; then
	fail "bench --help offers --threads or --mode, or lacks --simd LIST"
else
	pass
fi
SERIAL_ONLY=1 expect_error "bench --threads" 2 "threads" -- bench --threads 2
SERIAL_ONLY=1 expect_error "bench --mode" 2 "mode" -- bench --mode omp

# --- statistics: Karp-Flatt only for strong scaling, W > 1 and speedup > 1; rows with
# more workers than cores marked oversubscribed; weak-scaling rows of one size agree -
kf_rule='NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{want = (weak == 0 && $c["workers"] > 1 && $c["speedup"] > 1)
	 if (($c["karp_flatt"] != "") != want) {print "row " NR ": K-F \"" $c["karp_flatt"] "\" speedup " $c["speedup"]; bad = 1}}
	END {exit bad}'
awk -F, -v weak=0 "$kf_rule" "$WORK/b.csv" >"$WORK/kf" && awk -F, -v weak=0 "$kf_rule" "$WORK/v.csv" >>"$WORK/kf" &&
	pass || fail "bench Karp-Flatt (strong): $(cat "$WORK/kf")"
over=$(($(nproc) + 1))
if timeout 300 "$TK" bench pi --size 2^16 --workers "1,$over" --modes serial,omp --scaling weak \
	--simd scalar,auto --repeat 2 --warmup 0 --csv "$WORK/w.csv" >"$WORK/w.out" 2>&1; then
	pass
else
	fail "bench weak + oversubscribed: exit $?: $(tail -n 3 "$WORK/w.out")"
fi
awk -F, -v weak=1 "$kf_rule" "$WORK/w.csv" >"$WORK/kf" && pass || fail "bench Karp-Flatt (weak): $(cat "$WORK/kf")"
awk -F, -v cores="$(nproc)" 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{n++; if (($c["oversubscribed"] == "yes") != ($c["workers"] > cores)) bad = 1}
	END {exit bad || n < 4}' "$WORK/w.csv" && grep -q "oversubscribed ($over on $(nproc) cores)" "$WORK/w.out" &&
	pass || fail "bench oversubscribed rows: $(cut -d, -f2-4,24 "$WORK/w.csv" | tr '\n' ' ')"
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{s = $c["size"]; if (!(s in d)) d[s] = $c["digest"]; else if (d[s] != $c["digest"]) bad = 1
	 if ($c["identical"] != "yes") bad = 1; n[s]++}
	END {for (s in n) if (n[s] < 2) bad = 1; exit bad}' "$WORK/w.csv" &&
	pass || fail "bench weak: digests per size: $(cut -d, -f2,3,7,11,27 "$WORK/w.csv" | tr '\n' ' ')"

# weak scaling of a 2-D grid: N grows as the square root of the workers (the registry's
# size_dims), so the points per worker stay the same: 64, round(64 sqrt 2) = 91, 128
if timeout 300 "$TK" bench stencil --size 64 --args "--steps 5" --workers 1,2,4 --modes serial,omp \
	--scaling weak --repeat 1 --warmup 0 --csv "$WORK/sw.csv" >"$WORK/sw.out" 2>&1 &&
	awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
		{s[$c["workers"]] = $c["size"]} END {exit !(s[1] == 64 && s[2] == 91 && s[4] == 128)}' \
		"$WORK/sw.csv"; then
	pass
else
	fail "bench weak stencil: sizes per workers: $(cut -d, -f2,4,7 "$WORK/sw.csv" 2>/dev/null | tr '\n' ' ') $(tail -n 2 "$WORK/sw.out")"
fi

# --- round robin, the median's confidence interval, load and steal -----------------
# 2 configurations x 10 runs: sorted by start time the runs alternate (repeat r of
# every configuration before repeat r+1 of any); the interval of 10 runs is the 2nd to
# the 9th smallest kernel time, at 1 - 2 (1 + 10) / 2^10 = 97.85% (binomial by hand);
# read from the runs in the JSON, not from bench's summary
if timeout 300 "$TK" bench pi --size 2^12 --workers 1,2 --modes serial,omp --repeat 10 \
	--warmup 1 --csv "$WORK/rr.csv" --json "$WORK/rr.json" >"$WORK/rr.out" 2>&1; then
	pass
else
	fail "bench --repeat 10: exit $?: $(tail -n 3 "$WORK/rr.out")"
fi
cat >"$WORK/rr.py" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
cfgs = doc["configs"]
assert len(cfgs) == 2, len(cfgs)
runs = sorted((r["start_s"], i) for i, c in enumerate(cfgs) for r in c["runs_detail"])
order = [i for _, i in runs]
assert order == [0, 1] * 10, order
for c in cfgs:
    ks = sorted(r["kernel_s"] for r in c["runs_detail"])
    assert len(ks) == 10
    assert abs(c["ci_level"] - (1 - 22 / 1024)) < 1e-9, c["ci_level"]
    assert abs(c["kernel_ci_lo_s"] - ks[1]) <= 1e-8 * ks[1], (c["kernel_ci_lo_s"], ks)
    assert abs(c["kernel_ci_hi_s"] - ks[8]) <= 1e-8 * ks[8], (c["kernel_ci_hi_s"], ks)
    for k in ("load_before", "load_after"):
        assert c[k] is not None and c[k] >= 0, (k, c[k])
    assert c["steal_cpu"] is None or 0 <= c["steal_cpu"] <= 1, c["steal_cpu"]
EOF
if python3 "$WORK/rr.py" "$WORK/rr.json" 2>"$WORK/rr.pyerr"; then
	pass
else
	fail "bench round robin / median CI / load: $(tail -n 2 "$WORK/rr.pyerr")"
fi
grep -q "median CI (level)" "$WORK/rr.out" && grep -q "(97.9%)" "$WORK/rr.out" &&
	pass || fail "bench table: no median CI column or level: $(grep -m 2 omp "$WORK/rr.out")"
# the CSV carries the same interval; with 2 runs it is min..max at 50%; one run has none
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{l = $c["ci_level"]; lo = $c["kernel_ci_lo_s"]; hi = $c["kernel_ci_hi_s"]
	 if (l != 0.5 || lo != $c["kernel_min_s"] || hi != $c["kernel_max_s"]) bad = 1
	 if ($c["load_before"] == "" || $c["load_after"] == "") bad = 1}
	END {exit bad || NR < 3}' "$WORK/b.csv" &&
	pass || fail "bench CSV, 2 runs: CI should be min..max at 0.5: $(cut -d, -f12-14,33-38 "$WORK/b.csv" | tr '\n' ' ')"
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	$c["ci_level"] != "" || $c["kernel_ci_lo_s"] != "" || $c["kernel_ci_hi_s"] != "" {bad = 1}
	END {exit bad || NR != 2}' "$WORK/c.out" &&
	pass || fail "bench CSV, 1 run: CI cells should be empty: $(tail -n 1 "$WORK/c.out")"

# scripts/plot draws the interval as error bars and never an empty cell as a value:
# with TK_PLOT_KEEP the data gnuplot read are kept; a row with an empty karp_flatt
# (speedup below 1) is NaN there, a row without an interval gets no bar, and the one
# oversubscribed row (and only it) is marked
if command -v gnuplot >/dev/null; then
	{
		echo "kernel,mode,workers,ranks,threads,size,runs,failed,verified,identical,kernel_median_s,kernel_min_s,kernel_max_s,launch_s,speedup,efficiency,karp_flatt,kernel_ci_lo_s,kernel_ci_hi_s,ci_level,oversubscribed"
		echo "x.k,serial,1,1,1,100,6,0,yes,yes,1.0,0.9,1.1,0.01,1,1,,0.95,1.05,0.96875,no"
		echo "x.k,omp,2,1,2,100,6,0,yes,yes,1.25,1.2,1.3,0.01,0.8,0.4,,1.2,1.3,0.96875,no"
		echo "x.k,omp,4,1,4,100,1,0,yes,yes,0.5,0.5,0.5,0.01,2,0.5,0.333333,,,,yes"
	} >"$WORK/e.csv"
	rm -rf "$WORK/eplots"
	if TK_PLOT_KEEP=1 "$HERE/../scripts/plot" "$WORK/e.csv" "$WORK/eplots" >"$WORK/e.out" 2>&1 &&
		[ -s "$WORK/eplots/x.k-speedup.png" ] && [ -s "$WORK/eplots/x.k-karpflatt.png" ] &&
		awk -F'\t' '$1 == 2 {if ($2 != 0.8 || $6 != "NaN") bad = 1; n++}
			$1 == 4 {if ($6 != 0.333333) bad = 1; n++} END {exit bad || n != 2}' "$WORK/eplots/data/x.k.omp.dat" &&
		awk -F'\t' '{n++; if ($1 != 2 || $2 != 0.8) bad = 1
			if (sprintf("%.6f %.6f", $3, $4) != sprintf("%.6f %.6f", 0.8 * 1.25 / 1.3, 0.8 * 1.25 / 1.2)) bad = 1}
			END {exit bad || n != 1}' "$WORK/eplots/data/x.k.omp.dat.ci" &&
		awk -F'\t' '{n++; if ($1 != 4 || $2 != 2) bad = 1} END {exit bad || n != 1}' "$WORK/eplots/data/x.k.over"; then
		pass
	else
		fail "scripts/plot: empty cells or error bars: $(tail -n 2 "$WORK/e.out"; cat "$WORK/eplots/data/x.k.omp.dat"* 2>/dev/null | tr '\n\t' '| ')"
	fi
fi

# the threads-past-cores warning: said for a folder (CPU-bound decode and filter), not
# for a list, whose items are downloads (more threads than cores is the point there)
mkdir -p "$WORK/ow/in" "$WORK/ow/out"
for i in 1 2; do
	"$TK" filter --filter invert --generate 40x30 --seed $i --output "$WORK/ow/in/p$i.pgm" --quiet >/dev/null
done
printf '%s\n' "$WORK/ow/in/p1.pgm" "$WORK/ow/in/p2.pgm" >"$WORK/ow/list.txt"
many=$(($(nproc) + 2))
"$TK" filter --filter box --input "$WORK/ow/in" --output "$WORK/ow/out" --threads $many >/dev/null 2>"$WORK/ow/folder.err"
"$TK" filter --filter box --input "$WORK/ow/list.txt" --output "$WORK/ow/out" --threads $many >/dev/null 2>"$WORK/ow/list.err"
if grep -q "may run on" "$WORK/ow/folder.err" && ! grep -q "may run on" "$WORK/ow/list.err" &&
	[ -s "$WORK/ow/out/p1.pgm" ]; then
	pass
else
	fail "threads-past-cores warning: folder '$(head -c 200 "$WORK/ow/folder.err")', list '$(head -c 200 "$WORK/ow/list.err")'"
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
