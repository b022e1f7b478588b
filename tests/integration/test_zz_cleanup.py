# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs last (file order): nothing of the suite is left, and the root namespace was never touched."""
import os
import warnings

import knlab


def test_nothing_left_behind():
    ours = [ns for ns in knlab.netns_list() if ns in knlab.CREATED_NS]
    assert ours == [], "namespaces left behind: %s" % ours
    # Others may belong to a concurrent run (e.g. the ASan build's suite): warn, don't fail.
    others = [ns for ns in knlab.netns_list() if ns.startswith("kntest-")]
    if others:
        warnings.warn("kntest-* namespaces of another run (or an earlier crash): %s" % others)
    tmp = [t for t in knlab.CREATED_TMP if os.path.exists(t)]
    assert tmp == [], "temp dirs left behind: %s" % tmp


def test_root_namespace_untouched():
    tables = knlab.run(["nft", "list", "tables"]).stdout
    assert "kvmnet" not in tables, "a kvmnet table in the root namespace:\n" + tables
    links = knlab.run(["ip", "-br", "link"]).stdout.split("\n")
    ours = [ln.split()[0] for ln in links if ln.split() and ln.split()[0].startswith(("kn-", "vg"))]
    assert ours == [], "kvmnet-like links in the root namespace: %s" % ours
