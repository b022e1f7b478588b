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
