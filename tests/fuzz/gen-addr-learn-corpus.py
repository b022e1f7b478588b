#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpus of fuzz-addr-learn into corpus/addr-learn/: one file per input, a
direction byte (bit 0 set: the port sent the frame towards the guest) then an Ethernet frame:
ARP from the guest (request, reply, gratuitous, probe), DHCP client messages from it (some
with host names, options 12 and 81) and
server replies towards it, and the odd shapes (IP options, fragments, VLAN tag, padding,
truncation, a UDP length past the datagram). Run it again after changing it; the files are
committed."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "addr-learn")
GUEST = bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56])
SERVER = bytes([0x02, 0, 0, 0, 0, 1])
BCAST = b"\xff" * 6


def ip(s):
    return bytes(int(x) for x in s.split("."))


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + ip(spa) + tha + ip(tpa)


def dhcp(op, mtype, chaddr=GUEST, ciaddr="0.0.0.0", yiaddr="0.0.0.0", opts=b""):
    hdr = struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, 0x11223344, 0, 0x8000, ip(ciaddr),
                      ip(yiaddr), b"\0" * 4, b"\0" * 4)
    hdr += chaddr + b"\0" * 10 + b"\0" * 192 + struct.pack("!I", 0x63825363)
    return hdr + bytes([53, 1, mtype]) + opts + b"\xff"


def udp_ip(src, dst, sport, dport, payload, ihl=5, frag=0, udp_len=None):
    u = struct.pack("!HHHH", sport, dport, udp_len or 8 + len(payload), 0) + payload
    opts = b"\x01" * ((ihl - 5) * 4)
    total = ihl * 4 + len(u)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64, 17, 0, ip(src), ip(dst))
    return h + opts + u


def to_guest(payload):
    return eth(BCAST, SERVER, 0x0800, payload)


def from_guest(payload):
    return eth(BCAST, GUEST, 0x0800, payload)


def lease(sec):
    return bytes([51, 4]) + struct.pack("!I", sec)


ACK = dhcp(2, 5, yiaddr="192.168.77.50", opts=lease(3600) + bytes([54, 4]) + ip("192.168.77.1"))
CASES = {
    "arp-request": (0, eth(BCAST, GUEST, 0x0806, arp(1, GUEST, "192.168.77.50", b"\0" * 6,
                                                       "192.168.77.1"))),
    "arp-reply": (0, eth(SERVER, GUEST, 0x0806, arp(2, GUEST, "192.168.77.50", SERVER,
                                                     "192.168.77.1"))),
    "arp-gratuitous": (0, eth(BCAST, GUEST, 0x0806, arp(1, GUEST, "192.168.77.51", BCAST,
                                                          "192.168.77.51"))),
    "arp-probe": (0, eth(BCAST, GUEST, 0x0806, arp(1, GUEST, "0.0.0.0", b"\0" * 6,
                                                     "192.168.77.50"))),
    "arp-spoofed-sender": (0, eth(BCAST, GUEST, 0x0806, arp(1, SERVER, "192.168.77.1",
                                                              b"\0" * 6, "192.168.77.9"))),
    "arp-short": (0, eth(BCAST, GUEST, 0x0806, arp(1, GUEST, "192.168.77.50", b"\0" * 6,
                                                     "192.168.77.1")[:20])),
    "arp-towards-guest": (1, eth(GUEST, SERVER, 0x0806, arp(2, SERVER, "192.168.77.1", GUEST,
                                                             "192.168.77.50"))),
    "dhcp-discover": (0, from_guest(udp_ip("0.0.0.0", "255.255.255.255", 68, 67,
                                           dhcp(1, 1)))),
    "dhcp-request": (0, from_guest(udp_ip("0.0.0.0", "255.255.255.255", 68, 67,
                                          dhcp(1, 3, opts=bytes([50, 4]) + ip("192.168.77.50"))))),
    "dhcp-ack": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68, ACK))),
    "dhcp-ack-infinite": (1, to_guest(udp_ip("192.168.77.1", "192.168.77.50", 67, 68,
                                             dhcp(2, 5, yiaddr="192.168.77.52",
                                                  opts=lease(0xffffffff))))),
    "dhcp-offer": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68,
                                      dhcp(2, 2, yiaddr="192.168.77.50")))),
    "dhcp-request-hostname": (0, from_guest(udp_ip("0.0.0.0", "255.255.255.255", 68, 67,
                                                   dhcp(1, 3, opts=bytes([50, 4]) +
                                                        ip("192.168.77.50") +
                                                        bytes([12, 6]) + b"Web-01")))),
    "dhcp-discover-fqdn": (0, from_guest(udp_ip("0.0.0.0", "255.255.255.255", 68, 67,
                                                dhcp(1, 1, opts=bytes([12, 4]) + b"db_1" +
                                                     bytes([81, 12, 4, 0, 0]) +
                                                     b"\x02db\x03lan\x00\x00")))),
    "dhcp-release": (0, from_guest(udp_ip("192.168.77.50", "192.168.77.1", 68, 67,
                                          dhcp(1, 7, ciaddr="192.168.77.50")))),
    "dhcp-decline": (0, from_guest(udp_ip("0.0.0.0", "255.255.255.255", 68, 67,
                                          dhcp(1, 4, opts=bytes([50, 4]) + ip("192.168.77.50"))))),
    "dhcp-ack-ip-options": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68, ACK,
                                               ihl=7))),
    "dhcp-ack-fragment": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68, ACK,
                                             frag=0x2000))),
    "dhcp-ack-padded": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68, ACK))
                        + b"\0" * 40),
    "dhcp-ack-truncated": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68,
                                              ACK))[:200]),
    "dhcp-udp-len-past-end": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68,
                                                 ACK, udp_len=2000))),
    "dhcp-ack-bad-cookie": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68,
                                               ACK[:236] + b"\0\0\0\0" + ACK[240:]))),
    "dhcp-ack-option-overrun": (1, to_guest(udp_ip("192.168.77.1", "255.255.255.255", 67, 68,
                                                   ACK[:-1] + bytes([12, 200, 0x41])))),
    "vlan-tagged-arp": (0, BCAST + GUEST + struct.pack("!HH", 0x8100, 5) +
                        struct.pack("!H", 0x0806) + arp(1, GUEST, "192.168.77.50", b"\0" * 6,
                                                       "192.168.77.1")),
    "runt": (0, b"\xff" * 10),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, (direction, frame) in CASES.items():
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(bytes([direction]) + frame)
