"""The section store over PostgreSQL: SectionStore's read methods, returning the same records.

A section is found through `section_keys` (global, keyed by section_id) and read from its
partition of `sections` by (sid, municipality, year), so every lookup touches one partition.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from searcher.records import Section

_BY_KEYS = ("FROM section_keys k JOIN sections s ON s.sid = k.sid "
            "AND s.municipality = k.municipality AND s.year = k.year")
ITER_BATCH = 2000  # sections per round trip when iterating the whole store


class PgStore:
    """Duck-types searcher.store.SectionStore's reading side for SearchIndex and its users."""

    def __init__(self, db):
        self.db = db

    def close(self) -> None:
        self.db.close()

    def get(self, section_id: str) -> Section | None:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT s.data {_BY_KEYS} WHERE k.section_id = %s",
                               (section_id,)).fetchone()
        return Section.from_dict(row[0]) if row else None

    def get_many(self, section_ids: Iterable[str]) -> dict[str, Section]:
        ids = list(dict.fromkeys(section_ids))
        if not ids:
            return {}
        with self.db.read() as conn:
            rows = conn.execute(f"SELECT s.data {_BY_KEYS} WHERE k.section_id = ANY(%s)",
                                (ids,)).fetchall()
        sections = (Section.from_dict(r[0]) for r in rows)
        return {s.section_id: s for s in sections}

    def sections_of(self, doc: str) -> list[Section]:
        with self.db.read() as conn:
            rows = conn.execute(f"SELECT s.data {_BY_KEYS} WHERE k.doc = %s ORDER BY k.ordinal",
                                (doc,)).fetchall()
        return [Section.from_dict(r[0]) for r in rows]

    def iter_sections(self) -> Iterator[Section]:
        """Every section in (doc, ordinal) order, fetched in batches (keyset pagination)."""
        last: tuple[str, int] = ("", -1)
        while True:
            with self.db.read() as conn:
                rows = conn.execute(
                    f"SELECT k.doc, k.ordinal, s.data {_BY_KEYS} WHERE (k.doc, k.ordinal) > "
                    f"(%s, %s) ORDER BY k.doc, k.ordinal LIMIT %s", (*last, ITER_BATCH)).fetchall()
            if not rows:
                return
            for _doc, _ordinal, data in rows:
                yield Section.from_dict(data)
            last = (rows[-1][0], rows[-1][1])

    def documents(self) -> list[dict]:
        with self.db.read() as conn:
            rows = conn.execute("SELECT doc, path, sha256, meta, n_sections FROM documents "
                                "ORDER BY doc").fetchall()
        return [{"doc": d, "path": p, "sha256": h, "n_sections": n, **m}
                for d, p, h, m, n in rows]

    def toc_of(self, doc: str) -> str:
        with self.db.read() as conn:
            row = conn.execute("SELECT toc FROM documents WHERE doc = %s", (doc,)).fetchone()
        return row[0] if row else ""

    def section_count(self, docs: Iterable[str] | None = None) -> int:
        with self.db.read() as conn:
            if docs is None:
                return conn.execute("SELECT n_sections FROM corpus_stats").fetchone()[0]
            return conn.execute("SELECT coalesce(sum(n_sections), 0) FROM documents "
                                "WHERE doc = ANY(%s)", (list(docs),)).fetchone()[0]

    def document_count(self) -> int:
        with self.db.read() as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def has_doc(self, doc: str) -> bool:
        with self.db.read() as conn:
            return conn.execute("SELECT EXISTS (SELECT 1 FROM documents WHERE doc = %s)",
                                (doc,)).fetchone()[0]
