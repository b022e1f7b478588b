# SPDX-License-Identifier: GPL-2.0-or-later
"""The DHCP protocol with crafted packets (scapy, from a guest namespace): what each network
mode serves, what a reply carries, NAK for an INIT-REBOOT request of a foreign address, DECLINE
leading to another address, INFORM, and no answer at all with --no-dhcp."""
import ipaddress

import pytest

from knlab import run

LEASE = "2m"
LEASE_SEC = 120


def replies_of(doc, mtype):
    return [r for r in doc["replies"] if r.get("type") == mtype]


def check_reply_is_ours(r, gw, subnet):
    """A reply of the network with gateway 'gw' and 'subnet' (never another network's data)."""
    net = ipaddress.ip_network(subnet)
    assert r.get("server_id") == gw, "server id %s, expected %s: %s" % (r.get("server_id"), gw, r)
    assert r["src_ip"] == gw, "reply sent from %s, expected %s: %s" % (r["src_ip"], gw, r)
    if r["yiaddr"] != "0.0.0.0":
        assert ipaddress.ip_address(r["yiaddr"]) in net, "yiaddr %s outside %s" % (
            r["yiaddr"], subnet)


@pytest.mark.parametrize("mode", ["nat", "routed", "isolated", "open"])
def test_every_mode_serves_dhcp(lab, mode):
    lab.create("lab", mode, "10.60.0.0/24", "--lease-time", LEASE)
    g = lab.dhcp_guest("kn-lab")
    doc = lab.dhcp_tool(g.ns, "dora", "--hostname", "m-" + mode)
    assert doc["ack"] and doc["ack"]["type"] == "ack", doc
    ack = doc["ack"]
    check_reply_is_ours(doc["offer"], "10.60.0.1", "10.60.0.0/24")
    check_reply_is_ours(ack, "10.60.0.1", "10.60.0.0/24")
    assert ack["yiaddr"] == doc["offer"]["yiaddr"], doc
    assert ack["chaddr"] == g.mac, ack
    lease = lab.wait_lease(g.mac, "lab", ack["yiaddr"])
    assert lease["hostname"] == "m-" + mode, lease


def test_reply_options(lab):
    lab.create("dns", "nat", "10.60.0.0/24", "--lease-time", LEASE)
    lab.create("nodns", "nat", "10.61.0.0/24", "--lease-time", LEASE, "--no-dns")
    g1 = lab.dhcp_guest("kn-dns")
    g2 = lab.dhcp_guest("kn-nodns")
    for g, gw, subnet, dns in ((g1, "10.60.0.1", "10.60.0.0/24", True),
                               (g2, "10.61.0.1", "10.61.0.0/24", False)):
        doc = lab.dhcp_tool(g.ns, "dora")
        for r in (doc["offer"], doc["ack"]):
            assert r, doc
            check_reply_is_ours(r, gw, subnet)
            assert r["subnet_mask"] == "255.255.255.0", r
            assert r["router"] == gw, r
            assert r["lease_time"] == LEASE_SEC, r
            assert 0 < r.get("t1", 0) < r.get("t2", 0) < LEASE_SEC, "T1/T2: %s" % r
            if dns:
                assert r.get("dns") == [gw], "DNS server should be the gateway: %s" % r
            else:
                assert "dns" not in r, "--no-dns network announces a DNS server: %s" % r
        assert doc["ack"]["type"] == "ack"


def test_no_dhcp_network_answers_nothing(lab):
    lab.create("lab", "nat", "10.60.0.0/24", "--no-dhcp")
    g = lab.dhcp_guest("kn-lab")
    doc = lab.dhcp_tool(g.ns, "discover", "--tries", 2)
    assert doc["replies"] == [], doc
    assert lab.leases() == []


def test_init_reboot_for_foreign_address_gets_nak(lab):
    """RFC 2131 4.3.2: an INIT-REBOOT request for an address of another network is NAKed;
    the client then gets a proper address."""
    lab.create("lab", "nat", "10.60.0.0/24", "--lease-time", LEASE)
    g = lab.dhcp_guest("kn-lab")
    doc = lab.dhcp_tool(g.ns, "send", "--type", "request", "--ip", "10.99.0.5",
                        "--tries", 1, "--timeout", 1.5)
    assert not replies_of(doc, "ack"), "foreign address ACKed: %s" % doc
    naks = replies_of(doc, "nak")
    assert naks, "no NAK for an INIT-REBOOT request of 10.99.0.5: %s" % doc
    for r in naks:
        check_reply_is_ours(r, "10.60.0.1", "10.60.0.0/24")
        assert r["yiaddr"] == "0.0.0.0", r
        assert "lease_time" not in r, r
    assert not any(x["ip"] == "10.99.0.5" for x in lab.leases()), lab.leases()
    doc = lab.dhcp_tool(g.ns, "dora")
    assert doc["ack"] and doc["ack"]["type"] == "ack", doc
    assert doc["ack"]["yiaddr"].startswith("10.60.0."), doc


def test_init_reboot_for_address_of_another_client_is_refused(lab):
    """NAK or silence (RFC 2131 4.3.2 lets a server without a record of the client stay
    silent), never an ACK, and the holder keeps its lease."""
    lab.create("lab", "nat", "10.60.0.0/24", "--lease-time", LEASE)
    g1 = lab.dhcp_guest("kn-lab")
    g2 = lab.dhcp_guest("kn-lab")
    held = lab.dhcp_client(g1, "udhcpc").start().wait_bound()["ip"]
    lab.wait_lease(g1.mac, "lab", held)
    doc = lab.dhcp_tool(g2.ns, "send", "--type", "request", "--ip", held,
                        "--tries", 1, "--timeout", 1.5)
    assert not replies_of(doc, "ack"), "address of another client ACKed: %s" % doc
    for r in doc["replies"]:
        check_reply_is_ours(r, "10.60.0.1", "10.60.0.0/24")
    assert lab.lease_of(g1.mac, "lab")["ip"] == held
    assert lab.lease_of(g2.mac, "lab") is None


def test_decline_leads_to_another_address(lab):
    """DISCOVER/OFFER/REQUEST/ACK, then DECLINE of the acked address, then DISCOVER again: a
    different address is offered, and the declined one is kept out of the pool for others too.
    A two-address range makes the second offer's choice forced."""
    lab.create("lab", "nat", "10.60.0.0/24", "--dhcp-range", "10.60.0.10-10.60.0.11",
               "--lease-time", LEASE)
    g1 = lab.dhcp_guest("kn-lab")
    g2 = lab.dhcp_guest("kn-lab")
    doc = lab.dhcp_tool(g1.ns, "decline")
    assert doc["ack"] and doc["ack"]["type"] == "ack", doc
    declined = doc["ack"]["yiaddr"]
    assert declined in ("10.60.0.10", "10.60.0.11"), doc
    assert doc["decline_replies"] == [], "a DECLINE must not be answered: %s" % doc
    second = doc["second_offer"]
    assert second, "no offer after DECLINE: %s" % doc
    check_reply_is_ours(second, "10.60.0.1", "10.60.0.0/24")
    other = "10.60.0.11" if declined == "10.60.0.10" else "10.60.0.10"
    assert second["yiaddr"] == other, "offered %s after declining %s" % (second["yiaddr"],
                                                                        declined)
    bound = [x for x in lab.leases("lab") if x.get("state", "bound") == "bound"]
    assert not any(x["ip"] == declined for x in bound), "declined address still bound: %s" % bound
    # Another client is never offered the declined address either.
    doc2 = lab.dhcp_tool(g2.ns, "discover", "--tries", 2)
    assert all(r.get("yiaddr") != declined for r in doc2["replies"]), doc2


def test_inform_gets_configuration_without_lease(lab):
    """A guest with a static address sends INFORM: ACK with the network's options, no address
    and no lease time (RFC 2131 3.4), unicast to it; no lease is created."""
    lab.create("lab", "nat", "10.60.0.0/24", "--lease-time", LEASE)
    g = lab.dhcp_guest("kn-lab")
    run(["ip", "-n", g.ns, "addr", "add", "10.60.0.200/24", "dev", "eth0"])
    doc = lab.dhcp_tool(g.ns, "send", "--type", "inform", "--ciaddr", "10.60.0.200",
                        "--src-ip", "10.60.0.200", "--tries", 2, "--timeout", 1)
    acks = replies_of(doc, "ack")
    assert acks, "no ACK to INFORM: %s" % doc
    for r in acks:
        check_reply_is_ours(r, "10.60.0.1", "10.60.0.0/24")
        assert r["yiaddr"] == "0.0.0.0", r
        assert "lease_time" not in r, "INFORM ACK carries a lease time: %s" % r
        assert r["router"] == "10.60.0.1", r
        assert r["dst_ip"] in ("10.60.0.200", "255.255.255.255"), r
    assert lab.lease_of(g.mac, "lab") is None, lab.leases()
