# SPDX-License-Identifier: GPL-2.0-or-later
"""Leases are durable: they survive SIGTERM and kill -9 of kvmnetd (STATE/leases.journal, a
lease on disk before its ACK leaves), and after a restart a new client never gets an address
that is still leased to another, even when the daemon was killed right after an ACK."""
import signal
import time

import pytest

from knlab import DHCP_KINDS

LEASE = "10m"
FIELDS = ("network", "mac", "ip", "hostname", "expires", "state")


def lease_view(lab):
    """The lease table as comparable tuples (known fields only, sorted)."""
    return sorted(tuple(str(x.get(k, "")).lower() for k in FIELDS) for x in lab.leases())


def journal(lab):
    return lab.state / "leases.journal"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_leases_survive_restart(lab, sig):
    lab.create("lab", "nat", "10.65.0.0/24", "--lease-time", LEASE)
    lab.create("other", "isolated", "10.66.0.0/24", "--lease-time", LEASE)
    clients = []
    for i, kind in enumerate(DHCP_KINDS):
        g = lab.dhcp_guest("kn-lab" if i < 2 else "kn-other")
        clients.append((g, lab.dhcp_client(g, kind, hostname="keep-%s" % kind).start()))
    ips = {}
    for g, c in clients:
        ips[g.mac] = c.wait_bound()["ip"]
        lab.wait_lease(g.mac, None, ips[g.mac])
    before = lease_view(lab)
    assert len(before) == 3, before
    assert journal(lab).is_file() and journal(lab).stat().st_size > 0, \
        "no lease journal at %s: %s" % (journal(lab), sorted(p.name for p in lab.state.iterdir()))

    rc = lab.stop_daemon(sig)
    assert rc == (0 if sig == signal.SIGTERM else -signal.SIGKILL), rc
    lab.start_daemon()
    after = lease_view(lab)
    assert after == before, "leases changed across %s:\nbefore %s\nafter  %s" % (
        sig.name, before, after)

    # The restarted daemon honours them: every client renews its own address.
    for g, c in clients:
        ev = c.renew()
        assert ev["ip"] == ips[g.mac], "%r lost %s after the restart: %s" % (c, ips[g.mac], ev)
    time.sleep(0.2)
    assert {x["mac"].lower(): x["ip"] for x in lab.leases()} == ips


def test_new_client_never_gets_a_leased_address_after_kill9(lab):
    """A three-address pool. Clients a and b get leases; kvmnetd is killed (-9) the moment b
    is bound (so b's ACK has just left). After the restart a new client c gets the third
    address, and a fourth client d gets nothing: the pool is full."""
    lab.create("lab", "nat", "10.67.0.0/24", "--dhcp-range", "10.67.0.2-10.67.0.4",
               "--lease-time", LEASE)
    pool = {"10.67.0.2", "10.67.0.3", "10.67.0.4"}
    ga, gb, gc, gd = (lab.dhcp_guest("kn-lab") for _ in range(4))
    ca = lab.dhcp_client(ga, "udhcpc", hostname="a").start(quit_bound=True)
    ip_a = ca.wait_bound()["ip"]
    cb = lab.dhcp_client(gb, "udhcpc", hostname="b").start(quit_bound=True)
    ip_b = cb.wait_bound()["ip"]
    assert lab.stop_daemon(signal.SIGKILL) == -signal.SIGKILL
    assert {ip_a, ip_b} <= pool and ip_a != ip_b, (ip_a, ip_b)
    assert journal(lab).is_file()

    lab.start_daemon()
    held = {x["mac"].lower(): x["ip"] for x in lab.leases("lab")}
    assert held == {ga.mac: ip_a, gb.mac: ip_b}, "leases after kill -9: %s" % held

    cc = lab.dhcp_client(gc, "udhcpc", hostname="c").start()
    ip_c = cc.wait_bound()["ip"]
    assert ip_c in pool - {ip_a, ip_b}, "c got %s; a holds %s, b holds %s" % (ip_c, ip_a, ip_b)
    cd = lab.dhcp_client(gd, "udhcpc", hostname="d").start(timeout=3)
    assert cd.wait_exit(20) != 0 and cd.bound_ip() is None, \
        "d got an address from a full pool\n" + cd.describe()

    # Another kill -9, and the three leases are still all there and distinct.
    lab.wait_lease(gc.mac, "lab", ip_c)
    assert lab.stop_daemon(signal.SIGKILL) == -signal.SIGKILL
    lab.start_daemon()
    held = {x["mac"].lower(): x["ip"] for x in lab.leases("lab")}
    assert held == {ga.mac: ip_a, gb.mac: ip_b, gc.mac: ip_c}, held
    # a and b come back (new udhcpc, DISCOVER): each gets its own address again.
    for g, c, ip in ((ga, ca, ip_a), (gb, cb, ip_b)):
        since = len(c.events())
        c.start(quit_bound=True)
        assert c.wait_bound(since)["ip"] == ip, c.describe()


def test_release_is_durable(lab):
    """A released lease stays released across kill -9: its address goes to the next client."""
    lab.create("lab", "nat", "10.68.0.0/24", "--dhcp-range", "10.68.0.2-10.68.0.2",
               "--lease-time", LEASE)
    g1 = lab.dhcp_guest("kn-lab")
    g2 = lab.dhcp_guest("kn-lab")
    c1 = lab.dhcp_client(g1, "dhclient").start()
    assert c1.wait_bound()["ip"] == "10.68.0.2"
    lab.wait_lease(g1.mac, "lab", "10.68.0.2")
    c1.release()
    deadline = time.monotonic() + 5
    while lab.lease_of(g1.mac, "lab") is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert lab.lease_of(g1.mac, "lab") is None
    assert lab.stop_daemon(signal.SIGKILL) == -signal.SIGKILL
    lab.start_daemon()
    assert lab.lease_of(g1.mac, "lab") is None, lab.leases()
    assert lab.dhcp_client(g2, "udhcpc").start().wait_bound()["ip"] == "10.68.0.2"
