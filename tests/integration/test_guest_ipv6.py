# SPDX-License-Identifier: GPL-2.0-or-later
"""A real QEMU guest on IPv6 (issue 13's acceptance): the tiny guest of tests/guest boots on a nat
network with a subnet6 and ra-mode slaac+dhcpv6, its dhcpcd (the guest kernel's own SLAAC off,
ipv6.autoconf=0, so that every global address is the client's) takes kvmnetd's router
advertisement and DHCPv6, and the guest gets a SLAAC address (EUI-64 of its MAC) in the prefix and
a DHCPv6 lease that 'kvmnet lease list' shows; it pings the gateway6 from both, and reaches over
TCP a guest namespace of the same network (seen with its own address) and the outside namespace
(masqueraded: seen as the host's uplink address). kvmnetd's DNS knows the guest by the name its
DHCPv4 client sent (the DHCPv6 lease takes the name of the IPv4 lease of the same MAC): AAAA is
the leased address (not the SLAAC one), and the leased address's ip6.arpa PTR names the guest,
asked by the guest itself (busybox nslookup, over IPv6 to the gateway6) and by a guest namespace
(dig, over IPv6 and IPv4). Skipped, naming what is missing, without QEMU, the guest's packages or
dhcpcd."""
import ipaddress
import re
import time

import pytest

from knlab import dns_ok, dns_query, run
from qemu_guest import QemuGuest, guest_images
from test_dhcp6 import v6_leases
from test_ipv6_firewall import HOST_UP6, OUTSIDE6, guest6, outside6

NET = "qg6"
BRIDGE = "kn-" + NET
SUBNET = "10.82.0.0/24"
GW = "10.82.0.1"
GUEST_NAME = "kn-guest6"
FQDN = GUEST_NAME + "." + NET + ".kvmnet"  # the network's default domain
PREFIX = ipaddress.ip_network("fd42:82::/64")
GW6 = "fd42:82::1"
# the default dhcp6-range, PREFIX::1:0-PREFIX::1:ffff (docs/IPV6.md)
RANGE = ipaddress.ip_network("fd42:82::1:0/112")
PEER6 = "fd42:82::10"
TAP = "kngt6"
MAC = "52:54:00:82:00:01"
PORT = 8080
# Generous bounds: a TCG guest on a machine at load 10-20 (the guest's DAD alone takes 1 s per
# address, its DHCPv6 Solicit waits up to 1 s).
LEASE_TIMEOUT = 120
V6_TIMEOUT = 120


def eui64(prefix, mac):
    """The SLAAC address of 'mac' in 'prefix' (modified EUI-64, RFC 4291 appendix A)."""
    b = bytes.fromhex(mac.replace(":", ""))
    iid = bytes([b[0] ^ 2]) + b[1:3] + b"\xff\xfe" + b[3:]
    return ipaddress.ip_address(prefix.network_address.packed[:8] + iid)


def need_dhcpcd(kernel):
    """Skips unless the guest images carry dhcpcd (build-guest.sh copies the host's)."""
    info = (kernel.parent / "guest-info.txt").read_text()
    m = re.search(r"^dhcpcd=(.*)$", info, re.M)
    if not m or m.group(1) == "none":
        pytest.skip("the test guest has no dhcpcd (Debian package dhcpcd-base on the host)")


def global6(g):
    """The guest's global IPv6 addresses on eth0: {address: (prefix length, flags)}."""
    rc, out = g.run("ip -6 -o addr show dev eth0 scope global", timeout=10)
    assert rc == 0, out
    addrs = {}
    for line in out.splitlines():
        m = re.search(r"inet6 ([0-9a-f:]+)/(\d+) (.*)", line)
        if m:
            addrs[ipaddress.ip_address(m.group(1))] = (int(m.group(2)), m.group(3))
    return addrs


def wait_addresses(g, timeout):
    """Waits until the guest has its SLAAC address (/64) and one DHCPv6 address (/128, in the
    range), both past DAD; returns (slaac, dhcp6)."""
    want = eui64(PREFIX, MAC)
    deadline = time.monotonic() + timeout
    while True:
        addrs = global6(g)
        usable = {a: p for a, (p, flags) in addrs.items()
                  if "tentative" not in flags and "dadfailed" not in flags}
        leased = [a for a, p in usable.items() if p == 128 and a in RANGE]
        if usable.get(want) == 64 and leased:
            assert len(leased) == 1, addrs
            return want, leased[0]
        if time.monotonic() > deadline:
            rc, log = g.run("cat /run/dhcpcd.events /run/dhcpcd.log", timeout=10)
            raise AssertionError("guest addresses after %ss: %s (want %s/64 and a /128 in %s)\n%s"
                                 % (timeout, addrs, want, RANGE, log))
        time.sleep(1)


def wait_v6_lease(lab, ip, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        mine = [x for x in v6_leases(lab, NET) if x["ip"] == ip]
        if mine:
            return mine[0]
        assert time.monotonic() < deadline, "no DHCPv6 lease of %s: %s" % (ip, v6_leases(lab))
        time.sleep(0.5)


def tcp_echo(g, addr):
    """Connects from the guest to nettool's TCP server at 'addr': (the peer address the server
    saw, whether our line came back)."""
    rc, out = g.run("echo kvmnet-v6 | nc -w 10 %s %d" % (addr, PORT), timeout=30)
    lines = out.splitlines()
    assert rc == 0 and lines, "guest -> [%s]:%d: rc %d\n%s" % (addr, PORT, rc, out)
    return lines[0].strip(), "kvmnet-v6" in lines[1:]


def guest_nslookup(g, name, qtype):
    """busybox nslookup in the guest, asking the gateway6: the addresses and names it printed
    after the server's own lines."""
    rc, out = g.run("nslookup -type=%s %s %s" % (qtype, name, GW6), timeout=30)
    assert rc == 0, "guest nslookup -type=%s %s: rc %d\n%s" % (qtype, name, rc, out)
    body = out.split("\n\n", 1)[1] if "\n\n" in out else out
    addrs = re.findall(r"^Address:\s*([0-9a-f:]+)\s*$", body, re.M)
    names = re.findall(r"name = (\S+)", body)
    return [ipaddress.ip_address(a) for a in addrs], [n.rstrip(".").lower() for n in names], out


def assert_guest_in_dns(lab, g, peer, slaac, leased):
    """AAAA of the guest's name is its DHCPv6 address (never the SLAAC one), and that address's
    PTR names it: from the QEMU guest itself and from the peer namespace, over IPv6 and IPv4."""
    addrs, _, out = guest_nslookup(g, FQDN, "aaaa")
    assert addrs == [leased], "guest's own AAAA lookup of %s:\n%s" % (FQDN, out)
    # busybox asks for the name as given with -type: the ip6.arpa name, spelled out
    _, names, out = guest_nslookup(g, leased.reverse_pointer, "ptr")
    assert names == [FQDN], "guest's own PTR lookup of %s:\n%s" % (leased, out)
    for server in (GW6, GW):
        res = dns_ok(dns_query(peer.ns, server, FQDN, "AAAA", timeout=5), "AAAA via " + server)
        assert res["rcode"] == "NOERROR" and "aa" in res["flags"], res.get("raw")
        assert [(r["name"], r["type"], r["data"]) for r in res["answer"]] == \
            [(FQDN, "AAAA", str(leased))], res.get("raw")
        rname = leased.reverse_pointer
        res = dns_ok(dns_query(peer.ns, server, rname, "PTR", timeout=5), "PTR via " + server)
        assert [(r["name"], r["type"], r["data"]) for r in res["answer"]] == \
            [(rname, "PTR", FQDN)], res.get("raw")
    # the SLAAC address is nobody's in the zone (kvmnetd cannot know whose it is for sure)
    res = dns_ok(dns_query(peer.ns, GW6, slaac.reverse_pointer, "PTR", timeout=5))
    assert res["rcode"] == "NXDOMAIN", res.get("raw")


def test_qemu_guest_slaac_and_dhcpv6(lab):
    kernel, initrd = guest_images(lab.bin)
    need_dhcpcd(kernel)
    outside6(lab)
    lab.create(NET, "nat", SUBNET, "--subnet6", str(PREFIX), "--ra-mode", "slaac+dhcpv6")
    peer = guest6(lab, BRIDGE, "10.82.0.10/24", PEER6 + "/64", GW6)
    assert lab.serve(peer.ns, "tcp", "::", PORT)
    assert lab.serve(lab.out, "tcp", OUTSIDE6, PORT)
    run(["ip", "-n", lab.host, "tuntap", "add", "dev", TAP, "mode", "tap"])
    run(["ip", "-n", lab.host, "link", "set", TAP, "master", BRIDGE, "up"])

    g = QemuGuest(lab.host, "tap,id=n0,ifname=%s,script=no,downscript=no" % TAP, MAC,
                  lab.tmp / "guest", name="g6", images=(kernel, initrd), hostname=GUEST_NAME,
                  append="ipv6.autoconf=0")
    try:
        g.start()
        g.wait_lease(timeout=LEASE_TIMEOUT)
        # the guest kernel made no address from the RAs: what comes next is dhcpcd's
        assert global6(g) == {}
        rc, out = g.run("dhcpcd -6 -b -j /run/dhcpcd.log eth0 >/dev/null 2>&1; echo rc=$?",
                        timeout=30)
        assert "rc=0" in out, out
        t = time.monotonic()
        slaac, leased = wait_addresses(g, V6_TIMEOUT)
        print("guest %s (%s): SLAAC %s and DHCPv6 %s %.1f s after dhcpcd started"
              % (g.name, g.accel, slaac, leased, time.monotonic() - t))

        lease = wait_v6_lease(lab, str(leased))
        assert lease["mac"] == MAC and lease["state"] == "bound", lease
        assert lease["duid"] == "00:03:00:01:" + MAC, lease  # DUID-LL (the guest's dhcpcd.conf)
        assert lease["expires"] > time.time() + 600, lease
        assert lease["hostname"] == GUEST_NAME, lease  # its IPv4 lease's name (same MAC)
        assert str(leased) in lab.kn("lease", "list", NET).stdout
        # the SLAAC address is no lease
        assert [x for x in v6_leases(lab, NET) if x["ip"] == str(slaac)] == []
        rc, events = g.run("cat /run/dhcpcd.events", timeout=10)
        assert re.search(r"^reason=BOUND6 interface=eth0 ia_na=%s " % leased, events, re.M), \
            events

        assert_guest_in_dns(lab, g, peer, slaac, leased)

        # the default route: the bridge's link-local address, from the RA
        rc, out = g.run("ip -6 route show default", timeout=10)
        assert rc == 0 and re.search(r"default via fe80::\S+ dev eth0", out), out

        for src in (slaac, leased):
            rc, out = g.run("ping -6 -c 2 -W 3 -I %s %s" % (src, GW6), timeout=30)
            assert rc == 0 and "2 packets received" in out, "from %s: %s" % (src, out)
        rc, out = g.run("ping -6 -c 2 -W 3 %s" % OUTSIDE6, timeout=30)
        assert rc == 0 and "2 packets received" in out, out

        # TCP over IPv6: to a guest of the network (no NAT: it sees one of the guest's own
        # addresses) and to the outside (a ULA prefix is masqueraded behind the uplink address)
        seen, echoed = tcp_echo(g, PEER6)
        assert ipaddress.ip_address(seen) in (slaac, leased) and echoed, seen
        seen, echoed = tcp_echo(g, OUTSIDE6)
        assert seen == HOST_UP6 and echoed, seen

        # and the host reaches the guest at its DHCPv6 address
        p = run(["ip", "netns", "exec", lab.host, "ping", "-6", "-n", "-c", "1", "-W", "3",
                 str(leased)], check=False, timeout=20)
        assert p.returncode == 0, "gateway6 -> guest ping failed:\n%s" % p.stdout

        assert g.poweroff(timeout=60) == 0
    finally:
        g.cleanup()
