# SPDX-License-Identifier: GPL-2.0-or-later
"""Refused requests: exit 1, exactly one 'kvmnet: ' line on stderr, and nothing changed (links,
addresses, nftables ruleset, state dir). One daemon serves the whole module, with one existing
network 'web' (nat, 10.1.0.0/16, bridge kn-web) to collide with."""
import pytest

import knlab

LONG_BRIDGE = "this-name-is-too-long-for-linux"

# (id, args or a function of the lab returning args, what the error line must name)
CASES = [
    ("name-bad-chars", ["net", "create", "Bad!", "--mode", "nat", "--subnet", "10.2.0.0/24"],
     "Bad!"),
    ("name-33-chars", ["net", "create", "a" * 33, "--mode", "nat", "--subnet", "10.2.0.0/24"],
     "name"),
    ("cidr-host-bits", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.1/24"],
     "10.2.0.1/24"),
    ("cidr-prefix-33", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/33"],
     "10.2.0.0/33"),
    ("cidr-nonsense", ["net", "create", "x", "--mode", "nat", "--subnet", "nonsense"], "nonsense"),
    ("range-outside-subnet", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/24",
                              "--dhcp-range", "10.2.1.10-10.2.1.20"], "range"),
    ("range-has-gateway", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/24",
                           "--dhcp-range", "10.2.0.1-10.2.0.50"], "range"),
    ("range-reversed", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/24",
                        "--dhcp-range", "10.2.0.50-10.2.0.10"], "range"),
    ("mtu-10", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/24", "--mtu", "10"],
     "mtu"),
    ("mtu-70000", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/24",
                   "--mtu", "70000"], "mtu"),
    ("leases-per-port-1025", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/24",
                              "--dhcp-leases-per-port", "1025"], "dhcp-leases-per-port"),
    ("leases-per-port-negative", ["net", "create", "x", "--mode", "nat", "--subnet",
                                  "10.2.0.0/24", "--dhcp-leases-per-port", "-1"],
     "dhcp-leases-per-port"),
    ("bridge-name-too-long", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/24",
                              "--bridge", LONG_BRIDGE], LONG_BRIDGE),
    ("unknown-mode", ["net", "create", "x", "--mode", "bogus", "--subnet", "10.2.0.0/24"], "bogus"),
    ("overlap-network-inside", ["net", "create", "x", "--mode", "nat",
                                "--subnet", "10.1.5.0/24"], "web"),
    ("overlap-network-around", ["net", "create", "x", "--mode", "routed",
                                "--subnet", "10.0.0.0/8"], "web"),
    ("overlap-host-route", ["net", "create", "x", "--mode", "nat",
                            "--subnet", "198.51.100.0/24"], "overlaps"),
    ("overlap-host-route-part", ["net", "create", "x", "--mode", "nat",
                                 "--subnet", "198.51.100.128/25"], "overlaps"),
    ("duplicate-name", ["net", "create", "web", "--mode", "nat", "--subnet", "10.2.0.0/24"],
     "web"),
    ("duplicate-bridge", ["net", "create", "x", "--mode", "nat", "--subnet", "10.2.0.0/24",
                          "--bridge", "kn-web"], "kn-web"),
    ("start-missing", ["net", "start", "missing"], "missing"),
    ("stop-missing", ["net", "stop", "missing"], "missing"),
    ("delete-missing", ["net", "delete", "missing"], "missing"),
    ("show-missing", ["net", "show", "missing"], "missing"),
    ("export-missing", ["net", "export", "missing"], "missing"),
    ("define-no-such-file", lambda lab: ["net", "define", lab.tmp / "no-such.conf"],
     "no-such.conf"),
    ("define-garbage-line",
     lambda lab: define_file(lab, "garbage.conf",
                             "[network]\nmode = nat\nthis line is not ini\nsubnet = 10.2.0.0/24\n"),
     "line 3"),
    ("define-unknown-key",
     lambda lab: define_file(lab, "unknownkey.conf",
                             "[network]\nmode = nat\nsubnet = 10.2.0.0/24\ncolour = blue\n"),
     "colour"),
    ("define-bad-value",
     lambda lab: define_file(lab, "badvalue.conf", "[network]\nmode = nat\nsubnet = 10.2.0.1/24\n"),
     "subnet"),
    ("define-bad-leases-per-port",
     lambda lab: define_file(lab, "leases.conf", "[network]\nmode = nat\nsubnet = 10.2.0.0/24\n"
                                                 "dhcp-leases-per-port = many\n"),
     "line 4: invalid dhcp-leases-per-port 'many'"),
    ("define-overlap",
     lambda lab: define_file(lab, "ovl.conf", "[network]\nmode = nat\nsubnet = 10.1.2.0/24\n"),
     "web"),
    ("define-replace-with-bad",
     lambda lab: define_file(lab, "web.conf", "[network]\nmode = nat\nsubnet = 10.1.0.0/33\n"),
     "subnet"),
]


def define_file(lab, name, text):
    path = lab.tmp / "defs" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return ["net", "define", path]


@pytest.fixture(scope="module")
def web_lab(module_lab):
    module_lab.create("web", "nat", "10.1.0.0/16")
    return module_lab


@pytest.mark.parametrize("args,needle", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_changes_nothing(web_lab, args, needle):
    lab = web_lab
    if callable(args):
        args = args(lab)
    before = lab.snapshot()
    p = lab.kn(*args, expect=1)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kvmnet: "), \
        "expected exactly one 'kvmnet: ...' line on stderr, got:\n%s" % p.stderr
    if needle:
        assert needle in lines[0], "error should name %r: %s" % (needle, lines[0])
    after = lab.snapshot()
    assert before == after, "a refused request changed something:\n" + lab.snapshot_diff(
        before, after)
    assert lab.networks()["web"]["state"] == "active"


def test_valid_create_after_refusals(web_lab):
    """The same module daemon still accepts a good request (the refusals left it healthy)."""
    web_lab.create("x", "nat", "10.2.0.0/24", "--dhcp-range", "10.2.0.10-10.2.0.20",
                   "--mtu", "1500")
    assert "10.2.0.1/24" in web_lab.addrs("kn-x")
    web_lab.kn("net", "delete", "x")


# IPv6 (docs/IPV6.md): the module's 'web6' network (isolated, fd42:6::/64) is the one to collide
# with; each case exits 1, names the problem in one line, and changes nothing.
CASES6 = [
    ("subnet6-not-64", ["--subnet6", "fd42:7::/48"], "/64"),
    ("subnet6-host-bits", ["--subnet6", "fd42:7::1/64"], "host bits"),
    ("subnet6-link-local", ["--subnet6", "fe80::/64"], "link-local"),
    ("subnet6-multicast", ["--subnet6", "ff05::/64"], "multicast"),
    ("subnet6-loopback", ["--subnet6", "::/64"], "reserved"),
    ("subnet6-nonsense", ["--subnet6", "fd42::zz/64"], "fd42::zz/64"),
    ("subnet6-overlap-network", ["--subnet6", "fd42:6::/64"], "web6"),
    ("subnet6-overlap-route", ["--subnet6", "fd42:99::/64"], "overlaps route"),
    ("ra-mode-bogus", ["--subnet6", "fd42:7::/64", "--ra-mode", "stateful"], "ra-mode"),
    ("nat6-not-nat", ["--mode", "routed", "--subnet6", "fd42:7::/64", "--nat6", "yes"], "nat6"),
    ("subnet6-mode-bridge", ["--mode", "bridge", "--bridge", "kn-web", "--subnet6",
                             "fd42:7::/64"], "subnet6"),
    ("dns-forwarder6-link-local", ["--dns-forwarders", "2001:db8::53,fe80::1"],
     "fe80::1 is link-local"),
    ("dns-forwarder6-zone", ["--dns-forwarders", "fe80::1%up0"], "fe80::1%up0"),
    ("dns-forwarder6-multicast", ["--dns-forwarders", "ff02::fb"], "ff02::fb is a multicast"),
    ("dns-forwarder6-unspecified", ["--dns-forwarders", "::"], ":: is the unspecified"),
    ("dns-forwarder6-mapped", ["--dns-forwarders", "::ffff:192.0.2.53"], "IPv4-mapped"),
    ("dns-forwarder6-twice", ["--dns-forwarders", "2001:db8::53,2001:db8:0::53"], "twice"),
    ("dns-forwarder6-own-gateway6", ["--subnet6", "fd42:7::/64", "--dns-forwarders",
                                     "192.0.2.53,fd42:7::1"], "own gateway"),
]


@pytest.fixture(scope="module")
def web6_lab(web_lab):
    if "web6" not in web_lab.networks():
        web_lab.create("web6", "isolated", "10.3.0.0/24", "--subnet6", "fd42:6::/64")
        knlab.run(["ip", "-n", web_lab.host, "-6", "route", "add", "fd42:99::/56", "dev", "up0"])
    return web_lab


@pytest.mark.parametrize("extra,needle", [c[1:] for c in CASES6], ids=[c[0] for c in CASES6])
def test_refused_ipv6_changes_nothing(web6_lab, extra, needle):
    lab = web6_lab
    args = ["net", "create", "x6"]
    if "--mode" not in extra:
        args += ["--mode", "nat"]
    if "bridge" not in extra:
        args += ["--subnet", "10.4.0.0/24"]
    before = lab.snapshot()
    p = lab.kn(*args, *extra, expect=1)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kvmnet: "), p.stderr
    assert needle in lines[0], "error should name %r: %s" % (needle, lines[0])
    after = lab.snapshot()
    assert before == after, lab.snapshot_diff(before, after)
