#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tiny traffic tool run inside the test namespaces (ip netns exec NS python3 nettool.py ...).

Servers print "ready" once listening (or "inuse" and exit 3 when the address is taken, e.g. by
kvmnetd's own DNS), then one "accept IP PORT" line per TCP connection. A TCP server first writes
the peer's address (as it sees it) followed by a newline, then echoes whatever it receives.
Probes exit 0 when the target answered and 1 otherwise; they never wait more than ~1 s.
The dhcp-* commands craft DHCP packets with scapy on the namespace's eth0 and print one JSON
document (see the section below).
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


# ---- DHCP with crafted packets (scapy, imported only by these commands) ---------------------
#
# Run inside a guest namespace on its eth0 (no address needed). Every command prints one JSON
# document. Replies are matched by xid and summarised by parse_dhcp() (own TLV parser, so that
# a broken reply shows as such instead of being "fixed" by a decoder).

DHCP_TYPES = {1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak",
              7: "release", 8: "inform"}
DHCP_COOKIE = b"\x63\x82\x53\x63"


def _scapy():
    import scapy.config
    scapy.config.conf.verb = 0
    scapy.config.conf.checkIPaddr = False
    import scapy.all as sc
    return sc


def _ip4(b):
    return socket.inet_ntoa(bytes(b))


def parse_dhcp(payload):
    """Summary of a BOOTP/DHCP message (bytes): header fields and the options it knows."""
    res = {"len": len(payload)}
    if len(payload) < 240:
        res["error"] = "short"
        return res
    op, htype, hlen, hops, xid = struct.unpack("!BBBBI", payload[:8])
    res.update(op=op, xid=xid, ciaddr=_ip4(payload[12:16]), yiaddr=_ip4(payload[16:20]),
               siaddr=_ip4(payload[20:24]), giaddr=_ip4(payload[24:28]),
               chaddr=payload[28:28 + min(hlen, 16)].hex(":"),
               flags=struct.unpack("!H", payload[10:12])[0])
    if payload[236:240] != DHCP_COOKIE:
        res["error"] = "cookie"
        return res
    opts, i = {}, 240
    while i < len(payload):
        code = payload[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(payload) or i + 2 + payload[i + 1] > len(payload):
            res["error"] = "option %d overruns" % code
            break
        opts.setdefault(code, b"")
        opts[code] += payload[i + 2:i + 2 + payload[i + 1]]
        i += 2 + payload[i + 1]
    res["options"] = sorted(opts)
    t = opts.get(53, b"")
    res["type"] = DHCP_TYPES.get(t[0], str(t[0])) if len(t) == 1 else None
    for code, name in ((54, "server_id"), (1, "subnet_mask"), (50, "requested_ip")):
        if len(opts.get(code, b"")) == 4:
            res[name] = _ip4(opts[code])
    if len(opts.get(3, b"")) >= 4:
        res["router"] = _ip4(opts[3][:4])
    if len(opts.get(6, b"")) >= 4:
        res["dns"] = [_ip4(opts[6][k:k + 4]) for k in range(0, len(opts[6]) - 3, 4)]
    for code, name in ((51, "lease_time"), (58, "t1"), (59, "t2")):
        if len(opts.get(code, b"")) == 4:
            res[name] = struct.unpack("!I", opts[code])[0]
    if 12 in opts:
        res["hostname"] = opts[12].decode(errors="replace")
    if 56 in opts:
        res["message"] = opts[56].decode(errors="replace")
    return res


class DhcpWire:
    """A packet socket on 'iface': sends frames, collects the DHCP replies (UDP to port 68)."""

    def __init__(self, iface):
        self.sc = _scapy()
        self.iface = iface
        self.mac = self.sc.get_if_hwaddr(iface)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.sock.bind((iface, 0))
        # Replies unicast to another chaddr than ours must be seen too.
        mreq = struct.pack("IHH8s", socket.if_nametoindex(iface), 1, 0, b"")
        self.sock.setsockopt(263, 1, mreq)  # SOL_PACKET, PACKET_ADD_MEMBERSHIP, PROMISC
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)

    def frame(self, payload, src_ip="0.0.0.0", dst_ip="255.255.255.255", dst_mac=None,
              sport=68, dport=67):
        sc = self.sc
        return bytes(sc.Ether(src=self.mac, dst=dst_mac or "ff:ff:ff:ff:ff:ff")
                     / sc.IP(src=src_ip, dst=dst_ip, ttl=64)
                     / sc.UDP(sport=sport, dport=dport) / sc.Raw(payload))

    def message(self, mtype, xid, chaddr=None, ciaddr="0.0.0.0", giaddr="0.0.0.0", opts=(),
                flags=0x8000, hostname=None):
        sc = self.sc
        mac = bytes.fromhex((chaddr or self.mac).replace(":", ""))
        options = [("message-type", mtype)] + list(opts)
        if hostname:
            options.append(("hostname", hostname.encode()))
        options += [("param_req_list", [1, 3, 6, 15, 28, 51, 54, 58, 59]), "end"]
        return bytes(sc.BOOTP(op=1, xid=xid, flags=flags, ciaddr=ciaddr, giaddr=giaddr,
                              chaddr=mac + b"\0" * 10) / sc.DHCP(options=options))

    def send(self, frame):
        self.sock.send(frame)

    def collect(self, xid=None, timeout=1.0, until=None):
        """Replies (parse_dhcp() + src/dst of the frame) seen within 'timeout' seconds,
        returning early once one satisfies 'until'."""
        import select
        sc = self.sc
        got = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return got
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return got
            data, addr = self.sock.recvfrom(65536)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            try:
                p = sc.Ether(data)
            except Exception:
                continue
            if sc.UDP not in p or p[sc.UDP].dport != 68 or sc.IP not in p:
                continue
            rep = parse_dhcp(bytes(p[sc.UDP].payload))
            if rep.get("op") != 2 or (xid is not None and rep.get("xid") != xid):
                continue
            rep.update(src_ip=p[sc.IP].src, dst_ip=p[sc.IP].dst, src_mac=p.src, dst_mac=p.dst)
            got.append(rep)
            if until and until(rep):
                return got

    def drain(self):
        """Replies already queued on the socket (no waiting)."""
        got = []
        while True:
            more = self.collect(None, 0.001)
            if not more:
                return got
            got += more

    def exchange(self, payload, xid, want, tries=3, timeout=1.0, **frame_args):
        """Sends 'payload' until a reply of a type in 'want' comes (retransmitting like a
        client, 'tries' times); returns that reply or None, and every reply seen."""
        seen = []
        for _ in range(tries):
            self.send(self.frame(payload, **frame_args))
            seen += self.collect(xid, timeout, until=lambda r: r.get("type") in want)
            hit = [r for r in seen if r.get("type") in want]
            if hit:
                return hit[0], seen
        return None, seen


def _xid():
    return int.from_bytes(os.urandom(4), "big")


def dhcp_dora(w, chaddr=None, hostname=None, tries=3):
    """DISCOVER, OFFER, REQUEST, ACK; returns (offer, ack or nak), None where none came."""
    xid = _xid()
    offer, _ = w.exchange(w.message("discover", xid, chaddr, hostname=hostname), xid, ("offer",),
                          tries)
    if not offer:
        return None, None
    msg = w.message("request", xid, chaddr, hostname=hostname,
                    opts=[("requested_addr", offer["yiaddr"]),
                          ("server_id", offer.get("server_id", "0.0.0.0"))])
    ack, _ = w.exchange(msg, xid, ("ack", "nak"), tries)
    return offer, ack


def cmd_dhcp_dora(a):
    w = DhcpWire(a.iface)
    offer, ack = dhcp_dora(w, a.chaddr, a.hostname)
    say(json.dumps({"mac": w.mac, "offer": offer, "ack": ack}))
    return 0 if ack and ack.get("type") == "ack" else 1


def cmd_dhcp_decline(a):
    """DORA, DECLINE the acked address, DISCOVER again: prints both offers."""
    w = DhcpWire(a.iface)
    res = {"mac": w.mac}
    res["offer"], res["ack"] = dhcp_dora(w)
    if not res["ack"] or res["ack"].get("type") != "ack":
        say(json.dumps(res))
        return 1
    ip, server = res["ack"]["yiaddr"], res["ack"].get("server_id", "0.0.0.0")
    xid = _xid()
    w.send(w.frame(w.message("decline", xid, flags=0,
                             opts=[("requested_addr", ip), ("server_id", server)])))
    res["decline_replies"] = w.collect(xid, 0.5)
    time.sleep(a.pause)
    xid = _xid()
    res["second_offer"], _ = w.exchange(w.message("discover", xid), xid, ("offer",), tries=4)
    say(json.dumps(res))
    return 0 if res["second_offer"] else 1


def cmd_dhcp_send(a):
    """One message of --type (request: INIT-REBOOT without --server-id, RENEWING with
    --ciaddr), sent --tries times: prints every reply to it (matched by xid)."""
    w = DhcpWire(a.iface)
    xid = _xid()
    opts = []
    if a.ip:
        opts.append(("requested_addr", a.ip))
    if a.server_id:
        opts.append(("server_id", a.server_id))
    msg = w.message(a.type, xid, a.chaddr, ciaddr=a.ciaddr or "0.0.0.0", opts=opts,
                    flags=0 if a.ciaddr else 0x8000, hostname=a.hostname)
    frame_args = {k: getattr(a, k) for k in ("src_ip", "dst_ip", "dst_mac") if getattr(a, k)}
    replies = []
    for _ in range(a.tries):
        w.send(w.frame(msg, **frame_args))
        replies += w.collect(xid, a.timeout)
    say(json.dumps({"mac": w.mac, "xid": xid, "replies": replies}))
    return 0


def cmd_dhcp_discover(a):
    """One DISCOVER (retried --tries times until an OFFER): every reply seen."""
    w = DhcpWire(a.iface)
    xid = _xid()
    opts = [("requested_addr", a.ip)] if a.ip else []
    msg = w.message("discover", xid, a.chaddr, opts=opts, hostname=a.hostname)
    _, seen = w.exchange(msg, xid, ("offer",), a.tries, a.timeout)
    say(json.dumps({"mac": w.mac, "xid": xid, "replies": seen}))
    return 0


def _fuzz_payloads(w, rnd, macs, subnet_ips):
    """An endless stream of (kind, payload) hostile DHCP messages."""
    def valid(mtype=None, mac=None, opts=()):
        mtype = mtype or rnd.choice(["discover", "request", "decline", "release", "inform"])
        return bytearray(w.message(mtype, rnd.getrandbits(32), mac or rnd.choice(macs),
                                   ciaddr=rnd.choice(subnet_ips + ["0.0.0.0"]), opts=list(opts)))

    def header(mac=None, op=1, htype=1, hlen=6, hops=0, giaddr=b"\0" * 4, ciaddr=b"\0" * 4):
        chaddr = bytes.fromhex((mac or rnd.choice(macs)).replace(":", "")) + b"\0" * 10
        return bytearray(struct.pack("!BBBBIHH", op, htype, hlen, hops, rnd.getrandbits(32), 0,
                                     0x8000) + ciaddr + b"\0" * 8 + giaddr + chaddr
                         + b"\0" * 192 + DHCP_COOKIE)

    def tlv(code, value):
        return bytes([code, len(value)]) + value

    def rand_bytes(n):
        return bytes(rnd.getrandbits(8) for _ in range(n))

    kinds = []

    def kind(f):
        kinds.append(f)
        return f

    @kind
    def truncated():
        p = valid()
        return p[:rnd.randrange(0, len(p))]

    @kind
    def bad_cookie():
        p = valid()
        p[236:240] = rand_bytes(4) if rnd.random() < 0.8 else b"\x63\x82\x53\x64"
        return p

    @kind
    def huge_option_length():
        p = header() + tlv(53, b"\x01")
        code = rnd.choice([12, 50, 54, 55, 61, 81, 82, 121, rnd.randrange(1, 255)])
        return p + bytes([code, rnd.choice([255, 254, 200, 64])]) + rand_bytes(rnd.randrange(0, 40))

    @kind
    def random_bytes():
        return rand_bytes(rnd.randrange(0, 1400))

    @kind
    def random_header_fields():
        p = valid()
        p[0] = rnd.randrange(256)
        p[1] = rnd.randrange(256)
        p[2] = rnd.choice([0, 1, 5, 7, 16, 17, 64, 255, rnd.randrange(256)])
        p[3] = rnd.randrange(256)
        return p

    @kind
    def overload_loops():
        p = header()
        p += tlv(53, bytes([rnd.choice([1, 3])])) + tlv(52, bytes([rnd.choice([1, 2, 3, 0, 4, 255])]))
        if rnd.random() < 0.5:
            p += b"\xff"
        # sname (44..108) and file (108..236) hold more overload options, no END, pads, junk
        sname = tlv(52, b"\x03") + tlv(52, b"\x02") + tlv(12, b"loop")
        file_ = tlv(52, b"\x03") + tlv(53, b"\x03") + bytes([52])
        if rnd.random() < 0.5:
            sname, file_ = b"\0" * 64, b"\x34\xff" + b"\0" * 100
        p[44:44 + len(sname)] = sname
        p[108:108 + len(file_)] = file_
        if rnd.random() < 0.3:
            p[44:236] = rand_bytes(192)
        return p

    @kind
    def zero_length():
        return b""

    @kind
    def options_without_end():
        p = header() + tlv(53, b"\x01")
        p += b"".join(tlv(rnd.randrange(1, 254), rand_bytes(rnd.randrange(0, 20)))
                      for _ in range(rnd.randrange(1, 30)))
        return p if rnd.random() < 0.5 else p + b"\0" * rnd.randrange(0, 500)

    @kind
    def bad_option_values():
        p = header(mac=rnd.choice(macs))
        choices = [
            tlv(53, b""), tlv(53, bytes([rnd.choice([0, 9, 13, 200, 255])])), tlv(53, b"\x01\x03"),
            tlv(61, b""), tlv(61, rand_bytes(255)), tlv(61, b"\x01"),
            tlv(12, b""), tlv(12, b"a\0b\xff\xfe"), tlv(12, rand_bytes(255)), tlv(12, b"." * 64),
            tlv(81, rand_bytes(rnd.randrange(0, 40))), tlv(81, b"\0\0\0"),
            tlv(55, rand_bytes(255)), tlv(55, b""),
            tlv(57, struct.pack("!H", rnd.choice([0, 1, 64, 575, 576, 65535]))), tlv(57, b"\x02"),
            tlv(50, b"\x0a\x00\x00"), tlv(50, rand_bytes(5)), tlv(54, b""), tlv(54, rand_bytes(4)),
            tlv(51, b"\xff\xff\xff\xff"), tlv(51, b"\x00"),
            tlv(82, tlv(1, rand_bytes(300 % 250)) + b"\x02\xff"), tlv(82, b"\x01"),
            tlv(121, rand_bytes(rnd.randrange(0, 30))), tlv(52, b"\x03"),
        ]
        body = b"".join(rnd.choice(choices) for _ in range(rnd.randrange(1, 8)))
        if rnd.random() < 0.7:
            body = tlv(53, bytes([rnd.choice([1, 3, 4, 7, 8])])) + body
        return p + body + (b"\xff" if rnd.random() < 0.7 else b"")

    @kind
    def bit_flips():
        p = valid()
        for _ in range(rnd.randrange(1, 20)):
            p[rnd.randrange(len(p))] ^= 1 << rnd.randrange(8)
        return p

    @kind
    def relayed_junk():
        giaddr = socket.inet_aton(rnd.choice(subnet_ips + ["203.0.113.9", "127.0.0.1",
                                                           "255.255.255.255", "0.0.0.1"]))
        p = header(giaddr=giaddr, hops=rnd.choice([0, 1, 16, 255]))
        return p + tlv(53, b"\x01") + tlv(82, rand_bytes(rnd.randrange(0, 60))) + b"\xff"

    @kind
    def tiny_max_size_valid():
        # well-formed DISCOVER asking for a tiny reply: must not make the server overrun
        return valid("discover", opts=[("max_dhcp_size", rnd.choice([0, 1, 100, 300, 576]))])

    @kind
    def max_length():
        # a full-MTU message: valid header, 1200+ bytes of options, PADs
        p = header() + tlv(53, b"\x01")
        while len(p) < 1460:
            p += tlv(rnd.randrange(224, 254), rand_bytes(min(250, 1470 - len(p) - 2)))
        return p[:1472]

    while True:
        f = rnd.choice(kinds)
        yield f.__name__, bytes(f())


def cmd_dhcp_fuzz(a):
    """Sends 'count' hostile DHCP packets, paced over 'seconds': prints counts per kind and
    every reply seen meanwhile (any DHCP reply on the link, e.g. to the well-formed ones)."""
    import random
    w = DhcpWire(a.iface)
    rnd = random.Random(a.seed)
    macs = [w.mac] + ["02:66:75:7a:7a:%02x" % i for i in range(7)]
    subnet_ips = a.subnet_ips.split(",") if a.subnet_ips else []
    counts = {}
    gen = _fuzz_payloads(w, rnd, macs, subnet_ips)
    sc = w.sc
    start = time.monotonic()
    interval = a.seconds / max(a.count, 1)
    sent = errors = 0
    replies = []
    for i in range(a.count):
        name, payload = next(gen)
        try:
            if i % 97 == 0:
                # oversized: a 2-8 KB DHCP message in IP fragments (reassembled by the host)
                big = payload + bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(2000, 8000)))
                pkt = sc.IP(src="0.0.0.0", dst="255.255.255.255") / sc.UDP(sport=68, dport=67) \
                    / sc.Raw(big)
                for frag in sc.fragment(pkt, fragsize=1400):
                    w.send(bytes(sc.Ether(src=w.mac, dst="ff:ff:ff:ff:ff:ff") / frag))
                name = "oversized"
            elif i % 89 == 0:
                # UDP length field lying about the payload (shorter than the datagram)
                f = bytearray(w.frame(payload))
                f[38:40] = struct.pack("!H", max(8, len(payload) // 2 + 8))
                f[40:42] = b"\0\0"
                w.send(bytes(f))
                name = "udp-length-lie"
            elif i % 83 == 0:
                w.send(w.frame(payload, sport=rnd.choice([67, 1234, 68])))
            else:
                w.send(w.frame(payload))
            sent += 1
            counts[name] = counts.get(name, 0) + 1
        except OSError:
            errors += 1
        if i % 50 == 49:
            replies += w.drain()
        # pace to the requested duration
        behind = start + (i + 1) * interval - time.monotonic()
        if behind > 0:
            time.sleep(behind)
    seconds = round(time.monotonic() - start, 2)
    replies += w.collect(None, 0.5)
    types = {}
    for r in replies:
        types[str(r.get("type"))] = types.get(str(r.get("type")), 0) + 1
    say(json.dumps({"sent": sent, "errors": errors, "kinds": counts, "seconds": seconds,
                    "reply_types": types, "replies": replies}))
    return 0


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
    for name in ("dhcp-dora", "dhcp-decline", "dhcp-send", "dhcp-discover", "dhcp-fuzz"):
        p = sub.add_parser(name)
        p.add_argument("--iface", default="eth0")
        p.add_argument("--type", default="request", choices=sorted(DHCP_TYPES.values()))
        p.add_argument("--chaddr")
        p.add_argument("--hostname")
        p.add_argument("--ip")
        p.add_argument("--server-id")
        p.add_argument("--ciaddr")
        p.add_argument("--src-ip")
        p.add_argument("--dst-ip")
        p.add_argument("--dst-mac")
        p.add_argument("--tries", type=int, default=2)
        p.add_argument("--timeout", type=float, default=1.0)
        p.add_argument("--pause", type=float, default=0.2)
        p.add_argument("--count", type=int, default=3000)
        p.add_argument("--seconds", type=float, default=6.0)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--subnet-ips", default="")
    a = ap.parse_args()
    if a.cmd.startswith("dhcp-"):
        return globals()["cmd_" + a.cmd.replace("-", "_")](a)
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
