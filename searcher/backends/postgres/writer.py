"""The single writer: documents, sections, lexemes, term statistics and vectors, in batches.

One writer at a time (a session advisory lock, the counterpart of the embedded index's LOCK
file). Each batch of documents is one transaction that replaces those documents whole, with
the postings and the BM25 statistics (df, cf, field length totals, N) they change and the
manifest, so a reader sees every document completely or not at all, and statistics that fit
the postings. Partitions a batch needs are created before it, in their own short transactions.
A fresh database is loaded in bulk: the big indexes are built once at the end (`finish`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from searcher.backends.postgres import batch as batch_ops
from searcher.backends.postgres import vector_store
from searcher.backends.postgres.db import connect, register_vector_types
from searcher.backends.postgres.dsn import redact
from searcher.backends.postgres.lexemes import section_lexemes
from searcher.backends.postgres.partitions import ensure_partitions
from searcher.backends.postgres.rows import Deltas, DocumentRows, filter_values
from searcher.backends.postgres.schema import LOCK_KEY, migrate_schema
from searcher.backends.postgres.store import section_records
from searcher.errors import IndexLockedError, SearcherError
from searcher.records import DocumentMeta, KnownDocument, Section

WRITER_KEY = LOCK_KEY + 1
POSTINGS_PKEY = "ALTER TABLE postings ADD CONSTRAINT postings_pkey PRIMARY KEY (term_id, sid) " \
                "INCLUDE (weight, flen)"
_TEMP_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS new_terms (field smallint, token text COLLATE \"C\") "
    "ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS term_deltas (term_id integer, df integer, "
    "cf double precision) ON COMMIT DELETE ROWS",
)


class PgWriter:
    """Writes one database's index; use as a context manager (the lock is held until close)."""

    def __init__(self, dsn: str):
        import psycopg

        self.where = redact(dsn)
        self.conn = connect(dsn, autocommit=True)
        try:
            if self.conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                raise SearcherError(f"{self.where} is a read-only standby; write to the primary")
            migrate_schema(self.conn)
            register_vector_types(self.conn)
            locked = self.conn.execute("SELECT pg_try_advisory_lock(%s)",
                                       (WRITER_KEY,)).fetchone()[0]
            if not locked:
                raise IndexLockedError(f"another process is writing the index in {self.where}")
            for statement in _TEMP_TABLES:
                self.conn.execute(statement)
        except psycopg.Error as e:
            self.conn.close()
            raise SearcherError(f"cannot write the index in {self.where}: "
                                f"{str(e).strip().splitlines()[0]}") from None
        except BaseException:
            self.conn.close()
            raise
        self._term_ids: dict[tuple[int, str], int] = {}
        self.bulk = False
        self.ensure_indexes()

    def close(self) -> None:
        """Release the lock (closing the session would too) and the connection."""
        import psycopg

        if not self.conn.closed:
            # A broken connection: the server has dropped the session, and the lock with it.
            with contextlib.suppress(psycopg.Error):
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (WRITER_KEY,))
            self.conn.close()

    def __enter__(self) -> PgWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what is stored ------------------------------------------------------------------------
    def meta(self, key: str) -> dict | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM documents)").fetchone()[0]

    def known_documents(self) -> dict[str, KnownDocument]:
        rows = self.conn.execute(
            "SELECT doc, path, sha256, fingerprint, source FROM documents").fetchall()
        return {d: KnownDocument(d, p, h, f, bytes(s) if s is not None else None)
                for d, p, h, f, s in rows}

    def ids_taken_by_others(self, doc: str, section_ids: Iterable[str]) -> set[str]:
        rows = self.conn.execute(
            "SELECT section_id FROM section_keys WHERE section_id = ANY(%s) AND doc <> %s",
            (list(section_ids), doc)).fetchall()
        return {r[0] for r in rows}

    def sections_without_vectors(self, after_sid: int, limit: int) -> list[tuple[int, Section]]:
        """(sid, section) of sections lacking vectors, in sid order after `after_sid`."""
        rows = section_records(self.conn, "k.n_passages = 0 AND k.sid > %s", (after_sid,),
                               limit=limit)
        return [(sid, Section.from_dict(data)) for sid, data in rows]

    def stored_document(self, doc: str) -> tuple[list[Section], str, DocumentMeta]:
        """A stored document's sections (in order), table of contents and metadata."""
        rows = section_records(self.conn, "k.doc = %s", (doc,), order="k.ordinal")
        toc, meta = self.conn.execute("SELECT toc, meta FROM documents WHERE doc = %s",
                                      (doc,)).fetchone()
        fields = DocumentMeta.__dataclass_fields__
        return ([Section.from_dict(data) for _sid, data in rows], toc,
                DocumentMeta(**{k: v for k, v in meta.items() if k in fields}))

    def reusable_vectors(self, doc: str, sections: Sequence[Section]) -> dict[str, np.ndarray]:
        """Stored vectors of this document's sections whose text is unchanged (no re-encoding)."""
        texts = {s.section_id: s.text for s in sections}
        found = vector_store.vectors_of_doc(self.conn, doc)
        return {sid: m for sid, (text, m) in found.items() if texts.get(sid) == text}

    # -- writing -------------------------------------------------------------------------------
    def clear(self) -> None:
        """Remove every document, section, lexeme, vector and partition (--rebuild)."""
        from psycopg import sql

        parents = [r[0] for r in self.conn.execute(
            "SELECT DISTINCT parent FROM section_partitions").fetchall()]
        with self.conn.transaction():
            for parent in parents:
                self.conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(
                    sql.Identifier(parent)))
            self.conn.execute("TRUNCATE documents, section_keys, terms, postings, field_stats, "
                              "section_partitions, meta")
            self.conn.execute("UPDATE corpus_stats SET n_sections = 0")
            self.conn.execute("ALTER SEQUENCE section_sid RESTART")
            vector_store.reset(self.conn)
        self._term_ids.clear()

    def drop_vectors(self) -> None:
        """Forget every vector and the embedding model (before encoding with another one)."""
        with self.conn.transaction():
            vector_store.reset(self.conn)
            batch_ops.write_manifest(self.conn)

    def begin_bulk(self) -> bool:
        """On an empty database, drop the big indexes until `finish` (a much faster load)."""
        if not self.is_empty():
            return False
        self.conn.execute("ALTER TABLE postings DROP CONSTRAINT IF EXISTS postings_pkey")
        self.conn.execute("DROP INDEX IF EXISTS passages_hnsw")
        self.bulk = True
        return True

    def put_documents(self, batch: Sequence[DocumentRows]) -> int:
        """Store (or replace) whole documents in one transaction; sections written."""
        analysed = [[(s, filter_values(s), section_lexemes(s)) for s in d.sections]
                    for d in batch]
        ensure_partitions(self.conn, {(f.municipality, f.year) for doc in analysed
                                      for _s, f, _lx in doc})
        try:
            with self.conn.transaction():
                deltas = Deltas()
                batch_ops.delete_docs(self.conn, [d.doc for d in batch], deltas)
                batch_ops.insert_docs(self.conn, batch, analysed, deltas, self._term_ids)
                batch_ops.apply_deltas(self.conn, deltas)
                batch_ops.write_manifest(self.conn)
        except BaseException:
            self._term_ids.clear()  # ids of terms inserted by the rolled-back transaction
            raise
        return sum(len(d.sections) for d in batch)

    def delete_documents(self, docs: Sequence[str]) -> None:
        if not docs:
            return
        with self.conn.transaction():
            deltas = Deltas()
            batch_ops.delete_docs(self.conn, list(docs), deltas)
            batch_ops.apply_deltas(self.conn, deltas)
            batch_ops.write_manifest(self.conn)

    def set_semantic(self, describe: Mapping) -> None:
        """Record the embedding model; another model's (or dimension's) vectors are dropped."""
        keep = {k: v for k, v in describe.items()
                if k not in ("sections", "passages", "dtype", "status")}
        stored = self.meta("semantic")
        with self.conn.transaction():
            if stored and (stored.get("model") != keep.get("model")
                           or stored.get("dim") != keep.get("dim")):
                vector_store.reset(self.conn)
            vector_store.set_dim(self.conn, int(keep["dim"]), index=not self.bulk)
            self.conn.execute("INSERT INTO meta VALUES ('semantic', %s) ON CONFLICT (key) "
                              "DO UPDATE SET value = EXCLUDED.value", (_jsonb(keep),))

    def put_vectors(self, vectors: Mapping[str, np.ndarray]) -> int:
        """Store the passage vectors of sections (replacing theirs); passages written."""
        with self.conn.transaction():
            rows = self.conn.execute("SELECT section_id, sid FROM section_keys "
                                     "WHERE section_id = ANY(%s)", (list(vectors),)).fetchall()
            n = vector_store.write(self.conn, {sid: vectors[section_id]
                                               for section_id, sid in rows}, replace=True)
            batch_ops.write_manifest(self.conn)
        return n

    def finish(self) -> dict:
        """Indexes back, empty lexicon entries gone, planner statistics fresh; the manifest."""
        self.ensure_indexes()
        with self.conn.transaction():
            self.conn.execute("DELETE FROM terms WHERE df <= 0")
            manifest = batch_ops.write_manifest(self.conn)
        self._term_ids.clear()
        self.conn.execute("VACUUM (ANALYZE) postings, terms, section_keys, passages"
                          if self.bulk else "ANALYZE")
        self.bulk = False
        return manifest

    def ensure_indexes(self) -> None:
        """The postings key and the HNSW index exist (after a bulk load, or one that crashed)."""
        if self.conn.execute("SELECT to_regclass('postings_pkey') IS NULL").fetchone()[0]:
            self.conn.execute("SET maintenance_work_mem = '1GB'")
            self.conn.execute(POSTINGS_PKEY)
        vector_store.ensure_hnsw(self.conn)


def _jsonb(value):
    from psycopg.types.json import Jsonb

    return Jsonb(value)
