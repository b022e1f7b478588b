# SPDX-License-Identifier: GPL-2.0-or-later
"""The integration tests' sandbox: namespaces, a kvmnetd inside the "host" one, guests, probes.

Topology of one Lab (every name starts with "kntest-<id>-", nothing touches the root namespace):

    outside ns  eth0 198.51.100.2/24 ---veth--- up0 198.51.100.1/24  host ns (kvmnetd runs here)
                route 10.0.0.0/8 via .1                              default via 198.51.100.2
                                                                     kn-NET bridges <- vgN veths
    guest ns gN  eth0 (static address, default route via the network's gateway)

The CLI runs in the root namespace and reaches the daemon through its socket path. Every daemon
and CLI run gets ASAN_OPTIONS/UBSAN_OPTIONS pointing their reports into TMP/san; a file there fails
the test. cleanup() undoes everything and returns the problems it found (daemon exit status,
sanitizer reports) so the fixture can fail the test after cleaning up.
"""
import contextlib
import difflib
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
PY = "/usr/bin/python3"
NETTOOL = str(HERE / "nettool.py")

HOST_UP = "198.51.100.1"
OUTSIDE = "198.51.100.2"

# What a sanitizer prints. With gcc's combined ASan+UBSan runtime, UBSan reports ignore
# UBSAN_OPTIONS' log_path and go to stderr: so stderr and the daemon's log are scanned too, and
# what is found is copied into TMP/san like any other report.
SANITIZER_RE = re.compile(r"runtime error:|Sanitizer|==\d+==ERROR")

# Every namespace and temp dir this process made; checked at the end of the session.
CREATED_NS = set()
CREATED_TMP = set()


def build_dir():
    p = pathlib.Path(os.environ.get("KVMNET_BUILD", "build"))
    return p if p.is_absolute() else REPO / p


def project_version():
    m = re.search(r"version\s*:\s*'([^']+)'", (REPO / "meson.build").read_text())
    return m.group(1) if m else None


def run(cmd, check=True, timeout=15, env=None):
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise AssertionError("command failed (exit %d): %s\nstdout: %s\nstderr: %s"
                             % (p.returncode, " ".join(map(str, cmd)), p.stdout, p.stderr))
    return p


def netns_list():
    out = run(["ip", "-j", "netns", "list"], check=False).stdout.strip()
    return [n["name"] for n in json.loads(out)] if out else []


def drop_timers(obj):
    """Removes the kernel's running timers (e.g. a bridge's gc_timer) from 'ip -d -j' output."""
    if isinstance(obj, dict):
        return {k: drop_timers(v) for k, v in obj.items() if not k.endswith("_timer")}
    if isinstance(obj, list):
        return [drop_timers(v) for v in obj]
    return obj


def normalize_nft(text):
    text = re.sub(r"counter packets \d+ bytes \d+", "counter", text)
    return re.sub(r" expires \S+", "", text)


def parse_ini_keys(text, section="network"):
    """Key/value pairs of one INI section ([network] by default), for checking exports."""
    keys, cur = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            cur = line.strip("[]").strip()
            continue
        if cur == section and "=" in line:
            k, v = line.split("=", 1)
            keys[k.strip()] = v.strip()
    return keys


class Probe:
    """One reachability check: from namespace 'ns', 'kind' (ping|tcp|udp) to addr[:port].

    'expect' is True (must answer) or False (must not). 'seen' (tcp only) is the source address
    the server must report, i.e. what the other side saw.
    """

    def __init__(self, label, ns, kind, addr, port=None, expect=True, seen=None):
        self.label, self.ns, self.kind, self.addr, self.port = label, ns, kind, addr, port
        self.expect, self.seen = expect, seen
        self.ok = None
        self.detail = ""

    def cmd(self):
        base = ["ip", "netns", "exec", self.ns]
        if self.kind == "ping":
            return base + ["ping", "-n", "-q", "-c1", "-W1", self.addr]
        return base + [PY, NETTOOL, self.kind, self.addr, str(self.port), "--timeout", "1"]

    def target(self):
        return self.addr if self.port is None else "%s:%s" % (self.addr, self.port)

    def judge(self, rc, out):
        got = rc == 0
        line = out.strip().splitlines()[0] if out.strip() else ""
        if got and self.seen is not None and self.kind == "tcp":
            self.detail = "seen as %s" % (line or "?")
            self.ok = self.expect and line == self.seen
        else:
            self.detail = "answered" if got else "no answer"
            self.ok = got == self.expect
        return self.ok


def run_probes(probes, retries=2):
    """Runs all probes at once; retries the expected-positive failures (ARP, bridge warm-up).

    Raises AssertionError with a table of every probe when any result is not the expected one.
    """
    pending = list(probes)
    for attempt in range(retries + 1):
        procs = [(p, subprocess.Popen(p.cmd(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)) for p in pending]
        for p, proc in procs:
            try:
                out, _ = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            p.judge(proc.returncode, out or "")
        pending = [p for p in pending if not p.ok and p.expect]
        if not pending:
            break
        time.sleep(0.3)
    bad = [p for p in probes if not p.ok]
    if bad:
        rows = ["%-4s %-46s %-24s expected %-9s got: %s"
                % ("FAIL" if not p.ok else "ok", p.label, p.target(),
                   ("reach" + (" as " + p.seen if p.seen else "")) if p.expect else "blocked",
                   p.detail) for p in probes]
        raise AssertionError("reachability mismatch:\n" + "\n".join(rows))


class Guest:
    def __init__(self, ns, ip, gw, host_if):
        self.ns, self.ip, self.gw, self.host_if = ns, ip, gw, host_if

    def __repr__(self):
        return "Guest(%s %s)" % (self.ns, self.ip)


class Lab:
    def __init__(self):
        self.id = secrets.token_hex(3)
        self.prefix = "kntest-%s" % self.id
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix=self.prefix + "-"))
        CREATED_TMP.add(str(self.tmp))
        self.state = self.tmp / "state"
        self.sock = self.tmp / "kvmnet.sock"
        self.san = self.tmp / "san"
        self.san.mkdir()
        self.log = self.tmp / "kvmnetd.log"
        self.host = self.prefix + "-host"
        self.out = self.prefix + "-out"
        self.bin = build_dir()
        self.env = dict(os.environ)
        self.env["ASAN_OPTIONS"] = "detect_leaks=1:log_path=%s/asan" % self.san
        self.env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan" % self.san
        self.namespaces = []
        self.guests = []
        self.procs = []
        self.daemon = None
        self.daemon_runs = 0
        self.reported_san = set()
        self.nproc = 0

    # ---- topology -------------------------------------------------------------------------

    def add_ns(self, name):
        CREATED_NS.add(name)
        self.namespaces.append(name)
        run(["ip", "netns", "add", name])
        run(["ip", "-n", name, "link", "set", "lo", "up"])

    def setup(self):
        for exe in ("kvmnetd", "kvmnet"):
            if not os.access(self.bin / exe, os.X_OK):
                raise AssertionError("%s not built (KVMNET_BUILD=%s)" % (self.bin / exe, self.bin))
        self.add_ns(self.host)
        self.add_ns(self.out)
        run(["ip", "-n", self.host, "link", "add", "up0", "type", "veth",
             "peer", "name", "eth0", "netns", self.out])
        run(["ip", "-n", self.host, "addr", "add", HOST_UP + "/24", "dev", "up0"])
        run(["ip", "-n", self.host, "link", "set", "up0", "up"])
        run(["ip", "-n", self.host, "route", "add", "default", "via", OUTSIDE])
        run(["ip", "-n", self.out, "addr", "add", OUTSIDE + "/24", "dev", "eth0"])
        run(["ip", "-n", self.out, "link", "set", "eth0", "up"])
        run(["ip", "-n", self.out, "route", "add", "10.0.0.0/8", "via", HOST_UP])
        return self

    def guest(self, bridge, cidr, gw):
        """A namespace with eth0 = 'cidr', default route via 'gw', attached to 'bridge'."""
        n = len(self.guests) + 1
        ns = "%s-g%d" % (self.prefix, n)
        host_if = "vg%d" % n
        self.add_ns(ns)
        run(["ip", "-n", self.host, "link", "add", host_if, "type", "veth",
             "peer", "name", "eth0", "netns", ns])
        run(["ip", "-n", ns, "addr", "add", cidr, "dev", "eth0"])
        run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        run(["ip", "-n", ns, "route", "add", "default", "via", gw])
        run(["ip", "-n", self.host, "link", "set", host_if, "master", bridge, "up"])
        g = Guest(ns, cidr.split("/")[0], gw, host_if)
        self.guests.append(g)
        return g

    def sysctl(self, ns, key, value=None):
        if value is None:
            return run(["ip", "netns", "exec", ns, "sysctl", "-n", key]).stdout.strip()
        run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "%s=%s" % (key, value)])

    # ---- the daemon and the CLI ------------------------------------------------------------

    def start_daemon(self, wait=True):
        assert self.daemon is None or self.daemon.poll() is not None, "daemon already running"
        self.daemon_runs += 1
        logf = open(self.log, "a")
        logf.write("===== kvmnetd start #%d =====\n" % self.daemon_runs)
        logf.flush()
        self.daemon = subprocess.Popen(
            ["ip", "netns", "exec", self.host, str(self.bin / "kvmnetd"), "--foreground",
             "--state-dir", str(self.state), "--socket", str(self.sock), "--log-level", "debug"],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT, env=self.env)
        logf.close()
        if wait:
            self.wait_ready()
        return self.daemon

    def wait_ready(self, timeout=10):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.daemon.poll() is not None:
                raise AssertionError("kvmnetd exited with status %d during start-up\n%s"
                                     % (self.daemon.returncode, self.log_text()))
            if self.sock.exists():
                last = self.kn("status", check=False)
                if last.returncode == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("kvmnetd not ready after %ss (socket %s, last status: %s)\n%s"
                             % (timeout, self.sock, last and (last.returncode, last.stderr),
                                self.log_text()))

    def stop_daemon(self, sig=signal.SIGTERM, timeout=10):
        """Signals the daemon (by PID) and waits; returns its exit status (-N = killed by N)."""
        d, self.daemon = self.daemon, None
        if d is None or d.poll() is not None:
            return d.returncode if d else None
        d.send_signal(sig)
        try:
            return d.wait(timeout)
        except subprocess.TimeoutExpired:
            d.kill()
            d.wait()
            raise AssertionError("kvmnetd ignored signal %d for %ss; killed" % (sig, timeout))

    def log_text(self):
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def kn(self, *args, check=True, expect=0, timeout=15, sock=None):
        """Runs the CLI (root namespace) with "--socket 'sock'" (default: the lab's; "" = none)
        in front of 'args'. 'check': the exit status must be 'expect'."""
        sock = self.sock if sock is None else sock
        cmd = [str(self.bin / "kvmnet")] + (["--socket", str(sock)] if sock else [])
        cmd += [str(a) for a in args]
        p = run(cmd, check=False, timeout=timeout, env=self.env)
        if SANITIZER_RE.search(p.stderr):
            self.nproc += 1
            (self.san / ("cli-stderr.%d" % self.nproc)).write_text(
                "kvmnet %s\n%s" % (" ".join(args), p.stderr))
        if check and p.returncode != expect:
            raise AssertionError("kvmnet %s: exit %d, expected %d\nstdout: %s\nstderr: %s"
                                 % (" ".join(map(str, args)), p.returncode, expect, p.stdout,
                                    p.stderr))
        return p

    def kn_json(self, *args):
        p = self.kn(*args, "--json")
        try:
            return json.loads(p.stdout)
        except ValueError as e:
            raise AssertionError("kvmnet %s --json: not one JSON document (%s):\n%s"
                                 % (" ".join(args), e, p.stdout))

    def create(self, name, mode, subnet, *extra):
        self.kn("net", "create", name, "--mode", mode, "--subnet", subnet, *extra)

    def networks(self):
        return {n["name"]: n for n in self.kn_json("net", "list")}

    # ---- helper processes in namespaces ---------------------------------------------------

    def spawn(self, ns, args):
        """Starts 'args' in 'ns' with output to a file; returns (Popen, output path)."""
        self.nproc += 1
        outp = self.tmp / ("proc-%d.out" % self.nproc)
        with open(outp, "w") as f:
            p = subprocess.Popen(["ip", "netns", "exec", ns] + [str(a) for a in args],
                                 stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p, outp

    def wait_output(self, proc, outp, pattern, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = outp.read_text()
            m = re.search(pattern, text, re.M)
            if m:
                return m
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError("no %r from %s (exit %s):\n%s"
                             % (pattern, proc.args, proc.poll(), outp.read_text()))

    def serve(self, ns, kind, addr, port):
        """A TCP (peer-address + echo) or UDP echo server; None if the address is in use."""
        p, outp = self.spawn(ns, [PY, NETTOOL, "serve-" + kind, addr, port])
        m = self.wait_output(p, outp, r"^(ready|inuse)$")
        if m.group(1) == "inuse":
            p.wait()
            return None
        p.outp = outp
        return p

    def stop_proc(self, p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    # ---- kernel state of the host namespace -----------------------------------------------

    def link(self, name):
        p = run(["ip", "-n", self.host, "-j", "-d", "link", "show", "dev", name], check=False)
        return json.loads(p.stdout)[0] if p.returncode == 0 and p.stdout.strip() else None

    def addrs(self, name):
        p = run(["ip", "-n", self.host, "-j", "-4", "addr", "show", "dev", name], check=False)
        if p.returncode != 0 or not p.stdout.strip():
            return []
        return ["%s/%d" % (a["local"], a["prefixlen"])
                for i in json.loads(p.stdout) for a in i.get("addr_info", [])]

    def wait_link(self, name, present=True, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (self.link(name) is not None) == present:
                return
            time.sleep(0.05)
        raise AssertionError("link %s still %s after %ss" % (
            name, "missing" if present else "present", timeout))

    def nft(self, *args, check=True):
        return run(["ip", "netns", "exec", self.host, "nft"] + list(args), check=check)

    def kvmnet_table(self):
        """Text of 'table inet kvmnet' in the host namespace, '' when there is none."""
        p = self.nft("list", "table", "inet", "kvmnet", check=False)
        return normalize_nft(p.stdout) if p.returncode == 0 else ""

    def kvmnet_rules_mentioning(self, *words):
        """Chains, rules and verdict maps of 'table inet kvmnet' whose JSON contains one of 'words'.

        Plain sets (e.g. a set of all kvmnet bridges, used by other networks' isolation rules)
        are not rules of their members and are not reported.
        """
        p = self.nft("-j", "list", "table", "inet", "kvmnet", check=False)
        if p.returncode != 0:
            return []
        hits = []
        for obj in json.loads(p.stdout)["nftables"]:
            kind = next(iter(obj))
            if kind == "set" or kind not in ("chain", "rule", "map"):
                continue
            text = json.dumps(obj[kind])
            hits += ["%s: %s" % (kind, text) for w in words if w in text][:1]
        return hits

    def snapshot(self):
        """Everything a refused request must leave alone: links, addresses, rules, state dir."""
        links = drop_timers(json.loads(run(["ip", "-n", self.host, "-j", "-d", "link"]).stdout))
        addrs = json.loads(run(["ip", "-n", self.host, "-j", "addr"]).stdout)
        for i in addrs:
            i["addr_info"] = [{k: v for k, v in a.items()
                               if k not in ("valid_life_time", "preferred_life_time")}
                              for a in i.get("addr_info", [])
                              if not (a.get("family") == "inet6" and a.get("scope") == "link")]
        files = {}
        if self.state.exists():
            for p in sorted(self.state.rglob("*")):
                rel = str(p.relative_to(self.state))
                if p.is_symlink():
                    files[rel] = "symlink -> " + os.readlink(p)
                elif p.is_dir():
                    files[rel + "/"] = "dir"
                elif p.is_file():
                    files[rel] = p.read_bytes().decode(errors="replace")
                else:
                    files[rel] = "special"
        return {"links": links, "addrs": addrs, "files": files,
                "nft": normalize_nft(self.nft("list", "ruleset").stdout)}

    @staticmethod
    def snapshot_diff(a, b):
        ja = json.dumps(a, indent=1, sort_keys=True).splitlines()
        jb = json.dumps(b, indent=1, sort_keys=True).splitlines()
        return "\n".join(difflib.unified_diff(ja, jb, "before", "after", lineterm=""))

    # ---- sanitizer gate and cleanup --------------------------------------------------------

    def sanitizer_reports(self):
        """New files in TMP/san as 'name:\\ncontents' strings (each reported once)."""
        out = []
        log = self.log_text()
        if SANITIZER_RE.search(log) and self.san.exists():
            (self.san / "kvmnetd-log").write_text(log)
        for p in sorted(self.san.iterdir()) if self.san.exists() else []:
            if p.name in self.reported_san:
                continue
            self.reported_san.add(p.name)
            out.append("%s:\n%s" % (p.name, p.read_text(errors="replace")))
        return out

    def cleanup(self):
        """Stops everything, deletes namespaces and the temp dir; returns a list of problems."""
        problems = []
        for p in self.procs:
            with contextlib.suppress(Exception):
                self.stop_proc(p)
        if self.daemon is not None and self.daemon.poll() is None:
            try:
                rc = self.stop_daemon(signal.SIGTERM)
                if rc != 0:
                    problems.append("kvmnetd exited with status %s on SIGTERM" % rc)
            except AssertionError as e:
                problems.append(str(e))
        elif self.daemon is not None:
            problems.append("kvmnetd had already exited (status %s) before the end of the test"
                            % self.daemon.returncode)
        self.daemon = None
        for ns in reversed(self.namespaces):
            run(["ip", "netns", "del", ns], check=False)
        left = [ns for ns in self.namespaces if ns in netns_list()]
        if left:
            problems.append("namespaces left behind: %s" % left)
        for r in self.sanitizer_reports():
            problems.append("sanitizer report " + r)
        if problems:
            problems.append("kvmnetd log:\n" + self.log_text())
        shutil.rmtree(self.tmp, ignore_errors=True)
        return problems
