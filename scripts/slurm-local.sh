#!/usr/bin/env bash
# slurm-local.sh up DIR | down DIR | install: a throw-away single-node Slurm on this machine, for
# tests (tests/slurm.sh) and for trying the jobs/ scripts without a cluster.
#
#   up DIR    installs slurm-wlm, munge and slurm-wlm-torque with apt-get when they are
#             missing (root only), then starts munged (as user munge), slurmctld and
#             slurmd with every file they use under DIR: munge key and socket, slurm.conf,
#             state, spool, logs, PID files.  Prints the line to source to use it:
#               export SLURM_CONF=DIR/slurm.conf
#             The node is "localhost" (NodeAddr 127.0.0.1) with CPUs = nproc, one
#             partition "debug"; accounting is off (no sacct: poll scontrol show job).
#   install   only installs the packages (e.g. before entering a network namespace
#             that cannot reach the package mirrors).
#   down DIR  stops the daemons that `up DIR` started, by the PIDs it recorded in
#             DIR/pids (TERM, then KILL after a few seconds), and never any other.
#
# Nothing outside DIR is written except what apt-get installs.  Clients reach the
# daemons on 127.0.0.1, on ports picked free at start (TK_SLURM_PORT to choose: it and
# the next port); Slurm has no bind-address setting, so the daemons listen on every
# interface (munge-authenticated with DIR's own fresh key): tests/slurm.sh therefore
# runs them in a network namespace that has only loopback.  Needs root (slurmd runs jobs as their users; munged is started as
# user munge).  Without systemd this is the only way they run here.
# Exit status: 0 ok, 1 a daemon did not come up (its log is printed), 2 usage.
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
elif [ $# -eq 2 ]; then
	dir=$2
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

up() {
	mkdir -p "$dir" || exit 1
	dir=$(cd "$dir" && pwd)
	# munged refuses paths that others can write; the spool is ours alone
	chmod 755 "$dir"
	install_packages || exit 1
	: >"$dir/pids"

	# munge: own key, socket, log and seed under DIR/munge (owner munge, mode 700)
	local m=$dir/munge
	mkdir -p "$m" && chmod 755 "$m" # clients need to reach the socket
	if [ ! -s "$m/munge.key" ]; then
		dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none
		chmod 400 "$m/munge.key"
	fi
	chown -R munge:munge "$m"
	setpriv --reuid=munge --regid=munge --init-groups -- munged --foreground \
		--key-file="$m/munge.key" --socket="$m/munge.socket" --pid-file="$m/munged.pid" \
		--log-file="$m/munged.log" --seed-file="$m/munged.seed" --num-threads=2 \
		>>"$m/munged.out" 2>&1 &
	started munged $!
	wait_for 10 test -S "$m/munge.socket" || fail munged "$m/munged.log"
	wait_for 10 sh -c "munge --socket='$m/munge.socket' -n | unmunge --socket='$m/munge.socket'" ||
		fail munged "$m/munged.log"

	pick_ports
	local cpus
	cpus=$(nproc)
	mkdir -p "$dir/state" "$dir/spool"
	cat >"$dir/slurm.conf" <<EOF
# throw-away single-node Slurm written by scripts/slurm-local.sh
ClusterName=tklocal
MailProg=/bin/true
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$m/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
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
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
	export SLURM_CONF=$dir/slurm.conf
	slurmctld -D -i -f "$SLURM_CONF" >>"$dir/slurmctld.out" 2>&1 &
	started slurmctld $!
	wait_for 20 scontrol ping || fail slurmctld "$dir/slurmctld.log"
	slurmd -D -N localhost -f "$SLURM_CONF" >>"$dir/slurmd.out" 2>&1 &
	started slurmd $!
	wait_for 30 sh -c "sinfo -h -N -o '%T' | grep -Eq '^(idle|mixed|allocated)'" ||
		fail slurmd "$dir/slurmd.log"
	say "up: slurmctld on 127.0.0.1:$ctld_port, slurmd on :$slurmd_port, $cpus CPUs; state in $dir"
	echo "export SLURM_CONF=$dir/slurm.conf"
}

# no_active_jobs: true when no job of this cluster is pending, running or completing
no_active_jobs() {
	! timeout 5 scontrol show job -o 2>/dev/null | grep -qE 'JobState=(PENDING|RUNNING|COMPLETING|CONFIGURING|SUSPENDED)'
}

down() {
	[ -f "$dir/pids" ] || return 0
	local name pid left
	# end this cluster's jobs first, so that no slurmstepd outlives its slurmd
	export SLURM_CONF=$dir/slurm.conf
	if [ -f "$SLURM_CONF" ] && timeout 5 scontrol ping >/dev/null 2>&1; then
		timeout 5 scancel --quiet --user=root 2>/dev/null
		wait_for 15 no_active_jobs || say "some jobs did not end within 15 s"
	fi
	# slurmd first (it ends its job steps), then slurmctld, then munged
	for name in slurmd slurmctld munged; do
		while read -r n pid; do
			[ "$n" = "$name" ] && kill -TERM "$pid" 2>/dev/null
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
}

case $cmd in
install) install_packages || exit 1 ;;
up) up ;;
down) down ;;
*) usage ;;
esac
