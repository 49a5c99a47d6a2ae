"""One batch of the writer's work, as functions of an open transaction (see writer.py).

    delete_docs   old sections out: postings (their df/cf), passages, partition rows, keys
    insert_docs   COPY documents, section keys, sections, postings, passages; deltas in
    apply_deltas  terms.df/cf, field_stats and corpus_stats follow, in the same transaction
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from searcher.analysis import ANALYZER_VERSION
from searcher.backends.postgres import vector_store
from searcher.backends.postgres.lexemes import FIELD_CODES
from searcher.backends.postgres.rows import (
    Deltas,
    DocumentRows,
    document_row,
    posting_rows,
    section_row,
)
from searcher.backends.postgres.schema import SCHEMA_VERSION
from searcher.store import layout


def delete_docs(conn, docs: list[str], deltas: Deltas) -> None:
    """Remove documents with their sections, postings and passages; record what changed."""
    keys = conn.execute("SELECT sid, municipality, year, lengths FROM section_keys "
                        "WHERE doc = ANY(%s)", (docs,)).fetchall()
    if keys:
        deltas.remove_postings(conn.execute(
            "DELETE FROM postings p USING (SELECT unnest(terms) AS term_id, sid "
            "FROM section_keys WHERE doc = ANY(%s)) x "
            "WHERE p.term_id = x.term_id AND p.sid = x.sid RETURNING p.term_id, p.weight",
            (docs,)).fetchall())
        by_partition: dict[tuple[str, int], list[int]] = {}
        for sid, municipality, year, lengths in keys:
            by_partition.setdefault((municipality, year), []).append(sid)
            for code, length in zip(FIELD_CODES.values(), lengths, strict=True):
                deltas.lengths[code] -= length
        deltas.sections -= len(keys)
        sids = [k[0] for k in keys]
        conn.execute("DELETE FROM passages WHERE sid = ANY(%s)", (sids,))
        for (municipality, year), part in by_partition.items():  # pruned to one partition
            conn.execute("DELETE FROM sections WHERE municipality = %s AND year = %s "
                         "AND sid = ANY(%s)", (municipality, year, part))
        conn.execute("DELETE FROM section_keys WHERE doc = ANY(%s)", (docs,))
    conn.execute("DELETE FROM documents WHERE doc = ANY(%s)", (docs,))


def insert_docs(conn, batch: Sequence[DocumentRows], analysed: list, deltas: Deltas,
                term_ids: dict[tuple[int, str], int]) -> None:
    """COPY documents, section keys, sections, postings and any vectors; record the deltas."""
    n = sum(len(doc) for doc in analysed)
    sids = [r[0] for r in conn.execute(
        "SELECT nextval('section_sid') FROM generate_series(1, %s)", (n,)).fetchall()]
    ensure_terms(conn, term_ids, (lx for doc in analysed for _s, _f, lx in doc))
    vectors: dict[int, np.ndarray] = {}
    with conn.cursor() as cur:
        with cur.copy("COPY documents FROM STDIN") as copy:
            for d in batch:
                copy.write_row(document_row(d))
        keys, sections, postings = [], [], []
        it = iter(sids)
        for d, doc in zip(batch, analysed, strict=True):
            for s, f, lexemes in doc:
                sid = next(it)
                ids = [[term_ids[(fl.field, tok)] for tok, _w in fl.weights]
                       for fl in lexemes]
                block = d.vectors.get(s.section_id)
                if block is not None and len(block):
                    vectors[sid] = block
                keys.append((sid, s.section_id, s.doc, s.ordinal, f.municipality, f.year,
                             [fl.length for fl in lexemes],
                             [t for group in ids for t in group],
                             0 if block is None else len(block)))
                sections.append(section_row(sid, s, f))
                postings.extend(posting_rows(sid, lexemes, ids))
                deltas.add_section(lexemes, ids)
        for table, rows in (("section_keys", keys), ("sections", sections),
                            ("postings", postings)):
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    if vectors:
        vector_store.write(conn, vectors, replace=False)


def ensure_terms(conn, term_ids: dict[tuple[int, str], int], lexeme_groups) -> None:
    """Lexicon ids for every (field, token) of the batch, adding the new ones."""
    missing = {(fl.field, tok) for lexemes in lexeme_groups for fl in lexemes
               for tok, _w in fl.weights if (fl.field, tok) not in term_ids}
    if not missing:
        return
    with conn.cursor() as cur:
        with cur.copy("COPY new_terms (field, token) FROM STDIN") as copy:
            for row in missing:
                copy.write_row(row)
        cur.execute("INSERT INTO terms (field, token) SELECT field, token FROM new_terms "
                    "ON CONFLICT (field, token) DO NOTHING")
        cur.execute("SELECT t.term_id, t.field, t.token FROM terms t "
                    "JOIN new_terms n ON t.field = n.field AND t.token = n.token")
        term_ids.update(((f, tok), tid) for tid, f, tok in cur.fetchall())


def apply_deltas(conn, deltas: Deltas) -> None:
    """Term statistics, field length totals and N follow the postings (same transaction)."""
    with conn.cursor() as cur:
        if deltas.df:
            with cur.copy("COPY term_deltas FROM STDIN") as copy:
                for tid, df in deltas.df.items():
                    copy.write_row((tid, df, deltas.cf[tid]))
            cur.execute("UPDATE terms t SET df = t.df + d.df, cf = t.cf + d.cf "
                        "FROM term_deltas d WHERE t.term_id = d.term_id")
        for code, length in deltas.lengths.items():
            cur.execute("INSERT INTO field_stats VALUES (%s, %s) ON CONFLICT (field) DO "
                        "UPDATE SET total_length = field_stats.total_length + "
                        "EXCLUDED.total_length", (code, length))
        cur.execute("UPDATE corpus_stats SET n_sections = n_sections + %s",
                    (deltas.sections,))


def write_manifest(conn) -> dict:
    """The manifest the engine checks, from the counts this transaction sees."""
    docs, sections = conn.execute(
        "SELECT (SELECT count(*) FROM documents), n_sections FROM corpus_stats").fetchone()
    row = conn.execute("SELECT value FROM meta WHERE key = 'semantic'").fetchone()
    describe = row[0] if row else None
    semantic = None
    if describe:
        with_vectors, passages = conn.execute(
            "SELECT count(*) FILTER (WHERE n_passages > 0), coalesce(sum(n_passages), 0) "
            "FROM section_keys").fetchone()
        if with_vectors:
            semantic = dict(describe, sections=with_vectors, passages=int(passages),
                            dtype="float16",
                            status="complete" if with_vectors >= sections else "partial")
    manifest = {"format": layout.FORMAT_VERSION, "analyzer_version": ANALYZER_VERSION,
                "backend": "postgresql", "schema_version": SCHEMA_VERSION,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "documents": docs,
                "sections": sections, "semantic": semantic}
    conn.execute("INSERT INTO meta VALUES ('manifest', %s) ON CONFLICT (key) "
                 "DO UPDATE SET value = EXCLUDED.value", (_jsonb(manifest),))
    return manifest


def _jsonb(value):
    from psycopg.types.json import Jsonb

    return Jsonb(value)
