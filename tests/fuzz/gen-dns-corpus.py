#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpus of fuzz-dns-server into corpus/dns-server/: one DNS query per file
(RFC 1035 §4), for the fuzz target's zone fuzz.kvmnet on 10.5.0.0/24. The query ID is what the
target reads its switches from: bits 0-1 the reply buffer (512, 1232, 4096, 65535), bit 2 TCP,
bit 3 a source outside the subnet, bit 4 forwarding on. Run it again after changing it; the
files are committed."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "dns-server")

A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV, OPT, AXFR, ANY = 1, 2, 5, 6, 12, 15, 16, 28, 33, 41, 252, 255
IN, CH = 1, 3
RD = 0x0100
UDP4096_FWD = 0x1200   # buffer 4096, forwarding, UDP, inside
UDP512 = 0x1000        # buffer 512, forwarding
TCP = 0x1700           # buffer 65535, TCP, forwarding
OUTSIDE = 0x1a00


def name(text):
    out = b""
    for label in text.split(".") if text else []:
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(ident=UDP4096_FWD, flags=RD, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


def opt(size=1232, ext=0, version=0, do=True, options=b""):
    ttl = ext << 24 | version << 16 | (0x8000 if do else 0)
    return b"\0" + struct.pack("!HHIH", OPT, size, ttl, len(options)) + options


def query(qname, qtype=A, qclass=IN, ident=UDP4096_FWD, flags=RD, edns=None, qd=1, an=0,
          ns=0, ar=None, extra=b""):
    if ar is None:
        ar = 1 if edns is not None else 0
    q = header(ident, flags, qd, an, ns, ar) + name(qname) + struct.pack("!HH", qtype, qclass)
    return q + extra + (edns if edns is not None else b"")


def raw_question(wire, qtype=A, ident=UDP4096_FWD):
    return header(ident) + wire + struct.pack("!HH", qtype, IN)


CASES = {
    "a": query("web.fuzz.kvmnet"),
    "a-0x20": query("WeB.FuZz.KvMnEt"),
    "a-gateway-udp512": query("gateway.fuzz.kvmnet", ident=UDP512),
    "a-lease": query("db.fuzz.kvmnet", flags=0),
    "aaaa": query("web.fuzz.kvmnet", AAAA),
    "mx-nodata": query("web.fuzz.kvmnet", MX),
    "ptr": query("5.0.5.10.in-addr.arpa", PTR),
    "ptr-nxdomain": query("9.0.5.10.in-addr.arpa", PTR),
    "ptr-apex-soa": query("0.5.10.in-addr.arpa", SOA),
    "srv": query("_http._tcp.fuzz.kvmnet", SRV),
    "srv-none": query("_none._udp.fuzz.kvmnet", SRV),
    "txt": query("txt.fuzz.kvmnet", TXT),
    "txt-apex": query("fuzz.kvmnet", TXT),
    "any": query("web.fuzz.kvmnet", ANY),
    "any-apex": query("fuzz.kvmnet", ANY),
    "soa": query("fuzz.kvmnet", SOA),
    "ns": query("fuzz.kvmnet", NS),
    "cname": query("www.fuzz.kvmnet"),
    "cname-loop": query("loop.fuzz.kvmnet"),
    "cname-out": query("out.fuzz.kvmnet"),
    "nxdomain": query("nope.fuzz.kvmnet"),
    "ent": query("_tcp.fuzz.kvmnet"),
    "many-udp-tc": query("many.fuzz.kvmnet", ident=UDP512),
    "many-edns1232-tc": query("many.fuzz.kvmnet", edns=opt(1232)),
    "many-edns4096": query("many.fuzz.kvmnet", edns=opt(4096)),
    "many-tcp": query("many.fuzz.kvmnet", ident=TCP),
    "edns": query("web.fuzz.kvmnet", edns=opt(1232)),
    "edns-small": query("web.fuzz.kvmnet", edns=opt(100, do=False)),
    "edns-cookie": query("web.fuzz.kvmnet", edns=opt(options=b"\0\x0a\0\x08abcdefgh")),
    "edns-badvers": query("web.fuzz.kvmnet", edns=opt(version=1)),
    "edns-bad-option": query("web.fuzz.kvmnet", edns=opt(options=b"\0\x0a\0\x09abcdefgh")),
    "edns-two-opt": query("web.fuzz.kvmnet", edns=opt() + opt(), ar=2),
    "edns-opt-in-answer": query("web.fuzz.kvmnet", an=1, extra=opt()),
    "edns-owner-pointer": query("web.fuzz.kvmnet", edns=b"\xc0\x0c" + opt()[1:]),
    "answer-compressed": query("web.fuzz.kvmnet", an=1,
                               extra=b"\xc0\x0c" + struct.pack("!HHIH", A, IN, 60, 4) + b"\1\2\3\4"),
    "answer-compressed-suffix": query("web.fuzz.kvmnet", an=1,
                                      extra=b"\3xyz\xc0\x10" + struct.pack("!HHIH", A, IN, 60, 4)
                                      + b"\1\2\3\4"),
    "forward": query("www.example.com", AAAA),
    "forward-root-ns": query("", NS),
    "forward-norec": query("www.example.com", flags=0),
    "forward-off": query("www.example.com", ident=0x0200),
    "outside": query("web.fuzz.kvmnet", ident=OUTSIDE),
    "private-reverse": query("1.1.168.192.in-addr.arpa", PTR),
    "private-reverse-172": query("5.0.16.172.in-addr.arpa", PTR),
    "private-ancestor": query("5.10.in-addr.arpa", PTR),
    "ip6-ula": query("1.2.3.d.f.ip6.arpa", PTR),
    "localhost": query("localhost"),
    "localhost-aaaa": query("x.localhost", AAAA),
    "test-tld": query("host.test"),
    "local-tld": query("printer.local"),
    "class-ch": query("version.bind", TXT, CH),
    "axfr": query("fuzz.kvmnet", AXFR),
    "qtype-opt": query("fuzz.kvmnet", OPT),
    "qtype-tsig": query("fuzz.kvmnet", 250),
    "qr-set": query("web.fuzz.kvmnet", flags=0x8000),
    "opcode-notify": query("fuzz.kvmnet", SOA, flags=4 << 11),
    "opcode-update": query("fuzz.kvmnet", SOA, flags=5 << 11),
    "qdcount-0": query("web.fuzz.kvmnet", qd=0),
    "qdcount-2": query("web.fuzz.kvmnet", qd=2),
    "counts-lie": query("web.fuzz.kvmnet", an=0xffff, ns=0xffff),
    "pointer-loop": raw_question(b"\xc0\x0c"),
    "pointer-loop-two": header() + b"\xc0\x0e\xc0\x0c" + struct.pack("!HH", A, IN),
    "pointer-loop-label": header() + b"\1a\xc0\x0c" + struct.pack("!HH", A, IN),
    "pointer-forward": raw_question(b"\xc0\x12\0\0\0\0\3web\0"),
    "pointer-header": raw_question(b"\3www\xc0\x04"),
    "pointer-past-end": raw_question(b"\xff\xff"),
    "pointer-cut": header() + b"\3web\xc0",
    "label-64": raw_question(b"\x40" + b"a" * 64 + b"\0"),
    "label-type-80": raw_question(b"\x80a\0"),
    "name-255": raw_question(b"\1a" * 126 + b"\1b\0"),
    "name-256": raw_question(b"\1a" * 126 + b"\2bb\0"),
    "name-escapes": raw_question(b"\3a.b\4\0\xff\\x\4fuzz\6kvmnet\0"),
    "name-binary-long": raw_question(b"\x3f" + b"\xff" * 63 + b"\x3f" + b"\xff" * 63 + b"\0"),
    "truncated-question": query("web.fuzz.kvmnet")[:20],
    "truncated-type": query("web.fuzz.kvmnet")[:-3],
    "header-only": header(),
    "short-11": header()[:11],
    "empty": b"",
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.unlink(os.path.join(OUT, old))
    for case, data in CASES.items():
        with open(os.path.join(OUT, case + ".bin"), "wb") as f:
            f.write(data)
    print(f"wrote {len(CASES)} files to {OUT}")


if __name__ == "__main__":
    main()
