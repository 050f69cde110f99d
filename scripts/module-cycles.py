#!/usr/bin/env python3
"""Import cycles among the modules of each crate: exits 1 when one crate's files import each
other in a loop.

An edge A -> B is a path in A's code (a `use` or an inline path, outside `#[cfg(test)]`
blocks) that names an item defined in module B, followed through `pub use` re-exports to
where it is defined. A module using its own submodules is not an edge: a parent (lib.rs,
mod.rs) is the table of contents of its children, so cycles are among the modules that do
the work. Usage, from the repository root:

    python3 scripts/module-cycles.py                  # every crate of the workspace
    python3 scripts/module-cycles.py harness/runner   # one crate
"""

import os
import re
import sys


def module_files(src):
    """Module path (tuple) -> file, for every .rs file under src/ (not tests/ or benches/)."""
    mods = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)
            parts = rel[:-3].split(os.sep)
            if parts == ["main"] and os.path.exists(os.path.join(src, "lib.rs")):
                # a binary beside a library: its own root, apart from the library's
                parts = ["<bin>"]
            elif parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            mods[tuple(parts)] = os.path.join(dirpath, f)
    return mods


def code_without_tests(text):
    """The text with comments, strings and `#[cfg(test)]` items removed."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'r#*"(?:.|\n)*?"#*|"(?:\\.|[^"\\])*"', '""', text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*(;|\{)", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        if m.group(1) == ";":
            i = m.end()
            continue
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand_paths(code):
    """Every `crate::`/`super::`/`self::` path, with `use` groups `a::{b, c::d}` expanded."""
    paths = []
    for m in re.finditer(r"\b(crate|super|self)((?:\s*::\s*(?:\w+|\{))+)", code):
        start = m.start()
        head = code[start : m.end()]
        if head.rstrip().endswith("{"):
            # a group: read to its matching brace
            depth, j = 1, m.end()
            while j < len(code) and depth:
                depth += {"{": 1, "}": -1}.get(code[j], 0)
                j += 1
            prefix = re.sub(r"\s", "", head)[:-1]  # "crate::a::"
            inner = code[m.end() : j - 1]
            for item in split_top(inner):
                item = re.sub(r"\s", "", item)
                if not item:
                    continue
                if "{" in item:
                    for p in expand_paths(prefix + item):
                        paths.append(p)
                else:
                    paths.append(prefix + item)
        else:
            paths.append(re.sub(r"\s", "", head))
    return paths


def split_top(s):
    parts, depth, cur = [], 0, ""
    for c in s:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    return parts


def reexports(mods):
    """Module -> ({name: path it re-exports}, [glob paths]) from its `pub use` lines."""
    out = {}
    for m, f in mods.items():
        with open(f, encoding="utf-8") as fh:
            code = code_without_tests(fh.read())
        names, globs = {}, []
        for u in re.finditer(r"pub(?:\([^)]*\))?\s+use\s+([^;]+);", code):
            target = u.group(1).strip()
            if not re.match(r"(crate|super|self)\b", target):
                target = "self::" + target
            for p in expand_paths(target):
                last = p.split("::")[-1]
                if last == "*":
                    globs.append(p[:-3])
                else:
                    names[last.split(" as ")[-1].strip()] = p.split(" as ")[0]
        out[m] = (names, globs)
    return out


DEFINES = {}


def defines(f, name):
    key = (f, name)
    if key not in DEFINES:
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        DEFINES[key] = re.search(
            r"pub(?:\([^)]*\))?\s+(?:async\s+)?(?:struct|enum|fn|const|static|type|trait|mod)\s+" + re.escape(name) + r"\b",
            text,
        ) is not None
    return DEFINES[key]


def resolve(path, here, mods, rex=None, depth=0):
    """The module (tuple) a path's item is defined in."""
    m = resolve_module(path, here, mods)
    if rex is None or depth > 8:
        return m
    segs = [s for s in re.split(r"::", re.sub(r"\s", "", path)) if s]
    tail = segs[-1] if segs else None
    # a name the module re-exports leads to where it is defined
    names, globs = rex.get(m, ({}, []))
    for s in segs:
        if s in names:
            return resolve(names[s], m, mods, rex, depth + 1)
    if tail and not defines(mods[m], tail):
        for g in globs:
            gm = resolve_module(g, m, mods)
            if gm != m and defines(mods[gm], tail):
                return gm
    return m


def resolve_module(path, here, mods):
    """The module (tuple) a path's item lives in, or None."""
    segs = [s for s in re.split(r"::", re.sub(r"\s", "", path)) if s]
    segs = [re.match(r"\w*", s).group(0) for s in segs]
    segs = [s for s in segs if s]
    segs = [s.split(" as ")[0] for s in segs]
    base = list(here)
    if segs[0] == "crate":
        base = []
        segs = segs[1:]
    else:
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    # the longest prefix that is a module file
    best = tuple(base)
    cur = list(base)
    for s in segs:
        cur.append(s)
        if tuple(cur) in mods:
            best = tuple(cur)
        else:
            break
    return best


def cycles(crate):
    src = os.path.join(crate, "src")
    mods = module_files(src)
    edges = {m: set() for m in mods}
    rex = reexports(mods)
    for m, f in mods.items():
        with open(f, encoding="utf-8") as fh:
            code = code_without_tests(fh.read())
        paths = expand_paths(code)
        # A child module named without `self::` (`routes::router` in lib.rs).
        for c in re.finditer(r"(?<![\w:])(\w+)\s*::\s*(\w+|\{)", code):
            if m + (c.group(1),) in mods:
                paths.append("self::" + code[c.start() :].split(";")[0].split("(")[0])
        for p in paths:
            t = resolve(p, m, mods, rex)
            # a parent using its own submodules is the module tree, not an import
            if t is not None and t != m and t in mods and t[: len(m)] != m:
                edges[m].add(t)
    # Tarjan's strongly connected components
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in mods:
        if v not in index:
            visit(v)
    name = lambda m: mods[m]
    return [
        sorted((name(a), sorted(name(b) for b in edges[a] if b in comp)) for a in comp)
        for comp in out
    ]


def main():
    crates = sys.argv[1:]
    if not crates:
        crates = sorted(
            os.path.dirname(p)
            for p in (os.path.join(d, sub, "Cargo.toml") for d in ("harness", "simulators") for sub in os.listdir(d))
            if os.path.exists(p)
        )
    found = False
    for crate in crates:
        for comp in cycles(crate):
            found = True
            print(f"cycle in {crate}:")
            for f, targets in comp:
                print(f"  {f} -> {', '.join(targets)}")
    if not found:
        print(f"no import cycles among the modules of {len(crates)} crates")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
