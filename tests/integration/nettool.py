#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tiny traffic tool run inside the test namespaces (ip netns exec NS python3 nettool.py ...).

Servers print "ready" once listening (or "inuse" and exit 3 when the address is taken, e.g. by
kvmnetd's own DNS), then one "accept IP PORT" line per TCP connection. A TCP server first writes
the peer's address (as it sees it) followed by a newline, then echoes whatever it receives.
Probes exit 0 when the target answered and 1 otherwise; they never wait more than ~1 s.
"""
import argparse
import errno
import json
import os
import socket
import struct
import sys
import threading
import time


def say(*a):
    print(*a, flush=True)


def dns_query():
    # A plain DNS query (id 0x4b4e, RD) for "kvmnet-probe.invalid. A": an echo server returns
    # it, a DNS server answers it (NXDOMAIN or REFUSED is fine: any answer proves reachability).
    q = struct.pack("!HHHHHH", 0x4B4E, 0x0100, 1, 0, 0, 0)
    for label in (b"kvmnet-probe", b"invalid"):
        q += bytes([len(label)]) + label
    return q + b"\x00" + struct.pack("!HH", 1, 1)


def serve_tcp(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((addr, port))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            say("inuse")
            return 3
        raise
    s.listen(64)
    say("ready")

    def handle(c, peer):
        try:
            c.sendall(("%s\n" % peer[0]).encode())
            while True:
                data = c.recv(65536)
                if not data:
                    break
                c.sendall(data)
        except OSError:
            pass
        finally:
            c.close()

    while True:
        c, peer = s.accept()
        say("accept %s %d" % peer)
        threading.Thread(target=handle, args=(c, peer), daemon=True).start()


def serve_udp(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((addr, port))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            say("inuse")
            return 3
        raise
    say("ready")
    while True:
        data, peer = s.recvfrom(65536)
        s.sendto(data, peer)


def probe_tcp(addr, port, timeout):
    """Connects; prints the first line the server sends (our servers send the peer address)."""
    try:
        c = socket.create_connection((addr, port), timeout=timeout)
    except OSError as e:
        print("connect %s:%d: %s" % (addr, port, e), file=sys.stderr)
        return 1
    c.settimeout(timeout)
    first = b""
    try:
        q = dns_query()
        c.sendall(struct.pack("!H", len(q)) + q)  # harmless to an echo server
        while b"\n" not in first and len(first) < 4096:
            data = c.recv(4096)
            if not data:
                break
            first += data
    except OSError:
        pass
    c.close()
    line = first.split(b"\n", 1)[0] if b"\n" in first else b""
    say(line.decode(errors="replace"))
    return 0


def probe_udp(addr, port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(dns_query(), (addr, port))
        data, _ = s.recvfrom(65536)
    except OSError as e:
        print("udp %s:%d: %s" % (addr, port, e), file=sys.stderr)
        return 1
    say("reply %d bytes" % len(data))
    return 0


def stream(addr, port, interval, stop_file):
    """One TCP connection, one numbered line every 'interval' seconds, each echo checked.

    Prints a "started" line, then at the end one JSON line: ok, sent, max_gap (longest time between
    two consecutive echoes, seconds), local (our address:port), peer (what the server saw), error.
    """
    res = {"ok": False, "sent": 0, "max_gap": 0.0, "local": None, "peer": None, "error": None}
    try:
        c = socket.create_connection((addr, port), timeout=2)
        c.settimeout(5)
        res["local"] = "%s:%d" % c.getsockname()
        f = c.makefile("rb")
        res["peer"] = f.readline().decode().strip()
        say("started %s" % res["local"])
        last = time.monotonic()
        i = 0
        while not os.path.exists(stop_file):
            i += 1
            c.sendall(b"%d\n" % i)
            line = f.readline()
            if line != b"%d\n" % i:
                raise RuntimeError("line %d: got %r" % (i, line))
            now = time.monotonic()
            res["max_gap"] = max(res["max_gap"], now - last)
            last = now
            res["sent"] = i
            time.sleep(interval)
        c.close()
        res["ok"] = True
    except Exception as e:  # report, never hang
        res["error"] = "%s: %s" % (type(e).__name__, e)
    say(json.dumps(res))
    return 0 if res["ok"] else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("serve-tcp", "serve-udp", "tcp", "udp", "stream"):
        p = sub.add_parser(name)
        p.add_argument("addr")
        p.add_argument("port", type=int)
        p.add_argument("--timeout", type=float, default=1.0)
        p.add_argument("--interval", type=float, default=0.05)
        p.add_argument("--stop")
    a = ap.parse_args()
    if a.cmd == "serve-tcp":
        return serve_tcp(a.addr, a.port)
    if a.cmd == "serve-udp":
        return serve_udp(a.addr, a.port)
    if a.cmd == "tcp":
        return probe_tcp(a.addr, a.port, a.timeout)
    if a.cmd == "udp":
        return probe_udp(a.addr, a.port, a.timeout)
    return stream(a.addr, a.port, a.interval, a.stop)


if __name__ == "__main__":
    sys.exit(main())
