#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command (make demo): the three-tier web application test environment of
# examples/labs/webapp.lab brought up by kvmnetd with one command, checked, drawn and taken down.
# The web node is a real QEMU guest (the project's tiny guest: TCG here, KVM where /dev/kvm works),
# the others are network namespaces. Everything happens inside throwaway namespaces: kvmnetd runs
# in kndemo-host (never the host's own network namespace), an "outside" namespace stands for the
# Internet and reaches the web guest through the lab's port forward. All of it is removed at the
# end, even on failure. demo/networks.sh is the older tour of networks, DHCP and DNS.
#   sudo demo/demo.sh        (KVMNET_BUILD=DIR: build directory, default build; the guest is
#                             taken from DIR/guest, made by 'make guest')
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KVMNET_BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
KVMNETD=$BUILD/kvmnetd
KVMNET=$BUILD/kvmnet
GUEST=$BUILD/guest
LABFILE=$ROOT/examples/labs/webapp.lab
HOST=kndemo-host OUT=kndemo-outside
OUTSIDE_IP=198.51.100.2 HOST_UP=198.51.100.1

die() { echo "demo: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "run me as root: I create network namespaces"
[[ -x $KVMNETD && -x $KVMNET ]] || die "no kvmnetd/kvmnet in $BUILD (make build)"
[[ -s $GUEST/vmlinuz && -s $GUEST/initrd.img ]] || die "no tiny guest in $GUEST (make guest)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (make deps)"
for ns in $HOST $OUT; do
	[[ -e /run/netns/$ns ]] && die "namespace $ns exists (another demo running? else: ip netns del $ns)"
done

TMP=$(mktemp -d /tmp/kndemo.XXXXXX)
SOCK=$TMP/kvmnet.sock
DAEMON_PID=
NAMESPACES=()
LAB_UP=

cleanup() {
	local rc=$?
	set +e
	if [[ -n $LAB_UP && -n $DAEMON_PID ]]; then
		"$KVMNET" --socket "$SOCK" lab down "$LABFILE" >/dev/null 2>&1
	fi
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
	# Namespaces of lab nodes left by a failure (kept under TMP/netns, bind mounts).
	if [[ -d $TMP/netns ]]; then
		for f in "$TMP"/netns/*; do
			[[ -e $f ]] && umount "$f" 2>/dev/null
		done
		# kvmnetd makes the folder a mount point of its own, as ip netns does /run/netns
		while mountpoint -q "$TMP/netns"; do umount "$TMP/netns" || break; done
	fi
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
	echo "Cleaned up: lab down, daemon stopped, namespaces and $TMP removed."
}
trap cleanup EXIT

kn() { "$KVMNET" --socket "$SOCK" "$@"; }
add_ns() { ip netns add "$1"; NAMESPACES+=("$1"); ip -n "$1" link set lo up; }

echo "== kvmnet demo: a web application test environment from one file =="
add_ns $HOST
add_ns $OUT
ip -n $HOST link add up0 type veth peer name eth0 netns $OUT
ip -n $HOST addr add $HOST_UP/24 dev up0
ip -n $HOST link set up0 up
ip -n $HOST route add default via $OUTSIDE_IP
ip -n $OUT addr add $OUTSIDE_IP/24 dev eth0
ip -n $OUT link set eth0 up
echo "- namespaces: $HOST (kvmnetd's host), $OUT (the Internet, $OUTSIDE_IP)"

# nsenter keeps the host's mount namespace (ip netns exec would make one that dies with the
# daemon); the lab nodes' namespaces are kept under TMP/netns, not /run/netns.
mkdir -p "$TMP/state" "$TMP/netns"
nsenter --net=/run/netns/$HOST "$KVMNETD" --foreground --state-dir "$TMP/state" \
	--socket "$SOCK" --netns-dir "$TMP/netns" --guest-dir "$GUEST" >"$TMP/kvmnetd.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 100); do kn status >/dev/null 2>&1 && break; sleep 0.1; done
kn status >/dev/null || die "kvmnetd did not come up"
echo "- kvmnetd running in $HOST (pid $DAEMON_PID), state in $TMP/state"
echo

echo "\$ kvmnet lab validate examples/labs/webapp.lab"
kn lab validate "$LABFILE"
echo
echo "\$ kvmnet lab up examples/labs/webapp.lab"
LAB_UP=1
start=$(date +%s%N)
rc=0
kn lab up "$LABFILE" || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf -- "- lab up took %d.%d s (exit status %d)\n\n" $((ms / 1000)) $((ms % 1000 / 100)) "$rc"
(( rc == 0 )) || die "lab up failed"

echo "\$ kvmnet lab status examples/labs/webapp.lab"
kn lab status "$LABFILE"
echo

echo "\$ (outside) GET http://$HOST_UP:8080/   (the lab's forward to web:80, a QEMU guest)"
reply=$(ip netns exec $OUT /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 8080), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
d = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    d += c
sys.stdout.write(d.decode(errors="replace"))' $HOST_UP 2>&1) || true
if body=$(printf '%s\n' "$reply" | grep -m1 "kvmnet guest"); then
	echo "  $body"
else
	echo "  FAIL: no answer from the web guest: $reply"
	exit 1
fi
echo

SVG=${KVMNET_DEMO_SVG:-$BUILD/kvmnet-demo.svg}
kn graph --format svg >"$SVG"
echo "\$ kvmnet graph --format svg > $SVG"
echo "- the picture of the host's networks and the lab's nodes is in $SVG ($(wc -c <"$SVG") bytes)"
echo

echo "\$ kvmnet lab down examples/labs/webapp.lab"
kn lab down "$LABFILE"
LAB_UP=
left=$(ip -n $HOST -o link show | awk -F': ' '{print $2}' | grep -v -E '^(lo|up0@.*)$' || true)
[[ -z $left ]] || die "links left in $HOST after lab down: $left"
[[ -z $(ls -A "$TMP/netns") ]] || die "node namespaces left after lab down: $(ls "$TMP/netns")"
echo "- nothing of the lab is left in $HOST"
