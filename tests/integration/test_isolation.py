# SPDX-License-Identifier: GPL-2.0-or-later
"""Networks are isolated from each other: nat/nat, nat/routed, routed/routed (both directions)."""
import pytest

from knlab import OUTSIDE, Probe, run_probes

PORT = 8080


@pytest.mark.parametrize("mode_a,mode_b", [("nat", "nat"), ("nat", "routed"),
                                           ("routed", "routed")])
def test_networks_cannot_reach_each_other(lab, mode_a, mode_b):
    lab.create("neta", mode_a, "10.31.0.0/24")
    lab.create("netb", mode_b, "10.32.0.0/24")
    ga = lab.guest("kn-neta", "10.31.0.10/24", "10.31.0.1")
    gb = lab.guest("kn-netb", "10.32.0.10/24", "10.32.0.1")
    for g in (ga, gb):
        lab.serve(g.ns, "tcp", "0.0.0.0", PORT)
    lab.serve(lab.out, "tcp", OUTSIDE, PORT)
    run_probes([
        Probe("a -> own gateway", ga.ns, "ping", "10.31.0.1"),
        Probe("b -> own gateway", gb.ns, "ping", "10.32.0.1"),
        Probe("a -> outside tcp", ga.ns, "tcp", OUTSIDE, PORT),
        Probe("b -> outside tcp", gb.ns, "tcp", OUTSIDE, PORT),
    ])
    run_probes([
        Probe("a -> b ping", ga.ns, "ping", gb.ip, expect=False),
        Probe("a -> b tcp", ga.ns, "tcp", gb.ip, PORT, expect=False),
        Probe("b -> a ping", gb.ns, "ping", ga.ip, expect=False),
        Probe("b -> a tcp", gb.ns, "tcp", ga.ip, PORT, expect=False),
    ])
