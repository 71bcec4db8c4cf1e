#!/usr/bin/env bash
# tests/slurm.sh: the jobs/ batch scripts on a real, throw-away, single-node Slurm.
# Brings Slurm up on this machine (scripts/slurm-local.sh: installs slurm-wlm, munge and
# slurm-wlm-torque with apt-get when missing), submits every Slurm and PBS script at a
# tiny size (sbatch, which honours #PBS lines, and the qsub wrapper), waits for each with
# a timeout, checks its results folder, then stops the daemons it started, by PID, also
# when a check fails or the test is interrupted.  All state lives in one temporary
# folder (kept on failure, for its logs; TK_SLURM_KEEP=1 keeps it always).
#
# Needs root (slurmd and munged).  When it can, it runs inside its own network
# namespace that has only the loopback interface, so the daemons cannot be reached from
# outside (TK_SLURM_NETNS=0 to run in the host's namespace: they then listen on all
# interfaces, munge-authenticated with a fresh key, on random ports).
# Prints one line per check and `slurm: N passed, M failed`; exit status 0 when all
# passed, 1 when a check failed, 2 when Slurm could not be brought up, 0 with a
# "skipped" line when not root.  Run by `make test-slurm`; about a minute.
set -u
cd "$(dirname "$0")/.." || exit 2
root=$PWD

if [ "$(id -u)" != 0 ]; then
	echo "slurm: skipped: a local Slurm needs root (slurmd, munged)"
	exit 0
fi

# Install first: the namespace below cannot reach the package mirrors
if [ -z "${TK_SLURM_IN_NETNS:-}" ] && ! timeout 300 scripts/slurm-local.sh install; then
	echo "slurm: 0 passed, 1 failed (could not install Slurm)"
	exit 2
fi

# Re-run inside a fresh network namespace with only loopback, when possible
if [ "${TK_SLURM_NETNS:-1}" != 0 ] && [ -z "${TK_SLURM_IN_NETNS:-}" ] &&
	command -v unshare >/dev/null && command -v ip >/dev/null &&
	unshare --net true 2>/dev/null; then
	export TK_SLURM_IN_NETNS=1
	# A second loopback address: getaddrinfo(AI_ADDRCONFIG), which the daemons use to
	# bind, finds no IPv4 address when 127.0.0.1 is the only one.
	# shellcheck disable=SC2016 # expanded by the inner bash
	exec unshare --net -- bash -c 'ip link set lo up && ip addr add 127.0.0.2/32 dev lo &&
		exec "$0" "$@"' "$0" "$@"
fi

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # check NAME CMD...: one test
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else bad "$name"; fi
}

# Open MPI's mpirun looks for a non-loopback interface unless told to use loopback
if [ -n "${TK_SLURM_IN_NETNS:-}" ]; then
	export OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_btl_tcp_if_include=lo
fi

t0=$SECONDS
D=$(mktemp -d /tmp/tk-slurm.XXXXXX) || exit 2
finish() {
	local rc=$?
	timeout 60 "$root/scripts/slurm-local.sh" down "$D"
	if [ "$fail" -gt 0 ] || [ "$rc" != 0 ] || [ "${TK_SLURM_KEEP:-0}" = 1 ]; then
		echo "slurm: state, logs and job output kept in $D"
	else
		rm -rf "$D"
	fi
}
trap finish EXIT
trap 'echo "slurm: interrupted"; exit 1' INT TERM

if [ ! -x ./toolkit ]; then
	echo "slurm: ./toolkit is missing: run make first" >&2
	exit 2
fi
if ! timeout 180 scripts/slurm-local.sh up "$D" >/dev/null; then
	echo "slurm: 0 passed, 1 failed (could not bring Slurm up)"
	exit 2
fi
export SLURM_CONF=$D/slurm.conf
echo "slurm: up in $((SECONDS - t0)) s ($(sinfo -h -o '%D node, %c CPUs, %P')); state in $D"

# Tiny sizes; results and job output under $D, never in the repository
export TK_RESULTS=$D/results TK_REPEAT=2 TK_WARMUP=0 TK_TIMEOUT=60 TK_WORKERS=1,2
unset TK_KERNELS TK_SIZE TK_MODES TK_ARGS TK_LAUNCHER TK_HOME OMP_NUM_THREADS
mkdir -p "$TK_RESULTS"

# submit NAME SBATCH-ARGS... -- [ENV=VALUE...] SCRIPT: sbatch with extra environment;
# prints the job id
submit() {
	local name=$1 opts=() envs=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	while [ $# -gt 1 ]; do envs+=("$1"); shift; done
	env "${envs[@]}" sbatch --parsable -J "$name" -o "$D/$name-%j.out" "${opts[@]}" "$1"
}

# state ID: the job's JobState (COMPLETED, FAILED, ...)
state() { scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }

# wait_job ID: until the job has ended; 1 when $deadline passed (the job is cancelled)
wait_job() {
	local s
	while :; do
		s=$(state "$1")
		case $s in
		COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE) return 0 ;;
		esac
		if [ $SECONDS -ge "$deadline" ]; then
			scancel "$1" 2>/dev/null
			return 1
		fi
		sleep 0.5
	done
}

# result DIR-GLOB: the results folder of a job (NAME-ID)
result() { echo "$TK_RESULTS/$1-$2"; }

# bench's CSV header, the contract, from its one home (tests/modes.d/zz-bench.sh)
header=$(sed -n 's/^bench_csv_header="\(.*\)"$/\1/p' tests/modes.d/zz-bench.sh)
[ -n "$header" ] || { echo "slurm.sh: no bench_csv_header in tests/modes.d/zz-bench.sh" >&2; exit 1; }
csv_ok() { # csv_ok CSV MODE...: contract header, every row verified and identical, each MODE present
	local f=$1
	shift
	[ "$(head -n 1 "$f")" = "$header" ] || return 1
	[ "$(wc -l <"$f")" -ge 2 ] || return 1
	# columns by name (the header above is the contract): failed, verified, identical
	awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
		$c["failed"] != 0 || $c["verified"] != "yes" || $c["identical"] != "yes" {bad = 1}
		END {exit bad}' "$f" || return 1
	local m
	for m in "$@"; do
		cut -d, -f2 "$f" | grep -qx "$m" || return 1
	done
}
plots_ok() { # plots_ok DIR: the three charts of montecarlo.pi (when gnuplot exists)
	command -v gnuplot >/dev/null || return 0
	local c
	for c in speedup efficiency overhead; do
		[ -s "$1/montecarlo.pi-$c.png" ] || return 1
	done
}
chunks_agree() { # chunks_agree DIR: summary counts the chunks written, at least 2
	local n
	n=$(wc -l <"$1/chunks.jsonl") || return 1
	[ "$n" -ge 2 ] && grep -q "\"chunks_done\":$n," "$1/summary.json"
}
job_done() { # job_done NAME ID: completed with exit code 0
	[ "$(state "$2")" = COMPLETED ] || {
		echo "--- $1 ($2): $(state "$2")" >&2
		tail -n 20 "$D/$1-$2.out" >&2
		return 1
	}
}

# 1. every script's directives are accepted (resources shrunk to this node)
for s in jobs/slurm-*.sh jobs/pbs-*.sh; do
	check "sbatch --test-only accepts $s" sbatch --test-only -N 1 -n 1 -c 1 -o /dev/null "$s"
done

# 2. submit everything; they queue on the one node and run in turn, and must all have
# ended within 150 s
deadline=$((SECONDS + 150))
small=2^20
id_strong=$(submit tk-strong -- TK_SIZE=$small jobs/slurm-strong.sh)
id_weak=$(submit tk-weak -- TK_SIZE=2^19 jobs/slurm-weak.sh)
id_multi=$(submit tk-multinode -N 1 -- TK_SIZE=$small TK_MODES=serial,mpi jobs/slurm-multinode.sh)
id_hybrid=$(submit tk-hybrid -n 2 -c 2 --overcommit -- TK_SIZE=$small TK_WORKERS=1,4 jobs/slurm-hybrid.sh)
id_long=$(submit tk-mc-long -n 2 -- TK_CHUNK=2^22 jobs/slurm-montecarlo-long.sh)
id_bad=$(submit tk-bad -- TK_KERNELS=nosuch.kernel jobs/slurm-strong.sh)
# PBS scripts: through sbatch (which reads #PBS lines) and through the qsub wrapper
id_pstrong=$(cd "$root" && TK_SIZE=$small qsub -V -l nodes=1:ppn=2 -N tk-pbs-strong \
	-o "$D/tk-pbs-strong.out" -e "$D/tk-pbs-strong.err" jobs/pbs-strong.sh 2>"$D/qsub.err" | tr -dc '0-9')
id_pweak=$(submit tk-pbs-weak -n 2 -- TK_SIZE=2^19 jobs/pbs-weak.sh)
id_pmulti=$(submit tk-pbs-multinode -N 1 -n 2 -- TK_SIZE=$small TK_MODES=serial+mpi jobs/pbs-multinode.sh)
id_phybrid=$(submit tk-pbs-hybrid -n 4 --overcommit -- TK_SIZE=$small TK_RANKS=2 TK_THREADS=2 \
	TK_WORKERS=1+4 jobs/pbs-hybrid.sh)
id_plong=$(submit tk-pbs-mc-long -n 2 -- TK_CHUNK=2^22 TK_STOP_AFTER=3 jobs/pbs-montecarlo-long.sh)
for v in id_strong id_weak id_multi id_hybrid id_long id_bad id_pstrong id_pweak id_pmulti \
	id_phybrid id_plong; do
	[ -n "${!v}" ] || { bad "submit ${v#id_}: $(cat "$D/qsub.err" 2>/dev/null)"; }
done

# 3. the long job: once it has finished two chunks, send what --signal=B:USR1 sends
f=$(result tk-mc-long "$id_long")/chunks.jsonl
while n=$(wc -l 2>/dev/null <"$f"); [ "${n:-0}" -lt 2 ] && [ $SECONDS -lt "$deadline" ]; do
	sleep 0.5
done
scancel --batch --signal=USR1 "$id_long"

# 4. wait for all, then check
for v in id_strong id_weak id_multi id_hybrid id_long id_bad id_pstrong id_pweak id_pmulti \
	id_phybrid id_plong; do
	[ -n "${!v}" ] && { wait_job "${!v}" || bad "${v#id_} did not end in time (cancelled)"; }
done

r=$(result tk-strong "$id_strong")
check "slurm-strong completed" job_done tk-strong "$id_strong"
check "slurm-strong: CSV columns, all verified and identical, serial/omp/mpi" \
	csv_ok "$r/bench.csv" serial omp mpi
check "slurm-strong: JSON document" grep -q '"schema":"toolkit.bench/1"' "$r/bench.json"
check "slurm-strong: charts" plots_ok "$r/plots"
check "slurm-strong: provenance has SLURM_JOB_ID" grep -q "^SLURM_JOB_ID=$id_strong" "$r/env.txt"

r=$(result tk-weak "$id_weak")
check "slurm-weak completed" job_done tk-weak "$id_weak"
check "slurm-weak: CSV" csv_ok "$r/bench.csv" serial omp mpi
# shellcheck disable=SC2016 # awk programs
check "slurm-weak: size grows with workers" awk -F, \
	'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next} {s[$c["workers"]] = $c["size"]}
	END {exit !(s[2] == 2 * s[1] && s[1] == 524288)}' "$r/bench.csv"
check "slurm-weak: JSON says weak" grep -q '"scaling":"weak"' "$r/bench.json"

r=$(result tk-multinode "$id_multi")
check "slurm-multinode completed (1 node here)" job_done tk-multinode "$id_multi"
check "slurm-multinode: CSV with mpi rows" csv_ok "$r/bench.csv" serial mpi

r=$(result tk-hybrid "$id_hybrid")
check "slurm-hybrid completed" job_done tk-hybrid "$id_hybrid"
check "slurm-hybrid: CSV with a 2x2 hybrid row" grep -Eq '^montecarlo.pi,hybrid,[a-z0-9]+,4,2,2,' "$r/bench.csv"
check "slurm-hybrid: all verified and identical" csv_ok "$r/bench.csv" serial hybrid
check "slurm-hybrid: plain run is 2 ranks x 2 threads, verified" grep -q \
	'"mode":"hybrid","ranks":2,"threads":2.*"verified":true' "$r/hybrid-run.json"

r=$(result tk-mc-long "$id_long")
check "slurm-montecarlo-long completed after USR1" job_done tk-mc-long "$id_long"
check "slurm-montecarlo-long: summary says USR1 and how far" grep -Eq \
	'^stopped by signal USR1 .* after [0-9]+ of 1000000 chunks' "$r/summary.txt"
# shellcheck disable=SC2016
check "slurm-montecarlo-long: combined estimate within 5 SE of pi" awk -F'[:,]' \
	'{for (i = 1; i < NF; i++) {if ($i ~ /"estimate"/) e = $(i+1); if ($i ~ /"std_error"/) s = $(i+1)}}
	END {d = e - 3.141592653589793; if (d < 0) d = -d; exit !(s > 0 && d < 5 * s)}' "$r/summary.json"
check "slurm-montecarlo-long: chunks and summary agree" chunks_agree "$r"

check "a failing bench makes the job FAILED" test "$(state "$id_bad")" = FAILED
check "a failing bench says why" grep -q "unknown kernel\|nosuch.kernel" "$D/tk-bad-$id_bad.out"

if [ -n "$id_pstrong" ]; then
	r=$(result tk-pbs-strong "$id_pstrong")
	check "pbs-strong via qsub completed" job_done tk-pbs-strong "$id_pstrong"
	check "pbs-strong: CSV" csv_ok "$r/bench.csv" serial omp mpi
fi
r=$(result tk-pbs-weak "$id_pweak")
check "pbs-weak completed" job_done tk-pbs-weak "$id_pweak"
check "pbs-weak: CSV" csv_ok "$r/bench.csv" serial omp mpi
r=$(result tk-pbs-multinode "$id_pmulti")
check "pbs-multinode completed" job_done tk-pbs-multinode "$id_pmulti"
check "pbs-multinode: CSV (lists written with +)" csv_ok "$r/bench.csv" serial mpi
r=$(result tk-pbs-hybrid "$id_phybrid")
check "pbs-hybrid completed" job_done tk-pbs-hybrid "$id_phybrid"
check "pbs-hybrid: CSV with hybrid" csv_ok "$r/bench.csv" serial hybrid
check "pbs-hybrid: plain run is 2 ranks x 2 threads, verified" grep -q \
	'"mode":"hybrid","ranks":2,"threads":2.*"verified":true' "$r/hybrid-run.json"
r=$(result tk-pbs-mc-long "$id_plong")
check "pbs-montecarlo-long completed" job_done tk-pbs-mc-long "$id_plong"
check "pbs-montecarlo-long: stopped by TK_STOP_AFTER, said how far" grep -Eq \
	'^stopped by TK_STOP_AFTER=3 s after [0-9]+ of' "$r/summary.txt"

echo "slurm: $pass passed, $fail failed ($((SECONDS - t0)) s)"
[ "$fail" = 0 ]
