# SPDX-License-Identifier: GPL-2.0-or-later
"""Port forwards with real packets between namespaces: a guest's server reached through a forward
from the outside, from the host itself and from a second guest of the same network (hairpin,
source translated to the gateway); UDP; a range; forwards surviving a daemon restart; refusals
(guest address outside the network, host port in use, port forwarded by another network, wrong
mode), each one line, exit 1, nothing changed."""
import json

from knlab import HOST_UP, OUTSIDE, Probe, run, run_probes


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


def test_forward_routed(lab):
    """A forward on a routed network, with real packets: the outside reaches the guest's server
    through the host port, and the guest sees the outside's own address (a routed network
    translates nothing but the destination); the guest is also reachable directly, and the
    forward goes with 'forward remove'."""
    lab.create("rt", "routed", "10.34.0.0/24")
    g = lab.guest("kn-rt", "10.34.0.10/24", "10.34.0.1")
    lab.serve(g.ns, "tcp", "0.0.0.0", 80)
    lab.serve(g.ns, "udp", "0.0.0.0", 53)
    run_probes([Probe("outside -> host:8081 (no forward yet)", lab.out, "tcp", HOST_UP, 8081,
                      expect=False)])
    lab.kn("forward", "add", "rt", "tcp", "8081", "10.34.0.10:80")
    lab.kn("forward", "add", "rt", "udp", "5354", "10.34.0.10:53")
    run_probes([
        Probe("outside -> host:8081 -> guest:80", lab.out, "tcp", HOST_UP, 8081, seen=OUTSIDE),
        Probe("outside -> host:5354/udp -> guest:53", lab.out, "udp", HOST_UP, 5354),
        Probe("outside -> guest:80 directly (routed)", lab.out, "tcp", "10.34.0.10", 80,
              seen=OUTSIDE),
        Probe("host -> own address:8081 -> guest:80", lab.host, "tcp", HOST_UP, 8081),
    ])
    lab.kn("forward", "remove", "rt", "tcp", "8081")
    run_probes([
        Probe("removed: outside -> host:8081", lab.out, "tcp", HOST_UP, 8081, expect=False),
        Probe("kept: outside -> host:5354/udp", lab.out, "udp", HOST_UP, 5354),
    ])


def test_forward_claims_follow_changes(lab):
    """The index of claimed host ports follows each add and remove of a network's forwards
    (the list they point into is replaced each time): ports freed by 'forward remove' are free
    for another network at once, the others stay claimed under their own names."""
    lab.create("a", "nat", "10.35.0.0/24")
    lab.create("b", "nat", "10.36.0.0/24")
    for i in range(6):
        lab.kn("forward", "add", "a", "tcp", str(8100 + i), "10.35.0.5:%d" % (80 + i))
    lab.kn("forward", "remove", "a", "tcp", "8102")
    lab.kn("forward", "add", "a", "tcp", "8110-8111", "10.35.0.6:80", "--name", "pair")
    lab.kn("forward", "remove", "a", "tcp", "8100")
    for port, owner in ((8101, "tcp-8101"), (8105, "tcp-8105"), (8111, "pair")):
        p = lab.kn("forward", "add", "b", "tcp", str(port), "10.36.0.5:80", expect=1)
        assert "already forwarded by network 'a' (forward %s)" % owner in p.stderr, p.stderr
    for port in (8100, 8102):
        lab.kn("forward", "add", "b", "tcp", str(port), "10.36.0.5:%d" % port)
    assert sorted(f["host-port"] for f in forwards(lab, "b")) == ["8100", "8102"]
    # a redefinition of 'a' that keeps its forwards and drops one frees that one too
    text = lab.kn("net", "export", "a").stdout.replace(
        "[forward tcp-8103]\nproto = tcp\nhost-port = 8103\nto = 10.35.0.5:83\n", "")
    path = lab.tmp / "a.conf"
    path.write_text(text)
    lab.kn("net", "define", str(path))
    lab.kn("forward", "add", "b", "tcp", "8103", "10.36.0.5:83")
    p = lab.kn("forward", "add", "b", "tcp", "8104", "10.36.0.5:84", expect=1)
    assert "forward tcp-8104" in p.stderr, p.stderr


def test_define_probes_new_forward_ports(lab):
    """'net define' probes the host ports of forwards it adds for listening sockets, as
    'forward add' does (refused, one line, nothing changed); the ports of forwards the network
    has already are not probed again, so other edits still go through."""
    lab.create("lab", "nat", "10.37.0.0/24")
    lab.kn("forward", "add", "lab", "tcp", "8200", "10.37.0.5:80")
    # a host service takes port 8200 after the forward was made, and another takes 8201
    assert lab.serve(lab.host, "tcp", "0.0.0.0", 8200)
    assert lab.serve(lab.host, "tcp", "0.0.0.0", 8201)
    before = lab.kn("net", "export", "lab").stdout
    text = before + "\n[forward web2]\nproto = tcp\nhost-port = 8201\nto = 10.37.0.6:80\n"
    path = lab.tmp / "lab.conf"
    path.write_text(text)
    p = lab.kn("net", "define", str(path), expect=1)
    assert p.stderr.count("\n") == 1 and "tcp host port 8201 is in use by a socket on the host" \
        in p.stderr, p.stderr
    assert lab.kn("net", "export", "lab").stdout == before
    assert [f["name"] for f in forwards(lab, "lab")] == ["tcp-8200"]
    # the kept forward on 8200 is not probed: an unrelated edit is accepted
    path.write_text(before.replace("[network]\n", "[network]\nlease-time = 2h\n", 1))
    lab.kn("net", "define", str(path))
    assert "lease-time = 2h" in lab.kn("net", "export", "lab").stdout
    assert [f["name"] for f in forwards(lab, "lab")] == ["tcp-8200"]


def test_forward_host_address_and_udp_range(lab):
    """A forward bound to one host address (--host-address) answers on that address only, from
    the outside, from the host itself and from a guest (hairpin), while the same port of another
    host address goes to another guest; a UDP range maps each port of the range."""
    second = "198.51.100.3"
    run(["ip", "-n", lab.host, "addr", "add", second + "/24", "dev", "up0"])
    lab.create("ha", "nat", "10.38.0.0/24")
    g1 = lab.guest("kn-ha", "10.38.0.10/24", "10.38.0.1")
    g2 = lab.guest("kn-ha", "10.38.0.11/24", "10.38.0.1")
    lab.serve(g1.ns, "tcp", "0.0.0.0", 80)       # g2 serves nothing on 80
    for port in (6000, 6001):
        lab.serve(g1.ns, "udp", "0.0.0.0", port)
    lab.kn("forward", "add", "ha", "tcp", "8090", "10.38.0.10:80", "--host-address", second)
    lab.kn("forward", "add", "ha", "udp", "5000-5001", "10.38.0.10:6000")
    run_probes([
        Probe("outside -> second:8090 -> g1:80", lab.out, "tcp", second, 8090, seen=OUTSIDE),
        Probe("host -> second:8090 -> g1:80", lab.host, "tcp", second, 8090),
        Probe("g2 -> second:8090 (hairpin)", g2.ns, "tcp", second, 8090, seen="10.38.0.1"),
        Probe("outside -> host:8090 (bound to the other address)", lab.out, "tcp", HOST_UP,
              8090, expect=False),
        Probe("host -> own address:8090 (bound to the other address)", lab.host, "tcp",
              HOST_UP, 8090, expect=False),
        Probe("outside -> host:5000/udp -> g1:6000", lab.out, "udp", HOST_UP, 5000),
        Probe("outside -> host:5001/udp -> g1:6001", lab.out, "udp", HOST_UP, 5001),
        Probe("outside -> second:5001/udp (any address) -> g1:6001", lab.out, "udp", second,
              5001),
        Probe("outside -> host:5002/udp (past the range)", lab.out, "udp", HOST_UP, 5002,
              expect=False),
    ])
    # the same port on the other address goes to g2, which serves nothing there; the first
    # address still goes to g1
    lab.kn("forward", "add", "ha", "tcp", "8090", "10.38.0.11:80", "--host-address", HOST_UP)
    run_probes([
        Probe("outside -> second:8090 -> still g1:80", lab.out, "tcp", second, 8090,
              seen=OUTSIDE),
        Probe("outside -> host:8090 -> g2:80 (closed)", lab.out, "tcp", HOST_UP, 8090,
              expect=False),
    ])
    fw = {f["name"]: f for f in forwards(lab, "ha")}
    assert fw["tcp-8090-" + second]["host-address"] == second, fw
    assert fw["udp-5000-5001"]["to"] == "10.38.0.10:6000-6001", fw
    elems = lab.nft("list", "map", "inet", "kvmnet", "fwd_addr").stdout
    assert "%s . tcp . 8090 : 10.38.0.10 . 80" % second in elems, elems
    lab.kn("forward", "remove", "ha", "tcp", "8090", "--host-address", second)
    run_probes([Probe("removed: outside -> second:8090", lab.out, "tcp", second, 8090,
                      expect=False)])
    lab.kn("forward", "remove", "ha", "udp", "5000")
    run_probes([Probe("removed: outside -> host:5001/udp", lab.out, "udp", HOST_UP, 5001,
                      expect=False)])


def test_forward_refused_for_udp_and_bound_listeners(lab):
    """The listening-socket probe covers UDP sockets, and sockets bound to one address: such a
    socket blocks a forward of any address and one bound to its address, not one bound to
    another address."""
    lab.create("lab", "nat", "10.39.0.0/24")
    assert lab.serve(lab.host, "udp", "0.0.0.0", 5400)
    refused(lab, "lab", "udp", "5400", "10.39.0.5:53", why="udp host port 5400 is in use by a "
            "socket on the host")
    refused(lab, "lab", "udp", "5398-5402", "10.39.0.5:53", why="udp host port 5400 is in use")
    assert lab.serve(lab.host, "tcp", HOST_UP, 8444)
    refused(lab, "lab", "tcp", "8444", "10.39.0.5:443", why="tcp host port 8444 is in use")
    refused(lab, "lab", "tcp", "8444", "10.39.0.5:443", "--host-address", HOST_UP,
            why="tcp host port 8444 is in use")
    lab.kn("forward", "add", "lab", "tcp", "8444", "10.39.0.5:443", "--host-address",
           "192.0.2.77")
    lab.kn("forward", "add", "lab", "tcp", "5400", "10.39.0.5:53")   # tcp: the udp socket is not in the way
    assert sorted(f["name"] for f in forwards(lab, "lab")) == ["tcp-5400", "tcp-8444-192.0.2.77"]
