# SPDX-License-Identifier: GPL-2.0-or-later
"""What the lab tests (test_labs, test_lab_qemu, test_lab_impair) share: a kvmnetd keeping lab
namespaces in the test's folder, and the snapshot a lab's 'down' must give back."""
import subprocess


def lab_daemon(topo, *args):
    """Generator for a fixture: kvmnetd in the test's mount namespace (nsenter --net, so that the
    nodes' namespace mounts are visible here) with --netns-dir in the test's folder plus 'args';
    the base tables the first network and port install are made first, so that snapshots
    compare what a lab leaves. Labs listed in topo.lab_files are taken down at the end, the
    daemon stopped, and any namespace mount left undone (the veths die with the host ns)."""
    nsdir = topo.tmp / "netns"
    nsdir.mkdir()
    topo.nsdir = nsdir
    topo.daemon_args = ("--netns-dir", str(nsdir)) + tuple(str(a) for a in args)
    topo.start_daemon(args=topo.daemon_args, mount_ns=False)
    topo.create("warm", "isolated", "10.79.0.0/24")
    topo.kn("port", "add", "warm")
    topo.kn("net", "delete", "warm")
    topo.lab_files = []
    try:
        yield topo
    finally:
        for f in topo.lab_files:
            topo.kn("lab", "down", f, check=False, timeout=30)
        if topo.daemon is not None and topo.daemon.poll() is None:
            topo.stop_daemon()
        for p in sorted(nsdir.iterdir()):
            subprocess.run(["umount", "-l", str(p)], check=False, capture_output=True)
        subprocess.run(["umount", "-l", str(nsdir)], check=False, capture_output=True)


def live_leases(journal):
    """The leases a journal holds (its puts less its deletes), not its history."""
    live = {}
    for line in journal.splitlines():
        f = line.split()
        if len(f) >= 6 and f[2] in ("put", "del"):
            if f[2] == "put":
                live[(f[3], f[4])] = f[5]
            else:
                live.pop((f[3], f[4]), None)
    return sorted(live.items())


def lab_snapshot(lab, records=True, leases_live=True):
    """lab.snapshot() plus the namespaces folder; the lease journal as its live leases (unless
    not 'leases_live'); the labs/ record folder left out unless 'records'; and the port
    service's bridge table compared only when it holds something (it stays once made, as for
    any adopted port)."""
    s = lab.snapshot()
    s["netns-dir"] = sorted(p.name for p in lab.nsdir.iterdir())
    if leases_live and "leases.journal" in s["files"]:
        s["files"]["leases.journal"] = live_leases(s["files"]["leases.journal"])
    if not records:
        s["files"].pop("labs/", None)
    nft = s["nft"]
    i = nft.find("table bridge kvmnet {")
    if i >= 0 and "elements" not in nft[i:]:
        s["nft"] = nft[:i]
    return s
