#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kvmnet in one minute: a NAT network and an isolated one, two namespace "guests", and what each
# can reach. Everything happens inside throwaway network namespaces (kndemo-*); the host's own
# networking is never touched, and everything is removed at the end, even on failure.
#   sudo demo/demo.sh            (KVMNET_BUILD=DIR picks the build directory, default: build)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KVMNET_BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
KVMNETD=$BUILD/kvmnetd
KVMNET=$BUILD/kvmnet
NETTOOL=$ROOT/tests/integration/nettool.py
PY=/usr/bin/python3
HOST=kndemo-host OUT=kndemo-outside G1=kndemo-g1 G2=kndemo-g2 G3=kndemo-g3

die() { echo "demo: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "run me as root: I create network namespaces"
[[ -x $KVMNETD && -x $KVMNET ]] || die "no kvmnetd/kvmnet in $BUILD (meson setup build && ninja -C build)"
for ns in $HOST $OUT $G1 $G2; do
	[[ -e /run/netns/$ns ]] && die "namespace $ns exists (another demo running? else: ip netns del $ns)"
done

TMP=$(mktemp -d /tmp/kndemo.XXXXXX)
SOCK=$TMP/kvmnet.sock
DAEMON_PID=
PIDS=()
NAMESPACES=()

cleanup() {
	local rc=$?
	set +e
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
	if [[ -n $DAEMON_PID ]]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
		local st=$?
		(( st == 0 )) || echo "demo: kvmnetd exited with status $st on SIGTERM"
	fi
	if (( rc != 0 )) && [[ -s $TMP/kvmnetd.log ]]; then
		echo "--- last lines of the kvmnetd log ---"
		tail -n 20 "$TMP/kvmnetd.log"
	fi
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
	echo "Cleaned up: daemon stopped, namespaces and $TMP removed."
}
trap cleanup EXIT

kn() { "$KVMNET" --socket "$SOCK" "$@"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
add_ns() { ip netns add "$1"; NAMESPACES+=("$1"); ip -n "$1" link set lo up; }

# A namespace guest: eth0 with a static address, default route via the gateway, its other veth
# end plugged into the kvmnet bridge in the host namespace.
add_guest() {
	local ns=$1 hostif=$2 bridge=$3 cidr=$4 gw=$5 mac=$6
	add_ns "$ns"
	ip -n $HOST link add "$hostif" type veth peer name eth0 netns "$ns"
	ip -n "$ns" link set eth0 address "$mac"
	ip -n "$ns" addr add "$cidr" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via "$gw"
	ip -n $HOST link set "$hostif" master "$bridge" up
}

# Starts a nettool server in the background; waits until it listens (or finds the port taken).
serve() {
	local ns=$1 kind=$2 addr=$3 port=$4 out=$TMP/serve-$RANDOM
	# Not through in_ns: a backgrounded function is a subshell, and $! must be the server itself
	# (ip netns exec execs it) so that cleanup can stop it by PID.
	ip netns exec "$ns" $PY "$NETTOOL" "serve-$kind" "$addr" "$port" >"$out" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do grep -qE '^(ready|inuse)$' "$out" 2>/dev/null && break; sleep 0.1; done
	grep -q '^inuse$' "$out" && return 1 || return 0
}

echo "== kvmnet demo (build: $BUILD)"

add_ns $HOST
add_ns $OUT
ip -n $HOST link add up0 type veth peer name eth0 netns $OUT
ip -n $HOST addr add 198.51.100.1/24 dev up0
ip -n $HOST link set up0 up
ip -n $HOST route add default via 198.51.100.2
ip -n $OUT addr add 198.51.100.2/24 dev eth0
ip -n $OUT link set eth0 up
ip -n $OUT route add 10.0.0.0/8 via 198.51.100.1
echo "- namespaces: $HOST (uplink up0 198.51.100.1) <-> $OUT (198.51.100.2, \"the internet\")"

ip netns exec $HOST "$KVMNETD" --foreground --state-dir "$TMP/state" --socket "$SOCK" \
	--log-level info >"$TMP/kvmnetd.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 100); do kn status >/dev/null 2>&1 && break; sleep 0.1; done
kn status >/dev/null || die "kvmnetd did not come up"
echo "- kvmnetd running in $HOST (pid $DAEMON_PID, state in $TMP/state)"

kn net create lab --mode nat --subnet 10.10.0.0/24
kn net create quarantine --mode isolated --subnet 10.20.0.0/24

# Static guests get reservations: every guest port is under the per-port policy, which lets a
# port use only the addresses leased or reserved for its guest's MAC.
kn host add lab 52:54:00:10:00:10 10.10.0.10 g1 >/dev/null
kn host add quarantine 52:54:00:20:00:10 10.20.0.10 g2 >/dev/null
add_guest $G1 vg1 kn-lab 10.10.0.10/24 10.10.0.1 52:54:00:10:00:10
add_guest $G2 vg2 kn-quarantine 10.20.0.10/24 10.20.0.1 52:54:00:20:00:10
echo "- guests: g1 10.10.0.10 on lab, g2 10.20.0.10 on quarantine (reserved for their MACs)"

echo
echo "\$ kvmnet net list"
kn net list

serve $OUT tcp 198.51.100.2 7000
dns_note="echo stand-in"
serve $HOST udp 10.20.0.1 53 || dns_note="kvmnetd's DNS"
sleep 0.3    # let the new bridge ports settle

FAILED=0
# check FROM-LABEL NS EXPECT(allowed|blocked) DESCRIPTION -- probe command...
check() {
	local from=$1 ns=$2 expect=$3 what=$4 got out mark
	shift 5
	for _ in 1 2 3; do
		if out=$(in_ns "$ns" "$@" 2>/dev/null); then got=allowed; else got=blocked; fi
		[[ $got == "$expect" || $expect == blocked ]] && break
		sleep 0.3
	done
	if [[ $got == "$expect" ]]; then mark="ok  "; else mark="FAIL"; FAILED=$((FAILED + 1)); fi
	out=$(head -n1 <<<"$out")
	if [[ $got == allowed && $what == *"(tcp)"* && -n $out ]]; then got="allowed, seen as $out"; fi
	printf '  %s %-3s -> %-36s expected %-8s got %s\n' "$mark" "$from" "$what" "$expect" "$got"
}

echo
echo "Reachability:"
check g1 $G1 allowed "lab gateway 10.10.0.1 (ping)" -- ping -n -q -c1 -W1 10.10.0.1
check g1 $G1 allowed "outside 198.51.100.2:7000 (tcp)" -- $PY "$NETTOOL" tcp 198.51.100.2 7000
check g2 $G2 blocked "outside 198.51.100.2 (ping)" -- ping -n -q -c1 -W1 198.51.100.2
check g2 $G2 blocked "g1 10.10.0.10 (ping)" -- ping -n -q -c1 -W1 10.10.0.10
check g2 $G2 allowed "own gateway DNS 10.20.0.1:53 (udp)" -- $PY "$NETTOOL" udp 10.20.0.1 53
echo "  (g1's connection is seen from outside as the host's uplink 198.51.100.1: masquerade;"
echo "   the DNS answer came from the $dns_note)"

# DHCP and DNS from kvmnetd itself: a third guest asks for an address by name, g1 looks it up.
echo
echo "DHCP and DNS: g3 joins lab with no address and runs busybox udhcpc as host 'web'"
add_ns $G3
ip -n $HOST link add vg3 type veth peer name eth0 netns $G3
ip -n $HOST link set vg3 master kn-lab up
ip -n $G3 link set eth0 up
cat >"$TMP/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] && ip addr add "$ip/$mask" dev "$interface" && echo "  g3 got $ip from $serverid"
exit 0
SCRIPT
chmod +x "$TMP/udhcpc.sh"
if timeout 20 ip netns exec $G3 busybox udhcpc -i eth0 -f -q -n -t 5 -s "$TMP/udhcpc.sh" \
	-x hostname:web 2>/dev/null; then
	echo "\$ kvmnet lease list"
	kn lease list
	echo "\$ (in g1) nslookup web.lab.kvmnet 10.10.0.1"
	if addr=$(ip netns exec $G1 busybox nslookup web.lab.kvmnet 10.10.0.1 2>/dev/null |
		  awk '/^Address/ && $2 !~ /#53$/ && $2 != "10.10.0.1" { print $2 }' | tail -n1) &&
	   [[ -n $addr ]]; then
		echo "  web.lab.kvmnet is $addr"
	else
		echo "  FAIL: kvmnetd's DNS did not answer web.lab.kvmnet"
		FAILED=$((FAILED + 1))
	fi
	echo
	echo "Per-port policy: g3 tries to use g1's address 10.10.0.10"
	ip -n $G3 addr add 10.10.0.10/32 dev eth0
	check g3 $G3 blocked "gateway, from g1's address (spoofed)" -- \
		ping -n -q -c1 -W1 -I 10.10.0.10 10.10.0.1
	check g3 $G3 allowed "gateway, from its own lease" -- ping -n -q -c1 -W1 10.10.0.1
	echo "\$ kvmnet port list lab"
	kn port list lab
else
	echo "  FAIL: g3 got no lease from kvmnetd"
	FAILED=$((FAILED + 1))
fi

echo
if (( FAILED )); then
	echo "demo: $FAILED check(s) did not behave as expected"
	exit 1
fi
echo "All checks behaved as expected."
