# SPDX-License-Identifier: GPL-2.0-or-later
"""What guests of each mode reach, with real packets between namespaces. Every "blocked" check
sits beside an "allowed" one that proves the path and the listener work."""
import pytest

from knlab import HOST_UP, OUTSIDE, Probe, run_probes

PORT_OUT = 7000     # peer-address server in the outside namespace
PORT_GUEST = 8080   # listener in guests and in the host namespace


@pytest.mark.parametrize("extra", [[], ["--uplink", "up0"]], ids=["any-uplink", "uplink-up0"])
def test_nat(lab, extra):
    lab.create("lab", "nat", "10.20.0.0/24", *extra)
    g1 = lab.guest("kn-lab", "10.20.0.10/24", "10.20.0.1")
    g2 = lab.guest("kn-lab", "10.20.0.11/24", "10.20.0.1")
    lab.serve(lab.out, "tcp", OUTSIDE, PORT_OUT)
    lab.serve(g2.ns, "tcp", "0.0.0.0", PORT_GUEST)
    run_probes([
        Probe("g1 -> g2 (same network)", g1.ns, "ping", g2.ip),
        Probe("g1 -> gateway", g1.ns, "ping", "10.20.0.1"),
        Probe("g1 -> host uplink address", g1.ns, "ping", HOST_UP),
        Probe("g1 -> outside", g1.ns, "ping", OUTSIDE),
        Probe("g1 -> outside tcp, masqueraded", g1.ns, "tcp", OUTSIDE, PORT_OUT, seen=HOST_UP),
        Probe("g1 -> g2 tcp (listener works)", g1.ns, "tcp", g2.ip, PORT_GUEST),
    ])
    run_probes([
        Probe("outside -> g2 tcp", lab.out, "tcp", g2.ip, PORT_GUEST, expect=False),
        Probe("outside -> g2 ping", lab.out, "ping", g2.ip, expect=False),
    ])


def test_routed(lab):
    lab.create("lab", "routed", "10.21.0.0/24")
    g1 = lab.guest("kn-lab", "10.21.0.10/24", "10.21.0.1")
    g2 = lab.guest("kn-lab", "10.21.0.11/24", "10.21.0.1")
    lab.serve(lab.out, "tcp", OUTSIDE, PORT_OUT)
    lab.serve(g1.ns, "tcp", "0.0.0.0", PORT_GUEST)
    run_probes([
        Probe("g1 -> g2", g1.ns, "ping", g2.ip),
        Probe("g1 -> gateway", g1.ns, "ping", "10.21.0.1"),
        Probe("g2 -> outside", g2.ns, "ping", OUTSIDE),
        Probe("g2 -> outside tcp, address kept", g2.ns, "tcp", OUTSIDE, PORT_OUT, seen=g2.ip),
        Probe("outside -> g1 ping", lab.out, "ping", g1.ip),
        Probe("outside -> g1 tcp", lab.out, "tcp", g1.ip, PORT_GUEST),
    ])
    assert lab.sysctl(lab.host, "net.ipv4.ip_forward") == "1"


def test_isolated(lab):
    lab.create("iso", "isolated", "10.22.0.0/24")
    gw = "10.22.0.1"
    # Forwarding on, so that only kvmnet's rules can be what blocks the outside.
    lab.sysctl(lab.host, "net.ipv4.ip_forward", 1)
    g1 = lab.guest("kn-iso", "10.22.0.10/24", gw)
    g2 = lab.guest("kn-iso", "10.22.0.11/24", gw)
    lab.serve(lab.out, "tcp", OUTSIDE, PORT_OUT)
    lab.serve(g2.ns, "tcp", "0.0.0.0", PORT_GUEST)
    lab.serve(g1.ns, "tcp", "0.0.0.0", PORT_GUEST)
    lab.serve(lab.host, "tcp", "0.0.0.0", PORT_GUEST)
    # Stand-ins for the gateway's DNS; if kvmnetd already serves GW:53 its own answer counts.
    lab.serve(lab.host, "udp", gw, 53)
    lab.serve(lab.host, "tcp", gw, 53)
    dhcp_echo = lab.serve(lab.host, "udp", gw, 67)

    allowed = [
        Probe("g1 -> g2", g1.ns, "ping", g2.ip),
        Probe("g1 -> g2 tcp", g1.ns, "tcp", g2.ip, PORT_GUEST),
        Probe("g1 -> gateway udp/53", g1.ns, "udp", gw, 53),
        Probe("g1 -> gateway tcp/53", g1.ns, "tcp", gw, 53),
        Probe("host -> gateway tcp (listener works)", lab.host, "tcp", gw, PORT_GUEST),
        Probe("outside -> host uplink tcp (listener works)", lab.out, "tcp", HOST_UP, PORT_GUEST),
    ]
    if dhcp_echo is not None:
        allowed.append(Probe("g1 -> gateway udp/67", g1.ns, "udp", gw, 67))
    run_probes(allowed)
    run_probes([
        Probe("g1 -> gateway ping", g1.ns, "ping", gw, expect=False),
        Probe("g1 -> gateway tcp/%d" % PORT_GUEST, g1.ns, "tcp", gw, PORT_GUEST, expect=False),
        Probe("g1 -> host uplink tcp", g1.ns, "tcp", HOST_UP, PORT_GUEST, expect=False),
        Probe("g1 -> host uplink ping", g1.ns, "ping", HOST_UP, expect=False),
        Probe("g1 -> outside ping", g1.ns, "ping", OUTSIDE, expect=False),
        Probe("g2 -> outside tcp", g2.ns, "tcp", OUTSIDE, PORT_OUT, expect=False),
        Probe("outside -> g1 ping", lab.out, "ping", g1.ip, expect=False),
        Probe("outside -> g1 tcp", lab.out, "tcp", g1.ip, PORT_GUEST, expect=False),
    ])


def test_open_has_no_rules(lab):
    lab.create("opena", "open", "10.23.0.0/24")
    lab.create("openb", "open", "10.24.0.0/24")
    for name, gw in (("opena", "10.23.0.1/24"), ("openb", "10.24.0.1/24")):
        assert lab.link("kn-" + name) is not None
        assert gw in lab.addrs("kn-" + name)
    hits = lab.kvmnet_rules_mentioning("opena", "openb", "10.23.0.", "10.24.0.")
    assert hits == [], "open networks must have no rules:\n%s\n%s" % (
        "\n".join(hits), lab.kvmnet_table())

    lab.sysctl(lab.host, "net.ipv4.ip_forward", 1)
    ga = lab.guest("kn-opena", "10.23.0.10/24", "10.23.0.1")
    gb = lab.guest("kn-openb", "10.24.0.10/24", "10.24.0.1")
    lab.serve(gb.ns, "tcp", "0.0.0.0", PORT_GUEST)
    lab.serve(lab.out, "tcp", OUTSIDE, PORT_OUT)
    run_probes([
        Probe("a -> its gateway", ga.ns, "ping", "10.23.0.1"),
        Probe("a -> b (routed by the host)", ga.ns, "ping", gb.ip),
        Probe("a -> b tcp", ga.ns, "tcp", gb.ip, PORT_GUEST, seen=ga.ip),
        Probe("b -> outside tcp, unchanged source", gb.ns, "tcp", OUTSIDE, PORT_OUT, seen=gb.ip),
    ])
