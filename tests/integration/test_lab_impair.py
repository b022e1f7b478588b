# SPDX-License-Identifier: GPL-2.0-or-later
"""Impairments of lab nics (docs/LABS.md): a nic's rate shapes what it receives (iperf3 measures
it), its loss drops about that share of the pings to it, both change live with 'lab set' (the
kernel's tbf and nftables rule read back), 'lab link' pulls and plugs back its cable, bad values
are refused with one line and nothing changed, a delay is refused naming netem where the kernel
has none, and 'lab down' leaves no tc or nftables state behind. Netns nodes only (instant); the
daemon keeps the nodes' namespaces in the test's own folder (--netns-dir)."""
import json
import re
import subprocess
import time

import pytest

from labkit import lab_daemon, lab_snapshot
from knlab import run


def lab_file(lab, name, text):
    p = lab.tmp / (name + ".lab")
    p.write_text(text)
    return p


def two_nodes(name, subnet, b_keys=""):
    """Network n (isolated, no DHCP) with a at .10 and b at .20; b_keys go to node b."""
    return ("[lab]\nname = %s\n[network n%s]\nmode = isolated\nsubnet = %s.0/24\ndhcp = no\n"
            "[node a]\nnics = n%s:%s.10\n[node b]\nnics = n%s:%s.20\n%s"
            % (name, name, subnet, name, subnet, name, subnet, b_keys))


@pytest.fixture
def ilab(topo):
    yield from lab_daemon(topo)


def up(lab, path, expect=0):
    lab.lab_files.append(path)
    return lab.kn("lab", "up", path, expect=expect, timeout=60)


def ns_path(lab, node, name):
    return str(lab.tmp / "netns" / ("kl-%s-%s" % (name, node)))


def node_cmd(lab, name, node, *cmd):
    return ["nsenter", "--net=" + ns_path(lab, node, name)] + [str(c) for c in cmd]


def in_node(lab, name, node, *cmd, check=True, timeout=30):
    return run(node_cmd(lab, name, node, *cmd), check=check, timeout=timeout)


def nic(lab, path, node):
    st = lab.kn_json("lab", "status", path)
    return next(n for n in st["nodes"] if n["name"] == node)["nics"][0]


def table_nic(lab, path, node):
    """The row of node's first nic in the node table of 'lab status' (text), as a dict by header."""
    lines = lab.kn("lab", "status", path).stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["NODE", "KIND"])
    keys = lines[head].split()
    for line in lines[head + 1:]:
        if not line.strip():
            break
        row = dict(zip(keys, line.split()))
        if row["NODE"] == node:
            return row
    raise AssertionError("no row for node %s in:\n%s" % (node, "\n".join(lines)))


def ping_loss(lab, name, count):
    """Percent of 'count' pings from a to b (10 ms apart) that got no reply."""
    p = in_node(lab, name, "a", "ping", "-q", "-n", "-c", count, "-i", "0.01", "-W", "1",
                "%s.20" % lab.subnet, check=False, timeout=60)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", p.stdout)
    assert m, p.stdout + p.stderr
    return 100.0 * (int(m.group(1)) - int(m.group(2))) / int(m.group(1))


def iperf_mbit(lab, name):
    """What a TCP transfer from a to b reaches, in Mbit/s, at b: 3 s after a first one left out
    (--omit 1: slow start and the tbf's 10 ms burst are not the rate)."""
    srv = subprocess.Popen(node_cmd(lab, name, "b", "iperf3", "-s", "-1", "-p", "5201"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if in_node(lab, name, "b", "ss", "-Hltn", "sport = :5201").stdout.strip():
                break
            time.sleep(0.1)
        p = in_node(lab, name, "a", "iperf3", "-c", "%s.20" % lab.subnet, "-p", "5201", "-t",
                    "3", "-O", "1", "-J", timeout=30)
        return json.loads(p.stdout)["end"]["sum_received"]["bits_per_second"] / 1e6
    finally:
        srv.kill()
        srv.wait()


def tc_of(lab, ifname):
    return run(["ip", "netns", "exec", lab.host, "tc", "qdisc", "show", "dev", ifname]).stdout


def snap(lab):
    """The host as a refused or undone request must leave it, the lab's record folder and the
    port table's empty shell aside (they stay once made, as for any port)."""
    return lab_snapshot(lab, records=False, leases_live=False)


def gone(lab, before):
    """Nothing of the lab is left: no link, address, rule (no loss table), file, namespace."""
    after = snap(lab)
    assert "kvmnet_lab" not in after["nft"], after["nft"]
    assert after == before, lab.snapshot_diff(before, after)


def test_rate_loss_live_and_down(ilab):
    lab = ilab
    name = "imp" + lab.id
    lab.subnet = "10.71.%d" % (int(lab.id[:2], 16) % 200)
    before = snap(lab)
    path = lab_file(lab, name, two_nodes(name, lab.subnet,
                                         "nic.n%s.rate = 8mbit\nnic.n%s.loss = 30%%\n"
                                         % (name, name)))
    up(lab, path)
    b = nic(lab, path, "b")
    assert (b["rate"], b["loss"], b["delay"], b["link"]) == ("8mbit", "30%", None, "up")
    row = table_nic(lab, path, "b")
    assert (row["LINK"], row["RATE"], row["LOSS"], row["DELAY"], row["JITTER"]) == \
        ("up", "8mbit", "30%", "-", "-"), row
    assert (table_nic(lab, path, "a")["RATE"], table_nic(lab, path, "a")["LOSS"]) == ("-", "-")
    port = b["port"]
    assert "tbf" in tc_of(lab, port) and "rate 8Mbit" in tc_of(lab, port)
    rules = lab.nft("list", "table", "bridge", "kvmnet_lab").stdout
    assert "numgen random mod 10000 < 3000" in rules and port in rules

    loss = ping_loss(lab, name, 300)
    print("loss 30%%: %.1f%% of 300 pings lost" % loss)
    assert 15 <= loss <= 45, loss

    # live: no loss, then 2 Mbit/s
    lab.kn("lab", "set", path, "b:n" + name, "loss=0")
    assert "kvmnet_lab" not in lab.nft("list", "chain", "bridge", "kvmnet_lab", "out").stdout \
        or port not in lab.nft("list", "table", "bridge", "kvmnet_lab").stdout
    assert ping_loss(lab, name, 100) <= 2
    mbit = iperf_mbit(lab, name)
    print("rate 8mbit: iperf3 measured %.2f Mbit/s" % mbit)
    assert 6.0 <= mbit <= 8.8, mbit
    lab.kn("lab", "set", path, "b:eth0", "rate=2mbit")
    assert "rate 2Mbit" in tc_of(lab, port)
    mbit = iperf_mbit(lab, name)
    print("rate 2mbit (set live): iperf3 measured %.2f Mbit/s" % mbit)
    assert 1.3 <= mbit <= 2.2, mbit
    assert nic(lab, path, "b")["rate"] == "2mbit"
    assert nic(lab, path, "b")["loss"] is None
    row = table_nic(lab, path, "b")
    assert (row["RATE"], row["LOSS"]) == ("2mbit", "-"), row
    lab.kn("lab", "set", path, "b:n" + name, "rate=none")
    assert "tbf" not in tc_of(lab, port)

    # link flap
    lab.kn("lab", "link", path, "b:n" + name, "down")
    assert nic(lab, path, "b")["link"] == "down"
    row = table_nic(lab, path, "b")
    assert (row["LINK"], row["RATE"]) == ("down", "-"), row
    assert table_nic(lab, path, "a")["LINK"] == "up"
    assert ping_loss(lab, name, 10) == 100
    lab.kn("lab", "link", path, "b:n" + name, "up")
    assert nic(lab, path, "b")["link"] == "up"
    assert table_nic(lab, path, "b")["LINK"] == "up"
    for _ in range(30):   # the bridge port goes through listening/learning only with STP
        if ping_loss(lab, name, 3) == 0:
            break
        time.sleep(0.2)
    assert ping_loss(lab, name, 10) == 0

    lab.kn("lab", "set", path, "b:n" + name, "loss=5%")
    lab.kn("lab", "down", path)
    gone(lab, before)


BAD_SET = [
    ("b:nX", "rate=fast", "invalid rate"),
    ("b:nX", "speed=1mbit", "unknown impairment 'speed' (rate, loss, delay or jitter)"),
    ("b:nX", "loss=101%", "loss"),
    ("b:nX", "jitter=5ms", "jitter needs a delay (set delay first)"),
    ("c:nX", "rate=1mbit", "has no node 'c'"),
    ("b:other", "rate=1mbit", "node b has no nic on network 'other'"),
]


def test_set_refused_and_delay(ilab):
    lab = ilab
    name = "bad" + lab.id
    lab.subnet = "10.72.%d" % (int(lab.id[:2], 16) % 200)
    path = lab_file(lab, name, two_nodes(name, lab.subnet, "nic.n%s.rate = 4mbit\n" % name))
    up(lab, path)
    port = nic(lab, path, "b")["port"]
    tc = tc_of(lab, port)
    for target, kv, message in BAD_SET:
        p = lab.kn("lab", "set", path, target.replace("nX", "n" + name), kv, expect=1)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (kv, p.stderr)
    for args in (("b:n" + name, "sideways"), ("bn" + name, "down")):
        lab.kn("lab", "link", path, *args, expect=2)
    assert tc_of(lab, port) == tc
    assert nic(lab, path, "b")["rate"] == "4mbit"
    row = table_nic(lab, path, "b")
    assert (row["LINK"], row["RATE"], row["LOSS"]) == ("up", "4mbit", "-"), row

    has_netem = "netem" in run(["sh", "-c", "grep -w sch_netem /proc/modules; "
                                "ls /sys/module | grep -x sch_netem"], check=False).stdout
    p = lab.kn("lab", "set", path, "b:n" + name, "delay=20ms", check=False)
    if has_netem:
        assert p.returncode == 0, p.stderr
        pytest.skip("this kernel has netem: the refusal cannot be shown here")
    assert p.returncode == 1
    assert "netem" in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert tc_of(lab, port) == tc

    # a lab file with a delay is refused before anything is made, naming netem
    before = snap(lab)
    other = lab_file(lab, name + "d", two_nodes(name + "d", "10.73.%s" % lab.subnet.split(".")[2],
                                                "nic.n%sd.delay = 20ms\n" % name))
    p = lab.kn("lab", "up", other, expect=1, timeout=30)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "netem" in lines[0] and "node b" in lines[0], p.stderr
    gone(lab, before)
