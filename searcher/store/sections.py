"""The section store: documents and their sections in one SQLite file.

It is the canonical copy of every section's text and metadata; both arms refer to sections
by section_id and the engine turns their Hits back into Sections here. A published store is
never written again (readers open it immutable); the writer fills a copy in an unpublished
generation, so it skips SQLite's own journaling and fsyncs, and the generation's publication
makes it durable. A damaged file is reported as such, never as a traceback. One store may be
shared by threads: its connection is used under a lock, a statement at a time.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote

from searcher.errors import IndexNotBuiltError
from searcher.records import DocumentMeta, KnownDocument, Section
from searcher.store import layout

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    meta TEXT NOT NULL,
    n_sections INTEGER NOT NULL,
    toc TEXT NOT NULL DEFAULT '',  -- text outside the sections (TOC, page furniture): for mentions
    fingerprint TEXT NOT NULL DEFAULT '',  -- file + sidecar + overrides: unchanged when equal
    source BLOB  -- the file's absolute path as bytes (names need not be UTF-8)
);
CREATE TABLE IF NOT EXISTS sections (
    section_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sections_by_doc ON sections (doc, ordinal);
"""
#: SQLite's primary result codes for a failed write (not damage): SQLITE_FULL,
#: SQLITE_READONLY, SQLITE_CANTOPEN; reported as the OSError they are, so `searcher index`
#: says "cannot write the index …: No space left on device" instead of "damaged".
_WRITE_FAILURES = {13: errno.ENOSPC, 8: errno.EROFS, 14: errno.EACCES}
#: Columns added after the first release; older stores get them on their next update.
ADDED_COLUMNS = {"fingerprint": "TEXT NOT NULL DEFAULT ''", "source": "BLOB"}


class SectionStore:
    """Read/write access to sections.sqlite; one connection per instance."""

    def __init__(self, path: Path, *, readonly: bool = False):
        self.path = path
        self._pin = layout.Pin(None)
        self._lock = threading.RLock()
        with self._guard():
            if readonly:
                if not path.is_file():
                    raise FileNotFoundError(path)
                self._pin = layout.pin(path.parent)
                # immutable: a published store never changes, so no locks, no journal lookups.
                uri = f"file:{quote(str(path.absolute()))}?mode=ro&immutable=1"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                try:
                    self._db.execute("SELECT 1 FROM sections LIMIT 1").fetchall()
                except BaseException:
                    self.close()
                    raise
            else:
                self._db = sqlite3.connect(path, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=MEMORY")
                self._db.execute("PRAGMA synchronous=OFF")
                self._db.executescript(SCHEMA)
                have = {r[1] for r in self._db.execute("PRAGMA table_info(documents)")}
                for name, decl in ADDED_COLUMNS.items():
                    if name not in have:
                        self._db.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """The connection's lock held; SQLite's 'file is not a database' / 'malformed' become
        one clear index error."""
        try:
            with self._lock:
                yield
        except sqlite3.OperationalError as e:
            code = getattr(e, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in _WRITE_FAILURES:  # nothing is damaged
                raise OSError(_WRITE_FAILURES[code & 0xFF], os.strerror(
                    _WRITE_FAILURES[code & 0xFF]), str(self.path)) from None
            raise IndexNotBuiltError(
                f"damaged section store {self.path} ({e}); run `searcher index --rebuild`"
            ) from None
        except sqlite3.DatabaseError as e:
            raise IndexNotBuiltError(
                f"damaged section store {self.path} ({e}); run `searcher index --rebuild`"
            ) from None

    def close(self) -> None:
        self._db.close()
        self._pin.close()

    # -- writing -----------------------------------------------------------------------------
    def put_document(
        self, doc: str, path: str, sha256: str, meta: DocumentMeta, sections: list[Section],
        toc: str = "", *, fingerprint: str = "", source: bytes | None = None,
    ) -> None:
        """Replace one document and all its sections (one transaction)."""
        with self._guard(), self._db:
            self._db.execute("DELETE FROM sections WHERE doc = ?", (doc,))
            self._db.execute(
                "INSERT OR REPLACE INTO documents (doc, path, sha256, meta, n_sections, toc, "
                "fingerprint, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (doc, path, sha256, json.dumps(asdict(meta), ensure_ascii=False), len(sections),
                 toc, fingerprint, source),
            )
            self._db.executemany(
                "INSERT INTO sections VALUES (?, ?, ?, ?)",
                [
                    (s.section_id, s.doc, s.ordinal, json.dumps(s.to_dict(), ensure_ascii=False))
                    for s in sections
                ],
            )

    def delete_documents(self, docs: Iterable[str]) -> None:
        with self._guard(), self._db:
            for doc in docs:
                self._db.execute("DELETE FROM sections WHERE doc = ?", (doc,))
                self._db.execute("DELETE FROM documents WHERE doc = ?", (doc,))

    def ids_taken_by_others(self, doc: str, section_ids: Iterable[str]) -> set[str]:
        """Which of these section ids already belong to another document."""
        ids = list(section_ids)
        taken: set[str] = set()
        with self._guard():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                taken.update(r[0] for r in self._db.execute(
                    f"SELECT section_id FROM sections WHERE section_id IN ({marks}) AND doc != ?",
                    (*chunk, doc),
                ))
        return taken

    # -- reading -----------------------------------------------------------------------------
    def get(self, section_id: str) -> Section | None:
        with self._guard():
            row = self._db.execute(
                "SELECT data FROM sections WHERE section_id = ?", (section_id,)
            ).fetchone()
        return Section.from_dict(json.loads(row[0])) if row else None

    def get_many(self, section_ids: Iterable[str]) -> dict[str, Section]:
        ids = list(dict.fromkeys(section_ids))
        out: dict[str, Section] = {}
        with self._guard():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for (data,) in self._db.execute(
                    f"SELECT data FROM sections WHERE section_id IN ({marks})", chunk
                ):
                    s = Section.from_dict(json.loads(data))
                    out[s.section_id] = s
        return out

    def sections_of(self, doc: str) -> list[Section]:
        with self._guard():
            rows = self._db.execute(
                "SELECT data FROM sections WHERE doc = ? ORDER BY ordinal", (doc,)
            ).fetchall()
        return [Section.from_dict(json.loads(r[0])) for r in rows]

    def iter_sections(self) -> Iterator[Section]:
        """Every section in (doc, ordinal) order, fetched a batch at a time under the lock."""
        with self._guard():
            cursor = self._db.execute("SELECT data FROM sections ORDER BY doc, ordinal")
        while True:
            with self._guard():
                rows = cursor.fetchmany(500)
            if not rows:
                return
            for (data,) in rows:
                yield Section.from_dict(json.loads(data))

    def documents(self) -> list[dict]:
        with self._guard():
            rows = self._db.execute(
                "SELECT doc, path, sha256, meta, n_sections FROM documents ORDER BY doc"
            ).fetchall()
        return [
            {"doc": d, "path": p, "sha256": h, "n_sections": n, **json.loads(m)}
            for d, p, h, m, n in rows
        ]

    def known_documents(self) -> dict[str, KnownDocument]:
        """Every document's identity and fingerprint, for deciding what to index again."""
        with self._guard():
            have = {r[1] for r in self._db.execute("PRAGMA table_info(documents)")}
            extra = "fingerprint, source" if {"fingerprint", "source"} <= have else "'', NULL"
            rows = self._db.execute(f"SELECT doc, path, sha256, {extra} FROM documents").fetchall()
        return {d: KnownDocument(d, p, h, f, bytes(s) if s is not None else None)
                for d, p, h, f, s in rows}

    def toc_of(self, doc: str) -> str:
        """The document's table-of-contents text ('' when it has none)."""
        with self._guard():
            row = self._db.execute("SELECT toc FROM documents WHERE doc = ?", (doc,)).fetchone()
        return row[0] if row else ""

    def section_count(self, docs: Iterable[str] | None = None) -> int:
        """Sections in the store, or in the given documents."""
        with self._guard():
            if docs is None:
                return self._db.execute("SELECT COUNT(*) FROM sections").fetchone()[0]
            query = "SELECT n_sections FROM documents WHERE doc = ?"
            return sum((self._db.execute(query, (d,)).fetchone() or (0,))[0] for d in docs)

    def document_count(self) -> int:
        with self._guard():
            return self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def has_doc(self, doc: str) -> bool:
        with self._guard():
            row = self._db.execute("SELECT 1 FROM documents WHERE doc = ?", (doc,)).fetchone()
        return row is not None
