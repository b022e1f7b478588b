# SPDX-License-Identifier: GPL-2.0-or-later
"""Definitions written by hand into the state directory that conflict (the same VNI, the same
bridge, overlapping subnets: the API refuses the second of two such): kvmnetd starts the first by
name, leaves the other defined but stopped, logs one line naming both, and net show says why;
net start of the other is refused until the first is gone."""

import json
import re

from knlab import HOST_UP, OUTSIDE

OVERLAY = "overlay = vxlan\nvni = 4242\npeers = %s\nlocal = %s\n" % (OUTSIDE, HOST_UP)

# (winner, loser): the loser's definition, the winner's, what the loser is refused for
PAIRS = {
    ("sub-a", "sub-b"): ("subnet = 10.61.0.0/24\n", "subnet = 10.61.0.128/25\n",
                         "subnet 10.61.0.128/25 overlaps network 'sub-a' (10.61.0.0/24)"),
    ("br-a", "br-b"): ("subnet = 10.62.0.0/24\nbridge = kn-shared\n",
                       "subnet = 10.63.0.0/24\nbridge = kn-shared\n",
                       "bridge 'kn-shared' is used by network 'br-a'"),
    ("vni-a", "vni-b"): ("subnet = 10.64.0.0/24\n" + OVERLAY, "subnet = 10.65.0.0/24\n" + OVERLAY,
                         "vni 4242 is used by network 'vni-a'"),
}


def write_definitions(lab):
    nets = lab.state / "networks"
    nets.mkdir(parents=True)
    # the losers first: which one starts must not depend on the order files are found in
    for (a, b), (text_a, text_b, _) in PAIRS.items():
        for name, text in ((b, text_b), (a, text_a)):
            (nets / (name + ".conf")).write_text(
                "[network]\nmode = nat\nautostart = yes\nport-security = no\n" + text)


def check_outcome(lab):
    nets = lab.networks()
    for (a, b), (_, _, why) in PAIRS.items():
        assert nets[a]["state"] == "active", nets[a]
        assert "start-refused" not in nets[a], nets[a]
        assert nets[b]["state"] == "inactive", nets[b]
        assert nets[b]["start-refused"] == why, nets[b]
    # the kernel has the winners' only
    assert "10.61.0.1/24" in lab.addrs("kn-sub-a")
    assert lab.link("kn-sub-b") is None
    assert lab.addrs("kn-shared") == ["10.62.0.1/24"]
    vx = lab.link("knvx4242")
    assert vx is not None and vx.get("master") == "kn-vni-a", vx
    assert lab.link("kn-vni-b") is None


def test_conflicting_definitions_at_startup(topo):
    write_definitions(topo)
    topo.start_daemon()
    check_outcome(topo)
    log = topo.log_text()
    for (a, b), (_, _, why) in PAIRS.items():
        lines = [line for line in log.splitlines() if "Network '%s' is not started" % b in line]
        # one line, naming both networks and the reason
        assert len(lines) == 1, lines
        assert why in lines[0] and a in lines[0], lines[0]
        assert "Network '%s' is not started" % a not in log

    # net show tells it in text too
    out = topo.kn("net", "show", "br-b").stdout
    assert re.search(r"start-refused.*bridge 'kn-shared' is used by network 'br-a'", out), out
    # starting the other is refused, one line, nothing changed
    for (a, b), (_, _, why) in PAIRS.items():
        p = topo.kn("net", "start", b, expect=1)
        assert p.stderr.strip().count("\n") == 0 and why in p.stderr, p.stderr
    check_outcome(topo)

    # a restart (autostart is once per boot) with both marked running, as they were before
    # the files were edited: decided the same way
    assert topo.stop_daemon() == 0
    for (a, b) in PAIRS:
        (topo.state / "running" / b).write_text("")
    topo.start_daemon()
    check_outcome(topo)

    # the first gone, the other starts, and net show no longer tells a reason
    topo.kn("net", "delete", "sub-a")
    topo.settle()
    topo.kn("net", "start", "sub-b")
    n = json.loads(topo.kn("net", "show", "sub-b", "--json").stdout)
    assert n["state"] == "active" and "start-refused" not in n, n
    assert "10.61.0.129/25" in topo.addrs("kn-sub-b")
    # a redefinition drops the reason too (it was about the old definition)
    f = topo.tmp / "br-b.conf"
    f.write_text("[network]\nmode = nat\nsubnet = 10.63.0.0/24\nport-security = no\n")
    topo.kn("net", "define", f)
    n = json.loads(topo.kn("net", "show", "br-b", "--json").stdout)
    assert n["state"] == "inactive" and "start-refused" not in n, n
    topo.kn("net", "start", "br-b")
    assert "10.63.0.1/24" in topo.addrs("kn-br-b")
    assert topo.addrs("kn-shared") == ["10.62.0.1/24"]
