#!/usr/bin/env bash
# tests/slurm.sh: the jobs/ batch scripts on a real, throw-away Slurm of 2 nodes.
# Brings Slurm up on this machine (scripts/slurm-local.sh: installs slurm-wlm, munge and
# slurm-wlm-torque with apt-get when missing), submits every Slurm and PBS script at a
# tiny size (sbatch, which honours #PBS lines, and the qsub wrapper), waits for each with
# a timeout, checks its results folder, then stops the daemons it started, by PID, and
# deletes the hosts it made, by name, also when a check fails or the test is
# interrupted.  All state lives in one temporary folder (kept on failure, for its logs;
# TK_SLURM_KEEP=1 keeps it always).
#
# The nodes: hosts h1, h2 of scripts/cluster.sh (network namespaces tks<PID>-h1, -h2
# with their own hostnames, on 10.213.1.0/24: TK_SLURM_SUBNET to change; nothing in the
# machine's own namespace), slurmctld and munged on h1, one slurmd per host; every
# client (sbatch, scontrol, qsub) runs on h1.  Beyond the one-node jobs it checks that a
# 2-node job gets both nodes, and that slurm-multinode.sh (sbatch -N 2) and
# pbs-multinode.sh (qsub -l nodes=2) run MPI ranks on both hosts with srun --mpi=pmix,
# bitwise equal to serial.  Without `ip netns` (or with TK_SLURM_NODES=1) it falls back
# to one node "localhost" in a network namespace that has only loopback, when it can
# (TK_SLURM_NETNS=0: the host's namespace; the daemons then listen on all interfaces,
# munge-authenticated with a fresh key, on random ports), and says which 2-node checks
# it skipped.
# Needs root (slurmd, munged, namespaces).  Prints one line per check and `slurm: N
# passed, M failed`; exit status 0 when all passed, 1 when a check failed, 2 when Slurm
# could not be brought up, 0 with a "skipped" line when not root.  Run by
# `make test-slurm`; about two minutes.
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

# Two nodes, each a host namespace of scripts/cluster.sh, when ip netns works
nodes=1
if [ "${TK_SLURM_NODES:-2}" -gt 1 ] && [ -z "${TK_SLURM_IN_NETNS:-}" ]; then
	if ip netns list >/dev/null 2>&1 && command -v unshare >/dev/null; then
		nodes=2
	else
		echo "slurm: note: no ip netns here: one node only (the 2-node checks are skipped)"
	fi
fi

# One node: re-run inside a fresh network namespace with only loopback, when possible
if [ "$nodes" = 1 ] && [ "${TK_SLURM_NETNS:-1}" != 0 ] && [ -z "${TK_SLURM_IN_NETNS:-}" ] &&
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

# Open MPI's mpirun looks for a non-loopback interface unless told to use loopback; on
# the hosts, eth0 is the one between them
if [ -n "${TK_SLURM_IN_NETNS:-}" ]; then
	export OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_btl_tcp_if_include=lo
elif [ "$nodes" -gt 1 ]; then
	export OMPI_MCA_oob_tcp_if_include=eth0 OMPI_MCA_btl_tcp_if_include=eth0
fi

CL=$root/scripts/cluster.sh
export TK_SLURM_PREFIX=tks$$ TK_SLURM_SUBNET=${TK_SLURM_SUBNET:-10.213.1}
P=$TK_SLURM_PREFIX
# left_behind: what of this test's cluster still exists (daemons, namespaces, files)
left_behind() {
	local n pid out=""
	while read -r n pid; do
		kill -0 "$pid" 2>/dev/null && out+=" $n($pid)"
	done <"$D/pids.all"
	out+=$(ip netns list 2>/dev/null | awk -v p="$P-" 'index($1, p) == 1 {printf " netns %s", $1}')
	for n in /etc/netns/"$P"-*; do [ -e "$n" ] && out+=" $n"; done
	echo "$out"
}

t0=$SECONDS
D=$(mktemp -d /tmp/tk-slurm.XXXXXX) || exit 2
: >"$D/pids.all"
finish() {
	local rc=$? n
	timeout 60 "$root/scripts/slurm-local.sh" down "$D"
	if [ "$nodes" -gt 1 ]; then
		# also what an interrupted bring-up had not recorded yet: by the prefix's names
		"$CL" down "$P" 2>/dev/null
		for n in /etc/netns/"$P"-h*; do [ -e "$n" ] && rm -rf "$n"; done
	fi
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
if ! timeout 180 scripts/slurm-local.sh up "$D" "$nodes" >/dev/null; then
	echo "slurm: 0 passed, 1 failed (could not bring Slurm up)"
	exit 2
fi
cp "$D/pids" "$D/pids.all"
export SLURM_CONF=$D/slurm.conf

# The clients run on h1, as on a login node (on one node: here)
on1() {
	if [ "$nodes" -gt 1 ]; then
		"$CL" exec "$P" h1 "$(printf '%q ' "$@")"
	else
		command "$@"
	fi
}
sbatch() { on1 sbatch "$@"; }
scontrol() { on1 scontrol "$@"; }
scancel() { on1 scancel "$@"; }
sinfo() { on1 sinfo "$@"; }
qsub() { on1 qsub "$@"; }
echo "slurm: up in $((SECONDS - t0)) s ($(sinfo -h -o '%D node(s) %N, %c CPUs each, %P')); state in $D"

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
	(
		[ ${#envs[@]} -gt 0 ] && export "${envs[@]}"
		sbatch --parsable -J "$name" -o "$D/$name-%j.out" "${opts[@]}" "$1"
	)
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

# srun that also keeps what each run printed (its JSON, with the world it ran in) in
# $TK_SPY: given to bench as its launcher (bench knows srun by its name), so the test
# sees on which hosts bench's own runs were
mkdir -p "$D/spy"
cat >"$D/spy/srun" <<EOF
#!/bin/bash
out=\$(mktemp "$D/spy/run.XXXXXX")
$(command -v srun) "\$@" >"\$out"
rc=\$?
cat "\$out"
cat "\$out" >>"\${TK_SPY:?}"
rm -f "\$out"
exit "\$rc"
EOF
chmod +x "$D/spy/srun"
spy="$D/spy/srun --mpi=pmix"

# 2. submit everything; they queue on the nodes and run in turn, and must all have
# ended within 200 s
deadline=$((SECONDS + 200))
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
id_pweak=$(submit tk-pbs-weak -N 1 -n 2 -- TK_SIZE=2^19 jobs/pbs-weak.sh)
id_pmulti=$(submit tk-pbs-multinode -N 1 -n 2 -- TK_SIZE=$small TK_MODES=serial+mpi jobs/pbs-multinode.sh)
# across the 2 nodes: a plain job, the multi-node script (sbatch) and its PBS version
# (the qsub wrapper); bench's mpi runs at 1, 2 and 4 ranks go through the spy
ids2=""
if [ "$nodes" -gt 1 ]; then
	printf '#!/bin/bash\necho "nodelist=$SLURM_JOB_NODELIST nodes=$SLURM_JOB_NUM_NODES"\nsrun hostname | sort\n' \
		>"$D/two.sh"
	id_two=$(submit tk-two -N 2 -- "$D/two.sh")
	id_multi2=$(submit tk-multinode2 -N 2 -- TK_SIZE=$small TK_MODES=serial,mpi TK_WORKERS=1,2,4 \
		TK_LAUNCHER="$spy" TK_SPY="$D/spy-multinode2.jsonl" jobs/slurm-multinode.sh)
	id_pmulti2=$(cd "$root" && TK_SIZE=$small TK_MODES=serial+mpi TK_WORKERS=1+2+4 TK_LAUNCHER="$spy" \
		TK_SPY="$D/spy-pbs-multinode2.jsonl" qsub -V -l nodes=2:ppn=2 -N tk-pbs-multinode2 \
		-o "$D/tk-pbs-multinode2.out" -e "$D/tk-pbs-multinode2.err" jobs/pbs-multinode.sh \
		2>"$D/qsub2.err" | tr -dc '0-9')
	ids2="id_two id_multi2 id_pmulti2"
fi
id_phybrid=$(submit tk-pbs-hybrid -N 1 -n 4 --overcommit -- TK_SIZE=$small TK_RANKS=2 TK_THREADS=2 \
	TK_WORKERS=1+4 jobs/pbs-hybrid.sh)
id_plong=$(submit tk-pbs-mc-long -N 1 -n 2 -- TK_CHUNK=2^22 TK_STOP_AFTER=3 jobs/pbs-montecarlo-long.sh)
for v in id_strong id_weak id_multi id_hybrid id_long id_bad id_pstrong id_pweak id_pmulti \
	id_phybrid id_plong $ids2; do
	[ -n "${!v}" ] || { bad "submit ${v#id_}: $(cat "$D/qsub.err" "$D/qsub2.err" 2>/dev/null)"; }
done

# 3. the long job: once it has finished two chunks, send what --signal=B:USR1 sends
f=$(result tk-mc-long "$id_long")/chunks.jsonl
while n=$(wc -l 2>/dev/null <"$f"); [ "${n:-0}" -lt 2 ] && [ $SECONDS -lt "$deadline" ]; do
	sleep 0.5
done
scancel --batch --signal=USR1 "$id_long"

# 4. wait for all, then check
for v in id_strong id_weak id_multi id_hybrid id_long id_bad id_pstrong id_pweak id_pmulti \
	id_phybrid id_plong $ids2; do
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
check "slurm-multinode on 1 node completed" job_done tk-multinode "$id_multi"
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

# 5. across nodes
# spanned JSONL SERIAL-DIGEST: bench's mpi runs of 2 ranks and more, as the spy kept
# them: at least 2, each verified, with the serial digest, and on hosts h1 and h2
spanned() {
	[ -s "$1" ] || return 1
	awk -v want="$2" '/"schema":"toolkit.run\/1"/ {
		r = $0; sub(/.*"world":\{"ranks":/, "", r); r += 0
		if (r < 2) next
		n++
		if ($0 !~ /"verified":true/ || index($0, "\"digest\":\"" want "\"") == 0 ||
			$0 !~ /"hosts":\["h1","h2"\]/) bad++
	} END {exit !(n >= 2 && !bad)}' "$1"
}
on_both() { # on_both JSON RANKS: one verified run of RANKS ranks on hosts h1 and h2
	grep -q '"verified":true' "$1" && grep -q "\"world\":{\"ranks\":$2," "$1" &&
		grep -q '"hosts":\["h1","h2"\]' "$1"
}
serial_digest() { # serial_digest CSV: the serial row's digest (the column by name)
	awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
		$c["mode"] == "serial" {print $c["digest"]; exit}' "$1"
}
if [ "$nodes" -gt 1 ]; then
	check "a 2-node job completed" job_done tk-two "$id_two"
	check "a 2-node job: SLURM_JOB_NODELIST is both nodes" grep -qx 'nodelist=h\[1-2\] nodes=2' \
		"$D/tk-two-$id_two.out"
	check "a 2-node job: srun hostname prints h1 and h2" test \
		"$(grep -x 'h[0-9]' "$D/tk-two-$id_two.out" | tr '\n' ' ')" = "h1 h2 "
	r=$(result tk-multinode2 "$id_multi2")
	check "slurm-multinode -N 2 completed" job_done tk-multinode2 "$id_multi2"
	check "slurm-multinode -N 2: CSV with mpi rows, all verified and identical" \
		csv_ok "$r/bench.csv" serial mpi
	check "slurm-multinode -N 2: bench's mpi runs spanned h1 and h2, serial digest" \
		spanned "$D/spy-multinode2.jsonl" "$(serial_digest "$r/bench.csv")"
	check "slurm-multinode -N 2: plain run of 4 ranks on h1 and h2, verified" \
		on_both "$r/multinode-run.json" 4
	if [ -n "$id_pmulti2" ]; then
		r=$(result tk-pbs-multinode2 "$id_pmulti2")
		check "pbs-multinode via qsub nodes=2 completed" job_done tk-pbs-multinode2 "$id_pmulti2"
		check "pbs-multinode nodes=2: CSV with mpi rows" csv_ok "$r/bench.csv" serial mpi
		check "pbs-multinode nodes=2: bench's mpi runs spanned h1 and h2, serial digest" \
			spanned "$D/spy-pbs-multinode2.jsonl" "$(serial_digest "$r/bench.csv")"
		check "pbs-multinode nodes=2: plain run of 4 ranks on h1 and h2, verified" \
			on_both "$r/multinode-run.json" 4
	fi
else
	echo "skip 2-node checks (one node here): sbatch -N 2, slurm-multinode -N 2, pbs-multinode nodes=2"
fi

# 5b. one index space (issue 12): the long job with TK_SAMPLES, stopped by the signal
# that --signal=B:USR1@60 sends once it has a checkpoint, requeues itself and resumes;
# a 3-task array of --first-sample chunks (1 rank x 2 threads each) and a dependent
# merge job.  Both must end with the digest of one uninterrupted run, run here.
deadline=$((SECONDS + 240))
id_rq=$(submit tk-mc-requeue -n 2 --time=10 -- TK_SAMPLES=2^32 TK_SEED=9 TK_CHECKPOINT_EVERY=1 \
	jobs/slurm-montecarlo-long.sh)
arr=(TK_SAMPLES=3000000 TK_FIRST=2^16 TK_MODEL=option TK_ARGS=--put)
id_arr=$(submit tk-mc-chunks -n 1 -c 2 --array=0-2 -- "${arr[@]}" jobs/slurm-montecarlo-long.sh)
id_mrg=$(submit tk-mc-chunks -n 1 --dependency=afterok:"$id_arr" -- "${arr[@]}" TK_MERGE="$id_arr" \
	jobs/slurm-montecarlo-long.sh)
r=$(result tk-mc-requeue "$id_rq")
while [ ! -f "$r/run.ckpt" ] && [ $SECONDS -lt "$deadline" ]; do sleep 0.5; done
scancel --batch --signal=USR1 "$id_rq"
# Slurm makes a requeued job wait about two minutes before it may start again: once it
# is pending, let it start now
while [ "$(state "$id_rq")" != PENDING ] && [ $SECONDS -lt "$deadline" ]; do sleep 0.5; done
scontrol update JobId="$id_rq" StartTime=now
for v in id_rq id_mrg; do
	[ -n "${!v}" ] && { wait_job "${!v}" || bad "${v#id_} did not end in time (cancelled)"; }
done
digest_of() { sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p' "$1" 2>/dev/null; }
d_rq=$(./toolkit montecarlo --samples 2^32 --seed 9 --format json --quiet | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
check "slurm-montecarlo-long TK_SAMPLES completed" job_done tk-mc-requeue "$id_rq"
check "slurm-montecarlo-long: stopped, requeued, resumed" grep -q "resuming from .*run.ckpt (restart [1-9]" \
	"$D/tk-mc-requeue-$id_rq.out"
check "slurm-montecarlo-long: resumed digest is the uninterrupted run's" test "$(digest_of "$r/run.json")" = "$d_rq"
d_arr=$(./toolkit montecarlo --model option --put --first-sample 2^16 --samples 3000000 --format json \
	--quiet | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
r=$(result tk-mc-chunks "array-$id_arr")
check "slurm-montecarlo-long array: the merge job completed" job_done tk-mc-chunks "$id_mrg"
check "slurm-montecarlo-long array: 3 chunks and a merge" test -s "$r/chunk-2.json" -a -s "$r/merged.json"
check "slurm-montecarlo-long array: merged digest is the single run's" test "$(digest_of "$r/merged.json")" = "$d_arr"

# 6. teardown, checked: no daemon, namespace or /etc/netns file of this test is left
timeout 60 "$root/scripts/slurm-local.sh" down "$D" >/dev/null 2>&1
check "teardown left nothing behind" test -z "$(left_behind)"
[ -n "$(left_behind)" ] && echo "     left:$(left_behind)"

echo "slurm: $pass passed, $fail failed ($((SECONDS - t0)) s)"
[ "$fail" = 0 ]
