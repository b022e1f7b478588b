# SPDX-License-Identifier: GPL-2.0-or-later
"""Lab nodes of kind = qemu (docs/LABS.md): examples/labs/webapp.lab comes up with its web node a
real QEMU guest (the project's tiny guest, TCG here, KVM where /dev/kvm works), its checks pass,
the forward of host port 8080 reaches the guest's port 80 from outside, a restarted daemon takes
the guest back by PID (same QEMU, forward still working), and 'lab down' stops QEMU and leaves
nothing. A QEMU that dies fails its node, naming it. Skips where QEMU or the guest's packages are missing."""
import os
import pathlib
import signal
import time

import pytest

import qemu_guest
from labkit import lab_daemon, lab_snapshot
from knlab import HOST_UP, run

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "labs"


@pytest.fixture
def qlab(topo):
    """lab_daemon's kvmnetd with the tiny guest built into BUILD/guest (--guest-dir)."""
    kernel, _ = qemu_guest.guest_images(topo.bin)
    yield from lab_daemon(topo, "--guest-dir", pathlib.Path(kernel).parent)


def snap(lab):
    return lab_snapshot(lab, records=False)


def qemu_alive(pid, name):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and b"-name" in args and args[args.index(b"-name") + 1] == name.encode()


def http_from_outside(lab, port=8080, timeout=10):
    """GET / through the host's forward, from the outside namespace: the reply's text."""
    p = run(["ip", "netns", "exec", lab.out, "/usr/bin/python3", "-c",
             "import socket,sys\n"
             "s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)\n"
             "s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n"
             "d=b''\n"
             "while True:\n"
             "    c=s.recv(4096)\n"
             "    if not c: break\n"
             "    d+=c\n"
             "sys.stdout.write(d.decode(errors='replace'))\n", HOST_UP, str(port)],
            check=False, timeout=timeout)
    return p.stdout


def test_webapp_qemu_up_restart_down(qlab):
    lab = qlab
    path = EXAMPLES / "webapp.lab"
    before = snap(lab)
    lab.lab_files.append(path)
    t0 = time.monotonic()
    p = lab.kn("lab", "up", path, timeout=180)
    took = time.monotonic() - t0
    print("webapp.lab (1 qemu + 3 netns nodes, 4 checks) up in %.1f s" % took)
    assert "node web: QEMU started (pid" in p.stdout, p.stdout
    assert "node web: guest ready after" in p.stdout, p.stdout
    assert "4 of 4 checks passed" in p.stdout, p.stdout

    st = lab.kn_json("lab", "status", path)
    web = next(n for n in st["nodes"] if n["name"] == "web")
    assert (web["kind"], web["state"], web["guest"]) == ("qemu", "up", "tiny"), web
    assert web["nics"][0]["address"] == "10.80.1.10"
    pid = web["pid"]
    name = "kvmnet-lab:webapp:web"
    assert qemu_alive(pid, name)
    tap = web["nics"][0]["port"]
    assert lab.link(tap)["master"] == "kn-front"
    console = pathlib.Path(web["console"])
    assert console.parent == lab.state / "labs"
    assert "KVMNET-GUEST nic eth0 ip=10.80.1.10/24 static" in console.read_text(errors="replace")
    assert "KVMNET-GUEST listen 80" in console.read_text(errors="replace")
    assert {c["name"]: c["result"] for c in st["checks"]}["web-reachable"] == "passed"
    # the forward: host port 8080 to web:80, from outside the host
    assert "kvmnet guest web" in http_from_outside(lab)

    # a restarted daemon takes the guest back: the same QEMU, the forward still there
    lab.stop_daemon()
    assert qemu_alive(pid, name)
    lab.start_daemon(args=lab.daemon_args, mount_ns=False)
    st2 = lab.kn_json("lab", "status", path)
    web2 = next(n for n in st2["nodes"] if n["name"] == "web")
    assert (web2["state"], web2["pid"]) == ("up", pid), web2
    assert "kvmnet guest web" in http_from_outside(lab)

    p = lab.kn("lab", "down", path, timeout=30)
    assert p.stdout.strip() == "Lab webapp is down: 4 nodes and 2 networks removed"
    assert not qemu_alive(pid, name)
    assert not console.exists()
    after = snap(lab)
    assert after == before, lab.snapshot_diff(before, after)


TWO_NICS = """[lab]
name = q2

[network pub]
mode = nat
subnet = 10.74.1.0/24
dhcp-range = 10.74.1.100-10.74.1.150

[network priv]
mode = isolated
subnet = 10.74.2.0/24
dhcp = no

[node vm]
kind = qemu
memory = 160
nics = pub:10.74.1.50

[node peer]
nics = pub:10.74.1.10 priv:10.74.2.10

[check vm-pub]
from = peer
to = vm
expect = open
"""


def test_guest_then_qemu_dies(qlab):
    lab = qlab
    path = lab.tmp / "q2.lab"
    path.write_text(TWO_NICS)
    lab.lab_files.append(path)
    before = snap(lab)
    lab.kn("lab", "up", path, timeout=180)
    st = lab.kn_json("lab", "status", path)
    vm = next(n for n in st["nodes"] if n["name"] == "vm")
    pub, = vm["nics"]
    assert (pub["dhcp"], pub["address"]) == (False, "10.74.1.50"), pub
    # reachable from the netns peer, with a real ping
    peer_ns = str(lab.nsdir / "kl-q2-peer")
    run(["nsenter", "--net=" + peer_ns, "ping", "-c1", "-W3", pub["address"]], timeout=10)

    # QEMU dies: the node fails, naming QEMU
    os.kill(vm["pid"], signal.SIGKILL)
    for _ in range(50):
        vm = next(n for n in lab.kn_json("lab", "status", path)["nodes"] if n["name"] == "vm")
        if vm["state"] == "failed":
            break
        time.sleep(0.2)
    assert vm["state"] == "failed" and "QEMU (pid %d) exited" % pid_of(vm) in vm["error"], vm
    lab.kn("lab", "down", path, timeout=30)
    after = snap(lab)
    assert after == before, lab.snapshot_diff(before, after)


def pid_of(node):
    return node["pid"]
