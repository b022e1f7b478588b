# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv6 on kvmnet networks (docs/IPV6.md): subnet6 (explicit, auto, none) through create,
define, export, show/list --json, restart, redefine and delete, the gateway6 on the bridge,
refusals that change nothing, and the router advertisements a guest namespace configures
itself from (SLAAC, default route)."""
import json
import re
import time

import pytest

import knlab
from knlab import run


def addrs6(lab, dev, ns=None):
    ns = ns or lab.host
    p = run(["ip", "-n", ns, "-j", "-6", "addr", "show", "dev", dev], check=False)
    if p.returncode != 0 or not p.stdout.strip():
        return []
    return ["%s/%d" % (a["local"], a["prefixlen"])
            for i in json.loads(p.stdout) for a in i.get("addr_info", [])
            if a.get("scope") == "global"]


def test_subnet6_lifecycle(lab):
    lab.create("v6", "nat", "10.60.0.0/24", "--subnet6", "fd42:1:2:3::/64")
    net = lab.kn_json("net", "show", "v6")
    assert net["subnet6"] == "fd42:1:2:3::/64" and net["gateway6"] == "fd42:1:2:3::1"
    assert net["ra-mode"] == "slaac" and net["nat6"] == "auto" and net["masquerade6"] is True
    listed = lab.networks()["v6"]
    assert listed["subnet6"] == "fd42:1:2:3::/64" and listed["gateway6"] == "fd42:1:2:3::1"
    assert addrs6(lab, "kn-v6") == ["fd42:1:2:3::1/64"]
    # nodad: the gateway is usable at once, never "tentative"
    out = run(["ip", "-n", lab.host, "-6", "addr", "show", "dev", "kn-v6"]).stdout
    assert "tentative" not in out and "nodad" in out, out
    assert lab.sysctl(lab.host, "net.ipv6.conf.all.forwarding") == "1"
    assert knlab.parse_ini_keys(lab.kn("net", "export", "v6").stdout)["subnet6"] == \
        "fd42:1:2:3::/64"

    # A restarted daemon adopts the address as it is (same bridge, no change).
    before = addrs6(lab, "kn-v6")
    lab.stop_daemon()
    lab.start_daemon()
    assert addrs6(lab, "kn-v6") == before
    assert lab.kn_json("net", "show", "v6")["gateway6"] == "fd42:1:2:3::1"

    # Redefined with another prefix: the old gateway6 goes, the new one comes.
    text = lab.kn("net", "export", "v6").stdout.replace("fd42:1:2:3::/64", "fd42:1:2:4::/64")
    knlab.define(lab, "v6", text)
    assert addrs6(lab, "kn-v6") == ["fd42:1:2:4::1/64"]
    # ... and with subnet6 = none, IPv4 only again
    text = re.sub(r"subnet6 = .*\n", "subnet6 = none\n", text)
    knlab.define(lab, "v6", text)
    assert addrs6(lab, "kn-v6") == []
    assert lab.kn_json("net", "show", "v6")["subnet6"] is None
    assert "subnet6" not in knlab.parse_ini_keys(lab.kn("net", "export", "v6").stdout)
    lab.kn("net", "delete", "v6")
    assert lab.link("kn-v6") is None


def test_subnet6_auto_is_stable_ula(lab):
    lab.create("a6", "routed", "10.61.0.0/24", "--subnet6", "auto")
    first = lab.kn_json("net", "show", "a6")
    assert re.fullmatch(r"fd[0-9a-f]{2}:[0-9a-f:]+::/64", first["subnet6"]), first["subnet6"]
    assert first["gateway6"] == first["subnet6"].replace("::/64", "::1")
    assert first["masquerade6"] is False    # routed: the prefix is routed as it is
    # the definition records the chosen prefix, not "auto"
    exported = knlab.parse_ini_keys(lab.kn("net", "export", "a6").stdout)
    assert exported["subnet6"] == first["subnet6"]
    lab.kn("net", "delete", "a6")
    # the same name gives the same prefix again
    lab.create("a6", "routed", "10.61.0.0/24", "--subnet6", "auto")
    assert lab.kn_json("net", "show", "a6")["subnet6"] == first["subnet6"]
    lab.kn("net", "delete", "a6")
    # a host route over that prefix moves auto on to another one
    run(["ip", "-n", lab.host, "-6", "route", "add", first["subnet6"], "dev", "up0"])
    lab.create("a6", "routed", "10.61.0.0/24", "--subnet6", "auto")
    moved = lab.kn_json("net", "show", "a6")["subnet6"]
    assert moved != first["subnet6"] and moved.startswith(first["subnet6"][:15])
    run(["ip", "-n", lab.host, "-6", "route", "del", first["subnet6"], "dev", "up0"])


def test_subnet6_modes(lab):
    lab.create("iso6", "isolated", "10.62.0.0/24", "--subnet6", "fd42:62::/64")
    lab.create("open6", "open", "10.63.0.0/24", "--subnet6", "fd42:63::/64")
    assert addrs6(lab, "kn-iso6") == ["fd42:62::1/64"]
    assert addrs6(lab, "kn-open6") == ["fd42:63::1/64"]
    nets = lab.networks()
    assert nets["iso6"]["masquerade6"] is False and nets["open6"]["subnet6"] == "fd42:63::/64"
    # IPv4-only networks say so
    lab.create("v4", "nat", "10.64.0.0/24")
    v4 = lab.networks()["v4"]
    assert v4["subnet6"] is None and v4["gateway6"] is None
    assert addrs6(lab, "kn-v4") == []


NDPTOOL = str(knlab.HERE / "ndptool.py")


def ndp_ra(lab, ns, *args, timeout=4):
    p = run(["ip", "netns", "exec", ns, knlab.PY, NDPTOOL, "ra", "eth0", "--timeout",
             str(timeout), *args], timeout=timeout + 20)
    return json.loads(p.stdout)["ra"]


def wait_for(pred, timeout=15, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s" % what)


def default6(lab, ns):
    out = run(["ip", "-n", ns, "-j", "-6", "route", "show", "default"]).stdout.strip()
    return json.loads(out) if out else []


def v6_guest(lab, bridge, cidr, gw):
    g = lab.guest(bridge, cidr, gw)
    for key, value in (("accept_ra", 1), ("autoconf", 1), ("forwarding", 0)):
        lab.sysctl(g.ns, "net.ipv6.conf.eth0.%s" % key, value)
    return g


def test_slaac_guest_gets_address_and_default_route(lab):
    lab.create("s6", "nat", "10.65.0.0/24", "--subnet6", "fd42:65::/64", "--mtu", "1400")
    g = v6_guest(lab, "kn-s6", "10.65.0.10/24", "10.65.0.1")
    mac = json.loads(run(["ip", "-n", g.ns, "-j", "link", "show", "eth0"]).stdout)[0]["address"]
    # SLAAC (EUI-64 of the guest's MAC) in the network's prefix, from an RA the kernel took
    addr = wait_for(lambda: [a for a in addrs6(lab, "eth0", ns=g.ns)
                             if a.startswith("fd42:65::")], what="a SLAAC address")
    assert len(addr) == 1 and addr[0].endswith("/64")
    routes = wait_for(lambda: default6(lab, g.ns), what="an IPv6 default route")
    bridge_mac = lab.link("kn-s6")["address"]
    assert routes[0]["gateway"].startswith("fe80::") and routes[0]["dev"] == "eth0"
    assert lab.sysctl(g.ns, "net.ipv6.conf.eth0.mtu") == "1400"
    # the guest reaches the gateway6 over IPv6
    run(["ip", "netns", "exec", g.ns, "ping", "-6", "-n", "-c1", "-W2", "fd42:65::1"])

    # what the RA says, as a solicitation gets it answered
    ra = ndp_ra(lab, g.ns)
    assert ra is not None, "no router advertisement"
    assert ra["hlim"] == 255 and ra["src"].startswith("fe80::")
    assert ra["M"] == 0 and ra["O"] == 0 and ra["routerlifetime"] == 1800
    assert ra["prefixes"] == [{"prefix": "fd42:65::/64", "L": 1, "A": 1, "valid": 86400,
                               "preferred": 14400}]
    assert ra["mtu"] == 1400 and ra["lladdr"] == bridge_mac
    stats = lab.kn_json("net", "show", "s6")["ra-stats"]
    assert stats["sent-solicited"] >= 1 and stats["rs-received"] >= 1
    assert mac  # the guest kept its own MAC

    # a solicitation that crossed a router (hop limit below 255) is dropped, and counted
    before = lab.kn_json("net", "show", "s6")["ra-stats"]
    ndp_ra(lab, g.ns, "--hops", "64", timeout=1)
    after = wait_for(lambda: (lambda s: s if s["rs-dropped"] > before["rs-dropped"] else None)(
        lab.kn_json("net", "show", "s6")["ra-stats"]), timeout=5, what="rs-dropped")
    assert after["sent-solicited"] == before["sent-solicited"]

    # stopping says goodbye: router lifetime 0, so the guest drops the default route at once
    # (rather than keeping it for the 1800 s the last RA promised)
    lab.kn("net", "stop", "s6")
    wait_for(lambda: default6(lab, g.ns) == [], timeout=5, what="the default route to go")


def test_ra_modes(lab):
    lab.create("iso6", "isolated", "10.66.0.0/24", "--subnet6", "fd42:66::/64")
    lab.create("dh6", "routed", "10.67.0.0/24", "--subnet6", "fd42:67::/64",
               "--ra-mode", "dhcpv6")
    lab.create("both6", "open", "10.68.0.0/24", "--subnet6", "fd42:68::/64",
               "--ra-mode", "slaac+dhcpv6")
    gi = v6_guest(lab, "kn-iso6", "10.66.0.10/24", "10.66.0.1")
    gd = v6_guest(lab, "kn-dh6", "10.67.0.10/24", "10.67.0.1")
    gb = v6_guest(lab, "kn-both6", "10.68.0.10/24", "10.68.0.1")
    ra = ndp_ra(lab, gi.ns)
    # isolated: the prefix, but never a default router
    assert ra["routerlifetime"] == 0 and ra["prefixes"][0]["A"] == 1
    ra = ndp_ra(lab, gd.ns)
    assert ra["M"] == 1 and ra["O"] == 1 and ra["prefixes"][0]["A"] == 0
    assert ra["prefixes"][0]["L"] == 1 and ra["routerlifetime"] == 1800
    ra = ndp_ra(lab, gb.ns)
    assert ra["M"] == 1 and ra["prefixes"][0]["A"] == 1
    wait_for(lambda: [a for a in addrs6(lab, "eth0", ns=gi.ns) if a.startswith("fd42:66::")],
             what="SLAAC on the isolated network")
    time.sleep(1)
    assert default6(lab, gi.ns) == [], "an isolated network must not become a default router"
    assert [a for a in addrs6(lab, "eth0", ns=gd.ns) if a.startswith("fd42:67::")] == []
    # unspecified source: answered to all nodes
    ra = ndp_ra(lab, gd.ns, "--unspecified")
    assert ra is not None and ra["prefixes"][0]["prefix"] == "fd42:67::/64"


def test_ipv4_only_network_sends_no_ra(lab):
    lab.create("v4only", "nat", "10.69.0.0/24")
    g = v6_guest(lab, "kn-v4only", "10.69.0.10/24", "10.69.0.1")
    assert ndp_ra(lab, g.ns, timeout=2) is None
    assert "ra-stats" not in lab.kn_json("net", "show", "v4only")
