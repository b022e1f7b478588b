# SPDX-License-Identifier: GPL-2.0-or-later
"""Lab files (docs/LABS.md) checked by the daemon with 'kvmnet lab validate': the example labs are
valid and described back (networks, nodes, nics, impairments, checks); invalid files (unknown
network, overlapping subnets, a node on no network, duplicate names, bad keys) and files that
clash with the host (a network of that name, a subnet overlapping a running network or a host
route) are refused with one line naming the problem, exit 1, and nothing on the host changes."""
import pathlib

import pytest

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
    assert web["forwards"] == [{"name": "web-http", "network": "front", "proto": "tcp",
                                "host-port": "8080", "host-address": None, "to": "web:80",
                                "to-address": "10.80.1.10"}]

    train = lab.kn_json("lab", "validate", EXAMPLES / "training.lab")
    assert len(train["networks"]) == 3 and len(train["nodes"]) == 6
    assert {n["mode"] for n in train["networks"]} == {"isolated"}

    text = lab.kn("lab", "validate", EXAMPLES / "webapp.lab").stdout
    assert text.startswith("Lab webapp is valid on this host: 2 networks, 4 nodes, 4 checks, "
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
