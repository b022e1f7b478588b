# SPDX-License-Identifier: GPL-2.0-or-later
"""kvmnetd's DNS server, asked by real clients from guest namespaces: dig when it is installed,
else nettool.py's stub client (knlab.dns_query(): the same assertions either way), and busybox
nslookup as a second client where it helps. The zone (gateway, reservations, leased clients'
names, PTR records, NXDOMAIN with the SOA, a custom domain), TCP, a truncated answer retried
over TCP, forwarding to an upstream in the "outside" namespace with its cache (TTLs honoured,
SERVFAIL once the upstream is gone), refusal of queries from outside the network, the NSS
module (getent in a private mount namespace), and port 53 bound on the gateways only, with a
bind conflict naming the process in the way. Hostile input: test_dns_hostile.py."""
import re
import time

import pytest

from knlab import (OUTSIDE, Probe, Upstream, define, dns_ok, dns_query, dns_stats, nss_getent,
                   parse_dig, reverse_name, rr_data, run, run_probes)

SUBNET = "10.60.0.0/24"
GW = "10.60.0.1"
WEB1_MAC = "52:54:00:60:00:0a"
WEB1_IP = "10.60.0.10"
ASKER = "10.60.0.20"          # a static guest that asks the questions
RANGE = ("10.60.0.100", "10.60.0.150")
ZONE_TTL = 60                 # what the daemon gives its own records


def net_with_guest(lab, *extra, name="lab", mode="nat"):
    """Network 'name' on SUBNET whose forwarder is OUTSIDE, reservation web1, and a static
    guest ASKER; returns the guest."""
    lab.create(name, mode, SUBNET, "--dns-forwarders", OUTSIDE,
               "--dhcp-range", "%s-%s" % RANGE, *extra)
    lab.kn("host", "add", name, WEB1_MAC, WEB1_IP, "web1")
    return lab.guest("kn-" + name, ASKER + "/24", GW)


def ask(g, name, qtype="A", **kw):
    return dns_ok(dns_query(g.ns, GW, name, qtype, **kw), "%s %s" % (name, qtype))


def assert_a(res, name, ips, aa=True):
    assert res["rcode"] == "NOERROR", "%s: %s\n%s" % (name, res["rcode"], res.get("raw"))
    got = [(r["name"], r["type"], r["data"]) for r in res["answer"]]
    assert sorted(got) == sorted((name, "A", ip) for ip in ips), \
        "%s: answer %s, expected A %s\n%s" % (name, got, ips, res.get("raw"))
    if aa:
        assert "aa" in res["flags"], "%s: not authoritative: %s" % (name, res["flags"])
    assert "qr" in res["flags"] and "rd" in res["flags"] and "ra" in res["flags"], res["flags"]


def assert_ptr(res, rname, target):
    assert res["rcode"] == "NOERROR", "%s: %s\n%s" % (rname, res["rcode"], res.get("raw"))
    got = [(r["name"], r["type"], r["data"]) for r in res["answer"]]
    assert got == [(rname, "PTR", target)], "%s: %s, expected PTR %s" % (rname, got, target)
    assert "aa" in res["flags"], res["flags"]


def assert_nxdomain(res, name, apex, domain):
    """NXDOMAIN, authoritative, no answer, and the zone's SOA (owner the zone's apex) in the
    authority section, its MINIMUM the negative TTL (RFC 2308)."""
    assert res["rcode"] == "NXDOMAIN", "%s: %s, expected NXDOMAIN\n%s" % (
        name, res["rcode"], res.get("raw"))
    assert res["answer"] == [], res["answer"]
    assert "aa" in res["flags"], res["flags"]
    soa = [r for r in res["authority"] if r["type"] == "SOA"]
    assert len(soa) == 1 and soa[0]["name"] == apex, \
        "%s: authority %s, expected one SOA owned by %s" % (name, res["authority"], apex)
    mname, rname, serial, refresh, retry, expire, minimum = soa[0]["data"].split()
    assert mname == "gateway." + domain and rname == "hostmaster." + domain, soa
    assert 0 < int(minimum) <= 3600 and soa[0]["ttl"] <= int(minimum) + 1, soa


def hosts_lines(lab):
    path = lab.sock.parent / "hosts"
    return [ln.split() for ln in path.read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]


def wait_for(what, fn, timeout=5, interval=0.2):
    """Calls fn() until it returns something true; returns it, or fails with the last value."""
    deadline = time.monotonic() + timeout
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError("%s: not so after %ss (last: %r)" % (what, timeout, last))
        time.sleep(interval)


# ---- the zone ---------------------------------------------------------------------------------

@pytest.mark.parametrize("domain", [None, "corp.example"], ids=["default-domain", "custom-domain"])
def test_zone_names(lab, domain):
    g = net_with_guest(lab, *(["--domain", domain] if domain else []))
    dom = domain or "lab.kvmnet"
    rzone = "0.60.10.in-addr.arpa"

    # a reservation's name, in any case, and its reverse
    assert_a(ask(g, "web1." + dom), "web1." + dom, [WEB1_IP])
    res = ask(g, "WeB1." + dom.upper())
    assert rr_data(res) == [WEB1_IP] and res["rcode"] == "NOERROR", res
    assert_ptr(ask(g, reverse_name(WEB1_IP), "PTR"), reverse_name(WEB1_IP), "web1." + dom)
    ttl = ask(g, "web1." + dom)["answer"][0]["ttl"]
    assert ttl == ZONE_TTL, "TTL %s of the zone's records, expected %s" % (ttl, ZONE_TTL)

    # the gateway, forward and reverse
    assert_a(ask(g, "gateway." + dom), "gateway." + dom, [GW])
    assert_ptr(ask(g, reverse_name(GW), "PTR"), reverse_name(GW), "gateway." + dom)

    # missing names: in the zone, and in the subnet's reverse zone
    assert_nxdomain(ask(g, "nosuch." + dom), "nosuch." + dom, dom, dom)
    assert_nxdomain(ask(g, reverse_name("10.60.0.99"), "PTR"), reverse_name("10.60.0.99"),
                    rzone, dom)
    # NODATA: the name exists, not with that type (NOERROR, no answer, the SOA)
    res = ask(g, "web1." + dom, "TXT")
    assert res["rcode"] == "NOERROR" and res["answer"] == [], res
    assert [r["type"] for r in res["authority"]] == ["SOA"], res["authority"]
    # the apex has its SOA and NS
    res = ask(g, dom, "SOA")
    assert [(r["name"], r["type"]) for r in res["answer"]] == [(dom, "SOA")], res["answer"]
    res = ask(g, dom, "NS")
    assert rr_data(res, rtype="NS") == ["gateway." + dom], res

    if domain:
        # the default domain is not ours any more: not answered from the zone
        res = dns_query(g.ns, GW, "web1.lab.kvmnet")
        assert "error" in res or ("aa" not in res["flags"] and WEB1_IP not in rr_data(res)), res

    # a second real client agrees
    p = run(["ip", "netns", "exec", g.ns, "busybox", "nslookup", "web1." + dom, GW], check=False)
    assert p.returncode == 0 and re.search(r"Address:\s*%s\b" % re.escape(WEB1_IP), p.stdout), \
        "busybox nslookup web1.%s: exit %d\n%s%s" % (dom, p.returncode, p.stdout, p.stderr)

    # the hosts file of the NSS module says the same
    lines = hosts_lines(lab)
    assert [GW, "gateway", "gateway." + dom] in lines, lines
    assert [WEB1_IP, "web1", "web1." + dom] in lines, lines

    st = dns_stats(lab, "lab")
    assert st["nxdomain"] >= 2 and st["answered"] >= 10 and st["refused"] == 0, st


@pytest.mark.parametrize("kind,extra,wire", [("udhcpc", (), "option 12"),
                                             ("dhcpcd", ("--fqdn=both",), "option 81")],
                         ids=["udhcpc-hostname", "dhcpcd-fqdn"])
def test_leased_client_name(lab, kind, extra, wire):
    """A client's host name (DHCP option 12, or 81 with dhcpcd -F) resolves while it holds
    its lease, forward and reverse, and is gone once it releases it."""
    g = net_with_guest(lab, "--lease-time", "2m")
    dom = "lab.kvmnet"
    guest = lab.dhcp_guest("kn-lab", mac="52:54:00:60:01:%02x" % len(lab.guests))
    c = lab.dhcp_client(guest, kind, hostname="leasy").start(extra=extra)
    ip = c.wait_bound()["ip"]
    lease = lab.wait_lease(guest.mac, "lab", ip)
    assert lease.get("hostname") == "leasy", "no host name recorded from %s (%s): %s" % (
        kind, wire, lease)

    res = wait_for("leasy.%s resolves" % dom,
                   lambda: (lambda r: r if r["answer"] else None)(ask(g, "leasy." + dom)))
    assert_a(res, "leasy." + dom, [ip])
    assert_ptr(ask(g, reverse_name(ip), "PTR"), reverse_name(ip), "leasy." + dom)
    assert [ip, "leasy", "leasy." + dom] in hosts_lines(lab), hosts_lines(lab)

    c.release()
    wait_for("lease released", lambda: lab.lease_of(guest.mac, "lab") is None)
    res = wait_for("leasy.%s gone" % dom,
                   lambda: (lambda r: r if r["rcode"] == "NXDOMAIN" else None)(
                       ask(g, "leasy." + dom)), timeout=3)
    assert_nxdomain(res, "leasy." + dom, dom, dom)
    assert_nxdomain(ask(g, reverse_name(ip), "PTR"), reverse_name(ip), "0.60.10.in-addr.arpa", dom)
    assert not [ln for ln in hosts_lines(lab) if "leasy" in ln], hosts_lines(lab)


def test_tcp_query(lab):
    g = net_with_guest(lab)
    res = ask(g, "web1.lab.kvmnet", tcp=True)
    assert res["tcp"] is True, res
    assert_a(res, "web1.lab.kvmnet", [WEB1_IP])
    res = ask(g, "nosuch.lab.kvmnet", tcp=True)
    assert_nxdomain(res, "nosuch.lab.kvmnet", "lab.kvmnet", "lab.kvmnet")
    assert_ptr(ask(g, reverse_name(GW), "PTR", tcp=True), reverse_name(GW), "gateway.lab.kvmnet")
    # with EDNS over TCP too
    assert_a(ask(g, "gateway.lab.kvmnet", tcp=True, edns=1232), "gateway.lab.kvmnet", [GW])
    st = dns_stats(lab, "lab")
    assert st["queries"] == 4 and st["answered"] == 4 and st["truncated"] == 0, st


BIG_A = ["10.60.1.%d" % i for i in range(1, 61)]                 # 60 A records: ~1 KB
BIG_TXT = ["%02d-" % i + "t" * 240 for i in range(10)]           # 10 x 244 octets: ~2.5 KB


def test_truncated_answer_retried_over_tcp(lab):
    text = ("[network]\nmode = nat\nsubnet = %s\ndns-forwarders = %s\nport-security = no\n"
            % (SUBNET, OUTSIDE)
            + "".join("\n[dns-record big]\ntype = A\nvalue = %s\n" % ip for ip in BIG_A)
            + "".join("\n[dns-record longtxt]\ntype = TXT\nvalue = %s\n" % t for t in BIG_TXT))
    define(lab, "lab", text)
    lab.kn("net", "start", "lab")
    g = lab.guest("kn-lab", ASKER + "/24", GW)
    before = dns_stats(lab, "lab")

    # over UDP without EDNS (512 octets): the answer is cut to its question, with TC
    res = ask(g, "big.lab.kvmnet", ignore_tc=True)
    assert "tc" in res["flags"], "60 A records over plain UDP without TC: %s" % res
    assert res["answer"] == [] and res["tcp"] is False, res
    # a client retries over TCP and gets every record
    res = ask(g, "big.lab.kvmnet")
    assert res["tc_retried"] and res["tcp"], "no retry over TCP: %s" % res.get("raw")
    assert "tc" not in res["flags"], res["flags"]
    assert_a(res, "big.lab.kvmnet", BIG_A)
    # with EDNS0 and a 1232-octet buffer the 60 records fit into one datagram
    res = ask(g, "big.lab.kvmnet", edns=1232)
    assert not res["tc_retried"] and "tc" not in res["flags"] and res["tcp"] is False, res
    assert_a(res, "big.lab.kvmnet", BIG_A)

    # 2.5 KB of TXT does not fit 1232 octets either: TC, then TCP
    res = ask(g, "longtxt.lab.kvmnet", "TXT", edns=1232, ignore_tc=True)
    assert "tc" in res["flags"] and res["answer"] == [], res
    res = ask(g, "longtxt.lab.kvmnet", "TXT", edns=1232)
    assert res["tc_retried"] and res["tcp"], res.get("raw")
    assert res["rcode"] == "NOERROR" and rr_data(res, rtype="TXT") == BIG_TXT, res["answer"]

    after = dns_stats(lab, "lab")
    assert after["truncated"] - before["truncated"] == 4, (before, after)


# ---- forwarding, the cache, SERVFAIL ------------------------------------------------------------

def test_forwarded_then_cached_then_servfail(lab):
    up = Upstream(lab, {"forwarded.example": ("203.0.113.7", 300),
                        "shortlived.example": ("203.0.113.8", 3)})
    g = net_with_guest(lab)
    st0 = dns_stats(lab, "lab")

    res = ask(g, "forwarded.example")
    assert_a(res, "forwarded.example", ["203.0.113.7"], aa=False)
    assert 290 <= res["answer"][0]["ttl"] <= 300, res["answer"]
    assert up.queries("forwarded.example") == ["forwarded.example"], up.outp.read_text()
    st1 = dns_stats(lab, "lab")
    assert st1["forwarded"] - st0["forwarded"] == 1, (st0, st1)
    assert st1["cached"] >= 1, "nothing in the cache after a forwarded answer: %s" % st1

    # asked again: from the cache, the upstream is not asked
    res = ask(g, "forwarded.example")
    assert_a(res, "forwarded.example", ["203.0.113.7"], aa=False)
    assert up.queries("forwarded.example") == ["forwarded.example"], up.outp.read_text()

    # a TTL of 3 s is honoured: after it, the upstream is asked again (3 s, not 1: two asks in a
    # row took over a second on the sanitizer build of a loaded machine)
    assert_a(ask(g, "shortlived.example"), "shortlived.example", ["203.0.113.8"], aa=False)
    assert_a(ask(g, "shortlived.example"), "shortlived.example", ["203.0.113.8"], aa=False)
    assert len(up.queries("shortlived.example")) == 1, up.outp.read_text()
    time.sleep(4.2)
    assert_a(ask(g, "shortlived.example"), "shortlived.example", ["203.0.113.8"], aa=False)
    assert len(up.queries("shortlived.example")) == 2, \
        "an expired entry was answered from the cache: %s" % up.outp.read_text()

    # the upstream goes away (by PID): the cached name is still answered, UDP and TCP, its TTL
    # counting down; an uncached one gets SERVFAIL
    up.stop()
    time.sleep(1.1)
    res = ask(g, "forwarded.example")
    assert_a(res, "forwarded.example", ["203.0.113.7"], aa=False)
    assert res["answer"][0]["ttl"] < 300, "TTL of a cached answer not counting down: %s" % res
    res = ask(g, "forwarded.example", tcp=True)
    assert_a(res, "forwarded.example", ["203.0.113.7"], aa=False)
    t = time.monotonic()
    res = ask(g, "uncached.example", timeout=5)
    assert res["rcode"] == "SERVFAIL" and res["answer"] == [], res
    assert time.monotonic() - t < 4, "SERVFAIL took %.1fs" % (time.monotonic() - t)
    res = ask(g, "uncached.example", tcp=True, timeout=5)
    assert res["rcode"] == "SERVFAIL", res
    # the zone does not depend on the upstream
    assert_a(ask(g, "web1.lab.kvmnet"), "web1.lab.kvmnet", [WEB1_IP])


def test_forwarded_answer_not_authoritative(lab):
    """RFC 1035 4.1.1: AA says the responding server is an authority for the name. kvmnetd is
    none for forwarded names, whatever the upstream said (the upstream here sets AA: it is
    authoritative for its records), fresh or from the cache."""
    up = Upstream(lab, {"forwarded.example": ("203.0.113.7", 300)})
    g = net_with_guest(lab)
    bad = []
    for how in ("forwarded", "cached"):
        res = ask(g, "forwarded.example")
        assert rr_data(res) == ["203.0.113.7"], res
        if "aa" in res["flags"]:
            bad.append("%s answer: %s" % (how, res["flags"]))
    assert not bad, "AA set on answers for a name kvmnetd is no authority for: %s" % bad
    assert len(up.queries("forwarded.example")) == 1


# ---- who may ask ------------------------------------------------------------------------------

def test_refused_from_outside_the_network(lab):
    """Queries from the "outside" namespace (routed to the gateway address through the host's
    uplink) and from a guest of another network get REFUSED, over UDP and TCP, for the zone's
    names and for names that would be forwarded; the same queries from inside are answered."""
    g = net_with_guest(lab)
    lab.create("other", "nat", "10.61.0.0/24", "--dns-forwarders", OUTSIDE)
    og = lab.guest("kn-other", "10.61.0.20/24", "10.61.0.1")
    assert_a(ask(g, "web1.lab.kvmnet"), "web1.lab.kvmnet", [WEB1_IP])
    before = dns_stats(lab, "lab")

    n = 0
    for ns, who in ((lab.out, "outside (%s)" % OUTSIDE), (og.ns, "guest of 'other' (10.61.0.20)")):
        for name in ("web1.lab.kvmnet", "forwarded.example"):
            for tcp in (False, True):
                res = dns_query(ns, GW, name, tcp=tcp)
                what = "%s -> %s %s over %s" % (who, GW, name, "TCP" if tcp else "UDP")
                dns_ok(res, what)
                assert res["rcode"] == "REFUSED", "%s: %s\n%s" % (what, res["rcode"],
                                                                   res.get("raw"))
                assert res["answer"] == [] and "aa" not in res["flags"], (what, res)
                n += 1
    after = dns_stats(lab, "lab")
    assert after["refused"] - before["refused"] == n, (before, after)
    assert after["forwarded"] == before["forwarded"], "a refused query was forwarded"
    # the other network's own server answers its guest, and not with our zone
    res = dns_ok(dns_query(og.ns, "10.61.0.1", "gateway.other.kvmnet"))
    assert rr_data(res) == ["10.61.0.1"], res


# ---- the NSS module -----------------------------------------------------------------------------

def test_nss_getent(lab):
    """getent hosts, through libnss_kvmnet.so.2 of this build in a private mount namespace,
    finds a reservation and a leased client by name, FQDN and address, from the daemon's
    hosts file; the released client is then not found."""
    net_with_guest(lab, "--lease-time", "2m")
    guest = lab.dhcp_guest("kn-lab", mac="52:54:00:60:02:01")
    c = lab.dhcp_client(guest, "udhcpc", hostname="leasy").start()
    ip = c.wait_bound()["ip"]
    wait_for("leasy in the hosts file", lambda: any("leasy" in ln for ln in hosts_lines(lab)))

    qs = ["web1", "web1.lab.kvmnet", "WEB1.lab.kvmnet.", WEB1_IP, "leasy", "leasy.lab.kvmnet",
          ip, "gateway.lab.kvmnet", "nosuchguest"]
    got = nss_getent(lab, qs)
    want = {"web1": (WEB1_IP, "web1.lab.kvmnet web1"), "leasy": (ip, "leasy.lab.kvmnet leasy")}
    for q in qs:
        rc, out = got[q]
        if q == "nosuchguest":
            assert rc == 2 and out == "", "getent hosts %s: %s %r" % (q, rc, out)
            continue
        host = "gateway" if q.startswith("gateway") else \
            "leasy" if q in ("leasy", "leasy.lab.kvmnet", ip) else "web1"
        addr, names = want.get(host, (GW, "gateway.lab.kvmnet gateway"))
        assert rc == 0, "getent hosts %s: exit %d" % (q, rc)
        assert out.split() == [addr] + names.split(), "getent hosts %s: %r, expected %s %s" % (
            q, out, addr, names)

    c.release()
    wait_for("leasy gone from the hosts file",
             lambda: not any("leasy" in ln for ln in hosts_lines(lab)))
    got = nss_getent(lab, ["leasy", "leasy.lab.kvmnet", ip, "web1"])
    for q in ("leasy", "leasy.lab.kvmnet", ip):
        assert got[q][0] == 2, "getent hosts %s after release: %s" % (q, got[q])
    assert got["web1"][0] == 0, got


# ---- port 53 stays peaceful ---------------------------------------------------------------------

def listening_53(lab):
    """{(proto, local address)} of sockets on port 53 in the host namespace."""
    found = set()
    for proto, flag in (("udp", "-Hlun"), ("tcp", "-Hltn")):
        out = run(["ip", "netns", "exec", lab.host, "ss", flag]).stdout
        for line in out.splitlines():
            local = line.split()[3]
            addr, _, port = local.rpartition(":")
            if port == "53":
                found.add((proto, addr))
    return found


def test_binds_gateway_addresses_only(lab):
    # another DNS server already on the host's uplink address: kvmnet starts beside it
    other_udp = lab.serve(lab.host, "udp", "198.51.100.1", 53)
    other_tcp = lab.serve(lab.host, "tcp", "198.51.100.1", 53)
    assert other_udp and other_tcp
    lab.create("a", "nat", "10.60.0.0/24", "--dns-forwarders", OUTSIDE)
    lab.create("b", "routed", "10.61.0.0/24", "--dns-forwarders", OUTSIDE)
    lab.create("c", "isolated", "10.62.0.0/24", "--no-dns")
    ours = {(p, a) for p in ("udp", "tcp") for a in ("10.60.0.1", "10.61.0.1")}
    theirs = {("udp", "198.51.100.1"), ("tcp", "198.51.100.1")}
    assert listening_53(lab) == ours | theirs, \
        "port 53 sockets in the host namespace: %s" % sorted(listening_53(lab))
    # the other server still gets its traffic (an echo server: the query comes back)
    run_probes([Probe("outside -> the other server on the uplink, UDP", lab.out, "udp",
                      "198.51.100.1", 53),
                Probe("outside -> the other server on the uplink, TCP", lab.out, "tcp",
                      "198.51.100.1", 53)])
    # a network that stops releases its sockets; one that starts takes them again
    lab.kn("net", "stop", "a")
    assert listening_53(lab) == (ours | theirs) - {("udp", "10.60.0.1"), ("tcp", "10.60.0.1")}
    lab.kn("net", "start", "a")
    assert listening_53(lab) == ours | theirs


def _holder(lab, kind):
    p = lab.serve(lab.host, kind, GW, 53)
    assert p is not None, "could not bind %s:53/%s for the test" % (GW, kind)
    return p


def _assert_names_holder(p, proc, proto):
    err = p.stdout + p.stderr
    assert p.returncode == 1, "exit %d, expected 1 with %s:53/%s held\n%s" % (
        p.returncode, GW, proto, err)
    want = "held by python3 (pid %d)" % proc.pid
    assert want in err and ("%s:53/%s" % (GW, proto)) in err, \
        "the error does not name the holder (%r):\n%s" % (want, err)


def test_live_redefine_turns_dns_on_and_off(lab):
    """'dns' changed by 'net define' on an active network takes effect at once, like every
    other key: on, the gateway's port 53 is bound and answers; off, it is closed."""
    lab.create("lab", "nat", SUBNET, "--no-dns", "--dns-forwarders", OUTSIDE)
    g = lab.guest("kn-lab", ASKER + "/24", GW)
    assert not {a for _, a in listening_53(lab)} & {GW}, listening_53(lab)
    lab.kn("net", "define", _define_dns_path(lab, "yes"))
    doc = lab.kn_json("net", "show", "lab")
    assert doc["dns"] is True and doc["state"] == "active", doc
    assert {("udp", GW), ("tcp", GW)} <= listening_53(lab), \
        "dns = yes redefined on the active network, yet nothing listens on %s:53: %s\n%s" % (
            GW, sorted(listening_53(lab)), doc)
    assert_a(ask(g, "gateway.lab.kvmnet"), "gateway.lab.kvmnet", [GW])
    lab.kn("net", "define", _define_dns_path(lab, "no"))
    assert not {a for _, a in listening_53(lab)} & {GW}, \
        "dns = no redefined, still listening: %s" % sorted(listening_53(lab))


def test_bind_conflict_on_live_redefine_names_the_holder(lab):
    """Network without DNS, a process on GW:53 (UDP and TCP), then a live redefine with
    dns = yes: refused (exit 1) with an error naming the holder; once the holders are gone
    the same redefine works and DNS answers."""
    lab.create("lab", "nat", SUBNET, "--no-dns", "--dns-forwarders", OUTSIDE)
    g = lab.guest("kn-lab", ASKER + "/24", GW)
    udp, tcp = _holder(lab, "udp"), _holder(lab, "tcp")
    _assert_names_holder(lab.kn("net", "define", _define_dns_path(lab, "yes"), check=False),
                         udp, "udp")
    doc = lab.kn_json("net", "show", "lab")
    assert doc["dns"] is False and doc["state"] == "active", doc
    lab.stop_proc(udp)
    _assert_names_holder(lab.kn("net", "define", _define_dns_path(lab, "yes"), check=False),
                         tcp, "tcp")
    lab.stop_proc(tcp)
    lab.kn("net", "define", _define_dns_path(lab, "yes"))
    assert {("udp", GW), ("tcp", GW)} <= listening_53(lab), listening_53(lab)
    assert_a(ask(g, "gateway.lab.kvmnet"), "gateway.lab.kvmnet", [GW])
    # and dns = no again closes them
    lab.kn("net", "define", _define_dns_path(lab, "no"))
    assert not {a for _, a in listening_53(lab)} & {GW}, listening_53(lab)


def test_bind_conflict_on_start_names_the_holder(lab):
    """The same conflict met by 'net start': the holder keeps GW:53 while the network is
    stopped (its socket outlives the address); start fails naming it, and works once it is
    gone."""
    lab.create("lab", "nat", SUBNET, "--no-dns", "--dns-forwarders", OUTSIDE)
    udp, tcp = _holder(lab, "udp"), _holder(lab, "tcp")
    lab.kn("net", "stop", "lab")
    lab.kn("net", "define", _define_dns_path(lab, "yes"))
    p = lab.kn("net", "start", "lab", check=False)
    _assert_names_holder(p, udp, "udp")
    assert lab.kn_json("net", "show", "lab")["state"] != "active"
    assert lab.link("kn-lab") is None, "a failed start left the bridge behind"
    lab.stop_proc(udp)
    _assert_names_holder(lab.kn("net", "start", "lab", check=False), tcp, "tcp")
    lab.stop_proc(tcp)
    lab.kn("net", "start", "lab")
    g = lab.guest("kn-lab", ASKER + "/24", GW)
    assert_a(ask(g, "gateway.lab.kvmnet"), "gateway.lab.kvmnet", [GW])


def _define_dns_path(lab, dns):
    path = lab.tmp / "lab.conf"
    path.write_text("[network]\nmode = nat\nsubnet = %s\ndns-forwarders = %s\ndns = %s\n"
                    "port-security = no\n"
                    % (SUBNET, OUTSIDE, dns))
    return path


# ---- the dig side of dns_query() (dig is not installed everywhere: its parser is checked here) ---

DIG_TC_RETRY = """
; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> @10.60.0.1 big.lab.kvmnet A +tries=1 +time=2 +noedns
; (1 server found)
;; global options: +cmd
;; Truncated, retrying in TCP mode.
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242
;; flags: qr aa rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0

;; QUESTION SECTION:
;big.lab.kvmnet.\t\tIN\tA

;; ANSWER SECTION:
big.lab.kvmnet.\t60\tIN\tA\t10.60.1.1
Big.Lab.Kvmnet.\t60\tIN\tA\t10.60.1.2

;; Query time: 0 msec
;; SERVER: 10.60.0.1#53(10.60.0.1) (TCP)
;; WHEN: Mon Jan 01 00:00:00 UTC 2024
;; MSG SIZE  rcvd: 64
"""

DIG_NXDOMAIN = """
; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> @10.60.0.1 nosuch.lab.kvmnet A
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 17
;; flags: qr aa rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
;; QUESTION SECTION:
;nosuch.lab.kvmnet.\t\tIN\tA

;; AUTHORITY SECTION:
lab.kvmnet.\t60\tIN\tSOA\tgateway.lab.kvmnet. hostmaster.lab.kvmnet. 4 3600 600 86400 60

;; Query time: 0 msec
;; SERVER: 10.60.0.1#53(10.60.0.1) (UDP)
;; MSG SIZE  rcvd: 101
"""

DIG_TXT_SRV = """
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 9
;; flags: qr aa tc rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0

;; ANSWER SECTION:
t.lab.kvmnet.\t60\tIN\tTXT\t"v=spf1 \\"x\\" \\059-all" "tail"
_http._tcp.lab.kvmnet.\t60\tIN\tSRV\t10 5 8080 web1.lab.kvmnet.

;; SERVER: 10.60.0.1#53(10.60.0.1) (UDP)
"""

DIG_TIMEOUT = """
; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> @10.60.0.1 x.example
;; communications error to 10.60.0.1#53: timed out
;; no servers could be reached
"""


def test_dig_output_parser():
    r = parse_dig(DIG_TC_RETRY)
    assert r["rcode"] == "NOERROR" and r["tc_retried"] and r["tcp"] and r["id"] == 4242, r
    assert r["flags"] == ["qr", "aa", "rd", "ra"], r
    assert [(a["name"], a["type"], a["ttl"], a["data"]) for a in r["answer"]] == [
        ("big.lab.kvmnet", "A", 60, "10.60.1.1"), ("big.lab.kvmnet", "A", 60, "10.60.1.2")], r
    r = parse_dig(DIG_NXDOMAIN)
    assert r["rcode"] == "NXDOMAIN" and not r["tc_retried"] and r["tcp"] is False, r
    assert r["answer"] == [] and r["additional"] == [], r
    assert r["authority"] == [{"name": "lab.kvmnet", "type": "SOA", "ttl": 60, "data":
                               "gateway.lab.kvmnet hostmaster.lab.kvmnet 4 3600 600 86400 60"}]
    r = parse_dig(DIG_TXT_SRV)
    assert "tc" in r["flags"], r
    assert rr_data(r, rtype="TXT") == ['v=spf1 "x" ;-alltail'], r
    assert rr_data(r, rtype="SRV") == ["10 5 8080 web1.lab.kvmnet"], r
    assert parse_dig(DIG_TIMEOUT)["error"] == "timeout"
