#!/usr/bin/env python3
"""Incremental indexing at 2,000 documents: adding one document must take seconds, not a rebuild.

    python scripts/bench_incremental.py [CORPUS] [--docs 2000] [--index-dir DIR]

Picks DOCS files spread evenly over ../shared/corpus-sv/ (read where they lie, never copied),
builds a lexical index (--no-semantic), then times: an unchanged re-run, adding one new
document, changing one, removing one (--prune); and, for comparison, what copying the whole
generation would cost (the approach hard links replaced). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from searcher.store import layout
from searcher.store.build import build_index

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-sv"


def pick(corpus: Path, n: int) -> list[Path]:
    """n + 2 files spread over the sorted corpus (the last two are the 'new' documents)."""
    files = sorted(p for p in corpus.rglob("*.txt") if p.is_file())
    step = len(files) / (n + 2)
    return [files[int(i * step)] for i in range(n + 2)]


def tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed(label: str, fn):
    t = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t
    print(f"{label:<44} {seconds:8.2f} s", flush=True)
    return result, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--index-dir", type=Path)
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="searcher-bench-"))
    index_dir = args.index_dir or work / "index"
    files = pick(args.corpus, args.docs)
    base, extra = files[: args.docs], files[args.docs:]
    # The corpus is read in place; a folder of symlinks lets files come and go for the test.
    folder = work / "docs"
    folder.mkdir()
    for f in base:
        link = folder / f"{f.parent.name}__{f.name}"
        if not link.exists():
            os.symlink(f, link)
    try:
        report, build_s = timed(f"build: {args.docs} documents (lexical)",
                                lambda: build_index([folder], index_dir, semantic=False))
        gen = layout.current_generation(index_dir)
        print(f"  {len(report.indexed)} documents, {report.sections} sections, "
              f"{len(report.skipped)} skipped; generation {tree_bytes(gen) / 2**20:.1f} MiB "
              f"(lexical {tree_bytes(gen / 'lexical') / 2**20:.1f} MiB, sections.sqlite "
              f"{(gen / 'sections.sqlite').stat().st_size / 2**20:.1f} MiB)")
        again, noop_s = timed("re-run, nothing changed",
                              lambda: build_index([folder], index_dir, semantic=False))
        assert again.indexed == () and again.generation == report.generation
        os.symlink(extra[0], folder / f"new__{extra[0].name}")
        added, add_s = timed("add one new document",
                             lambda: build_index([folder], index_dir, semantic=False))
        assert len(added.indexed) == 1, added
        victim = sorted(folder.iterdir())[0]
        target = victim.resolve()
        victim.unlink()
        shutil.copyfile(target, victim)
        with open(victim, "a", encoding="utf-8") as f:
            f.write("\nTillägg: en ändrad mening för mätningen.\n")
        changed, change_s = timed("change one document",
                                  lambda: build_index([folder], index_dir, semantic=False))
        assert len(changed.indexed) == 1, changed
        sorted(folder.iterdir())[1].unlink()
        pruned, prune_s = timed("remove one document (--prune)",
                                lambda: build_index([folder], index_dir, semantic=False,
                                                    prune=True))
        assert len(pruned.removed) == 1, pruned
        gen = layout.current_generation(index_dir)
        copy_to = work / "copy"
        _, copy_s = timed("for comparison: copy + fsync a whole generation",
                          lambda: (shutil.copytree(gen, copy_to), layout.fsync_tree(copy_to)))
        print(f"peak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
              f" MiB")
        print(f"summary: build {build_s:.1f} s; add one {add_s:.2f} s "
              f"({build_s / add_s:.0f}x faster than the build); unchanged {noop_s:.2f} s; "
              f"change one {change_s:.2f} s; prune one {prune_s:.2f} s; whole-generation copy "
              f"{copy_s:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
