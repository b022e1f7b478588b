#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A namespace bound to a macvtap: opens /dev/tapN (as QEMU does with -netdev tap,fd=N), makes a
tap 'eth0' in the namespace it runs in, with the macvtap's MAC and 'cidr', and copies frames both
ways until killed. Usage: macvtap_relay.py /dev/tapN MAC CIDR ('-' for no address: a DHCP client
will ask for one). Prints "ready" when it relays."""
import fcntl
import os
import select
import struct
import subprocess
import sys

TUNSETIFF = 0x400454ca
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def main():
    dev, mac, cidr = sys.argv[1:4]
    mvt = os.open(dev, os.O_RDWR)
    # macvtap queues start with IFF_VNET_HDR: turn it off, frames are plain Ethernet here
    fcntl.ioctl(mvt, TUNSETIFF, struct.pack("16sH", b"", IFF_TAP | IFF_NO_PI))
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", b"eth0", IFF_TAP | IFF_NO_PI))
    cmds = [["ip", "link", "set", "eth0", "address", mac], ["ip", "link", "set", "eth0", "up"]]
    if cidr != "-":
        cmds.insert(1, ["ip", "addr", "add", cidr, "dev", "eth0"])
    for cmd in cmds:
        subprocess.run(cmd, check=True)
    print("ready", flush=True)
    peer = {mvt: tap, tap: mvt}
    while True:
        r, _, _ = select.select([mvt, tap], [], [])
        for fd in r:
            try:
                frame = os.read(fd, 65536)
                os.write(peer[fd], frame)
            except OSError:
                pass


if __name__ == "__main__":
    main()
