# SPDX-License-Identifier: GPL-2.0-or-later
"""macvtap networks: guests on macvtap devices over a NIC (a veth whose far end is a "LAN"
namespace). Guests are namespaces bound to the macvtap's /dev/tapN by macvtap_relay.py (what QEMU
does with -netdev tap,fd=N) and, once, a QEMU guest. Reachability in bridge and private modes,
vepa and private beside a hairpinning LAN switch, passthrough's one port, restart adoption, refusals that change nothing."""
import json
import os
import stat
import subprocess
import time

import pytest

from knlab import HERE, PY, Guest, Probe, run, run_probes

RELAY = str(HERE / "macvtap_relay.py")
LAN_IP = "192.0.2.1"


def have_macvtap():
    ns = "kntest-mvtprobe-%d" % os.getpid()
    run(["ip", "netns", "add", ns])
    try:
        run(["ip", "-n", ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1"])
        p = run(["ip", "-n", ns, "link", "add", "link", "p0", "name", "m0", "type", "macvtap"],
                check=False)
        return p.returncode == 0
    finally:
        run(["ip", "netns", "del", ns], check=False)


pytestmark = pytest.mark.skipif(not have_macvtap(), reason="kernel lacks macvtap devices")


def lan(lab, nic="lan0"):
    """A NIC 'nic' in the host namespace whose far end is the LAN namespace (192.0.2.1/24)."""
    ns = lab.prefix + "-lan"
    lab.add_ns(ns)
    run(["ip", "-n", lab.host, "link", "add", nic, "type", "veth", "peer", "name", "eth0",
         "netns", ns])
    run(["ip", "-n", lab.host, "link", "set", nic, "up"])
    run(["ip", "-n", ns, "addr", "add", LAN_IP + "/24", "dev", "eth0"])
    run(["ip", "-n", ns, "link", "set", "eth0", "up"])
    return ns


def port_add(lab, net, *args):
    p = lab.kn("port", "add", net, *args)
    name, dev, mac = p.stdout.split()
    return name, dev, mac


def bind(lab, dev, mac, ip):
    """A guest namespace whose eth0 is relayed to macvtap node 'dev' ('ip' None: no address)."""
    ns = "%s-mg%d" % (lab.prefix, len(lab.namespaces))
    lab.add_ns(ns)
    proc, outp = lab.spawn(ns, [PY, RELAY, dev, mac, ip + "/24" if ip else "-"])
    lab.wait_output(proc, outp, "ready")
    return ns


def state(lab):
    """What a refused request must leave alone: links, definitions, /dev/tap* nodes."""
    links = run(["ip", "-n", lab.host, "-br", "link"]).stdout
    defs = sorted(os.listdir(lab.state / "networks")) if (lab.state / "networks").exists() else []
    return links, defs, sorted(n for n in os.listdir("/dev") if n.startswith("tap"))


@pytest.mark.parametrize("mode", ["bridge", "private"])
def test_lan_reachability(lab, mode):
    lan_ns = lan(lab)
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0", "--macvtap-mode", mode)
    net = lab.networks()["mv"]
    assert net["mode"] == "macvtap" and net["macvtap-mode"] == mode and net["uplink"] == "lan0"
    assert net["bridge"] is None and net["subnet"] is None and net["dhcp"] is False
    n1, dev1, mac1 = port_add(lab, "mv")
    n2, dev2, mac2 = port_add(lab, "mv", "--name", "mvguest2", "--mac", "52:54:00:aa:bb:02")
    assert n2 == "mvguest2" and mac2 == "52:54:00:aa:bb:02"
    for name, dev, mac in ((n1, dev1, mac1), (n2, dev2, mac2)):
        link = json.loads(run(["ip", "-n", lab.host, "-j", "-d", "link", "show", name]).stdout)[0]
        assert link["linkinfo"]["info_kind"] == "macvtap"
        assert link["linkinfo"]["info_data"]["mode"] == mode
        assert link["address"] == mac
        assert dev == "/dev/tap%d" % link["ifindex"]
        st = os.stat(dev)
        assert stat.S_ISCHR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    ports = {p["name"]: p for p in lab.kn_json("port", "list", "mv")}
    assert ports[n1]["device"] == dev1 and ports[n2]["mac"] == mac2
    g1 = bind(lab, dev1, mac1, "192.0.2.11")
    g2 = bind(lab, dev2, mac2, "192.0.2.12")
    probes = [Probe("g1 -> LAN", g1, "ping", LAN_IP), Probe("g2 -> LAN", g2, "ping", LAN_IP),
              Probe("LAN -> g1", lan_ns, "ping", "192.0.2.11")]
    run_probes(probes)
    # bridge mode switches guest to guest inside the kernel; private never lets them meet
    run_probes([Probe("g1 -> g2", g1, "ping", "192.0.2.12", expect=(mode == "bridge"))])
    # the definition file keeps the mode and the ports' MACs
    text = (lab.state / "networks" / "mv.conf").read_text()
    assert "mode = macvtap" in text and ("macvtap-mode = %s" % mode) in text
    assert mac1 in text and mac2 in text
    lab.kn("port", "remove", "mv", n2)
    assert not os.path.exists(dev2)
    assert run(["ip", "-n", lab.host, "link", "show", n2], check=False).returncode != 0
    lab.kn("net", "delete", "mv")
    lab.settle()   # a deleted network's devices go through kvmnetd's link reaper
    assert run(["ip", "-n", lab.host, "link", "show", n1], check=False).returncode != 0
    assert not os.path.exists(dev1)


def hairpin_switch(lab, ns):
    """Puts the LAN namespace's end of the uplink on a bridge 'sw' (holding the LAN address) that
    sends frames back out of the port they came in on (hairpin, 'reflective relay'): the switch
    a vepa uplink needs. Skips when the kernel's bridge has no hairpin mode."""
    run(["ip", "-n", ns, "addr", "flush", "dev", "eth0"])
    run(["ip", "-n", ns, "link", "add", "sw", "type", "bridge", "stp_state", "0",
         "forward_delay", "0"])
    run(["ip", "-n", ns, "link", "set", "eth0", "master", "sw"])
    run(["ip", "-n", ns, "addr", "add", LAN_IP + "/24", "dev", "sw"])
    run(["ip", "-n", ns, "link", "set", "sw", "up"])


def set_hairpin(ns, on):
    p = run(["ip", "-n", ns, "link", "set", "eth0", "type", "bridge_slave", "hairpin",
             "on" if on else "off"], check=False)
    if p.returncode != 0:
        pytest.skip("the kernel's bridge has no hairpin mode: %s" % p.stderr.strip())
    info = json.loads(run(["ip", "-n", ns, "-j", "-d", "link", "show", "eth0"]).stdout)[0]
    assert info["linkinfo"]["info_slave_data"]["hairpin"] is on, info


@pytest.mark.parametrize("mode", ["vepa", "private"])
def test_vepa_and_private_beside_a_hairpin_switch(lab, mode):
    """vepa sends guest-to-guest frames to the LAN switch: two guests reach each other only when
    the switch hairpins them back; private isolates them even then. Both reach the LAN, and the
    LAN reaches them, with or without hairpin."""
    lan_ns = lan(lab)
    hairpin_switch(lab, lan_ns)
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0", "--macvtap-mode", mode)
    ports = [port_add(lab, "mv") for _ in range(2)]
    for name, _, _ in ports:
        link = json.loads(run(["ip", "-n", lab.host, "-j", "-d", "link", "show", name]).stdout)[0]
        assert link["linkinfo"]["info_data"]["mode"] == mode, link
    g1 = bind(lab, ports[0][1], ports[0][2], "192.0.2.41")
    g2 = bind(lab, ports[1][1], ports[1][2], "192.0.2.42")
    for hairpin in (False, True):
        set_hairpin(lan_ns, hairpin)
        # neighbour entries of an earlier round would let unicast through without ARP
        for ns in (g1, g2):
            run(["ip", "-n", ns, "neigh", "flush", "all"])
        run_probes([Probe("g1 -> LAN", g1, "ping", LAN_IP), Probe("g2 -> LAN", g2, "ping", LAN_IP),
                    Probe("LAN -> g1", lan_ns, "ping", "192.0.2.41"),
                    Probe("LAN -> g2", lan_ns, "ping", "192.0.2.42")])
        meet = mode == "vepa" and hairpin
        run_probes([Probe("g1 -> g2 (hairpin %s)" % ("on" if hairpin else "off"), g1, "ping",
                          "192.0.2.42", expect=meet),
                    Probe("g2 -> g1 (hairpin %s)" % ("on" if hairpin else "off"), g2, "ping",
                          "192.0.2.41", expect=meet)])


def lan_dnsmasq(lab, ns):
    """The LAN's own DHCP server (dnsmasq) in 'ns', leasing 192.0.2.100-150."""
    if not os.path.exists("/usr/sbin/dnsmasq"):
        pytest.skip("dnsmasq is not installed (Debian package dnsmasq-base)")
    leases = lab.tmp / "lan.leases"
    proc, _ = lab.spawn(ns, ["/usr/sbin/dnsmasq", "--no-daemon", "--conf-file=/dev/null",
                             "--port=0", "--interface=eth0", "--bind-interfaces",
                             "--dhcp-range=192.0.2.100,192.0.2.150,1h",
                             "--dhcp-leasefile=%s" % leases, "--pid-file=", "--log-dhcp"])
    return proc, leases


def wait_hosts(lab, pred, timeout=5):
    """Waits until 'pred' holds for the lines (split) of the daemon's NSS hosts file."""
    path = lab.sock.parent / "hosts"
    deadline = time.monotonic() + timeout
    while True:
        lines = [ln.split() for ln in path.read_text().splitlines() if ln and ln[0] != "#"]
        if pred(lines):
            return
        assert time.monotonic() < deadline, lines
        time.sleep(0.1)


def test_learns_guest_addresses(lab):
    """A guest on a macvtap port takes its address from the LAN's dnsmasq: kvmnet, which leases
    nothing there, learns it from the DHCP exchange seen on the macvtap ('port list', 'port
    wait', the NSS hosts file), then from the guest's ARP, and forgets the DHCP address when the
    guest releases it. Under port-security mac: with 'yes' a guest holding a DHCP address may
    not announce another one (test_macvtap_policy.py)."""
    lan_ns = lan(lab)
    server, leases = lan_dnsmasq(lab, lan_ns)
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0", "--port-security",
           "mac")
    name, dev, mac = port_add(lab, "mv")
    p = lab.kn("port", "wait", "mv", name, "--timeout", "0.3", expect=1)
    assert "no IPv4 address" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    g = bind(lab, dev, mac, None)
    c = lab.dhcp_client(Guest(g, None, None, name), "udhcpc")
    c.start(timeout=15)
    c.wait_bound(timeout=20)
    ip = c.bound_ip()
    assert ip.startswith("192.0.2.1"), ip
    assert mac in leases.read_text(), "the LAN's dnsmasq did not lease the guest"
    assert lab.kn("port", "wait", "mv", name, "--timeout", "10").stdout.strip() == ip
    port = lab.port(name, "mv")
    assert port["ip"] == ip and port["mac"] == mac, port
    assert [(e["ip"], e["mac"], e["source"]) for e in port["learned"]] == [(ip, mac, "dhcp")]
    assert json.loads(lab.kn("--json", "port", "wait", "mv", name).stdout)["ip"] == ip
    # the NSS module's file names it by its port (its client sent no host name)
    wait_hosts(lab, lambda lines: [ip, name, name + ".mv.kvmnet"] in lines)

    # an address the guest set itself is learned from its ARP
    run(["ip", "-n", g, "addr", "add", "192.0.2.77/24", "dev", "eth0"])
    # (the ARP request is what teaches; the reply under load may be late)
    run(["ip", "netns", "exec", g, "ping", "-c", "2", "-i", "0.3", "-W", "3", "-I",
         "192.0.2.77", LAN_IP], check=False)
    deadline = time.monotonic() + 5
    while True:
        learned = {e["ip"]: e["source"] for e in lab.port(name, "mv")["learned"]}
        if learned.get("192.0.2.77") == "arp" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert learned.get("192.0.2.77") == "arp" and learned.get(ip) == "dhcp", learned
    # the DHCP address goes with the guest's DHCPRELEASE (udhcpc -R, on SIGTERM)
    c.release()
    deadline = time.monotonic() + 5
    while ip in {e["ip"] for e in lab.port(name, "mv")["learned"]}:
        assert time.monotonic() < deadline, lab.port(name, "mv")
        time.sleep(0.1)
    assert "192.0.2.77" in {e["ip"] for e in lab.port(name, "mv")["learned"]}
    # no DHCP address left: the address its ARP announced is the one named
    wait_hosts(lab, lambda lines: ["192.0.2.77", name, name + ".mv.kvmnet"] in lines and
               not any(ln[0] == ip for ln in lines))
    lab.stop_proc(server)


def test_restart_adopts(lab):
    lan_ns = lan(lab)
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0")
    name, dev, mac = port_add(lab, "mv", "--owner", "65534")
    assert os.stat(dev).st_uid == 65534
    ifindex = json.loads(run(["ip", "-n", lab.host, "-j", "link", "show", name]).stdout)[0]["ifindex"]
    assert lab.stop_daemon() == 0
    lab.start_daemon()
    after = json.loads(run(["ip", "-n", lab.host, "-j", "link", "show", name]).stdout)[0]
    assert after["ifindex"] == ifindex, "the macvtap was re-made instead of adopted"
    ports = lab.kn_json("port", "list", "mv")
    assert [(p["name"], p["device"], p["mac"]) for p in ports] == [(name, dev, mac)]
    g = bind(lab, dev, mac, "192.0.2.21")
    run_probes([Probe("LAN -> guest after restart", lan_ns, "ping", "192.0.2.21")])
    # a macvtap deleted behind the daemon's back is re-made
    run(["ip", "-n", lab.host, "link", "del", name])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if run(["ip", "-n", lab.host, "link", "show", name], check=False).returncode == 0:
            break
        time.sleep(0.1)
    ports = lab.kn_json("port", "list", "mv")
    assert ports and ports[0]["name"] == name and ports[0]["mac"] == mac
    assert os.path.exists(ports[0]["device"])
    del g


def test_passthrough_one_port(lab):
    """passthrough: one port, a guest on it reaches the LAN both ways; a second port is refused
    with nothing changed."""
    lan_ns = lan(lab)
    lab.kn("net", "create", "pt", "--mode", "macvtap", "--uplink", "lan0", "--macvtap-mode",
           "passthrough")
    name, dev, mac = port_add(lab, "pt")
    link = json.loads(run(["ip", "-n", lab.host, "-j", "-d", "link", "show", name]).stdout)[0]
    assert link["linkinfo"]["info_data"]["mode"] == "passthru", link
    g = bind(lab, dev, mac, "192.0.2.51")
    run_probes([Probe("guest -> LAN", g, "ping", LAN_IP),
                Probe("LAN -> guest", lan_ns, "ping", "192.0.2.51")])
    before = state(lab)
    p = lab.kn("port", "add", "pt", expect=1)
    assert "passthrough" in p.stderr and name in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert state(lab) == before


def test_bad_input(lab):
    lan(lab)
    lab.kn("net", "create", "br", "--mode", "isolated", "--subnet", "10.77.0.0/24")
    run(["ip", "-n", lab.host, "link", "add", "nic1", "type", "veth", "peer", "name", "nic1p"])
    run(["ip", "-n", lab.host, "link", "set", "nic1", "master", "kn-br"])
    before = state(lab)
    cases = [
        (["--uplink", "nosuch0"], "uplink 'nosuch0' does not exist"),
        (["--uplink", "nic1"], "uplink 'nic1' is a port of bridge 'kn-br' of network 'br'"),
        (["--uplink", "kn-br"], "is a bridge"),
        (["--uplink", "lan0", "--macvtap-mode", "weird"], "macvtap-mode"),
        ([], "needs an uplink"),
        (["--uplink", "lan0", "--subnet", "10.9.0.0/24"], "no subnet"),
    ]
    for extra, why in cases:
        p = lab.kn("net", "create", "mv", "--mode", "macvtap", *extra, expect=1)
        err = p.stderr.strip()
        assert why in err and len(err.splitlines()) == 1, (extra, err)
        assert state(lab) == before, extra
    # ports of a macvtap network take no --rate; the bridge helper cannot attach to one
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0")
    before = state(lab)
    p = lab.kn("port", "add", "mv", "--rate", "10", expect=1)
    assert "--rate" in p.stderr
    assert state(lab) == before


def test_host_pitfall_and_macvlan_workaround(lab):
    """docs/MACVTAP.md: the host's own address on the uplink does not reach its macvtap guests;
    a bridge-mode macvlan on the uplink carrying the host's address does."""
    lan_ns = lan(lab)
    run(["ip", "-n", lab.host, "addr", "add", "192.0.2.2/24", "dev", "lan0"])
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0")
    name, dev, mac = port_add(lab, "mv")
    g = bind(lab, dev, mac, "192.0.2.31")
    run_probes([Probe("LAN -> guest", lan_ns, "ping", "192.0.2.31"),
                Probe("host (lan0) -> LAN", lab.host, "ping", LAN_IP)])
    run_probes([Probe("host (lan0) -> its guest: the pitfall", lab.host, "ping", "192.0.2.31",
                      expect=False)])
    run(["ip", "-n", lab.host, "addr", "del", "192.0.2.2/24", "dev", "lan0"])
    run(["ip", "-n", lab.host, "link", "add", "link", "lan0", "name", "lan0-host", "type",
         "macvlan", "mode", "bridge"])
    run(["ip", "-n", lab.host, "addr", "add", "192.0.2.2/24", "dev", "lan0-host"])
    run(["ip", "-n", lab.host, "link", "set", "lan0-host", "up"])
    run_probes([Probe("host (macvlan) -> its guest", lab.host, "ping", "192.0.2.31"),
                Probe("guest -> host (macvlan)", g, "ping", "192.0.2.2"),
                Probe("host (macvlan) -> LAN", lab.host, "ping", LAN_IP)])


def test_qemu_guest_gets_lan_dhcp(lab):
    """A QEMU guest on a macvtap port, QEMU given the node as fd 3 ('3<>/dev/tapN'), takes its
    address from the LAN's own DHCP server (dnsmasq) and reaches the LAN both ways."""
    import qemu_guest
    if not os.path.exists("/usr/sbin/dnsmasq"):
        pytest.skip("dnsmasq not installed")
    try:
        images = qemu_guest.guest_images(lab.bin)
    except qemu_guest.GuestUnavailable as e:
        pytest.skip(str(e))
    lan_ns = lan(lab)
    leases = lab.tmp / "lan.leases"
    dns, outp = lab.spawn(lan_ns, ["/usr/sbin/dnsmasq", "--no-daemon", "--conf-file=/dev/null",
                                   "--port=0", "--interface=eth0", "--bind-interfaces",
                                   "--dhcp-range=192.0.2.100,192.0.2.150,1h",
                                   "--dhcp-leasefile=%s" % leases, "--pid-file=",
                                   "--log-dhcp"])
    lab.kn("net", "create", "mv", "--mode", "macvtap", "--uplink", "lan0")
    name, dev, mac = port_add(lab, "mv")

    class MacvtapGuest(qemu_guest.QemuGuest):
        def command(self):
            cmd = super().command()
            assert cmd[:4] == ["ip", "netns", "exec", self.ns]
            # sh opens the node as fd 3 and execs QEMU (whose pid the harness keeps)
            return cmd[:4] + ["sh", "-c", 'exec "$@" 3<>%s' % dev, "sh"] + cmd[4:]

    g = MacvtapGuest(lab.host, "tap,id=n0,fd=3", mac, lab.tmp / "guest", name="mvg",
                     images=images)
    try:
        g.start()
        ip = g.wait_lease(timeout=90)
        assert ip.startswith("192.0.2.1"), ip
        assert mac in leases.read_text(), "the LAN's dnsmasq did not lease the guest"
        rc, out = g.run("ping -c 2 -W 2 %s" % LAN_IP, timeout=30)
        assert rc == 0, out
        run_probes([Probe("LAN -> QEMU guest", lan_ns, "ping", ip)])
    finally:
        g.cleanup()
    lab.stop_proc(dns)
