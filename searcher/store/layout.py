"""The index directory on disk: generations, the manifest, readers' pins and the writer's lock.

    index/CURRENT            name of the live generation, replaced atomically
    index/LOCK               flock'ed by the one writer (holds its pid)
    index/gen-000007/        manifest.json, sections.sqlite, lexical/, semantic/, READERS

A writer builds a new generation beside the live one and publishes it: every file fsynced,
then the manifest (which lists every file, its size and its xxh3-128 checksum), then CURRENT,
each written to a temporary name, fsynced and renamed. Readers open only the generation
CURRENT names and only when its manifest and files agree, so they always see a consistent
pair of indexes; an interrupted build leaves the previous generation live and its leftovers
are removed by the next writer. A reader holds a shared flock on its generation's READERS
file, so garbage collection never deletes a generation that is still open.

Sizes are checked on every open; checksums once per part on its first use (`Checksums`) and
all of them by `searcher index --check` and before every update, which then rebuilds only the
damaged part. Generations share whoosh files through hard links, so damage to one such file
shows in every generation holding it; a repair writes that part afresh instead of linking it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import xxhash

from searcher.errors import IndexLockedError, IndexNotBuiltError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
LOCK = "LOCK"
READERS = "READERS"
#: Readers' record of the files whose checksums they checked (see Checksums); not in manifests.
VERIFIED = "VERIFIED"
TRASH = ".trash-"
_GEN = re.compile(r"^gen-(\d{6})$")
_TMP = re.compile(r"^\..+\.tmp-\d+$")
#: Environment variable naming a point where the process kills itself (fault-injection tests).
FAILPOINT_ENV = "SEARCHER_FAILPOINT"


def failpoint(name: str) -> None:
    """Crash (SIGKILL) here when SEARCHER_FAILPOINT is `name`, or pause when it is
    `name:sleep=SECONDS`: hooks for the crash and concurrency tests, inert otherwise."""
    value = os.environ.get(FAILPOINT_ENV)
    if not value or not value.startswith(name):
        return
    if value == name:
        os.kill(os.getpid(), signal.SIGKILL)
    elif value.startswith(f"{name}:sleep="):
        time.sleep(float(value.split("=", 1)[1]))


# -- durable writes ---------------------------------------------------------------------------
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
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


def file_sizes(generation: Path) -> dict[str, int]:
    """Every file of a generation (but the manifest, READERS and VERIFIED) and its size, by
    relative path."""
    sizes: dict[str, int] = {}
    for dirpath, _dirs, files in os.walk(generation):
        for name in files:
            full = Path(dirpath) / name
            rel = full.relative_to(generation).as_posix()
            if rel not in (MANIFEST, READERS, VERIFIED):
                sizes[rel] = full.stat().st_size
    return dict(sorted(sizes.items()))


# -- checksums ----------------------------------------------------------------------------------
#: The manifest's checksum key: xxh3-128 reads at page-cache speed (~3x sha256 here), and is
#: for finding damage, not for authenticating an index (README, "Trust").
CHECKSUM = "xxh3_128"
_CHUNK = 1 << 20


def file_checksum(path: Path) -> str:
    digest = xxhash.xxh3_128()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_records(generation: Path, base: Path | None = None,
                 base_manifest: dict | None = None) -> dict[str, dict]:
    """Every file's {"bytes", CHECKSUM}; a file hard-linked from `base` keeps the checksum
    base's manifest gives it (it is the same file), so an update hashes only what it wrote."""
    known = (base_manifest or {}).get("files") or {}
    records: dict[str, dict] = {}
    for rel, size in file_sizes(generation).items():
        old = known.get(rel)
        if (base is not None and isinstance(old, dict) and old.get("bytes") == size
                and CHECKSUM in old and _same_file(generation / rel, base / rel)):
            records[rel] = {"bytes": size, CHECKSUM: old[CHECKSUM]}
        else:
            records[rel] = {"bytes": size, CHECKSUM: file_checksum(generation / rel)}
    return records


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _record(entry: object) -> tuple[int | None, str | None]:
    """(size, checksum) of a manifest's file entry: a dict, or a bare size (older manifests)."""
    if isinstance(entry, dict):
        size, digest = entry.get("bytes"), entry.get(CHECKSUM)
        return (size if isinstance(size, int) else None,
                digest if isinstance(digest, str) else None)
    return (entry if isinstance(entry, int) else None), None


def _inside(generation: Path, rel: object) -> bool:
    """A manifest's path names a file inside the generation (never `..`, absolute, or odd)."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel:
        return False
    parts = rel.split("/")
    return all(p not in ("", ".", "..") for p in parts) and "\0" not in rel


def part_of(rel: str) -> str:
    """The part of an index a file belongs to: sections.sqlite, lexical or semantic."""
    return rel.split("/", 1)[0]


def damaged_files(generation: Path, manifest: dict, parts: Collection[str] | None = None,
                  ) -> list[tuple[str, str]]:
    """(file, what is wrong) for every file of the generation (or of `parts`) whose size or
    checksum differs from the manifest: the full check (`searcher index --check`)."""
    out: list[tuple[str, str]] = []
    for rel, entry in (manifest.get("files") or {}).items():
        if parts is not None and part_of(str(rel)) not in parts:
            continue
        problem = _file_problem(generation, rel, entry, checksum=True)
        if problem:
            out.append((str(rel), problem))
    return out


def _file_problem(generation: Path, rel: object, entry: object, *, checksum: bool) -> str | None:
    if not _inside(generation, rel):
        return f"the manifest names {str(rel)[:60]!r}, which is not a file of the index"
    size, digest = _record(entry)
    path = generation / str(rel)
    try:
        actual = path.stat().st_size
    except OSError:
        return f"{rel} is missing"
    if size is not None and actual != size:
        return f"{rel} has {actual} bytes, the manifest says {size}"
    if checksum and digest is not None:
        try:
            if file_checksum(path) != digest:
                return f"{rel} is damaged (its checksum differs from the manifest's)"
        except OSError as e:
            return f"{rel} cannot be read ({e.strerror or e})"
    return None


class Checksums:
    """A generation's files checked against their manifest checksums once each, on first use
    of their part (thread-safe: the first user checks, the others wait).

    A file checked once is recorded in the generation's VERIFIED file with its identity then
    (inode, size, modification and change times); a later process trusts that record while the
    identity is unchanged, so only the first open after a write pays for hashing. Any write to
    a file changes its change time, so damage made since is always hashed and found;
    `searcher index --check` and every update ignore the record and hash everything."""

    def __init__(self, generation: Path, manifest: dict):
        self.generation = generation
        self.files = manifest.get("files") or {}
        self._checked: set[str] = set()
        self._lock = threading.Lock()
        self._stamps: dict[str, str] | None = None

    def require(self, part: str) -> None:
        """Raise the index's one-line "damaged" error unless every file of `part` is intact."""
        with self._lock:
            if part in self._checked:
                return
            stamps = self._read_stamps()
            fresh: dict[str, str] = {}
            for rel, entry in self.files.items():
                if part_of(str(rel)) != part:
                    continue
                stamp = _stamp(self.generation, rel, entry)
                if stamp is not None and stamps.get(str(rel)) == stamp:
                    continue
                problem = _file_problem(self.generation, rel, entry, checksum=True)
                if problem:
                    raise _damaged(self.generation.parent, f"{self.generation.name}: {problem}")
                if stamp is not None:
                    fresh[str(rel)] = stamp
            self._checked.add(part)
            if fresh:
                self._write_stamps({**stamps, **fresh})

    def _read_stamps(self) -> dict[str, str]:
        if self._stamps is None:
            self._stamps = {}
            with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
                for line in (self.generation / VERIFIED).read_text(encoding="utf-8").splitlines():
                    rel, _, stamp = line.partition("\t")
                    self._stamps[rel] = stamp
        return self._stamps

    def _write_stamps(self, stamps: dict[str, str]) -> None:
        """Record checked files; a read-only index just hashes again next time."""
        self._stamps = stamps
        tmp = self.generation / f".{VERIFIED}.tmp-{os.getpid()}"
        with contextlib.suppress(OSError):
            tmp.write_text("".join(f"{rel}\t{stamp}\n" for rel, stamp in stamps.items()),
                           encoding="utf-8")
            os.replace(tmp, self.generation / VERIFIED)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _stamp(generation: Path, rel: object, entry: object) -> str | None:
    """A checked file's identity and expected checksum, or None (no checksum, unreadable)."""
    _size, digest = _record(entry)
    if digest is None or not _inside(generation, rel):
        return None
    try:
        st = (generation / str(rel)).stat()
    except OSError:
        return None
    return f"{st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {digest}"


# -- reading the live generation ----------------------------------------------------------------
def current_generation(root: Path) -> Path | None:
    """The live generation directory, or None when none is published (or CURRENT is damaged)."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not _GEN.match(name) or not (root / name / MANIFEST).is_file():
        return None
    return root / name


def read_manifest(generation: Path) -> dict:
    try:
        manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        problem = f"unreadable manifest in {generation.name}: {e}"
        raise _damaged(generation.parent, problem) from None
    if not isinstance(manifest, dict):
        problem = f"unreadable manifest in {generation.name}: not an object"
        raise _damaged(generation.parent, problem)
    return manifest


def verify(generation: Path, manifest: dict) -> str | None:
    """What is wrong with a generation's files compared with its manifest's sizes (None:
    nothing); checksums are `Checksums`' and `damaged_files`' job."""
    files = manifest.get("files") or {}
    if not isinstance(files, dict):
        return "the manifest's file list is not a mapping"
    for rel, entry in files.items():
        problem = _file_problem(generation, rel, entry, checksum=False)
        if problem:
            return problem
    for part in ("sections.sqlite", "lexical"):
        if not (generation / part).exists():
            return f"{part} is missing"
    return None


def _damaged(root: Path, problem: str) -> IndexNotBuiltError:
    return IndexNotBuiltError(
        f"index in {root}/ is damaged ({problem}); run `searcher index` to repair it "
        f"(or `searcher index --rebuild`)"
    )


def require_current(root: Path) -> tuple[Path, dict]:
    """The live generation and its manifest, checked; a clear error when there is none."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if generation_numbers(root):
            raise _damaged(root, "no CURRENT file") from None
        raise IndexNotBuiltError(
            f"no index in {root}/ — run `searcher index` (e.g. `searcher index corpus/`)"
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise _damaged(root, f"CURRENT is unreadable: {e}") from None
    if not _GEN.match(name):
        raise _damaged(root, f"CURRENT names {name[:40]!r}, not a generation")
    generation = root / name
    if not (generation / MANIFEST).is_file():
        what = "has no manifest" if generation.is_dir() else "does not exist"
        raise _damaged(root, f"CURRENT names {name}, which {what}")
    manifest = read_manifest(generation)
    problem = verify(generation, manifest)
    if problem:
        raise _damaged(root, f"{name}: {problem}")
    return generation, manifest


def usable_generations(root: Path) -> Iterator[Path]:
    """Generations whose files agree with their manifest: the live one first, then the
    newest published ones (what a writer can start from when the live one is damaged)."""
    live = current_generation(root)
    candidates = [live] if live else []
    candidates += [root / f"gen-{n:06d}" for n in reversed(generation_numbers(root))]
    for gen in dict.fromkeys(candidates):
        if not (gen / MANIFEST).is_file():
            continue
        try:
            if verify(gen, read_manifest(gen)) is None:
                yield gen
        except IndexNotBuiltError:
            continue


def latest_usable(root: Path) -> Path | None:
    """The live generation if it is sound, else the newest published one that is."""
    return next(usable_generations(root), None)


@dataclass
class Pin:
    """A reader's hold on one generation: garbage collection leaves it alone until closed."""

    fd: int | None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def pin(generation: Path) -> Pin:
    """Hold a shared flock on the generation's READERS file while it is open for reading
    (a Pin holding nothing when the folder is not a pinnable generation)."""
    try:
        fd = os.open(generation / READERS, os.O_RDONLY)
    except OSError:
        return Pin(None)  # not a generation, one from before pins, or a read-only copy
    fcntl.flock(fd, fcntl.LOCK_SH)
    if not (generation / MANIFEST).is_file():  # collected between reading CURRENT and now
        os.close(fd)
        raise IndexNotBuiltError(f"{generation} was removed while opening; try again")
    return Pin(fd)


def _pinned(generation: Path) -> bool:
    try:
        fd = os.open(generation / READERS, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


# -- writing a new generation -------------------------------------------------------------------
def generation_numbers(root: Path) -> list[int]:
    if not root.is_dir():
        return []
    return sorted(int(m.group(1)) for p in root.iterdir() if (m := _GEN.match(p.name)))


def _carry(src: Path, dst: Path, *, link: bool) -> None:
    """Copy a tree; with link, hard-link its files (immutable files only: whoosh segments)."""
    dst.mkdir()
    for entry in sorted(src.iterdir()):
        if entry.is_dir():
            _carry(entry, dst / entry.name, link=link)
        elif entry.name.endswith("LOCK") or _TMP.match(entry.name):
            continue
        elif link:
            try:
                os.link(entry, dst / entry.name)
            except OSError as e:
                if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                shutil.copy2(entry, dst / entry.name)
        else:
            shutil.copyfile(entry, dst / entry.name)


def new_generation(root: Path, base: Path | None, *, link: Collection[str] = (),
                   skip: Collection[str] = ()) -> Path:
    """A fresh, unpublished generation directory, starting as a copy of `base` (or empty).

    Top-level entries named in `link` are hard-linked instead of copied (whoosh never rewrites
    a segment file, it only adds new ones and renames its TOC into place), so an update costs
    the size of what changes, not of the index; entries in `skip` are not carried over.
    """
    root.mkdir(parents=True, exist_ok=True)
    numbers = generation_numbers(root)
    gen = root / f"gen-{(numbers[-1] + 1 if numbers else 1):06d}"
    gen.mkdir()
    try:
        if base is not None:
            for entry in sorted(base.iterdir()):
                if entry.name in (MANIFEST, READERS, VERIFIED) or entry.name in skip \
                        or _TMP.match(entry.name):
                    continue
                if entry.is_dir():
                    _carry(entry, gen / entry.name, link=entry.name in link)
                else:
                    shutil.copyfile(entry, gen / entry.name)
    except BaseException:  # Ctrl-C while copying: leave no half-made generation behind
        shutil.rmtree(gen, ignore_errors=True)
        raise
    return gen


def publish(root: Path, generation: Path, manifest: dict, *, base: Path | None = None,
            base_manifest: dict | None = None) -> None:
    """Make `generation` the live one: files durable first, manifest next, CURRENT last."""
    (generation / READERS).touch()
    fsync_tree(generation)
    failpoint("before-manifest")
    manifest = {**manifest, "checksum": CHECKSUM,
                "files": file_records(generation, base, base_manifest)}
    atomic_write_text(generation / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    failpoint("before-current")
    atomic_write_text(root / CURRENT, generation.name + "\n")
    failpoint("after-current")


def _remove(root: Path, path: Path) -> None:
    """Rename out of sight first (one atomic step), then delete at leisure."""
    trash = root / f"{TRASH}{path.name}-{os.getpid()}-{time.monotonic_ns()}"
    os.rename(path, trash)
    failpoint("mid-collect")
    shutil.rmtree(trash, ignore_errors=True)


def collect_garbage(root: Path, keep: int = 2) -> list[str]:
    """Delete leftovers of interrupted runs and all but the newest `keep` published
    generations (never one a reader has pinned); the writer's lock must be held."""
    if not root.is_dir():
        return []
    for p in root.iterdir():
        if p.name.startswith(TRASH):
            shutil.rmtree(p, ignore_errors=True)
        elif _TMP.match(p.name):
            p.unlink(missing_ok=True)
    live = current_generation(root) or latest_usable(root)  # a damaged CURRENT: keep the best
    live_n = int(live.name[4:]) if live else None
    numbers = generation_numbers(root)
    older = [n for n in numbers if live_n is not None and n < live_n
             and (root / f"gen-{n:06d}" / MANIFEST).is_file()]
    kept = set(older[-(keep - 1):] if keep > 1 else []) | ({live_n} if live_n else set())
    removed = []
    for n in numbers:
        gen = root / f"gen-{n:06d}"
        if n in kept or _pinned(gen):
            continue
        _remove(root, gen)
        removed.append(gen.name)
    return removed


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
            raise IndexLockedError(
                f"index {root}/ is being updated by process {_holder(fd)}; "
                f"try again when it ends"
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


def _holder(fd: int) -> str:
    """The pid the holder wrote into LOCK (it writes right after locking: wait a moment)."""
    for _ in range(20):
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if text:
            return text
        time.sleep(0.01)
    return "?"
