# SPDX-License-Identifier: GPL-2.0-or-later
"""A real QEMU guest for the integration tests: boots the tiny guest of tests/guest (a virtio-net
DHCP client with a command shell on its serial console) inside a network namespace.

    kernel, initrd = guest_images(knlab.build_dir())      # builds BUILD/guest once; skips if
                                                          # QEMU or the packages are missing
    g = QemuGuest(lab.host, "tap,id=n0,ifname=kngt0,script=no,downscript=no",
                  "52:54:00:61:00:01", lab.tmp / "guest", name="g1", images=(kernel, initrd))
    try:
        g.start()
        ip = g.wait_lease(timeout=60)          # g.lease: ip, prefix, router, dns
        rc, out = g.run("ping -c 2 10.61.0.1", timeout=20)
        g.poweroff()
    finally:
        g.cleanup()                            # kills its own QEMU (by PID) if still running

'netdev' is the whole -netdev value; its id= (added as "n0" when absent) is what the
virtio-net-pci device uses, so a bridge works too: "bridge,id=n0,br=BR,helper=PATH".

The serial console is a chardev socket (server, wait=off) that a thread of this harness reads as
fast as QEMU writes (a console nobody reads stalls the guest), and QEMU also writes everything
the guest prints to the console log (WORKDIR/NAME.console.log), which is what the harness parses
and what errors quote. QEMU's own messages go to WORKDIR/NAME.qemu.log.

Commands run with "sh -c" in the guest (busybox: ping, ip, nslookup, wget, udhcpc, cat ...),
stdin /dev/null, output = stdout and stderr together (a newline added if the last line has
none); a command still running after 'timeout' seconds is killed in the guest (status 137).

Acceleration: KVM when /dev/kvm answers and a probe boot of the guest kernel under KVM reaches
/init within 5 s, else TCG. The probe's verdict is kept in BUILD/guest/kvm-probe until the host
reboots or the kernel is rebuilt (a /dev/kvm that hangs Linux, as nested setups can, costs those
5 s once). KVMNET_GUEST_ACCEL=kvm|tcg skips the probe. A TCG guest keeps one core busy while it
boots.
"""
import fcntl
import hashlib
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
BUILD_SCRIPT = HERE.parent / "guest" / "build-guest.sh"
QEMU = "qemu-system-x86_64"
SKIP_EXIT = 77  # build-guest.sh: packages or tools unavailable

KVM_GET_API_VERSION = 0xAE00

LEASE_RE = re.compile(r"^KVMNET-GUEST (lease (.*?)|dhcp-failed.*?)\r?\n", re.M)  # a whole line: the serial console may hold half of one
LEASE_FIELDS_RE = re.compile(r"ip=(\S+)/(\d+) router=(\S+) dns=(\S+)")


class GuestError(AssertionError):
    """The guest did not do what was asked; the message quotes its console."""


class GuestUnavailable(RuntimeError):
    """No QEMU or no guest images on this machine (outside pytest; under pytest: a skip)."""


_images = {}


def _unavailable(msg):
    """A skip under pytest, GuestUnavailable elsewhere."""
    pytest = sys.modules.get("pytest")
    if pytest is None:
        raise GuestUnavailable(msg)
    pytest.skip(msg)


def guest_images(build_dir):
    """(vmlinuz, initrd.img) built by tests/guest/build-guest.sh into BUILD_DIR/guest (cached
    there, and once per process). Skips the test (pytest.skip) naming what is missing when
    qemu-system-x86_64 or the Debian packages are unavailable; raises on any other failure."""
    if shutil.which(QEMU) is None:
        _unavailable("%s not found (Debian package qemu-system-x86)" % QEMU)
    out = pathlib.Path(build_dir) / "guest"
    key = str(out)
    if key not in _images:
        p = subprocess.run(["bash", str(BUILD_SCRIPT), str(out)], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=900)
        if p.returncode == SKIP_EXIT:
            lines = [ln for ln in p.stderr.splitlines() if "unavailable:" in ln]
            _unavailable("test guest not buildable: %s"
                         % (lines[-1] if lines else p.stderr.strip()[-300:]))
        if p.returncode != 0:
            raise RuntimeError("%s %s failed (exit %d):\n%s%s"
                               % (BUILD_SCRIPT, out, p.returncode, p.stdout, p.stderr))
        _images[key] = (out / "vmlinuz", out / "initrd.img")
    return _images[key]


def kvm_usable():
    """True when /dev/kvm exists and answers (an existing but unusable node means TCG)."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return fcntl.ioctl(fd, KVM_GET_API_VERSION) == 12
    except OSError:
        return False
    finally:
        os.close(fd)


_kvm_boots = {}


def kvm_boots(kernel, initrd, timeout=5):
    """Whether the guest kernel gets as far as /init under KVM (checked once per image and host
    boot, remembered in the images' directory). /dev/kvm can be there, open and make VMs that
    run the BIOS, and yet hang a Linux kernel as soon as it leaves real mode (seen with nested
    virtualisation): that means TCG.
    The probe QEMU has no network device; it is ended by its PID."""
    key = (str(kernel), str(initrd))
    # Also remembered next to the images until the host reboots.
    cache = pathlib.Path(kernel).parent / "kvm-probe"
    try:
        boot_id = "%s:%d" % (
            pathlib.Path("/proc/sys/kernel/random/boot_id").read_text().strip(),
            os.stat(kernel).st_mtime_ns)
    except OSError:
        boot_id = None
    if key not in _kvm_boots and boot_id:
        try:
            words = cache.read_text().split()
            if len(words) == 2 and words[0] == boot_id and words[1] in ("yes", "no"):
                _kvm_boots[key] = words[1] == "yes"
        except OSError:
            pass
    if key not in _kvm_boots:
        tmp = tempfile.mkdtemp(prefix="kntest-kvmprobe-")
        log = pathlib.Path(tmp) / "console.log"
        ok = False
        try:
            p = subprocess.Popen(
                [QEMU, "-accel", "kvm", "-M", "pc", "-m", "128", "-smp", "1", "-nodefaults",
                 "-no-user-config", "-display", "none", "-no-reboot", "-serial", "file:%s" % log,
                 "-kernel", str(kernel), "-initrd", str(initrd),
                 "-append", "console=ttyS0 quiet panic=-1 kndhcptries=1"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline and p.poll() is None:
                    if log.exists() and b"KVMNET-GUEST" in log.read_bytes():
                        ok = True
                        break
                    time.sleep(0.05)
            finally:
                if p.poll() is None:
                    p.kill()
                p.wait()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _kvm_boots[key] = ok
        if boot_id:
            try:
                tmpf = cache.with_name("kvm-probe.%d" % os.getpid())
                tmpf.write_text("%s %s\n" % (boot_id, "yes" if ok else "no"))
                os.replace(tmpf, cache)
            except OSError:
                pass
    return _kvm_boots[key]


def default_accel(kernel, initrd):
    """'kvm' where /dev/kvm answers and boots the guest kernel, else 'tcg';
    KVMNET_GUEST_ACCEL=kvm|tcg overrides."""
    forced = os.environ.get("KVMNET_GUEST_ACCEL")
    if forced:
        return forced
    return "kvm" if kvm_usable() and kvm_boots(kernel, initrd) else "tcg"


class QemuGuest:
    """One guest: QEMU run by 'ip netns exec NS' (so the Popen's pid is QEMU's)."""

    def __init__(self, ns, netdev, mac, workdir, name="guest", images=None, hostname=None,
                 append="", memory=128, accel=None, build_dir=None):
        """'images': (kernel, initrd), default guest_images(build_dir or knlab's build dir).
        'hostname': the name udhcpc sends (default 'name'). 'append': more kernel parameters
        (parameters for /init must be dot-free, e.g. kndhcptries=5; kernel ones may have dots,
        e.g. ipv6.disable=1)."""
        if images is None:
            if build_dir is None:
                import knlab
                build_dir = knlab.build_dir()
            images = guest_images(build_dir)
        self.kernel, self.initrd = (str(p) for p in images)
        self.ns, self.mac, self.name = ns, mac, name
        self.hostname = hostname or name
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}", self.hostname):
            raise ValueError("hostname %r: letters, digits and '-' only" % self.hostname)
        m = re.search(r"(?:^|,)id=([^,]+)", netdev)
        if m:
            self.netdev, self.netdev_id = netdev, m.group(1)
        else:
            self.netdev, self.netdev_id = netdev + ",id=n0", "n0"
        self.append, self.memory = append, memory
        self.accel = accel or default_accel(self.kernel, self.initrd)
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        if "," in str(self.workdir):
            raise ValueError("workdir %s: no commas (QEMU option syntax)" % self.workdir)
        self.console_log = self.workdir / ("%s.console.log" % name)
        self.qemu_log = self.workdir / ("%s.qemu.log" % name)
        self._sockdir = None
        self.sock_path = self.workdir / ("%s.sock" % name)
        if len(str(self.sock_path)) > 100:  # sun_path is 108 bytes
            self._sockdir = tempfile.mkdtemp(prefix="kntest-qemu-")
            self.sock_path = pathlib.Path(self._sockdir) / "console.sock"
        self.proc = None
        self.sock = None
        self._reader = None
        self._stop = threading.Event()
        self._send_lock = threading.Lock()
        self._ncmd = 0
        self.last_token = None
        self.lease = None
        self.ip = None
        self.started_at = None
        self.lease_seconds = None
        self.powered_off = False
        self._ready = False

    def __repr__(self):
        return "QemuGuest(%s in %s, %s)" % (self.name, self.ns, self.mac)

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False

    # ---- QEMU ----------------------------------------------------------------------------

    def command(self):
        kargs = ("console=ttyS0 quiet panic=-1 cryptomgr.notests mitigations=off "
                 "knhost=%s %s" % (self.hostname, self.append)).strip()
        return ["ip", "netns", "exec", self.ns, QEMU,
                "-name", self.name, "-accel", self.accel, "-M", "pc", "-m", str(self.memory),
                "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-chardev", "socket,id=con0,path=%s,server=on,wait=off,logfile=%s"
                % (self.sock_path, self.console_log),
                "-serial", "chardev:con0",
                "-kernel", self.kernel, "-initrd", self.initrd, "-append", kargs,
                "-netdev", self.netdev,
                "-device", "virtio-net-pci,netdev=%s,mac=%s,romfile=" % (self.netdev_id, self.mac)]

    def start(self):
        assert self.proc is None, "%r started twice" % self
        for p in (self.console_log, self.sock_path):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        self.console_log.touch()
        with open(self.qemu_log, "w") as log:
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        try:
            self._connect()
        except BaseException:
            self.kill()
            raise
        return self

    def _connect(self, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise GuestError("%s exited with status %d at start-up\n%s"
                                 % (QEMU, self.proc.returncode, self._context()))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            try:
                s.connect(str(self.sock_path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                if time.monotonic() > deadline:
                    raise GuestError("no console socket %s after %ss\n%s"
                                     % (self.sock_path, timeout, self._context()))
                time.sleep(0.02)
        self.sock = s
        self._reader = threading.Thread(target=self._drain, name="console-" + self.name,
                                        daemon=True)
        self._reader.start()

    def _drain(self):
        """Reads the console socket as fast as QEMU writes (the console log file has it all)."""
        s = self.sock
        s.settimeout(0.2)
        while not self._stop.is_set():
            try:
                if not s.recv(65536):
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def kill(self, timeout=5):
        """Ends this guest's QEMU (by its PID: SIGTERM, then SIGKILL); returns its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def cleanup(self):
        """Kills QEMU if still running, stops the reader, removes the socket. Idempotent; the
        console and QEMU logs stay in workdir."""
        self.kill()
        self._stop.set()
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
            self.sock = None
        if self._reader is not None:
            self._reader.join(2)
            self._reader = None
        try:
            self.sock_path.unlink()
        except OSError:
            pass
        if self._sockdir:
            shutil.rmtree(self._sockdir, ignore_errors=True)
            self._sockdir = None

    # ---- the console ---------------------------------------------------------------------

    def console_text(self, start=0):
        try:
            with open(self.console_log, "rb") as f:
                f.seek(start)
                return f.read().decode(errors="replace").replace("\r\n", "\n")
        except OSError:
            return ""

    def console_size(self):
        try:
            return self.console_log.stat().st_size
        except OSError:
            return 0

    def _context(self, lines=60):
        con = self.console_text().splitlines()
        try:
            qlog = self.qemu_log.read_text(errors="replace").strip()
        except OSError:
            qlog = ""
        state = ("running (pid %d)" % self.proc.pid if self.running()
                 else "exited with status %s" % (self.proc.returncode if self.proc else "-"))
        return ("QEMU %s; %s\n--- console (%s, last %d lines) ---\n%s\n--- qemu log ---\n%s"
                % (state, self, self.console_log, lines, "\n".join(con[-lines:]),
                   qlog or "(empty)"))

    def wait_console(self, pattern, timeout=30, start=0, what=None):
        """Waits for regex 'pattern' (multiline) in the console from byte 'start'; returns the
        match. Raises GuestError when QEMU exits first or after 'timeout' seconds."""
        rx = re.compile(pattern, re.M | re.S) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.console_text(start))
            if m:
                return m
            if not self.running():
                m = rx.search(self.console_text(start))
                if m:
                    return m
                raise GuestError("guest stopped before %s\n%s"
                                 % (what or repr(rx.pattern), self._context()))
            if time.monotonic() > deadline:
                raise GuestError("no %s after %ss\n%s"
                                 % (what or repr(rx.pattern), timeout, self._context()))
            time.sleep(0.05)

    def _send(self, line):
        assert "\n" not in line and "\r" not in line, "one line only: %r" % line
        if self.sock is None or not self.running():
            raise GuestError("guest not running\n%s" % self._context())
        with self._send_lock:
            self.sock.sendall(line.encode() + b"\n")

    # ---- the guest's protocol ------------------------------------------------------------

    def wait_lease(self, timeout=60):
        """Waits for the guest's DHCP marker; returns its address (also in self.ip, the whole
        lease in self.lease: ip, prefix, router, dns list). Raises GuestError on dhcp-failed."""
        m = self.wait_console(LEASE_RE, timeout, what="a DHCP lease marker")
        if not m.group(2):
            raise GuestError("guest reports: %s\n%s" % (m.group(1), self._context()))
        f = LEASE_FIELDS_RE.search(m.group(2))
        if not f:
            raise GuestError("malformed lease marker %r\n%s" % (m.group(0), self._context()))
        self.lease = {"ip": f.group(1), "prefix": int(f.group(2)),
                      "router": None if f.group(3) == "-" else f.group(3),
                      "dns": [] if f.group(4) == "-" else f.group(4).split(",")}
        self.ip = self.lease["ip"]
        if self.lease_seconds is None:
            self.lease_seconds = time.monotonic() - self.started_at
        return self.ip

    def wait_ready(self, timeout=60):
        """Waits until the guest's command shell runs (after the lease marker)."""
        if not self._ready:
            self.wait_console(r"^KVMNET-GUEST ready\r?$", timeout,
                              what="the guest's command shell")
            self._ready = True

    def run(self, cmd, timeout=30, resends=3):
        """Runs 'cmd' with sh -c in the guest; returns (exit status, output). The output comes
        with its MD5: when what arrived differs (the serial line under TCG has been seen to
        repeat a character), the guest is asked for it again, up to 'resends' times."""
        self.wait_ready(timeout)
        self._ncmd += 1
        self.last_token = tok = "c%d-%s" % (self._ncmd, secrets.token_hex(4))
        start = self.console_size()
        self._send("KNCMD %s %d %s" % (tok, max(1, int(timeout)), cmd))
        rc, out, intact = self._wait_output(tok, start, timeout + 15, "the end of command %r" % cmd)
        for _ in range(resends):
            if intact:
                return rc, out
            rc, out, intact = self.resend()
        if intact:
            return rc, out
        raise GuestError("the output of %r arrived garbled %d times\n%s"
                         % (cmd, resends + 1, self._context()))

    def resend(self, timeout=15):
        """Asks the guest for the last command's output again: (exit status, output, intact)."""
        start = self.console_size()
        self._send("KNRESEND %s" % self.last_token)
        return self._wait_output(self.last_token, start, timeout, "the resent output")

    def _wait_output(self, tok, start, timeout, what):
        m = self.wait_console(r"^KVMNET-BEGIN %s\n(.*?)^KVMNET-END %s rc=(\d+) md5=([0-9a-f]{32})$"
                              % (tok, tok), timeout, start, what=what)
        out = m.group(1)
        # the guest adds a newline after output that lacks one: the sum is of either form
        sums = {hashlib.md5(o.encode(errors="surrogateescape")).hexdigest() for o in (out, out[:-1])}
        return int(m.group(2)), out, m.group(3) in sums

    def poweroff(self, timeout=30):
        """Asks the guest to power off and waits for QEMU to exit; returns QEMU's exit status.
        Raises GuestError (after killing QEMU) when the guest does not power off."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        deadline = time.monotonic() + timeout
        self.wait_ready(timeout)
        start = self.console_size()
        self._send("KNPOWEROFF")
        try:
            self.proc.wait(max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            ctx = self._context()
            self.kill()
            raise GuestError("guest did not power off within %ss; killed\n%s" % (timeout, ctx))
        if not re.search(r"^KVMNET-GUEST poweroff\r?$", self.console_text(start), re.M):
            raise GuestError("QEMU exited (status %d) without the guest's poweroff marker\n%s"
                             % (self.proc.returncode, self._context()))
        self.powered_off = True
        return self.proc.returncode
