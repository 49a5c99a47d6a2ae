"""Files to index: find them, name them and fingerprint them, without ever crashing.

A bad file (empty, binary, unreadable, a FIFO, a broken link, too large) becomes a `Skip` with
one printable line of reason; it never stops the run (searcher.store.reading does the same for
files whose reading or splitting fails).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from searcher.ingest.loading import is_supported
from searcher.records import KnownDocument

#: Files larger than this are not read at all (a PDF full of scans can be big; text is not).
MAX_FILE_BYTES = 256 * 1024 * 1024
REASON_CHARS = 200


@dataclass(frozen=True, slots=True)
class Skip:
    """A file that was not indexed: its printable path and one line of reason."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to index, the document name it has in the index, and its fingerprint."""

    path: Path
    shown: str  # the path as one printable line
    doc: str
    source: bytes  # absolute path as bytes: the file's identity across runs
    fingerprint: str = ""  # sha256 over the file, its sidecar and the metadata overrides
    follow_symlinks: bool = False  # a sidecar may be a link leading out of the file's folder


class SkipFile(Exception):
    """Raised by the reading steps with the reason a file is skipped."""


def shown(path: Path | str) -> str:
    """The path as one printable line: control characters and undecodable bytes escaped."""
    out = []
    for ch in str(path):
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif not ch.isprintable() and ch != " ":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _text_name(name: str) -> str:
    """A file name as valid text (undecodable bytes become U+FFFD) for the document name."""
    return os.fsencode(name).decode("utf-8", errors="replace")


def one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= REASON_CHARS else line[: REASON_CHARS - 1] + "…"


OUTSIDE_LINK = "symbolic link leading out of the folder (to {target}); not read — " \
    "`searcher index --follow-symlinks` reads it"


def leaves(path: Path, folder: Path) -> bool:
    """True when `path` is reached through a symbolic link whose target lies outside `folder`
    (a link to /etc/passwd, or to a secret elsewhere, inside a shared folder)."""
    if not path.is_symlink():
        return False
    real = os.path.realpath(path)
    base = os.path.realpath(folder)
    return os.path.commonpath([real, base]) != base


def _outside(path: Path) -> str:
    return OUTSIDE_LINK.format(target=shown(os.path.realpath(path)))


def sidecars(path: Path) -> tuple[Path, Path]:
    """The metadata sidecars a document may have: `NAME.meta.json`, then `STEM.meta.json`."""
    return path.with_name(path.name + ".meta.json"), path.with_name(path.stem + ".meta.json")


def collect_files(paths: Sequence[Path], *, follow_symlinks: bool = False,
                  ) -> tuple[list[Path], list[Skip]]:
    """Supported files under the given paths (in a stable order), and paths that cannot be used.

    Hidden files and folders are ignored, and so are files of other types inside folders; a
    broken link or a non-file with a supported suffix is reported. Links to folders are not
    followed (no cycles); links to files outside the folder given, and sidecars that are links
    out of their document's folder, are skipped with a note unless `follow_symlinks`.
    """
    files: list[Path] = []
    bad: list[Skip] = []
    seen: set[Path] = set()

    def add(f: Path) -> None:
        key = Path(os.path.abspath(f))
        if key not in seen:
            seen.add(key)
            files.append(f)

    def unlisted(e: OSError) -> None:
        bad.append(Skip(shown(e.filename), f"cannot list folder ({e.strerror or e})"))

    for p in paths:
        p = Path(p)
        if p.is_dir():
            for dirpath, dirs, names in os.walk(p, onerror=unlisted):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    f = Path(dirpath) / name
                    if name.startswith(".") or not is_supported(f):
                        continue
                    if f.is_symlink() and not f.exists():
                        bad.append(Skip(shown(f), _broken_link(f)))
                    elif not follow_symlinks and leaves(f, p):
                        bad.append(Skip(shown(f), _outside(f)))
                    else:
                        add(f)
        elif p.exists():
            add(p)
        elif p.is_symlink():
            bad.append(Skip(shown(p), _broken_link(p)))
        else:
            bad.append(Skip(shown(p), "no such file or directory"))
    if not follow_symlinks:
        bad += [Skip(shown(side), _outside(side)) for f in files for side in sidecars(f)
                if leaves(side, f.parent)]
    return files, bad


def _broken_link(path: Path) -> str:
    try:
        return f"broken symbolic link (to {shown(os.readlink(path))})"
    except OSError:
        return "broken symbolic link"


def assign_names(files: Sequence[Path], known: Mapping[str, KnownDocument]) -> list[SourceFile]:
    """Give every file its document name: the one it already has in the index (same absolute
    path), else its file name, else `folder/name`, so two files never share a name and an
    indexed document whose file still exists elsewhere is never replaced by another file.
    """
    by_source = {k.source: d for d, k in known.items() if k.source}
    names: dict[int, str] = {}
    claimed: set[str] = set()
    sources = [os.fsencode(os.path.abspath(f)) for f in files]
    for i, src in enumerate(sources):
        if src in by_source and by_source[src] not in claimed:
            names[i] = by_source[src]
            claimed.add(names[i])

    def free(name: str) -> bool:
        if name in claimed:
            return False
        k = known.get(name)
        return k is None or not k.source or not os.path.exists(k.source)

    for i, f in enumerate(files):
        if i in names:
            continue
        base = _text_name(f.name)
        parent = _text_name(f.parent.name) if f.parent.name else ""
        candidates = [base] + ([f"{parent}/{base}"] if parent else [])
        n = 2
        while not any(free(c) for c in candidates):
            candidates.append(f"{parent}/{base}~{n}" if parent else f"{base}~{n}")
            n += 1
        names[i] = next(c for c in candidates if free(c))
        claimed.add(names[i])
    return [SourceFile(f, shown(f), names[i], sources[i]) for i, f in enumerate(files)]


_NOT_REGULAR = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def _refuse_special(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((what for test, what in _NOT_REGULAR if test(mode)), "special")
        raise SkipFile(f"not a regular file ({kind})")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing what is not a regular file or is too large to be a document.

    Opened non-blocking and checked on the open descriptor, so a FIFO never blocks the run and
    a file swapped for one between a check and the read is still refused.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        with contextlib.suppress(OSError):  # a socket cannot be opened: say what it is
            _refuse_special(os.stat(path).st_mode)
        raise SkipFile(f"cannot read file ({e.strerror or e})") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        _refuse_special(st.st_mode)
        if st.st_size > MAX_FILE_BYTES:
            raise SkipFile(f"file too large ({st.st_size / 2**20:.0f} MiB; the limit is "
                           f"{MAX_FILE_BYTES / 2**20:.0f} MiB)")
        try:
            return f.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            raise SkipFile(f"cannot read file ({e.strerror or e})") from None


def fingerprint(path: Path, overrides: Mapping[str, str], *,
                follow_symlinks: bool = False) -> tuple[str, str]:
    """(sha256 of the file, fingerprint of file + metadata sidecar + overrides)."""
    data = _read_bytes(path)
    file_hash = hashlib.sha256(data).hexdigest()
    h = hashlib.sha256(file_hash.encode())
    for side in sidecars(path):
        if not follow_symlinks and leaves(side, path.parent):
            continue
        if side.is_file():  # is_file: never open a FIFO that merely has the sidecar's name
            with contextlib.suppress(OSError):  # the loader reports an unreadable sidecar
                h.update(b"\0" + os.fsencode(side.name) + b"\0" + side.read_bytes())
    h.update(json.dumps(dict(sorted(overrides.items())), ensure_ascii=False).encode())
    return file_hash, h.hexdigest()


