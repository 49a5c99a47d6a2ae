"""The section store over PostgreSQL: SectionStore's read methods, returning the same records.

A section is found through `section_keys` (global, keyed by section_id), which names its
partition keys; the record is then read from `sections` pruned to those partitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from searcher.records import Section

ITER_BATCH = 2000  # sections per round trip when iterating the whole store


def section_records(conn, where: str, params, order: str = "k.sid",
                    limit: int | None = None) -> list[tuple[int, dict]]:
    """(sid, record) of the sections whose `section_keys k` row meets `where`, in `order`.

    Two statements on purpose: the keys name the partitions, and a query on `sections` with
    those values as parameters is pruned when it is planned. A join would plan every
    partition (tens of milliseconds with hundreds of them).
    """
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    keys = conn.execute(f"SELECT k.sid, k.municipality, k.year FROM section_keys k "
                        f"WHERE {where} ORDER BY {order}{tail}", params).fetchall()
    return records_for_keys(conn, keys)


def records_for_keys(conn, keys) -> list[tuple[int, dict]]:
    """(sid, record) for (sid, municipality, year, …) key rows, in their order."""
    if not keys:
        return []
    rows = conn.execute(
        "SELECT sid, data FROM sections WHERE municipality = ANY(%s) AND year = ANY(%s) "
        "AND sid = ANY(%s)", (sorted({k[1] for k in keys}), sorted({k[2] for k in keys}),
                              [k[0] for k in keys])).fetchall()
    data = dict(rows)
    return [(k[0], data[k[0]]) for k in keys if k[0] in data]


class PgStore:
    """Duck-types store.sections.SectionStore's reading side for SearchIndex and its users."""

    def __init__(self, db):
        self.db = db

    def close(self) -> None:
        self.db.close()

    def get(self, section_id: str) -> Section | None:
        with self.db.read() as conn:
            rows = section_records(conn, "k.section_id = %s", (section_id,))
        return Section.from_dict(rows[0][1]) if rows else None

    def get_many(self, section_ids: Iterable[str]) -> dict[str, Section]:
        ids = list(dict.fromkeys(section_ids))
        if not ids:
            return {}
        with self.db.read() as conn:
            rows = section_records(conn, "k.section_id = ANY(%s)", (ids,))
        sections = (Section.from_dict(data) for _sid, data in rows)
        return {s.section_id: s for s in sections}

    def sections_of(self, doc: str) -> list[Section]:
        with self.db.read() as conn:
            rows = section_records(conn, "k.doc = %s", (doc,), order="k.ordinal")
        return [Section.from_dict(data) for _sid, data in rows]

    def iter_sections(self) -> Iterator[Section]:
        """Every section in (doc, ordinal) order, fetched in batches (keyset pagination)."""
        last: tuple[str, int] = ("", -1)
        while True:
            with self.db.read() as conn:
                keys = conn.execute(
                    "SELECT k.sid, k.municipality, k.year, k.doc, k.ordinal FROM section_keys k "
                    "WHERE (k.doc, k.ordinal) > (%s, %s) ORDER BY k.doc, k.ordinal LIMIT %s",
                    (*last, ITER_BATCH)).fetchall()
                if not keys:
                    return
                rows = records_for_keys(conn, keys)
            for _sid, data in rows:
                yield Section.from_dict(data)
            last = (keys[-1][3], keys[-1][4])

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
