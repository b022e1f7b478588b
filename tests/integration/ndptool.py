#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Neighbor Discovery with scapy, run inside a test namespace (ip netns exec NS python3
ndptool.py ...). Prints one JSON document.

  ra IFACE [--timeout S] [--hops N] [--no-rs]
      sends a router solicitation (hop limit N, 255 unless told) from IFACE's link-local address
      (or :: with --unspecified) unless --no-rs, and prints the first router advertisement
      received within S seconds: {"ra": {...} | null}, with the header fields and the options
      (prefixes, rdnss, dnssl, mtu, lladdr).
"""
import argparse
import json
import sys


def _scapy():
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    import scapy.all as sc
    sc.conf.verb = 0
    return sc


def ra_to_json(sc, pkt):
    ra = pkt[sc.ICMPv6ND_RA]
    out = {"src": pkt[sc.IPv6].src, "dst": pkt[sc.IPv6].dst, "hlim": pkt[sc.IPv6].hlim,
           "chlim": ra.chlim, "M": ra.M, "O": ra.O, "routerlifetime": ra.routerlifetime,
           "prefixes": [], "rdnss": [], "dnssl": [], "mtu": None, "lladdr": None}
    opt = ra.payload
    while opt is not None and not isinstance(opt, sc.NoPayload):
        if isinstance(opt, sc.ICMPv6NDOptPrefixInfo):
            out["prefixes"].append({"prefix": "%s/%d" % (opt.prefix, opt.prefixlen),
                                    "L": opt.L, "A": opt.A, "valid": opt.validlifetime,
                                    "preferred": opt.preferredlifetime})
        elif isinstance(opt, sc.ICMPv6NDOptRDNSS):
            out["rdnss"] += list(opt.dns)
            out["rdnss_lifetime"] = opt.lifetime
        elif isinstance(opt, sc.ICMPv6NDOptDNSSL):
            out["dnssl"] += [d.decode() if isinstance(d, bytes) else d for d in opt.searchlist]
            out["dnssl_lifetime"] = opt.lifetime
        elif isinstance(opt, sc.ICMPv6NDOptMTU):
            out["mtu"] = opt.mtu
        elif isinstance(opt, sc.ICMPv6NDOptSrcLLAddr):
            out["lladdr"] = opt.lladdr
        opt = opt.payload
    return out


def cmd_ra(a):
    sc = _scapy()
    mac = sc.get_if_hwaddr(a.iface)
    src = "::"
    if not a.unspecified:
        lls = [x[0] for x in sc.in6_getifaddr() if x[2] == a.iface and x[0].startswith("fe80")]
        src = lls[0] if lls else "::"
    sock = sc.conf.L2socket(iface=a.iface, filter="icmp6 and ip6[40] == 134")
    try:
        if not a.no_rs:
            rs = sc.Ether(src=mac, dst="33:33:00:00:00:02") / \
                sc.IPv6(src=src, dst="ff02::2", hlim=a.hops) / sc.ICMPv6ND_RS()
            if src != "::":
                rs = rs / sc.ICMPv6NDOptSrcLLAddr(lladdr=mac)
            sock.send(rs)
        got = sc.sniff(opened_socket=sock, timeout=a.timeout, count=1,
                       lfilter=lambda p: p.haslayer(sc.ICMPv6ND_RA))
        print(json.dumps({"ra": ra_to_json(sc, got[0]) if got else None}))
        return 0
    finally:
        sock.close()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("ra")
    r.add_argument("iface")
    r.add_argument("--timeout", type=float, default=3)
    r.add_argument("--hops", type=int, default=255)
    r.add_argument("--no-rs", action="store_true")
    r.add_argument("--unspecified", action="store_true")
    a = p.parse_args()
    return cmd_ra(a)


if __name__ == "__main__":
    sys.exit(main())
