# SPDX-License-Identifier: GPL-2.0-or-later
"""Two real QEMU guests on a nat network, the two ways kvmnet attaches VMs: one on a tap made by
'kvmnet port add' (QEMU opens it with -netdev tap), one through QEMU's own '-netdev bridge' with
kvmnet-bridge-helper (kvmnetd makes the tap and hands QEMU its fd). Both get leases from
kvmnetd, ping each other, the gateway and the outside namespace, under the per-port policy, and
are listed by 'port list' with their MACs, addresses and counters; the helper's port goes away
when its QEMU exits. Skipped when QEMU or the Debian packages for the guest are missing."""
import time

from knlab import OUTSIDE, run, tap_of_fd
from qemu_guest import QemuGuest, guest_images

NET = "vms"
BRIDGE = "kn-" + NET
GW = "10.62.0.1"
MAC_TAP = "52:54:00:62:00:01"
MAC_HELPER = "52:54:00:62:00:02"


def ports_by_name(lab):
    return {p["name"]: p for p in lab.kn_json("port", "list", NET)}


def wait_ports(lab, pred, what, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        ports = ports_by_name(lab)
        if pred(ports):
            return ports
        if time.monotonic() > deadline:
            raise AssertionError("%s: port list is %s" % (what, ports))
        time.sleep(0.2)


def test_two_qemu_guests_tap_and_bridge_helper(lab):
    kernel, initrd = guest_images(lab.bin)
    lab.create(NET, "nat", "10.62.0.0/24", "--port-security", "yes")
    tap = lab.kn("port", "add", NET, "--mac", MAC_TAP).stdout.strip()
    assert tap, "port add printed no name"

    helper = "%s --socket=%s" % (lab.bin / "kvmnet-bridge-helper", lab.sock)
    g1 = QemuGuest(lab.host, "tap,id=n0,ifname=%s,script=no,downscript=no" % tap, MAC_TAP,
                   lab.tmp / "guest", name="g1", images=(kernel, initrd), hostname="vm-tap")
    g2 = QemuGuest(lab.host, "bridge,id=n0,br=%s,helper=%s" % (BRIDGE, helper), MAC_HELPER,
                   lab.tmp / "guest", name="g2", images=(kernel, initrd), hostname="vm-helper")
    try:
        g1.start()
        g2.start()
        ip1 = g1.wait_lease(timeout=90)
        ip2 = g2.wait_lease(timeout=90)
        lab.wait_lease(MAC_TAP, NET, ip1)
        lab.wait_lease(MAC_HELPER, NET, ip2)

        for g, target in ((g1, ip2), (g2, ip1), (g1, GW), (g2, GW), (g1, OUTSIDE),
                          (g2, OUTSIDE)):
            rc, out = g.run("ping -c 2 -W 2 %s" % target, timeout=30)
            assert rc == 0 and "2 packets received" in out, \
                "%s -> %s: rc %d\n%s" % (g.name, target, rc, out)

        ports = wait_ports(lab, lambda p: len(p) == 2 and all(x.get("ip") for x in p.values()),
                           "both guests listed with their addresses")
        p1 = ports[tap]
        (name2, p2), = [(k, v) for k, v in ports.items() if k != tap]
        assert p1["origin"] == "defined" and p1["mac-bound"] and p1["mac"] == MAC_TAP, p1
        assert p2["origin"] == "bridge-helper" and p2["mac"] == MAC_HELPER, p2
        assert (p1["ip"], p2["ip"]) == (ip1, ip2), ports
        for p in (p1, p2):
            assert p["policy"] and p["state"] == "up", p
            # each guest sent and received at least DHCP, ARP and 6 pings' worth
            assert p["tx-packets"] >= 8 and p["rx-packets"] >= 8, p
            assert p["tx-bytes"] > 500 and p["rx-bytes"] > 500, p
        link = lab.link(name2)
        assert link.get("master") == BRIDGE, link

        assert g2.poweroff(30) == 0
        wait_ports(lab, lambda p: set(p) == {tap}, "the helper's port gone with its QEMU")
        assert run(["ip", "-n", lab.host, "link", "show", name2], check=False).returncode != 0
        assert g1.poweroff(30) == 0
        # the defined port outlives its VM
        assert tap in ports_by_name(lab)
    finally:
        g1.cleanup()
        g2.cleanup()


def test_bridge_helper_protocol(lab):
    """The helper without QEMU: it hands back a working tap's fd for a kvmnet bridge (found
    through --socket= or $KVMNET_SOCKET), the tap is listed as a bridge-helper port under policy,
    and goes away with the fd; anything else fails with one line and exit status 1."""
    import os
    lab.create(NET, "nat", "10.62.0.0/24", "--port-security", "yes")

    rc, err, fd = lab.bridge_helper("--br=" + BRIDGE, "--socket=%s" % lab.sock)
    assert rc == 0 and fd is not None, err
    try:
        # the fd is attached to a tap (IFF_TAP 0x2) with a vnet header (0x4000)
        name, flags = tap_of_fd(fd)
        assert flags & 0x0002 and flags & 0x4000, hex(flags)
        p = wait_ports(lab, lambda ps: name in ps, "the helper's tap listed")[name]
        assert p["origin"] == "bridge-helper" and p["policy"], p
        assert lab.link(name).get("master") == BRIDGE
    finally:
        os.close(fd)
    wait_ports(lab, lambda ps: name not in ps, "the helper's tap gone with its fd")
    assert lab.link(name) is None

    env = dict(os.environ, KVMNET_SOCKET=str(lab.sock))
    rc, err, fd = lab.bridge_helper("--br=" + BRIDGE, env=env)
    assert rc == 0 and fd is not None, err
    os.close(fd)

    for args, needle in ((["--br=br-none", "--socket=%s" % lab.sock],
                          "'br-none' is not the bridge of a kvmnet network"),
                         (["--br=" + BRIDGE, "--socket=%s/nope" % lab.tmp], "cannot reach kvmnetd"),
                         (["--socket=%s" % lab.sock], "no bridge given"),
                         (["--br=" + BRIDGE, "--socket=%s" % lab.sock, "--bogus"],
                          "unknown argument")):
        rc, err, fd = lab.bridge_helper(*args)
        lines = err.strip().splitlines()
        assert rc == 1 and fd is None and len(lines) == 1, (args, rc, err)
        assert lines[0].startswith("kvmnet-bridge-helper: ") and needle in lines[0], (args, err)
    wait_ports(lab, lambda ps: not ps, "no port left behind")
