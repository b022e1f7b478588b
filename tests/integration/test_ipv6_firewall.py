# SPDX-License-Identifier: GPL-2.0-or-later
"""The IPv6 firewall of each mode (docs/IPV6.md, "Firewall"): nat and routed guests reach the
gateway6, each other and an outside namespace over IPv6 (ping6 and TCP); a nat network's ULA
prefix is masqueraded (NAT66) and a global one routed unless nat6 = yes; routed networks'
guests are seen with their own address and reachable from outside; networks cannot reach each
other; isolated networks' guests reach only each other, and of the host only DNS, DHCPv6 and
the ICMPv6 of neighbour discovery."""
import json

import pytest

import knlab
from knlab import Probe, run, run_probes

PORT = 8080
HOST_UP6 = "2001:db8:ff::1"
OUTSIDE6 = "2001:db8:ff::2"


def outside6(lab):
    """IPv6 on the lab's uplink: the host's default route via the outside namespace, which
    routes the global prefixes of routed networks back (never the ULAs: those only come back
    masqueraded)."""
    run(["ip", "-n", lab.host, "addr", "add", HOST_UP6 + "/64", "dev", "up0", "nodad"])
    run(["ip", "-n", lab.out, "addr", "add", OUTSIDE6 + "/64", "dev", "eth0", "nodad"])
    run(["ip", "-n", lab.host, "-6", "route", "add", "default", "via", OUTSIDE6])
    run(["ip", "-n", lab.out, "-6", "route", "add", "2001:db8::/32", "via", HOST_UP6])


def guest6(lab, bridge, cidr, cidr6, gw6):
    """A guest namespace with a static IPv4 and IPv6 address, its IPv6 default route via 'gw6'
    and no SLAAC (set before its port joins the bridge: the source address stays the one
    the test names)."""
    n = len(lab.guests) + 1
    ns = "%s-g%d" % (lab.prefix, n)
    host_if = "vg%d" % n
    lab.add_ns(ns)
    for key in ("accept_ra", "autoconf"):
        lab.sysctl(ns, "net.ipv6.conf.default.%s" % key, 0)
    run(["ip", "-n", lab.host, "link", "add", host_if, "type", "veth",
         "peer", "name", "eth0", "netns", ns])
    run(["ip", "-n", ns, "addr", "add", cidr, "dev", "eth0"])
    run(["ip", "-n", ns, "addr", "add", cidr6, "dev", "eth0", "nodad"])
    run(["ip", "-n", ns, "link", "set", "eth0", "up"])
    run(["ip", "-n", ns, "route", "add", "default", "via", cidr.split("/")[0].rsplit(".", 1)[0]
         + ".1"])
    run(["ip", "-n", ns, "-6", "route", "add", "default", "via", gw6])
    run(["ip", "-n", lab.host, "link", "set", host_if, "master", bridge, "up"])
    g = knlab.Guest(ns, cidr.split("/")[0], cidr.split("/")[0].rsplit(".", 1)[0] + ".1", host_if)
    g.ip6 = cidr6.split("/")[0]
    lab.guests.append(g)
    return g


PROBE_TCP = r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(float(sys.argv[3]))
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("open")
except ConnectionRefusedError:
    print("refused")
except OSError as e:
    print("timeout" if isinstance(e, socket.timeout) else "error %s" % e)
"""


def tcp_fate(ns, addr, port, timeout=3):
    """'open' or 'refused' (the firewall let the SYN through: a listener, or the host's RST)
    or 'timeout' (dropped)."""
    p = run(["ip", "netns", "exec", ns, knlab.PY, "-c", PROBE_TCP, addr, str(port),
             str(timeout)], timeout=timeout + 20)
    return p.stdout.strip()


def masquerade6(lab, net):
    return lab.kn_json("net", "show", net)["masquerade6"]


@pytest.mark.parametrize("nat6", ["auto", "yes"])
def test_nat_ula_is_masqueraded(lab, nat6):
    outside6(lab)
    extra = () if nat6 == "auto" else ("--nat6", "yes")
    lab.create("n6", "nat", "10.71.0.0/24", "--subnet6", "fd42:71::/64", *extra)
    assert masquerade6(lab, "n6") is True
    a = guest6(lab, "kn-n6", "10.71.0.10/24", "fd42:71::10/64", "fd42:71::1")
    b = guest6(lab, "kn-n6", "10.71.0.11/24", "fd42:71::11/64", "fd42:71::1")
    lab.serve(b.ns, "tcp", "::", PORT)
    lab.serve(lab.out, "tcp", OUTSIDE6, PORT)
    run_probes([
        Probe("a -> gateway6 ping6", a.ns, "ping", "fd42:71::1"),
        Probe("a -> b ping6", a.ns, "ping", b.ip6),
        Probe("a -> b tcp6", a.ns, "tcp", b.ip6, PORT, seen=a.ip6),
        Probe("a -> outside ping6", a.ns, "ping", OUTSIDE6),
        # masqueraded: the outside sees the host's uplink address
        Probe("a -> outside tcp6", a.ns, "tcp", OUTSIDE6, PORT, seen=HOST_UP6),
    ])
    # nothing new comes in to a masqueraded prefix (the outside has no route to a ULA anyway:
    # give it one, so that only the firewall stops it)
    run(["ip", "-n", lab.out, "-6", "route", "add", "fd42:71::/64", "via", HOST_UP6])
    run_probes([Probe("outside -> b tcp6", lab.out, "tcp", b.ip6, PORT, expect=False)])


def test_nat_global_prefix_is_routed(lab):
    outside6(lab)
    lab.create("g6", "nat", "10.72.0.0/24", "--subnet6", "2001:db8:72::/64")
    assert masquerade6(lab, "g6") is False
    a = guest6(lab, "kn-g6", "10.72.0.10/24", "2001:db8:72::10/64", "2001:db8:72::1")
    lab.serve(a.ns, "tcp", "::", PORT)
    lab.serve(lab.out, "tcp", OUTSIDE6, PORT)
    run_probes([
        Probe("a -> gateway6 ping6", a.ns, "ping", "2001:db8:72::1"),
        # routed, not masqueraded: the outside sees the guest's own address
        Probe("a -> outside tcp6", a.ns, "tcp", OUTSIDE6, PORT, seen=a.ip6),
        Probe("outside -> a ping6", lab.out, "ping", a.ip6),
        Probe("outside -> a tcp6", lab.out, "tcp", a.ip6, PORT, seen=OUTSIDE6),
    ])


def test_routed_guests_forwarded_both_ways(lab):
    outside6(lab)
    lab.create("r6", "routed", "10.73.0.0/24", "--subnet6", "2001:db8:73::/64")
    a = guest6(lab, "kn-r6", "10.73.0.10/24", "2001:db8:73::10/64", "2001:db8:73::1")
    b = guest6(lab, "kn-r6", "10.73.0.11/24", "2001:db8:73::11/64", "2001:db8:73::1")
    for g in (a, b):
        lab.serve(g.ns, "tcp", "::", PORT)
    lab.serve(lab.out, "tcp", OUTSIDE6, PORT)
    run_probes([
        Probe("a -> gateway6 ping6", a.ns, "ping", "2001:db8:73::1"),
        Probe("a -> b tcp6", a.ns, "tcp", b.ip6, PORT, seen=a.ip6),
        Probe("a -> outside ping6", a.ns, "ping", OUTSIDE6),
        Probe("a -> outside tcp6", a.ns, "tcp", OUTSIDE6, PORT, seen=a.ip6),
        Probe("outside -> b tcp6", lab.out, "tcp", b.ip6, PORT, seen=OUTSIDE6),
    ])
    # a spoofed source (outside the subnet6) is not forwarded
    run(["ip", "-n", a.ns, "addr", "add", "2001:db8:99::10/64", "dev", "eth0", "nodad"])
    p = run(["ip", "netns", "exec", a.ns, "ping", "-6", "-n", "-q", "-c2", "-W1", "-I",
             "2001:db8:99::10", OUTSIDE6], check=False)
    assert p.returncode != 0, "a source outside the subnet6 was forwarded:\n" + p.stdout


def test_networks_cannot_reach_each_other_v6(lab):
    outside6(lab)
    lab.create("na", "nat", "10.74.0.0/24", "--subnet6", "fd42:74::/64")
    lab.create("rb", "routed", "10.75.0.0/24", "--subnet6", "2001:db8:75::/64")
    a = guest6(lab, "kn-na", "10.74.0.10/24", "fd42:74::10/64", "fd42:74::1")
    b = guest6(lab, "kn-rb", "10.75.0.10/24", "2001:db8:75::10/64", "2001:db8:75::1")
    for g in (a, b):
        lab.serve(g.ns, "tcp", "::", PORT)
    run_probes([
        Probe("a -> own gateway6", a.ns, "ping", "fd42:74::1"),
        Probe("b -> own gateway6", b.ns, "ping", "2001:db8:75::1"),
    ])
    run_probes([
        Probe("a -> b ping6", a.ns, "ping", b.ip6, expect=False),
        Probe("a -> b tcp6", a.ns, "tcp", b.ip6, PORT, expect=False),
        Probe("b -> a ping6", b.ns, "ping", a.ip6, expect=False),
        Probe("b -> a tcp6", b.ns, "tcp", a.ip6, PORT, expect=False),
    ])


def test_isolated_v6(lab):
    outside6(lab)
    lab.create("i6", "isolated", "10.76.0.0/24", "--subnet6", "fd42:76::/64")
    a = guest6(lab, "kn-i6", "10.76.0.10/24", "fd42:76::10/64", "fd42:76::1")
    b = guest6(lab, "kn-i6", "10.76.0.11/24", "fd42:76::11/64", "fd42:76::1")
    lab.serve(b.ns, "tcp", "::", PORT)
    lab.serve(lab.out, "tcp", OUTSIDE6, PORT)
    # guests of the network reach each other
    run_probes([
        Probe("a -> b ping6", a.ns, "ping", b.ip6),
        Probe("a -> b tcp6", a.ns, "tcp", b.ip6, PORT, seen=a.ip6),
    ])
    # the host: no ping, no other service, nothing beyond it
    lab.serve(lab.host, "tcp", "fd42:76::1", PORT)
    run_probes([
        Probe("a -> gateway6 ping6", a.ns, "ping", "fd42:76::1", expect=False),
        Probe("a -> gateway6 tcp6", a.ns, "tcp", "fd42:76::1", PORT, expect=False),
        Probe("a -> outside ping6", a.ns, "ping", OUTSIDE6, expect=False),
        Probe("a -> outside tcp6", a.ns, "tcp", OUTSIDE6, PORT, expect=False),
    ])
    # ... but neighbour discovery with the gateway works (the ping above made the guest
    # solicit it: the host's advertisement came back) ...
    neigh = json.loads(run(["ip", "-n", a.ns, "-j", "-6", "neigh", "show", "fd42:76::1"]).stdout)
    assert neigh and neigh[0].get("lladdr") == lab.link("kn-i6")["address"], neigh
    # ... and DNS on the gateway6 is let through (open, or refused by the host: not dropped),
    # where another port is dropped
    assert tcp_fate(a.ns, "fd42:76::1", 53) in ("open", "refused")
    assert tcp_fate(a.ns, "fd42:76::1", 22) == "timeout"
