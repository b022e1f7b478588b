# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest ports: 'kvmnet port add/list/remove' (persistent taps), adoption of any port that joins
a kvmnet bridge, the per-port policy of 'table bridge kvmnet' (port-security: the port's MAC,
its leased or reserved IPv4 address, no rogue DHCP servers or router advertisements),
isolate-ports, and --rate. Everything is measured with real frames: scapy-made frames from a
guest namespace's eth0 or written straight into a tap's fd, sniffed where they must not arrive;
ping, TCP and iperf3 between namespaces."""
import json
import pwd
import re
import secrets
import shutil
import signal
import time

import pytest

from knlab import (NETTOOL, OUTSIDE, PY, Probe, parse_ini_keys, run, run_probes)

PORT = 8080


# ---- helpers ----------------------------------------------------------------------------------

def ini_sections(text):
    """Names of the [...] sections of an exported definition, in order."""
    return [ln.strip()[1:-1].strip() for ln in text.splitlines()
            if ln.strip().startswith("[") and ln.strip().endswith("]")]


def ping_count(ns, ip, count=3):
    """Echo replies 'ns' gets from 'ip' out of 'count' requests."""
    p = run(["ip", "netns", "exec", ns, "ping", "-n", "-q", "-c", str(count), "-i", "0.2",
             "-W", "1", ip], check=False, timeout=count + 10)
    m = re.search(r"(\d+) (?:packets )?received", p.stdout)
    assert m, "ping output not understood:\n%s%s" % (p.stdout, p.stderr)
    return int(m.group(1))


def neigh_lladdr(ns, ip):
    """The link-layer address namespace 'ns' holds for 'ip' (None without an entry)."""
    out = run(["ip", "-n", ns, "-j", "neigh", "show", "to", ip]).stdout
    entries = [e for e in json.loads(out or "[]") if e.get("dst") == ip]
    return entries[0].get("lladdr") if entries else None


class Sniffer:
    """nettool.py sniff on 'iface' in 'ns' (promiscuous): markers of 'tag' seen until stop()."""

    def __init__(self, lab, ns, iface, tag):
        lab.nproc += 1
        self.lab, self.stopfile = lab, lab.tmp / ("sniff-stop-%d" % lab.nproc)
        self.proc, self.outp = lab.spawn(ns, [PY, NETTOOL, "sniff", "--iface", iface,
                                              "--tag", tag, "--stop", self.stopfile])
        lab.wait_output(self.proc, self.outp, r"^ready$")
        self.where = "%s in %s" % (iface, ns)

    def stop(self):
        self.stopfile.write_text("")
        self.proc.wait(5)
        lines = self.outp.read_text().strip().splitlines()
        return json.loads(lines[-1])


def counters(lab, name):
    p = lab.port(name)
    assert p is not None, "port %s not listed: %s" % (name, lab.ports())
    return p


# ---- 1. port add / list / remove, restart, bad input ----------------------------------------

MAC1 = "52:54:00:71:00:01"


def test_port_add_list_export_remove(lab):
    """port add makes persistent taps as asked (read back from the kernel), lists them as
    defined, puts them under policy and into the definition; port remove undoes all of it."""
    lab.create("pn", "nat", "10.71.0.0/24", "--mtu", "1400", "--port-security", "yes")
    nobody = pwd.getpwnam("nobody").pw_uid
    assert lab.kn("port", "add", "pn", "--mac", MAC1, "--owner", "nobody", "--queues", "2") \
        .stdout.strip() == "knt0"
    assert lab.kn("port", "add", "pn").stdout.strip() == "knt1"
    assert lab.kn("port", "add", "pn", "--name", "mytap0", "--owner", "4242").stdout.strip() \
        == "mytap0"

    # the kernel's view of the taps
    expect = {"knt0": {"multi_queue": True, "user": ("nobody", nobody)},
              "knt1": {"multi_queue": False, "user": None},
              "mytap0": {"multi_queue": False, "user": (4242, "4242")}}
    for name, want in expect.items():
        link, info = lab.tap_info(name)
        kind = link.get("linkinfo", {})
        assert kind.get("info_kind") == "tun" and info.get("type") == "tap", (name, kind)
        assert info.get("pi") is False, (name, info)
        assert info.get("vnet_hdr") is True, (name, info)
        assert info.get("persist") is True, (name, info)
        assert info.get("multi_queue") is want["multi_queue"], (name, info)
        if want["user"] is None:
            assert "user" not in info, (name, info)
        else:
            assert info.get("user") in want["user"], (name, info)
        assert link["mtu"] == 1400, "%s: MTU %s, the network's is 1400" % (name, link["mtu"])
        assert link.get("master") == "kn-pn", (name, link.get("master"))
        assert "UP" in link["flags"], (name, link["flags"])

    # listed as defined, with the bound MAC and the owner
    ports = {p["name"]: p for p in lab.ports("pn")}
    assert set(ports) == {"knt0", "knt1", "mytap0"}, ports
    p0 = ports["knt0"]
    assert (p0["network"], p0["origin"], p0["mac"], p0["mac-bound"], p0["owner"], p0["rate"],
            p0["policy"], p0["isolated"]) == ("pn", "defined", MAC1, True, nobody, 0, True,
                                              False), p0
    assert p0["ip"] is None and p0["dropped"] == 0, p0
    assert p0["state"] == "no-carrier", p0
    p1 = ports["knt1"]
    assert (p1["origin"], p1["mac"], p1["mac-bound"], p1["owner"], p1["policy"]) == \
        ("defined", None, False, None, True), p1
    assert ports["mytap0"]["owner"] == 4242, ports["mytap0"]
    for key in ("rx-packets", "rx-bytes", "tx-packets", "tx-bytes", "dropped", "dropped-bytes"):
        assert isinstance(p0[key], int), (key, p0)
    assert lab.ports() == lab.ports("pn"), "port list without NET differs"

    # the policy: bound MAC (no learning) for knt0, learning for knt1, IPv4 binding for both
    pol0, pol1 = lab.port_policy("knt0"), lab.port_policy("knt1")
    assert pol0.get("ports") and pol0.get("ipbind") and pol0.get("drops") and "counter" in pol0, \
        pol0
    assert pol0.get("port_mac") == ["knt0 . " + MAC1], pol0
    assert "learn" not in pol0 and "isolated" not in pol0, pol0
    assert pol1.get("ports") and pol1.get("learn") and "port_mac" not in pol1, pol1

    # the definition
    export = lab.kn("net", "export", "pn").stdout
    secs = ini_sections(export)
    assert {"port knt0", "port knt1", "port mytap0"} <= set(secs), export
    k0 = parse_ini_keys(export, "port knt0")
    assert k0 == {"mac": MAC1, "owner": str(nobody), "queues": "2"}, export
    assert parse_ini_keys(export, "port knt1") == {}, export
    assert parse_ini_keys(export, "port mytap0") == {"owner": "4242"}, export

    # remove: with and without the network's name
    lab.kn("port", "remove", "pn", "knt0")
    lab.kn("port", "remove", "knt1")
    for name in ("knt0", "knt1"):
        assert lab.link(name) is None, "tap %s still exists after port remove" % name
        assert lab.port_policy(name) == {}, "policy of %s left: %s" % (name,
                                                                      lab.port_policy(name))
        assert lab.port(name) is None, lab.ports()
    export = lab.kn("net", "export", "pn").stdout
    assert [s for s in ini_sections(export) if s.startswith("port")] == ["port mytap0"], export
    assert lab.port_policy("mytap0").get("ports"), "removing others touched mytap0"
    # a removed name is free again, and names are reused from the lowest
    assert lab.kn("port", "add", "pn").stdout.strip() == "knt0"
    assert lab.port("knt0")["mac"] is None


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_port_survives_restart(lab, sig):
    """A defined tap and an adopted guest port keep their device, their listing and their
    policy (the learnt MAC included) across a restart; the policy of a port deleted while the
    daemon was down is removed at start; a removed port does not come back."""
    lab.create("pr", "nat", "10.72.0.0/24", "--mtu", "1450", "--port-security", "yes")
    name = lab.kn("port", "add", "pr", "--mac", MAC1, "--queues", "3").stdout.strip()
    g = lab.dhcp_guest("kn-pr", mac="52:54:00:72:01:01")
    ip = lab.dhcp_client(g, "udhcpc").start().wait_bound()["ip"]
    lab.wait_port(g.host_if, pred=lambda p: p["mac"] == g.mac and p["ip"] == ip)
    run(["ip", "-n", lab.host, "link", "add", "vstale", "type", "veth", "peer", "name",
         "vstalep"])
    run(["ip", "-n", lab.host, "link", "set", "vstale", "master", "kn-pr", "up"])
    lab.wait_port("vstale", pred=lambda p: p["policy"])
    link, info = lab.tap_info(name)
    def stable_policy(n):   # 'fast4' is a cache: flushed whenever a binding goes
        return {k: v for k, v in lab.port_policy(n).items() if k != "fast4"}

    policy = {n: stable_policy(n) for n in (name, g.host_if, "vstale")}
    listed = {n: lab.port(n) for n in (name, g.host_if)}
    assert policy[name].get("port_mac") == [name + " . " + MAC1], policy
    assert policy[g.host_if].get("port_mac") == ["%s . %s" % (g.host_if, g.mac)], policy
    assert "learn" not in policy[g.host_if] and policy["vstale"].get("learn"), policy

    rc = lab.stop_daemon(sig)
    assert rc == (0 if sig == signal.SIGTERM else -signal.SIGKILL), rc
    time.sleep(0.3)
    down_link, down_info = lab.tap_info(name)
    assert down_link["ifindex"] == link["ifindex"], "the tap went away with the daemon"
    for n in policy:
        assert stable_policy(n) == policy[n], "%s lost its policy while the daemon was down" % n
    run(["ip", "-n", lab.host, "link", "del", "vstale"])

    lab.start_daemon()
    time.sleep(0.5)
    link2, info2 = lab.tap_info(name)
    assert link2["ifindex"] == link["ifindex"], "the tap was re-made (ifindex %s -> %s)" % (
        link["ifindex"], link2["ifindex"])
    assert info2 == info, "tap flags changed: %s -> %s" % (info, info2)
    assert (link2["mtu"], link2.get("master")) == (1450, "kn-pr"), link2
    for n in (name, g.host_if):
        assert stable_policy(n) == policy[n], "policy of %s after restart: %s, before: %s" % (
            n, stable_policy(n), policy[n])
        after = lab.port(n)
        for key in ("network", "origin", "mac", "mac-bound", "ip", "policy", "owner", "rate"):
            assert after[key] == listed[n][key], "%s: %s -> %s" % (key, listed[n], after)
    assert lab.port_policy("vstale") == {}, "policy of a port deleted while the daemon was down"
    assert lab.port("vstale") is None
    assert sorted(p["name"] for p in lab.ports()) == sorted([name, g.host_if]), lab.ports()
    run_probes([Probe("adopted guest -> gateway after restart", g.ns, "ping", "10.72.0.1")])

    lab.kn("port", "remove", name)
    assert lab.link(name) is None and lab.port_policy(name) == {}
    assert lab.stop_daemon() == 0
    lab.start_daemon()
    time.sleep(0.3)
    assert lab.link(name) is None and lab.port(name) is None, "removed port came back"


def test_defined_port_follows_its_network(lab):
    """A defined tap deleted behind the daemon's back is made again; 'net stop' deletes it
    (listed as inactive), 'net start' makes it again; 'port add' on a stopped network only
    defines it; 'net delete' takes the taps and their policy along."""
    lab.create("pf", "nat", "10.79.0.0/24", "--mtu", "1400", "--port-security", "yes")
    name = lab.kn("port", "add", "pf", "--mac", MAC1, "--owner", "4242").stdout.strip()
    old = lab.tap_info(name)[0]["ifindex"]
    run(["ip", "-n", lab.host, "link", "del", name])
    lab.wait_link(name, present=True, timeout=5)
    p = lab.wait_port(name, pred=lambda p: p["policy"] and p["mac"] == MAC1)
    link, info = lab.tap_info(name)
    assert link["ifindex"] != old and link["mtu"] == 1400 and link.get("master") == "kn-pf", link
    assert info.get("persist") and info.get("vnet_hdr") and info.get("user") in (4242, "4242"), \
        info
    assert p["origin"] == "defined", p

    lab.kn("net", "stop", "pf")
    assert lab.link(name) is None, "net stop left the tap"
    assert lab.port_policy(name) == {}, lab.port_policy(name)
    listed = lab.ports("pf")
    assert [(x["name"], x["origin"], x["state"]) for x in listed] == \
        [(name, "defined", "inactive")], listed
    second = lab.kn("port", "add", "pf", "--name", "knstopped").stdout.strip()
    assert second == "knstopped" and lab.link("knstopped") is None
    lab.kn("net", "start", "pf")
    for n in (name, "knstopped"):
        lab.wait_link(n)
        lab.wait_port(n, pred=lambda p: p["policy"])
        assert lab.link(n).get("master") == "kn-pf"
    assert lab.port(name)["mac"] == MAC1
    assert lab.port_policy(name).get("port_mac") == [name + " . " + MAC1]

    lab.kn("net", "delete", "pf")
    for n in (name, "knstopped"):
        assert lab.link(n) is None and lab.port_policy(n) == {}, n
    assert lab.ports() == []


# (id, args, what the error line must name)
BAD_CASES = [
    ("unknown-network", ["port", "add", "nosuch"], "nosuch"),
    ("duplicate-name", ["port", "add", "web", "--name", "kntaken"], "kntaken"),
    ("duplicate-name-other-net", ["port", "add", "other", "--name", "kntaken"], "kntaken"),
    ("existing-interface", ["port", "add", "web", "--name", "up0"], "up0"),
    ("bridge-name", ["port", "add", "web", "--name", "kn-web"], "kn-web"),
    ("other-bridge-name", ["port", "add", "web", "--name", "kn-other"], "kn-other"),
    ("adopted-port-name", ["port", "add", "web", "--name", "vadopt"], "vadopt"),
    ("invalid-name", ["port", "add", "web", "--name", "bad/name"], "bad/name"),
    ("name-16-chars", ["port", "add", "web", "--name", "a" * 16], "name"),
    ("invalid-mac", ["port", "add", "web", "--mac", "52:54:00:zz:00:02"], "52:54:00:zz:00:02"),
    ("short-mac", ["port", "add", "web", "--mac", "52:54:00:00:02"], "52:54:00:00:02"),
    ("multicast-mac", ["port", "add", "web", "--mac", "01:00:5e:00:00:01"], "01:00:5e:00:00:01"),
    ("zero-mac", ["port", "add", "web", "--mac", "00:00:00:00:00:00"], "00:00:00:00:00:00"),
    ("mac-bound-elsewhere", ["port", "add", "web", "--mac", "52:54:00:61:00:01"], "kntaken"),
    ("queues-0", ["port", "add", "web", "--queues", "0"], "queues"),
    ("queues-99", ["port", "add", "web", "--queues", "99"], "queues"),
    ("queues-abc", ["port", "add", "web", "--queues", "abc"], "queues"),
    ("rate-negative", ["port", "add", "web", "--rate", "-1"], "rate"),
    ("rate-abc", ["port", "add", "web", "--rate", "abc"], "rate"),
    ("rate-too-high", ["port", "add", "web", "--rate", "100001"], "rate"),
    ("owner-no-such-user", ["port", "add", "web", "--owner", "kn-no-such-user"],
     "kn-no-such-user"),
    ("owner-negative", ["port", "add", "web", "--owner", "-5"], "owner"),
    ("remove-unknown-port", ["port", "remove", "web", "nosuch"], "nosuch"),
    ("remove-unknown-port-no-net", ["port", "remove", "nosuch0"], "nosuch0"),
    ("remove-unknown-network", ["port", "remove", "nonet", "kntaken"], "nonet"),
    ("remove-wrong-network", ["port", "remove", "other", "kntaken"], "kntaken"),
    ("remove-adopted", ["port", "remove", "vadopt"], "vadopt"),
    ("list-unknown-network", ["port", "list", "nosuch"], "nosuch"),
]


@pytest.fixture(scope="module")
def port_lab(module_lab):
    lab = module_lab
    lab.create("web", "nat", "10.61.0.0/24", "--port-security", "yes")
    lab.create("other", "routed", "10.62.0.0/24", "--port-security", "yes")
    lab.kn("port", "add", "web", "--name", "kntaken", "--mac", "52:54:00:61:00:01")
    # a hand-made veth on the bridge (its peer stays down: no traffic, nothing changes)
    run(["ip", "-n", lab.host, "link", "add", "vadopt", "type", "veth", "peer", "name",
         "vadoptp"])
    run(["ip", "-n", lab.host, "link", "set", "vadopt", "master", "kn-web", "up"])
    lab.wait_port("vadopt", pred=lambda p: p["origin"] == "adopted" and p["policy"])
    return lab


@pytest.mark.parametrize("args,needle", [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_port_refused_changes_nothing(port_lab, args, needle):
    lab = port_lab
    before = lab.snapshot()
    listed = lab.ports()
    p = lab.kn(*args, expect=1)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kvmnet: "), \
        "expected exactly one 'kvmnet: ...' line on stderr, got:\n%s" % p.stderr
    assert needle in lines[0], "error should name %r: %s" % (needle, lines[0])
    assert p.stdout == "", p.stdout
    after = lab.snapshot()
    assert before == after, "a refused request changed something:\n" + lab.snapshot_diff(
        before, after)
    assert lab.ports() == listed


def test_port_add_after_refusals(port_lab):
    lab = port_lab
    name = lab.kn("port", "add", "web", "--mac", "52:54:00:61:00:02", "--queues", "16").stdout \
        .strip()
    assert lab.tap_info(name)[1].get("multi_queue") is True
    lab.kn("port", "remove", "web", name)
    assert lab.link(name) is None


def test_gateway_mac_stable_while_ports_come_and_go(lab):
    """The gateway's MAC (the bridge's) must not change as ports join and leave: guests keep it
    in their ARP caches."""
    lab.create("gm", "nat", "10.78.0.0/24", "--port-security", "yes")
    seen = [("created", lab.bridge_mac("kn-gm"))]
    name = lab.kn("port", "add", "gm").stdout.strip()
    seen.append(("port added", lab.bridge_mac("kn-gm")))
    g = lab.dhcp_guest("kn-gm", mac="02:00:00:00:00:01")
    lab.wait_port(g.host_if)
    seen.append(("veth 02:00:00:00:00:01 joined", lab.bridge_mac("kn-gm")))
    run(["ip", "-n", lab.host, "link", "del", g.host_if])
    lab.kn("port", "remove", "gm", name)
    seen.append(("all ports gone", lab.bridge_mac("kn-gm")))
    lab.kn("port", "add", "gm")
    seen.append(("port added again", lab.bridge_mac("kn-gm")))
    assert len({m for _, m in seen}) == 1, "the gateway's MAC changed: %s" % seen


# ---- 2. adoption and anti-spoofing ---------------------------------------------------------

MAC_A = "52:54:00:72:00:0a"
MAC_B = "52:54:00:72:00:0b"
TAP_IP = "10.73.0.50"
UNUSED_IP = "10.73.0.200"


# The forged frames of nettool.py port-attack that port-security 'mac' lets through: their MAC
# is the port's own, only their IPv4 or ARP source address is someone else's.
PASS_IN_MAC_MODE = {"forged-ip-victim", "forged-ip-gw", "forged-ip-bcast", "forged-ip-unused",
                    "arp-reply-gw-to-victim", "arp-request-gw-to-victim", "arp-garp-gw",
                    "arp-reply-victim-to-gw", "arp-request-victim-to-gw",
                    "vlan-forged-ip-victim", "vlan-arp-reply-gw-to-victim",
                    "qinq-forged-ip-victim", "dot1q-dot1q-forged-ip-victim",
                    "other-ethertype-victim"}


@pytest.mark.parametrize("security", ["yes", "mac", "no"])
@pytest.mark.parametrize("attacker", ["veth", "tap"])
def test_adoption_and_anti_spoofing(lab, attacker, security):
    """Guest A (a DHCP guest on a hand-made veth, or frames written into a hand-made tap)
    forges frames towards guest B and the host. With port-security yes all are dropped and
    counted; with 'mac' only the forged IPv4/ARP addresses pass; with 'no' everything passes
    (which shows the sniffers would see a leak)."""
    lab.create("sec", "nat", "10.73.0.0/24", "--dhcp-range", "10.73.0.100-10.73.0.150",
               "--port-security", security)
    gw, bridge = "10.73.0.1", "kn-sec"
    policy = security != "no"
    b = lab.dhcp_guest(bridge, mac=MAC_B)
    cb = lab.dhcp_client(b, "udhcpc").start()
    if attacker == "veth":
        a = lab.dhcp_guest(bridge, mac=MAC_A)
        ca = lab.dhcp_client(a, "dhclient").start()
        a_port, a_ns = a.host_if, a.ns
        ip_a = ca.wait_bound()["ip"]
    else:
        a_port, a_ns, ip_a = "kta0", lab.host, TAP_IP
        lab.kn("host", "add", "sec", MAC_A, TAP_IP)
        run(["ip", "-n", lab.host, "tuntap", "add", "mode", "tap", "name", a_port])
        run(["ip", "-n", lab.host, "link", "set", a_port, "master", bridge, "up"])
    ip_b = cb.wait_bound()["ip"]
    assert ip_a != ip_b

    # adopted within a second, with the MAC and the address they use (both come from the
    # policy's learnt MAC: a port without policy lists neither)
    t0 = time.monotonic()
    want_b = (MAC_B, ip_b) if policy else (None, None)
    pb = lab.wait_port(b.host_if, timeout=3, pred=lambda p: (p["mac"], p["ip"]) == want_b)
    assert (pb["origin"], pb["network"], pb["policy"], pb["mac-bound"], pb["isolated"]) == \
        ("adopted", "sec", policy, False, False), pb
    if attacker == "veth":
        want_a = (MAC_A, ip_a) if policy else (None, None)
        pa = lab.wait_port(a_port, timeout=3, pred=lambda p: (p["mac"], p["ip"]) == want_a)
    else:
        pa = lab.wait_port(a_port, timeout=1.5)
        assert pa["mac"] is None, "the tap has carried no frame yet, nothing to learn: %s" % pa
    assert time.monotonic() - t0 < 3
    assert (pa["origin"], pa["policy"]) == ("adopted", policy), pa
    pol = lab.port_policy(a_port)
    if policy:
        assert pol.get("ports") and "counter" in pol, pol
        assert bool(pol.get("ipbind")) == (security == "yes"), pol
        assert (("%s . %s" % (MAC_B, ip_b)) in lab.bridge_table()["sets"]["mac_ip"]) == \
            (security == "yes"), lab.bridge_table()["sets"]["mac_ip"]
    else:
        assert pol == {}, "port-security no, yet %s is in the policy: %s" % (a_port, pol)

    # neighbour entries an unfiltered forged ARP would overwrite (the bridge's address is
    # read now: it can change while ports join)
    gw_mac = lab.bridge_mac(bridge)
    run_probes([Probe("B -> gateway", b.ns, "ping", gw)])
    run(["ip", "netns", "exec", lab.host, "ping", "-n", "-q", "-c1", "-W1", ip_b])
    assert neigh_lladdr(b.ns, gw) == gw_mac
    assert neigh_lladdr(lab.host, ip_b) == MAC_B

    tag = secrets.token_hex(4)
    sniff_b = Sniffer(lab, b.ns, "eth0", tag)
    sniff_br = Sniffer(lab, lab.host, bridge, tag)
    before = counters(lab, a_port)
    cmd = ["ip", "netns", "exec", a_ns, PY, NETTOOL, "port-attack", "--ip", ip_a, "--gw", gw,
           "--gw-mac", gw_mac, "--victim-ip", ip_b, "--victim-mac", MAC_B,
           "--unused-ip", UNUSED_IP, "--tag", tag]
    cmd += ["--tap", a_port, "--mac", MAC_A] if attacker == "tap" else ["--iface", "eth0"]
    out = run(cmd, timeout=60).stdout
    res = json.loads(out.strip().splitlines()[-1])
    time.sleep(0.3)
    seen_b, seen_br = sniff_b.stop(), sniff_br.stop()
    after = counters(lab, a_port)

    # legitimate traffic of A, with its own MAC and address, flows before and after
    legit = res["legit"]
    assert legit["arp_gw"] == gw_mac and legit["arp_victim"] == MAC_B, res
    assert all(legit[k] for k in ("ping_gw", "ping_victim", "ping_gw_after",
                                  "ping_victim_after")), "legitimate traffic blocked: %s" % res
    # the sniffers work: A's marked legitimate frames arrived
    assert seen_b["markers"].get("legit-victim") and seen_b["markers"].get("legit-bcast"), \
        "B did not see A's legitimate frames: %s" % seen_b
    assert seen_br["markers"].get("legit-bcast") and seen_br["markers"].get("legit-gw"), \
        "the bridge did not see A's legitimate frames: %s" % seen_br

    attacks = set(res["attacks"])
    assert len(attacks) >= 15, res
    passes = {"yes": set(), "mac": PASS_IN_MAC_MODE & attacks, "no": attacks}[security]
    blocked = attacks - passes
    leaked_b = {k: v for k, v in seen_b["markers"].items() if k in blocked}
    leaked_br = {k: v for k, v in seen_br["markers"].items() if k in blocked}
    assert not leaked_b and not leaked_br, \
        "forged frames from %s passed: at B %s, at the bridge %s" % (a_port, leaked_b, leaked_br)
    unseen = {k for k in passes if k not in seen_b["markers"] and k not in seen_br["markers"]}
    assert not unseen, "with port-security %s these frames should pass, none arrived: %s" % (
        security, sorted(unseen))

    # every dropped frame was counted on A's port (and nothing else was)
    grew = after["dropped"] - before["dropped"]
    n_blocked = sum(res["attacks"][k] for k in blocked)
    if blocked:
        assert grew >= n_blocked, \
            "dropped grew by %d, %d forged frames were dropped: %s -> %s" % (
                grew, n_blocked, before, after)
        assert after["dropped-bytes"] - before["dropped-bytes"] >= 28 * n_blocked, after
    else:
        assert grew == 0, "port-security no, yet %s dropped %d frames" % (a_port, grew)
    assert lab.port(b.host_if)["dropped"] == pb["dropped"] == 0, "B's port dropped frames"
    # the counters are the guest's view: tx = what A sent, rx = what A received
    assert after["tx-packets"] - before["tx-packets"] >= res["frames_sent"], (before, after, res)
    assert after["rx-packets"] - before["rx-packets"] >= res["frames_received"], \
        (before, after, res)
    assert after["tx-bytes"] > before["tx-bytes"] and after["rx-bytes"] > before["rx-bytes"]

    if security == "yes":
        # nobody's ARP cache was poisoned
        assert neigh_lladdr(b.ns, gw) == gw_mac, "B's entry for the gateway: %s" % (
            neigh_lladdr(b.ns, gw))
        assert neigh_lladdr(lab.host, ip_b) == MAC_B, "the host's entry for B: %s" % (
            neigh_lladdr(lab.host, ip_b))
    if policy:
        # nor did B take the rogue offer or the RA's prefix
        assert lab.guest_addrs(b.ns) == [ip_b + "/24"], lab.guest_addrs(b.ns)
        assert "2001:db8:66" not in run(["ip", "-n", b.ns, "-6", "addr"]).stdout
        # A's port now lists the MAC and the address it uses
        pa = lab.port(a_port)
        assert (pa["origin"], pa["mac"], pa["ip"]) == ("adopted", MAC_A, ip_a), pa
    if attacker == "veth":
        run_probes([Probe("A -> B (kernel ping)", a.ns, "ping", ip_b),
                    Probe("A -> gateway (kernel ping)", a.ns, "ping", gw)])

    # leaving the bridge or being deleted: unlisted, policy gone
    run(["ip", "-n", lab.host, "link", "set", a_port, "nomaster"])
    lab.wait_port(a_port, present=False, timeout=2)
    assert lab.port_policy(a_port) == {}, lab.port_policy(a_port)
    run(["ip", "-n", lab.host, "link", "del", b.host_if])
    lab.wait_port(b.host_if, present=False, timeout=2)
    assert lab.port_policy(b.host_if) == {}, lab.port_policy(b.host_if)
    if attacker == "tap":
        run(["ip", "-n", lab.host, "link", "del", a_port])


def test_ip_binding_follows_leases_and_reservations(lab):
    """Under port-security yes a guest may use an address only while it is leased or reserved
    for its MAC: released, the same address is dropped (also for a flow that passed before:
    the fast path cache is flushed); reserved, it passes again; unreserved, dropped again."""
    lab.create("bind", "nat", "10.80.0.0/24", "--port-security", "yes")
    gw = "10.80.0.1"
    g = lab.dhcp_guest("kn-bind", mac="52:54:00:80:00:01")
    c = lab.dhcp_client(g, "udhcpc").start()
    ip = c.wait_bound()["ip"]
    lab.wait_port(g.host_if, pred=lambda p: p["ip"] == ip)
    assert ping_count(g.ns, gw, 2) == 2
    assert "%s . %s" % (g.mac, ip) in lab.bridge_table()["sets"]["mac_ip"]

    def blocked(why):
        before = counters(lab, g.host_if)["dropped"]
        assert ping_count(g.ns, gw, 3) == 0, "%s: the guest still reaches the gateway" % why
        assert counters(lab, g.host_if)["dropped"] - before >= 3, why

    c.release()
    deadline = time.monotonic() + 3
    while "%s . %s" % (g.mac, ip) in lab.bridge_table()["sets"]["mac_ip"]:
        assert time.monotonic() < deadline, "binding kept after the release: %s" % (
            lab.bridge_table()["sets"]["mac_ip"])
        time.sleep(0.05)
    assert lab.port(g.host_if)["ip"] is None, lab.port(g.host_if)
    # the guest keeps using the address on its own
    run(["ip", "-n", g.ns, "addr", "replace", ip + "/24", "dev", "eth0"])
    run(["ip", "-n", g.ns, "neigh", "replace", gw, "lladdr", lab.bridge_mac("kn-bind"), "dev",
         "eth0", "nud", "permanent"])
    blocked("lease released")

    lab.kn("host", "add", "bind", g.mac, ip)
    deadline = time.monotonic() + 3
    while ping_count(g.ns, gw, 1) != 1:
        assert time.monotonic() < deadline, "a reserved address is still dropped"
    assert lab.port(g.host_if)["ip"] == ip

    lab.kn("host", "remove", "bind", g.mac)
    time.sleep(0.3)
    blocked("reservation removed")


# ---- 3. isolate-ports ---------------------------------------------------------------------

@pytest.mark.parametrize("security", ["yes", "mac", "no"])
def test_isolate_ports(lab, security):
    """Two DHCP guests of an isolate-ports network reach the gateway and the outside, never
    each other (even knowing each other's MAC); the same pair on a network without the flag
    does reach each other. isolate-ports does not depend on port-security."""
    lab.create("iso", "nat", "10.74.0.0/24", "--isolate-ports", "--port-security", security)
    lab.create("flat", "nat", "10.75.0.0/24", "--port-security", security)
    pairs = {}
    for net in ("iso", "flat"):
        gs = [lab.dhcp_guest("kn-" + net) for _ in range(2)]
        cs = [lab.dhcp_client(g, "udhcpc").start() for g in gs]
        for g, c in zip(gs, cs):
            g.ip = c.wait_bound()["ip"]
            g.gw = lab.guest_gateway(g.ns)
            lab.serve(g.ns, "tcp", "0.0.0.0", PORT)
        pairs[net] = gs
    lab.serve(lab.out, "tcp", OUTSIDE, PORT)
    for net, gs in pairs.items():
        for g in gs:
            p = lab.wait_port(g.host_if)
            assert (p["origin"], p["isolated"]) == ("adopted", net == "iso"), p
    assert "isolate-ports = yes" in lab.kn("net", "export", "iso").stdout
    a, b = pairs["iso"]
    c, d = pairs["flat"]
    # the guests know each other's MAC: no ARP needed, unicast IPv4 frames must be stopped
    for x, y in ((a, b), (b, a), (c, d), (d, c)):
        run(["ip", "-n", x.ns, "neigh", "replace", y.ip, "lladdr", y.mac, "dev",
             "eth0", "nud", "permanent"])

    before = counters(lab, a.host_if)["dropped"]
    assert ping_count(a.ns, b.ip, 3) == 0, "isolated guests answered each other's ping"
    time.sleep(0.2)
    grew = counters(lab, a.host_if)["dropped"] - before
    assert grew >= 3, "A's dropped counter grew by %d for 3 echo requests" % grew
    run_probes([
        Probe("iso a -> gateway", a.ns, "ping", a.gw),
        Probe("iso b -> gateway", b.ns, "ping", b.gw),
        Probe("iso a -> outside tcp", a.ns, "tcp", OUTSIDE, PORT),
        Probe("iso b -> outside ping", b.ns, "ping", OUTSIDE),
        Probe("flat c -> d ping", c.ns, "ping", d.ip),
        Probe("flat d -> c tcp", d.ns, "tcp", c.ip, PORT),
    ])
    run_probes([
        Probe("iso a -> b tcp", a.ns, "tcp", b.ip, PORT, expect=False),
        Probe("iso b -> a ping", b.ns, "ping", a.ip, expect=False),
        Probe("iso b -> a tcp", b.ns, "tcp", a.ip, PORT, expect=False),
    ])
    assert ping_count(c.ns, d.ip, 3) == 3, "guests of a network without isolate-ports"
    assert counters(lab, c.host_if)["dropped"] == 0, lab.port(c.host_if)


# ---- 4. --rate ----------------------------------------------------------------------------

MAC_R = "52:54:00:76:00:01"


def rate_support(lab):
    """None when tc can make a tbf qdisc (traffic to the guest; traffic from it is policed by
    nftables) in a throwaway namespace; else what is missing."""
    ns = lab.prefix + "-tc"
    lab.add_ns(ns)
    try:
        run(["ip", "-n", ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1"])
        run(["ip", "-n", ns, "link", "set", "t0", "up"])
        steps = [
            ("sch_tbf", ["qdisc", "add", "dev", "t0", "root", "tbf", "rate", "20mbit",
                         "burst", "64kb", "latency", "50ms"]),
        ]
        for what, args in steps:
            p = run(["tc", "-n", ns] + args, check=False)
            if p.returncode != 0:
                return "%s (tc %s: %s)" % (what, " ".join(args[:2]), p.stderr.strip())
        return None
    finally:
        run(["ip", "netns", "del", ns], check=False)
        lab.namespaces.remove(ns)


def iperf(lab, ns, reverse, secs):
    """Mbit/s received in an iperf3 TCP run from 'ns' to the outside (reverse: outside to ns),
    steady state: the first second, which spends the limiters' buckets (nftables' holds a second
    at the rate), is left out (--omit 1)."""
    cmd = ["ip", "netns", "exec", ns, "iperf3", "-c", OUTSIDE, "-t", str(secs), "-O", "1", "-J",
           "--connect-timeout", "3000"] + (["-R"] if reverse else [])
    p = run(cmd, check=False, timeout=secs + 20)
    try:
        doc = json.loads(p.stdout)
        return doc["end"]["sum_received"]["bits_per_second"] / 1e6
    except (ValueError, KeyError) as e:
        raise AssertionError("iperf3 %s: %s\n%s%s" % (" ".join(cmd), e, p.stdout[-2000:],
                                                      p.stderr))


class RelayGuest:
    """A guest namespace whose eth0 sits behind kvmnet tap 'tap': a veth whose other end (vr1,
    on no bridge) lives in a namespace of its own, and nettool.py tap-relay, started in the host
    namespace (where it opens the tap by name), copying frames between the tap and vr1. (With vr1
    in the host namespace, the host's IP stack would take the guest's frames directly.)"""

    def __init__(self, lab, tap):
        self.lab, self.tap = lab, tap
        self.ns = lab.prefix + "-r1"
        self.relay_ns = lab.prefix + "-rl"
        self.host_if = "vr1"
        lab.add_ns(self.ns)
        lab.add_ns(self.relay_ns)
        run(["ip", "-n", self.relay_ns, "link", "add", self.host_if, "type", "veth", "peer",
             "name", "eth0", "netns", self.ns])
        run(["ip", "-n", self.ns, "link", "set", "eth0", "address", MAC_R])
        run(["ip", "-n", self.ns, "link", "set", "eth0", "up"])
        run(["ip", "-n", self.relay_ns, "link", "set", self.host_if, "up"])
        # frames leave through a packet socket: complete checksums, no super-packets
        run(["ip", "netns", "exec", self.ns, PY, NETTOOL, "offloads-off", "--iface", "eth0"])
        self.mac = MAC_R
        self.relay = None

    def start_relay(self):
        self.relay, outp = self.lab.spawn(self.lab.host, [
            PY, NETTOOL, "tap-relay", "--tap", self.tap, "--iface", self.host_if,
            "--netns", self.relay_ns])
        self.lab.wait_output(self.relay, outp, r"^ready$")

    def stop_relay(self):
        if self.relay:
            self.lab.stop_proc(self.relay)
            self.relay = None


RATES = (20, 50)


def test_rate_limit(lab):
    """A guest behind a port made with --rate gets that rate (within 15%) both ways; without
    --rate, before and after, the same path is far faster than the highest limit."""
    if shutil.which("iperf3") is None:
        pytest.skip("iperf3 is not installed: the rate test measures with it")
    missing = rate_support(lab)
    if missing:
        pytest.skip("the kernel cannot rate-limit a port, it lacks %s" % missing)
    lab.create("rate", "nat", "10.76.0.0/24", "--port-security", "yes")
    tap = "knr0"
    g = RelayGuest(lab, tap)
    srv, outp = lab.spawn(lab.out, ["iperf3", "-s", "-B", OUTSIDE, "--forceflush"])
    lab.wait_output(srv, outp, r"Server listening", timeout=5)

    def attach(rate=None):
        extra = ["--rate", str(rate)] if rate else []
        assert lab.kn("port", "add", "rate", "--name", tap, "--mac", MAC_R, *extra) \
            .stdout.strip() == tap
        g.start_relay()
        p = lab.wait_port(tap, pred=lambda p: p["state"] == "up")
        assert p["rate"] == (rate or 0), p
        qdiscs = run(["tc", "-n", lab.host, "qdisc", "show", "dev", tap]).stdout
        assert ("tbf" in qdiscs) == bool(rate), qdiscs
        limits = lab.nft("list", "limits", "table", "bridge", "kvmnet", check=False).stdout
        assert ("l_" + tap in limits) == bool(rate), limits
        # a new tap, like a rebooted VM's: the guest forgets the gateway's MAC (the bridge's
        # address may follow its ports)
        run(["ip", "-n", g.ns, "neigh", "flush", "dev", "eth0"])

    def detach():
        g.stop_relay()
        lab.kn("port", "remove", "rate", tap)
        lab.wait_link(tap, present=False)

    def both(secs):
        return iperf(lab, g.ns, False, secs), iperf(lab, g.ns, True, secs)

    attach()
    c = lab.dhcp_client(g, "udhcpc").start()
    ip = c.wait_bound()["ip"]
    run_probes([Probe("relayed guest -> outside", g.ns, "ping", OUTSIDE)])
    assert lab.port(tap)["ip"] == ip
    top = max(RATES, default=50)
    free = both(3)
    assert min(free) > 2 * top, \
        "without --rate the relayed guest only reaches %.1f up / %.1f down Mbit/s: too slow to " \
        "tell shaping at %d Mbit/s apart" % (*free, top)
    detach()

    for rate in RATES:
        attach(rate)
        run_probes([Probe("relayed guest -> outside at --rate %d" % rate, g.ns, "ping", OUTSIDE)])
        up, down = both(5)
        print("--rate %d: guest -> outside %.1f, outside -> guest %.1f Mbit/s" % (rate, up, down))
        for what, got in (("guest -> outside", up), ("outside -> guest", down)):
            assert abs(got - rate) <= 0.15 * rate, \
                "%s at --rate %d: %.1f Mbit/s (unshaped: %.1f / %.1f)" % (what, rate, got, *free)
        detach()

    attach()
    run_probes([Probe("relayed guest -> outside, limit removed", g.ns, "ping", OUTSIDE)])
    again = both(2)
    assert min(again) > 2 * top, "after removing the limits: %.1f / %.1f Mbit/s" % again
    detach()
    lab.stop_proc(srv)


def test_rate_unsupported_is_refused_cleanly(lab):
    """On a kernel without what --rate needs, 'port add --rate' fails with one line and leaves
    nothing behind (no tap, no policy, no [port] section)."""
    missing = rate_support(lab)
    if not missing:
        pytest.skip("the kernel can rate-limit ports: test_rate_limit measures it")
    lab.create("norate", "nat", "10.77.0.0/24", "--port-security", "yes")
    lab.kn("port", "add", "norate", "--name", "knbase")   # the policy table exists already
    before = lab.snapshot()
    p = lab.kn("port", "add", "norate", "--name", "knrate", "--rate", "20", expect=1)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kvmnet: ") and "rate" in lines[0], p.stderr
    after = lab.snapshot()
    assert before == after, "a refused port add changed something:\n" + lab.snapshot_diff(
        before, after)
    assert [x["name"] for x in lab.ports()] == ["knbase"], lab.ports()
