# SPDX-License-Identifier: GPL-2.0-or-later
"""The integration tests' sandbox: namespaces, a kvmnetd inside the "host" one, guests, probes.

Topology of one Lab (every name starts with "kntest-<id>-", nothing touches the root namespace):

    outside ns  eth0 198.51.100.2/24 ---veth--- up0 198.51.100.1/24  host ns (kvmnetd runs here)
                route 10.0.0.0/8 via .1                              default via 198.51.100.2
                                                                     kn-NET bridges <- vgN veths
    guest ns gN  eth0 (static address, default route via the network's gateway)
                 or, from dhcp_guest(), no address: a DhcpClient (dhclient, dhcpcd, udhcpc)
                 or nettool.py's scapy commands (dhcp-*) get one from kvmnetd

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


def tap_of_fd(fd):
    """(interface name, IFF_* flags) of the tap 'fd' is attached to (TUNGETIFF)."""
    import fcntl
    import struct
    ifr = fcntl.ioctl(fd, 0x800454d2, b"\0" * 40)
    return ifr[:16].rstrip(b"\0").decode(), struct.unpack("H", ifr[16:18])[0]


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
    # The rules and empty set of a subnet prefix length belong to the firewall's constant base,
    # made when a network of that length first comes and kept while the daemon runs (a restart
    # makes only the lengths in use): not something a network leaves. Elements still show.
    text = re.sub(r"[^\n]*@subnets_\d+[^\n]*\n", "", text)
    text = re.sub(r"\tset subnets_\d+ \{\n\t\ttype [^\n]*\n\t\}\n\n?", "", text)
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
        self.clients = []
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

    def start_daemon(self, wait=True, args=(), wrap=(), mount_ns=True):
        """Starts kvmnetd in the host namespace with the lab's state dir and socket, plus 'args'
        (e.g. ("--group", "nogroup")), under 'wrap' (e.g. a valgrind command line) if given;
        waits until it answers unless not 'wait'. Not 'mount_ns': entered with nsenter --net
        only, in the test's own mount namespace (ip netns exec gives it a private one, whose
        mounts, e.g. lab nodes' namespaces, die with it)."""
        assert self.daemon is None or self.daemon.poll() is not None, "daemon already running"
        self.daemon_runs += 1
        logf = open(self.log, "a")
        logf.write("===== kvmnetd start #%d =====\n" % self.daemon_runs)
        logf.flush()
        self.daemon = subprocess.Popen(
            (["ip", "netns", "exec", self.host] if mount_ns
             else ["nsenter", "--net=/run/netns/" + self.host]) + [str(w) for w in wrap]
            + [str(self.bin / "kvmnetd"), "--foreground",
             "--state-dir", str(self.state), "--socket", str(self.sock), "--log-level", "debug"]
            + [str(a) for a in args],
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
        """'net create'. Networks get '--port-security no' unless 'extra' says otherwise: the
        tests of modes, DHCP and DNS use static guests and crafted clients (any MAC, any
        address) on purpose; the per-port policy has tests of its own (test_ports.py,
        test_qemu_ports.py), which ask for it."""
        if "--port-security" not in extra:
            extra = extra + ("--port-security", "no")
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

    def bridge_helper(self, *args, env=None, user=None):
        """Runs kvmnet-bridge-helper in the host namespace the way QEMU does ('--use-vnet
        --fd=N' with N our end of a socketpair) plus 'args'; as root, or through 'user', a
        setpriv(1) argument list (e.g. ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]).
        Returns (exit status, stderr, the fd it passed back or None)."""
        import array
        import socket
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            cmd = ["ip", "netns", "exec", self.host]
            cmd += ["setpriv"] + list(user) if user else []
            cmd += [str(self.bin / "kvmnet-bridge-helper"), "--use-vnet",
                    "--fd=%d" % theirs.fileno()] + [str(a) for a in args]
            p = subprocess.run(cmd, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=20, env=env)
            theirs.close()
            fd = None
            if p.returncode == 0:
                fds = array.array("i")
                msg, anc, _, _ = ours.recvmsg(1, socket.CMSG_LEN(fds.itemsize))
                for level, kind, data in anc:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds.frombytes(data[:fds.itemsize])
                assert msg == b"\0" and len(fds) == 1, (msg, anc)
                fd = fds[0]
            return p.returncode, p.stderr, fd
        finally:
            ours.close()

    def stop_proc(self, p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    # ---- kernel state of the host namespace -----------------------------------------------

    # kvmnetd deletes bridges and taps off the request path (src/netlink/nl-reaper.h): a stopped
    # network's bridge, a removed port's tap, sit in this link group for a few tens of ms.
    REAPER_GROUP = 0x6b6e7270

    def settle(self, timeout=10):
        """Waits until no link of the host namespace waits in kvmnetd's reaper group."""
        deadline = time.monotonic() + timeout
        while True:
            p = run(["ip", "-n", self.host, "-j", "link", "show", "group", str(self.REAPER_GROUP)],
                    check=False)
            # ('ip -j link show group G' prints [{}] when the group is empty)
            if p.returncode != 0 or not [l for l in json.loads(p.stdout or "[]") if l]:
                return
            if time.monotonic() > deadline:
                raise AssertionError("links still waiting for deletion after %ss: %s"
                                     % (timeout, p.stdout))
            time.sleep(0.02)

    def link(self, name):
        """The link 'name' of the host namespace as 'ip -j -d link' shows it, None when there
        is none (once kvmnetd's pending deletions are done: settle())."""
        self.settle()
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

    def kvmnet_rules_mentioning(self, *words, bridges=False):
        """Chains, rules, maps and set elements of 'table inet kvmnet' whose JSON contains one of
        'words'.

        A network is elements of the table's sets (docs/ARCHITECTURE.md); the set 'bridges' lists
        every kvmnet bridge, open networks' too (other networks' rules refuse traffic to them), so
        its elements count only with 'bridges'.
        """
        p = self.nft("-j", "list", "table", "inet", "kvmnet", check=False)
        if p.returncode != 0:
            return []
        hits = []
        for obj in json.loads(p.stdout)["nftables"]:
            kind = next(iter(obj))
            if kind not in ("chain", "rule", "map", "set"):
                continue
            if kind == "set":
                if obj[kind]["name"] == "bridges" and not bridges:
                    continue
                for e in obj[kind].get("elem", []):
                    text = json.dumps(e)
                    hits += ["%s %s element: %s" % (kind, obj[kind]["name"], text)
                             for w in words if w in text][:1]
                continue
            text = json.dumps(obj[kind])
            hits += ["%s: %s" % (kind, text) for w in words if w in text][:1]
        return hits

    def snapshot(self):
        """Everything a refused request must leave alone: links, addresses, rules, state dir."""
        self.settle()
        links = drop_timers(json.loads(run(["ip", "-n", self.host, "-j", "-d", "link"]).stdout))
        for link in links:   # carrier comes and goes on its own (a bridge's first port, linkwatch)
            link.pop("operstate", None)
            link["flags"] = [f for f in link.get("flags", []) if f not in ("NO-CARRIER",
                                                                          "LOWER_UP")]
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

    # ---- DHCP guests and the lease table (clients: DhcpClient below) -------------------

    def dhcp_guest(self, bridge, mac=None):
        """A namespace with eth0 (MAC 'mac' if given), up, no address, attached to 'bridge'."""
        n = len(self.guests) + 1
        ns = "%s-g%d" % (self.prefix, n)
        host_if = "vg%d" % n
        self.add_ns(ns)
        run(["ip", "-n", self.host, "link", "add", host_if, "type", "veth",
             "peer", "name", "eth0", "netns", ns])
        if mac:
            run(["ip", "-n", ns, "link", "set", "eth0", "address", mac])
        run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        run(["ip", "-n", self.host, "link", "set", host_if, "master", bridge, "up"])
        g = Guest(ns, None, None, host_if)
        g.mac = json.loads(run(["ip", "-n", ns, "-j", "link", "show", "eth0"]).stdout)[0]["address"]
        self.guests.append(g)
        return g

    def guest_addrs(self, ns, dev="eth0"):
        """IPv4 'address/prefix' strings on 'dev' in namespace 'ns'."""
        p = run(["ip", "-n", ns, "-j", "-4", "addr", "show", "dev", dev])
        return ["%s/%d" % (a["local"], a["prefixlen"])
                for i in json.loads(p.stdout or "[]") for a in i.get("addr_info", [])]

    def guest_gateway(self, ns):
        """The default route's gateway in namespace 'ns' (None if there is none)."""
        routes = json.loads(run(["ip", "-n", ns, "-j", "-4", "route", "show", "default"]).stdout
                            or "[]")
        return routes[0].get("gateway") if routes else None

    def dhcp_client(self, guest, kind, hostname=None):
        """A DhcpClient (not started) for 'guest'; cleanup() stops it."""
        c = DhcpClient(self, guest, kind, hostname)
        self.clients.append(c)
        return c

    def leases(self, net=None):
        """'kvmnet lease list [NET] --json' (bound leases)."""
        doc = self.kn_json("lease", "list", *([net] if net else []))
        assert isinstance(doc, list), "lease list --json is not an array: %r" % (doc,)
        return doc

    def lease_of(self, mac, net=None):
        """The listed IPv4 lease of 'mac' (bound ones only), or None."""
        mine = [x for x in self.leases(net) if str(x.get("mac", "")).lower() == mac.lower()
                and x.get("state", "bound") == "bound" and x.get("family", "ipv4") == "ipv4"]
        assert len(mine) <= 1, "several bound leases for %s: %s" % (mac, mine)
        return mine[0] if mine else None

    def wait_lease(self, mac, net=None, ip=None, timeout=5):
        """Waits until 'mac' has a bound lease (on 'ip' when given); returns it."""
        deadline = time.monotonic() + timeout
        while True:
            lease = self.lease_of(mac, net)
            if lease and (ip is None or lease.get("ip") == ip):
                return lease
            if time.monotonic() > deadline:
                raise AssertionError("no bound lease for %s%s after %ss; lease list: %s"
                                     % (mac, " on " + ip if ip else "", timeout, self.leases()))
            time.sleep(0.1)

    def dhcp_tool(self, ns, cmd, *args, timeout=30):
        """'nettool.py dhcp-CMD ARGS' in 'ns' (scapy); returns its JSON document."""
        p = run(["ip", "netns", "exec", ns, PY, NETTOOL, "dhcp-" + cmd] + [str(a) for a in args],
                check=False, timeout=timeout)
        lines = p.stdout.strip().splitlines()
        try:
            return json.loads(lines[-1])
        except (IndexError, ValueError):
            raise AssertionError("nettool dhcp-%s %s: exit %d, no JSON\nstdout: %s\nstderr: %s"
                                 % (cmd, " ".join(map(str, args)), p.returncode, p.stdout,
                                    p.stderr))

    def bridge_mac(self, bridge):
        """The link address of 'bridge' in the host namespace."""
        return self.link(bridge)["address"]

    # ---- guest ports ('kvmnet port ...') and their policy, 'table bridge kvmnet' ----------

    def ports(self, net=None):
        """'kvmnet port list [NET] --json'."""
        doc = self.kn_json("port", "list", *([net] if net else []))
        assert isinstance(doc, list), "port list --json is not an array: %r" % (doc,)
        return doc

    def port(self, name, net=None):
        """The listed port 'name', or None."""
        mine = [p for p in self.ports(net) if p.get("name") == name]
        assert len(mine) <= 1, "port %s listed %d times: %s" % (name, len(mine), mine)
        return mine[0] if mine else None

    def wait_port(self, name, pred=None, present=True, timeout=5):
        """Waits until port 'name' is listed (and 'pred' of its entry holds), or is gone when
        not 'present'; returns the entry (None when gone)."""
        deadline = time.monotonic() + timeout
        while True:
            p = self.port(name)
            if (p is not None) == present and (p is None or pred is None or pred(p)):
                return p
            if time.monotonic() > deadline:
                raise AssertionError("port %s: %s after %ss; port list: %s"
                                     % (name, ("not listed as expected" if present
                                               else "still listed"), timeout, self.ports()))
            time.sleep(0.05)

    def bridge_table(self):
        """'nft -j list table bridge kvmnet' as {"sets": {name: [element text]}, "counters":
        {name: (packets, bytes)}}; None when the table does not exist. Concatenations are
        "a . b", map elements "key : value"."""
        p = self.nft("-j", "list", "table", "bridge", "kvmnet", check=False)
        if p.returncode != 0:
            return None

        def text(e):
            if isinstance(e, dict):
                if "concat" in e:
                    return " . ".join(text(x) for x in e["concat"])
                if "elem" in e:
                    return text(e["elem"].get("val"))
                if "prefix" in e:
                    return "%s/%s" % (text(e["prefix"]["addr"]), e["prefix"]["len"])
                return json.dumps(e, sort_keys=True)
            if isinstance(e, list):
                return " : ".join(text(x) for x in e)
            return str(e)

        res = {"sets": {}, "counters": {}}
        for obj in json.loads(p.stdout)["nftables"]:
            kind = next(iter(obj))
            if kind in ("set", "map"):
                res["sets"][obj[kind]["name"]] = [text(e) for e in obj[kind].get("elem", [])]
            elif kind == "counter":
                res["counters"][obj[kind]["name"]] = (obj[kind]["packets"], obj[kind]["bytes"])
        return res

    def port_policy(self, ifname):
        """What 'table bridge kvmnet' holds for port 'ifname': {set or map name: [its elements
        naming the port]} (only sets that name it) plus "counter" when d_IFNAME exists."""
        table = self.bridge_table() or {"sets": {}, "counters": {}}
        res = {}
        for name, elems in table["sets"].items():
            mine = [e for e in elems if ifname in re.split(r" [.:] ", e)]
            if mine:
                res[name] = mine
        if "d_" + ifname in table["counters"]:
            res["counter"] = table["counters"]["d_" + ifname]
        return res

    def tap_info(self, name):
        """(link, linkinfo.info_data) of 'name' from 'ip -d -j link show' in the host namespace."""
        link = self.link(name)
        assert link is not None, "no link %s in the host namespace" % name
        return link, link.get("linkinfo", {}).get("info_data", {})

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
        for c in self.clients:
            with contextlib.suppress(Exception):
                c.stop()
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


# ---- DHCP: guests without addresses, real clients, the lease table ---------------------------
#
# Every client runs inside a guest namespace, in the foreground, with its own hook script,
# configuration, lease and pid files in the lab's temp dir: the distributions' scripts (which
# write /etc/resolv.conf, the host's file in a mere network namespace) never run. dhcpcd keeps
# its state in /run/dhcpcd and /var/lib/dhcpcd: it runs in private mount and PID namespaces
# (see DHCPCD_WRAPPER), and is controlled by signals to its PID, never by 'dhcpcd -n|-N|-k'
# (which would signal the PID in its pid file: 1 in its namespace, the host's init outside).
# Each hook appends one line per event to an events file, after applying the lease:
#   reason=BOUND ip=10.0.0.5 mask=255.255.255.0 routers=10.0.0.1 server=10.0.0.1 lease=60
# (udhcpc's reasons are upper-cased: bound, renew, nak, deconfig, leasefail).

DHCLIENT_SCRIPT = r"""#!/bin/sh
# kvmnet test hook for dhclient: applies the lease to the namespace's eth0, then logs the event.
case "$reason" in
PREINIT) ip link set dev "$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
	if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
		ip -4 addr flush dev "$interface"
	fi
	ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"
	if [ -n "$new_routers" ]; then
		ip route replace default via "${new_routers%% *}" dev "$interface"
	fi ;;
EXPIRE|FAIL|RELEASE|STOP) ip -4 addr flush dev "$interface" ;;
esac
echo "reason=$reason ip=$new_ip_address mask=$new_subnet_mask routers=$new_routers server=$new_dhcp_server_identifier lease=$new_dhcp_lease_time old=$old_ip_address" >> '@EVENTS@'
# TIMEOUT: never fall back on an old lease without the server's word
[ "$reason" = TIMEOUT ] && exit 1
exit 0
"""

UDHCPC_SCRIPT = r"""#!/bin/sh
# kvmnet test hook for busybox udhcpc: applies the lease to the namespace's eth0, then logs the
# event.
case "$1" in
deconfig) ip -4 addr flush dev "$interface"; ip link set dev "$interface" up ;;
bound|renew)
	cur=$(ip -4 -o addr show dev "$interface" | awk '{print $4}' | cut -d/ -f1 | head -n1)
	if [ -n "$cur" ] && [ "$cur" != "$ip" ]; then ip -4 addr flush dev "$interface"; fi
	ip addr replace "$ip/$subnet" dev "$interface"
	if [ -n "$router" ]; then
		set -- "$1" $router
		ip route replace default via "$2" dev "$interface"
	fi ;;
esac
reason=$(echo "$1" | tr a-z A-Z)
echo "reason=$reason ip=$ip mask=$subnet routers=$router server=$serverid lease=$lease" >> '@EVENTS@'
exit 0
"""

# dhcpcd configures the interface itself; its hook only logs.
DHCPCD_SCRIPT = r"""#!/bin/sh
# kvmnet test hook for dhcpcd: logs the event (dhcpcd applies the lease itself).
echo "reason=$reason ip=$new_ip_address mask=$new_subnet_mask routers=$new_routers server=$new_dhcp_server_identifier lease=$new_dhcp_lease_time old=$old_ip_address" >> '@EVENTS@'
exit 0
"""

DHCLIENT_CONF = """# kvmnet test configuration for dhclient
@SEND@
request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers,
	interface-mtu, dhcp-lease-time;
timeout @TIMEOUT@;
retry 1;
reboot 4;
select-timeout 0;
initial-interval 1;
backoff-cutoff 2;
"""

DHCPCD_CONF = """# kvmnet test configuration for dhcpcd
@HOSTNAME@
ipv4only
noipv4ll
noarp
nodelay
noipv6rs
nolink
nohook resolv.conf
option subnet_mask, routers, domain_name_servers, domain_name, interface_mtu
timeout 20
"""

# dhcpcd runs in private mount, PID and UTS namespaces where /run is a tmpfs, /var/lib/dhcpcd (its
# DUID and leases, kept across restarts of the client) is the client's directory $1/dhcpcd-db,
# and /etc/resolv.conf (or what it links to) is $1/resolv.conf: even a hook run by mistake
# cannot write the host's.
DHCPCD_WRAPPER = ("r=$(readlink -f /etc/resolv.conf) && "
                  "{ [ ! -e \"$r\" ] || mount --bind \"$1/resolv.conf\" \"$r\"; } && "
                  "mount -t tmpfs -o mode=0755 kntest-run /run && "
                  "mount --bind \"$1/dhcpcd-db\" /var/lib/dhcpcd && shift && exec \"$@\"")

DHCP_KINDS = ("dhclient", "dhcpcd", "udhcpc")


def parse_event(line):
    ev = {}
    for word in line.split():
        if "=" in word:
            k, v = word.split("=", 1)
            ev[k] = v
    return ev


class DhcpClient:
    """One real DHCP client ('dhclient', 'dhcpcd' or 'udhcpc') on eth0 of 'guest'.

    start() runs it in the foreground (a Popen of the lab, stopped by PID at cleanup);
    wait_bound() waits for the hook's bound event; renew() and release() use the client's own
    mechanisms: dhclient is stopped without release and started again (restart(): INIT-REBOOT
    from its lease file, as dhcpcd does too), udhcpc gets SIGUSR1 (RENEWING, unicast to the server) and SIGTERM with -R
    (RELEASE), dhcpcd gets the signals 'dhcpcd -N' and 'dhcpcd -k' send: SIGUSR1 (renew) and
    SIGALRM (release).
    """

    BOUND = {"BOUND", "RENEW", "REBIND", "REBOOT"}

    def __init__(self, lab, guest, kind, hostname=None):
        assert kind in DHCP_KINDS, kind
        self.lab, self.guest, self.kind, self.hostname = lab, guest, kind, hostname
        lab.nproc += 1
        self.dir = lab.tmp / ("%s-%d" % (kind, lab.nproc))
        self.dir.mkdir()
        self.events_path = self.dir / "events"
        self.events_path.write_text("")
        self.script = self.dir / "hook.sh"
        text = {"dhclient": DHCLIENT_SCRIPT, "udhcpc": UDHCPC_SCRIPT,
                "dhcpcd": DHCPCD_SCRIPT}[kind].replace("@EVENTS@", str(self.events_path))
        self.script.write_text(text)
        self.script.chmod(0o755)
        self.conf = self.dir / "client.conf"
        self.leasefile = self.dir / "client.leases"
        self.pidfile = self.dir / "client.pid"
        if kind == "dhcpcd":
            self.conf.write_text(DHCPCD_CONF.replace(
                "@HOSTNAME@", "hostname %s" % hostname if hostname else "nohostname"))
        self.proc = None
        self.outp = None

    def __repr__(self):
        return "DhcpClient(%s in %s)" % (self.kind, self.guest.ns)

    # ---- running ------------------------------------------------------------------------

    def command(self, timeout=20, quit_bound=False, extra=()):
        """The client's command line: it exits non-zero when it has no lease after about
        'timeout' seconds; 'quit_bound' (udhcpc only): it exits once bound, keeping the lease."""
        ns_args = []
        if self.kind == "dhclient":
            send = 'send host-name "%s";' % self.hostname if self.hostname else ""
            self.conf.write_text(DHCLIENT_CONF.replace("@SEND@", send)
                                 .replace("@TIMEOUT@", str(timeout)))
            args = ["dhclient", "-d", "-v", "-1", "-4", "-sf", self.script, "-lf", self.leasefile,
                    "-pf", self.pidfile, "-cf", self.conf]
        elif self.kind == "udhcpc":
            args = ["busybox", "udhcpc", "-i", "eth0", "-f", "-n", "-s", self.script,
                    "-t", str(timeout), "-T", "1", "-A", "1"]
            args += ["-q"] if quit_bound else ["-R"]
            if self.hostname:
                args += ["-x", "hostname:%s" % self.hostname]
        else:
            # Own mount namespace (tmpfs state dirs) and PID namespace, dhcpcd its PID 1: whatever
            # it forks (privilege-separated helpers) dies and is reaped with it. stop() signals
            # dhcpcd itself ('unshare' waits for it).
            (self.dir / "dhcpcd-db").mkdir(exist_ok=True)
            (self.dir / "resolv.conf").touch()
            ns_args = ["unshare", "--mount", "--propagation", "private", "--pid", "--fork",
                       "--mount-proc", "--uts", "sh", "-c", DHCPCD_WRAPPER, "dhcpcd-wrapper",
                       self.dir]
            args = ["dhcpcd", "-B", "-4", "-f", self.conf, "-c", self.script,
                    "-t", str(timeout)]
        assert not quit_bound or self.kind == "udhcpc", "quit_bound: udhcpc only"
        args += list(extra)
        if self.kind != "udhcpc":
            args.append("eth0")
        return ns_args + args

    def start(self, timeout=20, quit_bound=False, extra=()):
        assert self.proc is None or self.proc.poll() is not None, "%r already running" % self
        self.proc, self.outp = self.lab.spawn(self.guest.ns,
                                              self.command(timeout, quit_bound, extra))
        return self

    def wait_exit(self, timeout=30):
        """Waits for the client to exit by itself; returns its exit status."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%r still running after %ss\n%s"
                                 % (self, timeout, self.describe()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def output(self):
        return self.outp.read_text(errors="replace") if self.outp else ""

    def events(self):
        return [parse_event(ln) for ln in self.events_path.read_text().splitlines() if ln.strip()]

    def describe(self):
        return "%r\nevents:\n%s\noutput:\n%s" % (self, self.events_path.read_text(),
                                                 self.output()[-4000:])

    def wait_event(self, reasons, since=0, timeout=15, need_ip=True):
        """The first event at index >= 'since' whose reason is in 'reasons' (and has an ip)."""
        deadline = time.monotonic() + timeout
        while True:
            exited = self.proc is not None and self.proc.poll() is not None
            for ev in self.events()[since:]:
                if ev.get("reason") in reasons and (ev.get("ip") or not need_ip):
                    return ev
            if exited:
                raise AssertionError("%r exited (status %s) before %s\n%s"
                                     % (self, self.proc.returncode, sorted(reasons),
                                        self.describe()))
            if time.monotonic() > deadline:
                raise AssertionError("%r: no %s event within %ss\n%s"
                                     % (self, sorted(reasons), timeout, self.describe()))
            time.sleep(0.05)

    def wait_bound(self, since=0, timeout=15):
        return self.wait_event(self.BOUND, since, timeout)

    def bound_ip(self):
        evs = [e for e in self.events() if e.get("reason") in self.BOUND and e.get("ip")]
        return evs[-1]["ip"] if evs else None

    def pid(self):
        assert self.running(), "%r not running\n%s" % (self, self.describe())
        return self.proc.pid

    def dhcpcd_pid(self):
        """The host PID of dhcpcd (PID 1 of its own PID namespace, child of 'unshare')."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            kids = run(["pgrep", "-P", str(self.pid())], check=False).stdout.split()
            if kids:
                return int(kids[0])
            time.sleep(0.05)
        raise AssertionError("%r: no dhcpcd under unshare\n%s" % (self, self.describe()))

    def signal_dhcpcd(self, sig):
        """What 'dhcpcd -N|-n|-k' do (they signal the PID in dhcpcd's pid file: here that is
        1, of dhcpcd's own PID namespace, so they must never be run from outside it): SIGUSR1
        renews, SIGHUP rebinds, SIGALRM releases and exits."""
        os.kill(self.dhcpcd_pid(), sig)

    def renew(self, timeout=15):
        """Makes the client renew (or re-confirm) its lease; returns the bound event."""
        since = len(self.events())
        if self.kind == "udhcpc":
            os.kill(self.pid(), signal.SIGUSR1)
        elif self.kind == "dhcpcd":
            self.signal_dhcpcd(signal.SIGUSR1)
        else:
            return self.restart(timeout)
        return self.wait_bound(since, timeout)

    def restart(self, timeout=15):
        """Stops the client without release and starts it again: dhclient and dhcpcd then
        INIT-REBOOT, asking for the address of the lease they stored. Returns the next bound
        event."""
        self.stop()
        since = len(self.events())
        self.start()
        return self.wait_bound(since, timeout)

    def release(self, timeout=10):
        """Releases the lease the client's own way; the client has exited afterwards."""
        if self.kind == "udhcpc":
            self.lab.stop_proc(self.proc)
        elif self.kind == "dhcpcd":
            self.signal_dhcpcd(signal.SIGALRM)
            self.proc.wait(timeout)
        else:
            run(["ip", "netns", "exec", self.guest.ns, "dhclient", "-r", "-v", "-4",
                 "-sf", self.script, "-lf", self.leasefile, "-pf", self.pidfile,
                 "-cf", self.conf, "eth0"], timeout=timeout)
            self.proc.wait(timeout)

    def stop(self):
        """Stops the client without releasing its lease."""
        if not self.running():
            return
        if self.kind == "udhcpc":
            self.proc.kill()  # SIGTERM would release (-R)
            self.proc.wait()
        elif self.kind == "dhcpcd":
            kids = run(["pgrep", "-P", str(self.proc.pid)], check=False).stdout.split()
            for pid in kids:  # dhcpcd, PID 1 of its namespace: its helpers go with it
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                for pid in kids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
                self.lab.stop_proc(self.proc)
        else:
            self.lab.stop_proc(self.proc)


# ---- DNS: one client interface over dig or nettool.py's stub client; an upstream; NSS -------
#
# dns_query() runs a real DNS client inside a namespace: dig when it is installed (the
# Makefile installs bind9-dnsutils when it can), else nettool.py's 'dns' command. Both give the
# same normalised result, so the tests' assertions are the same either way:
#   {"tool": "dig"|"nettool", "rcode": "NOERROR", "flags": ["qr", "aa", "rd", "ra"],
#    "answer": [{"name": "web1.lab.kvmnet", "type": "A", "ttl": 300, "data": "10.0.0.10"}],
#    "authority": [...], "additional": [...] (no OPT), "tcp": bool (the answer came over TCP),
#    "tc_retried": bool (a UDP answer had TC and the client asked again over TCP)}
# or {"tool": ..., "error": "timeout" | "..."} when no usable answer came. Names are lowercase
# without the trailing dot; data as dig prints it (SOA "MNAME RNAME SERIAL REFRESH RETRY EXPIRE
# MINIMUM", SRV "PRIO WEIGHT PORT TARGET", TXT the text without quotes), names normalised too.
# KVMNET_DNS_CLIENT=nettool forces the fallback, =dig requires dig.


def dns_client_kind():
    want = os.environ.get("KVMNET_DNS_CLIENT", "auto")
    if want == "dig" and shutil.which("dig") is None:
        raise AssertionError("KVMNET_DNS_CLIENT=dig but dig is not installed")
    if want == "nettool":
        return "nettool"
    return "dig" if shutil.which("dig") else "nettool"


def _dig_name(tok):
    return tok.rstrip(".").lower() if tok != "." else ""


def _dig_txt(rest):
    """The character-strings of dig's TXT presentation ("a" "b"), unescaped and joined."""
    out, i, cur, inq = [], 0, bytearray(), False
    while i < len(rest):
        ch = rest[i]
        if ch == '"':
            if inq:
                out.append(bytes(cur))
                cur = bytearray()
            inq = not inq
        elif ch == "\\" and i + 1 < len(rest):
            if rest[i + 1:i + 4].isdigit() and len(rest[i + 1:i + 4]) == 3:
                cur.append(int(rest[i + 1:i + 4]))
                i += 3
            else:
                cur += rest[i + 1].encode()
                i += 1
        elif inq:
            cur += ch.encode()
        i += 1
    return b"".join(out).decode("utf-8", "backslashreplace")


def _dig_rdata(rtype, rest):
    toks = rest.split()
    if rtype in ("NS", "CNAME", "PTR"):
        return _dig_name(toks[0])
    if rtype == "SOA":
        return " ".join([_dig_name(toks[0]), _dig_name(toks[1])] + toks[2:7])
    if rtype == "SRV":
        return " ".join(toks[:3] + [_dig_name(toks[3]) or "."])
    if rtype == "TXT":
        return _dig_txt(rest)
    return rest.strip()


def parse_dig(text):
    """dig's default output (with comments) as the normalised result of dns_query()."""
    res = {"tool": "dig", "tc_retried": "Truncated, retrying in TCP mode" in text,
           "answer": [], "authority": [], "additional": []}
    section = None
    for line in text.splitlines():
        m = re.search(r"->>HEADER<<- opcode: (\S+), status: (\S+), id: (\d+)", line)
        if m:
            # after a retry over TCP only the last answer counts
            res.update(rcode=m.group(2), id=int(m.group(3)), answer=[], authority=[],
                       additional=[])
            section = None
            continue
        m = re.match(r";; flags:([^;]*);", line)
        if m:
            res["flags"] = m.group(1).split()
            continue
        m = re.match(r";; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:", line)
        if m:
            section = m.group(1).lower()
            continue
        m = re.match(r";; SERVER: \S+.*\((UDP|TCP)\)\s*$", line)
        if m:
            res["tcp"] = m.group(1) == "TCP"
            continue
        if not line.strip() or line.startswith(";"):
            if not line.strip():
                section = None
            continue
        if section:
            parts = line.split(None, 4)
            if len(parts) < 4:
                continue
            name, ttl, klass, rtype = parts[:4]
            res[section].append({"name": _dig_name(name), "type": rtype, "ttl": int(ttl),
                                 "data": _dig_rdata(rtype, parts[4] if len(parts) > 4 else "")})
    if "rcode" not in res:
        res["error"] = "timeout" if "timed out" in text or "no servers could be reached" in text \
            else "no answer parsed"
    return res


def dns_query(ns, server, name, qtype="A", tcp=False, edns=None, ignore_tc=False, timeout=2,
              tool=None):
    """Asks 'server' (port 53) for 'name' 'qtype' from namespace 'ns' with a real client: see
    above. 'edns': None for a plain query (512-octet answers over UDP), else the EDNS0 buffer
    size. 'ignore_tc': keep a truncated UDP answer instead of retrying over TCP."""
    tool = tool or dns_client_kind()
    if tool == "dig":
        cmd = ["dig", "@" + server, name, qtype, "+tries=1", "+time=%d" % max(1, round(timeout)),
               "+nocookie", "+nosearch"]
        cmd += ["+tcp"] if tcp else []
        cmd += ["+edns=0", "+bufsize=%d" % edns] if edns else ["+noedns"]
        cmd += ["+ignore"] if ignore_tc else []
        p = run(["ip", "netns", "exec", ns] + cmd, check=False, timeout=timeout * 3 + 5)
        res = parse_dig(p.stdout)
        res.setdefault("tcp", tcp)
        if res.get("tc_retried"):
            res["tcp"] = True
        res["raw"] = p.stdout + p.stderr
        return res
    cmd = [PY, NETTOOL, "dns", server, name, "--type", qtype, "--timeout", str(timeout)]
    cmd += ["--tcp"] if tcp else []
    cmd += ["--edns", str(edns)] if edns else []
    cmd += ["--ignore-tc"] if ignore_tc else []
    p = run(["ip", "netns", "exec", ns] + cmd, check=False, timeout=timeout * 3 + 5)
    try:
        res = json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"tool": "nettool", "error": "no JSON: %s %s" % (p.stdout, p.stderr)}
    res["raw"] = p.stdout + p.stderr
    return res


def dns_ok(res, what=""):
    """Fails unless 'res' is an answer (any rcode); returns it."""
    assert "error" not in res, "%s: no answer from %s: %s\n%s" % (
        what, res.get("tool"), res.get("error"), res.get("raw", ""))
    return res


def rr_data(res, section="answer", rtype=None):
    """The data of the records of 'section' (of type 'rtype' if given), sorted."""
    return sorted(r["data"] for r in res.get(section, []) if rtype is None or r["type"] == rtype)


def reverse_name(ip):
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"


class Upstream:
    """An upstream DNS server in the lab's "outside" namespace on 'addr':53 (OUTSIDE unless
    given; an IPv6 address, e.g. one outside6() of test_ipv6_firewall adds, works too)
    answering 'records' ({name: (ip, ttl)}) with A records, NXDOMAIN (or REFUSED) for other
    names: dnsmasq (no config file, no /etc/hosts, no resolv.conf, queries logged) or, without
    dnsmasq or with KVMNET_DNS_UPSTREAM=nettool, nettool.py's dns-serve. stop() ends it by PID;
    queries() lists the names it was asked."""

    def __init__(self, lab, records, addr=OUTSIDE):
        self.lab = lab
        self.addr = addr
        self.kind = "dnsmasq" if (shutil.which("dnsmasq") and
                                  os.environ.get("KVMNET_DNS_UPSTREAM") != "nettool") \
            else "nettool"
        if self.kind == "dnsmasq":
            args = ["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv",
                    "--no-hosts", "--port=53", "--listen-address=" + addr,
                    "--bind-interfaces", "--log-queries", "--log-facility=-", "--pid-file=",
                    "--user=root", "--group=root", "--cache-size=0"]
            args += ["--host-record=%s,%s,%d" % (n, ip, ttl) for n, (ip, ttl) in records.items()]
            ready = r"started, version"
        else:
            args = [PY, NETTOOL, "dns-serve", addr]
            args += ["--record=%s=%s,%d" % (n, ip, ttl) for n, (ip, ttl) in records.items()]
            ready = r"^ready$"
        self.proc, self.outp = lab.spawn(lab.out, args)
        lab.wait_output(self.proc, self.outp, ready)
        self.wait_listening()

    def wait_listening(self, timeout=5):
        want = ("[%s]:53" if ":" in self.addr else "%s:53") % self.addr
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = run(["ip", "netns", "exec", self.lab.out, "ss", "-Hlun", "sport", "= :53"]).stdout
            if want in out:
                return
            time.sleep(0.05)
        raise AssertionError("upstream %s not listening on %s\n%s"
                             % (self.kind, want, self.outp.read_text()))

    def askers(self, name):
        """The addresses 'name' was asked from, in order."""
        got = []
        for line in self.outp.read_text(errors="replace").splitlines():
            m = re.search(r"query\[\S+\] (\S+) from (\S+)|query (\S+) \S+ from (\S+)", line)
            if m and (m.group(1) or m.group(3)).lower() == name:
                got.append(m.group(2) or m.group(4))
        return got

    def queries(self, name=None):
        """Names asked (dnsmasq: 'query[A] NAME from IP'; nettool: 'query NAME A from IP')."""
        got = []
        for line in self.outp.read_text(errors="replace").splitlines():
            m = re.search(r"query\[(\S+)\] (\S+) from|query (\S+) (\S+) from", line)
            if m:
                qname = (m.group(2) or m.group(3)).lower()
                if name is None or qname == name:
                    got.append(qname)
        return got

    def stop(self):
        self.lab.stop_proc(self.proc)
        assert self.proc.poll() is not None


def nss_getent(lab, queries, hosts_file=None, timeout=20, db="hosts"):
    """Runs 'getent DB Q' (DB: hosts, ahosts, ahostsv6...) for each of 'queries' with
    libnss_kvmnet.so.2 of the build, in a
    private mount namespace (docs/NSS.md): an overlay adds the module to the library directory
    and a private nsswitch.conf says 'hosts: files kvmnet'; KVMNET_NSS_HOSTS names the daemon's
    hosts file. Nothing of the host changes. Returns {query: (exit status, output line)}."""
    module = lab.bin / "src" / "nss" / "libnss_kvmnet.so.2"
    assert module.exists(), "NSS module not built: %s" % module
    libdir = "/usr/lib/x86_64-linux-gnu"
    assert os.path.isfile(os.path.join(libdir, "libnss_files.so.2")), \
        "no glibc NSS modules in %s on this machine" % libdir
    hosts_file = hosts_file or lab.sock.parent / "hosts"
    t = lab.tmp / ("nss-%d" % (lab.nproc + 1))
    lab.nproc += 1
    (t / "lib").mkdir(parents=True)
    shutil.copy(module, t / "lib" / "libnss_kvmnet.so.2")
    (t / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files kvmnet\n")
    script = ("set -e; mount --make-rprivate /; "
              "mount --bind \"$0/nsswitch.conf\" /etc/nsswitch.conf; "
              "mount -t overlay overlay -o lowerdir=\"$0/lib\":%s %s; "
              "for q in \"$@\"; do out=$(getent %s \"$q\") && rc=0 || rc=$?; "
              "printf '%%s\\t%%s\\t%%s\\n' \"$q\" \"$rc\" \"$(echo $out)\"; done"
              % (libdir, libdir, db))
    env = dict(os.environ, KVMNET_NSS_HOSTS=str(hosts_file))
    p = run(["unshare", "-m", "sh", "-c", script, str(t)] + list(queries), env=env,
            timeout=timeout)
    res = {}
    for line in p.stdout.splitlines():
        q, rc, out = line.split("\t")
        res[q] = (int(rc), out)
    assert set(res) == set(queries), "getent output incomplete:\n%s\n%s" % (p.stdout, p.stderr)
    return res


def dns_stats(lab, net):
    """The "dns-stats" object of 'kvmnet net show NET --json'."""
    doc = lab.kn_json("net", "show", net)
    assert isinstance(doc.get("dns-stats"), dict), "no dns-stats in net show: %s" % doc
    return doc["dns-stats"]


def define(lab, name, text, expect=0):
    """Writes 'text' to TMP/NAME.conf and runs 'kvmnet net define' on it."""
    path = lab.tmp / ("%s.conf" % name)
    path.write_text(text)
    return lab.kn("net", "define", path, expect=expect)
