#!/usr/bin/env bash
# cluster.sh: a throw-away cluster of hosts on this machine, each a Linux network
# namespace with its own hostname, joined by a switch, for tests/cluster.sh.
#   cluster.sh up PREFIX N [SUBNET]  hosts PREFIX-h1..hN (namespaces), a bridge in its
#                                 own namespace PREFIX-sw, one veth pair per host; host i
#                                 is SUBNET.i/24 on its eth0 (SUBNET: three octets,
#                                 default 10.213.0), the only interface it has besides
#                                 lo.  Nothing is added to this machine's own namespace:
#                                 all test traffic stays between them.  Clusters with
#                                 other prefixes may run at the same time.
#   cluster.sh down PREFIX        kill what runs in them and delete them (by name)
#   cluster.sh exec PREFIX H CMD  run CMD on host H (h1..hN) under its own hostname
#   cluster.sh addr PREFIX H      print host H's address (its eth0's IPv4 address)
#   cluster.sh agent HOST CMD...  Open MPI's plm_rsh_agent: as ssh would, runs the
#                                 command line on HOST (TK_CLUSTER_PREFIX names the
#                                 cluster)
#   cluster.sh shape PREFIX H RATE   shape host H's link to RATE (tc tbf, e.g. 1gbit)
# Needs root, iproute2 and util-linux's unshare.  Every wait is bounded.
set -u
cmd=${1:-}
shift || true
subnet=10.213.0

ns_list() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$1-(h[0-9]+|sw)\$"; }

down() {
	local p=$1 ns pid tries
	for ns in $(ns_list "$p"); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	done
	for ns in $(ns_list "$p"); do
		# a namespace goes once its last process is gone: bounded wait
		for tries in 1 2 3 4 5 6 7 8 9 10; do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.2
		done
		ip netns del "$ns" 2>/dev/null || echo "cluster: cannot delete namespace $ns (try $tries)" >&2
	done
	[ -z "$(ns_list "$p")" ]
}

up() {
	local p=$1 n=$2 i
	case $n in [1-9]) ;; *) echo "cluster: up: 1 to 9 hosts" >&2; return 2 ;; esac
	[ -n "${3:-}" ] && subnet=$3
	if ! [[ $subnet =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]]; then
		echo "cluster: up: SUBNET is three octets, e.g. 10.213.0 (got '$subnet')" >&2
		return 2
	fi
	if [ -n "$(ns_list "$p")" ]; then
		echo "cluster: namespaces named $p-* exist already" >&2
		return 1
	fi
	ip netns add "$p-sw" || return 1
	ip -n "$p-sw" link add br0 type bridge || return 1
	ip -n "$p-sw" link set br0 up
	ip -n "$p-sw" link set lo up
	for i in $(seq 1 "$n"); do
		ip netns add "$p-h$i" || return 1
		# created inside the switch's namespace, the host's end moved straight into its own
		ip -n "$p-sw" link add "p$i" type veth peer name eth0 netns "$p-h$i" || return 1
		ip -n "$p-sw" link set "p$i" master br0 up
		ip -n "$p-h$i" link set lo up
		ip -n "$p-h$i" addr add "$subnet.$i/24" dev eth0
		ip -n "$p-h$i" link set eth0 up
	done
	# every host reaches every other before anyone uses the cluster (bounded)
	# (no ping here: a TCP connection to a closed port that is refused proves the path)
	for i in $(seq 2 "$n"); do
		local ok=0 try
		for try in 1 2 3 4 5 6 7 8 9 10; do
			if ip netns exec "$p-h1" timeout 2 bash -c "exec 3<>/dev/tcp/$subnet.$i/9" 2>&1 |
				grep -q refused; then
				ok=1
				break
			fi
			sleep 0.3
		done
		[ $ok = 1 ] || {
			echo "cluster: host h1 cannot reach h$i ($subnet.$i) after $try tries" >&2
			return 1
		}
	done
}

# on HOST (h1..): its namespace, its own UTS namespace named after it, then the command
on_host() {
	local p=$1 h=$2
	shift 2
	[ -n "$(ns_list "$p" | grep -x "$p-$h")" ] || {
		echo "cluster: no host $h in cluster $p" >&2
		return 255
	}
	exec ip netns exec "$p-$h" unshare --uts bash -c "hostname $h && $*"
}

case $cmd in
up) up "${1:?prefix}" "${2:?hosts}" "${3:-}" ;;
addr)
	ip -n "${1:?prefix}-${2:?host}" -4 -o addr show dev eth0 2>/dev/null |
		awk '{sub(/\/.*/, "", $4); print $4; found = 1} END {exit !found}'
	;;
down) down "${1:?prefix}" ;;
exec)
	p=${1:?prefix}
	h=${2:?host}
	shift 2
	on_host "$p" "$h" "$@"
	;;
agent)
	# Open MPI calls: AGENT [ssh-like options] HOST COMMAND...; options are skipped
	while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
	h=${1:?host}
	shift
	on_host "${TK_CLUSTER_PREFIX:?TK_CLUSTER_PREFIX names the cluster}" "$h" "$@"
	;;
shape)
	p=${1:?prefix}
	h=${2:?host}
	rate=${3:?rate}
	ip netns exec "$p-$h" tc qdisc replace dev eth0 root tbf rate "$rate" burst 256kbit latency 50ms
	;;
*)
	echo "usage: cluster.sh up PREFIX N [SUBNET] | down PREFIX | exec PREFIX HOST CMD | addr PREFIX HOST | agent HOST CMD | shape PREFIX HOST RATE" >&2
	exit 2
	;;
esac
