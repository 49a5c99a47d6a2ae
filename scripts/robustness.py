#!/usr/bin/env python3
"""Index all of ../shared/corpus-sv/ lexically and report what was skipped, how long, how big.

    python scripts/robustness.py [CORPUS] [--index-dir DIR] [--keep]

Reads the corpus where it lies (never copies it), builds a lexical-only index (--no-semantic)
in a temporary folder, then prints the skipped files grouped by reason, the time of each run
(a full build, then an unchanged re-run that must do no work) and the peak memory (RSS) of
this process. Exit status 0 when the build finished, whatever was skipped.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from searcher.progress import NullProgress
from searcher.store.build import build_index

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-sv"


class Ticker(NullProgress):
    """Prints a stage line now and then, and every skip, on stderr."""

    def __init__(self) -> None:
        self.stage, self.total, self.done, self.t0 = "", 0, 0, time.perf_counter()

    def message(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.t0:7.1f} s] {text}", file=sys.stderr, flush=True)

    def warn(self, text: str) -> None:
        print(f"skipped: {text}", file=sys.stderr, flush=True)

    def start(self, stage: str, total: int) -> None:
        self.stage, self.total, self.done = stage, total, 0
        self.message(f"{stage}: {total}")

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.total and self.done % max(1, self.total // 10) == 0:
            self.message(f"{self.stage}: {self.done}/{self.total}")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reason_kind(reason: str) -> str:
    """A reason without its figures and quoted details, to group similar skips."""
    kind = re.sub(r"\(.*", "", reason)
    return re.sub(r"[\d,.]+", "N", kind).strip() or reason


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--index-dir", type=Path, help="where to build (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the index afterwards")
    args = ap.parse_args(argv)
    index_dir = args.index_dir or Path(tempfile.mkdtemp(prefix="searcher-robustness-")) / "index"
    files = sum(1 for p in args.corpus.rglob("*") if p.is_file())
    print(f"corpus {args.corpus}: {files} files; index in {index_dir}")
    try:
        t = time.perf_counter()
        report = build_index([args.corpus], index_dir, semantic=False, rebuild=True,
                             progress=Ticker())
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        again = build_index([args.corpus], index_dir, semantic=False)
        rerun_s = time.perf_counter() - t
    finally:
        if not args.keep and args.index_dir is None:
            shutil.rmtree(index_dir.parent, ignore_errors=True)
    size = f"{report.sections} sections"
    print(f"build: {len(report.indexed)} indexed, {len(report.skipped)} skipped, {size}, "
          f"{build_s:.1f} s")
    print(f"unchanged re-run: {len(again.unchanged)} unchanged, {len(again.indexed)} indexed, "
          f"{rerun_s:.1f} s; notes: {'; '.join(again.notes)}")
    print(f"peak memory (RSS of this process): {peak_rss_mib():.0f} MiB")
    kinds = Counter(reason_kind(reason) for _path, reason in report.skipped)
    print("skipped by reason:" if kinds else "skipped by reason: none")
    for kind, n in kinds.most_common():
        print(f"  {n:6d}  {kind}")
        for path, reason in [s for s in report.skipped if reason_kind(s[1]) == kind][:3]:
            print(f"          e.g. {path}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
