# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile DNS input (nettool.py dns-hostile, made with scapy and by hand): thousands of UDP
queries in a few seconds -- truncated headers, answers posing as queries, compression loops,
pointers forward, past the end and into the header, labels over 63 octets and of the reserved
types, names over 255 octets, huge record counts, broken EDNS, odd opcodes and types, scapy's
fuzz(), bit flips, random bytes, oversized datagrams -- and hostile TCP connections: lying
length prefixes, a zero length, short and garbage frames, a full 64 KiB frame, half-closed
connections, slowloris partial messages, more connections than the server keeps. From a guest
of the network and from outside it (the parser runs before the source check).

The daemon must stay up, answer every malformed query that has a readable header with a
well-formed FORMERR (and those it must drop with nothing), send nothing that does not parse,
count them in dns-stats, and answer a normal query correctly afterwards, over UDP and TCP."""
import json

import pytest

from knlab import OUTSIDE, PY, NETTOOL, dns_ok, dns_query, dns_stats, rr_data, run

SUBNET = "10.60.0.0/24"
GW = "10.60.0.1"
WEB1_IP = "10.60.0.10"
NAMES = "web1.lab.kvmnet,gateway.lab.kvmnet,nosuch.lab.kvmnet,10.0.60.10.in-addr.arpa," \
        "forwarded.example"


def hostile(lab, ns, count, seconds, seed):
    p = run(["ip", "netns", "exec", ns, PY, NETTOOL, "dns-hostile", GW, "--names", NAMES,
             "--count", str(count), "--seconds", str(seconds), "--seed", str(seed)],
            check=False, timeout=seconds + 60)
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise AssertionError("dns-hostile: exit %d, no JSON\nstdout: %s\nstderr: %s"
                             % (p.returncode, p.stdout[-3000:], p.stderr[-3000:]))


@pytest.mark.parametrize("where", ["guest", "outside"])
def test_hostile_queries(lab, where):
    # no upstream runs on OUTSIDE: forwarded queries fail fast (SERVFAIL)
    lab.create("lab", "nat", SUBNET, "--dns-forwarders", OUTSIDE)
    lab.kn("host", "add", "lab", "52:54:00:60:00:0a", WEB1_IP, "web1")
    g = lab.guest("kn-lab", "10.60.0.20/24", GW)
    ns = g.ns if where == "guest" else lab.out
    normal_rcode = "NOERROR" if where == "guest" else "REFUSED"
    before = dns_stats(lab, "lab")

    res = hostile(lab, ns, count=3000 if where == "guest" else 1500, seconds=3, seed=4)
    summary = json.dumps({k: v for k, v in res.items() if k != "rcodes_by_kind"}, indent=1)

    # the daemon is up and still itself
    assert lab.daemon.poll() is None, "kvmnetd died (status %s)" % lab.daemon.returncode
    lab.kn("status")
    assert res["sent"] >= 0.99 * (3000 if where == "guest" else 1500), summary

    # what came back was well-formed, answered our queries, and matched what each deserved
    assert res["malformed"] == [], "malformed answers from kvmnetd:\n" + summary
    assert res["unmatched"] == 0, "answers to no query of ours:\n" + summary
    assert res["mismatch"] == [], "wrong treatment of hostile queries:\n" + summary
    assert res["replies"] >= res["expected_formerr"], summary
    formerr_kinds = [k for k, rc in res["rcodes_by_kind"].items() if "FORMERR" in rc]
    assert "compression_self_loop" in formerr_kinds and "name_over_255" in formerr_kinds, \
        res["rcodes_by_kind"]

    # and were counted
    after = dns_stats(lab, "lab")
    assert after["formerr"] - before["formerr"] >= res["expected_formerr"] > 100, (
        before, after, summary)
    assert after["dropped"] - before["dropped"] >= res["expected_drop"] > 100, (
        before, after, summary)
    assert after["queries"] - before["queries"] >= 0.99 * res["sent"], (before, after, summary)
    if where == "outside":
        assert after["forwarded"] == before["forwarded"], "a query from outside was forwarded"

    # the TCP side
    tcp = res["tcp"]
    assert tcp["long_prefix_then_close"] == normal_rcode, tcp
    assert tcp["zero_length"] == {"answers": 0, "closed": True}, tcp
    assert tcp["short_then_valid"]["ids"] == [8], tcp
    assert 10 in tcp["garbage_then_valid"]["ids"], tcp
    assert tcp["pipelined"]["ids"] == [11, 12], tcp
    assert tcp["half_close"]["ids"] == [13], tcp
    assert tcp["during_slowloris"] == normal_rcode, tcp
    assert tcp["after"] == normal_rcode, tcp
    assert tcp["flood_connections"] >= 64, tcp

    # normal queries are answered correctly, from inside, over UDP and TCP
    for kw in ({}, {"tcp": True}, {"edns": 1232}):
        r = dns_ok(dns_query(g.ns, GW, "web1.lab.kvmnet", **kw), "web1 %s" % kw)
        assert r["rcode"] == "NOERROR" and rr_data(r) == [WEB1_IP], r
    r = dns_ok(dns_query(g.ns, GW, "nosuch.lab.kvmnet"))
    assert r["rcode"] == "NXDOMAIN", r
    lab.kn("status")
