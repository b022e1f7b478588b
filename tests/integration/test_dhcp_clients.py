# SPDX-License-Identifier: GPL-2.0-or-later
"""kvmnetd's DHCP server with the real clients guests run: ISC dhclient, dhcpcd and busybox udhcpc,
each in its own guest namespace on a kvmnet network. A client gets an address in the range, on
the right subnet, with the gateway as its default router; renews it (same address, the expiry
in 'lease list' moves forward); releases it (the lease is no longer listed as bound). The host
names the clients send show in 'lease list'. The NAK cases (init-reboot for a foreign address)
are here too, because they are about how real clients recover."""
import ipaddress
import re
import time

import pytest

from knlab import DHCP_KINDS, Probe, run, run_probes

LEASE = "2m"
LEASE_SEC = 120


def in_range(ip, first, last):
    a = ipaddress.ip_address
    return a(first) <= a(ip) <= a(last)


def wait_expiry_after(lab, mac, net, ip, old, timeout=5):
    """The bound lease of 'mac' once its expiry is later than 'old'."""
    deadline = time.monotonic() + timeout
    while True:
        lease = lab.wait_lease(mac, net, ip)
        if int(lease["expires"]) > int(old) or time.monotonic() > deadline:
            return lease
        time.sleep(0.1)


def wait_not_bound(lab, mac, net, timeout=5):
    deadline = time.monotonic() + timeout
    while lab.lease_of(mac, net) is not None:
        if time.monotonic() > deadline:
            raise AssertionError("%s still has a bound lease after release: %s"
                                 % (mac, lab.lease_of(mac, net)))
        time.sleep(0.1)


@pytest.mark.parametrize("kind", DHCP_KINDS)
def test_client_gets_renews_releases(lab, kind):
    lab.create("lab", "nat", "10.50.0.0/24", "--dhcp-range", "10.50.0.100-10.50.0.150",
               "--lease-time", LEASE)
    g = lab.dhcp_guest("kn-lab", mac="52:54:00:50:00:%02x" % (DHCP_KINDS.index(kind) + 1))
    name = "guest-" + kind
    c = lab.dhcp_client(g, kind, hostname=name).start()

    ev = c.wait_bound()
    ip = ev["ip"]
    assert in_range(ip, "10.50.0.100", "10.50.0.150"), "%s got %s, outside the range" % (kind, ip)
    assert ev["mask"] == "255.255.255.0", ev
    assert ev["routers"].split()[0] == "10.50.0.1", ev
    assert ev["server"] == "10.50.0.1", ev
    assert 0 < int(ev["lease"]) <= LEASE_SEC, ev
    assert lab.guest_addrs(g.ns) == [ip + "/24"], lab.guest_addrs(g.ns)
    assert lab.guest_gateway(g.ns) == "10.50.0.1"
    run_probes([Probe("%s guest -> gateway with its leased address" % kind, g.ns, "ping",
                      "10.50.0.1")])

    lease = lab.wait_lease(g.mac, "lab", ip)
    assert lease["network"] == "lab", lease
    assert lease["hostname"] == name, "hostname sent by %s not listed: %s" % (kind, lease)
    assert lease.get("state", "bound") == "bound", lease
    now = time.time()
    assert now + LEASE_SEC - 30 < int(lease["expires"]) <= now + LEASE_SEC + 5, \
        "expires %s is not ~%ss from now (%d)" % (lease["expires"], LEASE_SEC, now)

    # The table form lists it too, under the documented columns.
    table = lab.kn("lease", "list", "lab").stdout
    header = table.splitlines()[0].split()
    for col in ("NETWORK", "MAC", "IP", "HOSTNAME", "EXPIRES"):
        assert col in header, "column %s missing: %r" % (col, header)
    row = [ln for ln in table.splitlines() if g.mac in ln.lower()]
    assert len(row) == 1 and ip in row[0].split() and name in row[0].split(), table

    time.sleep(1.2)  # so that a renewed expiry is visibly later
    ev = c.renew()
    assert ev["ip"] == ip, "%s renewal changed the address: %s" % (kind, ev)
    renewed = wait_expiry_after(lab, g.mac, "lab", ip, lease["expires"])
    assert int(renewed["expires"]) > int(lease["expires"]), \
        "expiry did not move on renewal: %s -> %s" % (lease, renewed)
    assert lab.guest_addrs(g.ns) == [ip + "/24"]

    c.release()
    wait_not_bound(lab, g.mac, "lab")
    assert all(x["ip"] != ip or x.get("state", "bound") != "bound" for x in lab.leases()), \
        lab.leases()


def test_clients_side_by_side(lab):
    """All three at once on one network: distinct addresses, each listed with its own name."""
    lab.create("lab", "routed", "10.50.0.0/24", "--lease-time", LEASE)
    clients = []
    for i, kind in enumerate(DHCP_KINDS):
        g = lab.dhcp_guest("kn-lab", mac="52:54:00:50:01:%02x" % i)
        clients.append((g, lab.dhcp_client(g, kind, hostname="side-%d" % i).start()))
    ips = {}
    for g, c in clients:
        ev = c.wait_bound()
        # default range: every address after the gateway up to the last usable one
        assert in_range(ev["ip"], "10.50.0.2", "10.50.0.254"), ev
        ips[g.mac] = ev["ip"]
    assert len(set(ips.values())) == 3, "addresses not distinct: %s" % ips
    leases = {x["mac"].lower(): x for x in lab.leases("lab")}
    for i, (g, _) in enumerate(clients):
        assert leases[g.mac]["ip"] == ips[g.mac], leases
        assert leases[g.mac]["hostname"] == "side-%d" % i, leases
    # the guests reach each other with their leased addresses
    g0, g1, g2 = (g for g, _ in clients)
    run_probes([Probe("dhclient guest -> dhcpcd guest", g0.ns, "ping", ips[g1.mac]),
                Probe("udhcpc guest -> dhclient guest", g2.ns, "ping", ips[g0.mac])])


def test_lease_list_per_network(lab):
    lab.create("a", "nat", "10.50.0.0/24", "--lease-time", LEASE)
    lab.create("b", "isolated", "10.51.0.0/24", "--lease-time", LEASE)
    ga = lab.dhcp_guest("kn-a")
    gb = lab.dhcp_guest("kn-b")
    ca = lab.dhcp_client(ga, "udhcpc", hostname="in-a").start()
    cb = lab.dhcp_client(gb, "udhcpc", hostname="in-b").start()
    ipa, ipb = ca.wait_bound()["ip"], cb.wait_bound()["ip"]
    assert ipa.startswith("10.50.0.") and ipb.startswith("10.51.0."), (ipa, ipb)
    assert cb.wait_bound()["routers"] == "10.51.0.1"
    lab.wait_lease(ga.mac, "a", ipa)
    lab.wait_lease(gb.mac, "b", ipb)
    only_a = lab.leases("a")
    assert [(x["network"], x["mac"].lower(), x["ip"]) for x in only_a] == [("a", ga.mac, ipa)], \
        only_a
    both = {(x["network"], x["mac"].lower(), x["ip"]) for x in lab.leases()}
    assert both == {("a", ga.mac, ipa), ("b", gb.mac, ipb)}, both


# ---- NAK: init-reboot for an address the network does not give ------------------------------

FOREIGN_LEASE = """lease {
  interface "eth0";
  fixed-address 10.99.0.5;
  option subnet-mask 255.255.255.0;
  option routers 10.99.0.1;
  option dhcp-lease-time 3600;
  option dhcp-server-identifier 10.99.0.1;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
"""


def test_dhclient_foreign_lease_is_nakked_then_recovers(lab):
    """dhclient starts with a lease of another subnet (INIT-REBOOT, REQUEST for 10.99.0.5):
    kvmnetd NAKs it, dhclient falls back to DISCOVER and gets a proper address."""
    lab.create("lab", "nat", "10.52.0.0/24", "--lease-time", LEASE)
    g = lab.dhcp_guest("kn-lab")
    c = lab.dhcp_client(g, "dhclient", hostname="wanderer")
    c.leasefile.write_text(FOREIGN_LEASE)
    c.start()
    ev = c.wait_bound(timeout=20)
    assert re.search(r"DHCPREQUEST for 10\.99\.0\.5", c.output()), c.describe()
    assert re.search(r"DHCPNAK from 10\.52\.0\.1", c.output()), \
        "no NAK for the foreign address\n" + c.describe()
    assert ev["reason"] == "BOUND" and ev["ip"].startswith("10.52.0."), ev
    assert lab.guest_addrs(g.ns) == [ev["ip"] + "/24"]
    lease = lab.wait_lease(g.mac, "lab", ev["ip"])
    assert lease["hostname"] == "wanderer", lease
    assert not any(x["ip"] == "10.99.0.5" for x in lab.leases()), lab.leases()


@pytest.mark.parametrize("kind", ["dhclient", "dhcpcd"])
def test_guest_moved_to_another_network_is_nakked_then_recovers(lab, kind):
    """A guest with a lease on network a is moved to network b (its port re-attached) and its
    client restarts: it asks for its old address again (INIT-REBOOT), b NAKs it, the client ends
    up with an address of b. (udhcpc keeps no lease across restarts: it has no INIT-REBOOT.)"""
    lab.create("a", "nat", "10.53.0.0/24", "--lease-time", LEASE)
    lab.create("b", "nat", "10.54.0.0/24", "--lease-time", LEASE)
    g = lab.dhcp_guest("kn-a")
    c = lab.dhcp_client(g, kind, hostname="mover").start()
    old = c.wait_bound()["ip"]
    assert old.startswith("10.53.0."), old
    lab.wait_lease(g.mac, "a", old)

    run(["ip", "-n", lab.host, "link", "set", g.host_if, "nomaster"])
    run(["ip", "-n", lab.host, "link", "set", g.host_if, "master", "kn-b", "up"])
    ev = c.restart(timeout=20)
    out = c.output()
    assert re.search(r"(DHCPREQUEST for|rebinding lease of) %s" % re.escape(old), out), \
        "the client did not ask for its old address\n" + c.describe()
    assert re.search(r"NAK.* from 10\.54\.0\.1", out), "no NAK from b\n" + c.describe()
    assert ev["ip"].startswith("10.54.0."), "%s kept %s on network b: %s" % (kind, old, ev)
    assert ev["routers"].split()[0] == "10.54.0.1", ev
    lab.wait_lease(g.mac, "b", ev["ip"])
    assert lab.guest_addrs(g.ns) == [ev["ip"] + "/24"]
    assert lab.guest_gateway(g.ns) == "10.54.0.1"
