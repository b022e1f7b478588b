# SPDX-License-Identifier: GPL-2.0-or-later
"""Crash consistency: a stream of control requests (net create/define/start/stop/delete, host
add/remove, port add/remove, forward add/remove) and DHCP exchanges (busybox udhcpc in guest namespaces) while
kvmnetd is SIGKILLed at random moments, 50 times, restarted each time.

After every restart the test checks what an operator relies on:
- every definition file parses and holds what was acknowledged (networks, hosts, ports), and a
  request that was refused changed nothing;
- the one request in flight when the daemon died took effect entirely or not at all;
- nothing acknowledged is missing (definitions, running state, hosts, ports);
- no bridge, tap, nftables rule or forward map element exists that no definition explains;
- no address is leased twice (the lease list, and what the DHCP clients were given).
The requests go straight to the socket (one connection each) so that the one in flight is known.
The random seed is printed on failure and can be fixed with KVMNET_CRASH_SEED."""
import json
import os
import random
import re
import signal
import socket
import threading
import time

import pytest

from knlab import run

KILLS = int(os.environ.get("KVMNET_CRASH_KILLS", "50"))
NETS = ["cc%d" % i for i in range(4)]
SUBNET = {n: "10.90.%d.0/24" % i for i, n in enumerate(NETS)}
MACS = ["52:54:00:cc:00:%02x" % i for i in range(1, 5)]
# Host ports the networks' forwards compete for (a port forwarded by one network is refused to
# the others, so the claims index is exercised across kills too).
FWD_PORTS = list(range(19100, 19106))


class Api:
    """One request per connection; None when the daemon went away before answering."""

    def __init__(self, path):
        self.path = str(path)
        self.id = 0

    def call(self, method, **params):
        self.id += 1
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(self.path)
            s.sendall((json.dumps({"id": self.id, "method": method, "params": params})
                       + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    return None
                buf += chunk
        except OSError:
            return None
        finally:
            s.close()
        return json.loads(buf)


def net_text(name, hosts):
    text = "[network]\nname = %s\nmode = isolated\nsubnet = %s\nport-security = no\n" % (
        name, SUBNET[name])
    for mac, ip in sorted(hosts):
        text += "\n[host]\nmac = %s\nip = %s\n" % (mac, ip)
    return text


def parse_definition(text):
    """(network keys, {(mac, ip)}, {port names}, {(forward name, host port)}) of a definition
    file; raises on nonsense."""
    sections, cur = [], None
    for line in text.splitlines():
        line = re.sub(r"\s[;#].*$", "", line).strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            assert "]" in line, "bad section line %r" % line
            head = line[1:line.index("]")].split(None, 1) if "]" in line else [""]
            cur = {"": head[0], "label": head[1].strip() if len(head) > 1 else ""}
            sections.append(cur)
            continue
        assert cur is not None and "=" in line, "bad line %r" % line
        k, v = line.split("=", 1)
        cur[k.strip()] = v.strip()
    nets = [s for s in sections if s[""] == "network"]
    assert len(nets) == 1, "%d [network] sections" % len(nets)
    hosts = {(s["mac"].lower(), s["ip"]) for s in sections if s[""] == "host"}
    ports = {s["label"] for s in sections if s[""] == "port"}
    forwards = {(s["label"], int(s["host-port"])) for s in sections if s[""] == "forward"}
    return nets[0], hosts, ports, forwards


class Model:
    """What was acknowledged: per network None (not defined) or its state."""

    def __init__(self):
        self.nets = {n: None for n in NETS}

    @staticmethod
    def state(running, hosts=(), ports=(), forwards=()):
        return {"running": running, "hosts": frozenset(hosts), "ports": frozenset(ports),
                "forwards": frozenset(forwards)}


def random_op(rng, model, port_seq):
    """(network, method, params, state after success) for a random request on a random net."""
    name = rng.choice(NETS)
    cur = model.nets[name]
    if cur is None:
        if rng.random() < 0.5:
            return name, "net.create", {"name": name, "config": {
                "mode": "nat", "subnet": SUBNET[name], "port-security": "no"}}, \
                Model.state(True)
        ip = SUBNET[name].replace(".0/24", ".50")
        hosts = {(MACS[0], ip)}
        return name, "net.define", {"name": name, "text": net_text(name, hosts)}, \
            Model.state(False, hosts)
    choice = rng.choice(["start", "stop", "delete", "host-add", "host-add", "host-remove",
                         "port-add", "port-add", "port-remove", "fwd-add", "fwd-add",
                         "fwd-remove"])
    if choice == "start":
        return name, "net.start", {"name": name}, dict(cur, running=True)
    if choice == "stop":
        return name, "net.stop", {"name": name}, dict(cur, running=False)
    if choice == "delete":
        return name, "net.delete", {"name": name}, None
    if choice == "host-add":
        mac = rng.choice(MACS)
        ip = SUBNET[name].replace(".0/24", ".%d" % rng.randint(50, 53))
        return name, "host.add", {"network": name, "mac": mac, "ip": ip}, \
            dict(cur, hosts=cur["hosts"] | {(mac, ip)})
    if choice == "host-remove":
        mac = rng.choice(MACS)
        return name, "host.remove", {"network": name, "mac": mac}, \
            dict(cur, hosts=frozenset(h for h in cur["hosts"] if h[0] != mac))
    if choice == "fwd-add":
        # Refused on the isolated networks net.define makes, and for a port another network
        # holds: a refusal must change nothing.
        port = rng.choice(FWD_PORTS)
        to = SUBNET[name].replace(".0/24", ".60:80")
        return name, "forward.add", {"network": name, "proto": "tcp", "host-port": str(port),
                                     "to": to}, \
            dict(cur, forwards=cur["forwards"] | {("tcp-%d" % port, port)})
    if choice == "fwd-remove":
        fwd = rng.choice(sorted(cur["forwards"]) or [("tcp-%d" % FWD_PORTS[0], FWD_PORTS[0])])
        return name, "forward.remove", {"network": name, "name": fwd[0]}, \
            dict(cur, forwards=cur["forwards"] - {fwd})
    if choice == "port-add":
        port_seq[0] += 1
        port = "ccp%d" % port_seq[0]
        return name, "port.add", {"network": name, "name": port}, \
            dict(cur, ports=cur["ports"] | {port})
    port = rng.choice(sorted(cur["ports"]) or ["ccp0"])
    return name, "port.remove", {"network": name, "name": port}, \
        dict(cur, ports=cur["ports"] - {port})


def observed(lab, api):
    """Per network what the daemon and the state dir say: None or the state, plus problems."""
    problems = []
    files = {}
    netdir = lab.state / "networks"
    for p in sorted(netdir.glob("*")) if netdir.exists() else []:
        if p.name.startswith("."):
            continue   # a temp file left by the kill: the daemon skips it too
        if not p.name.endswith(".conf"):
            problems.append("unexpected file %s in the state dir" % p.name)
            continue
        try:
            files[p.name[:-5]] = parse_definition(p.read_text())
        except (AssertionError, KeyError, UnicodeDecodeError) as e:
            problems.append("definition %s does not parse: %s" % (p.name, e))
    rundir = lab.state / "running"
    for p in sorted(rundir.glob("*")) if rundir.exists() else []:
        if not p.name.startswith(".") and p.name not in files:
            problems.append("running marker %s without a definition" % p.name)
    listed = api.call("net.list")
    assert listed is not None and "result" in listed, "net.list after restart: %r" % (listed,)
    running = {n["name"]: n["state"] == "active" for n in listed["result"]}
    ports = api.call("port.list")
    assert ports is not None and "result" in ports, "port.list: %r" % (ports,)
    listed_ports = {}
    for p in ports["result"]:
        listed_ports.setdefault(p["network"], set()).add(p["name"])
    fwds = api.call("forward.list")
    assert fwds is not None and "result" in fwds, "forward.list: %r" % (fwds,)
    listed_fwds = {}
    for f in fwds["result"]:
        listed_fwds.setdefault(f["network"], set()).add((f["name"], int(f["host-port"])))
    out = {}
    for name in NETS:
        if name not in files and name not in running:
            out[name] = None
            continue
        if (name in files) != (name in running):
            problems.append("network %s: definition file %s, daemon %s" % (
                name, "present" if name in files else "missing",
                "lists it" if name in running else "does not list it"))
            out[name] = "inconsistent"
            continue
        keys, hosts, fports, ffwds = files[name]
        if keys.get("subnet") != SUBNET[name]:
            problems.append("network %s: subnet %r in its file" % (name, keys.get("subnet")))
        defined_ports = {p for p in listed_ports.get(name, set())}
        if defined_ports - fports:
            problems.append("network %s: ports %s listed but not in the definition"
                            % (name, sorted(defined_ports - fports)))
        if listed_fwds.get(name, set()) != ffwds:
            problems.append("network %s: forwards %s listed, %s in the definition"
                            % (name, sorted(listed_fwds.get(name, set())), sorted(ffwds)))
        out[name] = Model.state(running[name], hosts, fports, ffwds)
    return out, problems


def kernel_orphans(lab, model):
    """Bridges, taps and nftables rules of the host namespace that no definition explains."""
    problems = []
    lab.settle()   # a stop's bridge may still be on its way out (kvmnetd's reaper)
    links = json.loads(run(["ip", "-n", lab.host, "-j", "-d", "link"]).stdout)
    want_bridges = {"kn-" + n for n, s in model.nets.items() if s and s["running"]}
    want_taps = {p for s in model.nets.values() if s and s["running"] for p in s["ports"]}
    for link in links:
        kind = link.get("linkinfo", {}).get("info_kind")
        name = link["ifname"]
        if kind == "bridge" and name not in want_bridges and name != "kn-base":
            problems.append("bridge %s exists, no running network explains it" % name)
        if kind == "tun" and name not in want_taps:
            problems.append("tap %s exists, no port of a running network explains it" % name)
    have = {l["ifname"] for l in links}
    for b in sorted(want_bridges - have):
        problems.append("bridge %s of a running network is missing" % b)
    for t in sorted(want_taps - have):
        problems.append("tap %s of a port of a running network is missing" % t)
    for n, s in model.nets.items():
        if not (s and s["running"]):
            hits = lab.kvmnet_rules_mentioning('"kn-%s"' % n, bridges=True)
            if hits:
                problems.append("nftables rules of network %s, which is not running: %s"
                                % (n, hits[:2]))
    want_ports = sorted(p for s in model.nets.values() if s and s["running"]
                        for _, p in s["forwards"])
    m = lab.nft("list", "map", "inet", "kvmnet", "fwd_any", check=False)
    have_ports = sorted(int(p) for p in re.findall(r"tcp \. (\d+) :", m.stdout)) \
        if m.returncode == 0 else []
    if have_ports != want_ports:
        problems.append("forward map elements for host ports %s, running networks forward %s"
                        % (have_ports, want_ports))
    return problems


class DhcpLoop(threading.Thread):
    """udhcpc in a guest namespace, again and again; records every address it was given."""

    def __init__(self, lab, guest):
        super().__init__(daemon=True)
        self.lab, self.guest = lab, guest
        self.stop = threading.Event()
        self.events = lab.tmp / ("dhcp-%s.log" % guest.ns)
        self.script = lab.tmp / ("udhcpc-%s.sh" % guest.ns)
        self.script.write_text('#!/bin/sh\n[ "$1" = bound ] && echo "$ip" >> %s\nexit 0\n'
                               % self.events)
        self.script.chmod(0o755)

    def run(self):
        while not self.stop.is_set():
            run(["ip", "netns", "exec", self.guest.ns, "busybox", "udhcpc", "-i", "eth0", "-f",
                 "-q", "-n", "-t", "2", "-T", "1", "-A", "1", "-s", str(self.script)],
                check=False, timeout=20)
            self.stop.wait(0.05)

    def addresses(self):
        try:
            return set(self.events.read_text().split())
        except FileNotFoundError:
            return set()


def test_crash_consistency(lab):
    seed = int(os.environ.get("KVMNET_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    api = Api(lab.sock)
    lab.create("base", "nat", "10.89.0.0/24")
    guests = [lab.dhcp_guest("kn-base") for _ in range(3)]
    loops = [DhcpLoop(lab, g) for g in guests]
    for loop in loops:
        loop.start()
    model = Model()
    port_seq = [0]
    stats = {"acked": 0, "refused": 0, "in-flight": 0}
    history = []   # (method, params, outcome) of the requests since the last restart
    try:
        for kill in range(KILLS):
            deadline = time.monotonic() + rng.uniform(0.02, 0.25)
            killed = threading.Event()
            daemon = lab.daemon

            def killer():
                time.sleep(max(0, deadline - time.monotonic()))
                daemon.send_signal(signal.SIGKILL)
                killed.set()

            t = threading.Thread(target=killer)
            t.start()
            pending = None
            history.clear()
            while True:
                name, method, params, after = random_op(rng, model, port_seq)
                reply = api.call(method, **params)
                history.append("%s %s: %s" % (method, json.dumps(params), "in flight"
                                              if reply is None else "ok" if "result" in reply
                                              else reply["error"]["message"]))
                if reply is None:
                    pending = (name, method, params, model.nets[name], after)
                    stats["in-flight"] += 1
                    break
                if "result" in reply:
                    model.nets[name] = after
                    stats["acked"] += 1
                    stats[method] = stats.get(method, 0) + 1
                else:
                    stats["refused"] += 1
                if killed.is_set():
                    break
            t.join()
            assert lab.daemon.wait(10) == -signal.SIGKILL
            lab.daemon = None
            lab.start_daemon()

            seen, problems = observed(lab, api)
            if pending:
                name, method, params, before, after = pending
                if seen[name] == after:
                    model.nets[name] = after
                elif seen[name] != before:
                    problems.append("%s %s in flight at the kill: network %s is %r, neither "
                                    "before (%r) nor after (%r)"
                                    % (method, params, name, seen[name], before, after))
            for name in NETS:
                if seen[name] != model.nets[name] and not (pending and name == pending[0]):
                    problems.append("network %s: acknowledged %r, found %r"
                                    % (name, model.nets[name], seen[name]))
            problems += kernel_orphans(lab, model)
            leases = api.call("lease.list")
            assert leases and "result" in leases, leases
            ips = [x["ip"] for x in leases["result"] if x.get("state", "bound") == "bound"]
            dup = sorted({ip for ip in ips if ips.count(ip) > 1})
            if dup:
                problems.append("addresses leased twice: %s" % dup)
            assert not problems, "seed %d, kill %d (%s):\n%s\nrequests before the kill:\n%s" % (
                seed, kill + 1, stats, "\n".join(problems), "\n".join(history[-12:]))
    finally:
        for loop in loops:
            loop.stop.set()
        for loop in loops:
            loop.join(30)
    given = [loop.addresses() for loop in loops]
    for i in range(len(given)):
        for j in range(i + 1, len(given)):
            assert not given[i] & given[j], \
                "seed %d: %s given to two clients (%s, %s)" % (
                    seed, sorted(given[i] & given[j]), guests[i].mac, guests[j].mac)
    assert all(given), "seed %d: a DHCP client never got an address: %s" % (seed, given)
    assert stats["acked"] >= KILLS, "seed %d: too few requests acknowledged: %s" % (seed, stats)
    print("seed %d: %s" % (seed, stats))
    if KILLS >= 50:
        assert stats.get("forward.add", 0) > 0 and stats.get("forward.remove", 0) > 0, \
            "seed %d: no forward was added and removed: %s" % (seed, stats)
