# SPDX-License-Identifier: GPL-2.0-or-later
"""kvmnetd under valgrind memcheck: create/start/lease/stop/delete cycles (with reservations,
ports and DHCP leases taken by a real client, busybox udhcpc) and a clean SIGTERM; any memory
error, and any definite or indirect leak, fails the test. Runs on the plain build only (the
sanitizer build has ASan's own leak checker)."""
import pathlib
import shutil
import signal
import subprocess

import pytest

from knlab import run

CYCLES = 3
VALGRIND_ERROR = 99
SUPPRESSIONS = pathlib.Path(__file__).resolve().parent / "valgrind.supp"


def plain_build(lab):
    out = subprocess.run(["ldd", str(lab.bin / "kvmnetd")], capture_output=True, text=True)
    return "libasan" not in out.stdout and "libubsan" not in out.stdout


def test_valgrind_cycles(topo):
    lab = topo
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (Debian package valgrind)")
    if not plain_build(lab):
        pytest.skip("%s is a sanitizer build: valgrind runs on the plain build" % lab.bin)
    vlog = lab.tmp / "valgrind.log"
    lab.start_daemon(wait=False, wrap=[
        "valgrind", "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite,indirect",
        "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=%d" % VALGRIND_ERROR,
        "--track-origins=yes", "--suppressions=%s" % SUPPRESSIONS, "--log-file=%s" % vlog])
    lab.wait_ready(timeout=90)
    guest = None
    for cycle in range(CYCLES):
        net = "vg%d" % cycle
        lab.create(net, "nat", "10.91.%d.0/24" % cycle)
        if guest is None:
            guest = lab.dhcp_guest("kn-" + net)
        else:
            run(["ip", "-n", lab.host, "link", "set", guest.host_if, "master", "kn-" + net])
        lab.kn("host", "add", net, "52:54:00:91:00:01", "10.91.%d.20" % cycle, "res1")
        lab.kn("port", "add", net, "--name", "vgp%d" % cycle, timeout=60)
        p = run(["ip", "netns", "exec", guest.ns, "busybox", "udhcpc", "-i", "eth0", "-f", "-q",
                 "-n", "-t", "5", "-T", "2", "-s", "/bin/true"], check=False, timeout=60)
        assert p.returncode == 0, "udhcpc got no lease in cycle %d: %s" % (cycle, p.stderr)
        lab.wait_lease(guest.mac, net, timeout=30)
        lab.kn("net", "show", net, timeout=60)
        lab.kn("graph", timeout=60)
        lab.kn("net", "stop", net, timeout=60)
        lab.kn("net", "start", net, timeout=60)
        run(["ip", "-n", lab.host, "link", "set", guest.host_if, "master", "kn-" + net])
        lab.kn("port", "remove", net, "vgp%d" % cycle, timeout=60)
        lab.kn("host", "remove", net, "52:54:00:91:00:01", timeout=60)
        lab.kn("net", "delete", net, timeout=60)
    rc = lab.stop_daemon(signal.SIGTERM, timeout=120)
    text = vlog.read_text(errors="replace") if vlog.exists() else "(no valgrind log)"
    assert rc == 0, "kvmnetd under valgrind exited with %s (%d = valgrind found errors):\n%s" % (
        rc, VALGRIND_ERROR, text)
    assert "ERROR SUMMARY: 0 errors" in text, text
