#!/usr/bin/env bash
# cluster.sh TOOLKIT: the toolkit across hosts.  Brings up a 4-host cluster of network
# namespaces (scripts/cluster.sh: its own switch, one private subnet, hostnames h1..h4),
# then with Open MPI's mpirun on h1 launching through an rsh agent (`ip netns exec`)
# and TCP between the hosts:
#   - every kernel at R = 2, 3, 4 ranks on as many hosts, 8 ranks on 4 hosts, and
#     hybrid 2x2 on 2 hosts and 4x2 on 4 hosts, verifies and gives the serial digest,
#     and its JSON names the hosts it ran on;
#   - a rank killed on one host ends the job non-zero within seconds;
#   - a hostfile naming a host that is not there fails within seconds.
# (reduce membw is left out: its array is per rank by design, so its digest follows R.)
# The cluster is torn down by its names on exit, whatever happens; every wait is bounded.
# Needs root (namespaces) and an Open MPI build; prints SKIP and exits 0 otherwise.
set -u
TK=${1:-./toolkit}
TK=$(cd "$(dirname "$TK")" && pwd)/$(basename "$TK")
HERE=$(cd "$(dirname "$0")" && pwd)
CL=$HERE/../scripts/cluster.sh
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1 || ! command -v unshare >/dev/null; then
	echo "SKIP: the namespace cluster needs root, ip netns and unshare"
	exit 0
fi
if ! "$TK" info | grep -q "^  MPI  *Open MPI"; then
	echo "SKIP: the namespace cluster drives Open MPI's mpirun; $TK is built with: $("$TK" info | grep '^  MPI ')"
	exit 0
fi
P=tkc$$
WORK=$(mktemp -d)
cleanup() {
	"$CL" down "$P" || echo "cluster: teardown left namespaces: $(ip netns list | grep "^$P-")"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	if [ "${cur_known:-0}" = 1 ]; then echo "  known: $*" | tr "\n" " " | cut -c 1-160; echo; else echo "FAIL: $*"; fi
}
t0=$(date +%s)
"$CL" up "$P" 4 || {
	echo "FAIL: cluster bring-up"
	exit 1
}
echo "   cluster $P: hosts h1..h4 (10.213.0.1-4), up in $(($(date +%s) - t0)) s"
export TK_CLUSTER_PREFIX=$P OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMP_NUM_THREADS
# mpirun on h1; ranks over the first H hosts, round robin (--map-by node)
MCA="--mca plm_rsh_agent $HERE/../scripts/cluster-rsh.sh --mca plm_rsh_no_tree_spawn 1"
MCA="$MCA --mca btl tcp,self,vader --mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0"
hosts_of() { # hosts_of H: h1:8,h2:8,... (slots enough for any R here)
	local i out=""
	for i in $(seq 1 "$1"); do out="$out${out:+,}h$i:8"; done
	echo "$out"
}
# crun H R OUT ARGS...: R ranks over H hosts, JSON to OUT, stderr to OUT.err
# (EXTRA: more mpirun options)
crun() {
	local h=$1 r=$2 out=$3
	shift 3
	timeout 60 "$CL" exec "$P" h1 "mpirun $MCA ${EXTRA:-} --host $(hosts_of "$h") --map-by node \
		--oversubscribe --bind-to none -np $r $TK $* --format json --quiet" \
		>"$out" 2>"$out.err"
}
digest() { sed -n 's/.*"digest":"\([^"]*\)".*/\1/p' "$1" | head -n 1; }
nhosts() { sed -n 's/.*"hosts":\[\([^]]*\)\].*/\1/p' "$1" | head -n 1 | tr ',' '\n' | grep -c .; }

mkdir -p "$WORK/imgs"
"$TK" filter --filter invert --generate 200x120x3 --output "$WORK/imgs/a.ppm" --quiet >/dev/null
"$TK" filter --filter invert --generate 97x300 --output "$WORK/imgs/b.pgm" --quiet >/dev/null
"$TK" filter --filter invert --generate 333x111 --output "$WORK/imgs/c.pgm" --quiet >/dev/null
cases=(
	"mc-pi|montecarlo --samples 1000003 --seed 7"
	"mc-option|montecarlo --model option --samples 300007"
	"mc-ep|montecarlo --model ep --class S"
	"reduce-stats|reduce --generate 1000003 --seed 1 --ops all"
	"filter-image|filter --filter gaussian,median --sigma 2 --generate 301x197x3"
	"filter-folder|filter --filter gray,box --size 5 --input $WORK/imgs"
)
# ==== KNOWN failures across hosts: the one place to edit ================================
# Cases named here are run and reported as KNOWN instead of failing; one that passes
# says so, to be removed.  Empty: every case must pass.  (filter-folder was here while
# its work counter was an MPI window: Open MPI 4.1's osc/rdma cannot make one over btl
# tcp, MPI_ERR_WIN across hosts; the two-sided counter of issue 10 fixed it.  A case
# may carry extra mpirun options after a second "|", e.g. "|--mca osc pt2pt".)
KNOWN=""
# =======================================================================================
# hosts:ranks[xthreads]
configs="2:2 3:3 4:4 4:8 2:2x2 4:4x2"
known_failed=""
for c in "${cases[@]}"; do
	name=${c%%|*}
	args=${c#*|}
	EXTRA=""
	case $args in *"|"*) EXTRA=${args#*|} args=${args%%|*} ;; esac
	failed_before=$failed
	cur_known=0
	[[ " $KNOWN " == *" $name "* ]] && cur_known=1
	# shellcheck disable=SC2086
	timeout 60 "$TK" $args --threads 1 --format json --quiet >"$WORK/$name.serial" 2>&1
	ref=$(digest "$WORK/$name.serial")
	if [ -z "$ref" ] || ! grep -q '"verified":true' "$WORK/$name.serial"; then
		fail "$name serial: $(head -c 300 "$WORK/$name.serial")"
		continue
	fi
	for cfg in $configs; do
		h=${cfg%%:*}
		rt=${cfg#*:}
		r=${rt%%x*}
		t=1
		[ "$rt" != "$r" ] && t=${rt#*x}
		out="$WORK/$name.$h.$rt"
		crun "$h" "$r" "$out" "$args --threads $t"
		rc=$?
		if [ $rc -ne 0 ]; then
			fail "$name on $h hosts, $rt: exit $rc: $(grep -v '^\s*$' "$out.err" | grep -v setpgid | head -n 3)"
		elif ! grep -q '"verified":true' "$out"; then
			fail "$name on $h hosts, $rt: not verified"
		elif [ "$(digest "$out")" != "$ref" ]; then
			fail "$name on $h hosts, $rt: digest $(digest "$out") differs from serial $ref"
		elif ! grep -q "\"world\":{\"ranks\":$r,\"threads\":$t," "$out" || [ "$(nhosts "$out")" != "$h" ]; then
			fail "$name on $h hosts, $rt: the run reports another world: $(grep -o '"world":{[^]]*]' "$out")"
		else
			pass
		fi
	done
	if [ $failed -ne "$failed_before" ] && [[ " $KNOWN " == *" $name "* ]]; then
		echo "  KNOWN: $name fails across hosts ($((failed - failed_before)) configurations; see KNOWN)"
		known_failed="$known_failed $name"
		failed=$failed_before
	elif [ $failed -eq "$failed_before" ]; then
		[ $cur_known = 1 ] && echo "  NOTE: KNOWN case $name now passes: remove it from KNOWN"
		echo "  $name: digest $ref on every configuration ($configs)"
	fi
done
cur_known=0

# a rank killed on h2 ends the job, non-zero, within seconds
start=$(date +%s.%N)
timeout 60 "$CL" exec "$P" h1 "mpirun $MCA --host $(hosts_of 2) --map-by node --bind-to none \
	-np 4 $TK montecarlo --samples 2^42 --quiet" >"$WORK/kill.out" 2>&1 &
job=$!
victim=""
for _ in $(seq 1 50); do # up to 10 s for the ranks on h2 to start
	for pid in $(ip netns pids "$P-h2" 2>/dev/null); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = toolkit ] && victim=$pid && break
	done
	[ -n "$victim" ] && break
	sleep 0.2
done
if [ -z "$victim" ]; then
	fail "rank kill: no toolkit rank appeared on h2: $(head -c 300 "$WORK/kill.out")"
	kill "$job" 2>/dev/null
else
	sleep 1
	kill -KILL "$victim"
	killed=$(date +%s.%N)
	for _ in $(seq 1 100); do # up to 20 s
		kill -0 "$job" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$job" 2>/dev/null; then
		fail "rank kill: the job still runs 20 s after a rank on h2 was killed"
		kill "$job" 2>/dev/null
	else
		wait "$job"
		rc=$?
		took=$(awk -v a="$killed" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
		if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then
			pass
			echo "  rank kill: rank on h2 (pid $victim) killed; the job ended with exit $rc after ${took} s"
		else
			fail "rank kill: exit $rc (expected non-zero, not the timeout)"
		fi
	fi
fi
: "$start"

# a host that is not there: a clear failure within seconds, no hang
s=$(date +%s)
timeout 30 "$CL" exec "$P" h1 "mpirun $MCA --host h1:1,h9:1 -np 2 $TK montecarlo --samples 1000 --quiet" \
	>"$WORK/bad.out" 2>&1
rc=$?
took=$(($(date +%s) - s))
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $took -le 15 ] && grep -q "no host h9" "$WORK/bad.out"; then
	pass
else
	fail "unreachable host: exit $rc after $took s: $(head -c 300 "$WORK/bad.out")"
fi

# ---- crossing the network --------------------------------------------------------
# The same job and the comm layer's ping-pong with 2 ranks on one host (shared memory)
# and on two hosts (TCP over the veth pair), then with both hosts' links shaped to
# 1 Gbit/s (tc tbf).  The shaped bandwidth is checked against the shaping's own rate:
# the ping-pong must not report more than the link carries.
field() { sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" "$1" | head -n 1; }
comm_at() { # comm_at FILE BYTES: one-way seconds of the ping-pong at BYTES
	sed -n "s/.*\"test\":\"latency\".*\"bytes\":$2,.*\"time_s\":\([-0-9.e+]*\).*/\1/p" "$1"
}
job="filter --filter gaussian --sigma 2 --generate 1920x1080x3"
cross() { # cross TAG LABEL H: the comm sweep and the job with 2 ranks on H hosts
	local tag=$1 label=$2 h=$3 hosts
	hosts=$([ "$h" = 1 ] && echo h1:2 || echo h1:1,h2:1)
	timeout 60 "$CL" exec "$P" h1 "mpirun $MCA --host $hosts --bind-to none -np 2 $TK comm \
		--test latency --max-bytes 1Mi --format json" >"$WORK/x.$tag.comm" 2>"$WORK/x.$tag.err" &&
		timeout 60 "$CL" exec "$P" h1 "mpirun $MCA --host $hosts --bind-to none -np 2 $TK $job \
		--format json --quiet" >"$WORK/x.$tag.job" 2>>"$WORK/x.$tag.err" || {
		fail "crossing the network ($label): $(grep -v setpgid "$WORK/x.$tag.err" | head -n 2)"
		return 1
	}
	grep -q '"verified":true' "$WORK/x.$tag.job" || fail "crossing the network ($label): job not verified"
	awk -v l="$label" -v lat="$(comm_at "$WORK/x.$tag.comm" 8)" -v big="$(comm_at "$WORK/x.$tag.comm" 1048576)" \
		-v k="$(field "$WORK/x.$tag.job" kernel_s)" -v c="$(field "$WORK/x.$tag.job" comm_s)" \
		-v g="$(field "$WORK/x.$tag.job" gather_s)" -v sc="$(field "$WORK/x.$tag.job" scatter_s)" \
		-v hl="$(field "$WORK/x.$tag.job" halo_s)" \
		'BEGIN {printf "  %-22s %9.1f %10.1f   %9.4f %9.4f %9.4f %9.4f %9.4f\n", l, lat * 1e6, 1048576 / big / 1e6, k, c, sc, hl, g}'
}
echo "  crossing the network: 2 ranks; ping-pong 8 B one-way, 1 MiB bandwidth; $job"
printf "  %-22s %9s %10s   %9s %9s %9s %9s %9s\n" "" "lat us" "MB/s" "kernel s" "comm s" "scatter s" "halo s" "gather s"
cross shm "one host (shm)" 1 && cross tcp "two hosts (veth)" 2 && {
	"$CL" shape "$P" h1 1gbit && "$CL" shape "$P" h2 1gbit || fail "tc tbf shaping"
	if cross tbf "two hosts, 1 Gbit/s" 2; then
		mbs=$(awk -v big="$(comm_at "$WORK/x.tbf.comm" 1048576)" 'BEGIN {printf "%.0f", 1048576 / big / 1e6}')
		# 1 Gbit/s is 125 MB/s: the measured bandwidth must be below it (and not absurdly so)
		[ "$mbs" -le 130 ] && [ "$mbs" -ge 20 ] && pass ||
			fail "crossing the network: $mbs MB/s over a link shaped to 1 Gbit/s (125 MB/s)"
	fi
}

echo "cluster: $passed passed, $failed failed${known_failed:+, KNOWN failing:$known_failed} ($(($(date +%s) - t0)) s)"
[ $failed -eq 0 ]
