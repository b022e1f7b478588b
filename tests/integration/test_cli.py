# SPDX-License-Identifier: GPL-2.0-or-later
"""The command line itself: version, status, global options anywhere, usage errors (exit 2),
an unreachable daemon (exit 1 with one 'kvmnet: ' line)."""
import json

import pytest

import knlab


def one_error_line(p):
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kvmnet: "), \
        "expected exactly one 'kvmnet: ...' line on stderr, got:\n%s" % p.stderr


def test_version(module_lab):
    p = module_lab.kn("version")
    assert p.stdout.strip(), "version printed nothing"
    v = knlab.project_version()
    assert v is None or v in p.stdout, "version %s not in %r" % (v, p.stdout)


def test_status(module_lab):
    module_lab.kn("status")
    doc = module_lab.kn_json("status")
    assert isinstance(doc, dict)


def test_no_daemon_is_a_failure_not_a_usage_error(module_lab):
    p = module_lab.kn("status", sock=module_lab.tmp / "nobody-here.sock", expect=1)
    one_error_line(p)


def test_global_options_anywhere(module_lab):
    lab = module_lab
    lab.create("anywhere", "nat", "10.70.0.0/24")
    try:
        docs = [json.loads(lab.kn(*args).stdout) for args in (
            ("--json", "net", "list"),
            ("net", "list", "--json"),
            ("net", "--json", "list"),
        )]
        assert docs[0] == docs[1] == docs[2]
        assert [n["name"] for n in docs[0]] == ["anywhere"]
        # --socket (and --json) after the command, nothing before it.
        p = lab.kn("net", "show", "anywhere", "--json", "--socket", lab.sock, sock="")
        assert json.loads(p.stdout)["name"] == "anywhere"
    finally:
        lab.kn("net", "delete", "anywhere")


def test_show_has_the_port_and_dhcp_keys(module_lab):
    """net show/list --json carry the keys a definition sets, defaults included."""
    lab = module_lab
    lab.create("shown", "nat", "10.70.1.0/24", "--lease-time", "2h", "--dhcp-leases-per-port",
               "3", "--isolate-ports", "--port-security", "mac", "--allow-attach",
               "nobody,@nogroup")
    lab.create("plain", "isolated", "10.70.2.0/24", "--port-security", "yes")
    try:
        n = lab.kn_json("net", "show", "shown")
        assert (n["lease-time"], n["dhcp-leases-per-port"], n["isolate-ports"],
                n["port-security"], n["allow-attach"]) == (7200, 3, True, "mac",
                                                            ["nobody", "@nogroup"]), n
        listed = lab.networks()["shown"]
        assert {k: v for k, v in n.items() if k in listed} == listed   # show adds stats
        n = lab.kn_json("net", "show", "plain")
        assert (n["lease-time"], n["dhcp-leases-per-port"], n["isolate-ports"],
                n["port-security"], n["allow-attach"]) == (3600, 16, False, "yes", []), n
    finally:
        lab.kn("net", "delete", "shown")
        lab.kn("net", "delete", "plain")


USAGE = [
    ["frobnicate"],
    ["net"],
    ["net", "frobnicate"],
    ["net", "create"],
    ["net", "start"],
    ["net", "stop"],
    ["net", "delete"],
    ["net", "show"],
    ["net", "export"],
    ["net", "define"],
    ["net", "create", "u1", "--mode", "nat", "--subnet"],
    ["net", "create", "u1", "--mode", "nat", "--subnet", "10.71.0.0/24", "--frobnicate"],
    ["net", "list", "extra-argument"],
]


@pytest.mark.parametrize("args", USAGE, ids=[" ".join(a) for a in USAGE])
def test_bad_usage_exits_2(module_lab, args):
    before = module_lab.snapshot()
    module_lab.kn(*args, expect=2)
    after = module_lab.snapshot()
    assert before == after, module_lab.snapshot_diff(before, after)
