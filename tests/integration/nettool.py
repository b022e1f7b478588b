#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tiny traffic tool run inside the test namespaces (ip netns exec NS python3 nettool.py ...).

Servers print "ready" once listening (or "inuse" and exit 3 when the address is taken, e.g. by
kvmnetd's own DNS), then one "accept IP PORT" line per TCP connection. A TCP server first writes
the peer's address (as it sees it) followed by a newline, then echoes whatever it receives.
Probes exit 0 when the target answered and 1 otherwise; they never wait more than ~1 s.
The dhcp-* commands craft DHCP packets with scapy on the namespace's eth0 and print one JSON
document (see the section below). 'dns' is a stub DNS client (UDP, EDNS0, TCP, the TCP retry on
TC), 'dns-serve' a tiny upstream DNS server, 'dns-hostile' a scapy-made stream of malformed
queries (UDP and TCP); see the DNS section. 'sniff', 'port-attack', 'tap-relay' and
'offloads-off' are for guest ports (test_ports.py): see the guest ports section.
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


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve_tcp(addr, port):
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
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
        say("accept %s %d" % peer[:2])
        threading.Thread(target=handle, args=(c, peer), daemon=True).start()


def serve_udp(addr, port):
    s = socket.socket(family_of(addr), socket.SOCK_DGRAM)
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
    s = socket.socket(family_of(addr), socket.SOCK_DGRAM)
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


def cmd_dhcp_client_ids(a):
    """One DISCOVER for each of --count client identifiers (option 61: type 0, then --prefix and
    the index), all from this interface's own MAC, sent in order at once, then again (--tries)
    for those not offered yet: prints each identifier with the address offered to it, or null."""
    w = DhcpWire(a.iface)
    ids = [b"\0" + ("%s-%d" % (a.prefix, i)).encode() for i in range(a.count)]
    xids = [_xid() for _ in ids]
    offers = {}
    for _ in range(a.tries):
        for cid, xid in zip(ids, xids):
            if xid not in offers:
                w.send(w.frame(w.message("discover", xid, opts=[("client_id", cid)])))
        for r in w.collect(None, a.timeout):
            if r.get("type") == "offer" and r.get("xid") in xids:
                offers.setdefault(r["xid"], r["yiaddr"])
    say(json.dumps({"mac": w.mac, "offers": [{"client_id": cid.hex(), "ip": offers.get(xid)}
                                              for cid, xid in zip(ids, xids)]}))
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


# ---- DNS: a small stub client, a tiny upstream server and hostile queries ------------------
#
# 'dns' is the fallback real client of the DNS tests when dig is not installed: one query over
# UDP (optionally with EDNS0) or TCP; on a truncated (TC) UDP answer it asks again over TCP,
# as dig does, unless --ignore-tc. It prints one JSON document: rcode, flags, the sections as
# {name, type, ttl, data} records (names lowercase, without the trailing dot; data as dig
# shows it, names likewise normalised), and how the answer came (tcp, tc_retried). Its parser
# is strict: a malformed answer prints {"error": "malformed answer: ..."} instead of guessing.

DNS_TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA",
             33: "SRV", 41: "OPT", 255: "ANY"}
DNS_TYPE_NUM = {v: k for k, v in DNS_TYPES.items()}
DNS_RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
              5: "REFUSED", 16: "BADVERS"}
DNS_FLAG_BITS = (("qr", 0x8000), ("aa", 0x0400), ("tc", 0x0200), ("rd", 0x0100),
                 ("ra", 0x0080), ("ad", 0x0020), ("cd", 0x0010))


class DnsMalformed(Exception):
    pass


def dns_qtype(t):
    t = str(t).upper()
    if t in DNS_TYPE_NUM:
        return DNS_TYPE_NUM[t]
    if t.startswith("TYPE") and t[4:].isdigit():
        return int(t[4:])
    return int(t)


def dns_encode_name(name):
    """Wire form of a text name (no escapes: the tests' names are plain)."""
    out = b""
    name = name.rstrip(".")
    for label in name.split(".") if name else []:
        raw = label.encode()
        if not 0 < len(raw) <= 63:
            raise ValueError("bad label %r" % label)
        out += bytes([len(raw)]) + raw
    out += b"\0"
    if len(out) > 255:
        raise ValueError("name too long")
    return out


def dns_build_query(name, qtype="A", qid=None, rd=True, edns=None, qclass=1):
    """A query; 'edns' None for none, else the EDNS0 UDP buffer size to advertise."""
    qid = int.from_bytes(os.urandom(2), "big") if qid is None else qid
    hdr = struct.pack("!HHHHHH", qid, 0x0100 if rd else 0, 1, 0, 0, 1 if edns else 0)
    msg = hdr + dns_encode_name(name) + struct.pack("!HH", dns_qtype(qtype), qclass)
    if edns:
        msg += b"\0" + struct.pack("!HHIH", 41, edns, 0, 0)
    return msg


def dns_read_name(msg, off):
    """(text name, offset after it at the original position). Pointers must point backwards
    (RFC 1035 4.1.4: to a prior occurrence); hops and length are bounded."""
    labels, end, hops, total, lowest = [], None, 0, 1, off
    while True:
        if off >= len(msg):
            raise DnsMalformed("name runs past the end at %d" % off)
        c = msg[off]
        if c & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise DnsMalformed("pointer cut at %d" % off)
            target = ((c & 0x3F) << 8) | msg[off + 1]
            if end is None:
                end = off + 2
            if target >= lowest:
                raise DnsMalformed("pointer at %d to %d does not point backwards" % (off, target))
            hops += 1
            if hops > 64:
                raise DnsMalformed("pointer loop")
            off = lowest = target
            continue
        if c & 0xC0:
            raise DnsMalformed("label type 0x%02x at %d" % (c, off))
        if c == 0:
            if end is None:
                end = off + 1
            return ".".join(labels).lower(), end
        if off + 1 + c > len(msg):
            raise DnsMalformed("label runs past the end at %d" % off)
        total += c + 1
        if total > 255:
            raise DnsMalformed("name longer than 255 octets")
        raw = msg[off + 1:off + 1 + c]
        labels.append("".join(chr(b) if 0x21 <= b <= 0x7E and b not in b".\\" else "\\%03d" % b
                              for b in raw))
        off += 1 + c


def _dns_txt(rdata):
    parts, i = [], 0
    while i < len(rdata):
        n = rdata[i]
        if i + 1 + n > len(rdata):
            raise DnsMalformed("TXT string runs past its RDATA")
        parts.append(rdata[i + 1:i + 1 + n].decode("utf-8", "backslashreplace"))
        i += 1 + n
    return "".join(parts)


def dns_parse_message(msg):
    """The whole message as a dict; raises DnsMalformed on anything not well-formed."""
    if len(msg) < 12:
        raise DnsMalformed("%d octets: shorter than a header" % len(msg))
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    res = {"id": qid, "flags": [f for f, bit in DNS_FLAG_BITS if flags & bit],
           "opcode": (flags >> 11) & 0xF, "rcode_num": flags & 0xF, "question": [],
           "answer": [], "authority": [], "additional": [], "edns": None, "size": len(msg)}
    off = 12
    for _ in range(qd):
        name, off = dns_read_name(msg, off)
        if off + 4 > len(msg):
            raise DnsMalformed("question cut")
        t, c = struct.unpack("!HH", msg[off:off + 4])
        off += 4
        res["question"].append({"name": name, "type": DNS_TYPES.get(t, "TYPE%d" % t),
                                "class": c})
    for section, count in (("answer", an), ("authority", ns), ("additional", ar)):
        for _ in range(count):
            name, off = dns_read_name(msg, off)
            if off + 10 > len(msg):
                raise DnsMalformed("record header cut in %s" % section)
            t, c, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
            off += 10
            if off + rdlen > len(msg):
                raise DnsMalformed("RDATA runs past the end in %s" % section)
            rd_off, rdata = off, msg[off:off + rdlen]
            off += rdlen
            if t == 41:
                if section != "additional" or res["edns"] is not None or name != "":
                    raise DnsMalformed("misplaced or second OPT record")
                res["edns"] = {"udp_size": c, "ext_rcode": ttl >> 24, "version": (ttl >> 16) & 0xFF,
                               "do": bool(ttl & 0x8000), "options": rdata.hex()}
                res["rcode_num"] |= (ttl >> 24) << 4
                continue
            data = rdata.hex()
            if t == 1:
                if rdlen != 4:
                    raise DnsMalformed("A record of %d octets" % rdlen)
                data = socket.inet_ntoa(rdata)
            elif t == 28:
                if rdlen != 16:
                    raise DnsMalformed("AAAA record of %d octets" % rdlen)
                data = socket.inet_ntop(socket.AF_INET6, rdata)
            elif t in (2, 5, 12):
                target, after = dns_read_name(msg, rd_off)
                if after != rd_off + rdlen:
                    raise DnsMalformed("name RDATA length mismatch")
                data = target
            elif t == 6:
                mname, p = dns_read_name(msg, rd_off)
                rname, p = dns_read_name(msg, p)
                if p + 20 != rd_off + rdlen:
                    raise DnsMalformed("SOA RDATA length mismatch")
                data = " ".join([mname, rname] + [str(v) for v in
                                                  struct.unpack("!IIIII", msg[p:p + 20])])
            elif t == 16:
                data = _dns_txt(rdata)
            elif t == 33:
                if rdlen < 7:
                    raise DnsMalformed("SRV RDATA too short")
                prio, weight, port = struct.unpack("!HHH", rdata[:6])
                target, after = dns_read_name(msg, rd_off + 6)
                if after != rd_off + rdlen:
                    raise DnsMalformed("SRV RDATA length mismatch")
                data = "%d %d %d %s" % (prio, weight, port, target or ".")
            res[section].append({"name": name, "type": DNS_TYPES.get(t, "TYPE%d" % t),
                                 "class": c, "ttl": ttl, "data": data})
    if off != len(msg):
        raise DnsMalformed("%d octets after the last record" % (len(msg) - off))
    res["rcode"] = DNS_RCODES.get(res["rcode_num"], str(res["rcode_num"]))
    return res


def _recv_exact(c, n):
    buf = b""
    while len(buf) < n:
        data = c.recv(n - len(buf))
        if not data:
            raise ConnectionError("connection closed after %d of %d octets" % (len(buf), n))
        buf += data
    return buf


def dns_exchange_udp(server, port, msg, timeout):
    """Sends 'msg' from a fresh socket; returns the first datagram with our ID from the server."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.connect((server, port))
        s.send(msg)
        deadline = time.monotonic() + timeout
        while True:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            data = s.recv(65535)
            if data[:2] == msg[:2]:
                return data
    finally:
        s.close()


def dns_exchange_tcp(server, port, msg, timeout):
    c = socket.create_connection((server, port), timeout=timeout)
    try:
        c.sendall(struct.pack("!H", len(msg)) + msg)
        n = struct.unpack("!H", _recv_exact(c, 2))[0]
        return _recv_exact(c, n)
    finally:
        c.close()


def dns_lookup(server, name, qtype="A", port=53, tcp=False, edns=None, ignore_tc=False,
               timeout=2.0, rd=True):
    """One lookup the way a stub resolver does it; returns the JSON-able result."""
    msg = dns_build_query(name, qtype, rd=rd, edns=edns)
    res = {"tool": "nettool", "server": server, "tc_retried": False}
    try:
        if tcp:
            raw = dns_exchange_tcp(server, port, msg, timeout)
        else:
            raw = dns_exchange_udp(server, port, msg, timeout)
            first = dns_parse_message(raw)
            if "tc" in first["flags"] and not ignore_tc:
                res["tc_retried"] = True
                res["udp_flags"] = first["flags"]
                tcp = True
                raw = dns_exchange_tcp(server, port, msg, timeout)
    except socket.timeout:
        res["error"] = "timeout"
        return res
    except OSError as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
        return res
    except DnsMalformed as e:
        res["error"] = "malformed answer: %s" % e
        return res
    try:
        res.update(dns_parse_message(raw))
    except DnsMalformed as e:
        res["error"] = "malformed answer: %s (%s)" % (e, raw.hex())
        return res
    res["tcp"] = tcp
    if res["id"] != struct.unpack("!H", msg[:2])[0] or "qr" not in res["flags"]:
        res["error"] = "not an answer to our query: %s" % raw.hex()
    elif [(q["name"], q["type"]) for q in res["question"]] not in (
            [], [(name.lower().rstrip("."), DNS_TYPES.get(dns_qtype(qtype), str(qtype)))]):
        res["error"] = "answer to another question: %s" % res["question"]
    return res


def cmd_dns(a):
    res = dns_lookup(a.server, a.name, a.type, a.port, a.tcp, a.edns or None, a.ignore_tc,
                     a.timeout, not a.norecurse)
    say(json.dumps(res))
    return 0 if "error" not in res else 1


def cmd_dns_serve(a):
    """A tiny authoritative UDP server (an upstream for the forwarder when dnsmasq is not
    installed): A records from --record NAME=IP[,TTL] (default TTL --ttl), NXDOMAIN for anything else, one
    "query NAME TYPE from IP" line per query."""
    records = {}
    for r in a.record:
        n, v = r.split("=", 1)
        ip, _, ttl = v.partition(",")
        records[n.lower().rstrip(".")] = (ip, int(ttl) if ttl else a.ttl)
    s = socket.socket(family_of(a.addr), socket.SOCK_DGRAM)
    s.bind((a.addr, a.port))
    say("ready")
    while True:
        data, peer = s.recvfrom(65535)
        try:
            q = dns_parse_message(data)
            name, qtype = q["question"][0]["name"], q["question"][0]["type"]
            qend = 12 + len(dns_encode_name(name)) + 4
        except (DnsMalformed, IndexError, ValueError):
            continue
        say("query %s %s from %s" % (name, qtype, peer[0]))
        # QR, AA, RA as dnsmasq answers its own records; RD copied
        flags = 0x8480 | (struct.unpack("!H", data[2:4])[0] & 0x0100)
        ans = b""
        if name in records and qtype == "A":
            ip, ttl = records[name]
            ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, ttl, 4) + socket.inet_aton(ip)
        elif name not in records:
            flags |= 3
        s.sendto(data[:2] + struct.pack("!HHHHH", flags, 1, 1 if ans else 0, 0, 0)
                 + data[12:qend] + ans, peer)


def _dns_hostile_payloads(rnd, names):
    """An endless stream of (kind, expect, payload bytearray) hostile DNS queries. 'expect' is
    what the server must do with it: "formerr" (answer FORMERR), "drop" (no answer) or None
    (anything well-formed, or nothing). The first two octets (the ID) are set by the caller."""
    from scapy.layers.dns import DNS, DNSQR, DNSRROPT
    from scapy.packet import fuzz

    def rand_bytes(n):
        return bytes(rnd.getrandbits(8) for _ in range(n))

    def hdr(qd=1, an=0, ns=0, ar=0, flags=0x0100):
        return bytearray(struct.pack("!HHHHHH", 0, flags, qd, an, ns, ar))

    def qtail():
        return struct.pack("!HH", rnd.choice([1, 12, 16, 28, 33, 255]), 1)

    def valid(name=None, qtype=None, edns=None):
        name = name or rnd.choice(names)
        p = DNS(id=0, rd=1, qd=DNSQR(qname=name, qtype=qtype or rnd.choice(["A", "PTR", "TXT",
                                                                            "SRV", "ANY"])))
        if edns:
            p.ar = DNSRROPT(rclass=edns)
            p.arcount = 1
        return bytearray(bytes(p))

    kinds = []

    def kind(expect):
        def deco(f):
            kinds.append((f, expect))
            return f
        return deco

    @kind("drop")
    def truncated_header():
        return bytearray(rand_bytes(rnd.randrange(0, 12)))

    @kind("drop")
    def answer_bit_set():
        p = valid()
        p[2] |= 0x80
        return p

    @kind("formerr")
    def compression_self_loop():
        # the question's name is a pointer to itself
        return hdr() + b"\xc0\x0c" + qtail()

    @kind("formerr")
    def compression_label_loop():
        # "abc" then a pointer back to the start of the name: abc.abc.abc... forever
        return hdr() + b"\x03abc\xc0\x0c" + qtail()

    @kind("formerr")
    def compression_two_pointer_loop():
        # two pointers pointing at each other
        return hdr() + b"\xc0\x0e\xc0\x0c" + qtail()

    @kind("formerr")
    def pointer_forward():
        return hdr() + b"\x03abc\xc0" + bytes([rnd.randrange(0x12, 0x40)]) + qtail() + \
            b"\x03fwd\x00" + rand_bytes(rnd.randrange(0, 60))

    @kind(None)
    def pointer_into_header():
        return hdr() + b"\xc0" + bytes([rnd.randrange(0, 12)]) + qtail()

    @kind("formerr")
    def pointer_past_end():
        return hdr() + b"\x03abc\xff\xff" + qtail()

    @kind("formerr")
    def pointer_cut():
        return hdr() + b"\x03abc\xc0"

    @kind("formerr")
    def oversized_label():
        n = rnd.randrange(64, 192)   # 0x40 and 0x80: reserved label types
        return hdr() + bytes([n]) + b"a" * min(n, 200) + b"\0" + qtail()

    @kind("formerr")
    def name_over_255():
        labels = b"".join(b"\x3f" + bytes([0x61 + i]) * 63 for i in range(rnd.randrange(5, 9)))
        return hdr() + labels + b"\0" + qtail()

    @kind("formerr")
    def too_many_labels():
        return hdr() + b"\x01a" * rnd.randrange(128, 400) + b"\0" + qtail()

    @kind("formerr")
    def label_past_end():
        return hdr() + b"\x03abc\x3fxyz"

    @kind("formerr")
    def question_cut():
        p = valid()
        return p[:len(p) - rnd.randrange(1, 4)]

    @kind("formerr")
    def no_question():
        return hdr(qd=0, ar=rnd.choice([0, 1]))

    @kind("formerr")
    def two_questions():
        q = valid()[12:]
        return hdr(qd=2) + q + q

    @kind(None)
    def huge_counts():
        p = valid()
        p[4:12] = struct.pack("!HHHH", rnd.choice([1, 0xFFFF, rnd.randrange(65536)]),
                              rnd.choice([0, 0xFFFF, rnd.randrange(65536)]),
                              rnd.choice([0, 0xFFFF, rnd.randrange(65536)]),
                              rnd.choice([0, 1, 0xFFFF, rnd.randrange(65536)]))
        return p + rand_bytes(rnd.randrange(0, 40))

    @kind("formerr")
    def edns_rdata_overrun():
        p = valid()
        p[10:12] = b"\x00\x01"
        return p + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, rnd.choice([4, 100, 0xFFFF])) + b"\0\0"

    @kind(None)
    def edns_oddities():
        p = valid()
        choice = rnd.randrange(4)
        if choice == 0:     # two OPT records
            opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
            p[10:12] = b"\x00\x02"
            return p + opt + opt
        if choice == 1:     # OPT with a non-root owner
            p[10:12] = b"\x00\x01"
            return p + b"\x03opt\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
        if choice == 2:     # options whose lengths lie
            p[10:12] = b"\x00\x01"
            opts = struct.pack("!HH", 10, 200) + rand_bytes(8)
            return p + b"\x00" + struct.pack("!HHIH", 41, 4096, 0, len(opts)) + opts
        # EDNS version 1, buffer size 0
        p[10:12] = b"\x00\x01"
        return p + b"\x00" + struct.pack("!HHIH", 41, 0, 0x00010000, 0)

    @kind(None)
    def odd_opcodes_and_types():
        p = valid()
        p[2] = (p[2] & 0x87) | (rnd.randrange(1, 16) << 3) if rnd.random() < 0.5 else p[2]
        p[-4:] = struct.pack("!HH", rnd.choice([0, 41, 250, 251, 252, 253, 254, 65535]),
                             rnd.choice([1, 3, 254, 255, 0, 65535]))
        return p

    @kind(None)
    def strange_label_bytes():
        label = rnd.choice([b"a.b", b"a\\b", b"\x00\x00", b"\xff\xfe", b"A" * 63, b"\x7f", b" "])
        return hdr() + bytes([len(label)]) + label + b"\x06kvmnet\x00" + qtail()

    @kind(None)
    def scapy_fuzz():
        for _ in range(5):
            try:
                return bytearray(bytes(fuzz(DNS(qd=DNSQR(qname=rnd.choice(names))))))
            except Exception:   # scapy cannot always build what it fuzzed
                continue
        return bytearray(rand_bytes(40))

    @kind(None)
    def bit_flips():
        p = valid(edns=rnd.choice([None, 1232, 4096]))
        for _ in range(rnd.randrange(1, 12)):
            i = rnd.randrange(len(p))
            p[i] ^= 1 << rnd.randrange(8)
        p[2] &= 0x7F
        return p

    @kind(None)
    def random_bytes():
        p = bytearray(rand_bytes(rnd.randrange(12, 1500)))
        p[2] &= 0x7F   # not an answer: gets past the header check
        return p

    @kind(None)
    def big_datagram():
        p = valid(edns=4096)
        return p + rand_bytes(rnd.choice([500, 3000, 4200]))

    while True:
        f, expect = rnd.choice(kinds)
        yield f.__name__, expect, bytearray(f())


def cmd_dns_hostile(a):
    """Sends --count hostile DNS queries over UDP to SERVER:53 within about --seconds, then a
    few hostile TCP connections. Every reply must parse (dns_parse_message) and answer one of
    our queries. Prints one JSON document."""
    import random
    import select
    rnd = random.Random(a.seed)
    names = a.names.split(",")
    gen = _dns_hostile_payloads(rnd, names)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((a.src, 0) if a.src else ("0.0.0.0", 0))
    sent = {}            # id -> (kind, expect)
    kinds, expects = {}, {}
    res = {"sent": 0, "send_errors": 0, "replies": 0, "unmatched": 0, "malformed": [],
           "mismatch": [], "rcodes": {}}

    def handle(data):
        res["replies"] += 1
        try:
            m = dns_parse_message(data)
        except DnsMalformed as e:
            res["malformed"].append("%s: %s" % (e, data[:64].hex()))
            return
        rc = m["rcode"]
        res["rcodes"][rc] = res["rcodes"].get(rc, 0) + 1
        if "qr" not in m["flags"] or m["id"] not in sent:
            res["unmatched"] += 1
            return
        kind, expect = sent[m["id"]]
        if expect == "drop" or (expect == "formerr" and rc != "FORMERR"):
            res["mismatch"].append("%s (id %d): expected %s, got %s" % (kind, m["id"], expect, rc))
        expects.setdefault(kind, {})
        expects[kind][rc] = expects[kind].get(rc, 0) + 1

    def drain(wait):
        while True:
            r, _, _ = select.select([s], [], [], wait)
            if not r:
                return
            data = s.recv(65535)
            handle(data)

    start = time.monotonic()
    interval = a.seconds / max(a.count, 1)
    for i in range(a.count):
        kind, expect, p = next(gen)
        qid = i + 1
        if len(p) >= 2:
            p[0:2] = struct.pack("!H", qid)
        kinds[kind] = kinds.get(kind, 0) + 1
        try:
            s.sendto(bytes(p), (a.server, 53))
            res["sent"] += 1
            sent[qid] = (kind, expect)
        except OSError:
            res["send_errors"] += 1
        if i % 20 == 19:
            drain(0)
        behind = start + (i + 1) * interval - time.monotonic()
        if behind > 0:
            time.sleep(behind)
    res["seconds"] = round(time.monotonic() - start, 2)
    drain(1.5)   # forwarded ones wait for the upstream's timeout
    res["kinds"] = kinds
    res["rcodes_by_kind"] = expects
    res["expected_formerr"] = sum(1 for _, e in sent.values() if e == "formerr")
    res["expected_drop"] = sum(1 for _, e in sent.values() if e == "drop")
    res["malformed"] = res["malformed"][:10]
    res["mismatch"] = res["mismatch"][:10]
    res["tcp"] = dns_hostile_tcp(a.server, rnd, names)
    say(json.dumps(res))
    return 0


def _tcp_read_answers(c, want, timeout):
    """Reads up to 'want' length-prefixed answers; returns (answers, closed_by_peer)."""
    c.settimeout(timeout)
    got = []
    try:
        while len(got) < want:
            n = struct.unpack("!H", _recv_exact(c, 2))[0]
            got.append(dns_parse_message(_recv_exact(c, n)))
    except ConnectionError:
        return got, True
    except (socket.timeout, OSError):
        return got, False
    if want == 0:
        try:
            return got, c.recv(1) == b""
        except socket.timeout:
            return got, False
        except OSError:
            return got, True
    return got, False


def dns_hostile_tcp(server, rnd, names):
    """Hostile TCP connections; returns what happened in each case (checked by the test)."""
    def rand_bytes(n):
        return bytes(rnd.getrandbits(8) for _ in range(n))

    def framed(msg):
        return struct.pack("!H", len(msg)) + msg

    def conn():
        return socket.create_connection((server, 53), timeout=2)

    def normal():
        r = dns_lookup(server, names[0], tcp=True, timeout=2)
        return r.get("error") or r["rcode"]

    out = {}
    # a length prefix promising 65535 octets, 100 sent, then close
    c = conn()
    c.sendall(b"\xff\xff" + rand_bytes(100))
    c.close()
    out["long_prefix_then_close"] = normal()
    # a zero length prefix: the server must drop the connection (no answer to what follows)
    c = conn()
    c.sendall(b"\x00\x00" + framed(dns_build_query(names[0], qid=7)))
    got, closed = _tcp_read_answers(c, 1, 2)
    c.close()
    out["zero_length"] = {"answers": len(got), "closed": closed}
    # a message shorter than a header (dropped), then a valid query on the same connection
    c = conn()
    c.sendall(framed(rand_bytes(5)) + framed(dns_build_query(names[0], qid=8)))
    got, closed = _tcp_read_answers(c, 1, 2)
    c.close()
    out["short_then_valid"] = {"ids": [m["id"] for m in got], "closed": closed,
                               "rcodes": [m["rcode"] for m in got]}
    # framed garbage (not an answer), then a valid query: both answered or the garbage dropped
    c = conn()
    junk = bytearray(rand_bytes(100))
    junk[0:2] = b"\x00\x09"
    junk[2] &= 0x7F
    c.sendall(framed(bytes(junk)) + framed(dns_build_query(names[0], qid=10)))
    got, closed = _tcp_read_answers(c, 2, 2)
    c.close()
    out["garbage_then_valid"] = {"ids": [m["id"] for m in got], "closed": closed}
    # two valid queries in one segment (pipelining): two answers, in order
    c = conn()
    c.sendall(framed(dns_build_query(names[0], qid=11)) + framed(dns_build_query(names[-1], qid=12)))
    got, closed = _tcp_read_answers(c, 2, 2)
    c.close()
    out["pipelined"] = {"ids": [m["id"] for m in got], "rcodes": [m["rcode"] for m in got]}
    # a full 65535-octet frame of garbage, then close
    c = conn()
    try:
        c.sendall(b"\xff\xff" + b"\x00\x0d\x01\x00" + rand_bytes(65531))
    except OSError:
        pass
    got, closed = _tcp_read_answers(c, 1, 1)
    c.close()
    out["max_frame_garbage"] = {"answers": len(got), "closed": closed}
    # a query, then our write side shut: the answer still comes
    c = conn()
    c.sendall(framed(dns_build_query(names[0], qid=13)))
    c.shutdown(socket.SHUT_WR)
    got, closed = _tcp_read_answers(c, 1, 2)
    c.close()
    out["half_close"] = {"ids": [m["id"] for m in got]}
    # slowloris: 20 connections each holding part of a message; a normal query still works
    held = []
    for i in range(20):
        c = conn()
        q = framed(dns_build_query(names[0], qid=100 + i))
        c.sendall(q[:rnd.randrange(1, len(q) - 1)])
        held.append(c)
    time.sleep(0.3)
    out["during_slowloris"] = normal()
    for c in held:
        c.close()
    # more connections than the server keeps (64): afterwards all is well again
    held = []
    for i in range(80):
        try:
            c = socket.create_connection((server, 53), timeout=1)
            c.sendall(b"\x00")
            held.append(c)
        except OSError:
            break
    out["flood_connections"] = len(held)
    out["during_flood"] = normal()
    for c in held:
        c.close()
    time.sleep(0.2)
    out["after"] = normal()
    return out


# ---- guest ports: frames written straight into a port (tap fd or packet socket) ----------
#
# 'sniff' records which markers (b"KNM<tag>:<name>;" anywhere in a frame) arrive on an interface;
# 'port-attack' plays a guest on a port: legitimate ARP/ping exchanges with its own MAC and
# address, then a list of forged frames (each carrying its marker), then the legitimate
# exchanges again; 'tap-relay' copies frames between a tap and a packet socket (a guest namespace
# behind a kvmnet tap); 'offloads-off' makes an interface compute its checksums and segments
# itself (for frames that leave the kernel through a packet socket).

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_MULTI_QUEUE = 0x0100
SIOCETHTOOL = 0x8946
ETH_P_ALL = 0x0003


def tap_open(name, multi_queue=False):
    """Opens existing tap 'name' (IFF_TAP | IFF_NO_PI, no vnet header); non-blocking fd."""
    import fcntl
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    flags = IFF_TAP | IFF_NO_PI | (IFF_MULTI_QUEUE if multi_queue else 0)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), flags))
    return fd


def packet_socket(iface, promisc=True):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    if promisc:
        mreq = struct.pack("IHH8s", socket.if_nametoindex(iface), 1, 0, b"")
        s.setsockopt(263, 1, mreq)  # SOL_PACKET, PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.setblocking(False)
    return s


class FrameIO:
    """Frames in and out of a tap fd ('tap') or a packet socket on 'iface' (incoming only)."""

    def __init__(self, iface=None, tap=None):
        self.tap = tap
        if tap:
            self.fd = tap_open(tap)
            self.sock = None
        else:
            self.sock = packet_socket(iface)
            self.fd = self.sock.fileno()
        self.sent = 0
        self.received = 0

    def send(self, frame):
        frame = bytes(frame)
        if self.sock:
            self.sock.send(frame)
        else:
            os.write(self.fd, frame)
        self.sent += 1

    def recv(self, timeout):
        """One incoming frame, or None after 'timeout' seconds."""
        import select
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return None
            try:
                if self.sock:
                    data, addr = self.sock.recvfrom(65536)
                    if addr[2] == socket.PACKET_OUTGOING:
                        continue
                else:
                    data = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            self.received += 1
            return data


MARKER_RE = rb"KNM%s:([A-Za-z0-9_-]+);"


def marker(tag, name):
    return ("KNM%s:%s;" % (tag, name)).encode()


def cmd_sniff(a):
    """Counts the markers of --tag in incoming frames on --iface (promiscuous) until --stop
    exists; prints "ready" first, then one JSON line {"frames": N, "markers": {name: count}}."""
    import re
    import select
    s = packet_socket(a.iface)
    pat = re.compile(MARKER_RE % re.escape(a.tag.encode()))
    seen, frames = {}, 0
    say("ready")
    while True:
        stopping = os.path.exists(a.stop)
        r, _, _ = select.select([s], [], [], 0.05)
        while r:
            try:
                data, addr = s.recvfrom(65536)
            except BlockingIOError:
                break
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            frames += 1
            for m in pat.finditer(data):
                name = m.group(1).decode()
                seen[name] = seen.get(name, 0) + 1
        if stopping:
            break
    say(json.dumps({"frames": frames, "markers": seen}))
    return 0


def _arp_resolve(sc, io, mac, ip, target, timeout=1.0, tries=3):
    for _ in range(tries):
        io.send(sc.Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
                / sc.ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=target))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = io.recv(deadline - time.monotonic())
            if data is None:
                break
            p = sc.Ether(data)
            if sc.ARP in p and p[sc.ARP].op == 2 and p[sc.ARP].psrc == target \
                    and p[sc.ARP].pdst == ip:
                return p[sc.ARP].hwsrc
    return None


def _ping(sc, io, mac, ip, dst_mac, dst_ip, timeout=1.0, tries=3):
    ident = int.from_bytes(os.urandom(2), "big")
    for seq in range(1, tries + 1):
        io.send(sc.Ether(src=mac, dst=dst_mac) / sc.IP(src=ip, dst=dst_ip)
                / sc.ICMP(type=8, id=ident, seq=seq) / sc.Raw(b"kvmnet-port-ping"))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = io.recv(deadline - time.monotonic())
            if data is None:
                break
            p = sc.Ether(data)
            if sc.ICMP in p and p[sc.ICMP].type == 0 and p[sc.ICMP].id == ident \
                    and p[sc.IP].src == dst_ip and p[sc.IP].dst == ip:
                return True
    return False


def port_attacks(sc, a, gw_mac):
    """(name, frame) of every forged frame; each carries its marker."""
    mac, ip, forged = a.mac, a.ip, a.forged_mac
    vmac, vip, gw = a.victim_mac, a.victim_ip, a.gw
    bc = "ff:ff:ff:ff:ff:ff"
    ll = "fe80::" + sc.in6_mactoifaceid(mac).lower()
    vll = "fe80::" + sc.in6_mactoifaceid(vmac).lower()
    m = lambda name: sc.Raw(marker(a.tag, name))  # noqa: E731
    udp = lambda: sc.UDP(sport=40000, dport=9)  # noqa: E731

    def offer(dst_mac, dst_ip, name):
        return (sc.Ether(src=mac, dst=dst_mac) / sc.IP(src=ip, dst=dst_ip)
                / sc.UDP(sport=67, dport=68)
                / sc.BOOTP(op=2, xid=0x4b4e0001, yiaddr=a.unused_ip, siaddr=ip,
                           chaddr=bytes.fromhex(vmac.replace(":", "")) + b"\0" * 10,
                           sname=marker(a.tag, name))
                / sc.DHCP(options=[("message-type", "offer"), ("server_id", ip),
                                   ("subnet_mask", "255.255.255.0"), ("router", ip),
                                   ("name_server", ip), ("lease_time", 86400), "end"]))

    def ra(dst_mac, name):
        return (sc.Ether(src=mac, dst=dst_mac) / sc.IPv6(src=ll, dst="ff02::1", hlim=255)
                / sc.ICMPv6ND_RA(routerlifetime=1800)
                / sc.ICMPv6NDOptSrcLLAddr(lladdr=mac)
                / sc.ICMPv6NDOptPrefixInfo(prefix="2001:db8:66::", prefixlen=64)
                / m(name))

    return [
        ("forged-mac-victim", sc.Ether(src=forged, dst=vmac) / sc.IP(src=ip, dst=vip) / udp()
         / m("forged-mac-victim")),
        ("forged-mac-bcast", sc.Ether(src=forged, dst=bc) / sc.IP(src=ip, dst="255.255.255.255")
         / udp() / m("forged-mac-bcast")),
        ("forged-mac-gw", sc.Ether(src=forged, dst=gw_mac) / sc.IP(src=ip, dst=gw) / udp()
         / m("forged-mac-gw")),
        ("forged-ip-victim", sc.Ether(src=mac, dst=vmac) / sc.IP(src=gw, dst=vip) / udp()
         / m("forged-ip-victim")),
        ("forged-ip-gw", sc.Ether(src=mac, dst=gw_mac) / sc.IP(src=vip, dst=gw) / udp()
         / m("forged-ip-gw")),
        ("forged-ip-bcast", sc.Ether(src=mac, dst=bc) / sc.IP(src=vip, dst="255.255.255.255")
         / udp() / m("forged-ip-bcast")),
        ("forged-ip-unused", sc.Ether(src=mac, dst=vmac) / sc.IP(src=a.unused_ip, dst=vip)
         / udp() / m("forged-ip-unused")),
        # claims the gateway's address to the victim (reply, request, gratuitous)
        ("arp-reply-gw-to-victim", sc.Ether(src=mac, dst=vmac)
         / sc.ARP(op=2, hwsrc=mac, psrc=gw, hwdst=vmac, pdst=vip) / m("arp-reply-gw-to-victim")),
        ("arp-request-gw-to-victim", sc.Ether(src=mac, dst=vmac)
         / sc.ARP(op=1, hwsrc=mac, psrc=gw, hwdst="00:00:00:00:00:00", pdst=vip)
         / m("arp-request-gw-to-victim")),
        ("arp-garp-gw", sc.Ether(src=mac, dst=bc)
         / sc.ARP(op=1, hwsrc=mac, psrc=gw, hwdst="00:00:00:00:00:00", pdst=gw)
         / m("arp-garp-gw")),
        # claims the victim's address to the gateway (the host)
        ("arp-reply-victim-to-gw", sc.Ether(src=mac, dst=gw_mac)
         / sc.ARP(op=2, hwsrc=mac, psrc=vip, hwdst=gw_mac, pdst=gw)
         / m("arp-reply-victim-to-gw")),
        ("arp-request-victim-to-gw", sc.Ether(src=mac, dst=gw_mac)
         / sc.ARP(op=1, hwsrc=mac, psrc=vip, hwdst="00:00:00:00:00:00", pdst=gw)
         / m("arp-request-victim-to-gw")),
        # own addresses, but another sender hardware address inside the ARP
        ("arp-sha-forged", sc.Ether(src=mac, dst=bc)
         / sc.ARP(op=1, hwsrc=forged, psrc=ip, hwdst="00:00:00:00:00:00", pdst=vip)
         / m("arp-sha-forged")),
        # the same forgeries behind VLAN tags (the kernel takes one tag off before the bridge),
        # and an ethertype that is neither ARP nor IP: nothing but ARP, IPv4 and IPv6 under IP
        # binding
        ("vlan-forged-ip-victim", sc.Ether(src=mac, dst=vmac) / sc.Dot1Q(vlan=5)
         / sc.IP(src=gw, dst=vip) / udp() / m("vlan-forged-ip-victim")),
        ("vlan-arp-reply-gw-to-victim", sc.Ether(src=mac, dst=vmac) / sc.Dot1Q(vlan=5)
         / sc.ARP(op=2, hwsrc=mac, psrc=gw, hwdst=vmac, pdst=vip)
         / m("vlan-arp-reply-gw-to-victim")),
        ("qinq-forged-ip-victim", sc.Ether(src=mac, dst=vmac) / sc.Dot1AD(vlan=6)
         / sc.Dot1Q(vlan=5) / sc.IP(src=gw, dst=vip) / udp() / m("qinq-forged-ip-victim")),
        ("dot1q-dot1q-forged-ip-victim", sc.Ether(src=mac, dst=vmac) / sc.Dot1Q(vlan=6)
         / sc.Dot1Q(vlan=5) / sc.IP(src=gw, dst=vip) / udp()
         / m("dot1q-dot1q-forged-ip-victim")),
        ("other-ethertype-victim", sc.Ether(src=mac, dst=vmac, type=0x88b5)
         / m("other-ethertype-victim")),
        # a rogue DHCP server (its own, valid source address)
        ("dhcp-offer-bcast", offer(bc, "255.255.255.255", "dhcp-offer-bcast")),
        ("dhcp-offer-victim", offer(vmac, vip, "dhcp-offer-victim")),
        # IPv6 router advertisements and a DHCPv6 server reply
        ("ra-allnodes", ra("33:33:00:00:00:01", "ra-allnodes")),
        ("ra-victim", ra(vmac, "ra-victim")),
        ("dhcpv6-reply-victim", sc.Ether(src=mac, dst=vmac) / sc.IPv6(src=ll, dst=vll)
         / sc.UDP(sport=547, dport=546) / m("dhcpv6-reply-victim")),
        ("dhcpv6-reply-mcast", sc.Ether(src=mac, dst="33:33:00:00:00:01")
         / sc.IPv6(src=ll, dst="ff02::1") / sc.UDP(sport=547, dport=546)
         / m("dhcpv6-reply-mcast")),
    ]


def legit_frames(sc, a, gw_mac):
    """Marked frames the policy must let through: the sniffers' positive controls."""
    mac, ip = a.mac, a.ip
    udp = lambda: sc.UDP(sport=40001, dport=9)  # noqa: E731
    m = lambda name: sc.Raw(marker(a.tag, name))  # noqa: E731
    return [
        ("legit-victim", sc.Ether(src=mac, dst=a.victim_mac) / sc.IP(src=ip, dst=a.victim_ip)
         / udp() / m("legit-victim")),
        ("legit-bcast", sc.Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
         / sc.IP(src=ip, dst="255.255.255.255") / udp() / m("legit-bcast")),
        ("legit-gw", sc.Ether(src=mac, dst=gw_mac) / sc.IP(src=ip, dst=a.gw) / udp()
         / m("legit-gw")),
    ]


def cmd_port_attack(a):
    """Plays the guest on one port (--tap NAME: frames through the tap's fd; else a packet
    socket on --iface): resolves and pings the gateway and the victim with its own MAC and
    address, sends the marked legitimate frames, then every forged frame of port_attacks()
    (--repeat times), then pings both again. Prints one JSON line."""
    sc = _scapy()
    io = FrameIO(a.iface, a.tap)
    if not a.mac:
        a.mac = sc.get_if_hwaddr(a.iface)
    res = {"mac": a.mac, "legit": {}, "attacks": {}, "legit_sent": {}}
    gw_mac = _arp_resolve(sc, io, a.mac, a.ip, a.gw)
    res["legit"]["arp_gw"] = gw_mac
    res["legit"]["arp_victim"] = _arp_resolve(sc, io, a.mac, a.ip, a.victim_ip)
    gw_mac = gw_mac or a.gw_mac
    res["legit"]["ping_gw"] = bool(gw_mac) and _ping(sc, io, a.mac, a.ip, gw_mac, a.gw)
    res["legit"]["ping_victim"] = _ping(sc, io, a.mac, a.ip, a.victim_mac, a.victim_ip)
    for name, frame in legit_frames(sc, a, gw_mac or a.gw_mac):
        io.send(frame)
        res["legit_sent"][name] = 1
    time.sleep(0.1)
    before = io.sent
    for _ in range(a.repeat):
        for name, frame in port_attacks(sc, a, gw_mac or a.gw_mac):
            io.send(frame)
            res["attacks"][name] = res["attacks"].get(name, 0) + 1
            time.sleep(0.002)
    res["attack_frames"] = io.sent - before
    time.sleep(0.3)
    res["legit"]["ping_gw_after"] = bool(gw_mac) and _ping(sc, io, a.mac, a.ip, gw_mac, a.gw)
    res["legit"]["ping_victim_after"] = _ping(sc, io, a.mac, a.ip, a.victim_mac, a.victim_ip)
    res["frames_sent"] = io.sent
    res["frames_received"] = io.received
    say(json.dumps(res))
    return 0


def ethtool_off(iface, cmds):
    import array
    import fcntl
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    done = []
    try:
        for name, cmd in cmds:
            buf = array.array("I", [cmd, 0])
            ifr = struct.pack("16sP", iface.encode(), buf.buffer_info()[0])
            try:
                fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
                done.append(name)
            except OSError as e:
                if e.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                    raise
    finally:
        s.close()
    return done


def cmd_offloads_off(a):
    """Turns off segmentation, GRO and checksum offload on --iface (legacy ethtool ioctls):
    frames read from it with a packet socket are then complete (checksummed, MTU-sized)."""
    done = ethtool_off(a.iface, [("tso", 0x1f), ("gso", 0x24), ("gro", 0x2c), ("sg", 0x19),
                                 ("tx-csum", 0x17), ("rx-csum", 0x15)])
    say(json.dumps({"iface": a.iface, "off": done}))
    return 0


def cmd_tap_relay(a):
    """Copies frames both ways between tap --tap (opened by name in the namespace it runs in:
    IFF_TAP | IFF_NO_PI, no vnet header) and a packet socket on --iface (in namespace --netns
    when given: then no other IP stack sees the guest's frames) until killed; prints "ready"
    once both are open. SIGTERM prints the counts: {"to_tap": N, "from_tap": N, "errors": N}."""
    import select
    import signal
    fd = tap_open(a.tap)
    if a.netns:
        # the veth end lives in its own namespace: no IP stack but the guest's sees its frames
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        with open("/run/netns/" + a.netns) as f:
            if libc.setns(f.fileno(), 0x40000000) != 0:  # CLONE_NEWNET
                raise OSError(ctypes.get_errno(), "setns " + a.netns)
    ethtool_off(a.iface, [("gro", 0x2c)])
    s = packet_socket(a.iface)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    st = {"to_tap": 0, "from_tap": 0, "errors": 0}

    def stop(*_):
        say(json.dumps(st))
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    say("ready")
    poller = select.epoll()
    poller.register(fd, select.EPOLLIN)
    poller.register(s.fileno(), select.EPOLLIN)
    sfd = s.fileno()
    while True:
        for f, _ in poller.poll():
            if f == fd:
                for _ in range(64):
                    try:
                        data = os.read(fd, 65536)
                    except BlockingIOError:
                        break
                    try:
                        s.send(data)
                        st["from_tap"] += 1
                    except OSError:
                        st["errors"] += 1
            elif f == sfd:
                for _ in range(64):
                    try:
                        data, addr = s.recvfrom(65536)
                    except BlockingIOError:
                        break
                    if addr[2] == socket.PACKET_OUTGOING:
                        continue
                    try:
                        os.write(fd, data)
                        st["to_tap"] += 1
                    except OSError:
                        st["errors"] += 1


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
    for name in ("dhcp-dora", "dhcp-decline", "dhcp-send", "dhcp-discover", "dhcp-fuzz",
                 "dhcp-client-ids"):
        p = sub.add_parser(name)
        p.add_argument("--prefix", default="kn-client")
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
    p = sub.add_parser("dns")
    p.add_argument("server")
    p.add_argument("name")
    p.add_argument("--type", default="A")
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--tcp", action="store_true")
    p.add_argument("--edns", type=int, default=0, help="EDNS0 buffer size (0: no EDNS)")
    p.add_argument("--ignore-tc", action="store_true")
    p.add_argument("--norecurse", action="store_true")
    p.add_argument("--timeout", type=float, default=2.0)
    p = sub.add_parser("dns-serve")
    p.add_argument("addr")
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--record", action="append", default=[])
    p.add_argument("--ttl", type=int, default=300)
    p = sub.add_parser("dns-hostile")
    p.add_argument("server")
    p.add_argument("--src")
    p.add_argument("--names", default="gateway.kvmnet")
    p.add_argument("--count", type=int, default=3000)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("sniff")
    p.add_argument("--iface", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--stop", required=True)
    p = sub.add_parser("port-attack")
    p.add_argument("--iface", default="eth0")
    p.add_argument("--tap")
    p.add_argument("--mac")
    p.add_argument("--ip", required=True)
    p.add_argument("--gw", required=True)
    p.add_argument("--gw-mac")
    p.add_argument("--victim-ip", required=True)
    p.add_argument("--victim-mac", required=True)
    p.add_argument("--unused-ip", required=True)
    p.add_argument("--forged-mac", default="52:54:00:de:ad:01")
    p.add_argument("--tag", required=True)
    p.add_argument("--repeat", type=int, default=1)
    p = sub.add_parser("offloads-off")
    p.add_argument("--iface", default="eth0")
    p = sub.add_parser("tap-relay")
    p.add_argument("--tap", required=True)
    p.add_argument("--iface", required=True)
    p.add_argument("--netns")
    a = ap.parse_args()
    if a.cmd in ("sniff", "port-attack", "offloads-off", "tap-relay"):
        return globals()["cmd_" + a.cmd.replace("-", "_")](a)
    if a.cmd in ("dns", "dns-serve", "dns-hostile"):
        return globals()["cmd_" + a.cmd.replace("-", "_")](a)
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
