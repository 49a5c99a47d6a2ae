"""The index directory on disk: generations, the manifest, and the single-writer lock.

    index/CURRENT            name of the live generation, replaced atomically
    index/LOCK               flock'ed by the one writer (holds its pid)
    index/gen-000007/        manifest.json, sections.sqlite, lexical/, semantic/

A writer builds a new generation beside the live one and publishes it by renaming CURRENT;
readers only ever open a generation whose manifest was written last, so they always see a
consistent pair of indexes, and an interrupted build leaves the previous generation usable.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from searcher.errors import IndexLockedError, IndexNotBuiltError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
LOCK = "LOCK"
_GEN = re.compile(r"^gen-(\d{6})$")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary name, fsync, rename: the file is either old or new, never half."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_tree(path: Path) -> None:
    """fsync every file and directory under path (before publishing a generation)."""
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError), open(os.path.join(dirpath, name), "rb") as f:
                os.fsync(f.fileno())
        fsync_dir(Path(dirpath))


def current_generation(root: Path) -> Path | None:
    """The live generation directory, or None when nothing was ever published."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not _GEN.match(name) or not (root / name / MANIFEST).is_file():
        return None
    return root / name


def read_manifest(generation: Path) -> dict:
    try:
        return json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise IndexNotBuiltError(f"unreadable manifest in {generation}: {e}") from None


def require_current(root: Path) -> tuple[Path, dict]:
    gen = current_generation(root)
    if gen is None:
        raise IndexNotBuiltError(
            f"no index in {root}/ — run `searcher index` (e.g. `searcher index corpus/`)"
        )
    return gen, read_manifest(gen)


def _generation_numbers(root: Path) -> list[int]:
    if not root.is_dir():
        return []
    return sorted(int(m.group(1)) for p in root.iterdir() if (m := _GEN.match(p.name)))


def new_generation(root: Path, base: Path | None) -> Path:
    """A fresh generation directory, starting as a copy of `base` (or empty)."""
    root.mkdir(parents=True, exist_ok=True)
    numbers = _generation_numbers(root)
    gen = root / f"gen-{(numbers[-1] + 1 if numbers else 1):06d}"
    if base is not None:
        shutil.copytree(base, gen, ignore=shutil.ignore_patterns(MANIFEST, "*.tmp-*"))
    else:
        gen.mkdir()
    return gen


def publish(root: Path, generation: Path, manifest: dict) -> None:
    """Make `generation` the live one: files durable first, manifest next, CURRENT last."""
    fsync_tree(generation)
    atomic_write_text(generation / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    atomic_write_text(root / CURRENT, generation.name + "\n")


def collect_garbage(root: Path, keep: int = 2) -> None:
    """Delete all but the newest `keep` published generations and any unpublished leftovers."""
    live = current_generation(root)
    numbers = _generation_numbers(root)
    live_n = int(live.name[4:]) if live else None
    kept = [n for n in numbers if live_n is not None and n <= live_n][-keep:]
    for n in numbers:
        if n not in kept:
            shutil.rmtree(root / f"gen-{n:06d}", ignore_errors=True)


@contextlib.contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    """Hold the index's single-writer lock; a lock held by a dead process is free again
    (flock is released by the kernel when its holder dies)."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    acquired = False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise IndexLockedError(
                f"index {root}/ is being updated by process {holder}; try again when it ends"
            ) from None
        acquired = True
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        if acquired:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
        os.close(fd)
