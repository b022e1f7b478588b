# SPDX-License-Identifier: GPL-2.0-or-later
"""EVPN overlays (issue 14): the three "hosts" of test_overlay.py, each also running its own FRR
(Debian's zebra and bgpd, started here in the host's namespace, sockets and configuration in the
lab's temp dir, iBGP between the underlay addresses). kvmnetd writes bgpd's EVPN configuration
through the vty socket (--frr-vty-dir); zebra announces the guests' MACs and installs the other
hosts' in the VXLAN device's forwarding table. No static flood entry: the VTEPs come from BGP.
"""
import json
import os
import pathlib
import pwd
import re
import subprocess
import time

import pytest

import knlab
from knlab import run
from test_overlay import Hosts, link_json, ping_loss, underlay_ip

VNI = 4343
SUBNET = "10.73.0.0/24"
GW = "10.73.0.1"
DEV = "knvx%d" % VNI
ZERO = "00:00:00:00:00:00"
ASN = 65000
ZEBRA = pathlib.Path("/usr/lib/frr/zebra")
BGPD = pathlib.Path("/usr/lib/frr/bgpd")


def frr_missing():
    for p in (ZEBRA, BGPD, pathlib.Path("/usr/bin/vtysh")):
        if not p.exists():
            return "%s missing (Debian package frr)" % p
    try:
        pwd.getpwnam("frr")
    except KeyError:
        return "user frr missing (Debian package frr)"
    return None


def neigh_suppress_missing():
    """Probes the bridge port flag in a namespace of its own."""
    ns = "kn-evpn-probe-%d" % os.getpid()
    run(["ip", "netns", "add", ns])
    try:
        run(["ip", "-n", ns, "link", "add", "b0", "type", "bridge"])
        run(["ip", "-n", ns, "link", "add", "v0", "type", "vxlan", "id", "1", "dstport", "4789",
             "local", "192.0.2.1", "nolearning"])
        run(["ip", "-n", ns, "link", "set", "v0", "master", "b0"])
        p = run(["ip", "netns", "exec", ns, "bridge", "link", "set", "dev", "v0",
                 "neigh_suppress", "on"], check=False)
        return None if p.returncode == 0 else "bridge port neigh_suppress: " + p.stderr.strip()
    finally:
        run(["ip", "netns", "del", ns], check=False)


class Frr:
    """zebra and bgpd of one host, as the frr user, everything in 'lab.tmp/frr'."""

    def __init__(self, lab, i, n):
        self.lab = lab
        self.dir = lab.tmp / "frr"
        os.chmod(lab.tmp, 0o711)   # the frr user passes through to its own directory
        self.dir.mkdir(mode=0o700)
        u = pwd.getpwnam("frr")
        os.chown(self.dir, u.pw_uid, u.pw_gid)
        peers = [underlay_ip(j) for j in range(n) if j != i]
        conf = ["hostname h%d" % i, "router bgp %d" % ASN,
                " bgp router-id %s" % underlay_ip(i), " no bgp default ipv4-unicast"]
        for p in peers:
            conf += [" neighbor %s remote-as %d" % (p, ASN), " neighbor %s timers connect 1" % p]
        conf += [" address-family l2vpn evpn"] + ["  neighbor %s activate" % p for p in peers]
        conf += [" exit-address-family", ""]
        (self.dir / "bgpd.conf").write_text("\n".join(conf))
        common = ["--vty_socket", str(self.dir), "-z", str(self.dir / "zserv.api"), "-P", "0",
                  "-u", "frr", "-g", "frr"]
        self.zebra, _ = lab.spawn(lab.host, [str(ZEBRA), "-f", "/dev/null", "-i",
                                             str(self.dir / "zebra.pid"), *common,
                                             "--log", "file:%s" % (self.dir / "zebra.log")])
        self.wait_socket("zebra.vty")
        self.bgpd, _ = lab.spawn(lab.host, [str(BGPD), "-f", str(self.dir / "bgpd.conf"), "-i",
                                            str(self.dir / "bgpd.pid"), *common,
                                            "--log", "file:%s" % (self.dir / "bgpd.log")])
        self.wait_socket("bgpd.vty")

    def wait_socket(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while not (self.dir / name).exists():
            assert time.monotonic() < deadline, "FRR's %s did not come up" % name
            time.sleep(0.05)

    def vtysh(self, *cmds):
        args = ["vtysh", "--vty_socket", str(self.dir)]
        for c in cmds:
            args += ["-c", c]
        return run(["ip", "netns", "exec", self.lab.host] + args, timeout=30).stdout

    def running_config(self):
        return self.vtysh("show running-config")

    def evpn_lines(self):
        """The lines kvmnetd may write, as bgpd's running configuration has them."""
        return [l.strip() for l in self.running_config().splitlines()
                if l.strip() == "advertise-all-vni" or re.match(r"vni \d+$", l.strip())]


@pytest.fixture
def evpn_hosts():
    missing = frr_missing() or neigh_suppress_missing()
    if missing:
        pytest.skip(missing)
    h = Hosts()
    try:
        h.setup()
        h.frr = []
        for i, lab in enumerate(h.labs):
            h.frr.append(Frr(lab, i, len(h.labs)))
            lab.stop_daemon()
            lab.start_daemon(args=("--frr-vty-dir", h.frr[i].dir))
        yield h
    finally:
        if os.environ.get("KVMNET_SHOW_LOGS"):
            for lab in h.labs:
                print("===== kvmnetd log of %s =====\n%s" % (lab.host, lab.log_text()))
                for f in sorted((lab.tmp / "frr").glob("*.log")):
                    print("===== %s =====\n%s" % (f, f.read_text()))
        problems = h.cleanup()
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)


def create_evpn(hosts, name="ev", mode="isolated"):
    for i, lab in enumerate(hosts.labs):
        lab.create(name, mode, SUBNET, "--overlay", "evpn", "--vni", str(VNI), "--local",
                   underlay_ip(i))


def fdb_entries(ns, dev=DEV):
    """The VXLAN device's own table (zebra's entries): [(mac, dst, flags)]."""
    out = run(["bridge", "-n", ns, "-j", "fdb", "show", "dev", dev]).stdout
    return [(e["mac"], e.get("dst"), e.get("flags", []))
            for e in json.loads(out) if "self" in e.get("flags", [])]


def fdb(ns, dev=DEV):
    """{mac: (dst, flags)} of the remote MACs."""
    return {m: (d, f) for m, d, f in fdb_entries(ns, dev) if m != ZERO}


def flood_vteps(ns, dev=DEV):
    return sorted(d for m, d, f in fdb_entries(ns, dev) if m == ZERO)


def guest_mac(g):
    return link_json(g.ns, "eth0")["address"]


def wait_for(what, cond, timeout=60, log=lambda: ""):
    """BGP converges within seconds; the margin is for a loaded machine."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        assert time.monotonic() < deadline, "%s\n%s" % (what, log())
        time.sleep(0.2)


def remote_macs_learned(hosts, guests, where):
    """True once every host's device holds every other host's guest MAC, learned through BGP
    (extern_learn) and pointing at the VTEP 'where[guest index]'."""
    for i, lab in enumerate(hosts.labs):
        table = fdb(lab.host)
        for j, g in enumerate(guests):
            if where[j] == i:
                continue
            e = table.get(guest_mac(g))
            if not e or e[0] != underlay_ip(where[j]) or "extern_learn" not in e[1]:
                return False
    return True


def test_evpn_macs_through_bgp_and_a_guest_moving(evpn_hosts):
    hosts = evpn_hosts
    create_evpn(hosts)
    for i, lab in enumerate(hosts.labs):
        dev = link_json(lab.host, DEV)
        info = dev["linkinfo"]["info_data"]
        assert info["id"] == VNI and info["learning"] is False, info
        port = json.loads(run(["bridge", "-n", lab.host, "-d", "-j", "link", "show", "dev",
                               DEV]).stdout)[0]
        assert port["neigh_suppress"] is True and port["learning"] is False, port
        # kvmnetd's lines, in the instance the operator configured
        assert hosts.frr[i].evpn_lines() == ["advertise-all-vni", "vni %d" % VNI]
    guests = [lab.guest("kn-ev", "10.73.0.%d/24" % (10 + i), GW)
              for i, lab in enumerate(hosts.labs)]
    # the first frames make each host's bridge learn its guest: zebra announces it
    knlab.run_probes([knlab.Probe("%s -> %s" % (a.ns, b.ip), a.ns, "ping", b.ip)
                      for a in guests for b in guests if a is not b])
    where = [0, 1, 2]
    wait_for("guest MACs not learned through BGP",
             lambda: remote_macs_learned(hosts, guests, where), log=lambda: "\n".join(
                 run(["bridge", "-n", l.host, "fdb", "show", "dev", DEV]).stdout
                 for l in hosts.labs))
    for i, lab in enumerate(hosts.labs):
        # the flood entries are zebra's, one per VTEP that announced the VNI (type-3)
        floods = flood_vteps(lab.host)
        assert floods == [underlay_ip(j) for j in range(3) if j != i], fdb_entries(lab.host)
        ov = lab.kn_json("net", "show", "ev")["overlay"]
        assert ov["kind"] == "evpn" and ov["vni"] == VNI and ov["local"] == underlay_ip(i)
        assert sorted(ov["peers"]) == floods, ov
        remote = {m["mac"]: m["vtep"] for m in ov["remote-macs"]}
        for j, g in enumerate(guests):
            if j != i:
                assert remote.get(guest_mac(g)) == underlay_ip(j), ov
        assert guest_mac(guests[i]) not in remote, ov

    # guest 0 moves to host 1: its namespace re-plugged, same MAC and address
    g = guests[0]
    mac = guest_mac(g)
    run(["ip", "-n", hosts.labs[0].host, "link", "del", g.host_if])
    run(["ip", "-n", hosts.labs[1].host, "link", "add", "mv0", "type", "veth", "peer", "name",
         "eth0", "netns", g.ns])
    run(["ip", "-n", g.ns, "link", "set", "eth0", "address", mac])
    run(["ip", "-n", g.ns, "addr", "add", g.ip + "/24", "dev", "eth0"])
    run(["ip", "-n", g.ns, "link", "set", "eth0", "up"])
    run(["ip", "-n", hosts.labs[1].host, "link", "set", "mv0", "master", "kn-ev", "up"])
    where = [1, 1, 2]
    # its first frames tell host 1's bridge; zebra announces the move (MAC mobility, RFC 7432
    # section 15) and hosts 0 and 2 point the MAC at host 1
    wait_for("the moved MAC did not follow the guest",
             lambda: ping_loss(g.ns, guests[2].ip, count=1) == 0 and
             remote_macs_learned(hosts, guests, where))
    assert ping_loss(g.ns, guests[2].ip, count=10) == 0
    assert ping_loss(guests[2].ns, g.ip, count=10) == 0

    # host 2 leaves: BGP withdraws its VTEP, so the other hosts' flood entries to it go, and
    # its bgpd keeps only the operator's configuration
    hosts.labs[2].kn("net", "delete", "ev")
    assert hosts.frr[2].evpn_lines() == []
    assert "neighbor 192.0.2.1 activate" in hosts.frr[2].running_config()
    for i in (0, 1):
        wait_for("host 2's VTEP still flooded to from host %d" % i,
                 lambda: underlay_ip(2) not in flood_vteps(hosts.labs[i].host))
    # hosts 0 and 1 lose nothing: guest 1 reaches the moved guest, now beside it on host 1
    assert ping_loss(guests[1].ns, g.ip, count=10) == 0


def test_evpn_restart_adopts_and_delete_removes_only_its_own(evpn_hosts):
    hosts = evpn_hosts
    lab, frr = hosts.labs[0], hosts.frr[0]
    # the operator's own EVPN line, set before kvmnet came: never kvmnet's to remove
    frr.vtysh("configure terminal", "router bgp %d" % ASN, "address-family l2vpn evpn",
              "advertise-all-vni")
    create_evpn(hosts)
    assert frr.evpn_lines() == ["advertise-all-vni", "vni %d" % VNI]
    guests = [l.guest("kn-ev", "10.73.0.%d/24" % (10 + i), GW)
              for i, l in enumerate(hosts.labs[:2])]
    wait_for("no path between the hosts' guests",
             lambda: ping_loss(guests[0].ns, guests[1].ip, count=1) == 0)
    before = link_json(lab.host, DEV)["ifindex"]
    lab.stop_daemon()
    lab.start_daemon(args=("--frr-vty-dir", frr.dir))
    assert link_json(lab.host, DEV)["ifindex"] == before
    assert frr.evpn_lines() == ["advertise-all-vni", "vni %d" % VNI]
    assert ping_loss(guests[0].ns, guests[1].ip, count=10) == 0
    lab.kn("net", "delete", "ev")
    # the vni block was kvmnet's; advertise-all-vni was the operator's
    assert frr.evpn_lines() == ["advertise-all-vni"]
    assert link_json(lab.host, DEV) is None
    # on host 1 kvmnet had added advertise-all-vni itself: it goes with the last network
    hosts.labs[1].kn("net", "delete", "ev")
    assert hosts.frr[1].evpn_lines() == []


def test_evpn_bad_input_changes_nothing(evpn_hosts):
    hosts = evpn_hosts
    lab, frr = hosts.labs[0], hosts.frr[0]
    snap = lab.snapshot()
    conf_before = frr.running_config()

    def refused(pattern, *args):
        p = lab.kn("net", "create", "bad", "--mode", "isolated", "--subnet", "10.74.0.0/24",
                   "--overlay", "evpn", *args, expect=1)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and re.search(pattern, lines[0]), p.stderr
        assert lab.snapshot_diff(snap, lab.snapshot()) == ""
        assert "bad" not in lab.networks()
        assert frr.running_config() == conf_before

    refused(r"overlay = evpn needs local", "--vni", "77")
    refused(r"overlay = evpn learns its peers through BGP", "--vni", "77", "--local",
            "192.0.2.1", "--peers", "192.0.2.2")
    # a VNI the operator configured in FRR is not kvmnet's to take
    frr.vtysh("configure terminal", "router bgp %d" % ASN, "address-family l2vpn evpn",
              "vni 78", "exit-vni")
    conf_before = frr.running_config()
    refused(r"vni 78 is configured in FRR's bgpd already \(not by kvmnet\)", "--vni", "78",
            "--local", "192.0.2.1")
    # FRR not reachable: kvmnetd pointed at a directory without bgpd's socket
    empty = lab.tmp / "no-frr"
    empty.mkdir()
    lab.stop_daemon()
    lab.start_daemon(args=("--frr-vty-dir", empty))
    snap = lab.snapshot()
    refused(r"overlay = evpn needs FRR's bgpd, not reachable at %s/bgpd\.vty" %
            re.escape(str(empty)), "--vni", "79", "--local", "192.0.2.1")
    # bgpd without a BGP instance
    frr.vtysh("configure terminal", "no router bgp %d" % ASN)
    lab.stop_daemon()
    lab.start_daemon(args=("--frr-vty-dir", frr.dir))
    snap = lab.snapshot()
    conf_before = frr.running_config()
    refused(r"overlay = evpn needs a BGP instance in FRR's bgpd", "--vni", "79", "--local",
            "192.0.2.1")
