# SPDX-License-Identifier: GPL-2.0-or-later
"""kvmnet doctor beside other firewalls, in the host namespace of the lab only: a Docker-shaped
and a ufw-shaped iptables-nft filter table and a firewalld-like inet table each break a nat network's guests;
doctor names them, --fix lets the traffic through, and net delete removes exactly what --fix
added (the rest of the foreign table is byte-identical)."""
import json
import shutil

import pytest

from knlab import OUTSIDE, run

SUBNET = "10.44.0.0/24"
GW = "10.44.0.1"

FIREWALLD = """
table inet firewalld_test {
    chain filter_FORWARD {
        type filter hook forward priority filter + 10; policy accept;
        ct state { established, related } accept
        ct status dnat accept
        iifname "lo" accept
        ct state invalid drop
        jump filter_FORWARD_ZONES
        reject with icmpx admin-prohibited
    }
    chain filter_FORWARD_ZONES {
        iifname "eth9" goto filter_FWD_public
    }
    chain filter_FWD_public {
        oifname "eth9" accept
    }
}
"""


def pings(lab, g):
    return run(["ip", "netns", "exec", g.ns, "ping", "-c1", "-W1", OUTSIDE],
               check=False).returncode == 0


def docker(lab):
    if not shutil.which("iptables"):
        pytest.skip("iptables (iptables-nft) is not installed")
    ipt = ["ip", "netns", "exec", lab.host, "iptables"]
    for c in ("DOCKER", "DOCKER-ISOLATION-STAGE-1", "DOCKER-USER"):
        run(ipt + ["-N", c])
    run(ipt + ["-P", "FORWARD", "DROP"])
    for rule in (["-j", "DOCKER-USER"], ["-j", "DOCKER-ISOLATION-STAGE-1"],
                 ["-o", "docker0", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
                  "-j", "ACCEPT"], ["-o", "docker0", "-j", "DOCKER"],
                 ["-i", "docker0", "!", "-o", "docker0", "-j", "ACCEPT"]):
        run(ipt + ["-A", "FORWARD"] + rule)
    run(ipt + ["-A", "DOCKER-ISOLATION-STAGE-1", "-j", "RETURN"])
    run(ipt + ["-A", "DOCKER-USER", "-j", "RETURN"])
    return ("ip", "filter", "FORWARD", "DOCKER-USER")


def ufw(lab):
    """ufw's iptables-nft shape (before.rules, without its ICMP accepts): FORWARD policy drop,
    its chains jumped to in turn, replies accepted first."""
    if not shutil.which("iptables"):
        pytest.skip("iptables (iptables-nft) is not installed")
    ipt = ["ip", "netns", "exec", lab.host, "iptables"]
    chains = ("ufw-before-forward", "ufw-user-forward", "ufw-after-forward",
              "ufw-reject-forward")
    for c in chains:
        run(ipt + ["-N", c])
    run(ipt + ["-P", "FORWARD", "DROP"])
    for c in chains[:3]:
        run(ipt + ["-A", "FORWARD", "-j", c])
    run(ipt + ["-A", "ufw-before-forward", "-m", "conntrack", "--ctstate",
               "RELATED,ESTABLISHED", "-j", "ACCEPT"])
    run(ipt + ["-A", "ufw-after-forward", "-j", "ufw-reject-forward"])
    return ("ip", "filter", "FORWARD", "FORWARD")


def firewalld(lab):
    path = lab.tmp / "fwd.nft"
    path.write_text(FIREWALLD)
    lab.nft("-f", str(path))
    return ("inet", "firewalld_test", "filter_FORWARD", "filter_FORWARD")


def table_text(lab, family, table):
    return lab.nft("-s", "list", "table", family, table).stdout  # -s: no counters


@pytest.mark.parametrize("shape", [docker, ufw, firewalld], ids=["docker", "ufw", "firewalld"])
def test_doctor_fix_and_delete(lab, shape):
    lab.create("dr", "nat", SUBNET, "--no-dhcp", "--no-dns")
    bridge = lab.kn_json("net", "show", "dr")["bridge"]
    g = lab.guest(bridge, "10.44.0.10/24", GW)
    assert pings(lab, g), "guest cannot reach the outside before any foreign table"
    assert lab.kn("doctor", "dr").stdout == ""

    family, table, chain, fix_chain = shape(lab)
    before = table_text(lab, family, table)
    assert not pings(lab, g), "the foreign table does not break the guest"

    p = lab.kn("doctor", "dr", expect=1)
    lines = p.stdout.splitlines()
    assert lines and all(l.startswith("dr: ") for l in lines), p.stdout
    assert "table %s %s chain %s" % (family, table, chain) in p.stdout
    assert "kvmnet doctor --fix dr" in p.stdout
    assert {docker: "Docker", ufw: "ufw", firewalld: "firewalld"}[shape] in p.stdout, p.stdout
    doc = json.loads(lab.kn("doctor", "dr", "--json", expect=1).stdout)
    found = [f for f in doc["findings"] if f["flow"] == "out"]
    assert found and found[0]["table"] == table and found[0]["chain"] == chain
    assert found[0]["fix-chain"] == fix_chain
    # without --fix doctor only looks
    assert table_text(lab, family, table) == before and not pings(lab, g)

    p = lab.kn("doctor", "--fix", "dr")
    assert pings(lab, g), "guest traffic does not flow after doctor --fix"
    assert lab.kn("doctor", "dr").stdout == ""
    fixed = table_text(lab, family, table)
    # Docker: out and replies (its FORWARD accepts replies for docker0 only); ufw: out and
    # replies too (its reply accept is iptables' conntrack match, an xt expression the doctor
    # cannot read, so replies may be dropped); firewalld: out only (its chain accepts
    # established,related first, natively).
    assert fixed.count("kvmnet-doctor:dr") == (1 if shape is firewalld else 2), fixed
    # --fix twice adds nothing.
    assert json.loads(lab.kn("doctor", "--fix", "dr", "--json").stdout)["added"] == 0
    assert table_text(lab, family, table) == fixed
    if shape is not firewalld:
        # iptables still understands the table with our rules in it.
        ipt = run(["ip", "netns", "exec", lab.host, "iptables", "-S", fix_chain])
        assert ipt.stdout.count("kvmnet-doctor:dr") == 2, ipt.stdout

    # the record of what --fix added outlives the daemon: a restarted one keeps the rules
    # and still removes exactly those with the network
    assert lab.stop_daemon() == 0
    lab.start_daemon()
    assert table_text(lab, family, table) == fixed and pings(lab, g)
    lab.kn("net", "delete", "dr")
    assert table_text(lab, family, table) == before


def test_doctor_nothing_and_unknown(lab):
    lab.create("dq", "nat", "10.45.0.0/24")
    p = lab.kn("doctor")
    assert p.stdout == ""
    assert json.loads(lab.kn("doctor", "--json").stdout)["findings"] == []
    p = lab.kn("doctor", "nosuch", expect=1)
    assert p.stdout == "" and len(p.stderr.strip().splitlines()) == 1
    assert "nosuch" in p.stderr
