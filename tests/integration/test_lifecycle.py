# SPDX-License-Identifier: GPL-2.0-or-later
"""Network lifecycle: create (define + start), stop, start, delete, define, export, show, list,
and what each leaves in the kernel (bridge, gateway address, nftables) and in the state dir."""
import knlab

FIELDS = ("name", "mode", "state", "bridge", "subnet", "gateway")


def gateway_is(value, gw):
    """The contract does not say whether 'gateway' carries the prefix length: accept both."""
    return value == gw or str(value).startswith(gw + "/")


def assert_active(lab, name, bridge, gw_cidr):
    link = lab.link(bridge)
    assert link is not None, "bridge %s missing" % bridge
    assert link.get("linkinfo", {}).get("info_kind") == "bridge", link
    assert "UP" in link["flags"], "bridge %s not up: %s" % (bridge, link["flags"])
    assert gw_cidr in lab.addrs(bridge), "%s not on %s: %s" % (gw_cidr, bridge, lab.addrs(bridge))
    assert lab.networks()[name]["state"] == "active"


def assert_gone_from_kernel(lab, bridge, subnet_prefix):
    assert lab.link(bridge) is None, "bridge %s still present" % bridge
    table = lab.kvmnet_table()
    assert bridge not in table and subnet_prefix not in table, \
        "nftables still mentions %s:\n%s" % (bridge, table)


def test_create_nat_defaults(lab):
    lab.create("lab", "nat", "10.10.0.0/24")
    assert_active(lab, "lab", "kn-lab", "10.10.0.1/24")
    assert (lab.state / "networks" / "lab.conf").is_file()

    n = lab.networks()["lab"]
    for f in FIELDS:
        assert f in n, "net list --json: field %r missing in %s" % (f, n)
    assert (n["mode"], n["state"], n["bridge"], n["subnet"]) == \
        ("nat", "active", "kn-lab", "10.10.0.0/24")
    assert gateway_is(n["gateway"], "10.10.0.1"), n
    show = lab.kn_json("net", "show", "lab")
    assert isinstance(show, dict) and {f: show[f] for f in FIELDS} == {f: n[f] for f in FIELDS}

    # One table of ours, in the host namespace only; forwarding on for a NAT network.
    tables = [t for t in lab.nft("list", "tables").stdout.splitlines() if "kvmnet" in t]
    assert tables == ["table inet kvmnet"], tables
    assert lab.sysctl(lab.host, "net.ipv4.ip_forward") == "1"
    assert "lab" in lab.kn("net", "list").stdout
    assert "kn-lab" in lab.kn("net", "show", "lab").stdout


def test_stop_start_delete(lab):
    lab.create("lab", "nat", "10.11.0.0/24")
    conf = lab.state / "networks" / "lab.conf"
    text = conf.read_text()

    lab.kn("net", "stop", "lab")
    assert_gone_from_kernel(lab, "kn-lab", "10.11.0.")
    assert lab.networks()["lab"]["state"] == "inactive"
    assert conf.read_text() == text, "stop changed the definition"

    lab.kn("net", "start", "lab")
    assert_active(lab, "lab", "kn-lab", "10.11.0.1/24")

    lab.kn("net", "delete", "lab")
    assert_gone_from_kernel(lab, "kn-lab", "10.11.0.")
    assert not conf.exists(), "definition file still there after delete"
    assert "lab" not in lab.networks()
    lab.kn("net", "show", "lab", expect=1)


def test_delete_inactive(lab):
    lab.create("lab", "routed", "10.12.0.0/24")
    lab.kn("net", "stop", "lab")
    lab.kn("net", "delete", "lab")
    assert lab.networks() == {}
    assert not (lab.state / "networks" / "lab.conf").exists()


def test_options_reach_kernel_and_definition(lab):
    lab.create("opts", "nat", "10.13.0.0/24", "--dhcp-range", "10.13.0.100-10.13.0.200",
               "--mtu", "1400", "--bridge", "ktbr0", "--domain", "lab.test", "--no-dhcp",
               "--no-dns", "--autostart")
    assert_active(lab, "opts", "ktbr0", "10.13.0.1/24")
    assert lab.link("ktbr0")["mtu"] == 1400
    assert lab.link("kn-opts") is None
    assert lab.networks()["opts"]["bridge"] == "ktbr0"

    keys = knlab.parse_ini_keys(lab.kn("net", "export", "opts").stdout)
    assert keys.get("mode") == "nat" and keys.get("subnet") == "10.13.0.0/24", keys
    assert keys.get("dhcp-range") == "10.13.0.100-10.13.0.200", keys
    assert keys.get("mtu") == "1400" and keys.get("bridge") == "ktbr0", keys
    assert keys.get("domain") == "lab.test", keys
    assert keys.get("autostart", "").lower() in ("yes", "true", "on", "1"), keys
    assert keys.get("dhcp", "").lower() in ("no", "false", "off", "0"), keys
    assert keys.get("dns", "").lower() in ("no", "false", "off", "0"), keys


def test_export_define_roundtrip(lab):
    lab.create("rt", "routed", "10.14.0.0/24", "--dhcp-range", "10.14.0.50-10.14.0.60",
               "--mtu", "1450", "--domain", "rt.test")
    exported = lab.kn("net", "export", "rt").stdout
    lab.kn("net", "delete", "rt")

    f = lab.tmp / "rt.conf"
    f.write_text(exported)
    lab.kn("net", "define", f)
    n = lab.networks()["rt"]
    assert n["state"] == "inactive", "net define must not start a new network: %s" % n
    assert lab.link("kn-rt") is None
    assert lab.kn("net", "export", "rt").stdout == exported

    lab.kn("net", "start", "rt")
    assert_active(lab, "rt", "kn-rt", "10.14.0.1/24")
    assert lab.link("kn-rt")["mtu"] == 1450


def test_define_name_from_file_and_name_key(lab):
    a = lab.tmp / "fromfile.conf"
    a.write_text("[network]\nmode = isolated\nsubnet = 10.15.0.0/24\n")
    b = lab.tmp / "other.conf"
    b.write_text("[network]\nname = named\nmode = nat\nsubnet = 10.16.0.0/24\n")
    lab.kn("net", "define", a)
    lab.kn("net", "define", b)
    nets = lab.networks()
    assert sorted(nets) == ["fromfile", "named"], nets
    assert nets["fromfile"]["mode"] == "isolated" and nets["named"]["mode"] == "nat"
    assert (lab.state / "networks" / "named.conf").is_file()


def test_define_replaces_inactive_definition(lab):
    f = lab.tmp / "rep.conf"
    f.write_text("[network]\nmode = nat\nsubnet = 10.17.0.0/24\nmtu = 1400\n")
    lab.kn("net", "define", f)
    f.write_text("[network]\nmode = nat\nsubnet = 10.17.0.0/24\nmtu = 1300\n")
    lab.kn("net", "define", f)
    assert list(lab.networks()) == ["rep"]
    assert knlab.parse_ini_keys(lab.kn("net", "export", "rep").stdout).get("mtu") == "1300"
    lab.kn("net", "start", "rep")
    assert lab.link("kn-rep")["mtu"] == 1300


def test_longest_name_gets_a_valid_bridge(lab):
    name = "a" * 32
    lab.create(name, "isolated", "10.18.0.0/24")
    bridge = lab.networks()[name]["bridge"]
    assert 1 <= len(bridge) <= 15 and bridge.startswith("kn-"), bridge
    assert_active(lab, name, bridge, "10.18.0.1/24")


def test_all_modes_listed(lab):
    for i, mode in enumerate(("nat", "routed", "isolated", "open")):
        lab.create("m" + mode, mode, "10.19.%d.0/24" % i)
    nets = lab.networks()
    assert {n: v["mode"] for n, v in nets.items()} == {
        "mnat": "nat", "mrouted": "routed", "misolated": "isolated", "mopen": "open"}
    assert all(v["state"] == "active" for v in nets.values()), nets
    for i, mode in enumerate(("nat", "routed", "isolated", "open")):
        assert "10.19.%d.1/24" % i in lab.addrs("kn-m" + mode)


def api_call(lab, method, **params):
    """One request straight to the daemon's socket (no CLI start-up between two requests)."""
    import json
    import socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(str(lab.sock))
        s.sendall((json.dumps({"id": 1, "method": method, "params": params}) + "\n").encode())
        buf = b""
        while b"\n" not in buf:
            chunk = s.recv(65536)
            assert chunk, "kvmnetd closed the connection"
            buf += chunk
    msg = json.loads(buf.split(b"\n", 1)[0])
    assert "error" not in msg, "%s: %s" % (method, msg["error"])
    return msg["result"]


def test_deferred_deletion_keeps_the_name(lab):
    """net.stop replies before the kernel has deleted the bridge (the link reaper); whatever
    comes next at once must still work: a start, a delete and a create of the same name and
    subnet, a port add of a tap that was just removed."""
    lab.create("lab", "nat", "10.19.0.0/24")
    lab.kn("port", "add", "lab", "--name", "knrt0")
    for _ in range(3):
        api_call(lab, "net.stop", name="lab")
        api_call(lab, "net.start", name="lab")
        assert_active(lab, "lab", "kn-lab", "10.19.0.1/24")
        assert lab.link("knrt0") is not None, "the defined port did not come back"
    api_call(lab, "net.delete", name="lab")
    api_call(lab, "net.create", name="lab", config={"mode": "nat", "subnet": "10.19.0.0/24"})
    assert_active(lab, "lab", "kn-lab", "10.19.0.1/24")
    api_call(lab, "net.stop", name="lab")
    assert_gone_from_kernel(lab, "kn-lab", "10.19.0.")
    assert lab.link("knrt0") is None


def test_links_left_for_deletion_go_at_start_up(lab):
    """A daemon killed before its reaper was done leaves links in the reaper's group: the next
    one deletes them first (their stop was acknowledged), and touches no other link."""
    lab.create("lab", "nat", "10.18.0.0/24")
    api_call(lab, "net.stop", name="lab")
    lab.stop_daemon(sig=knlab.signal.SIGKILL)
    knlab.run(["ip", "-n", lab.host, "link", "add", "knleft", "type", "bridge"])
    knlab.run(["ip", "-n", lab.host, "link", "set", "knleft", "group", str(lab.REAPER_GROUP)])
    knlab.run(["ip", "-n", lab.host, "link", "add", "knkeep", "type", "bridge"])
    lab.start_daemon()
    assert lab.link("knleft") is None
    assert lab.link("kn-lab") is None
    assert lab.link("knkeep") is not None
    assert lab.networks()["lab"]["state"] == "inactive"
    knlab.run(["ip", "-n", lab.host, "link", "del", "knkeep"])
