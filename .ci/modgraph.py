#!/usr/bin/env python3
"""The crate's module dependency graph, read from its own `crate::` paths.

    python3 .ci/modgraph.py            # edges, and the strongly connected components (cycles)
    python3 .ci/modgraph.py --dot      # Graphviz
    python3 .ci/modgraph.py --check    # exit 1 if a leaf module imports the app, or mail imports web (CI)

A module is a top-level module of `src/` (`catalog`, `web`, ...); `a -> b` means a file of `a`
names `crate::b`. Test modules (`tests.rs`, `#[cfg(test)] mod tests`) are left out: they may
reach anywhere.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# Modules that must import nothing of the app (issue 11): small pieces everyone may use.
LEAVES = {"clock", "ids", "richtext", "ratelimit", "cache", "client", "config", "error", "i18n"}

# Edges that would turn a dependency upside down, beyond the leaf rule: mail is sent by domains
# below the pages, so it must not reach into them (shared pieces such as i18n live beside both).
FORBIDDEN = {("mail", "web")}

PATH = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)")
USE_GROUP = re.compile(r"\buse\s+crate::\{([^;]*)\};", re.S)


def module_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".rs")


def strip_tests(text: str) -> str:
    # `#[cfg(test)] mod tests { ... }` runs to the end of the file in this codebase's style.
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text


def strip_comments(text: str) -> str:
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for f in sorted(SRC.rglob("*.rs")):
        if f.name in ("tests.rs", "main.rs", "lib.rs"):
            continue
        src = module_of(f)
        edges.setdefault(src, set())
        text = strip_comments(strip_tests(f.read_text()))
        targets = set(PATH.findall(text))
        for group in USE_GROUP.findall(text):
            for item in group.split(","):
                name = item.strip().split("::")[0].split(" ")[0]
                if name:
                    targets.add(name)
        for t in targets:
            if t != src and ((SRC / f"{t}.rs").exists() or (SRC / t).is_dir()):
                edges[src].add(t)
    return edges


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
    # A leaf may use another leaf (ratelimit counts time with clock), nothing else of the app.
    bad = [(a, b) for a in sorted(LEAVES & edges.keys()) for b in sorted(edges[a] - LEAVES)]
    upside_down = sorted((a, b) for a, b in FORBIDDEN if b in edges.get(a, ()))
    if "--check" in sys.argv:
        for a, b in bad:
            print(f"forbidden: leaf module `{a}` imports `{b}`")
        for a, b in upside_down:
            print(f"forbidden: `{a}` imports `{b}`")
        return 1 if bad or upside_down else 0
    for a in sorted(edges):
        print(f"{a} -> {', '.join(sorted(edges[a])) or '-'}")
    comps = [c for c in sccs(edges) if len(c) > 1]
    print(f"\nmodules: {len(edges)}, edges: {sum(len(v) for v in edges.values())}")
    print(f"largest cycle (strongly connected component): {len(comps[0]) if comps else 1} modules")
    for c in comps:
        print(f"  cycle of {len(c)}: {' '.join(c)}")
    print(f"leaf modules importing the app: {len(bad)}" + "".join(f"\n  {a} -> {b}" for a, b in bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
