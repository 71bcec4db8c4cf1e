#!/usr/bin/env bash
# slurm-local.sh up DIR [NODES] | down DIR | install: a throw-away Slurm on this machine,
# for tests (tests/slurm.sh) and for trying the jobs/ scripts without a cluster.
#
#   up DIR    installs slurm-wlm, munge and slurm-wlm-torque with apt-get when they are
#             missing (root only), then starts munged (as user munge), slurmctld and
#             slurmd with every file they use under DIR: munge key and socket, slurm.conf,
#             state, spool, logs, PID files.  Prints the line to source to use it:
#               export SLURM_CONF=DIR/slurm.conf
#             The node is "localhost" (NodeAddr 127.0.0.1) with CPUs = nproc, one
#             partition "debug"; accounting is off (no sacct: poll scontrol show job).
#   up DIR N  (N = 2..9) N nodes instead: hosts h1..hN made by scripts/cluster.sh, each
#             a network namespace PREFIX-hI with its own hostname hI and address
#             SUBNET.I (TK_SLURM_PREFIX, default tks; TK_SLURM_SUBNET, default 10.213.1),
#             and /etc/netns/PREFIX-hI/hosts naming every host (ip netns exec shows it
#             as the host's /etc/hosts; the machine's own /etc/hosts is not touched).
#             slurmctld and munged run on h1, one slurmd on each host (NodeName=hI
#             NodeAddr=SUBNET.I, CPUs = nproc each), partition "debug" = h[1-N].  The
#             daemons are reachable only inside the cluster: run clients on a host,
#               scripts/cluster.sh exec PREFIX h1 "export SLURM_CONF=DIR/slurm.conf; sbatch ..."
#             munged's socket is a path under DIR, which every namespace reaches.
#   install   only installs the packages (e.g. before entering a network namespace
#             that cannot reach the package mirrors).
#   down DIR  stops the daemons that `up DIR` started, by the PIDs it recorded in
#             DIR/pids (TERM, then KILL after a few seconds), and never any other; with
#             N nodes also deletes the cluster's namespaces and /etc/netns files, by the
#             prefix recorded in DIR/cluster.
#
# Nothing outside DIR is written except what apt-get installs (and, with N nodes, the
# namespaces and /etc/netns/PREFIX-h*).  Single node: clients reach the daemons on
# 127.0.0.1, on ports picked free at start (TK_SLURM_PORT to choose: it and the next
# port); Slurm has no bind-address setting, so the daemons listen on every interface
# (munge-authenticated with DIR's own fresh key): tests/slurm.sh therefore runs them in a
# network namespace that has only loopback.  Needs root (slurmd runs jobs as their
# users; munged is started as user munge; namespaces).  Without systemd this is the only
# way they run here.
# Exit status: 0 ok, 1 a daemon or the cluster did not come up (its log is printed),
# 2 usage.
set -u
prog=slurm-local.sh
say() { echo "$prog: $*" >&2; }

usage() {
	sed -n '2,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}
cmd=${1:-}
if [ "$cmd" = install ] && [ $# -eq 1 ]; then
	dir=$(mktemp -d) || exit 1
	trap 'rm -rf "$dir"' EXIT
elif [ $# -eq 2 ] || { [ "$cmd" = up ] && [ $# -eq 3 ]; }; then
	dir=$2
	nodes=${3:-1}
	case $nodes in [1-9]) ;; *) usage ;; esac
else
	usage
fi

# wait_for SECONDS CMD...: run CMD every 0.2 s until it succeeds; 1 on timeout
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

install_packages() {
	local missing=""
	for c in slurmctld slurmd sbatch scontrol; do
		command -v $c >/dev/null 2>&1 || { missing+=" slurm-wlm"; break; }
	done
	command -v munged >/dev/null 2>&1 || missing+=" munge"
	command -v qsub >/dev/null 2>&1 || missing+=" slurm-wlm-torque"
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		say "missing:$missing; install them with: apt-get install$missing"
		return 1
	fi
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # a list of package names
	apt-get install -y -qq --no-install-recommends $missing >"$dir/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$dir/apt.log" 2>&1 &&
			apt-get install -y -qq --no-install-recommends $missing >>"$dir/apt.log" 2>&1; } ||
		{ tail -n 20 "$dir/apt.log" >&2; say "could not install:$missing"; return 1; }
}

port_free() { ! ss -ltn 2>/dev/null | awk '{print $4}' | grep -q ":$1\$"; }

pick_ports() {
	local p=${TK_SLURM_PORT:-}
	if [ -z "$p" ]; then
		for p in $(seq $((20000 + RANDOM % 20000)) 2 60000); do
			port_free "$p" && port_free $((p + 1)) && break
		done
	fi
	ctld_port=$p
	slurmd_port=$((p + 1))
}

# started NAME PID: remember a daemon this script started
started() { echo "$1 $2" >>"$dir/pids"; }

fail() { # fail NAME LOG: a daemon did not come up
	say "$1 did not start; last lines of $2:"
	tail -n 20 "$2" >&2
	down
	exit 1
}

cl=$(cd "$(dirname "$0")" && pwd)/cluster.sh
# the cluster this DIR runs on (DIR/cluster: "PREFIX N"), when it has several nodes
prefix="" nnodes=1
load_cluster() {
	[ -s "$dir/cluster" ] && read -r prefix nnodes <"$dir/cluster"
	return 0
}
# on HOST CMD: run the shell command CMD on HOST (h1..hN; any name on one node) with
# this Slurm's configuration
on() {
	local h=$1
	shift
	if [ -n "$prefix" ]; then
		"$cl" exec "$prefix" "$h" "export SLURM_CONF='$dir/slurm.conf'; $*"
	else
		SLURM_CONF=$dir/slurm.conf bash -c "$*"
	fi
}
# daemon NAME HOST CMD: start the shell command CMD on HOST, output to DIR/NAME.out,
# and record its PID; CMD ends in `exec DAEMON` (in the foreground), so that with the
# exec's of cluster.sh, ip netns exec and unshare the PID is the daemon's own
daemon() {
	local name=$1 h=$2
	shift 2
	on "$h" "$*" >>"$dir/$name.out" 2>&1 &
	started "$name" $!
}

# hosts_up: the N host namespaces of scripts/cluster.sh, and their hosts files
hosts_up() {
	local i j subnet=${TK_SLURM_SUBNET:-10.213.1}
	prefix=${TK_SLURM_PREFIX:-tks}
	if ! ip netns list >/dev/null 2>&1 || ! command -v unshare >/dev/null; then
		say "$nodes nodes need ip netns and unshare (root); one node works without them"
		exit 1
	fi
	# never take over (or, failing, delete) hosts of that name made by someone else
	if ip netns list 2>/dev/null | grep -qE "^$prefix-(h[0-9]+|sw)( |\$)"; then
		say "namespaces $prefix-* exist already: choose another TK_SLURM_PREFIX"
		exit 1
	fi
	"$cl" up "$prefix" "$nodes" "$subnet" || {
		"$cl" down "$prefix"
		exit 1
	}
	echo "$prefix $nodes" >"$dir/cluster"
	nnodes=$nodes
	for i in $(seq 1 "$nodes"); do
		mkdir -p "/etc/netns/$prefix-h$i" || {
			down
			exit 1
		}
		{
			echo "127.0.0.1 localhost"
			for j in $(seq 1 "$nodes"); do echo "$subnet.$j h$j"; done
		} >"/etc/netns/$prefix-h$i/hosts"
	done
}

# node_mounts HOST: the shell commands (ending in &&) that make a node's slurmd see
# what a real node has, in the mount namespace of its own that ip netns exec gives it
# (nothing of it is seen elsewhere):
#  - a TmpFS of its own: every node has the same path, TmpFS=DIR/tmp, where the node's
#    own DIR/tmp-HOST is bound; on one shared /tmp the job steps of two nodes would
#    collide (mpi/pmix makes TmpFS/spmix_appdir_UID_JOB.STEP on every node);
#  - /sys/fs/cgroup: ip netns exec mounts the namespace's own sysfs over /sys, which
#    has no cgroup file systems; slurmd's cgroup plugin starts only where it finds
#    cgroup v1's layout (a tmpfs with a "systemd" hierarchy), though proctrack/linuxproc
#    and task/none use no controller.
node_mounts() {
	echo "mount --bind '$dir/tmp-$1' '$dir/tmp' &&" \
		"mount -t tmpfs -o mode=755 tk-cgroup /sys/fs/cgroup &&" \
		"mkdir /sys/fs/cgroup/systemd &&" \
		"mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd &&"
}

up() {
	mkdir -p "$dir" || exit 1
	dir=$(cd "$dir" && pwd)
	# munged refuses paths that others can write; the spool is ours alone
	chmod 755 "$dir"
	install_packages || exit 1
	: >"$dir/pids"
	local ctl=local i
	if [ "$nodes" -gt 1 ]; then
		hosts_up
		ctl=h1
	fi

	# munge: own key, socket, log and seed under DIR/munge (owner munge, mode 700)
	local m=$dir/munge
	mkdir -p "$m" && chmod 755 "$m" # clients need to reach the socket
	if [ ! -s "$m/munge.key" ]; then
		dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none
		chmod 400 "$m/munge.key"
	fi
	chown -R munge:munge "$m"
	daemon munged "$ctl" exec setpriv --reuid=munge --regid=munge --init-groups -- munged --foreground \
		--key-file="$m/munge.key" --socket="$m/munge.socket" --pid-file="$m/munged.pid" \
		--log-file="$m/munged.log" --seed-file="$m/munged.seed" --num-threads=2
	wait_for 10 test -S "$m/munge.socket" || fail munged "$m/munged.log"
	wait_for 10 sh -c "munge --socket='$m/munge.socket' -n | unmunge --socket='$m/munge.socket'" ||
		fail munged "$m/munged.log"

	local cpus nodelines ctl_host spool slurmd_pid slurmd_log tmpfs
	cpus=$(nproc)
	if [ -n "$prefix" ]; then
		# each host has a port space of its own: Slurm's usual ports
		ctld_port=${TK_SLURM_PORT:-6817}
		slurmd_port=$((ctld_port + 1))
		ctl_host="h1($("$cl" addr "$prefix" h1))"
		nodelines=""
		for i in $(seq 1 "$nodes"); do
			nodelines+="NodeName=h$i NodeAddr=$("$cl" addr "$prefix" "h$i") NodeHostname=h$i CPUs=$cpus State=UNKNOWN"$'\n'
		done
		nodelines+="PartitionName=debug Nodes=h[1-$nodes] Default=YES MaxTime=INFINITE State=UP"
		# per node its own spool, PID file and log (%n: the node's name)
		mkdir -p "$dir/state"
		mkdir -p "$dir/tmp" && chmod 1777 "$dir/tmp"
		for i in $(seq 1 "$nodes"); do
			mkdir -p "$dir/spool/h$i" "$dir/tmp-h$i" && chmod 1777 "$dir/tmp-h$i"
		done
		spool=$dir/spool/%n slurmd_pid=$dir/slurmd-%n.pid slurmd_log=$dir/slurmd-%n.log
		tmpfs="TmpFS=$dir/tmp"
	else
		pick_ports
		ctl_host="localhost(127.0.0.1)"
		nodelines="NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP"
		mkdir -p "$dir/state" "$dir/spool"
		spool=$dir/spool slurmd_pid=$dir/slurmd.pid slurmd_log=$dir/slurmd.log
		tmpfs="TmpFS=/tmp"
	fi
	cat >"$dir/slurm.conf" <<CONF
# throw-away Slurm written by scripts/slurm-local.sh ($nodes node(s))
ClusterName=tklocal
MailProg=/bin/true
SlurmctldHost=$ctl_host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$m/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$slurmd_pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$slurmd_log
$tmpfs
SlurmdDebug=info
SlurmctldDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SwitchType=switch/none
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
$nodelines
CONF
	daemon slurmctld "$ctl" exec slurmctld -D -i -f "$dir/slurm.conf"
	wait_for 20 on "$ctl" "scontrol ping" || fail slurmctld "$dir/slurmctld.log"
	if [ -n "$prefix" ]; then
		for i in $(seq 1 "$nodes"); do
			daemon "slurmd-h$i" "h$i" "$(node_mounts "h$i")" exec slurmd -D -N "h$i" -f "$dir/slurm.conf"
		done
	else
		daemon slurmd local exec slurmd -D -N localhost -f "$dir/slurm.conf"
	fi
	# every node up (idle, or already given a job)
	# shellcheck disable=SC2016 # expanded where it runs
	wait_for 30 on "$ctl" '[ "$(sinfo -h -N -o %T | grep -cE "^(idle|mixed|allocated)")" = '"$nodes"' ]' ||
		fail slurmd "$(find "$dir" -maxdepth 1 -name 'slurmd*.log' | head -n 1 | grep . ||
			echo "$dir/$(sed -n 's/^\(slurmd[-h0-9]*\) .*/\1/p' "$dir/pids" | tail -n 1).out")"
	if [ -n "$prefix" ]; then
		say "up: $nodes nodes h1..h$nodes (namespaces $prefix-h*, h1 = $("$cl" addr "$prefix" h1)), slurmctld on h1:$ctld_port, $cpus CPUs each; state in $dir"
		echo "export SLURM_CONF=$dir/slurm.conf # on a host: $cl exec $prefix h1 CMD"
	else
		say "up: slurmctld on 127.0.0.1:$ctld_port, slurmd on :$slurmd_port, $cpus CPUs; state in $dir"
		echo "export SLURM_CONF=$dir/slurm.conf"
	fi
}

# no_active_jobs: true when no job of this cluster is pending, running or completing
no_active_jobs() {
	! on h1 "timeout 5 scontrol show job -o" 2>/dev/null |
		grep -qE 'JobState=(PENDING|RUNNING|COMPLETING|CONFIGURING|SUSPENDED)'
}

down() {
	local name pid left n rc=0
	[ -d "$dir" ] && dir=$(cd "$dir" && pwd)
	load_cluster
	if [ -f "$dir/pids" ]; then
		# end this cluster's jobs first, so that no slurmstepd outlives its slurmd
		if [ -f "$dir/slurm.conf" ] && on h1 "timeout 5 scontrol ping" >/dev/null 2>&1; then
			on h1 "timeout 5 scancel --quiet --user=root" 2>/dev/null
			wait_for 15 no_active_jobs || say "some jobs did not end within 15 s"
		fi
		# slurmd first (it ends its job steps), then slurmctld, then munged
		for name in slurmd slurmctld munged; do
			while read -r n pid; do
				[ "${n%-h[0-9]}" = "$name" ] && kill -TERM "$pid" 2>/dev/null
			done <"$dir/pids"
		done
		for _ in $(seq 50); do
			left=0
			while read -r n pid; do
				kill -0 "$pid" 2>/dev/null && left=1
			done <"$dir/pids"
			[ $left = 0 ] && break
			sleep 0.2
		done
		while read -r n pid; do
			if kill -0 "$pid" 2>/dev/null; then
				say "$n (PID $pid) ignored TERM; killing it"
				kill -KILL "$pid" 2>/dev/null
			fi
		done <"$dir/pids"
		rm -f "$dir/pids"
	fi
	if [ -n "$prefix" ]; then
		# the hosts and whatever still runs in them, then their hosts files, by name
		"$cl" down "$prefix" || rc=1
		for n in $(seq 1 "$nnodes"); do
			rm -f "/etc/netns/$prefix-h$n/hosts"
			rmdir "/etc/netns/$prefix-h$n" 2>/dev/null
		done
		rm -f "$dir/cluster"
		prefix=""
	fi
	return $rc
}

case $cmd in
install) install_packages || exit 1 ;;
up) up ;;
down) down || exit 1 ;;
*) usage ;;
esac
