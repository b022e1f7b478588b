# SPDX-License-Identifier: GPL-2.0-or-later
"""A real QEMU guest (tests/guest: the Debian cloud kernel, busybox, udhcpc) on a kvmnet network:
it boots on a tap in the lab's host namespace, gets its address, router and DNS server from
kvmnetd's DHCP, is listed with the host name it sent, reaches the gateway and is reached from it,
and powers off cleanly. Skipped when QEMU or the Debian packages for the guest are missing."""
import ipaddress
import time

from knlab import run
from qemu_guest import QemuGuest, guest_images

NET = "gboot"
BRIDGE = "kn-" + NET
GW = "10.61.0.1"
FIRST, LAST = "10.61.0.100", "10.61.0.150"
TAP = "kngt0"
MAC = "52:54:00:61:00:01"
HOSTNAME = "kn-guest1"


def test_guest_boots_gets_lease_pings_gateway(lab):
    kernel, initrd = guest_images(lab.bin)
    lab.create(NET, "nat", "10.61.0.0/24", "--dhcp-range", "%s-%s" % (FIRST, LAST))
    run(["ip", "-n", lab.host, "tuntap", "add", "dev", TAP, "mode", "tap"])
    run(["ip", "-n", lab.host, "link", "set", TAP, "master", BRIDGE, "up"])

    g = QemuGuest(lab.host, "tap,id=n0,ifname=%s,script=no,downscript=no" % TAP, MAC,
                  lab.tmp / "guest", name="g1", images=(kernel, initrd), hostname=HOSTNAME)
    try:
        g.start()
        ip = g.wait_lease(timeout=60)
        print("guest %s (%s): lease %s %.1f s after QEMU started"
              % (g.name, g.accel, g.lease, g.lease_seconds))
        a = ipaddress.ip_address
        assert a(FIRST) <= a(ip) <= a(LAST), "leased %s, outside %s-%s" % (ip, FIRST, LAST)
        assert g.lease["prefix"] == 24, g.lease
        assert g.lease["router"] == GW, g.lease
        assert g.lease["dns"] == [GW], g.lease

        lease = lab.wait_lease(MAC, NET, ip)
        assert lease["hostname"] == HOSTNAME, lease

        rc, out = g.run("ping -c 2 -W 2 %s" % GW, timeout=20)
        assert rc == 0, "guest -> gateway ping: rc %d\n%s" % (rc, out)
        assert "2 packets received" in out, out

        rc, out = g.run("ip -4 addr show dev eth0; ip -4 route; cat /etc/resolv.conf", timeout=10)
        assert rc == 0, out
        assert "inet %s/24" % ip in out, out
        assert "default via %s dev eth0" % GW in out, out
        assert "nameserver %s" % GW in out, out

        rc, out = g.run("exit 3", timeout=5)
        assert (rc, out) == (3, ""), (rc, out)

        # output comes with its checksum, and again on request (what run() does with garble)
        rc, out = g.run("echo one; echo -n two", timeout=5)
        assert (rc, out) == (0, "one\ntwo\n"), (rc, out)
        assert g.resend() == (0, "one\ntwo\n", True)

        p = run(["ip", "netns", "exec", lab.host, "ping", "-n", "-c", "1", "-W", "2", ip],
                check=False)
        assert p.returncode == 0, "gateway -> guest ping failed:\n%s" % p.stdout

        t = time.monotonic()
        status = g.poweroff(timeout=30)
        assert status == 0, "QEMU exit status %s after poweroff" % status
        print("guest %s: powered off in %.1f s" % (g.name, time.monotonic() - t))
    finally:
        g.cleanup()
