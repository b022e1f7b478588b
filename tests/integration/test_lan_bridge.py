# SPDX-License-Identifier: GPL-2.0-or-later
"""Mode bridge: guest ports on a LAN bridge kvmnet does not own (issue 10). The test makes the
"host's" LAN bridge in the host namespace, with a LAN namespace behind one of its ports running
its own DHCP server (dnsmasq). Guests sit behind kvmnet taps ('port add' + a tap relay, as in
test_ports.py): they get their address from the LAN server, kvmnet answers no DHCP there, learns
their addresses ('port list', 'port wait'), leaves the bridge's other ports alone, and the
bridge's own configuration is the same after 'net delete' as before 'net create'."""
import json
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
