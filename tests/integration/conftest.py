# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures: 'topo' (namespaces only), 'lab' (topo + a running kvmnetd), 'module_lab' (one lab
shared by a module's tests). Teardown stops the daemon by PID (SIGTERM, exit status must be 0),
deletes the namespaces and the temp dir, then fails the test on any problem: non-zero exit,
sanitizer report, namespace left behind. A failing test also shows the daemon's log."""
import os
import shutil

import pytest

import knlab


# Host files a DHCP client's hooks would write if one ever ran outside the tests' confinement.
HOST_FILES = ("/etc/resolv.conf", "/etc/hostname")
_host_files = {}


def _host_file_state(path):
    try:
        st = os.stat(path)
        with open(path, "rb") as f:
            return (st.st_mtime_ns, f.read())
    except OSError as e:
        return ("missing", e.errno)


def pytest_sessionstart(session):
    for path in HOST_FILES:
        _host_files[path] = _host_file_state(path)
    if os.geteuid() != 0:
        pytest.exit("the integration tests need root (network namespaces)", returncode=4)
    for tool in ("ip", "nft", "ping"):
        if shutil.which(tool) is None:
            pytest.exit("missing tool: %s" % tool, returncode=4)


def _labs(item):
    labs = []
    for v in getattr(item, "funcargs", {}).values():
        if isinstance(v, knlab.Lab) and v not in labs:
            labs.append(v)
    return labs


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and rep.when != "teardown":  # teardown failures carry the log already
        for lab in _labs(item):
            rep.sections.append(("kvmnetd log (%s)" % lab.prefix, lab.log_text() or "(empty)"))


def _finish(lab):
    problems = lab.cleanup()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def topo():
    """The namespaces, veth and routes, no daemon (call lab.start_daemon())."""
    lab = knlab.Lab()
    try:
        lab.setup()
        yield lab
    finally:
        _finish(lab)


@pytest.fixture
def lab(topo):
    topo.start_daemon()
    return topo


@pytest.fixture(scope="module")
def module_lab():
    lab = knlab.Lab()
    try:
        lab.setup()
        lab.start_daemon()
        yield lab
    finally:
        _finish(lab)


@pytest.fixture(autouse=True)
def _sanitizer_gate(request):
    """After every test: any new ASan/UBSan report of a lab it used fails it."""
    yield
    reports = []
    for lab in _labs(request.node):
        reports += lab.sanitizer_reports()
    if reports:
        pytest.fail("sanitizer reports:\n" + "\n".join(reports), pytrace=False)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    left = [ns for ns in knlab.netns_list() if ns in knlab.CREATED_NS]
    left_tmp = [t for t in knlab.CREATED_TMP if os.path.exists(t)]
    if left or left_tmp:
        print("\nkvmnet integration: left behind: namespaces %s, temp dirs %s" % (left, left_tmp))
        session.exitstatus = 1
    changed = [p for p in HOST_FILES if _host_file_state(p) != _host_files.get(p)]
    if changed:
        print("\nkvmnet integration: the host's %s changed during the run" % ", ".join(changed))
        session.exitstatus = 1
