# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv6 DNS (issue 13, docs/DNS.md): a network with a subnet6 has its DNS server on the
gateway6 too, asked with dig (or nettool's stub client) from a SLAAC guest namespace: AAAA for
the gateway, NODATA (not NXDOMAIN) for names without an IPv6 address, ip6.arpa PTR, queries
from outside the subnet6 refused; the router advertisement names the gateway6 (RDNSS) and the
domain (DNSSL) once the server listens there, and stops naming them when it does not."""
import json
import time

import knlab
from knlab import OUTSIDE, define, dns_ok, dns_query, run

SUBNET = "10.70.0.0/24"
GW = "10.70.0.1"
PREFIX = "fd42:70::/64"
GW6 = "fd42:70::1"
DOMAIN = "lab.kvmnet"
NDPTOOL = str(knlab.HERE / "ndptool.py")


def reverse6(addr):
    import ipaddress
    return ipaddress.ip_address(addr).reverse_pointer


def v6_guest(lab, bridge, cidr, gw):
    g = lab.guest(bridge, cidr, gw)
    for key, value in (("accept_ra", 1), ("autoconf", 1), ("forwarding", 0)):
        lab.sysctl(g.ns, "net.ipv6.conf.eth0.%s" % key, value)
    return g


def slaac_addr(g, prefix, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = run(["ip", "-n", g.ns, "-j", "-6", "addr", "show", "dev", "eth0"]).stdout
        for i in json.loads(out or "[]"):
            for a in i.get("addr_info", []):
                if a.get("scope") == "global" and a["local"].startswith(prefix) \
                        and "tentative" not in a:
                    return a["local"]
        time.sleep(0.2)
    raise AssertionError("no SLAAC address in %s" % prefix)


def ndp_ra(ns, timeout=4):
    p = run(["ip", "netns", "exec", ns, knlab.PY, NDPTOOL, "ra", "eth0", "--timeout",
             str(timeout)], timeout=timeout + 20)
    return json.loads(p.stdout)["ra"]


def ask6(g, name, qtype="AAAA", **kw):
    return dns_ok(dns_query(g.ns, GW6, name, qtype, **kw), "%s %s over IPv6" % (name, qtype))


def answers(res):
    return sorted((r["name"], r["type"], r["data"]) for r in res["answer"])


def test_dns_on_gateway6(lab):
    lab.create("lab", "nat", SUBNET, "--subnet6", PREFIX, "--dns-forwarders", OUTSIDE)
    g = v6_guest(lab, "kn-lab", "10.70.0.20/24", GW)
    slaac_addr(g, "fd42:70::")

    # AAAA for the gateway, over UDP and TCP, from the gateway6 and from the gateway
    for server, tcp in ((GW6, False), (GW6, True), (GW, False)):
        res = dns_ok(dns_query(g.ns, server, "gateway." + DOMAIN, "AAAA", tcp=tcp))
        assert res["rcode"] == "NOERROR" and "aa" in res["flags"], res.get("raw")
        assert answers(res) == [("gateway." + DOMAIN, "AAAA", GW6)], res.get("raw")
    # the A record over IPv6 too
    res = ask6(g, "gateway." + DOMAIN, "A")
    assert answers(res) == [("gateway." + DOMAIN, "A", GW)], res.get("raw")

    # a name with only an IPv4 address: NODATA (NOERROR, no answer, the SOA), not NXDOMAIN
    lab.kn("host", "add", "lab", "52:54:00:70:00:0a", "10.70.0.10", "web1")
    res = ask6(g, "web1." + DOMAIN)
    assert res["rcode"] == "NOERROR" and res["answer"] == [], res.get("raw")
    assert [r["type"] for r in res["authority"]] == ["SOA"], res.get("raw")
    assert ask6(g, "nobody." + DOMAIN)["rcode"] == "NXDOMAIN"

    # ip6.arpa: the gateway6's PTR; an address of the prefix nobody has is NXDOMAIN, the
    # zone's apex has its SOA
    res = ask6(g, reverse6(GW6), "PTR")
    assert answers(res) == [(reverse6(GW6), "PTR", "gateway." + DOMAIN)], res.get("raw")
    assert "aa" in res["flags"]
    res = ask6(g, reverse6("fd42:70::99"), "PTR")
    assert res["rcode"] == "NXDOMAIN", res.get("raw")
    apex = "0.0.0.0.0.0.0.0.0.7.0.0.2.4.d.f.ip6.arpa"
    assert [r["name"] for r in res["authority"] if r["type"] == "SOA"] == [apex], res.get("raw")
    res = ask6(g, apex, "SOA")
    assert res["rcode"] == "NOERROR" and [r["type"] for r in res["answer"]] == ["SOA"]
    # a ULA that is not ours stays NXDOMAIN here (RFC 6303), never forwarded
    res = ask6(g, reverse6("fd99::1"), "PTR")
    assert res["rcode"] == "NXDOMAIN", res.get("raw")

    # the RA names the gateway6 as DNS server and the domain as search list (RFC 8106)
    ra = ndp_ra(g.ns)
    assert ra is not None and ra["rdnss"] == [GW6] and [d.rstrip(".") for d in ra["dnssl"]] == [DOMAIN], ra
    assert ra["rdnss_lifetime"] == 1800 and ra["dnssl_lifetime"] == 1800, ra

    # only the gateway addresses are bound, never the wildcard
    ss = run(["ip", "netns", "exec", lab.host, "ss", "-Hlnu", "sport", "= :53"]).stdout
    assert "[%s]:53" % GW6 in ss and "[::]:53" not in ss and "*:53" not in ss, ss

    # dns = no: nothing listens on the gateway6 and the RA no longer names it
    text = lab.kn("net", "export", "lab").stdout.replace("[network]\n", "[network]\ndns = no\n")
    define(lab, "lab", text)
    ra = ndp_ra(g.ns)
    assert ra is not None and ra["rdnss"] == [] and ra["dnssl"] == [], ra
    ss = run(["ip", "netns", "exec", lab.host, "ss", "-Hlnu", "sport", "= :53"]).stdout
    assert GW6 not in ss, ss


def test_refused_from_outside_the_subnet6(lab):
    """A query to the gateway6 from an address outside the subnet6 is REFUSED."""
    lab.create("lab", "nat", SUBNET, "--subnet6", PREFIX, "--dns-forwarders", OUTSIDE)
    g = lab.guest("kn-lab", "10.70.0.21/24", GW)
    lab.sysctl(g.ns, "net.ipv6.conf.eth0.accept_ra", 0)
    run(["ip", "-n", g.ns, "-6", "addr", "add", "fd99::5/64", "dev", "eth0", "nodad"])
    run(["ip", "-n", g.ns, "-6", "route", "add", PREFIX, "dev", "eth0"])
    # the way back, so that an answer (the refusal) can reach it
    run(["ip", "-n", lab.host, "-6", "route", "add", "fd99::/64", "dev", "kn-lab"])
    res = ask6(g, "gateway." + DOMAIN)
    assert res["rcode"] == "REFUSED" and res["answer"] == [], res.get("raw")
    st = lab.kn_json("net", "show", "lab")["dns-stats"]
    assert st["refused"] >= 1, st


def test_subnet6_added_and_moved_live(lab):
    """Redefining a running network with a subnet6 opens the server on the gateway6; another
    prefix moves it; subnet6 = none closes it."""
    lab.create("lab", "nat", SUBNET, "--dns-forwarders", OUTSIDE)
    g = v6_guest(lab, "kn-lab", "10.70.0.22/24", GW)
    text = lab.kn("net", "export", "lab").stdout.replace(
        "[network]\n", "[network]\nsubnet6 = %s\n" % PREFIX)
    define(lab, "lab", text)
    slaac_addr(g, "fd42:70::")
    assert answers(ask6(g, "gateway." + DOMAIN)) == [("gateway." + DOMAIN, "AAAA", GW6)]
    define(lab, "lab", text.replace(PREFIX, "fd42:71::/64"))
    slaac_addr(g, "fd42:71::")
    res = dns_ok(dns_query(g.ns, "fd42:71::1", "gateway." + DOMAIN, "AAAA"))
    assert answers(res) == [("gateway." + DOMAIN, "AAAA", "fd42:71::1")], res.get("raw")
    ss = run(["ip", "netns", "exec", lab.host, "ss", "-Hlnu", "sport", "= :53"]).stdout
    assert GW6 not in ss and "fd42:71::1" in ss, ss
