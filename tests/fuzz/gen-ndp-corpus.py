#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpus of fuzz-ndp (tests/fuzz/corpus/ndp/): ICMPv6 messages made with
scapy, from the ICMPv6 header on, as a raw ICMPv6 socket hands them over."""
import logging
import pathlib

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
import scapy.all as sc  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent / "corpus" / "ndp"

SEEDS = {
    "rs-bare": sc.ICMPv6ND_RS(),
    "rs-lladdr": sc.ICMPv6ND_RS() / sc.ICMPv6NDOptSrcLLAddr(lladdr="52:54:00:12:34:56"),
    "ra-full": sc.ICMPv6ND_RA(chlim=64, M=1, O=1, routerlifetime=1800)
    / sc.ICMPv6NDOptSrcLLAddr(lladdr="02:11:22:33:44:55") / sc.ICMPv6NDOptMTU(mtu=1400)
    / sc.ICMPv6NDOptPrefixInfo(prefix="fd42:1::", prefixlen=64, L=1, A=1)
    / sc.ICMPv6NDOptRDNSS(dns=["fd42:1::1", "2001:db8::53"], lifetime=1800)
    / sc.ICMPv6NDOptDNSSL(searchlist=["lab.kvmnet", "example.org"], lifetime=1800),
    "ra-bare": sc.ICMPv6ND_RA(routerlifetime=0),
    "ra-unknown-opt": sc.ICMPv6ND_RA() / sc.ICMPv6NDOptUnknown(type=200, len=1, data=b"\0" * 6),
    "ns": sc.ICMPv6ND_NS(tgt="fd42:1::10") / sc.ICMPv6NDOptSrcLLAddr(lladdr="52:54:00:00:00:01"),
    "na": sc.ICMPv6ND_NA(tgt="fd42:1::10", R=0, S=1, O=1)
    / sc.ICMPv6NDOptDstLLAddr(lladdr="52:54:00:00:00:01"),
}

OUT.mkdir(parents=True, exist_ok=True)
for name, pkt in SEEDS.items():
    data = bytearray(bytes(pkt))
    data[2:4] = b"\0\0"   # the kernel computes the checksum; the codec ignores it
    (OUT / name).write_bytes(bytes(data))
# a few malformed ones: option length 0, an option running past the end, short header
(OUT / "ra-zero-len-opt").write_bytes(bytes(sc.ICMPv6ND_RA())[:16] + b"\x01\x00" + b"\0" * 6)
(OUT / "ra-overrun").write_bytes(bytes(sc.ICMPv6ND_RA())[:16] + b"\x03\x04" + b"\0" * 10)
(OUT / "rs-short").write_bytes(b"\x85\x00\x00")
