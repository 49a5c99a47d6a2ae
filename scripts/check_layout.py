#!/usr/bin/env python3
"""Check the package layout: imports point one way through the stages, no cycles, whoosh and its
private attributes where they belong. Prints one line per violation; exit 1 if any.

    python scripts/check_layout.py [--graph]

Rules (issue "A package layout that shows the data flow"):
- every `searcher` module belongs to a stage (STAGES, in data-flow order) and imports only
  modules of its own stage or earlier ones; within the package no import cycle at all (imports
  inside functions and under TYPE_CHECKING count too: an import moved into a function to dodge
  a cycle is still a cycle);
- at most MAX_TOP_MODULES modules directly in searcher/;
- `import whoosh` / `from whoosh …` only in WHOOSH_ALLOWED packages;
- an attribute starting with one underscore, read off anything but `self`/`cls`, only in
  WHOOSH_INTERNALS, in modules that import whoosh (whoosh's private attributes are quarantined).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Stages in data-flow order; a module may import from its own stage and those before it.
STAGES: tuple[tuple[str, ...], ...] = (
    ("searcher.records", "searcher.errors", "searcher.settings", "searcher.progress",
     "searcher.messages"),
    ("searcher.ingest",),
    ("searcher.chunking",),
    ("searcher.analysis",),
    ("searcher.query",),
    ("searcher.lexical", "searcher.semantic"),
    ("searcher.ranking",),
    ("searcher.store",),
    ("searcher.engine",),
    ("searcher.tools",),
    ("searcher.backends",),
    ("searcher.cli", "searcher.__main__"),
)
#: The package root only re-exports lazily (module __getattr__); it is not a stage.
UNSTAGED = {"searcher"}
MAX_TOP_MODULES = 8
WHOOSH_ALLOWED = ("searcher.analysis", "searcher.lexical", "searcher.backends.postgres")
WHOOSH_INTERNALS = "searcher.lexical.whoosh_internals"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> int | None:
    for i, prefixes in enumerate(STAGES):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    return None


def imports_of(tree: ast.AST, module: str, is_package: bool,
               modules: set[str]) -> list[tuple[int, str]]:
    """(line, imported name) for every import in the file, nested ones included. `from pkg
    import sub` names the submodule alone: pkg/__init__ runs first for any import of a module
    inside pkg, and that is not counted as an edge for `import pkg.sub` either."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = module.split(".")
                pkg = pkg if is_package else pkg[:-1]
                pkg = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join(pkg + ([base] if base else []))
            for a in node.names:
                full = f"{base}.{a.name}"
                out.append((node.lineno, full if full in modules else base))
    return out


def resolve(name: str, modules: set[str]) -> str | None:
    """The longest known module that `name` is or lies in."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def private_whoosh_attributes(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            base = node.value
            if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                continue
            found.append((node.lineno, node.attr))
    return found


def check(root: Path = ROOT, verbose_graph: bool = False) -> list[str]:
    """Every layout problem of the `searcher` package under `root`, one line each."""
    package = root / "searcher"
    files = sorted(package.rglob("*.py"))
    names = {module_name(f, root): f for f in files}
    modules = set(names)
    problems: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in modules}

    top = [f for f in files if f.parent == package and f.name != "__init__.py"]
    if len(top) > MAX_TOP_MODULES:
        problems.append(f"{len(top)} modules directly in searcher/ (at most {MAX_TOP_MODULES}): "
                        + ", ".join(f.name for f in top))

    for mod, path in names.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        rel = path.relative_to(root)
        stage = stage_of(mod)
        if stage is None and mod not in UNSTAGED:
            problems.append(f"{rel}: module {mod} belongs to no stage (scripts/check_layout.py)")
        uses_whoosh = False
        for line, name in imports_of(tree, mod, path.name == "__init__.py", modules):
            if name == "whoosh" or name.startswith("whoosh."):
                uses_whoosh = True
                if not mod.startswith(WHOOSH_ALLOWED):
                    problems.append(f"{rel}:{line}: imports whoosh outside "
                                    f"{', '.join(WHOOSH_ALLOWED)}")
            if not name.startswith("searcher"):
                continue
            target = resolve(name, modules)
            if target is None or target == mod:
                continue
            graph[mod].add(target)
            t_stage = stage_of(target)
            if stage is not None and t_stage is not None and t_stage > stage:
                problems.append(f"{rel}:{line}: {mod} (stage {stage}) imports {target} "
                                f"(stage {t_stage}): imports must point to earlier stages")
        if uses_whoosh and mod != WHOOSH_INTERNALS:
            for line, attr in private_whoosh_attributes(tree):
                problems.append(f"{rel}:{line}: private attribute .{attr} in a module that uses "
                                f"whoosh; keep whoosh internals in {WHOOSH_INTERNALS}")

    for cycle in cycles(graph):
        problems.append("import cycle: " + " → ".join(cycle + [cycle[0]]))
    if verbose_graph:
        for m in sorted(graph):
            print(m, "→", ", ".join(sorted(graph[m])))
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One representative cycle per strongly connected component with more than one module
    (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        component.append(m)
                        if m == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def main(argv: list[str]) -> int:
    problems = check(verbose_graph="--graph" in argv)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layout problem(s)", file=sys.stderr)
        return 1
    print("layout ok: stages import one way, no cycles, whoosh internals quarantined",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
