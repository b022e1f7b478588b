# SPDX-License-Identifier: GPL-2.0-or-later
"""Networks across hosts (issue 14): three "hosts", each a Lab (its own namespace, kvmnetd, state
dir and socket), joined by an underlay bridge in a namespace of their own:

    host ns of lab i: ul0 192.0.2.(i+1)/24 ---veth--- hI  [ underlay ns: bridge br0 ]

A network with '--overlay vxlan --vni N --peers ...' on every host is one layer-2 segment:
guests on different hosts reach each other through the VXLAN devices kvmnetd makes.
"""
import json
import os
import re
import subprocess
import time

import pytest

import knlab
from knlab import run

VNI = 4242
SUBNET = "10.70.0.0/24"
GW = "10.70.0.1"


def underlay_ip(i):
    return "192.0.2.%d" % (i + 1)


class Hosts:
    def __init__(self, n=3):
        self.labs = [knlab.Lab() for _ in range(n)]
        self.ul = self.labs[0].prefix + "-ul"

    def setup(self):
        for lab in self.labs:
            lab.setup()
        # the underlay namespace belongs to the first lab: its cleanup deletes it
        self.labs[0].add_ns(self.ul)
        run(["ip", "-n", self.ul, "link", "add", "br0", "type", "bridge"])
        run(["ip", "-n", self.ul, "link", "set", "br0", "up"])
        for i, lab in enumerate(self.labs):
            port = "h%d" % i
            run(["ip", "-n", lab.host, "link", "add", "ul0", "type", "veth",
                 "peer", "name", port, "netns", self.ul])
            run(["ip", "-n", self.ul, "link", "set", port, "master", "br0", "up"])
            run(["ip", "-n", lab.host, "addr", "add", underlay_ip(i) + "/24", "dev", "ul0"])
            run(["ip", "-n", lab.host, "link", "set", "ul0", "up"])
            lab.start_daemon()
        for lab in self.labs:   # carrier settled: snapshots taken from now on compare equal
            deadline = time.monotonic() + 5
            while "LOWER_UP" not in link_json(lab.host, "ul0")["flags"]:
                assert time.monotonic() < deadline, "ul0 of %s has no carrier" % lab.host
                time.sleep(0.05)
        return self

    def peers(self, i):
        return ",".join(underlay_ip(j) for j in range(len(self.labs)) if j != i)

    def create_all(self, name, mode="isolated", vni=VNI, subnet=SUBNET, extra=lambda i: ()):
        for i, lab in enumerate(self.labs):
            lab.create(name, mode, subnet, "--overlay", "vxlan", "--vni", str(vni),
                       "--peers", self.peers(i), "--local", underlay_ip(i), *extra(i))

    def cleanup(self):
        problems = []
        for lab in reversed(self.labs):
            problems += lab.cleanup()
        return problems


@pytest.fixture
def hosts():
    h = Hosts()
    try:
        h.setup()
        yield h
    finally:
        if os.environ.get("KVMNET_SHOW_LOGS"):
            for lab in h.labs:
                print("===== kvmnetd log of %s =====\n%s" % (lab.host, lab.log_text()))
        problems = h.cleanup()
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)


def link_json(ns, dev):
    p = run(["ip", "-n", ns, "-d", "-j", "link", "show", "dev", dev], check=False)
    return json.loads(p.stdout)[0] if p.returncode == 0 else None


def flood_dsts(ns, dev):
    out = run(["bridge", "-n", ns, "fdb", "show", "dev", dev]).stdout
    return sorted(m.group(1) for m in
                  re.finditer(r"^00:00:00:00:00:00 dst (\S+) self permanent", out, re.M))


def ping_loss(ns, addr, count=20, interval="0.05"):
    p = run(["ip", "netns", "exec", ns, "ping", "-n", "-q", "-c", str(count), "-i", interval,
             "-W", "1", addr], check=False, timeout=count + 10)
    m = re.search(r"(\d+) received", p.stdout)
    return count - int(m.group(1)) if m else count


def static_guests(hosts, bridge="kn-ov", base=10):
    return [lab.guest(bridge, "10.70.0.%d/24" % (base + i), GW)
            for i, lab in enumerate(hosts.labs)]


def test_static_vxlan_joins_guests_across_hosts(hosts):
    hosts.create_all("ov")
    for i, lab in enumerate(hosts.labs):
        net = lab.kn_json("net", "show", "ov")
        ov = net["overlay"]
        assert ov["kind"] == "vxlan" and ov["vni"] == VNI, net
        assert ov["peers"] == hosts.peers(i).split(","), net
        assert ov["local"] == underlay_ip(i) and ov["vxlan-port"] == 4789, net
        dev = link_json(lab.host, "knvx%d" % VNI)
        assert dev is not None, "no VXLAN device on host %d" % i
        info = dev["linkinfo"]["info_data"]
        assert info["id"] == VNI and info["learning"] is False and info["port"] == 4789, info
        assert dev["master"] == "kn-ov"
        # the underlay's 1500 minus VXLAN's 50, on the device and the bridge
        assert dev["mtu"] == 1450 and link_json(lab.host, "kn-ov")["mtu"] == 1450
        assert ov["mtu"] == 1450
        assert flood_dsts(lab.host, "knvx%d" % VNI) == sorted(hosts.peers(i).split(","))
        # the VXLAN device is the overlay's, not a guest port
        assert not [p for p in lab.ports("ov") if p["name"].startswith("knvx")]
    guests = static_guests(hosts)
    probes = [knlab.Probe("%s -> %s" % (a.ns, b.ip), a.ns, "ping", b.ip)
              for a in guests for b in guests if a is not b]
    knlab.run_probes(probes)


def test_bad_overlay_input_changes_nothing(hosts):
    lab = hosts.labs[0]
    snap = lab.snapshot()

    def refused(pattern, *args, base=("--mode", "isolated", "--subnet", "10.71.0.0/24")):
        p = lab.kn("net", "create", "bad", *base, "--port-security", "no", *args, expect=1)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and re.search(pattern, lines[0]), p.stderr
        assert lab.snapshot_diff(snap, lab.snapshot()) == ""
        assert "bad" not in lab.networks()

    refused(r"invalid vni '0'", "--overlay", "vxlan", "--vni", "0")
    refused(r"invalid vni '16777216'", "--overlay", "vxlan", "--vni", "16777216")
    refused(r"needs a vni", "--overlay", "vxlan")
    refused(r"vni needs an overlay", "--vni", "5")
    refused(r"peer 192\.0\.2\.1 is a local address", "--overlay", "vxlan", "--vni", "7",
            "--peers", "192.0.2.2,192.0.2.1")
    refused(r"local 192\.0\.2\.9 is not an address of this host", "--overlay", "vxlan",
            "--vni", "7", "--local", "192.0.2.9")
    refused(r"mtu 1500 is too large for the overlay: underlay ul0 has MTU 1500 leaves at "
            r"most 1450", "--overlay", "vxlan", "--vni", "7", "--peers", "192.0.2.2",
            "--mtu", "1500")
    run(["ip", "-n", lab.host, "link", "set", "ul0", "mtu", "100"])
    snap = lab.snapshot()
    refused(r"underlay MTU 100 of ul0 is too small", "--overlay", "vxlan", "--vni", "7",
            "--peers", "192.0.2.2")
    run(["ip", "-n", lab.host, "link", "set", "ul0", "mtu", "1500"])
    lab.create("one", "isolated", "10.72.0.0/24", "--overlay", "vxlan", "--vni", "7")
    snap = lab.snapshot()
    refused(r"vni 7 is used by network 'one'", "--overlay", "vxlan", "--vni", "7")
    refused(r"mode bridge cannot carry an overlay", "--overlay", "vxlan", "--vni", "8",
            base=("--mode", "bridge", "--bridge", "kn-one"))


def test_restart_adopts_and_redefine_drops_stale_peers(hosts):
    hosts.create_all("ov")
    guests = static_guests(hosts)
    lab = hosts.labs[0]
    before = link_json(lab.host, "knvx%d" % VNI)["ifindex"]
    lab.stop_daemon()
    lab.start_daemon()
    assert link_json(lab.host, "knvx%d" % VNI)["ifindex"] == before
    assert flood_dsts(lab.host, "knvx%d" % VNI) == ["192.0.2.2", "192.0.2.3"]
    assert ping_loss(guests[0].ns, guests[1].ip) == 0
    # host 2 dropped from host 0's peers: its flood entry goes, the device stays
    text = lab.kn("net", "export", "ov").stdout
    text = re.sub(r"^peers = .*$", "peers = 192.0.2.2", text, flags=re.M)
    path = lab.tmp / "ov.conf"
    path.write_text(text)
    lab.kn("net", "define", str(path))
    assert flood_dsts(lab.host, "knvx%d" % VNI) == ["192.0.2.2"]
    assert link_json(lab.host, "knvx%d" % VNI)["ifindex"] == before
    assert ping_loss(guests[0].ns, guests[1].ip) == 0
    # the device deleted by hand: the netlink monitor has the network repaired
    run(["ip", "-n", lab.host, "link", "del", "knvx%d" % VNI])
    deadline = time.monotonic() + 5
    def remade():
        dev = link_json(lab.host, "knvx%d" % VNI)
        return (dev is not None and dev.get("master") == "kn-ov" and dev["mtu"] == 1450
                and "UP" in dev["flags"] and flood_dsts(lab.host, "knvx%d" % VNI) == ["192.0.2.2"])
    while not remade():
        assert time.monotonic() < deadline, "VXLAN device not re-made\n" + lab.log_text()
        time.sleep(0.05)
    assert ping_loss(guests[0].ns, guests[1].ip, count=5) == 0


def test_stopping_one_host_leaves_the_others_working(hosts):
    hosts.create_all("ov")
    guests = static_guests(hosts)
    assert ping_loss(guests[0].ns, guests[1].ip, count=5) == 0
    # host 2's network deleted: its device goes, hosts 0 and 1 lose nothing meanwhile
    p = subprocess.Popen(["ip", "netns", "exec", guests[0].ns, "ping", "-n", "-q", "-c", "40",
                          "-i", "0.05", guests[1].ip], stdout=subprocess.PIPE, text=True)
    hosts.labs[2].kn("net", "delete", "ov")
    out, _ = p.communicate(timeout=30)
    assert " 0% packet loss" in out, out
    assert link_json(hosts.labs[2].host, "knvx%d" % VNI) is None
    # host 1's daemon stopped: the kernel keeps forwarding, nothing is lost between 0 and 1
    hosts.labs[1].stop_daemon()
    assert ping_loss(guests[0].ns, guests[1].ip, count=40) == 0


def dhcp_guests(hosts, bridge="kn-ov", kind="udhcpc"):
    """One DHCP guest per host (hostname gI); returns [(guest, bound ip)]."""
    out = []
    clients = []
    for i, lab in enumerate(hosts.labs):
        g = lab.dhcp_guest(bridge)
        clients.append((g, lab.dhcp_client(g, kind, hostname="g%d" % i).start()))
    for g, c in clients:
        g.ip = c.wait_bound(timeout=20)["ip"]
        out.append(g)
    return out


def test_one_dhcp_dns_authority_and_remote_gateway(hosts):
    """Host 0 owns the gateway and serves DHCP and DNS; hosts 1 and 2 relay (gateway remote):
    every guest's lease comes from host 0, names resolve there, the outside is reached through
    host 0's NAT."""
    hosts.create_all("ov", mode="nat", extra=lambda i: () if i == 0 else
                     ("--gateway", "remote", "--dhcp", "relay", "--no-dns"))
    for i, lab in enumerate(hosts.labs[1:], 1):
        assert lab.addrs("kn-ov") == [], "host %d's bridge has an address" % i
        assert lab.kn_json("net", "show", "ov")["overlay"]["gateway"] == "remote"
        assert "dhcp = relay" in lab.kn("net", "export", "ov").stdout
    guests = dhcp_guests(hosts)
    leases = {l["hostname"]: l["ip"] for l in hosts.labs[0].leases("ov")}
    assert leases == {"g%d" % i: g.ip for i, g in enumerate(guests)}, leases
    for lab in hosts.labs[1:]:
        assert lab.leases("ov") == []
    probes = [knlab.Probe("%s -> %s" % (a.ns, b.ip), a.ns, "ping", b.ip)
              for a in guests for b in guests if a is not b]
    probes += [knlab.Probe("%s -> outside" % g.ns, g.ns, "ping", knlab.OUTSIDE) for g in guests]
    knlab.run_probes(probes)
    for g in guests:
        res = knlab.dns_ok(knlab.dns_query(g.ns, GW, "g0.ov.kvmnet"), "g0 from " + g.ns)
        assert [r["data"] for r in res["answer"]] == [guests[0].ip], res


def test_per_host_dhcp_slices_and_anycast_gateway(hosts):
    """Every host serves its own guests from its own slice of the range (dhcp = local) and is
    their gateway (anycast: same address and MAC everywhere, its ARP never crosses)."""
    def slice_of(i):
        return "10.70.0.%d-10.70.0.%d" % (100 + 20 * i, 119 + 20 * i)
    hosts.create_all("ov", mode="nat", extra=lambda i: (
        "--gateway", "anycast", "--dhcp", "local", "--dhcp-range", slice_of(i)))
    macs = {lab.bridge_mac("kn-ov") for lab in hosts.labs}
    assert len(macs) == 1, macs
    guests = dhcp_guests(hosts)
    for i, (lab, g) in enumerate(zip(hosts.labs, guests)):
        first, last = slice_of(i).split("-")
        assert int(first.split(".")[3]) <= int(g.ip.split(".")[3]) <= int(last.split(".")[3])
        assert [l["hostname"] for l in lab.leases("ov")] == ["g%d" % i], lab.leases("ov")
    probes = [knlab.Probe("%s -> %s" % (a.ns, b.ip), a.ns, "ping", b.ip)
              for a in guests for b in guests if a is not b]
    probes += [knlab.Probe("%s -> outside" % g.ns, g.ns, "ping", knlab.OUTSIDE) for g in guests]
    knlab.run_probes(probes)
    # the guests' DHCP and their ARP for the gateway reached the overlay and stopped there
    for lab in hosts.labs:
        text = run(["ip", "netns", "exec", lab.host, "nft", "list", "chain", "bridge",
                    "kvmnet_overlay", "o_knvx%d" % VNI]).stdout
        dhcp = re.search(r"udp dport \{ 67, 68 \} counter packets (\d+)", text)
        arp = re.search(r"arp daddr ip %s counter packets (\d+)" % re.escape(GW), text)
        assert dhcp and int(dhcp.group(1)) > 0, text
        assert arp and int(arp.group(1)) > 0, text
    # deleting the network removes its rules
    hosts.labs[2].kn("net", "delete", "ov")
    p = run(["ip", "netns", "exec", hosts.labs[2].host, "nft", "list", "chain", "bridge",
             "kvmnet_overlay", "o_knvx%d" % VNI], check=False)
    assert p.returncode != 0


def test_names_across_hosts_with_local_slices(hosts):
    """dhcp = local: each host names only the guests it leased; for the others its DNS server
    asks the overlay peers' servers over the underlay (not authoritative answers), PTR too, and
    a guest reaches another host's guest by name. With one host's kvmnetd gone, the others
    still resolve each other (that peer times out, another answers)."""
    def slice_of(i):
        return "10.70.0.%d-10.70.0.%d" % (100 + 20 * i, 119 + 20 * i)
    hosts.create_all("ov", mode="nat", extra=lambda i: (
        "--gateway", "anycast", "--dhcp", "local", "--dhcp-range", slice_of(i)))
    guests = dhcp_guests(hosts)
    dom = "ov.kvmnet"

    def ask(g, name, qtype="A"):
        return knlab.dns_ok(knlab.dns_query(g.ns, GW, name, qtype), "%s %s" % (name, qtype))

    def answer(res):
        return [(r["name"], r["type"], r["data"]) for r in res.get("answer", [])]

    a, b, c = guests
    # its own guest: from the zone, authoritative
    res = ask(a, "g0." + dom)
    assert answer(res) == [("g0." + dom, "A", a.ip)] and "aa" in res["flags"], res
    # another host's guests: from their hosts, not authoritative
    for i, g in ((1, b), (2, c)):
        res = ask(a, "g%d.%s" % (i, dom))
        assert res["rcode"] == "NOERROR" and answer(res) == [("g%d.%s" % (i, dom), "A", g.ip)], \
            res.get("raw")
        assert "aa" not in res["flags"], res["flags"]
    res = ask(a, knlab.reverse_name(c.ip), "PTR")
    assert answer(res) == [(knlab.reverse_name(c.ip), "PTR", "g2." + dom)], res.get("raw")
    assert "aa" not in res["flags"], res["flags"]
    res = ask(c, "g0." + dom)
    assert answer(res) == [("g0." + dom, "A", a.ip)], res.get("raw")
    # a name nobody has: this host's own NXDOMAIN (with its SOA), after the peers said no
    res = ask(a, "nobody." + dom)
    assert res["rcode"] == "NXDOMAIN" and "aa" in res["flags"], res.get("raw")
    assert [r for r in res["authority"] if r["type"] == "SOA"], res

    # the guest's own resolver, pointed at its gateway, pings g2 by name
    resolv = hosts.labs[0].tmp / "resolv.conf"
    resolv.write_text("nameserver %s\n" % GW)
    p = run(["ip", "netns", "exec", a.ns, "unshare", "-m", "sh", "-c",
             "mount --bind %s /etc/resolv.conf && ping -n -c 3 -i 0.2 -W 2 g2.%s"
             % (resolv, dom)], check=False, timeout=30)
    assert p.returncode == 0 and "3 received" in p.stdout and c.ip in p.stdout, \
        p.stdout + p.stderr

    # host B's daemon gone: A and C still resolve each other
    assert hosts.labs[1].stop_daemon() == 0
    for g, i, want in ((a, 2, c.ip), (c, 0, a.ip)):
        t = time.monotonic()
        res = ask(g, "g%d.%s" % (i, dom))
        assert answer(res) == [("g%d.%s" % (i, dom), "A", want)], res.get("raw")
        assert time.monotonic() - t < 2, "answer took %.1fs" % (time.monotonic() - t)
    res = ask(c, knlab.reverse_name(a.ip), "PTR")
    assert answer(res) == [(knlab.reverse_name(a.ip), "PTR", "g0." + dom)], res.get("raw")
    # B's guest is nobody's now: NXDOMAIN once A's peers said no or timed out
    res = ask(a, "g1." + dom)
    assert res["rcode"] == "NXDOMAIN", res.get("raw")


def test_bad_gateway_and_dhcp_combinations(hosts):
    lab = hosts.labs[0]
    snap = lab.snapshot()
    for args, pattern in (
            (("--gateway", "remote"), r"gateway = remote leaves this host no address to serve "
                                       r"DHCP from: set dhcp = relay \(or no\)"),
            (("--gateway", "remote", "--dhcp", "relay"), r"set dns = no"),
            (("--gateway", "anycast", "--mode", "isolated"), r"gateway = anycast needs mode nat "
                                                               r"or routed"),
            (("--gateway", "sideways"), r"invalid gateway 'sideways'")):
        p = lab.kn("net", "create", "bad", "--mode", "nat", "--subnet", "10.71.0.0/24",
                   "--overlay", "vxlan", "--vni", "9", "--local", "192.0.2.1", *args, expect=1)
        assert len(p.stderr.strip().splitlines()) == 1 and re.search(pattern, p.stderr), p.stderr
    p = lab.kn("net", "create", "bad", "--subnet", "10.71.0.0/24", "--dhcp", "relay", expect=1)
    assert "dhcp = relay needs an overlay" in p.stderr, p.stderr
    assert lab.snapshot_diff(snap, lab.snapshot()) == ""
