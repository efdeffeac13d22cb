#!/usr/bin/env python3
"""The crate's module dependency graph, read from its own `crate::` paths.

    python3 .ci/modgraph.py            # edges, and the strongly connected components (cycles)
    python3 .ci/modgraph.py --dot      # Graphviz
    python3 .ci/modgraph.py --check    # exit 1 on a forbidden import (CI)

A module is a top-level module of `src/` (`catalog`, `web`, ...); `a -> b` means a file of `a`
names `crate::b`. Test modules (`tests.rs`, `#[cfg(test)] mod tests`) are left out: they may
reach anywhere.

`--check` enforces four rules (docs/ARCHITECTURE.md, "Dependency directions"):
- leaf modules import nothing of the app but other leaves;
- only `http` (which assembles the router) imports a domain's `routes` module;
- no domain imports `web` (the pages);
- a domain imports only the domains declared below it in DOMAINS. A domain's `routes.rs` is its
  HTTP adapter and may also name `identity` for the extractors that authenticate a request.
  Reactions across domains the other way (certificates on completion, emails, search) go
  through the change log or an event the lower domain publishes, never a direct call.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# Modules that must import nothing of the app (issue 11): small pieces everyone may use.
LEAVES = {"clock", "ids", "richtext", "screen", "ratelimit", "cache", "client", "config", "error", "fields", "i18n"}

# Each domain and the domains it may import. Infrastructure (store, schema, respcache, http,
# app, web, ...) is not a domain; `schema` lists every domain's tables and `app`/`http`/`web`
# assemble domains, so they sit above all of them.
DOMAINS = {
    "mail": set(),  # the outbox: any domain may queue a message in its own unit of work
    "audit": set(),  # the audit log: any domain records its admin actions in its own unit of work
    "identity": {"mail", "audit"},
    # uploads: records and files; the catalog attaches them, learning decides who reads them
    "media": {"identity"},
    "catalog": {"media", "identity", "audit"},
    "learning": {"catalog", "media", "identity", "audit"},
    "search": {"catalog", "identity"},
    "commerce": {"learning", "catalog", "identity", "mail", "audit"},
    "studio": {"commerce", "learning", "catalog", "media", "identity", "mail", "audit"},
    # a teacher's figures (dashboard, course analytics, students) from counters kept by the writes
    "analytics": {"qa", "commerce", "learning", "catalog", "identity"},
    # lesson Q&A: questions and answers under lessons, screened like reviews; shares learning's hooks
    "qa": {"learning", "catalog", "identity"},
    "moderation": {"qa", "learning", "catalog", "media", "identity", "mail", "audit"},
    "engagement": {"commerce", "learning", "catalog", "identity", "mail", "audit"},
    # the console's read models (figures) and the admin account/audit endpoints
    "admin": {"commerce", "learning", "catalog", "identity", "audit"},
    # personal data: the export of everything about a person, and account deletion
    "privacy": {"engagement", "commerce", "qa", "learning", "catalog", "identity", "mail", "audit"},
}

PATH = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)(?:::([a-z_][a-z0-9_]*))?")
USE_GROUP = re.compile(r"\buse\s+crate::\{([^;]*)\};", re.S)
NESTED = re.compile(r"\buse\s+crate::([a-z_][a-z0-9_]*)::\{([^;]*)\};", re.S)


def module_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".rs")


def strip_tests(text: str) -> str:
    # `#[cfg(test)] mod tests { ... }` runs to the end of the file in this codebase's style.
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text


def strip_comments(text: str) -> str:
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def file_imports(f: Path) -> set[tuple[str, str | None]]:
    """(module, submodule or None) pairs a file names through `crate::`."""
    text = strip_comments(strip_tests(f.read_text()))
    found = {(a, b or None) for a, b in PATH.findall(text)}
    for group in USE_GROUP.findall(text):
        for item in group.split(","):
            parts = item.strip().split("::")
            name = parts[0].split(" ")[0]
            if name:
                found.add((name, parts[1].split(" ")[0].strip("{") if len(parts) > 1 else None))
    for top, group in NESTED.findall(text):
        for item in group.split(","):
            found.add((top, item.strip().split("::")[0].split(" ")[0] or None))
    return {(a, b) for a, b in found if (SRC / f"{a}.rs").exists() or (SRC / a).is_dir()}


def sources():
    for f in sorted(SRC.rglob("*.rs")):
        if f.name not in ("tests.rs", "main.rs", "lib.rs"):
            yield f


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for f in sources():
        src = module_of(f)
        edges.setdefault(src, set())
        edges[src] |= {a for a, _ in file_imports(f) if a != src}
    return edges


def violations(edges: dict[str, set[str]]) -> list[str]:
    # A leaf may use another leaf (ratelimit counts time with clock), nothing else of the app.
    leaves = sorted(LEAVES & edges.keys())
    bad = [f"leaf module `{a}` imports `{b}`" for a in leaves for b in sorted(edges[a] - LEAVES)]
    for f in sources():
        src = module_of(f)
        rel = f.relative_to(SRC)
        for a, b in sorted(file_imports(f), key=str):
            if a == src:
                continue
            if b == "routes" and src != "http":
                bad.append(f"{rel} imports `{a}::routes`: only src/http assembles routes")
            if src in DOMAINS and a == "web":
                bad.append(f"{rel} imports `web`: pages sit above the domains (shared pieces such as i18n sit below)")
            if src in DOMAINS and a in DOMAINS and a not in DOMAINS[src]:
                if f.name == "routes.rs" and a == "identity":
                    continue
                allowed = ", ".join(sorted(DOMAINS[src])) or "no domain"
                bad.append(f"{rel} imports `{a}`: domain `{src}` may import only {allowed}")
    return bad


def sccs(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, largest first."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
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
            out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out, key=len, reverse=True)


def main() -> int:
    edges = graph()
    if "--dot" in sys.argv:
        print("digraph lectern {")
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'  "{a}" -> "{b}";')
        print("}")
        return 0
    bad = violations(edges)
    if "--check" in sys.argv:
        for b in bad:
            print(f"forbidden: {b}")
        return 1 if bad else 0
    for a in sorted(edges):
        print(f"{a} -> {', '.join(sorted(edges[a])) or '-'}")
    comps = [c for c in sccs(edges) if len(c) > 1]
    print(f"\nmodules: {len(edges)}, edges: {sum(len(v) for v in edges.values())}")
    print(f"largest cycle (strongly connected component): {len(comps[0]) if comps else 1} modules")
    for c in comps:
        print(f"  cycle of {len(c)}: {' '.join(c)}")
    print(f"forbidden imports: {len(bad)}" + "".join(f"\n  {b}" for b in bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
