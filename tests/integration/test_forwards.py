# SPDX-License-Identifier: GPL-2.0-or-later
"""Port forwards with real packets between namespaces: a guest's server reached through a forward
from the outside, from the host itself and from a second guest of the same network (hairpin,
source translated to the gateway); UDP; a range; forwards surviving a daemon restart; refusals
(guest address outside the network, host port in use, port forwarded by another network, wrong
mode), each one line, exit 1, nothing changed."""
import json

from knlab import HOST_UP, OUTSIDE, Probe, run_probes


def forwards(lab, net=None):
    return lab.kn_json("forward", "list", *([net] if net else []))


def test_forward_paths(lab):
    lab.create("lab", "nat", "10.30.0.0/24")
    g1 = lab.guest("kn-lab", "10.30.0.10/24", "10.30.0.1")
    g2 = lab.guest("kn-lab", "10.30.0.11/24", "10.30.0.1")
    lab.serve(g1.ns, "tcp", "0.0.0.0", 80)
    lab.serve(g1.ns, "udp", "0.0.0.0", 53)
    for port in (9000, 9001, 9002):
        lab.serve(g1.ns, "tcp", "0.0.0.0", port)
    # Before: nothing reaches the guest from outside.
    run_probes([Probe("outside -> host:8080 (no forward yet)", lab.out, "tcp", HOST_UP, 8080,
                      expect=False)])
    p = lab.kn("forward", "add", "lab", "tcp", "8080", "10.30.0.10:80")
    assert "tcp-8080" in p.stdout
    lab.kn("forward", "add", "lab", "udp", "5353", "10.30.0.10:53")
    lab.kn("forward", "add", "lab", "tcp", "7000-7002", "10.30.0.10:9000", "--name", "range")
    run_probes([
        Probe("outside -> host:8080 -> g1:80", lab.out, "tcp", HOST_UP, 8080, seen=OUTSIDE),
        Probe("host -> own address:8080 -> g1:80", lab.host, "tcp", HOST_UP, 8080),
        Probe("g2 -> host:8080 (hairpin, masqueraded)", g2.ns, "tcp", HOST_UP, 8080,
              seen="10.30.0.1"),
        Probe("outside -> host:5353/udp -> g1:53", lab.out, "udp", HOST_UP, 5353),
        Probe("outside -> host:7000 -> g1:9000", lab.out, "tcp", HOST_UP, 7000),
        Probe("outside -> host:7002 -> g1:9002", lab.out, "tcp", HOST_UP, 7002),
        Probe("outside -> host:7003 (past the range)", lab.out, "tcp", HOST_UP, 7003,
              expect=False),
    ])
    fw = forwards(lab, "lab")
    assert [(f["name"], f["proto"], f["host-port"], f["to"]) for f in fw] == [
        ("tcp-8080", "tcp", "8080", "10.30.0.10:80"),
        ("udp-5353", "udp", "5353", "10.30.0.10:53"),
        ("range", "tcp", "7000-7002", "10.30.0.10:9000-9002")]
    text = lab.kn("net", "export", "lab").stdout
    assert "[forward range]\nproto = tcp\nhost-port = 7000-7002\nto = 10.30.0.10:9000-9002\n" in text

    # Restart: the forwards come back from the definition and keep working.
    assert lab.stop_daemon() == 0
    lab.start_daemon()
    assert forwards(lab, "lab") == fw
    run_probes([Probe("after restart: outside -> host:8080", lab.out, "tcp", HOST_UP, 8080,
                      seen=OUTSIDE)])

    lab.kn("forward", "remove", "lab", "tcp", "8080")
    run_probes([
        Probe("removed: outside -> host:8080", lab.out, "tcp", HOST_UP, 8080, expect=False),
        Probe("kept: outside -> host:7001", lab.out, "tcp", HOST_UP, 7001),
    ])
    assert "tcp-8080" not in lab.kn("net", "export", "lab").stdout
    # Stopping the network takes its elements out; starting puts them back.
    lab.kn("net", "stop", "lab")
    assert "10.30.0.10" not in lab.nft("list", "map", "inet", "kvmnet", "fwd_any").stdout
    lab.kn("net", "start", "lab")
    assert "10.30.0.10 . 9000" in lab.nft("list", "map", "inet", "kvmnet", "fwd_any").stdout


def refused(lab, *args, why):
    before = (lab.kn("net", "export", "lab").stdout, lab.kvmnet_table())
    p = lab.kn("forward", "add", *args, expect=1)
    assert p.stderr.count("\n") == 1 and why in p.stderr, p.stderr
    assert (lab.kn("net", "export", "lab").stdout, lab.kvmnet_table()) == before


def test_forward_refusals(lab):
    lab.create("lab", "nat", "10.31.0.0/24")
    lab.create("web", "routed", "10.32.0.0/24")
    lab.create("iso", "isolated", "10.33.0.0/24")
    lab.kn("forward", "add", "web", "tcp", "8000-8010", "10.32.0.5:8000")
    refused(lab, "lab", "tcp", "8080", "10.32.0.5:80", why="not a guest address of network lab")
    refused(lab, "lab", "tcp", "8080", "10.31.0.1:80", why="not a guest address")
    refused(lab, "lab", "tcp", "8005", "10.31.0.5:80",
            why="tcp host port 8005 is already forwarded by network 'web'")
    listener = lab.serve(lab.host, "tcp", "0.0.0.0", 8443)
    assert listener
    refused(lab, "lab", "tcp", "8443", "10.31.0.5:443", why="in use by a socket on the host")
    refused(lab, "iso", "tcp", "9999", "10.33.0.5:80", why="port forwards need a nat or routed")
    refused(lab, "lab", "tcp", "1-300", "10.31.0.5:1", why="at most 256 allowed")
    # The same port on udp, or on another host address of the same network, is fine.
    lab.kn("forward", "add", "lab", "udp", "8005", "10.31.0.5:53")
    lab.kn("forward", "add", "lab", "tcp", "8500", "10.31.0.5:443", "--host-address", "192.0.2.9")
    lab.kn("forward", "add", "lab", "tcp", "8500", "10.31.0.6:443", "--host-address", "192.0.2.10")
    refused(lab, "lab", "tcp", "8500", "10.31.0.7:443", why="already forwarded by tcp-8500-192.0.2.9")
    assert {f["name"] for f in forwards(lab)} == {"tcp-8000-8010", "udp-8005",
                                                  "tcp-8500-192.0.2.9", "tcp-8500-192.0.2.10"}
    lab.kn("forward", "remove", "lab", "tcp", "8500", expect=1)
    lab.kn("forward", "remove", "lab", "tcp", "8500", "--host-address", "192.0.2.9")
    lab.kn("forward", "remove", "lab", "tcp", "8500", "--host-address", "192.0.2.10")
    # A definition file with a clashing forward is refused as a whole.
    text = lab.kn("net", "export", "lab").stdout + \
        "\n[forward x]\nproto = tcp\nhost-port = 8001\nto = 10.31.0.7:80\n"
    path = lab.tmp / "lab.conf"
    path.write_text(text)
    p = lab.kn("net", "define", str(path), expect=1)
    assert "already forwarded by network 'web'" in p.stderr
    # Deleting the network frees its ports for others.
    lab.kn("net", "delete", "web")
    lab.kn("net", "define", str(path))
    assert "tcp-8000-8010" not in json.dumps(forwards(lab))
    assert [f["name"] for f in forwards(lab, "lab")] == ["udp-8005", "x"]
