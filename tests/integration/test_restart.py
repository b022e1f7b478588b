# SPDX-License-Identifier: GPL-2.0-or-later
"""Desired state survives the daemon: a restart (SIGTERM or kill -9) leaves guest traffic and
kernel objects alone and adopts them; a bridge deleted while the daemon was down comes back;
autostart networks start with the daemon."""
import json
import signal
import time

import pytest

from knlab import HOST_UP, NETTOOL, OUTSIDE, PY, Probe, run, run_probes


def kernel_view(lab, bridge):
    link = lab.link(bridge)
    return {"ifindex": link and link["ifindex"], "addrs": lab.addrs(bridge),
            "nft": lab.kvmnet_table()}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_restart_keeps_guest_traffic(lab, sig):
    lab.create("lab", "nat", "10.40.0.0/24")
    g = lab.guest("kn-lab", "10.40.0.10/24", "10.40.0.1")
    srv = lab.serve(lab.out, "tcp", OUTSIDE, 7000)
    run_probes([Probe("guest -> outside", g.ns, "ping", OUTSIDE)])
    before = kernel_view(lab, "kn-lab")
    assert before["ifindex"] and before["nft"], before

    stop = lab.tmp / "stop-stream"
    client, outp = lab.spawn(g.ns, [PY, NETTOOL, "stream", OUTSIDE, 7000, "--interval", "0.05",
                                    "--stop", stop])
    lab.wait_output(client, outp, r"^started ")
    time.sleep(0.5)

    rc = lab.stop_daemon(sig)
    assert rc == (0 if sig == signal.SIGTERM else -signal.SIGKILL), \
        "kvmnetd exit status %s on %s" % (rc, sig.name)
    time.sleep(0.5)
    assert kernel_view(lab, "kn-lab") == before, "stopping the daemon changed the kernel"
    lab.start_daemon()
    time.sleep(1.0)

    stop.write_text("")
    client.wait(5)
    res = json.loads(outp.read_text().splitlines()[-1])
    assert res["ok"], "stream broke: %s" % res
    assert res["peer"] == HOST_UP, res
    assert res["sent"] >= 20, res
    assert res["max_gap"] < 1.0, "stream stalled %.2fs across the restart" % res["max_gap"]
    accepts = [ln for ln in srv.outp.read_text().splitlines() if ln.startswith("accept ")]
    assert len(accepts) == 1, "expected one connection, server saw: %s" % accepts

    after = kernel_view(lab, "kn-lab")
    assert after == before, "restart changed kernel state:\nbefore %s\nafter  %s" % (before, after)
    assert lab.networks()["lab"]["state"] == "active"
    run_probes([Probe("new connection after restart", g.ns, "tcp", OUTSIDE, 7000, seen=HOST_UP)])


def test_bridge_deleted_while_stopped_comes_back(lab):
    lab.create("lab", "nat", "10.41.0.0/24")
    assert lab.stop_daemon() == 0
    run(["ip", "-n", lab.host, "link", "del", "kn-lab"])
    lab.start_daemon()
    lab.wait_link("kn-lab")
    deadline = time.monotonic() + 5
    while "10.41.0.1/24" not in lab.addrs("kn-lab") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "10.41.0.1/24" in lab.addrs("kn-lab")
    assert "UP" in lab.link("kn-lab")["flags"]
    assert lab.networks()["lab"]["state"] == "active"
    g = lab.guest("kn-lab", "10.41.0.10/24", "10.41.0.1")
    lab.serve(lab.out, "tcp", OUTSIDE, 7000)
    run_probes([
        Probe("guest -> gateway", g.ns, "ping", "10.41.0.1"),
        Probe("guest -> outside, masqueraded", g.ns, "tcp", OUTSIDE, 7000, seen=HOST_UP),
    ])


def test_definitions_survive_restart(lab):
    lab.create("keep", "routed", "10.42.0.0/24")
    lab.create("idle", "isolated", "10.43.0.0/24")
    lab.kn("net", "stop", "idle")
    assert lab.stop_daemon() == 0
    lab.start_daemon()
    nets = lab.networks()
    assert (nets["keep"]["state"], nets["idle"]["state"]) == ("active", "inactive"), nets
    assert lab.link("kn-idle") is None


def test_autostart(topo):
    nets = topo.state / "networks"
    nets.mkdir(parents=True)
    (nets / "auto.conf").write_text(
        "[network]\nmode = nat\nsubnet = 10.44.0.0/24\nautostart = yes\n")
    (nets / "manual.conf").write_text(
        "[network]\nmode = nat\nsubnet = 10.45.0.0/24\nautostart = no\n")
    topo.start_daemon()
    topo.wait_link("kn-auto")
    nets = topo.networks()
    assert nets["auto"]["state"] == "active", nets
    assert nets["manual"]["state"] == "inactive", nets
    assert "10.44.0.1/24" in topo.addrs("kn-auto")
    assert topo.link("kn-manual") is None


def test_bridge_deleted_while_running_is_repaired(lab):
    """The netlink monitor sees a bridge deleted behind the daemon's back and recreates it."""
    lab.create("lab", "nat", "10.43.0.0/24")
    old = lab.link("kn-lab")["ifindex"]
    run(["ip", "-n", lab.host, "link", "del", "kn-lab"])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        link = lab.link("kn-lab")
        if link and "10.43.0.1/24" in lab.addrs("kn-lab") and "UP" in link["flags"]:
            break
        time.sleep(0.05)
    link = lab.link("kn-lab")
    assert link and link["ifindex"] != old, "bridge was not recreated"
    assert "10.43.0.1/24" in lab.addrs("kn-lab")
    assert "UP" in link["flags"]
    g = lab.guest("kn-lab", "10.43.0.10/24", "10.43.0.1")
    run_probes([Probe("guest -> gateway after repair", g.ns, "ping", "10.43.0.1")])


def test_stale_running_marker_pruned(lab):
    """A crash between the two unlinks of net.delete leaves running/NAME without its definition;
    the next daemon removes it (and starts nothing for it)."""
    lab.create("keep", "isolated", "10.77.9.0/24")
    lab.stop_daemon(signal.SIGKILL)
    (lab.state / "running" / "ghost").write_text("")
    lab.start_daemon()
    assert not (lab.state / "running" / "ghost").exists()
    assert (lab.state / "running" / "keep").exists()
    names = [n["name"] for n in json.loads(lab.kn("net", "list", "--json").stdout)]
    assert names == ["keep"]
