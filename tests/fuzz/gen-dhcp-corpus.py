#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpus of fuzz-dhcp-server into corpus/dhcp-server/: one binary DHCP
client message per file (RFC 2131), for the fuzz target's network 192.168.50.0/24 (server
192.168.50.1, pool .10-.40). Run it again after changing it; the files are committed."""
import os
import struct

NET = "192.168.50."
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "dhcp-server")


def ip(s):
    return bytes(int(x) for x in s.split("."))


def mac(n):
    return bytes([0x52, 0x54, 0, 0, 0, n])


def opt(code, data):
    out = b""
    while True:  # RFC 3396: long values split into several instances
        chunk, data = data[:255], data[255:]
        out += bytes([code, len(chunk)]) + chunk
        if not data:
            return out


def msg(mtype, client=1, xid=0x01020304, flags=0, ciaddr="0.0.0.0", giaddr="0.0.0.0",
        options=b"", htype=1, hlen=6, op=1, sname=b"", file=b"", cookie=0x63825363, end=True):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", op, htype, hlen, 0, xid, 0, flags,
                      ip(ciaddr), b"\0" * 4, b"\0" * 4, ip(giaddr), mac(client).ljust(16, b"\0"),
                      sname.ljust(64, b"\0"), file.ljust(128, b"\0"), cookie)
    return hdr + opt(53, bytes([mtype])) + options + (b"\xff" if end else b"")


PRL = opt(55, bytes([1, 3, 6, 15, 26, 28, 121, 249, 12, 42]))
SID = opt(54, ip(NET + "1"))
DISCOVER, REQUEST, DECLINE, RELEASE, INFORM = 1, 3, 4, 7, 8

corpus = {
    "discover": msg(DISCOVER, 7, options=PRL + opt(12, b"guest7") + opt(57, struct.pack("!H", 1500))),
    "discover-broadcast": msg(DISCOVER, 8, flags=0x8000, options=PRL),
    "discover-requested": msg(DISCOVER, 9, options=opt(50, ip(NET + "33"))),
    "discover-reserved": msg(DISCOVER, 6, options=PRL),
    "discover-bound-client": msg(DISCOVER, 1),
    "discover-client-id": msg(DISCOVER, 10, options=opt(61, b"\xff\x00\x00\x00\x01\x00\x01")),
    "discover-not-ether": msg(DISCOVER, 11, htype=6, hlen=6),
    "request-selecting": msg(REQUEST, 7, options=opt(50, ip(NET + "14")) + SID + PRL),
    "request-selecting-other": msg(REQUEST, 3, options=opt(50, ip(NET + "13")) + opt(54, ip(NET + "2"))),
    "request-selecting-offer": msg(REQUEST, 3, options=opt(50, ip(NET + "13")) + SID),
    "request-init-reboot": msg(REQUEST, 1, options=opt(50, ip(NET + "10"))),
    "request-init-reboot-foreign": msg(REQUEST, 7, options=opt(50, ip("10.9.8.7"))),
    "request-init-reboot-taken": msg(REQUEST, 7, options=opt(50, ip(NET + "10"))),
    "request-renewing": msg(REQUEST, 1, ciaddr=NET + "10"),
    "request-rebinding": msg(REQUEST, 1, flags=0x8000, ciaddr=NET + "10"),
    "request-reserved-moved": msg(REQUEST, 5, ciaddr=NET + "100"),
    "decline": msg(DECLINE, 1, options=opt(50, ip(NET + "10")) + SID),
    "release": msg(RELEASE, 1, ciaddr=NET + "10", options=SID),
    "inform": msg(INFORM, 12, ciaddr=NET + "200", options=PRL),
    "relayed-discover": msg(DISCOVER, 13, flags=0x8000, giaddr=NET + "254",
                            options=PRL + opt(82, b"\x01\x04port\x02\x06remote")),
    "relayed-foreign": msg(DISCOVER, 13, giaddr="10.0.0.1", options=opt(82, b"\x01\x01x")),
    "overload": msg(DISCOVER, 14, options=opt(52, b"\x03"),
                    file=opt(12, b"in-file") + opt(55, b"\x01\x03") + b"\xff",
                    sname=opt(50, ip(NET + "22")) + b"\xff"),
    "long-options": msg(DISCOVER, 15, options=opt(55, bytes(range(1, 255)))
                        + opt(81, b"\x05\x00\x00\x04host\x07example\x00")
                        + opt(82, bytes(range(256)) * 2) + opt(57, struct.pack("!H", 1500))),
    "fqdn-ascii": msg(DISCOVER, 16, options=opt(81, b"\x01\x00\x00Web-1.example.org")),
    "hostname-bad": msg(DISCOVER, 17, options=opt(12, b"-bad_name.\x00")),
    "malformed-truncated-option": msg(DISCOVER, 18, options=b"\x0c\x40abc", end=False),
    "malformed-short": msg(DISCOVER, 19)[:100],
    "malformed-cookie": msg(DISCOVER, 20, cookie=0x63825364),
    "malformed-hlen": msg(DISCOVER, 21, hlen=17),
    "malformed-no-type": msg(DISCOVER, 22)[:240] + b"\xff",
    "malformed-overload": msg(DISCOVER, 23, options=opt(52, b"\x07")),
    "malformed-client-id-long": msg(DISCOVER, 24, options=opt(61, b"\x01" * 65)),
    "bootreply": msg(DISCOVER, 25, op=2),
    "server-type": msg(5, 26),
    "no-end": msg(DISCOVER, 27, options=PRL, end=False),
}

os.makedirs(OUT, exist_ok=True)
for name, data in corpus.items():
    with open(os.path.join(OUT, name + ".bin"), "wb") as f:
        f.write(data)
print(f"wrote {len(corpus)} files to {OUT}")
