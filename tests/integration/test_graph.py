# SPDX-License-Identifier: GPL-2.0-or-later
"""'kvmnet graph': the topology picture. Several networks of different modes, ports, leases
taken by a real DHCP client (udhcpc) and reservations; the SVG from '--format svg' is parsed and
must name every network, subnet, gateway, port (name, MAC) and guest (hostname, address, MAC);
the DOT must be valid for Graphviz; a DHCP client sending a hostile hostname (quotes,
backslashes, '}' and '<') leaves a picture that still renders, with the guest in it and none of
its text injected. KVMNET_GRAPH_KEEP=DIR keeps the pictures (DOT, SVG) for looking at."""
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from knlab import run

HOSTILE = 'ev"il\\\\}<x'   # sent as: ev"il\\}<x


def svg_text(svg):
    root = ET.fromstring(svg)
    return "\n".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))


def keep(name, data):
    d = os.environ.get("KVMNET_GRAPH_KEEP")
    if d:
        with open(os.path.join(d, name), "w") as f:
            f.write(data)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")
def test_graph_svg_names_everything(lab):
    lab.create("shop", "nat", "10.71.0.0/24", "--domain", "shop.test",
               "--dhcp-range", "10.71.0.100-10.71.0.150")
    lab.create("db", "isolated", "10.72.0.0/24")
    lab.create("dev", "routed", "10.73.0.0/24")
    lab.create("guests", "open", "10.74.0.0/24")
    lab.kn("host", "add", "db", "52:54:00:72:00:05", "10.72.0.5", "pg1")
    lab.kn("host", "add", "shop", "52:54:00:71:00:09", "10.71.0.9", "spare")   # never leased
    ports = {"shop": lab.kn("port", "add", "shop", "--mac", "52:54:00:71:00:aa").stdout.strip(),
             "guests": lab.kn("port", "add", "guests", "--name", "kn-visitor",
                              "--mac", "52:54:00:74:00:bb").stdout.strip()}
    clients = [("kn-shop", None, "web1"), ("kn-shop", None, "web2"),
               ("kn-db", "52:54:00:72:00:05", "pg1"), ("kn-dev", None, HOSTILE)]
    guests = []
    for bridge, mac, name in clients:
        g = lab.dhcp_guest(bridge, mac=mac)
        lab.dhcp_client(g, "udhcpc", hostname=name).start()
        guests.append((g, name))
    leases = {g.mac: lab.wait_lease(g.mac, timeout=10) for g, _ in guests}
    assert leases[guests[2][0].mac]["ip"] == "10.72.0.5"
    # the daemon refuses a hostname that is no DNS label: the hostile one never gets in
    assert leases[guests[3][0].mac]["hostname"] == "", leases

    dot = lab.kn("graph").stdout
    keep("graph.dot", dot)
    p = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, timeout=15)
    assert p.returncode == 0, "dot refused kvmnet's DOT: %s\n%s" % (p.stderr, dot)

    out = lab.tmp / "topology.svg"
    lab.kn("graph", "--format", "svg", "--output", out)
    svg = out.read_text()
    keep("graph.svg", svg)
    assert svg == lab.kn("graph", "--format", "svg").stdout
    text = svg_text(svg)
    want = ["shop (nat)", "db (isolated)", "dev (routed)", "guests (open)",
            "subnet 10.71.0.0/24", "subnet 10.72.0.0/24", "subnet 10.73.0.0/24",
            "subnet 10.74.0.0/24", "gateway 10.71.0.1", "gateway 10.72.0.1", "gateway 10.73.0.1",
            "gateway 10.74.0.1", "domain shop.test", "isolated: no way out",
            "bridge kn-shop", "bridge kn-db", "bridge kn-dev", "bridge kn-guests",
            "port " + ports["shop"], "port kn-visitor", "52:54:00:71:00:aa", "52:54:00:74:00:bb",
            "web1", "web2", "pg1", "spare", "10.71.0.9", "52:54:00:71:00:09", "reserved, no lease"]
    for g, name in guests:
        want += [leases[g.mac]["ip"], g.mac]
    missing = [w for w in want if w not in text]
    assert not missing, "not in the SVG: %s\nSVG text:\n%s" % (missing, text)
    for bad in ('ev"il', "}<x", "il\\"):
        assert bad not in text and bad not in dot, bad
    # 'db' is isolated: no line from the outside to its bridge (only the invisible one)
    isolated_edges = [l for l in dot.splitlines() if "outside -> " in l and "invis" not in l]
    assert len(isolated_edges) == 3, isolated_edges

    # --json gives the one document it was drawn from
    doc = lab.kn_json("graph")
    assert sorted(n["name"] for n in doc["networks"]) == ["db", "dev", "guests", "shop"]
    assert {h["hostname"] for n in doc["networks"] for h in n["hosts"]} == {"pg1", "spare"}


def test_graph_without_dot_and_bad_usage(lab):
    lab.create("solo", "nat", "10.75.0.0/24")
    out = lab.tmp / "never.svg"
    env = dict(os.environ, PATH="/nonexistent")
    p = run([str(lab.bin / "kvmnet"), "--socket", str(lab.sock), "graph", "--format", "svg",
             "--output", str(out)], check=False, env=env)
    assert p.returncode == 1 and "'dot' not found" in p.stderr, p
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert not out.exists() and not list(lab.tmp.glob(".never.svg.*"))
    assert lab.kn("graph", "--format", "png", expect=2).stdout == ""
    assert "solo (nat)" in lab.kn("graph").stdout
