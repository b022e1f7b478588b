# SPDX-License-Identifier: GPL-2.0-or-later
"""DHCP reservations ('kvmnet host add|remove|list', '[host NAME]' sections): a reserved MAC
gets its address; a reserved address is never handed out dynamically; a reservation added for a
client holding a dynamic lease wins at its next renewal (NAK, then the reserved address),
without a restart; a reservation removed frees its address; bad reservations are refused and
change nothing."""
import re

import pytest

from knlab import DHCP_KINDS, parse_ini_keys

LEASE = "2m"


def hosts(lab, net):
    return {h["mac"].lower(): h for h in lab.kn_json("host", "list", net)}


@pytest.mark.parametrize("kind", DHCP_KINDS)
def test_reserved_mac_gets_reserved_address(lab, kind):
    lab.create("lab", "nat", "10.62.0.0/24", "--dhcp-range", "10.62.0.100-10.62.0.200",
               "--lease-time", LEASE)
    mac = "52:54:00:62:00:01"
    lab.kn("host", "add", "lab", mac, "10.62.0.50", "web1")
    h = hosts(lab, "lab")
    assert h[mac]["ip"] == "10.62.0.50" and h[mac]["hostname"] == "web1", h
    g = lab.dhcp_guest("kn-lab", mac=mac)
    c = lab.dhcp_client(g, kind, hostname="web1").start()
    ev = c.wait_bound()
    assert ev["ip"] == "10.62.0.50", "%s with a reserved MAC got %s" % (kind, ev)
    assert ev["routers"].split()[0] == "10.62.0.1", ev
    assert lab.guest_addrs(g.ns) == ["10.62.0.50/24"]
    lab.wait_lease(mac, "lab", "10.62.0.50")
    assert c.renew()["ip"] == "10.62.0.50"


def test_reserved_address_never_dynamic_and_removal_frees_it(lab):
    """Range of two addresses, one reserved for an absent MAC: the first dynamic client gets
    the other one, the second gets nothing; 'host remove' frees the reserved address at once."""
    lab.create("lab", "nat", "10.62.0.0/24", "--dhcp-range", "10.62.0.10-10.62.0.11",
               "--lease-time", LEASE)
    absent = "52:54:00:62:00:99"
    lab.kn("host", "add", "lab", absent, "10.62.0.10")
    g1 = lab.dhcp_guest("kn-lab")
    g2 = lab.dhcp_guest("kn-lab")
    c1 = lab.dhcp_client(g1, "udhcpc").start()
    assert c1.wait_bound()["ip"] == "10.62.0.11"
    c2 = lab.dhcp_client(g2, "udhcpc").start(timeout=3)
    rc = c2.wait_exit(20)
    assert rc != 0 and c2.bound_ip() is None, \
        "a reserved address was handed out dynamically\n" + c2.describe()
    assert lab.lease_of(g2.mac, "lab") is None

    lab.kn("host", "remove", "lab", absent)
    assert hosts(lab, "lab") == {}
    c2.start()
    assert c2.wait_bound()["ip"] == "10.62.0.10", c2.describe()
    lab.wait_lease(g2.mac, "lab", "10.62.0.10")
    assert lab.lease_of(g1.mac, "lab")["ip"] == "10.62.0.11"


@pytest.mark.parametrize("kind", DHCP_KINDS)
def test_reservation_added_for_dynamic_client_wins_at_renewal(lab, kind):
    lab.create("lab", "nat", "10.62.0.0/24", "--dhcp-range", "10.62.0.100-10.62.0.200",
               "--lease-time", LEASE)
    mac = "52:54:00:62:01:%02x" % DHCP_KINDS.index(kind)
    g = lab.dhcp_guest("kn-lab", mac=mac)
    # a bystander whose lease must not be disturbed by the change
    gb = lab.dhcp_guest("kn-lab")
    cb = lab.dhcp_client(gb, "udhcpc").start()
    c = lab.dhcp_client(g, kind, hostname="moving").start()
    dynamic = c.wait_bound()["ip"]
    assert dynamic.startswith("10.62.0.1"), dynamic
    bystander = cb.wait_bound()["ip"]
    lab.wait_lease(mac, "lab", dynamic)
    before_b = lab.wait_lease(gb.mac, "lab", bystander)

    lab.kn("host", "add", "lab", mac, "10.62.0.20", "moving")
    since = len(c.events())
    if kind == "dhcpcd":
        # dhcpcd listens on its leased address alone while RENEWING, so the NAK, broadcast as
        # RFC 2131 4.1 says (dnsmasq does the same), reaches it only at REBINDING or expiry:
        # here its next confirmation is the INIT-REBOOT of a restart.
        ev = c.restart(timeout=30)
    else:
        # udhcpc: SIGUSR1, RENEWING (unicast); dhclient: restarted, INIT-REBOOT. The request
        # for 'dynamic' is NAKed and the client starts over with DISCOVER.
        ev = c.renew(timeout=30)
    assert ev["ip"] == "10.62.0.20", "%s kept %s after the reservation\n%s" % (
        kind, ev, c.describe())
    if kind == "udhcpc":
        assert "NAK" in [e["reason"] for e in c.events()[since:]], c.describe()
    else:
        assert re.search(r"NAK", c.output()), "no NAK seen by %s\n%s" % (kind, c.describe())
    assert lab.guest_addrs(g.ns) == ["10.62.0.20/24"]
    lab.wait_lease(mac, "lab", "10.62.0.20")
    assert not any(x["ip"] == dynamic and x.get("state", "bound") == "bound"
                   for x in lab.leases("lab")), lab.leases("lab")
    # The bystander was not disturbed: same lease, and its renewal is still ACKed.
    assert lab.lease_of(gb.mac, "lab")["ip"] == bystander
    assert cb.renew()["ip"] == bystander
    assert int(lab.lease_of(gb.mac, "lab")["expires"]) >= int(before_b["expires"])


def test_host_sections_of_definition_file(lab):
    path = lab.tmp / "resv.conf"
    path.write_text("[network]\nmode = nat\nsubnet = 10.62.0.0/24\n"
                    "dhcp-range = 10.62.0.100-10.62.0.200\n\n"
                    "[host db1]\nmac = 52:54:00:62:02:01\nip = 10.62.0.30\n\n"
                    "[host db2]\nmac = 52:54:00:62:02:02\nip = 10.62.0.31\n")
    lab.kn("net", "define", path)
    lab.kn("net", "start", "resv")
    h = hosts(lab, "resv")
    assert {m: x["ip"] for m, x in h.items()} == {"52:54:00:62:02:01": "10.62.0.30",
                                                   "52:54:00:62:02:02": "10.62.0.31"}, h
    assert h["52:54:00:62:02:01"]["hostname"] == "db1", h
    export = lab.kn("net", "export", "resv").stdout
    keys = parse_ini_keys(export, "host db1")
    assert keys.get("mac", "").lower() == "52:54:00:62:02:01" and keys.get("ip") == "10.62.0.30", \
        export
    g = lab.dhcp_guest("kn-resv", mac="52:54:00:62:02:02")
    c = lab.dhcp_client(g, "dhclient").start()
    assert c.wait_bound()["ip"] == "10.62.0.31", c.describe()
    lab.wait_lease("52:54:00:62:02:02", "resv", "10.62.0.31")


def test_reservations_survive_restart(lab):
    lab.create("lab", "nat", "10.62.0.0/24")
    lab.kn("host", "add", "lab", "52:54:00:62:03:01", "10.62.0.40", "keep")
    before = lab.kn_json("host", "list", "lab")
    assert lab.stop_daemon() == 0
    lab.start_daemon()
    assert lab.kn_json("host", "list", "lab") == before
    g = lab.dhcp_guest("kn-lab", mac="52:54:00:62:03:01")
    assert lab.dhcp_client(g, "udhcpc").start().wait_bound()["ip"] == "10.62.0.40"


# ---- refused reservations ----------------------------------------------------------------

HOST_MAC = "52:54:00:63:00:01"
BAD = [
    ("ip-outside-subnet", ["host", "add", "web", "52:54:00:63:00:02", "10.64.0.5"], "10.64.0.5"),
    ("ip-is-gateway", ["host", "add", "web", "52:54:00:63:00:02", "10.63.0.1"], "10.63.0.1"),
    ("ip-is-network", ["host", "add", "web", "52:54:00:63:00:02", "10.63.0.0"], "10.63.0.0"),
    ("ip-is-broadcast", ["host", "add", "web", "52:54:00:63:00:02", "10.63.0.255"],
     "10.63.0.255"),
    ("duplicate-mac", ["host", "add", "web", HOST_MAC, "10.63.0.11"], HOST_MAC),
    ("duplicate-mac-upper", ["host", "add", "web", HOST_MAC.upper(), "10.63.0.11"], None),
    ("duplicate-ip", ["host", "add", "web", "52:54:00:63:00:02", "10.63.0.10"], "10.63.0.10"),
    ("duplicate-hostname", ["host", "add", "web", "52:54:00:63:00:02", "10.63.0.11", "one"],
     "one"),
    ("no-such-network", ["host", "add", "nonet", "52:54:00:63:00:02", "10.63.0.11"], "nonet"),
    ("remove-unknown-mac", ["host", "remove", "web", "52:54:00:63:00:77"], None),
]


@pytest.fixture(scope="module")
def web_lab(module_lab):
    module_lab.create("web", "nat", "10.63.0.0/24")
    module_lab.kn("host", "add", "web", HOST_MAC, "10.63.0.10", "one")
    return module_lab


@pytest.mark.parametrize("args,needle", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_reservation_refused(web_lab, args, needle):
    lab = web_lab
    before, hosts_before = lab.snapshot(), lab.kn_json("host", "list", "web")
    p = lab.kn(*args, expect=1)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kvmnet: "), \
        "expected exactly one 'kvmnet: ...' line on stderr, got:\n%s" % p.stderr
    if needle:
        assert needle.lower() in lines[0].lower(), "error should name %r: %s" % (needle, lines[0])
    assert lab.kn_json("host", "list", "web") == hosts_before
    after = lab.snapshot()
    assert before == after, "a refused reservation changed something:\n" + lab.snapshot_diff(
        before, after)
