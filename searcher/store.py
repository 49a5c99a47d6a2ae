"""The section store: documents and their sections in one SQLite file.

It is the canonical copy of every section's text and metadata; both arms refer to sections
by section_id and the engine turns their Hits back into Sections here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path

from searcher.records import DocumentMeta, Section

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    meta TEXT NOT NULL,
    n_sections INTEGER NOT NULL,
    toc TEXT NOT NULL DEFAULT ''  -- table of contents: not a section, but counted by mentions
);
CREATE TABLE IF NOT EXISTS sections (
    section_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sections_by_doc ON sections (doc, ordinal);
"""


class SectionStore:
    """Read/write access to sections.sqlite; one connection per instance."""

    def __init__(self, path: Path, *, readonly: bool = False):
        self.path = path
        if readonly:
            if not path.exists():
                raise FileNotFoundError(path)
            uri = f"file:{path}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- writing -----------------------------------------------------------------------------
    def put_document(
        self, doc: str, path: str, sha256: str, meta: DocumentMeta, sections: list[Section],
        toc: str = "",
    ) -> None:
        """Replace one document and all its sections (one transaction)."""
        with self._db:
            self._db.execute("DELETE FROM sections WHERE doc = ?", (doc,))
            self._db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                (doc, path, sha256, json.dumps(asdict(meta), ensure_ascii=False), len(sections),
                 toc),
            )
            self._db.executemany(
                "INSERT INTO sections VALUES (?, ?, ?, ?)",
                [
                    (s.section_id, s.doc, s.ordinal, json.dumps(s.to_dict(), ensure_ascii=False))
                    for s in sections
                ],
            )

    def delete_documents(self, docs: Iterable[str]) -> None:
        with self._db:
            for doc in docs:
                self._db.execute("DELETE FROM sections WHERE doc = ?", (doc,))
                self._db.execute("DELETE FROM documents WHERE doc = ?", (doc,))

    # -- reading -----------------------------------------------------------------------------
    def get(self, section_id: str) -> Section | None:
        row = self._db.execute(
            "SELECT data FROM sections WHERE section_id = ?", (section_id,)
        ).fetchone()
        return Section.from_dict(json.loads(row[0])) if row else None

    def get_many(self, section_ids: Iterable[str]) -> dict[str, Section]:
        ids = list(dict.fromkeys(section_ids))
        out: dict[str, Section] = {}
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
        rows = self._db.execute(
            "SELECT data FROM sections WHERE doc = ? ORDER BY ordinal", (doc,)
        ).fetchall()
        return [Section.from_dict(json.loads(r[0])) for r in rows]

    def iter_sections(self) -> Iterator[Section]:
        for (data,) in self._db.execute("SELECT data FROM sections ORDER BY doc, ordinal"):
            yield Section.from_dict(json.loads(data))

    def documents(self) -> list[dict]:
        rows = self._db.execute(
            "SELECT doc, path, sha256, meta, n_sections FROM documents ORDER BY doc"
        ).fetchall()
        return [
            {"doc": d, "path": p, "sha256": h, "n_sections": n, **json.loads(m)}
            for d, p, h, m, n in rows
        ]

    def toc_of(self, doc: str) -> str:
        """The document's table-of-contents text ('' when it has none)."""
        row = self._db.execute("SELECT toc FROM documents WHERE doc = ?", (doc,)).fetchone()
        return row[0] if row else ""

    def section_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM sections").fetchone()[0]

    def has_doc(self, doc: str) -> bool:
        return self._db.execute("SELECT 1 FROM documents WHERE doc = ?", (doc,)).fetchone() is not None
