# SPDX-License-Identifier: GPL-2.0-or-later
"""Lab files (docs/LABS.md) checked by the daemon with 'kvmnet lab validate': the example labs are
valid and described back (networks, nodes, nics, impairments, checks); invalid files (unknown
network, overlapping subnets, a node on no network, duplicate names, bad keys) and files that
clash with the host (a network of that name, a subnet overlapping a running network or a host
route) are refused with one line naming the problem, exit 1, and nothing on the host changes."""
import pathlib

import pytest

from labkit import lab_daemon, lab_snapshot
from knlab import HOST_UP

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "labs"

NET1 = "[network n1]\nsubnet = 10.61.0.0/24\ndhcp-range = 10.61.0.100-10.61.0.200\n"

BAD = [
    ("unknown-network", NET1 + "[node a]\nnics = n2\n",
     "line 4: node a: unknown network 'n2' (no [network n2] section in the lab)"),
    ("overlap", NET1 + "[network n2]\nsubnet = 10.61.0.128/25\n[node a]\nnics = n1\n",
     "line 4: subnet 10.61.0.128/25 of network n2 overlaps subnet 10.61.0.0/24 of network n1"),
    ("no-network", NET1 + "[node a]\nkind = netns\n",
     "line 4: node a is on no network (give it nics = NETWORK ...)"),
    ("duplicate", NET1 + "[node a]\nnics = n1\n[node a]\nnics = n1\n",
     "line 6: duplicate section [node a] (first on line 4)"),
    ("bad-key", NET1 + "[node a]\nnics = n1\nram = 1G\n", "line 6: unknown key 'ram' in [node a]"),
    ("forward-to-dhcp-node", NET1 + "[node a]\nnics = n1\n[forward f]\nnetwork = n1\n"
     "proto = tcp\nhost-port = 8080\nto = a:80\n",
     "line 6: forward f: node a has no static address on network n1 (give it nics = n1:ADDRESS)"),
    ("bad-check", NET1 + "[node a]\nnics = n1\n[check c]\nfrom = a\nto = b:80\nexpect = open\n",
     "line 6: check c: unknown node 'b' in to"),
]


def write(lab, name, text):
    p = lab.tmp / (name + ".lab")
    p.write_text(text)
    return p


def refused(lab, path, message):
    before = lab.snapshot()
    p = lab.kn("lab", "validate", path, expect=1)
    assert p.stdout == "", p.stdout
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(message), p.stderr
    assert lab.snapshot() == before, lab.snapshot_diff(before, lab.snapshot())


def test_examples_valid(lab):
    web = lab.kn_json("lab", "validate", EXAMPLES / "webapp.lab")
    assert web["name"] == "webapp"
    assert [(n["name"], n["mode"], n["subnet"]) for n in web["networks"]] == \
        [("front", "nat", "10.80.1.0/24"), ("back", "isolated", "10.80.2.0/24")]
    nodes = {n["name"]: n for n in web["nodes"]}
    assert nodes["web"]["kind"] == "qemu" and nodes["web"]["memory"] == 256
    assert [(c["network"], c["address"]) for c in nodes["app"]["nics"]] == \
        [("front", "10.80.1.20"), ("back", "10.80.2.20")]
    client = nodes["client"]["nics"][0]
    assert (client["address"], client["rate"], client["loss"]) == (None, "20mbit", "1%")
    checks = {c["name"]: c for c in web["checks"]}
    assert checks["db-hidden-from-outside"] == {"name": "db-hidden-from-outside",
                                                "from": "client", "to": "db", "port": 5432,
                                                "expect": "closed"}
    assert checks["db-no-ping-from-outside"]["port"] is None
    assert (checks["db-hidden-from-web"]["from"], checks["db-hidden-from-web"]["port"]) == \
        ("web", 5432)
    assert web["forwards"] == [{"name": "web-http", "network": "front", "proto": "tcp",
                                "host-port": "8080", "host-address": None, "to": "web:80",
                                "to-address": "10.80.1.10"}]

    train = lab.kn_json("lab", "validate", EXAMPLES / "training.lab")
    assert len(train["networks"]) == 3 and len(train["nodes"]) == 6
    assert {n["mode"] for n in train["networks"]} == {"isolated"}

    text = lab.kn("lab", "validate", EXAMPLES / "webapp.lab").stdout
    assert text.startswith("Lab webapp is valid on this host: 2 networks, 4 nodes, 6 checks, "
                           "1 forwards")
    for word in ("10.80.2.30", "dhcp", "20mbit", "db-hidden-from-outside", "isolated",
                 "web-http", "web:80"):
        assert word in text, text
    assert lab.networks() == {}, "validate created something"


def test_default_name_from_file(lab):
    p = write(lab, "my-lab", NET1 + "[node a]\nnics = n1\n")
    assert lab.kn_json("lab", "validate", p)["name"] == "my-lab"


@pytest.mark.parametrize("name,text,message", BAD, ids=[b[0] for b in BAD])
def test_invalid_refused(lab, name, text, message):
    lab.create("keep", "nat", "10.62.0.0/24")
    refused(lab, write(lab, name, text), message)


def test_clashes_with_host_refused(lab):
    lab.create("front", "nat", "10.63.0.0/24")
    lab.create("other", "isolated", "10.64.0.0/24")
    same_name = "[network front]\nsubnet = 10.65.0.0/24\n[node a]\nnics = front\n"
    refused(lab, write(lab, "same", same_name),
            "line 1: network front already exists on this host")
    overlap = NET1 + "[network n2]\nsubnet = 10.64.0.0/16\n[node a]\nnics = n1 n2\n"
    refused(lab, write(lab, "ov", overlap),
            "line 4: network n2: subnet 10.64.0.0/16 overlaps network 'other' (10.64.0.0/24)")
    # the route of the host namespace's uplink (up0, knlab's HOST_UP/24) counts too
    route = "[network r]\nsubnet = %s.0/24\n[node a]\nnics = r\n" % HOST_UP.rsplit(".", 1)[0]
    p = lab.kn("lab", "validate", write(lab, "route", route), expect=1)
    assert "overlaps route" in p.stderr, p.stderr


def test_unreadable_and_bad_text(lab):
    p = lab.kn("lab", "validate", lab.tmp / "missing.lab", expect=1)
    assert "cannot read" in p.stderr and "No such file" in p.stderr
    p = lab.kn("lab", "validate", write(lab, "nul", "[lab]\nname = a\x00b\n"), expect=1)
    assert p.stderr.strip().endswith("nul.lab' contains a NUL byte"), p.stderr


# ---- lab up / status / down (netns nodes) ---------------------------------------------------
#
# The daemon runs in the test's mount namespace (nsenter --net, not ip netns exec, whose private
# mount namespace would take the nodes' namespace mounts with it at a restart) with its own
# --netns-dir, so that no test sees another's lab namespaces.

import json
import time

from knlab import run


def fnv(lab_name, node):
    h = 2166136261
    for ch in (lab_name + "/" + node).encode():
        h = ((h ^ ch) * 16777619) & 0xffffffff
    return h


def host_port(lab_name, node, nic=0):
    return "kl%08xn%d" % (fnv(lab_name, node), nic)


@pytest.fixture
def nlab(topo):
    yield from lab_daemon(topo)


def in_node(lab, node_ns, *cmd, check=True, timeout=15):
    return run(["nsenter", "--net=%s/%s" % (lab.nsdir, node_ns)] + list(cmd), check=check,
               timeout=timeout)


def snap(lab):
    return lab_snapshot(lab)


def test_training_up_restart_down(nlab):
    lab = nlab
    before = snap(lab)
    t0 = time.monotonic()
    p = lab.kn("lab", "up", EXAMPLES / "training.lab", timeout=60)
    took = time.monotonic() - t0
    print("training.lab (6 netns nodes, 3 networks, 7 checks) up in %.2f s" % took)
    out = p.stdout
    assert out.startswith("Bringing up lab training\n"), out
    for line in ("network student1 created: isolated, 10.90.1.0/24 on kn-student1",
                 "all 6 nodes up in", "check ws1-own-server: passed (expected open, found open",
                 "check ws3-not-student1: passed (expected closed, found closed",
                 "7 of 7 checks passed"):
        assert line in out, out
    assert "by DHCP (student2)" in out, out

    st = lab.kn_json("lab", "status", EXAMPLES / "training.lab")
    assert st["state"] == "up" and st["checks-failed"] == 0
    assert [n["name"] for n in st["networks"]] == ["student1", "student2", "student3"]
    nodes = {n["name"]: n for n in st["nodes"]}
    assert set(nodes) == {"ws1", "srv1", "ws2", "srv2", "ws3", "srv3"}
    for name, n in nodes.items():
        assert n["state"] == "up" and n["kind"] == "netns", n
        assert n["namespace"] == "kl-training-" + name
        nic = n["nics"][0]
        assert nic["ifname"] == "eth0" and nic["dhcp"] is True
        assert nic["port"] == host_port("training", name)
        student = nic["network"][-1]
        assert nic["address"].startswith("10.90.%s." % student), nic
        # the kernel agrees: the address inside the namespace, the port on the bridge
        addrs = json.loads(in_node(lab, n["namespace"], "ip", "-j", "-4", "addr", "show",
                                   "eth0").stdout)
        assert addrs[0]["addr_info"][0]["local"] == nic["address"]
        assert lab.link(nic["port"])["master"] == "kn-student" + student
    assert {c["name"]: c["result"] for c in st["checks"]} == {
        c: "passed" for c in ("ws1-own-server", "ws2-own-server", "ws3-own-server",
                              "ws1-not-student2", "ws1-not-student3", "ws2-not-student3",
                              "ws3-not-student1")}
    # a real client inside a node: ws1 pings its server, not student 2's
    srv1, srv2 = nodes["srv1"]["nics"][0]["address"], nodes["srv2"]["nics"][0]["address"]
    in_node(lab, "kl-training-ws1", "ping", "-c1", "-W2", srv1)
    assert in_node(lab, "kl-training-ws1", "ping", "-c1", "-W1", srv2, check=False).returncode
    # the ports are kvmnet's, listed with their network
    ports = {p["name"]: p for p in lab.kn_json("port", "list")}
    assert ports[host_port("training", "ws1")]["network"] == "student1"
    assert {p["origin"] for p in ports.values()} == {"lab"}
    assert (ports[host_port("training", "ws1")]["lab"],
            ports[host_port("training", "ws1")]["node"]) == ("training", "ws1")
    # the picture shows the lab in one box, each node once (kind, namespace, addresses) and
    # joined to its port
    dot = lab.kn("graph", "--format", "dot").stdout
    for name in nodes:
        assert dot.count('label="node %s\\nnetns\\nkl-training-%s\\neth0 %s ('
                         % (name, name, nodes[name]["nics"][0]["address"])) == 1, dot
        assert host_port("training", name) in dot, dot
    assert dot.count('label="lab training (up, ') == 1, dot
    assert dot.count(" -> l0n") == len(nodes), dot
    p = lab.kn("port", "remove", host_port("training", "ws1"), expect=1)
    assert p.stderr.strip().endswith("port '%s' is a node's of lab training: 'lab down' "
                                     "removes it" % host_port("training", "ws1")), p.stderr

    # a second 'up' of the same file changes nothing
    state_before = (lab.state / "labs" / "training.state").read_text()
    p = lab.kn("lab", "up", EXAMPLES / "training.lab")
    assert "already up from this file: nothing changed" in p.stdout
    assert (lab.state / "labs" / "training.state").read_text() == state_before

    # a restarted daemon takes the lab back: same nodes, addresses, check results
    lab.stop_daemon()
    lab.start_daemon(args=lab.daemon_args, mount_ns=False)
    st2 = lab.kn_json("lab", "status", EXAMPLES / "training.lab")
    assert st2["state"] == "up" and st2["checks-failed"] == 0
    assert {p["origin"] for p in lab.kn_json("port", "list")} == {"lab"}
    assert [(n["name"], n["state"], n["nics"][0]["address"]) for n in st2["nodes"]] == \
        [(n["name"], "up", n["nics"][0]["address"]) for n in st["nodes"]]
    in_node(lab, "kl-training-ws1", "ping", "-c1", "-W2", srv1)
    # the DHCP clients run again (they renew at T1): the daemon's socket on port 68 inside
    ss = in_node(lab, "kl-training-srv2", "ss", "-uanp").stdout
    assert ":68 " in ss and "kvmnetd" in ss, ss

    p = lab.kn("lab", "down", EXAMPLES / "training.lab")
    assert p.stdout.strip() == "Lab training is down: 6 nodes and 3 networks removed"
    after = snap(lab)
    assert after == before, lab.snapshot_diff(before, after)
    p = lab.kn("lab", "status", EXAMPLES / "training.lab", expect=1)
    assert p.stderr.strip().endswith("lab 'training' is not up"), p.stderr


CHECKS_LAB = """[lab]
name = chk

[network lan]
mode = isolated
subnet = 10.71.0.0/24
dhcp-range = 10.71.0.100-10.71.0.150

[node app]
nics = lan:10.71.0.10

[node db]
nics = lan:10.71.0.20
listen = 5432

[node dhcp-only]
nics = lan
nic.lan.rate = 10mbit

[check db-open]
from = app
to = db:5432
expect = open

[check other-port-closed]
from = app
to = db:5433
expect = closed

[check ping-db]
from = dhcp-only
to = db
expect = open

[check wrongly-expected]
from = app
to = db:22
expect = open
"""


def test_failing_check_exit_1(nlab):
    lab = nlab
    path = write(lab, "chk", CHECKS_LAB)
    p = lab.kn("lab", "up", path, expect=1, timeout=60)
    assert "check wrongly-expected: FAILED (expected open, found closed: refused)" in p.stdout
    assert "check db-open: passed (expected open, found open: connected)" in p.stdout
    assert "check other-port-closed: passed (expected closed, found closed: refused)" in p.stdout
    assert "check ping-db: passed (expected open, found open: echo reply)" in p.stdout
    assert p.stderr.strip() == "kvmnet: lab chk: 1 of 4 checks failed", p.stderr
    # the impairments the file asks for are applied, and said
    assert "node dhcp-only: nic lan: rate 10mbit" in p.stdout
    row = [ln for ln in p.stdout.splitlines() if ln.startswith("wrongly-expected")]
    assert row and row[0].split()[5] == "failed", p.stdout
    st = json.loads(lab.kn("--json", "lab", "status", path, expect=1).stdout)
    checks = {c["name"]: c for c in st["checks"]}
    assert checks["wrongly-expected"]["result"] == "failed"
    assert checks["wrongly-expected"]["observed"] == "closed"
    assert checks["db-open"]["result"] == "passed"
    # the static nodes' addresses are reserved for their MACs (port security lets them through)
    hosts = {h["ip"]: h for h in lab.kn_json("host", "list", "lan")}
    assert set(hosts) == {"10.71.0.10", "10.71.0.20"}
    # the listener is the daemon's, inside the namespace: a real client connects
    in_node(lab, "kl-chk-app", "nc", "-z", "-w2", "10.71.0.20", "5432")
    lab.kn("lab", "down", path)
    assert lab.networks() == {}


def test_two_labs_and_overlap(nlab):
    lab = nlab
    a = write(lab, "la", "[network na]\nsubnet = 10.72.0.0/24\ndhcp = no\n"
                         "[node x]\nnics = na:10.72.0.5\n")
    b = write(lab, "lb", "[network nb]\nsubnet = 10.73.0.0/24\ndhcp = no\n"
                         "[node x]\nnics = nb:10.73.0.5\n")
    c = write(lab, "lc", "[network nc]\nsubnet = 10.72.0.0/16\ndhcp = no\n"
                         "[node x]\nnics = nc:10.72.9.5\n")
    lab.kn("lab", "up", a)
    lab.kn("lab", "up", b)
    assert set(lab.networks()) == {"na", "nb"}
    before = snap(lab)
    p = lab.kn("lab", "up", c, expect=1)
    assert p.stderr.strip().endswith(
        "line 1: network nc: subnet 10.72.0.0/16 overlaps network 'na' (10.72.0.0/24)"), p.stderr
    after = snap(lab)
    # (the running labs' traffic moves counters and dynamic sets: the rules are compared)
    assert {k: v for k, v in after.items() if k != "nft"} == \
        {k: v for k, v in before.items() if k != "nft"}, lab.snapshot_diff(before, after)
    assert lab.kvmnet_rules_mentioning("kn-nc") == [] and lab.link("kn-nc") is None
    assert sorted(lab.nsdir.iterdir()) == [lab.nsdir / "kl-la-x", lab.nsdir / "kl-lb-x"]
    lab.kn("lab", "down", a)
    assert set(lab.networks()) == {"nb"}
    lab.kn("lab", "down", b)
    assert lab.networks() == {}


def test_failure_part_way_rolls_back(nlab):
    lab = nlab
    text = ("[lab]\nname = rb\n[network r1]\nsubnet = 10.74.0.0/24\ndhcp = no\n"
            "[network r2]\nsubnet = 10.75.0.0/24\ndhcp-range = 10.75.0.100-10.75.0.200\n"
            "[node a]\nnics = r1:10.74.0.5 r2\n[node b]\nnics = r2:10.75.0.5\n")
    path = write(lab, "rb", text)
    # someone else's interface has the name node b's port would get: b fails after the
    # networks and node a were made
    run(["ip", "-n", lab.host, "link", "add", host_port("rb", "b"), "type", "bridge"])
    before = snap(lab)
    p = lab.kn("lab", "up", path, expect=1)
    assert p.stderr.strip().endswith("node b: cannot create port %s (network r2): File exists"
                                     % host_port("rb", "b")), p.stderr
    after = snap(lab)
    assert after == before, lab.snapshot_diff(before, after)
    assert "up failed" in lab.log_text()


def test_fifty_nodes_bounded(nlab):
    lab = nlab
    lines = ["[lab]", "name = big", "[network bn1]", "subnet = 10.76.0.0/24",
             "dhcp-range = 10.76.0.100-10.76.0.250", "[network bn2]", "mode = isolated",
             "subnet = 10.77.0.0/24", "dhcp = no"]
    for i in range(50):
        lines += ["[node n%d]" % i]
        if i % 5 == 0:   # one in five takes a DHCP lease
            lines += ["nics = bn1 bn2:10.77.0.%d" % (i + 10)]
        else:
            lines += ["nics = bn1:10.76.0.%d bn2:10.77.0.%d" % (i + 10, i + 10)]
    lines += ["[check first-last]", "from = n0", "to = n49", "expect = open"]
    path = write(lab, "big", "\n".join(lines) + "\n")
    before = snap(lab)
    t0 = time.monotonic()
    lab.kn("lab", "up", path, timeout=120)
    up = time.monotonic() - t0
    st = lab.kn_json("lab", "status", path)
    assert st["state"] == "up" and st["checks-failed"] == 0
    assert len(st["nodes"]) == 50 and all(n["state"] == "up" for n in st["nodes"])
    assert len(list(lab.nsdir.iterdir())) == 50
    t0 = time.monotonic()
    lab.kn("lab", "down", path, timeout=120)
    down = time.monotonic() - t0
    print("50 netns nodes (100 nics, 10 by DHCP), 2 networks: up %.2f s (daemon: nodes %d ms,"
          " all %d ms), down %.2f s" % (up, st["figures"]["nodes-ms"], st["figures"]["up-ms"],
                                        down))
    assert up < 30 and down < 20, (up, down)
    after = snap(lab)
    assert after == before, lab.snapshot_diff(before, after)
