#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The include graph of src/daemon must have no cycle (docs/ARCHITECTURE.md, "The daemon's layers").

A module is a file's path below src/daemon without its extension (so manager.c and manager.h are
the module "manager", lab/lab-engine.c and .h the module "lab/lab-engine"; a NAME-internal.h is
part of NAME); module A depends on module B when A's .c or .h includes B's header ("daemon/B.h",
or "B.h" beside it). Every strongly connected component of more than one module is a cycle.
ALLOWED lists the cycles left to break: each found cycle must be one of them exactly, so a new
cycle (or a module joining one) fails, and so does a cycle that shrank or went without ALLOWED
being updated. Usage: check-daemon-layers.py [SRC_DAEMON_DIR]; exits 0 or 1, naming each cycle
and one include chain around it. With --self-test, checks the check on a tree of its own.
"""
import os
import re
import sys

# The cycles not yet broken, each a set of modules: none. A cycle left to break for a while would
# be listed here, e.g. {'manager', 'network'}, so that it cannot grow unnoticed.
ALLOWED = [
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(path):
    """'lab/lab-engine.c' -> 'lab/lab-engine'; a NAME-internal.h (what NAME's files share,
    defined in them) is part of NAME."""
    mod = path[:-2] if path.endswith(('.c', '.h')) else path
    return mod[:-len('-internal')] if mod.endswith('-internal') else mod


def module_graph(root):
    """Module -> {module: 'file:line' of the first include making the edge}."""
    graph = {}
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if not f.endswith(('.c', '.h')):
                continue
            path = os.path.join(d, f)
            mod = module_of(os.path.relpath(path, root))
            edges = graph.setdefault(mod, {})
            with open(path, encoding='utf-8') as fh:
                for lineno, line in enumerate(fh, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    if target.startswith('daemon/'):
                        dep = target[len('daemon/'):]
                    else:
                        dep = os.path.relpath(os.path.join(d, target), root)
                        if dep.startswith('..') or not os.path.exists(os.path.join(root, dep)):
                            continue
                    dep = module_of(dep)
                    if dep != mod:
                        edges.setdefault(dep, '%s:%d' % (os.path.relpath(path, root), lineno))
    return graph


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, {})))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                scc = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    scc.add(w)
                    if w == v:
                        break
                if len(scc) > 1:
                    found.append(scc)
    return found


def chain(graph, scc):
    """One include path from the cycle's first module back to itself, inside the cycle."""
    start = min(scc)
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                path.reverse()
                return ['%s (%s)' % (a, graph[a][b])
                        for a, b in zip(path, path[1:] + [start])] + [start]
            if w in scc and w not in prev:
                prev[w] = v
                queue.append(w)
    return [start]


def self_test():
    """The check itself: a tree with a cycle through a part (x-internal.h) and one without."""
    import tempfile
    files = {
        'a.c': '#include "a.h"\n#include "daemon/b.h"\n',
        'a.h': '',
        'b.h': '',
        'b.c': '#include "b-internal.h"\n',
        'b-internal.h': '',
        'sub/c.c': '#include "daemon/b.h"\n',
        'sub/c.h': '',
    }
    with tempfile.TemporaryDirectory() as root:
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
            with open(os.path.join(root, name), 'w', encoding='utf-8') as fh:
                fh.write(text)
        graph = module_graph(root)
        assert graph == {'a': {'b': 'a.c:2'}, 'b': {}, 'sub/c': {'b': 'sub/c.c:1'}}, graph
        assert cycles(graph) == [], cycles(graph)
        with open(os.path.join(root, 'b-internal.h'), 'w', encoding='utf-8') as fh:
            fh.write('#include "daemon/sub/c.h"\n')
        with open(os.path.join(root, 'sub/c.h'), 'w', encoding='utf-8') as fh:
            fh.write('#include "daemon/a.h"\n')
        graph = module_graph(root)
        found = cycles(graph)
        assert found == [{'a', 'b', 'sub/c'}], found
        assert chain(graph, found[0])[-1] == 'a', chain(graph, found[0])
    print('self-test passed')
    return 0


def main():
    if sys.argv[1:] == ['--self-test']:
        return self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'daemon')
    graph = module_graph(root)
    failed = False
    found = cycles(graph)
    for scc in found:
        if scc in ALLOWED:
            print('known cycle of %d modules (still to break): %s' % (len(scc), ' '.join(sorted(scc))))
            continue
        failed = True
        print('error: include cycle of %d modules: %s' % (len(scc), ' '.join(sorted(scc))))
        print('  e.g. ' + ' -> '.join(chain(graph, scc)))
        grown = [a for a in ALLOWED if a & scc]
        for a in grown:
            if scc - a:
                print('  new in it: ' + ' '.join(sorted(scc - a)))
            if a - scc:
                print('  no longer in it (update ALLOWED in %s): %s'
                      % (os.path.basename(__file__), ' '.join(sorted(a - scc))))
    for a in ALLOWED:
        if not any(a & scc for scc in found):
            failed = True
            print('error: the cycle of %s is gone: remove it from ALLOWED in %s'
                  % (' '.join(sorted(a)), os.path.basename(__file__)))
    print('%d modules, %d include edges, %d cycle(s)'
          % (len(graph), sum(len(e) for e in graph.values()), len(found)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
