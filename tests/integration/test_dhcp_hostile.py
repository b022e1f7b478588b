# SPDX-License-Identifier: GPL-2.0-or-later
"""Guests are untrusted. Thousands of malformed and random DHCP packets (truncated, bad magic
cookie, option lengths past the end, random bytes, random op/htype/hlen, option-overload loops,
zero-length, oversized and fragmented, lying UDP lengths...) leave kvmnetd up and serving: a
real client still gets its lease, during and after the flood, and whatever was answered came
from the right network. A guest of one network cannot take, renew, release or decline another
network's addresses, and is never answered with the other network's data. One port's guest
cannot take more than 'dhcp-leases-per-port' leases with made-up client identifiers, on ports
under the per-port policy (their requests from 0.0.0.0 are marked with the port)."""
import ipaddress
import json
import signal

import pytest

from knlab import NETTOOL, PY, Probe, run, run_probes

LEASE = "10m"


def assert_ours(replies, gw, subnet, what):
    net = ipaddress.ip_network(subnet)
    for r in replies:
        assert r.get("server_id") == gw and r["src_ip"] == gw, \
            "%s: reply with another server's identity (expected %s): %s" % (what, gw, r)
        assert r["yiaddr"] == "0.0.0.0" or ipaddress.ip_address(r["yiaddr"]) in net, \
            "%s: reply offers %s, outside %s: %s" % (what, r["yiaddr"], subnet, r)
        if r.get("type") in ("offer", "ack"):
            assert r.get("router") in (None, gw), "%s: router %s: %s" % (what, r.get("router"), r)


def test_malformed_flood_then_real_client(lab):
    lab.create("lab", "nat", "10.70.0.0/24", "--lease-time", LEASE)
    lab.create("other", "nat", "10.71.0.0/24", "--lease-time", LEASE)
    fuzzer = lab.dhcp_guest("kn-lab")
    during = lab.dhcp_guest("kn-lab")
    after = lab.dhcp_guest("kn-lab")
    watcher = lab.dhcp_guest("kn-other")

    flood, outp = lab.spawn(fuzzer.ns, [
        PY, NETTOOL, "dhcp-fuzz", "--count", 3000, "--seconds", 5,
        "--seed", 20240611,
        "--subnet-ips", "10.70.0.1,10.70.0.2,10.70.0.77,10.70.0.255,10.71.0.5,10.71.0.1"])
    # a client that starts while the flood is on
    c_during = lab.dhcp_client(during, "udhcpc", hostname="during").start(timeout=30)
    ev = c_during.wait_bound(timeout=30)
    assert ev["ip"].startswith("10.70.0.") and ev["server"] == "10.70.0.1", ev
    flood.wait(60)
    assert flood.returncode == 0, outp.read_text()
    stats = json.loads(outp.read_text().strip().splitlines()[-1])
    assert stats["sent"] >= 2900, stats
    assert stats["seconds"] < 15, stats
    assert_ours(stats["replies"], "10.70.0.1", "10.70.0.0/24", "replies during the flood")

    assert lab.daemon.poll() is None, "kvmnetd died under the flood\n" + lab.log_text()[-5000:]
    lab.kn("status")
    # Dropped and counted: 'net show --json' carries the DHCP counters (when it has them).
    counters = lab.kn_json("net", "show", "lab").get("dhcp-stats")
    if counters is not None:
        assert counters["dropped-malformed"] >= 500, counters
        assert counters["received"] >= counters["dropped-malformed"], counters
    # a client after the flood, the one during it renews, a client of another network works
    c_after = lab.dhcp_client(after, "dhclient", hostname="after").start()
    ev = c_after.wait_bound()
    assert ev["ip"].startswith("10.70.0.") and ev["routers"] == "10.70.0.1", ev
    assert c_during.renew()["ip"] == c_during.bound_ip()
    c_other = lab.dhcp_client(watcher, "dhcpcd", hostname="watcher").start()
    assert c_other.wait_bound()["ip"].startswith("10.71.0."), c_other.describe()
    lab.wait_lease(after.mac, "lab", ev["ip"])
    names = {x["hostname"] for x in lab.leases()}
    assert {"during", "after", "watcher"} <= names, lab.leases()
    run_probes([Probe("real client -> gateway after the flood", after.ns, "ping", "10.70.0.1")])
    # nothing the flood got answered came from the other network
    assert_ours(lab.dhcp_tool(fuzzer.ns, "discover", "--tries", 1)["replies"],
                "10.70.0.1", "10.70.0.0/24", "discover after flood")
    # every lease of 'lab' is inside its subnet, every one of 'other' inside its own
    for x in lab.leases():
        subnet = {"lab": "10.70.0.0/24", "other": "10.71.0.0/24"}[x["network"]]
        assert ipaddress.ip_address(x["ip"]) in ipaddress.ip_network(subnet), x
    assert lab.stop_daemon(signal.SIGTERM) == 0
    lab.start_daemon()
    assert lab.leases(), "leases lost after the flood and a restart"


def test_flood_replies_come_from_the_right_network(lab):
    """The flood's own replies (offers to its well-formed messages) carry network a's server
    identifier, router and addresses only."""
    lab.create("a", "nat", "10.72.0.0/24", "--lease-time", LEASE)
    lab.create("b", "nat", "10.73.0.0/24", "--lease-time", LEASE)
    g = lab.dhcp_guest("kn-a")
    p = run(["ip", "netns", "exec", g.ns, PY, NETTOOL, "dhcp-fuzz", "--count", "800",
             "--seconds", "2", "--seed", "7", "--subnet-ips", "10.72.0.9,10.73.0.9,10.73.0.1"],
            timeout=60)
    doc = json.loads(p.stdout.strip().splitlines()[-1])
    assert doc["sent"] >= 780, doc
    assert doc["reply_types"].get("offer", 0) > 0, \
        "no offer to any of the flood's well-formed DISCOVERs: %s" % doc["reply_types"]
    assert_ours(doc["replies"], "10.72.0.1", "10.72.0.0/24", "flood replies")
    assert lab.daemon.poll() is None
    assert all(x["network"] == "a" and x["ip"].startswith("10.72.0.") for x in lab.leases()), \
        lab.leases()


def test_rogue_guest_cannot_take_another_networks_address(lab):
    lab.create("a", "nat", "10.74.0.0/24", "--lease-time", LEASE)
    lab.create("b", "nat", "10.75.0.0/24", "--lease-time", LEASE)
    victim = lab.dhcp_guest("kn-b")
    rogue = lab.dhcp_guest("kn-a")
    cv = lab.dhcp_client(victim, "udhcpc", hostname="victim").start()
    v_ip = cv.wait_bound()["ip"]
    assert v_ip.startswith("10.75.0."), v_ip
    v_lease = lab.wait_lease(victim.mac, "b", v_ip)
    a_bridge = lab.bridge_mac("kn-a")

    attempts = {
        # INIT-REBOOT for b's address, as itself and as the victim
        "init-reboot": ["--type", "request", "--ip", v_ip],
        "init-reboot as victim": ["--type", "request", "--ip", v_ip, "--chaddr", victim.mac],
        # SELECTING with b's server identifier
        "selecting b's server": ["--type", "request", "--ip", v_ip, "--server-id", "10.75.0.1",
                                 "--chaddr", victim.mac],
        # RENEWING, unicast to b's gateway through a's bridge, as the victim
        "renewing to b": ["--type", "request", "--ciaddr", v_ip, "--src-ip", v_ip,
                          "--dst-ip", "10.75.0.1", "--dst-mac", a_bridge, "--chaddr", victim.mac],
        # REBINDING (broadcast, ciaddr set) as the victim
        "rebinding": ["--type", "request", "--ciaddr", v_ip, "--src-ip", v_ip,
                      "--chaddr", victim.mac],
        # DISCOVER asking for b's address as the victim
        "discover b's address": ["--type", "discover", "--ip", v_ip, "--chaddr", victim.mac],
        # INFORM from b's address
        "inform": ["--type", "inform", "--ciaddr", v_ip, "--src-ip", v_ip],
    }
    for what, args in attempts.items():
        doc = lab.dhcp_tool(rogue.ns, "send", *args, "--tries", 1, "--timeout", 1)
        acks = [r for r in doc["replies"] if r.get("type") == "ack" and r["yiaddr"] == v_ip]
        assert not acks, "%s: network a ACKed b's address %s: %s" % (what, v_ip, doc)
        assert_ours(doc["replies"], "10.74.0.1", "10.74.0.0/24", what)

    # RELEASE and DECLINE of the victim's lease, sent from a (broadcast and unicast to b's
    # gateway): the victim's lease on b is untouched.
    for args in (["--type", "release", "--ciaddr", v_ip, "--src-ip", v_ip, "--server-id",
                  "10.75.0.1", "--chaddr", victim.mac, "--dst-ip", "10.75.0.1",
                  "--dst-mac", a_bridge],
                 ["--type", "release", "--ciaddr", v_ip, "--src-ip", v_ip, "--server-id",
                  "10.75.0.1", "--chaddr", victim.mac],
                 ["--type", "decline", "--ip", v_ip, "--server-id", "10.75.0.1",
                  "--chaddr", victim.mac]):
        doc = lab.dhcp_tool(rogue.ns, "send", *args, "--tries", 1, "--timeout", 0.5)
        assert doc["replies"] == [], "answered a %s: %s" % (args[1], doc)
    held = lab.lease_of(victim.mac, "b")
    assert held and held["ip"] == v_ip, "victim's lease changed: %s" % lab.leases()
    assert int(held["expires"]) == int(v_lease["expires"]), (v_lease, held)
    # no lease of network a holds anything outside a's subnet, nothing of b moved to a
    for x in lab.leases():
        if x["network"] == "a":
            assert x["ip"].startswith("10.74.0."), x
            assert x["ip"] != v_ip, x
    # the victim still renews its address
    assert cv.renew()["ip"] == v_ip


@pytest.mark.parametrize("cap,security,offered", [
    ("4", "yes", 4),     # the cap, on a policed port
    ("4", "mac", 4),
    ("0", "yes", 10),    # no cap
    ("4", "no", 10),     # no policy, no mark: the port is unknown, so no cap
], ids=["cap4", "cap4-mac", "cap0", "cap4-unpoliced"])
def test_port_lease_cap(lab, cap, security, offered):
    """A guest sends DISCOVERs from its own MAC (so port security lets them through) with 10
    client identifiers: only 'cap' of them are offered an address, the rest are counted as
    dropped-port-limit; a real client on another port of the network still gets its lease."""
    lab.create("cap", "nat", "10.76.0.0/24", "--lease-time", LEASE,
               "--dhcp-leases-per-port", cap, "--port-security", security)
    assert "\ndhcp-leases-per-port = %s\n" % cap in lab.kn("net", "export", "cap").stdout
    hostile = lab.dhcp_guest("kn-cap")
    other = lab.dhcp_guest("kn-cap")
    for g in (hostile, other):
        lab.wait_port(g.host_if, pred=lambda p: p["policy"] == (security != "no"))
    # the policy gives the port its mark: the flag byte and the port's ifindex
    ifindex = lab.link(hostile.host_if)["ifindex"]
    elems = lab.port_policy(hostile.host_if).get("dhcp_port")
    if security == "no":
        assert elems is None, elems
    else:
        assert elems == ["%s : %d" % (hostile.host_if, 0x6b000000 | ifindex)], elems

    doc = lab.dhcp_tool(hostile.ns, "client-ids", "--count", 10, "--tries", 2, "--timeout", 1)
    got = [o for o in doc["offers"] if o["ip"]]
    assert len(got) == offered, doc
    # the first identities to ask are the ones admitted
    assert got == doc["offers"][:offered], doc
    assert len({o["ip"] for o in got}) == offered, doc
    assert all(ipaddress.ip_address(o["ip"]) in ipaddress.ip_network("10.76.0.0/24")
               for o in got), doc
    stats = lab.kn_json("net", "show", "cap")["dhcp-stats"]
    if offered < 10:
        # each of the others refused at every try
        assert stats["dropped-port-limit"] >= 10 - offered, stats
        assert stats["offers"] >= offered, stats
    else:
        assert stats["dropped-port-limit"] == 0, stats

    # a real client on another port is not affected
    c = lab.dhcp_client(other, "udhcpc", hostname="neighbour").start()
    ev = c.wait_bound()
    assert ipaddress.ip_address(ev["ip"]) in ipaddress.ip_network("10.76.0.0/24"), ev
    assert ev["ip"] not in {o["ip"] for o in got}, (ev, doc)
    lab.wait_lease(other.mac, "cap", ev["ip"])
    assert lab.daemon.poll() is None
