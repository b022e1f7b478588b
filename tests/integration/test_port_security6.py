# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv6 port security (docs/PORTS.md, "IPv6"): with port-security yes a guest may source only
its link-local address, its DHCPv6 lease and addresses of the network's prefix it used first
(bound to its MAC); forged router advertisements, DHCPv6 Advertises, spoofed sources and
neighbour advertisements for another guest's (or the gateway's) address are dropped, counted
on the port, and seen by nobody; normal guests keep working. Frames are made by scapy
(nettool.py port-attack6) and sniffed where they must not arrive."""
import json
import secrets
import time

from knlab import NETTOOL, PY, Probe, run, run_probes
from test_ipv6 import addrs6, v6_guest
from test_ipv6_firewall import guest6
from test_ports import Sniffer, counters, neigh_lladdr

PORT = 8080


def mac_of(ns):
    return json.loads(run(["ip", "-n", ns, "-j", "link", "show", "eth0"]).stdout)[0]["address"]


def link_local(ns):
    out = json.loads(run(["ip", "-n", ns, "-j", "-6", "addr", "show", "dev", "eth0",
                          "scope", "link"]).stdout)
    return [a["local"] for i in out for a in i.get("addr_info", []) if "local" in a][0]


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        assert time.monotonic() < deadline, "timed out waiting for %s" % what()
        time.sleep(0.2)


def test_ipv6_port_security(lab):
    lab.create("ps6", "nat", "10.81.0.0/24", "--subnet6", "fd42:81::/64", "--port-security", "yes")
    bridge, gw6 = "kn-ps6", "fd42:81::1"
    a = guest6(lab, bridge, "10.81.0.10/24", "fd42:81::10/64", gw6)
    b = guest6(lab, bridge, "10.81.0.11/24", "fd42:81::11/64", gw6)
    mac_a, mac_b = mac_of(a.ns), mac_of(b.ns)
    lab.serve(b.ns, "tcp", "::", PORT)
    # both ports under IPv6 binding, with the network's prefix for SLAAC
    for g in (a, b):
        pol = wait_for(lambda: (lambda p: p if p.get("ip6bind") else None)(
            lab.port_policy(g.host_if)), what=lambda: "%s under the IPv6 policy: %s" % (g.host_if, lab.port_policy(g.host_if)))
        assert pol["slaac6"] == ["%s . fd42:81::" % g.host_if], pol

    # normal guests work: the gateway6, each other by global and link-local address, TCP
    ll_b = link_local(b.ns)
    run_probes([
        Probe("a -> gateway6", a.ns, "ping", gw6),
        Probe("b -> gateway6", b.ns, "ping", gw6),
        Probe("a -> b ping6", a.ns, "ping", b.ip6),
        Probe("a -> b link-local", a.ns, "ping", ll_b + "%eth0"),
        Probe("a -> b tcp6", a.ns, "tcp", b.ip6, PORT, seen=a.ip6),
    ])
    run(["ip", "netns", "exec", lab.host, "ping", "-6", "-n", "-q", "-c1", "-W2", b.ip6])
    # the addresses they used are bound to their MACs (first use), their link-locals learned
    sets = lab.bridge_table()["sets"]
    assert "%s . %s" % (a.ip6, mac_a) in sets["owner6"], sets["owner6"]
    assert "%s . %s" % (b.ip6, mac_b) in sets["owner6"], sets["owner6"]
    assert {a.ip6, b.ip6} <= set(sets["taken6"]), sets["taken6"]
    assert counters(lab, a.host_if)["dropped"] == 0 and counters(lab, b.host_if)["dropped"] == 0

    gw_mac = lab.bridge_mac(bridge)
    assert neigh_lladdr(b.ns, gw6) == gw_mac and neigh_lladdr(lab.host, b.ip6) == mac_b
    tag = secrets.token_hex(4)
    sniff_b = Sniffer(lab, b.ns, "eth0", tag)
    sniff_br = Sniffer(lab, lab.host, bridge, tag)
    before = counters(lab, a.host_if)
    out = run(["ip", "netns", "exec", a.ns, PY, NETTOOL, "port-attack6", "--ip6", a.ip6,
               "--gw6", gw6, "--gw-mac", gw_mac, "--victim-ip6", b.ip6, "--victim-mac", mac_b,
               "--outside-ip6", "fd99::10", "--tag", tag, "--repeat", "2"], timeout=60).stdout
    res = json.loads(out.strip().splitlines()[-1])
    time.sleep(0.3)
    seen_b, seen_br = sniff_b.stop(), sniff_br.stop()
    after = counters(lab, a.host_if)

    attacks = res["attacks"]
    assert set(attacks) == {"ra6", "dhcp6-advertise", "spoof6-victim", "spoof6-gw",
                            "spoof6-victim-ll", "spoof6-outside-prefix", "na-victim",
                            "na-victim-allnodes", "na-gw"}, res
    # the sniffers work: A's legitimate frames (its own source, an NA for its own address) came
    assert seen_b["markers"].get("legit6-victim") and seen_b["markers"].get("legit6-na-own"), \
        "B did not see A's legitimate frames: %s" % seen_b
    leaked = {k: v for k, v in list(seen_b["markers"].items()) + list(seen_br["markers"].items())
              if k in attacks}
    assert not leaked, "forged IPv6 frames from %s passed: %s" % (a.host_if, leaked)
    # every one of them dropped and counted on A's port, none on B's
    grew = after["dropped"] - before["dropped"]
    assert grew >= sum(attacks.values()), "dropped grew by %d for %d forged frames: %s -> %s" % (
        grew, sum(attacks.values()), before, after)
    assert counters(lab, b.host_if)["dropped"] == 0
    # nobody's neighbour cache was poisoned
    assert neigh_lladdr(b.ns, gw6) == gw_mac
    assert neigh_lladdr(lab.host, b.ip6) == mac_b
    # and A still works
    run_probes([Probe("a -> b ping6 after", a.ns, "ping", b.ip6),
                Probe("a -> gateway6 after", a.ns, "ping", gw6)])

    # SLAAC: a new address of the prefix is A's on first use; B may not take it afterwards
    run(["ip", "-n", a.ns, "addr", "add", "fd42:81::99/64", "dev", "eth0", "nodad"])
    run(["ip", "netns", "exec", a.ns, "ping", "-6", "-n", "-q", "-c1", "-W2", "-I",
         "fd42:81::99", gw6])
    assert "fd42:81::99 . %s" % mac_a in lab.bridge_table()["sets"]["owner6"]
    run(["ip", "-n", b.ns, "addr", "add", "fd42:81::99/128", "dev", "eth0", "nodad"])
    drop_b = counters(lab, b.host_if)["dropped"]
    p = run(["ip", "netns", "exec", b.ns, "ping", "-6", "-n", "-q", "-c3", "-i", "0.2", "-W1",
             "-I", "fd42:81::99", gw6], check=False, timeout=20)
    assert "0 received" in p.stdout, p.stdout
    assert counters(lab, b.host_if)["dropped"] - drop_b >= 3, lab.port(b.host_if)
    assert "fd42:81::99 . %s" % mac_b not in lab.bridge_table()["sets"]["owner6"]


def test_ipv6_unbound_without_port_security(lab):
    """port-security mac binds the MAC only: a spoofed IPv6 source passes (the sniffer would
    see a leak), and no port is in ip6bind."""
    lab.create("pm6", "nat", "10.82.0.0/24", "--subnet6", "fd42:82::/64",
               "--port-security", "mac")
    a = guest6(lab, "kn-pm6", "10.82.0.10/24", "fd42:82::10/64", "fd42:82::1")
    b = guest6(lab, "kn-pm6", "10.82.0.11/24", "fd42:82::11/64", "fd42:82::1")
    run_probes([Probe("a -> b ping6", a.ns, "ping", b.ip6)])
    pol = wait_for(lambda: (lambda p: p if p.get("ports") else None)(lab.port_policy(a.host_if)),
                   what=lambda: "A's policy")
    assert not pol.get("ip6bind") and not pol.get("slaac6"), pol
    tag = secrets.token_hex(4)
    sniff_b = Sniffer(lab, b.ns, "eth0", tag)
    out = run(["ip", "netns", "exec", a.ns, PY, NETTOOL, "port-attack6", "--ip6", a.ip6,
               "--gw6", "fd42:82::1", "--gw-mac", lab.bridge_mac("kn-pm6"), "--victim-ip6",
               b.ip6, "--victim-mac", mac_of(b.ns), "--outside-ip6", "fd99::10", "--tag", tag],
              timeout=60).stdout
    assert json.loads(out.strip().splitlines()[-1])["attacks"]
    seen = sniff_b.stop()["markers"]
    # spoofed sources and NAs pass (only the MAC is bound); RAs and DHCPv6 replies never do
    assert seen.get("spoof6-victim-ll") and seen.get("na-victim"), seen
    assert not seen.get("ra6") and not seen.get("dhcp6-advertise"), seen


def test_slaac_guest_under_port_security(lab):
    """A guest that configures itself from the RA (duplicate address detection from ::, its
    kernel's link-local and SLAAC address) works under the IPv6 binding, and its SLAAC address
    is bound to its MAC."""
    lab.create("sl6", "routed", "10.83.0.0/24", "--subnet6", "fd42:83::/64",
               "--port-security", "yes")
    g = v6_guest(lab, "kn-sl6", "10.83.0.10/24", "10.83.0.1")
    addr = wait_for(lambda: [a for a in addrs6(lab, "eth0", ns=g.ns) if a.startswith("fd42:83::")],
                    what=lambda: "a SLAAC address")[0].split("/")[0]
    assert lab.port_policy(g.host_if).get("ip6bind"), lab.port_policy(g.host_if)
    # (until duplicate address detection ends, the kernel sources from the link-local)
    wait_for(lambda: not run(["ip", "-n", g.ns, "-6", "addr", "show", "dev", "eth0",
                                               "tentative"]).stdout.strip(),
             what=lambda: "the end of duplicate address detection")
    run(["ip", "netns", "exec", g.ns, "ping", "-6", "-n", "-q", "-c1", "-W3", "fd42:83::1"])
    assert "%s . %s" % (addr, mac_of(g.ns)) in lab.bridge_table()["sets"]["owner6"]
    assert counters(lab, g.host_if)["dropped"] == 0, lab.port(g.host_if)
