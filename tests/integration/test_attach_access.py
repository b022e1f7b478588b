# SPDX-License-Identifier: GPL-2.0-or-later
"""Who may attach a VM through kvmnet-bridge-helper (API method port.attach), tried as the
unprivileged user 'nobody' (setpriv): without kvmnetd --group nobody cannot use the API at all;
with '--group nogroup' nobody may attach to a network without allow-attach, and to one whose
allow-attach names nobody or @nogroup (primary or supplementary group), but not to one that
names only others. A refusal is one line, exit status 1, and changes nothing (links, addresses,
rules, state files, port list); an accepted attach hands back a tap that is listed and goes away
with its fd. The lab's temp dir (the socket's directory) is made 0711 so that nobody can reach
the socket in it; kvmnetd leaves that directory's mode alone."""
import grp
import json
import os
import pwd
import shutil
import stat

import pytest

from knlab import run, tap_of_fd

# setpriv(1) arguments: nobody with nogroup as primary group, with nogroup only as a
# supplementary group, and in neither
NOBODY = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]
NOBODY_SUPPLEMENTARY = ["--reuid=nobody", "--regid=daemon", "--groups=nogroup"]
NOBODY_OUTSIDER = ["--reuid=nobody", "--regid=daemon", "--clear-groups"]


def _need_accounts():
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    try:
        pwd.getpwnam("nobody")
        grp.getgrnam("nogroup")
        grp.getgrnam("daemon")
    except KeyError as e:
        pytest.skip("no such account on this machine: %s" % e)
    return pwd.getpwnam("nobody").pw_uid


@pytest.fixture
def access_lab(topo):
    """A lab whose temp dir nobody may traverse (not list); 'nobody_uid' set on it."""
    topo.nobody_uid = _need_accounts()
    os.chmod(topo.tmp, 0o711)
    return topo


def helper_env():
    """The environment for programs run as nobody: sanitizer reports to stderr (the lab's
    report directory is root's), where the tests' checks of stderr see them."""
    return {k: v for k, v in os.environ.items() if k not in ("ASAN_OPTIONS", "UBSAN_OPTIONS")}


def attach(lab, net, user):
    return lab.bridge_helper("--br=kn-" + net, "--socket=%s" % lab.sock, env=helper_env(),
                             user=user)


def check_attached(lab, net, user):
    """'user' gets a vnet_hdr tap on NET's bridge, listed as a bridge-helper port under
    policy; it is gone, from the kernel and the list, once the fd is closed."""
    rc, err, fd = attach(lab, net, user)
    assert rc == 0 and fd is not None and err == "", (net, user, rc, err)
    try:
        name, flags = tap_of_fd(fd)
        assert flags & 0x0002 and flags & 0x4000, hex(flags)  # IFF_TAP, IFF_VNET_HDR
        p = lab.wait_port(name)
        assert p["network"] == net and p["origin"] == "bridge-helper" and p["policy"], p
        assert lab.link(name).get("master") == "kn-" + net
    finally:
        os.close(fd)
    lab.wait_port(name, present=False)
    lab.wait_link(name, present=False)


def check_refused(lab, net, user, needle):
    """'user' is refused with one line containing 'needle', exit status 1, nothing changed."""
    before, ports = lab.snapshot(), lab.ports()
    rc, err, fd = attach(lab, net, user)
    lines = err.strip().splitlines()
    assert rc == 1 and fd is None and len(lines) == 1, (net, user, rc, err)
    assert lines[0].startswith("kvmnet-bridge-helper: ") and needle in lines[0], (needle, err)
    after = lab.snapshot()
    assert before == after, "a refused attach changed something:\n" + lab.snapshot_diff(
        before, after)
    assert lab.ports() == ports


def kn_as(lab, user, *args):
    """The CLI run as 'user' (setpriv arguments) against the lab's daemon."""
    return run(["setpriv"] + user + [str(lab.bin / "kvmnet"), "--socket", str(lab.sock)]
               + list(args), check=False, env=helper_env())


def test_without_group_nobody_cannot_use_the_api(access_lab):
    lab = access_lab
    if "kvmnet" in (g.gr_name for g in grp.getgrall()):
        pytest.skip("this machine has a 'kvmnet' group: kvmnetd's default API group")
    lab.start_daemon()
    st = os.stat(lab.sock)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, 0, 0o600), st
    lab.create("open", "isolated", "10.63.1.0/24", "--port-security", "yes")

    # the socket file's mode keeps nobody out
    check_refused(lab, "open", NOBODY, "cannot reach kvmnetd at %s: Permission denied" % lab.sock)
    p = kn_as(lab, NOBODY, "net", "list")
    assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1, p
    assert "Permission denied" in p.stderr and p.stdout == "", p

    # and so does kvmnetd's own check of the caller (SO_PEERCRED), should the mode be wrong
    os.chmod(lab.sock, 0o666)
    check_refused(lab, "open", NOBODY,
                  "kn-open: permission denied: uid %d is not root" % lab.nobody_uid)
    assert "Refused API connection from uid %d" % lab.nobody_uid in lab.log_text()
    p = kn_as(lab, NOBODY, "net", "list")   # the CLI shows the refusal too, not a broken pipe
    assert p.returncode == 1 and p.stdout == "", p
    assert p.stderr.strip().splitlines() == [
        "kvmnet: net list: permission denied: uid %d is not root" % lab.nobody_uid], p.stderr
    check_attached(lab, "open", None)  # root still may


def test_group_option_unknown_group(access_lab):
    lab = access_lab
    p = run(["ip", "netns", "exec", lab.host, str(lab.bin / "kvmnetd"), "--foreground",
             "--state-dir", str(lab.state), "--socket", str(lab.sock),
             "--group", "kntest-nosuchgroup"], check=False, env=lab.env)
    assert p.returncode == 1 and p.stdout == "", p
    assert p.stderr.strip().splitlines() == [
        "kvmnetd: group 'kntest-nosuchgroup' does not exist (--group)"], p.stderr
    assert not lab.sock.exists() and not lab.state.exists()
    assert stat.S_IMODE(os.stat(lab.tmp).st_mode) == 0o711


def test_group_and_allow_attach(access_lab):
    lab = access_lab
    lab.start_daemon(args=("--group", "nogroup"))
    st = os.stat(lab.sock)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == \
        (0, grp.getgrnam("nogroup").gr_gid, 0o660), st
    # the socket's directory is the test's: kvmnetd did not change its mode
    assert stat.S_IMODE(os.stat(lab.tmp).st_mode) == 0o711

    nets = {"open": None, "onlyroot": "root", "others": "daemon, @daemon",
            "byuser": "nobody", "bygroup": "@nogroup"}
    for i, (net, allow) in enumerate(sorted(nets.items())):
        lab.create(net, "isolated", "10.63.%d.0/24" % (i + 1), "--port-security", "yes",
                   *(("--allow-attach", allow) if allow else ()))

    # a member of the API group may use the rest of the API too (read-only here)
    p = kn_as(lab, NOBODY, "net", "list", "--json")
    assert p.returncode == 0 and p.stderr == "", p
    assert sorted(n["name"] for n in json.loads(p.stdout)) == sorted(nets)

    for net in ("open", "byuser", "bygroup"):
        check_attached(lab, net, NOBODY)
    for net in ("onlyroot", "others"):
        check_refused(lab, net, NOBODY, "kn-%s: uid %d may not attach to network '%s' "
                      "(allow-attach)" % (net, lab.nobody_uid, net))
        check_attached(lab, net, None)  # root always may

    # nogroup as a supplementary group only: in the API group, and @nogroup matches
    for net in ("open", "byuser", "bygroup"):
        check_attached(lab, net, NOBODY_SUPPLEMENTARY)
    check_refused(lab, "onlyroot", NOBODY_SUPPLEMENTARY,
                  "uid %d may not attach to network 'onlyroot'" % lab.nobody_uid)

    # outside the API group the socket file's mode keeps nobody out, whatever allow-attach says
    check_refused(lab, "byuser", NOBODY_OUTSIDER,
                  "cannot reach kvmnetd at %s: Permission denied" % lab.sock)

    # a live change of allow-attach counts from the next attach
    text = lab.kn("net", "export", "onlyroot").stdout.replace("allow-attach = root",
                                                              "allow-attach = root, nobody")
    assert "allow-attach = root, nobody" in text, text
    (lab.tmp / "onlyroot.conf").write_text(text)
    lab.kn("net", "define", lab.tmp / "onlyroot.conf")
    assert lab.networks()["onlyroot"]["state"] == "active"
    check_attached(lab, "onlyroot", NOBODY)
    assert lab.ports() == []
