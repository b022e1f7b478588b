# SPDX-License-Identifier: GPL-2.0-or-later
"""Mode bridge: guest ports on a LAN bridge kvmnet does not own (issue 10). The test makes the
"host's" LAN bridge in the host namespace, with a LAN namespace behind one of its ports running
its own DHCP server (dnsmasq). Guests sit behind kvmnet taps ('port add' + a tap relay, as in
test_ports.py): they get their address from the LAN server, kvmnet answers no DHCP there, learns
their addresses ('port list', 'port wait'), leaves the bridge's other ports alone, and the
bridge's own configuration is the same after 'net delete' as before 'net create'. The learned
guests resolve on the host through the NSS module."""
import json
import signal
import shutil
import time

import pytest

from knlab import NETTOOL, PY, Guest, run

LAN_SERVER = "192.168.77.1"
HOST_LAN = "192.168.77.2"
BR = "brlan"


def bridge_state(lab):
    """The bridge's own configuration: link with its settings (timers and counters, which tick
    by themselves, left out), addresses, and its ports other than kvmnet's taps."""
    link = json.loads(run(["ip", "-n", lab.host, "-d", "-j", "link", "show", BR]).stdout)[0]
    info = link.get("linkinfo", {}).get("info_data", {})
    for k in list(info):
        if k.endswith("_timer"):
            del info[k]
    addrs = json.loads(run(["ip", "-n", lab.host, "-j", "addr", "show", BR]).stdout)[0]
    ports = json.loads(run(["ip", "-n", lab.host, "-d", "-j", "link", "show", "master", BR]).stdout)
    def slave(p):
        d = dict(p.get("linkinfo", {}).get("info_slave_data", {}))
        return json.dumps({k: v for k, v in d.items() if not k.endswith("_timer")},
                          sort_keys=True)
    ports = sorted((p["ifname"], slave(p)) for p in ports if not p["ifname"].startswith("knl"))
    # an IPv6 link-local address is 'tentative' for its first second (DAD): flags left out
    addr = sorted((a["family"], a["local"], a["prefixlen"], a.get("scope"))
                  for a in addrs.get("addr_info", []))
    return {"link": link, "addr": addr, "ports": ports}


def lan_setup(lab):
    """brlan (192.168.77.2/24, unusual ageing time and priority: settings to keep) with port
    lan0 to the LAN namespace, where dnsmasq serves 192.168.77.50-99."""
    if shutil.which("dnsmasq") is None:
        pytest.skip("dnsmasq is not installed (Debian package dnsmasq-base)")
    ns = lab.prefix + "-lan"
    lab.add_ns(ns)
    run(["ip", "-n", lab.host, "link", "add", BR, "type", "bridge", "stp_state", "0",
         "ageing_time", "12345", "priority", "4097"])
    run(["ip", "-n", lab.host, "addr", "add", HOST_LAN + "/24", "dev", BR])
    run(["ip", "-n", lab.host, "link", "set", BR, "up"])
    run(["ip", "-n", lab.host, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0",
         "netns", ns])
    run(["ip", "-n", lab.host, "link", "set", "lan0", "master", BR, "up"])
    run(["ip", "-n", ns, "addr", "add", LAN_SERVER + "/24", "dev", "eth0"])
    run(["ip", "-n", ns, "link", "set", "eth0", "up"])
    return ns


def start_dnsmasq(lab, ns):
    log = lab.tmp / "dnsmasq.log"
    p, outp = lab.spawn(ns, ["dnsmasq", "--no-daemon", "--port=0", "--interface=eth0",
                             "--bind-interfaces", "--dhcp-range=192.168.77.50,192.168.77.99,1h",
                             "--dhcp-leasefile=%s" % (lab.tmp / "dnsmasq.leases"),
                             "--log-dhcp", "--log-facility=%s" % log, "--pid-file="])
    time.sleep(0.3)
    assert p.poll() is None, outp.read_text()
    return p, log


class RelayGuest:
    """A guest namespace whose eth0 sits behind kvmnet tap 'tap': a veth whose other end lives
    in a namespace of its own, and nettool.py tap-relay copying frames between it and the tap."""

    def __init__(self, lab, tap, n, mac):
        self.lab, self.tap, self.mac = lab, tap, mac
        self.ns = "%s-r%d" % (lab.prefix, n)
        self.relay_ns = "%s-rl%d" % (lab.prefix, n)
        self.host_if = "vr%d" % n
        lab.add_ns(self.ns)
        lab.add_ns(self.relay_ns)
        run(["ip", "-n", self.relay_ns, "link", "add", self.host_if, "type", "veth", "peer",
             "name", "eth0", "netns", self.ns])
        run(["ip", "-n", self.ns, "link", "set", "eth0", "address", mac])
        run(["ip", "-n", self.ns, "link", "set", "eth0", "up"])
        run(["ip", "-n", self.relay_ns, "link", "set", self.host_if, "up"])
        run(["ip", "netns", "exec", self.ns, PY, NETTOOL, "offloads-off", "--iface", "eth0"])
        relay, outp = lab.spawn(lab.host, [PY, NETTOOL, "tap-relay", "--tap", tap, "--iface",
                                           self.host_if, "--netns", self.relay_ns])
        lab.wait_output(relay, outp, r"^ready$")
        self.guest = Guest(self.ns, None, None, tap)


def test_bridge_mode_lan_dhcp(lab):
    """Guests behind kvmnet taps on the LAN bridge get their address from the LAN's dnsmasq;
    kvmnet learns it (port list, port wait), answers no DHCP itself, adopts no other port of
    the bridge, and leaves the bridge as it found it."""
    ns = lan_setup(lab)
    before = bridge_state(lab)
    lab.kn("net", "create", "lan", "--mode", "bridge", "--bridge", BR)
    net = lab.networks()["lan"]
    assert net["mode"] == "bridge" and net["subnet"] is None and not net["dhcp"], net
    assert "mode = bridge" in lab.kn("net", "export", "lan").stdout
    assert "subnet" not in lab.kn("net", "export", "lan").stdout
    assert lab.port("lan0") is None, "kvmnet adopted the bridge's LAN port"
    assert lab.kn("port", "add", "lan", "--name", "knl0").stdout.strip() == "knl0"
    g = RelayGuest(lab, "knl0", 1, "52:54:00:77:00:01")

    # dnsmasq down: nobody answers (kvmnet serves no DHCP on a LAN bridge)
    c = lab.dhcp_client(g.guest, "udhcpc")
    c.start(timeout=3, quit_bound=True)
    assert c.wait_exit(timeout=20) != 0, "a DHCP server answered with dnsmasq stopped: %s" \
        % c.output()
    assert not run(["ss", "-H", "-N", lab.host, "-uln", "sport = :67"]).stdout.strip()

    server, log = start_dnsmasq(lab, ns)
    c = lab.dhcp_client(g.guest, "udhcpc")
    c.start(timeout=15)
    c.wait_bound(timeout=20)
    ip = c.bound_ip()
    assert ip.startswith("192.168.77."), ip
    assert "DHCPACK(eth0) %s 52:54:00:77:00:01" % ip in log.read_text()
    waited = lab.kn("port", "wait", "lan", "knl0", "--timeout", "10").stdout.strip()
    assert waited == ip
    p = lab.port("knl0")
    assert p["ip"] == ip and p["mac"] == "52:54:00:77:00:01", p
    assert any(e["ip"] == ip and e["source"] == "dhcp" for e in p["learned"]), p
    assert json.loads(lab.kn("--json", "port", "wait", "lan", "knl0").stdout)["ip"] == ip

    # port-security yes: the learned DHCP address is the one the port allows
    ping = ["ip", "netns", "exec", g.ns, "ping", "-c", "2", "-W", "1", "-i", "0.3"]
    assert run(ping + ["-I", ip, LAN_SERVER], check=False).returncode == 0
    run(["ip", "-n", g.ns, "addr", "add", "192.168.77.200/24", "dev", "eth0"])
    assert run(ping + ["-I", "192.168.77.200", LAN_SERVER], check=False).returncode != 0, \
        "a source address the guest was not given passed"
    assert all(e["ip"] != "192.168.77.200" or e["source"] == "arp" for e in
               lab.port("knl0")["learned"])

    lab.kn("net", "delete", "lan")
    lab.wait_link("knl0", present=False)
    after = bridge_state(lab)
    assert after == before, [(k, before[k], after[k]) for k in before if before[k] != after[k]]
    lab.stop_proc(server)


def test_bridge_mode_adopts_vm_taps_only(lab):
    """A VM's tap put on the LAN bridge by someone else (libvirt's vnetN, by hand here) is
    adopted and put under the per-port policy: before any DHCP the address its guest's ARP
    announces passes (a static guest), once the LAN's DHCP server gave it one that one only;
    a veth plugged on the same bridge (a container, another LAN port) is not adopted, and the
    tap kvmnet did not make outlives the network."""
    ns = lan_setup(lab)
    lab.kn("net", "create", "lan", "--mode", "bridge", "--bridge", BR)
    run(["ip", "-n", lab.host, "tuntap", "add", "dev", "vnet7", "mode", "tap"])
    run(["ip", "-n", lab.host, "link", "set", "vnet7", "master", BR, "up"])
    run(["ip", "-n", lab.host, "link", "add", "ctr0", "type", "veth", "peer", "name", "ctr1"])
    run(["ip", "-n", lab.host, "link", "set", "ctr0", "master", BR, "up"])
    p = lab.wait_port("vnet7", pred=lambda p: p["policy"])
    assert p["origin"] == "adopted" and p["network"] == "lan", p
    time.sleep(0.5)   # the monitor has seen ctr0 too by now
    assert lab.port("ctr0") is None, "kvmnet adopted a veth on the host's LAN bridge"
    g = RelayGuest(lab, "vnet7", 1, "52:54:00:77:00:07")
    ping = ["ip", "netns", "exec", g.ns, "ping", "-c", "2", "-W", "1", "-i", "0.3"]
    # no DHCP address yet: the address the guest's ARP announces is the one it may use (a
    # guest with a static address on the LAN)
    run(["ip", "-n", g.ns, "addr", "add", "192.168.77.201/24", "dev", "eth0"])
    # (the first ARP teaches the binding; under load its answer may come after ping's wait)
    assert any(run(ping + [LAN_SERVER], check=False).returncode == 0 for _ in range(3))
    assert lab.port("vnet7")["learned"][0]["source"] == "arp"
    run(["ip", "-n", g.ns, "addr", "flush", "dev", "eth0"])
    server, _ = start_dnsmasq(lab, ns)
    c = lab.dhcp_client(g.guest, "udhcpc")
    c.start(timeout=15)
    ip = c.wait_bound(timeout=20)["ip"]
    assert lab.kn("port", "wait", "lan", "vnet7", "--timeout", "10").stdout.strip() == ip
    assert any(run(ping + ["-I", ip, LAN_SERVER], check=False).returncode == 0
               for _ in range(3))
    # the LAN's DHCP server gave it an address: no other source passes any more
    run(["ip", "-n", g.ns, "addr", "add", "192.168.77.202/24", "dev", "eth0"])
    assert run(ping + ["-I", "192.168.77.202", LAN_SERVER], check=False).returncode != 0, \
        "a source address the guest of an adopted tap was not given passed"
    assert lab.port("vnet7")["dropped"] > 0
    lab.kn("net", "delete", "lan")
    assert lab.link("vnet7") is not None, "kvmnet deleted a tap it did not make"
    lab.stop_proc(server)


def test_port_wait_timeout_and_nat(lab):
    """'port wait' exits 1 with one line when no address comes; on a nat network it reports the
    lease of ours."""
    lab.create("pw", "nat", "10.78.0.0/24", "--port-security", "yes")
    g = lab.dhcp_guest("kn-pw")
    p = lab.kn("port", "wait", "pw", g.host_if, "--timeout", "0.5", expect=1)
    assert len(p.stderr.strip().splitlines()) == 1 and "no IPv4 address" in p.stderr, p.stderr
    c = lab.dhcp_client(g, "udhcpc")
    c.start()
    c.wait_bound()
    ip = c.bound_ip()
    assert lab.kn("port", "wait", "pw", g.host_if, "--timeout", "10").stdout.strip() == ip
    p = lab.kn("port", "wait", "pw", "nosuch0", expect=1)
    assert "not a port of network 'pw'" in p.stderr


def hosts_names(lab):
    """{name: ip} of the daemon's NSS hosts file."""
    path = lab.sock.parent / "hosts"
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip() and ln[0] != "#"]
    return {ln[1]: ln[0] for ln in lines}


def wait_names(lab, pred, timeout=5):
    deadline = time.monotonic() + timeout
    while not pred(hosts_names(lab)):
        assert time.monotonic() < deadline, hosts_names(lab)
        time.sleep(0.1)


def test_bridge_mode_names_for_nss(lab):
    """Learned guests resolve on the host through libnss_kvmnet.so.2 (getent, in a private mount
    namespace): under the host name their DHCP client sent, else under their port's name, in the
    network's domain, both ways; a released address and a removed port leave the hosts file."""
    ns = lan_setup(lab)
    server, _ = start_dnsmasq(lab, ns)
    lab.kn("net", "create", "lan", "--mode", "bridge", "--bridge", BR)
    for tap in ("knl1", "knl2"):
        lab.kn("port", "add", "lan", "--name", tap)
    g1 = RelayGuest(lab, "knl1", 11, "52:54:00:77:00:11")
    g2 = RelayGuest(lab, "knl2", 12, "52:54:00:77:00:12")
    c1 = lab.dhcp_client(g1.guest, "udhcpc", hostname="lanweb")
    c2 = lab.dhcp_client(g2.guest, "udhcpc")
    # one after the other: dnsmasq pings an address for 3 s before offering it, one client at
    # a time, and udhcpc gives up on a server that slow to ACK while another client waits
    c1.start(timeout=15)
    ip1 = c1.wait_bound(timeout=20)["ip"]
    c2.start(timeout=15)
    ip2 = c2.wait_bound(timeout=20)["ip"]
    assert ip1 != ip2
    wait_names(lab, lambda h: h.get("lanweb") == ip1 and h.get("knl2") == ip2)
    learned = lab.port("knl1")["learned"]
    assert [(e["ip"], e["hostname"]) for e in learned] == [(ip1, "lanweb")], learned
    assert lab.port("knl2")["learned"][0].get("hostname") is None

    from knlab import nss_getent
    qs = ["lanweb", "LANWEB.lan.kvmnet.", ip1, "knl2", "knl2.lan.kvmnet", ip2, "knl1"]
    got = nss_getent(lab, qs)
    for q in ("lanweb", "LANWEB.lan.kvmnet.", ip1):
        assert got[q] == (0, "%s lanweb.lan.kvmnet lanweb" % ip1), (q, got[q])
    for q in ("knl2", "knl2.lan.kvmnet", ip2):
        assert got[q] == (0, "%s knl2.lan.kvmnet knl2" % ip2), (q, got[q])
    assert got["knl1"][0] == 2, "a guest with a host name is not named by its port: %s" % got

    c1.release()
    wait_names(lab, lambda h: "lanweb" not in h)
    lab.kn("port", "remove", "lan", "knl2")
    wait_names(lab, lambda h: "knl2" not in h)
    got = nss_getent(lab, ["lanweb", ip1, "knl2"])
    assert all(rc == 2 for rc, _ in got.values()), got
    lab.kn("net", "delete", "lan")
    lab.stop_proc(server)


def test_bridge_mode_bad_input(lab):
    """Refusals exit 1 with one line and leave no network behind, nor a bridge changed."""
    lan_setup(lab)
    before = bridge_state(lab)
    cases = [
        (["--bridge", "nosuchbr"], "does not exist"),
        (["--bridge", BR, "--subnet", "10.79.0.0/24"], "subnet is not allowed"),
        ([], "needs --bridge"),
        (["--bridge", "lan0"], "not a bridge"),
        (["--bridge", BR, "--mtu", "1400"], "mtu is not allowed"),
    ]
    for extra, why in cases:
        p = lab.kn("net", "create", "bad", "--mode", "bridge", *extra, expect=1)
        assert why in p.stderr and len(p.stderr.strip().splitlines()) == 1, (extra, p.stderr)
        assert "bad" not in lab.networks()
    lab.kn("net", "create", "lan", "--mode", "bridge", "--bridge", BR)
    p = lab.kn("net", "create", "lan2", "--mode", "bridge", "--bridge", BR, expect=1)
    assert "used by network 'lan'" in p.stderr
    assert "lan2" not in lab.networks()
    lab.kn("net", "delete", "lan")
    assert bridge_state(lab) == before


# ---- --uplink NIC: kvmnet makes the bridge around the NIC and gives everything back ----------

UPLINK_BR = "kn-lan"


def uplink_setup(lab, extra_routes=()):
    """The host's NIC lan0 (192.168.77.2/24, a second address labelled lan0:web, a route
    198.18.0.0/24 via the LAN router (198.51.100.0/24 is the lab's outside), a link-scope route and a route in table 100), its far
    end in a LAN namespace holding the router address 192.168.77.1."""
    ns = lab.prefix + "-lan"
    lab.add_ns(ns)
    run(["ip", "-n", lab.host, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0",
         "netns", ns])
    run(["ip", "-n", lab.host, "link", "set", "lan0", "up"])
    run(["ip", "-n", lab.host, "addr", "add", HOST_LAN + "/24", "dev", "lan0"])
    run(["ip", "-n", lab.host, "addr", "add", "192.168.79.2/24", "dev", "lan0", "label",
         "lan0:web"])
    run(["ip", "-n", lab.host, "route", "add", "198.18.0.0/24", "via", LAN_SERVER])
    run(["ip", "-n", lab.host, "route", "add", "203.0.113.0/28", "dev", "lan0", "metric", "7"])
    run(["ip", "-n", lab.host, "route", "add", "default", "via", LAN_SERVER, "table", "100"])
    for r in extra_routes:
        run(["ip", "-n", lab.host, "route", "add"] + list(r))
    # static IPv6 too: an address (not link-local, not SLAAC) and a route via the LAN router
    run(["ip", "-n", lab.host, "addr", "add", "2001:db8:77::2/64", "dev", "lan0", "nodad"])
    run(["ip", "-n", lab.host, "-6", "route", "add", "2001:db8:99::/48", "via", "2001:db8:77::1"])
    run(["ip", "-n", ns, "addr", "add", "2001:db8:77::1/64", "dev", "eth0", "nodad"])
    run(["ip", "-n", ns, "addr", "add", LAN_SERVER + "/24", "dev", "eth0"])
    run(["ip", "-n", ns, "link", "set", "eth0", "up"])
    # the snapshots compare routes: lan0's link-local address (and its local route) settled
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and run(["ip", "-n", lab.host, "-6", "addr", "show", "dev",
                                               "lan0", "tentative"]).stdout.strip():
        time.sleep(0.1)
    return ns


def nic_state(lab, dev="lan0"):
    """What a move must give back: the NIC's link (without counters), its addresses, and every
    IPv4 route of every table (the bridge's gone with it)."""
    link = json.loads(run(["ip", "-n", lab.host, "-j", "addr", "show", dev]).stdout)[0]
    link.pop("operstate", None)
    for a in link.get("addr_info", []):
        a.pop("tentative", None)
    routes = json.loads(run(["ip", "-n", lab.host, "-4", "-j", "route", "show", "table",
                             "all"]).stdout)
    routes6 = json.loads(run(["ip", "-n", lab.host, "-6", "-j", "route", "show", "table",
                              "all"]).stdout)
    return {"link": link, "routes": sorted(json.dumps(r, sort_keys=True) for r in routes),
            # a link-local address's local route comes when its DAD ends: timing, not the move
            "routes6": sorted(json.dumps(r, sort_keys=True) for r in routes6
                              if not (r.get("type") == "local" and r["dst"].startswith("fe80:")))}


def assert_same_nic(lab, before):
    after = nic_state(lab)
    assert after == before, [(k, set(before[k]) ^ set(after[k])) if isinstance(before[k], list)
                             else (k, before[k], after[k]) for k in before if before[k] != after[k]]


def ipv4(lab, dev):
    addrs = json.loads(run(["ip", "-n", lab.host, "-4", "-j", "addr", "show", dev]).stdout)
    return sorted((a["local"], a["prefixlen"], a.get("label")) for x in addrs
                  for a in x["addr_info"])


def routes_of(lab, dev, table="main"):
    return json.loads(run(["ip", "-n", lab.host, "-4", "-j", "route", "show", "table", table,
                           "dev", dev]).stdout)


def ipv6_global(lab, dev):
    addrs = json.loads(run(["ip", "-n", lab.host, "-6", "-j", "addr", "show", dev, "scope",
                            "global"]).stdout)
    return sorted((a["local"], a["prefixlen"]) for x in addrs for a in x["addr_info"]
                  if a.get("family") == "inet6" and a.get("scope") == "global")


def marker(lab, name="lan"):
    return lab.state / "uplinks" / (name + ".json")


def assert_moved(lab):
    br = lab.link(UPLINK_BR)
    nic = lab.link("lan0")
    assert nic.get("master") == UPLINK_BR, nic
    assert br["address"] == nic["address"] and br["mtu"] == nic["mtu"], (br, nic)
    assert ipv4(lab, "lan0") == []
    assert ipv4(lab, UPLINK_BR) == [("192.168.77.2", 24, UPLINK_BR),
                                    ("192.168.79.2", 24, UPLINK_BR + ":web")]
    main = {r["dst"]: r for r in routes_of(lab, UPLINK_BR)}
    assert main["198.18.0.0/24"]["gateway"] == LAN_SERVER, main
    assert main["203.0.113.0/28"]["metric"] == 7, main
    assert routes_of(lab, UPLINK_BR, "100")[0]["gateway"] == LAN_SERVER
    assert not routes_of(lab, "lan0") and not routes_of(lab, "lan0", "100")
    assert ipv6_global(lab, "lan0") == [] and ipv6_global(lab, UPLINK_BR) == [("2001:db8:77::2", 64)]
    r6 = json.loads(run(["ip", "-n", lab.host, "-6", "-j", "route", "show", "2001:db8:99::/48"]).stdout)
    assert [(r["dev"], r["gateway"]) for r in r6] == [(UPLINK_BR, "2001:db8:77::1")], r6
    assert json.loads(marker(lab).read_text())["complete"] is True


def test_uplink_move_and_back(lab):
    """'net create --mode bridge --uplink lan0' makes kn-lan around lan0 with its MAC and MTU,
    moves its addresses and routes over; the LAN reaches the host and a guest reaches the LAN;
    'net delete' gives lan0 back exactly what it had and deletes the bridge."""
    ns = uplink_setup(lab)
    run(["ip", "-n", lab.host, "link", "set", "lan0", "mtu", "1400"])
    before = nic_state(lab)
    lab.kn("net", "create", "lan", "--mode", "bridge", "--uplink", "lan0", "--port-security",
           "no")
    assert_moved(lab)
    net = lab.networks()["lan"]
    assert net["bridge"] == UPLINK_BR and net["uplink"] == "lan0", net
    assert lab.port("lan0") is None, "kvmnet adopted its uplink as a guest port"
    ping = ["ping", "-c", "2", "-W", "1", "-i", "0.3"]
    assert run(["ip", "netns", "exec", ns] + ping + [HOST_LAN], check=False).returncode == 0
    assert run(["ip", "netns", "exec", ns] + ping + ["2001:db8:77::2"],
               check=False).returncode == 0

    lab.kn("port", "add", "lan", "--name", "knl0")
    g = RelayGuest(lab, "knl0", 1, "52:54:00:77:00:02")
    run(["ip", "-n", g.ns, "addr", "add", "192.168.77.60/24", "dev", "eth0"])
    for dst in (LAN_SERVER, HOST_LAN):
        assert run(["ip", "netns", "exec", g.ns] + ping + [dst], check=False).returncode == 0, dst

    lab.kn("net", "delete", "lan")
    lab.wait_link(UPLINK_BR, present=False)
    after = nic_state(lab)
    assert after == before, [(k, set(before[k]) ^ set(after[k])) if isinstance(before[k], list) else k for k in before if before[k] != after[k]]
    assert not marker(lab).exists()
    assert run(["ip", "netns", "exec", ns] + ping + [HOST_LAN], check=False).returncode == 0


def test_uplink_restart_and_crash(lab):
    """A restarted daemon adopts the bridge it made as it is; one that died in the middle of a
    move (marker not complete, the network not yet recorded running) gives the NIC back and
    deletes the bridge; 'net start' then moves it again, 'net stop' gives it back."""
    uplink_setup(lab)
    before = nic_state(lab)
    lab.kn("net", "create", "lan", "--mode", "bridge", "--uplink", "lan0")
    ifindex = lab.link(UPLINK_BR)["ifindex"]
    assert lab.stop_daemon(signal.SIGKILL) == -signal.SIGKILL
    lab.start_daemon()
    assert lab.networks()["lan"]["state"] == "active"
    assert lab.link(UPLINK_BR)["ifindex"] == ifindex, "the bridge was made again"
    assert_moved(lab)

    # the bridge deleted by hand (its addresses and routes with it, the NIC left bare): the
    # repair gives the NIC back what it had, then moves it again
    run(["ip", "-n", lab.host, "link", "del", UPLINK_BR])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        link = lab.link(UPLINK_BR)
        if link and link["ifindex"] != ifindex and ipv4(lab, UPLINK_BR):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    assert_moved(lab)

    # a crash half-way through 'net create': the marker says incomplete, the network is not
    # recorded running yet, one address is back on the NIC already, one route is missing
    assert lab.stop_daemon(signal.SIGKILL) == -signal.SIGKILL
    mk = json.loads(marker(lab).read_text())
    mk["complete"] = False
    marker(lab).write_text(json.dumps(mk))
    (lab.state / "running" / "lan").unlink()
    run(["ip", "-n", lab.host, "addr", "add", HOST_LAN + "/24", "dev", "lan0"])
    run(["ip", "-n", lab.host, "route", "del", "203.0.113.0/28", "dev", UPLINK_BR])
    lab.start_daemon()
    assert lab.networks()["lan"]["state"] == "inactive"
    assert lab.link(UPLINK_BR) is None
    assert_same_nic(lab, before)
    assert not marker(lab).exists()

    lab.kn("net", "start", "lan")
    assert_moved(lab)
    lab.kn("net", "stop", "lan")
    assert lab.link(UPLINK_BR) is None
    assert_same_nic(lab, before)

    # a damaged record: nothing to give back from, so kvmnet refuses to guess and says why
    lab.kn("net", "start", "lan")
    marker(lab).write_text("{")
    p = lab.kn("net", "stop", "lan", expect=1)
    assert len(p.stderr.strip().splitlines()) == 1 and "is damaged" in p.stderr, p.stderr
    assert lab.link(UPLINK_BR) is not None
    marker(lab).unlink()
    run(["ip", "-n", lab.host, "link", "del", UPLINK_BR])
    lab.kn("net", "delete", "lan")


def test_uplink_refusals_and_rollback(lab):
    """Refusals before any change (no such NIC, a NIC that is a bridge port); and a failure half
    way: the NIC has a route via an IPv6 gateway (RFC 5549) the new bridge cannot take, as IPv6
    is off for new links. Exit 1, one line, the NIC exactly as before, no bridge, no record.
    With IPv6 on for new links the same NIC moves, that route too."""
    uplink_setup(lab, extra_routes=[["192.0.2.0/24", "via", "inet6", "fe80::1", "dev", "lan0"]])
    run(["ip", "-n", lab.host, "link", "add", "brx", "type", "bridge"])
    run(["ip", "-n", lab.host, "link", "add", "vx0", "type", "veth", "peer", "name", "vx1"])
    run(["ip", "-n", lab.host, "link", "set", "vx0", "master", "brx"])
    before = nic_state(lab)
    for uplink, why in (("nosuch0", "uplink 'nosuch0' does not exist"),
                        ("vx0", "uplink 'vx0' is a port of 'brx' already")):
        p = lab.kn("net", "create", "bad", "--mode", "bridge", "--uplink", uplink, expect=1)
        assert why in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert "bad" not in lab.networks() and lab.link("kn-bad") is None

    lab.sysctl(lab.host, "net.ipv6.conf.default.disable_ipv6", 1)
    p = lab.kn("net", "create", "lan", "--mode", "bridge", "--uplink", "lan0", expect=1)
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "adding route 192.0.2.0/24 (table 254) to 'kn-lan'" in p.stderr, p.stderr
    assert "IPv6 is disabled on nexthop device" in p.stderr, p.stderr
    assert "lan" not in lab.networks()
    assert lab.link(UPLINK_BR) is None
    assert_same_nic(lab, before)
    assert not marker(lab).exists()

    lab.sysctl(lab.host, "net.ipv6.conf.default.disable_ipv6", 0)
    lab.kn("net", "create", "lan", "--mode", "bridge", "--uplink", "lan0")
    assert_moved(lab)
    via = [r for r in routes_of(lab, UPLINK_BR) if r["dst"] == "192.0.2.0/24"]
    assert via and via[0]["via"] == {"family": "inet6", "host": "fe80::1"}, via
    lab.kn("net", "delete", "lan")
    assert_same_nic(lab, before)


def test_uplink_with_existing_bridge_is_left_alone(lab):
    """An existing bridge named by --bridge, with --uplink, is used as it is: kvmnet moves
    nothing (the NIC stays a port of the host's bridge with its settings), makes no record, and
    'net delete' leaves bridge and NIC as they were."""
    lan_setup(lab)
    before = (bridge_state(lab), nic_state(lab, BR))
    lab.kn("net", "create", "lan", "--mode", "bridge", "--bridge", BR, "--uplink", "lan0")
    assert not marker(lab).exists()
    assert lab.link("lan0")["master"] == BR
    assert (bridge_state(lab), nic_state(lab, BR)) == before
    lab.kn("net", "stop", "lan")
    lab.kn("net", "start", "lan")
    lab.kn("net", "delete", "lan")
    assert (bridge_state(lab), nic_state(lab, BR)) == before
    assert lab.link(BR) is not None
