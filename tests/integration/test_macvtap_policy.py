# SPDX-License-Identifier: GPL-2.0-or-later
"""Anti-spoofing on macvtap ports (docs/MACVTAP.md): each port's chain on its device's egress
hook in 'table netdev kvmnet', fed by the addresses the port learned. A DHCP guest (the LAN's
dnsmasq) forging frames with nettool.py port-attack is dropped and counted, seen neither by the
LAN nor by a second guest, while its own address keeps working; a static guest is learned from
its ARP and may not claim another guest's address; a restart keeps all of it; deleting the
network leaves nothing in the netdev family."""
import json
import secrets
import time

import pytest

from knlab import PY, NETTOOL, Guest, Probe, run, run_probes
from test_macvtap import LAN_IP, bind, have_macvtap, lan, lan_dnsmasq, port_add
from test_ports import Sniffer

pytestmark = pytest.mark.skipif(not have_macvtap(), reason="kernel lacks macvtap devices")

UNUSED_IP = "192.0.2.200"
STATIC_IP = "192.0.2.60"


def have_egress_hook(lab):
    """Whether nft and the kernel take a netdev egress chain (Linux 5.16, nft 1.0.1)."""
    script = lab.tmp / "probe.nft"
    script.write_text("add table netdev knprobe\nadd chain netdev knprobe c { type filter hook "
                      "egress device \"lo\" priority 0; }\ndelete table netdev knprobe\n")
    return lab.nft("-f", str(script), check=False).returncode == 0


def netdev_table(lab):
    """'table netdev kvmnet' as {"sets": {name: [element text]}, "chains": [names], "counters":
    {name: packets}}; None when it does not exist."""
    p = lab.nft("-j", "list", "table", "netdev", "kvmnet", check=False)
    if p.returncode != 0:
        return None
    res = {"sets": {}, "chains": [], "counters": {}}

    def text(v):
        if isinstance(v, dict) and "elem" in v:
            v = v["elem"]["val"]
        if isinstance(v, dict) and "concat" in v:
            return " . ".join(str(x) for x in v["concat"])
        return str(v)

    for obj in json.loads(p.stdout)["nftables"]:
        if "set" in obj:
            res["sets"][obj["set"]["name"]] = [text(e) for e in obj["set"].get("elem", [])]
        elif "chain" in obj:
            res["chains"].append(obj["chain"]["name"])
        elif "counter" in obj:
            res["counters"][obj["counter"]["name"]] = obj["counter"]["packets"]
    return res


def dhcp_guest(lab, net):
    """A macvtap port of 'net' and a guest on it bound by udhcpc to the LAN's dnsmasq."""
    name, dev, mac = port_add(lab, net)
    ns = bind(lab, dev, mac, None)
    c = lab.dhcp_client(Guest(ns, None, None, name), "udhcpc")
    c.start(timeout=15)
    c.wait_bound(timeout=20)
    ip = c.bound_ip()
    assert lab.kn("port", "wait", net, name, "--timeout", "10").stdout.strip() == ip
    return name, mac, ns, ip, c


def lan_mac(ns):
    return json.loads(run(["ip", "-n", ns, "-j", "link", "show", "eth0"]).stdout)[0]["address"]


def attack(lab, a_ns, ip_a, victim_ns, victim_ip, victim_mac, lan_ns):
    """nettool.py port-attack from 'a_ns' with the LAN namespace as gateway, sniffed at the
    victim and on the LAN; returns (result, markers seen at the victim, markers on the LAN)."""
    tag = secrets.token_hex(4)
    sniff_v = Sniffer(lab, victim_ns, "eth0", tag)
    sniff_lan = Sniffer(lab, lan_ns, "eth0", tag)
    out = run(["ip", "netns", "exec", a_ns, PY, NETTOOL, "port-attack", "--iface", "eth0",
               "--ip", ip_a, "--gw", LAN_IP, "--gw-mac", lan_mac(lan_ns), "--victim-ip",
               victim_ip, "--victim-mac", victim_mac, "--unused-ip", UNUSED_IP, "--tag", tag],
              timeout=60).stdout
    res = json.loads(out.strip().splitlines()[-1])
    time.sleep(0.3)
    return res, sniff_v.stop()["markers"], sniff_lan.stop()["markers"]


def check_attack(lab, port, a_ns, ip_a, victim_ns, victim_ip, victim_mac, lan_ns):
    before = lab.port(port, "mv")
    res, seen_v, seen_lan = attack(lab, a_ns, ip_a, victim_ns, victim_ip, victim_mac, lan_ns)
    after = lab.port(port, "mv")
    legit = res["legit"]
    assert legit["arp_gw"] == lan_mac(lan_ns) and legit["arp_victim"] == victim_mac, res
    assert all(legit[k] for k in ("ping_gw", "ping_victim", "ping_gw_after",
                                  "ping_victim_after")), "legitimate traffic blocked: %s" % res
    # the sniffers work: the guest's own marked frames arrived
    assert seen_v.get("legit-victim") and seen_v.get("legit-bcast"), seen_v
    assert seen_lan.get("legit-gw") and seen_lan.get("legit-bcast"), seen_lan
    attacks = set(res["attacks"])
    assert len(attacks) >= 15, res
    leaked = {k: v for k, v in list(seen_v.items()) + list(seen_lan.items()) if k in attacks}
    assert not leaked, "forged frames from %s passed: %s" % (port, leaked)
    n_attacks = sum(res["attacks"].values())
    grew = after["dropped"] - before["dropped"]
    assert grew >= n_attacks, "dropped grew by %d for %d forged frames: %s -> %s" % (
        grew, n_attacks, before, after)
    assert after["dropped-bytes"] - before["dropped-bytes"] >= 28 * n_attacks, after


def test_macvtap_anti_spoofing(lab):
    if not have_egress_hook(lab):
        pytest.skip("nft or the kernel has no netdev egress hook (Linux 5.16, nft 1.0.1)")
    lan_ns = lan(lab)
    server, leases = lan_dnsmasq(lab, lan_ns)
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0")
    net = lab.networks()["mv"]
    assert (net["port-security"], net["port-policy"]) == ("yes", "egress"), net
    a, mac_a, a_ns, ip_a, ca = dhcp_guest(lab, "mv")
    b, mac_b, b_ns, ip_b, cb = dhcp_guest(lab, "mv")
    assert ip_a != ip_b
    t = netdev_table(lab)
    assert {"o_" + a, "o_" + b, "port_out", "deny"} <= set(t["chains"]), t
    assert "%s . %s . %s" % (a, mac_a, ip_a) in t["sets"]["src4"], t
    assert sorted(t["sets"]["t_mv"]) == sorted([ip_a, ip_b]), t
    assert a not in t["sets"]["learning"], "a guest with a DHCP address is held to it: %s" % t
    pa = lab.port(a, "mv")
    assert pa["policy"] is True and pa["dropped"] == 0, pa

    check_attack(lab, a, a_ns, ip_a, b_ns, ip_b, mac_b, lan_ns)
    assert lab.port(b, "mv")["dropped"] == 0, "the victim's port dropped frames"

    # a static guest: its ARP passes while it has no address, it is learned, then works
    c, dev_c, mac_c = port_add(lab, "mv")
    c_ns = bind(lab, dev_c, mac_c, STATIC_IP)
    run_probes([Probe("static guest -> LAN", c_ns, "ping", LAN_IP),
                Probe("LAN -> static guest", lan_ns, "ping", STATIC_IP)])
    learned = [(e["ip"], e["source"]) for e in lab.port(c, "mv")["learned"]]
    assert learned == [(STATIC_IP, "arp")], learned
    assert STATIC_IP in netdev_table(lab)["sets"]["t_mv"]
    # ... but it may not announce an address another guest of the network uses
    before = lab.port(c, "mv")["dropped"]
    run(["ip", "-n", c_ns, "addr", "add", ip_a + "/32", "dev", "eth0"])
    run(["ip", "-n", c_ns, "neigh", "flush", "all"])
    run(["ip", "netns", "exec", c_ns, "ping", "-c", "2", "-W", "1", "-I", ip_a, LAN_IP],
        check=False)
    assert ip_a not in [e["ip"] for e in lab.port(c, "mv")["learned"]]
    assert lab.port(c, "mv")["dropped"] > before
    assert run(["ip", "-n", lan_ns, "-j", "neigh", "show", ip_a]).stdout.count(mac_c) == 0

    # a restart keeps the policy and what it allows
    assert lab.stop_daemon() == 0
    assert netdev_table(lab) is not None, "the policy went with the daemon"
    lab.start_daemon()
    learned = {e["ip"]: e["source"] for e in lab.port(a, "mv")["learned"]}
    assert learned == {ip_a: "dhcp"}, learned
    run_probes([Probe("guest A -> LAN after restart", a_ns, "ping", LAN_IP),
                Probe("LAN -> guest A after restart", lan_ns, "ping", ip_a)])
    check_attack(lab, a, a_ns, ip_a, b_ns, ip_b, mac_b, lan_ns)
    t = netdev_table(lab)
    assert sorted(t["sets"]["t_mv"]) == sorted([ip_a, ip_b, STATIC_IP]), t

    # a port's removal takes its chain and elements; the network's deletion the table
    lab.kn("port", "remove", "mv", c)
    t = netdev_table(lab)
    assert "o_" + c not in t["chains"] and "d_" + c not in t["counters"], t
    assert STATIC_IP not in t["sets"]["t_mv"], t
    assert not any(c in e for s in t["sets"].values() for e in s), t
    lab.kn("net", "delete", "mv")
    lab.settle()
    assert netdev_table(lab) is None, netdev_table(lab)
    assert "netdev" not in lab.nft("list", "tables").stdout
    lab.stop_proc(server)
    del ca, cb, leases


def test_macvtap_port_security_mac_and_no(lab):
    """port-security mac binds the source MAC only (a forged address passes, a forged MAC does
    not); 'no' installs nothing."""
    if not have_egress_hook(lab):
        pytest.skip("nft or the kernel has no netdev egress hook (Linux 5.16, nft 1.0.1)")
    lan_ns = lan(lab)
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0", "--port-security",
           "mac")
    name, dev, mac = port_add(lab, "mv")
    g = bind(lab, dev, mac, "192.0.2.71")
    run_probes([Probe("guest -> LAN", g, "ping", LAN_IP)])
    t = netdev_table(lab)
    assert "o_" + name in t["chains"] and name not in t["sets"]["ipbind"], t
    run(["ip", "-n", g, "addr", "add", "192.0.2.72/24", "dev", "eth0"])
    run_probes([Probe("guest -> LAN from an unlearned address", g, "ping", LAN_IP)])
    before = lab.port(name, "mv")["dropped"]
    run(["ip", "-n", g, "link", "set", "eth0", "address", "52:54:00:de:ad:02"])
    run(["ip", "-n", g, "neigh", "flush", "all"])
    run_probes([Probe("guest -> LAN with a forged MAC", g, "ping", LAN_IP, expect=False)])
    assert lab.port(name, "mv")["dropped"] > before
    lab.kn("net", "delete", "mv")
    lab.settle()
    assert netdev_table(lab) is None

    lab.kn("net", "create", "mv2", "--mode", "macvtap", "--uplink", "lan0", "--port-security",
           "no")
    assert lab.networks()["mv2"]["port-policy"] == "off"
    port_add(lab, "mv2")
    assert netdev_table(lab) is None
