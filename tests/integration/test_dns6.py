# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv6 DNS (issue 13, docs/DNS.md): a network with a subnet6 has its DNS server on the
gateway6 too, asked with dig (or nettool's stub client) from a SLAAC guest namespace: AAAA for
the gateway, NODATA (not NXDOMAIN) for names without an IPv6 address, ip6.arpa PTR, queries
from outside the subnet6 refused; the router advertisement names the gateway6 (RDNSS) and the
domain (DNSSL) once the server listens there, and stops naming them when it does not."""
import json
import time

import knlab
from knlab import OUTSIDE, Upstream, define, dns_ok, dns_query, nss_getent, run

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


def test_forwarding_over_ipv6_upstreams(lab):
    """Upstreams may be IPv6 (issue 13): a name only an upstream listening on an IPv6 address
    alone knows is answered to guests asking over IPv4 and IPv6, the upstream asked from the
    host's IPv6 address; failover goes from a dead IPv4 upstream to an IPv6 one and from a dead
    IPv6 one to an IPv4 one; a bad IPv6 upstream is refused and the network keeps its own."""
    from test_ipv6_firewall import HOST_UP6, OUTSIDE6, outside6
    outside6(lab)
    up6 = Upstream(lab, {"only6.example": ("203.0.113.66", 300),
                         "again6.example": ("203.0.113.67", 300)}, addr=OUTSIDE6)
    lab.create("lab", "nat", SUBNET, "--subnet6", PREFIX, "--dns-forwarders", OUTSIDE6)
    g = v6_guest(lab, "kn-lab", "10.70.0.23/24", GW)
    slaac_addr(g, "fd42:70::")

    for server in (GW, GW6):
        res = dns_ok(dns_query(g.ns, server, "only6.example", "A", timeout=5),
                     "only6.example via %s" % server)
        assert res["rcode"] == "NOERROR" and answers(res) == [
            ("only6.example", "A", "203.0.113.66")], res.get("raw")
        assert "aa" not in res["flags"], res.get("raw")
    # asked once (the second guest query came from the cache), over IPv6 from the host
    assert up6.askers("only6.example") == [HOST_UP6], up6.outp.read_text()

    # a dead IPv4 upstream first (nothing listens on OUTSIDE:53, port unreachable): the IPv6
    # one answers
    text = lab.kn("net", "export", "lab").stdout
    assert "dns-forwarders = %s\n" % OUTSIDE6 in text, text
    define(lab, "lab", text.replace("dns-forwarders = %s" % OUTSIDE6,
                                    "dns-forwarders = %s, %s" % (OUTSIDE, OUTSIDE6)))
    res = dns_ok(dns_query(g.ns, GW, "again6.example", "A", timeout=5))
    assert answers(res) == [("again6.example", "A", "203.0.113.67")], res.get("raw")
    assert up6.askers("again6.example") == [HOST_UP6], up6.outp.read_text()

    # a dead IPv6 upstream first (an address nobody has: a timeout), then an IPv4 one
    up4 = Upstream(lab, {"only4.example": ("203.0.113.44", 300)})
    dead6 = "2001:db8:ff::99"
    define(lab, "lab", text.replace("dns-forwarders = %s" % OUTSIDE6,
                                    "dns-forwarders = %s, %s" % (dead6, OUTSIDE)))
    res = dns_ok(dns_query(g.ns, GW6, "only4.example", "A", timeout=5))
    assert answers(res) == [("only4.example", "A", "203.0.113.44")], res.get("raw")
    assert up4.askers("only4.example") == ["198.51.100.1"], up4.outp.read_text()
    assert up6.askers("only4.example") == [], up6.outp.read_text()
    good = lab.kn("net", "export", "lab").stdout
    assert "dns-forwarders = %s, %s\n" % (dead6, OUTSIDE) in good, good

    # bad IPv6 upstreams: refused with one line, the definition and the server unchanged
    for bad, needle in (("fe80::53", "link-local"), ("ff02::fb", "multicast"),
                        (GW6, "own gateway")):
        p = define(lab, "lab", good.replace(dead6, bad), expect=1)
        lines = p.stderr.splitlines()
        assert len(lines) == 1 and needle in lines[0] and bad in lines[0], p.stderr
        assert lab.kn("net", "export", "lab").stdout == good
    res = dns_ok(dns_query(g.ns, GW, "only4.example", "A", timeout=5))
    assert answers(res) == [("only4.example", "A", "203.0.113.44")], res.get("raw")
    up4.stop()
    up6.stop()


def test_aaaa_and_ptr_for_dhcpv6_leases_and_reservations(lab):
    """Guests of DHCPv6 (dhclient -6) are in the zone under the name of their FQDN option
    (RFC 4704), else of their IPv4 lease (same MAC), as named reservations with an ip6 are:
    AAAA forward, ip6.arpa PTR reverse, over IPv4 and IPv6; a released lease's name is gone, a
    reservation's new ip6 answers at once."""
    from test_dhcp6 import Dhclient6, guest6
    from test_dns import wait_for
    reserved = "52:54:00:70:00:10"
    conf = "\n".join([
        "[network]", "mode = nat", "subnet = %s" % SUBNET, "subnet6 = %s" % PREFIX,
        "ra-mode = dhcpv6", "domain = %s" % DOMAIN, "dns-forwarders = %s" % OUTSIDE,
        "port-security = no", "",
        "[host web]", "mac = %s" % reserved, "ip = 10.70.0.10", "ip6 = fd42:70::10", ""])
    define(lab, "lab", conf)
    lab.kn("net", "start", "lab")
    q = lab.guest("kn-lab", "10.70.0.30/24", GW)

    def ask4(name, qtype="AAAA"):
        return dns_ok(dns_query(q.ns, GW, name, qtype, timeout=5), "%s %s" % (name, qtype))

    # the reservation answers before any lease, forward and reverse
    assert answers(ask4("web." + DOMAIN)) == [("web." + DOMAIN, "AAAA", "fd42:70::10")]
    res = ask4(reverse6("fd42:70::10"), "PTR")
    assert answers(res) == [(reverse6("fd42:70::10"), "PTR", "web." + DOMAIN)], res.get("raw")

    # a client naming itself in the FQDN option
    g1 = guest6(lab, "kn-lab")
    fqdn_conf = lab.tmp / "fqdn6.conf"
    fqdn_conf.write_text('send fqdn.fqdn "six1";\n')
    c1 = Dhclient6(lab, g1, "c1").start("-cf", str(fqdn_conf))
    a1 = c1.wait("BOUND6")["ip6"]
    lease = wait_for("lease of " + a1, lambda: [x for x in lab.kn_json("lease", "list")
                                                if x.get("ip") == a1 and x.get("hostname")],
                     timeout=20)
    assert lease[0]["hostname"] == "six1", lease
    assert answers(ask4("six1." + DOMAIN)) == [("six1." + DOMAIN, "AAAA", a1)]
    res = ask4("six1." + DOMAIN, "A")
    assert res["rcode"] == "NOERROR" and res["answer"] == [], res.get("raw")
    res = ask4(reverse6(a1), "PTR")
    assert answers(res) == [(reverse6(a1), "PTR", "six1." + DOMAIN)], res.get("raw")
    # over IPv6 from the guest's own lease address
    run(["ip", "-n", g1.ns, "-6", "addr", "add", a1 + "/64", "dev", "eth0", "nodad"])
    assert answers(ask6(g1, "six1." + DOMAIN)) == [("six1." + DOMAIN, "AAAA", a1)]

    # a client without an FQDN option: the name of its IPv4 lease (same MAC)
    g2 = guest6(lab, "kn-lab")
    c4 = lab.dhcp_client(g2, "dhclient", hostname="four2").start()
    ip4 = c4.wait_bound()["ip"]
    c2 = Dhclient6(lab, g2, "c2").start()
    a2 = c2.wait("BOUND6")["ip6"]
    assert [x["hostname"] for x in lab.kn_json("lease", "list") if x.get("ip") == a2] == \
        ["four2"]
    assert answers(ask4("four2." + DOMAIN)) == [("four2." + DOMAIN, "AAAA", a2)]
    assert answers(ask4("four2." + DOMAIN, "A")) == [("four2." + DOMAIN, "A", ip4)]
    assert answers(ask4(reverse6(a2), "PTR")) == [(reverse6(a2), "PTR", "four2." + DOMAIN)]

    # the host resolves them too, through the NSS module (getaddrinfo, gethostbyaddr)
    got = nss_getent(lab, ["six1", "four2." + DOMAIN, "web"], db="ahostsv6")
    assert a1 in got["six1"][1].split() and "six1." + DOMAIN in got["six1"][1].split(), got
    assert a2 in got["four2." + DOMAIN][1].split(), got
    assert "fd42:70::10" in got["web"][1].split(), got
    both = nss_getent(lab, ["four2"], db="ahosts")["four2"][1].split()
    assert ip4 in both and a2 in both, both
    got = nss_getent(lab, [a1, "six1"])
    assert got[a1] == (0, "%s six1.%s six1" % (a1, DOMAIN)), got
    # getent hosts asks for IPv6 first: the IPv6-only name is found by gethostbyname2()
    assert got["six1"] == got[a1], got

    # released: the name and the PTR are gone (the IPv4 name stays)
    c1.release()
    wait_for("six1 removed", lambda: ask4("six1." + DOMAIN)["rcode"] == "NXDOMAIN", timeout=20)
    assert ask4(reverse6(a1), "PTR")["rcode"] == "NXDOMAIN"
    c2.release()
    wait_for("four2's AAAA removed", lambda: ask4("four2." + DOMAIN)["answer"] == [], timeout=20)
    assert answers(ask4("four2." + DOMAIN, "A")) == [("four2." + DOMAIN, "A", ip4)]
    assert ask4(reverse6(a2), "PTR")["rcode"] == "NXDOMAIN"

    # the reservation moves: the new address answers, the old one no longer
    define(lab, "lab", conf.replace("fd42:70::10", "fd42:70::11"))
    assert answers(ask4("web." + DOMAIN)) == [("web." + DOMAIN, "AAAA", "fd42:70::11")]
    assert ask4(reverse6("fd42:70::10"), "PTR")["rcode"] == "NXDOMAIN"
    c4.stop()

