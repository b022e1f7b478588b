# SPDX-License-Identifier: GPL-2.0-or-later
"""Tenants (issue 14): networks grouped by 'tenant =', on three "hosts" joined by an underlay
(test_overlay's Hosts). Host 0 is the tenants' gateway node; hosts 1 and 2 carry the same
networks as layer-2 extensions (gateway remote), VNIs from one range:

    red:  r1 nat  10.81.0.0/24 vni 5001    r2 open 10.82.0.0/24 vni 5002   (gateways on host 0)
    blue: b1 nat  10.83.0.0/24 vni 5003    b2 open 10.84.0.0/24 vni 5004   (gateways on host 0)
          b3 nat  10.81.0.0/24 vni 5005    (red r1's subnet; its gateway on host 1)

A tenant's guests reach each other across hosts and networks (addresses kept), never the other
tenant's: by ping or TCP, open networks included, and the shared subnet stays two segments.
"""
import json
import re

import knlab
from knlab import run
from test_overlay import hosts, underlay_ip  # noqa: F401 (the fixture)

NETS = {  # name: (tenant, mode, subnet prefix, vni, the host with the gateway)
    "r1": ("red", "nat", "10.81.0", 5001, 0),
    "r2": ("red", "open", "10.82.0", 5002, 0),
    "b1": ("blue", "nat", "10.83.0", 5003, 0),
    "b2": ("blue", "open", "10.84.0", 5004, 0),
    "b3": ("blue", "nat", "10.81.0", 5005, 1),
}
RED_ID, BLUE_ID = 1089765596, 2197550541   # network_tenant_id(), test-conf-tenant.c


def create_tenants(hosts):
    for name, (tenant, mode, prefix, vni, owner) in NETS.items():
        for i, lab in enumerate(hosts.labs):
            extra = () if i == owner else ("--gateway", "remote", "--dhcp", "relay", "--no-dns")
            lab.create(name, mode, prefix + ".0/24", "--tenant", tenant, "--overlay", "vxlan",
                       "--vni", str(vni), "--peers", hosts.peers(i), "--local", underlay_ip(i),
                       *extra)


def guest(hosts, name, host, last):
    prefix = NETS[name][2]
    return hosts.labs[host].guest("kn-" + name, "%s.%d/24" % (prefix, last), prefix + ".1")


def link_group(ns, dev):
    p = run(["ip", "-n", ns, "-d", "-j", "link", "show", "dev", dev])
    group = json.loads(p.stdout)[0].get("group")
    return 0 if group == "default" else int(group) & 0xffffffff   # ip prints it signed


def test_two_tenants_across_three_hosts(hosts):
    create_tenants(hosts)
    h0 = hosts.labs[0]
    for name, (tenant, *_rest) in NETS.items():
        net = h0.kn_json("net", "show", name)
        assert net["tenant"] == tenant, net
        assert "tenant = %s" % tenant in h0.kn("net", "export", name).stdout
        for lab in hosts.labs:   # the tenant's id is the bridge's device group on every host
            assert link_group(lab.host, "kn-" + name) == (RED_ID if tenant == "red"
                                                          else BLUE_ID)
        # a layer-2-only bridge answers no ARP: host 1 has b3's gateway 10.81.0.1, which
        # r1's guests there must not take for r1's (host 0's)
        for i, lab in enumerate(hosts.labs):
            want = "0" if i == NETS[name][4] else "8"
            assert run(["ip", "netns", "exec", lab.host, "sysctl", "-n",
                        "net.ipv4.conf.kn-%s.arp_ignore" % name]).stdout.strip() == want
    # guests on the layer-2 hosts (1 and 2); b3's on 0 and 2 (its gateway is host 1's)
    g = {(n, h): guest(hosts, n, h, 10 + h) for n in ("r1", "r2", "b1", "b2") for h in (1, 2)}
    g[("b3", 0)] = guest(hosts, "b3", 0, 20)
    g[("b3", 2)] = guest(hosts, "b3", 2, 22)
    servers = [hosts.labs[h].serve(x.ns, "tcp", x.ip, 7000) for (n, h), x in g.items()]
    assert all(servers)

    def probe(a, b, kind="ping", expect=True, seen=None):
        src, dst = g[a], g[b]
        return knlab.Probe("%s@%d -> %s@%d %s" % (a + b + (kind,)), src.ns, kind, dst.ip,
                           port=7000 if kind == "tcp" else None, expect=expect, seen=seen)
    ok = [  # a tenant's own: one segment across hosts, and routed between its networks
        probe(("r1", 1), ("r1", 2)), probe(("r1", 1), ("r2", 2)), probe(("r2", 2), ("r1", 1)),
        probe(("r2", 1), ("r2", 2), "tcp"), probe(("b1", 1), ("b2", 2)),
        probe(("b3", 0), ("b3", 2)), probe(("b3", 2), ("b3", 0), "tcp"),
        # nat to a sibling keeps the source address (no masquerade within a tenant)
        probe(("r1", 1), ("r2", 2), "tcp", seen=g[("r1", 1)].ip),
        probe(("b2", 1), ("b1", 2), "tcp", seen=g[("b2", 1)].ip),
    ]
    blocked = [probe(a, b, kind, expect=False) for kind in ("ping", "tcp") for a, b in (
        (("r1", 1), ("b1", 2)), (("b1", 2), ("r1", 1)),   # nat -> nat of the other tenant
        (("r2", 1), ("b2", 2)), (("b2", 2), ("r2", 1)),   # open -> open: no other rule there
        (("r2", 2), ("b1", 1)), (("b2", 1), ("r1", 2)),   # open <-> nat
        (("r1", 2), ("b3", 0)), (("b3", 2), ("r1", 1)),   # one subnet, two segments
    )]
    knlab.run_probes(ok + blocked)
    # the same subnet's gateways: red's on host 0, blue's on host 1 (the others layer 2 only)
    assert [a for a in h0.addrs("kn-b3")] == [] and h0.addrs("kn-r1")
    knlab.run_probes([knlab.Probe("b3@2 -> its gateway", g[("b3", 2)].ns, "ping", "10.81.0.1")])


def test_tenant_refusals_change_nothing(hosts):
    h0, h1 = hosts.labs[0], hosts.labs[1]
    h0.create("r1", "nat", "10.81.0.0/24", "--tenant", "red")
    h0.create("c1", "nat", "10.85.0.0/24", "--tenant", "t16efa")
    snap = h0.snapshot()

    def refused(pattern, *args, lab=h0):
        p = lab.kn("net", "create", "bad", *args, "--port-security", "no", expect=1)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and re.search(pattern, lines[0]), p.stderr
        assert "bad" not in lab.networks()

    # both with their gateway here: one routing table cannot hold the subnet twice
    refused(r"subnet 10\.81\.0\.0/24 overlaps network 'r1' \(10\.81\.0\.0/24\) of tenant 'red': "
            r"two tenants share a subnet on one host only where all but one have their gateway "
            r"on another host \(gateway = remote\); kvmnet makes no VRFs",
            "--mode", "nat", "--subnet", "10.81.0.0/24", "--tenant", "blue")
    # one tenant, or none: as ever
    refused(r"subnet 10\.81\.0\.0/24 overlaps network 'r1' \(10\.81\.0\.0/24\)$",
            "--mode", "nat", "--subnet", "10.81.0.0/24", "--tenant", "red", "--overlay", "vxlan",
            "--vni", "9", "--local", underlay_ip(0), "--gateway", "remote", "--dhcp", "relay",
            "--no-dns")
    refused(r"subnet 10\.81\.0\.0/24 overlaps network 'r1' \(10\.81\.0\.0/24\)$",
            "--mode", "nat", "--subnet", "10.81.0.0/24")
    refused(r"tenant 't88dc0' has the same id as tenant 't16efa' of network 'c1'",
            "--mode", "nat", "--subnet", "10.86.0.0/24", "--tenant", "t88dc0")
    refused(r"mode bridge cannot belong to a tenant", "--mode", "bridge", "--bridge", "kn-r1",
            "--tenant", "red")
    refused(r"invalid tenant 'Red'", "--mode", "nat", "--subnet", "10.86.0.0/24",
            "--tenant", "Red")
    assert h0.snapshot_diff(snap, h0.snapshot()) == ""
    # a tenant's network that is layer 2 only here may take another tenant's subnet
    h0.create("b3", "nat", "10.81.0.0/24", "--tenant", "blue", "--overlay", "vxlan", "--vni",
              "5005", "--local", underlay_ip(0), "--gateway", "remote", "--dhcp", "relay",
              "--no-dns")
    assert h0.addrs("kn-b3") == []
    # and the tenant's network that routes it comes on a host where red's is layer 2 only
    h1.create("r1", "nat", "10.81.0.0/24", "--tenant", "red", "--overlay", "vxlan", "--vni",
              "5001", "--local", underlay_ip(1), "--gateway", "remote", "--dhcp", "relay",
              "--no-dns")
    h1.create("b3", "nat", "10.81.0.0/24", "--tenant", "blue")
    # a network leaving its tenant: the bridge's group goes back to the default
    text = h0.kn("net", "export", "c1").stdout.replace("tenant = t16efa\n", "")
    path = h0.tmp / "c1.conf"
    path.write_text(text)
    h0.kn("net", "define", str(path))
    assert h0.kn_json("net", "show", "c1")["tenant"] is None
    assert link_group(h0.host, "kn-c1") == 0
