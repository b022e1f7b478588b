# SPDX-License-Identifier: GPL-2.0-or-later
"""DHCPv6 (docs/IPV6.md): real clients in guest namespaces get stateful IA_NA addresses from
kvmnetd (dhclient -6, dhcpcd), reservations by MAC and by DUID, release, rapid commit and
information-request from a raw client, leases in 'lease list' that survive kill -9, no server
in ra-mode slaac, and bad definitions and bad packets refused without changing anything."""
import json
import signal
import struct
import time

import pytest

import knlab
from knlab import run

HOOK = """#!/bin/sh
echo "reason=$reason ip6=$new_ip6_address" >> '@EVENTS@'
exit 0
"""

DHCPCD6_CONF = """# kvmnet test configuration for dhcpcd, DHCPv6 only
ipv6only
noipv6rs
nolink
nohook resolv.conf
ia_na 1
duid
option dhcp6_name_servers, dhcp6_domain_search
timeout 30
"""


def wait_dad(lab, ns, timeout=10):
    """Waits until eth0's link-local address is usable (DAD done): clients need it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = run(["ip", "-n", ns, "-6", "addr", "show", "dev", "eth0", "scope", "link"]).stdout
        if "inet6" in out and "tentative" not in out:
            return
        time.sleep(0.1)
    raise AssertionError("no usable link-local address in %s" % ns)


def v6_leases(lab, net=None, all_states=False):
    args = ["lease", "list"] + ([net] if net else []) + (["--all"] if all_states else [])
    return [x for x in lab.kn_json(*args) if x.get("family") == "ipv6"]


def wait_v6_lease(lab, pred, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        mine = [x for x in v6_leases(lab) if pred(x)]
        if mine:
            return mine[0]
        if time.monotonic() > deadline:
            raise AssertionError("no such DHCPv6 lease; leases: %s" % lab.kn_json("lease", "list"))
        time.sleep(0.2)


class Dhclient6:
    """ISC dhclient -6 in a guest namespace, its hook logging events to a file."""

    def __init__(self, lab, guest, name, duid_type="LL"):
        self.lab, self.guest = lab, guest
        self.dir = lab.tmp / name
        self.dir.mkdir()
        self.events = self.dir / "events"
        self.events.write_text("")
        self.hook = self.dir / "hook.sh"
        self.hook.write_text(HOOK.replace("@EVENTS@", str(self.events)))
        self.hook.chmod(0o755)
        self.duid_type = duid_type
        self.proc = None

    def args(self, *extra):
        return (["dhclient", "-6", "-d", "-v", "-1", "-D", self.duid_type, "-sf", self.hook,
                 "-lf", self.dir / "leases", "-pf", self.dir / "pid"] + list(extra) + ["eth0"])

    def start(self, *extra):
        self.proc, self.outp = self.lab.spawn(self.guest.ns, self.args(*extra))
        return self

    def wait(self, reason, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.events.read_text().splitlines():
                ev = knlab.parse_event(line)
                if ev.get("reason") == reason:
                    return ev
            time.sleep(0.1)
        raise AssertionError("dhclient -6 in %s: no %s event\nevents: %s\noutput: %s"
                             % (self.guest.ns, reason, self.events.read_text(),
                                self.outp.read_text()[-3000:]))

    def stop(self):
        if self.proc:
            self.lab.stop_proc(self.proc)

    def release(self):
        """dhclient -6 -r: sends a Release for the lease in its lease file, then exits."""
        self.stop()
        p = run(["ip", "netns", "exec", self.guest.ns] + [str(a) for a in self.args("-r")],
                check=False, timeout=30)
        assert p.returncode == 0, p.stdout + p.stderr


def guest6(lab, bridge, mac=None):
    g = lab.dhcp_guest(bridge, mac)
    wait_dad(lab, g.ns)
    return g


def test_dhclient6_lease_reservations_release(lab):
    reserved_mac = "52:54:00:66:00:02"
    knlab.define(lab, "d6", "\n".join([
        "[network]", "mode = nat", "subnet = 10.66.0.0/24", "subnet6 = fd42:66::/64",
        "ra-mode = dhcpv6", "dhcp6-range = fd42:66::100-fd42:66::1ff", "",
        "[host web]", "mac = %s" % reserved_mac, "ip = 10.66.0.10", "ip6 = fd42:66::10", ""]))
    lab.kn("net", "start", "d6")
    exported = lab.kn("net", "export", "d6").stdout
    assert "dhcp6-range = fd42:66::100-fd42:66::1ff" in exported and "ip6 = fd42:66::10" in exported
    g1 = guest6(lab, "kn-d6")
    g2 = guest6(lab, "kn-d6", reserved_mac)
    c1 = Dhclient6(lab, g1, "c1").start()
    c2 = Dhclient6(lab, g2, "c2").start()
    ev1, ev2 = c1.wait("BOUND6"), c2.wait("BOUND6")
    assert ev2["ip6"] == "fd42:66::10", ev2
    assert ev1["ip6"].startswith("fd42:66::1") and ev1["ip6"] != "fd42:66::10", ev1
    first = int(ev1["ip6"].rsplit(":", 1)[1], 16)
    assert 0x100 <= first <= 0x1ff, ev1
    l1 = wait_v6_lease(lab, lambda x: x["ip"] == ev1["ip6"])
    assert l1["network"] == "d6" and l1["mac"] == g1.mac and l1["state"] == "bound"
    # DUID-LL carries the MAC: the lease names both
    assert l1["duid"] == "00:03:00:01:" + g1.mac, l1
    assert l1["expires"] > time.time() + 3000
    l2 = wait_v6_lease(lab, lambda x: x["ip"] == "fd42:66::10")
    assert l2["mac"] == reserved_mac
    # the text table shows them too
    assert ev1["ip6"] in lab.kn("lease", "list").stdout
    # IPv4 leases are unaffected: the IPv4 helpers see no IPv6 lease
    assert lab.lease_of(g1.mac) is None

    c1.release()
    deadline = time.monotonic() + 10
    while any(x["ip"] == ev1["ip6"] for x in v6_leases(lab)):
        assert time.monotonic() < deadline, v6_leases(lab)
        time.sleep(0.2)
    released = [x for x in v6_leases(lab, all_states=True) if x["ip"] == ev1["ip6"]]
    assert released and released[0]["state"] == "released", released
    c2.stop()


def test_dhcpcd6_gets_a_lease(lab):
    lab.create("p6", "nat", "10.67.0.0/24", "--subnet6", "fd42:67::/64", "--ra-mode",
               "slaac+dhcpv6")
    g = guest6(lab, "kn-p6")
    d = lab.tmp / "dhcpcd6"
    d.mkdir()
    (d / "dhcpcd-db").mkdir()
    (d / "resolv.conf").touch()
    (d / "dhcpcd.conf").write_text(DHCPCD6_CONF)
    (d / "hook.sh").write_text("#!/bin/sh\necho \"reason=$reason ip6=$new_dhcp6_ia_na1_ia_addr1\" >> %s/events\nexit 0\n" % d)
    (d / "hook.sh").chmod(0o755)
    p, outp = lab.spawn(g.ns, ["unshare", "--mount", "--propagation", "private", "--pid",
                               "--fork", "--mount-proc", "--uts", "sh", "-c",
                               knlab.DHCPCD_WRAPPER, "dhcpcd-wrapper", d,
                               "dhcpcd", "-B", "-6", "-f", d / "dhcpcd.conf", "-c",
                               d / "hook.sh", "eth0"])
    lease = wait_v6_lease(lab, lambda x: x["network"] == "p6", timeout=40)
    assert lease["ip"].startswith("fd42:67::1:"), lease
    # dhcpcd puts the address on eth0 itself (usable once its DAD is done)
    deadline = time.monotonic() + 20
    while True:
        out = run(["ip", "-n", g.ns, "-6", "-o", "addr", "show", "dev", "eth0"]).stdout
        if any(lease["ip"] + "/" in ln and "tentative" not in ln for ln in out.splitlines()):
            break
        assert time.monotonic() < deadline, out + outp.read_text()[-3000:]
        time.sleep(0.2)
    # and reaches the gateway6 from it
    run(["ip", "netns", "exec", g.ns, "ping", "-6", "-c", "1", "-W", "5", "-I", lease["ip"],
         "fd42:67::1"], timeout=20)
    lab.stop_proc(p)


def test_leases_survive_kill9(lab):
    lab.create("k6", "routed", "10.68.0.0/24", "--subnet6", "fd42:68::/64", "--ra-mode",
               "dhcpv6")
    g = guest6(lab, "kn-k6")
    c = Dhclient6(lab, g, "k").start()
    ev = c.wait("BOUND6")
    c.stop()
    before = wait_v6_lease(lab, lambda x: x["ip"] == ev["ip6"])
    lab.stop_daemon(signal.SIGKILL)
    lab.start_daemon()
    after = [x for x in v6_leases(lab) if x["ip"] == ev["ip6"]]
    assert after == [before], (before, after)
    # the same client (same DUID, from its lease file) gets the same address back
    c.events.write_text("")
    c.start()
    assert c.wait("BOUND6")["ip6"] == ev["ip6"]
    c.stop()


RAW_CLIENT = r"""
import socket, struct, sys, json
mode = sys.argv[1]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.bind(("::", 546))
s.settimeout(5)
idx = socket.if_nametoindex("eth0")
duid = bytes([0, 4]) + bytes(range(16))
def opt(c, v): return struct.pack(">HH", c, len(v)) + v
if mode == "garbage":
    for junk in (b"", b"\x01", b"\x01\x00\x00\x00\x00\x01\x00\xff", b"\x0c" + bytes(40),
                 b"\x03\x00\x00\x01" + opt(1, duid) + opt(1, duid)):
        s.sendto(junk, ("ff02::1:2", 547, 0, idx))
    mode = "rapid"
if mode == "rapid":
    msg = b"\x01\x12\x34\x56" + opt(1, duid) + opt(14, b"") + opt(6, b"\x00\x17\x00\x18") + \
          opt(3, struct.pack(">III", 9, 0, 0))
else:
    msg = b"\x0b\x12\x34\x56" + opt(1, duid) + opt(6, b"\x00\x17\x00\x18") + opt(8, b"\x00\x00")
s.sendto(msg, ("ff02::1:2", 547, 0, idx))
data, src = s.recvfrom(2000)
out = {"type": data[0], "xid": data[1:4].hex(), "options": []}
off = 4
while off + 4 <= len(data):
    c, l = struct.unpack(">HH", data[off:off + 4])
    out["options"].append([c, data[off + 4:off + 4 + l].hex()])
    off += 4 + l
print(json.dumps(out))
"""


def raw_client(lab, g, mode):
    p = run(["ip", "netns", "exec", g.ns, "/usr/bin/python3", "-c", RAW_CLIENT, mode],
            check=False, timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_rapid_commit_information_request_and_bad_packets(lab):
    lab.create("r6", "nat", "10.69.0.0/24", "--subnet6", "fd42:69::/64", "--ra-mode", "dhcpv6",
               "--domain", "r6.test")
    g = guest6(lab, "kn-r6")
    # garbage first: counted and dropped; then a rapid-commit Solicit is answered with a Reply
    reply = raw_client(lab, g, "garbage")
    assert reply["type"] == 7 and reply["xid"] == "123456", reply
    codes = [c for c, _ in reply["options"]]
    assert 14 in codes and 3 in codes and 2 in codes and 1 in codes, reply
    ia = bytes.fromhex([v for c, v in reply["options"] if c == 3][0])
    assert struct.unpack(">I", ia[:4])[0] == 9
    addr = ia[12 + 4:12 + 4 + 16]
    import ipaddress
    a = str(ipaddress.IPv6Address(addr))
    assert a.startswith("fd42:69::1:"), a
    # a rapid commit binds at once: durable and listed
    wait_v6_lease(lab, lambda x: x["ip"] == a, timeout=5)
    # information-request: DNS search domain asked for and given, no address
    info = raw_client(lab, g, "info")
    assert info["type"] == 7 and 3 not in [c for c, _ in info["options"]], info
    domains = [v for c, v in info["options"] if c == 24]
    assert domains and bytes.fromhex(domains[0]) == b"\x02r6\x04test\x00", info
    assert lab.daemon.poll() is None


def test_no_dhcpv6_in_slaac_mode(lab):
    lab.create("s6", "nat", "10.70.0.0/24", "--subnet6", "fd42:70::/64")
    out = run(["ip", "netns", "exec", lab.host, "ss", "-6", "-uln"]).stdout
    assert ":547 " not in out, out
    # switching ra-mode to dhcpv6 starts the server, back to slaac stops it
    text = lab.kn("net", "export", "s6").stdout + "ra-mode = dhcpv6\n"
    knlab.define(lab, "s6", text)
    out = run(["ip", "netns", "exec", lab.host, "ss", "-6", "-uln"]).stdout
    assert ":547 " in out, out
    knlab.define(lab, "s6", text.replace("ra-mode = dhcpv6\n", ""))
    out = run(["ip", "netns", "exec", lab.host, "ss", "-6", "-uln"]).stdout
    assert ":547 " not in out, out


@pytest.mark.parametrize("extra,why", [
    (["--dhcp6-range", "fd42:71::1:0:0:1-fd42:71::1:0:0:9"], "first /96"),
    (["--dhcp6-range", "fd42:71::9-fd42:71::2"], "after the last"),
    (["--dhcp6-range", "fd42:99::2-fd42:99::9"], "first /96"),
    (["--dhcp6-range", "fd42:71::1-fd42:71::9"], "gateway6"),
    (["--dhcp6-range", "nonsense"], "FIRST-LAST"),
])
def test_bad_dhcp6_range_changes_nothing(lab, extra, why):
    before = lab.snapshot()
    p = lab.kn("net", "create", "b6", "--mode", "nat", "--subnet", "10.71.0.0/24",
               "--subnet6", "fd42:71::/64", *extra, expect=1)
    assert why in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "b6" not in lab.networks()
    assert lab.snapshot() == before


def test_bad_ip6_reservation_changes_nothing(lab):
    base = ["[network]", "mode = nat", "subnet = 10.72.0.0/24", "subnet6 = fd42:72::/64",
            "ra-mode = dhcpv6", "", "[host a]", "mac = 52:54:00:72:00:01", "ip = 10.72.0.5"]
    for line, why in (("ip6 = fd42:73::5", "outside subnet6"),
                      ("ip6 = fd42:72::1", "gateway6"),
                      ("ip6 = fd42:72::1:0:0:5", "first /96"),
                      ("ip6 = nonsense", "invalid ip6"),
                      ("duid = 00:03", "invalid duid")):
        p = knlab.define(lab, "b7", "\n".join(base + [line, ""]), expect=1)
        assert why in p.stderr and len(p.stderr.strip().splitlines()) == 1, (line, p.stderr)
        assert "b7" not in lab.networks()
    # two hosts with one ip6
    p = knlab.define(lab, "b7", "\n".join(base + ["ip6 = fd42:72::5", "", "[host b]",
                                                  "mac = 52:54:00:72:00:02", "ip = 10.72.0.6",
                                                  "ip6 = fd42:72::5", ""]), expect=1)
    assert "reserved for" in p.stderr, p.stderr
