# SPDX-License-Identifier: GPL-2.0-or-later
"""Load: perfdhcp (Debian package kea-admin) at a high rate with thousands of simulated clients,
dnsperf (package dnsperf) against the network's DNS server, and parallel control requests, all
at once for a bounded time. Checks: every control request is answered (a result or a clean
error, never a dropped connection), DHCP and DNS keep answering (at most LOSS_MAX of the
queries lost; the sanitizer build is offered a quarter of the rates), and the daemon's memory (VmRSS) after a warm-up grows by at most RSS_GROWTH_MAX
during the run (plain build; ASan's quarantine makes RSS meaningless under the sanitizers)."""
import json
import re
import shutil
import socket
import subprocess
import threading
import time

import pytest

from knlab import run

SECONDS = 6            # per phase: a warm-up, then the measured run
DHCP_RATE = 1000       # perfdhcp exchanges started per second
DHCP_CLIENTS = 2000
DNS_QPS = 3000
LOSS_MAX = 0.05        # fraction of DHCP exchanges / DNS queries allowed to go unanswered
RSS_GROWTH_MAX = 4096  # kB of RSS growth allowed between the warm-up and the end
SANITIZER_SLOWDOWN = 4 # the ASan+UBSan build gets a quarter of the rates


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def sanitizer_build(lab):
    out = subprocess.run(["ldd", str(lab.bin / "kvmnetd")], capture_output=True, text=True)
    return "libasan" in out.stdout or "libubsan" in out.stdout


class Control(threading.Thread):
    """Control requests in a loop on their own connections; every one must get an answer."""

    def __init__(self, lab, n, stop):
        super().__init__(daemon=True)
        self.path, self.n, self.stop = str(lab.sock), n, stop
        self.answered = self.refused = 0
        self.problems = []

    def call(self, req):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(self.path)
            s.sendall((json.dumps(req) + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                buf += chunk
        except OSError as e:
            self.problems.append("%s: %s" % (req["method"], e))
            return
        finally:
            s.close()
        try:
            reply = json.loads(buf)
        except ValueError:
            self.problems.append("%s: no answer (%d bytes)" % (req["method"], len(buf)))
            return
        if "result" in reply:
            self.answered += 1
        elif "message" in reply.get("error", {}) and "\n" not in reply["error"]["message"]:
            self.refused += 1
        else:
            self.problems.append("%s: malformed answer %r" % (req["method"], reply))

    def run(self):
        i = 0
        mac = "52:54:00:93:%02x:%02x" % (self.n, 0)
        while not self.stop.is_set():
            i += 1
            for method, params in (
                    ("net.list", {}), ("net.show", {"name": "load"}),
                    ("lease.list", {"network": "load"}),
                    ("host.add", {"network": "load", "mac": mac,
                                  "ip": "10.92.15.%d" % (10 + self.n)}),
                    ("host.remove", {"network": "load", "mac": mac}),
                    ("net.create", {"name": "load", "config": {}}),   # refused: exists
                    ("status", {})):
                self.call({"id": i, "method": method, "params": params})


def perfdhcp(lab, ns, seconds, slow):
    """Starts perfdhcp in 'ns'; returns the Popen (output: stdout)."""
    return subprocess.Popen(
        ["ip", "netns", "exec", ns, "perfdhcp", "-4", "-l", "eth0", "-r", str(DHCP_RATE // slow),
         "-R", str(DHCP_CLIENTS), "-p", str(seconds), "10.92.0.1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def dnsperf(lab, ns, seconds, queries, slow):
    return subprocess.Popen(
        ["ip", "netns", "exec", ns, "dnsperf", "-s", "10.92.0.1", "-d", str(queries), "-l",
         str(seconds), "-Q", str(DNS_QPS // slow), "-t", "2"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def perfdhcp_loss(out):
    """Fraction of DISCOVER/REQUEST exchanges without an answer, from perfdhcp's report."""
    sent = [int(x) for x in re.findall(r"sent packets: (\d+)", out)]
    recv = [int(x) for x in re.findall(r"received packets: (\d+)", out)]
    assert sent and recv and sent[0] > 0, "no perfdhcp statistics:\n" + out
    return 1 - sum(recv) / sum(sent), sum(sent), sum(recv)


def dnsperf_loss(out):
    sent = re.search(r"Queries sent:\s+(\d+)", out)
    done = re.search(r"Queries completed:\s+(\d+)", out)
    assert sent and done and int(sent.group(1)) > 0, "no dnsperf statistics:\n" + out
    return 1 - int(done.group(1)) / int(sent.group(1)), int(sent.group(1)), int(done.group(1))


def phase(lab, dg, qg, queries, seconds):
    slow = SANITIZER_SLOWDOWN if sanitizer_build(lab) else 1
    stop = threading.Event()
    controls = [Control(lab, i, stop) for i in range(3)]
    for c in controls:
        c.start()
    pd = perfdhcp(lab, dg.ns, seconds, slow)
    dp = dnsperf(lab, qg.ns, seconds, queries, slow)
    pout, _ = pd.communicate(timeout=seconds + 30)
    dout, _ = dp.communicate(timeout=seconds + 30)
    stop.set()
    for c in controls:
        c.join(30)
    return pout, dout, controls


def test_load(lab):
    for tool, pkg in (("perfdhcp", "kea-admin"), ("dnsperf", "dnsperf")):
        if shutil.which(tool) is None and not (tool == "perfdhcp"
                                               and shutil.which("/usr/sbin/perfdhcp")):
            pytest.skip("%s is not installed (Debian package %s)" % (tool, pkg))
    lab.create("load", "nat", "10.92.0.0/20", "--dhcp-range", "10.92.0.10-10.92.14.250",
               "--lease-time", "1h")
    lab.kn("host", "add", "load", "52:54:00:93:ff:01", "10.92.15.1", "web")
    dg = lab.guest("kn-load", "10.92.15.200/20", "10.92.0.1")
    qg = lab.guest("kn-load", "10.92.15.201/20", "10.92.0.1")
    queries = lab.tmp / "queries"
    queries.write_text("web.load.kvmnet A\nweb.load.kvmnet AAAA\nnone.load.kvmnet A\n"
                       "load.kvmnet SOA\n1.15.92.10.in-addr.arpa PTR\n")
    pid = lab.daemon.pid

    pout, dout, controls = phase(lab, dg, qg, queries, SECONDS)   # warm-up
    before = rss_kb(pid)
    loop0 = lab.kn_json("status")["loop"]
    pout, dout, controls = phase(lab, dg, qg, queries, SECONDS)
    after = rss_kb(pid)
    loop1 = lab.kn_json("status")["loop"]
    # the event loop's rounds during the measured phase (the longest since the start)
    print("event loop: %d rounds, %d over 100 ms, %d over 1 s; longest round so far %.1f ms "
          "(%.1f ms of CPU); load average %s" % (
              loop1["rounds"] - loop0["rounds"],
              loop1["rounds-over-100ms"] - loop0["rounds-over-100ms"],
              loop1["rounds-over-1s"] - loop0["rounds-over-1s"], loop1["max-round-usec"] / 1000,
              loop1["max-round-cpu-usec"] / 1000, open("/proc/loadavg").read().split()[0]))

    problems = [p for c in controls for p in c.problems]
    assert not problems, "control requests not answered:\n" + "\n".join(problems[:20])
    answered = sum(c.answered for c in controls)
    refused = sum(c.refused for c in controls)
    assert answered > 0 and refused > 0, (answered, refused)
    dloss, dsent, drecv = perfdhcp_loss(pout)
    qloss, qsent, qdone = dnsperf_loss(dout)
    report = ("DHCP %d sent, %d answered; DNS %d sent, %d answered; control %d answered, "
              "%d refused; RSS %d kB -> %d kB" % (dsent, drecv, qsent, qdone, answered,
                                                  refused, before, after))
    print(report)
    assert dloss <= LOSS_MAX, "perfdhcp: %.1f%% lost (%s)\n%s" % (100 * dloss, report, pout)
    assert qloss <= LOSS_MAX, "dnsperf: %.1f%% lost (%s)\n%s" % (100 * qloss, report, dout)
    if not sanitizer_build(lab):
        assert after - before <= RSS_GROWTH_MAX, \
            "kvmnetd RSS grew by %d kB under load (bound %d kB): %s" % (
                after - before, RSS_GROWTH_MAX, report)
    assert lab.daemon.poll() is None, "kvmnetd died under load"
