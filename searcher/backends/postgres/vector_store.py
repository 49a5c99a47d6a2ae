"""Writing passage vectors: the halfvec column's dimension, the HNSW index, binary COPY.

The column is created without a dimension (the model is not known yet) and gets one when the
first vectors arrive; HNSW needs it. Vectors are L2-normalised, so the index uses inner
product (`halfvec_ip_ops`), the cheapest operator that ranks like cosine.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

HNSW_M = 16  # pgvector defaults, the values the scale-out note measured
HNSW_EF_CONSTRUCTION = 64
HNSW_INDEX = ("CREATE INDEX IF NOT EXISTS passages_hnsw ON passages USING hnsw "
              f"(embedding halfvec_ip_ops) WITH (m = {HNSW_M}, "
              f"ef_construction = {HNSW_EF_CONSTRUCTION})")


def dim_of(conn) -> int | None:
    """The dimension of passages.embedding (None while it has none)."""
    row = conn.execute("SELECT atttypmod FROM pg_attribute WHERE attrelid = 'passages'::regclass "
                       "AND attname = 'embedding'").fetchone()
    return row[0] if row and row[0] > 0 else None


def set_dim(conn, dim: int, *, index: bool) -> None:
    """Give the (empty) column its dimension; build the HNSW index unless a bulk load runs."""
    current = dim_of(conn)
    if current == dim:
        return
    if current is not None:
        reset(conn)
    conn.execute(f"ALTER TABLE passages ALTER COLUMN embedding TYPE halfvec({int(dim)})")
    if index:
        conn.execute(HNSW_INDEX)


def ensure_hnsw(conn) -> None:
    if dim_of(conn) is not None and conn.execute(
            "SELECT to_regclass('passages_hnsw') IS NULL").fetchone()[0]:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        conn.execute(HNSW_INDEX)


def reset(conn) -> None:
    """No vectors, no dimension, no HNSW index (another model, or --rebuild)."""
    conn.execute("DROP INDEX IF EXISTS passages_hnsw")
    conn.execute("TRUNCATE passages")
    conn.execute("ALTER TABLE passages ALTER COLUMN embedding TYPE halfvec")
    conn.execute("UPDATE section_keys SET n_passages = 0 WHERE n_passages <> 0")
    conn.execute("DELETE FROM meta WHERE key = 'semantic'")


def write(conn, vectors: Mapping[int, np.ndarray], *, replace: bool) -> int:
    """COPY (sid, passage, halfvec) rows; with replace, drop the sections' old rows first."""
    from pgvector import HalfVector

    if not vectors:
        return 0
    sids = list(vectors)
    if replace:
        conn.execute("DELETE FROM passages WHERE sid = ANY(%s)", (sids,))
    n = 0
    with conn.cursor() as cur:
        with cur.copy("COPY passages (sid, idx, embedding) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "int2", "halfvec"])
            for sid, block in vectors.items():
                for i, row in enumerate(np.asarray(block, dtype=np.float32)):
                    copy.write_row((sid, i, HalfVector(row)))
                    n += 1
        if replace:
            cur.execute("UPDATE section_keys k SET n_passages = x.n FROM unnest(%s::int[], "
                        "%s::int[]) AS x(sid, n) WHERE k.sid = x.sid",
                        (sids, [len(vectors[s]) for s in sids]))
    return n


def vectors_of_doc(conn, doc: str) -> dict[str, tuple[str, np.ndarray]]:
    """section_id → (section text, passage matrix float32) for one stored document."""
    from searcher.backends.postgres.store import section_records

    texts = {sid: (data["section_id"], data["text"])
             for sid, data in section_records(conn, "k.doc = %s", (doc,))}
    rows = conn.execute("SELECT sid, embedding FROM passages WHERE sid = ANY(%s) "
                        "ORDER BY sid, idx", (list(texts),)).fetchall()
    blocks: dict[int, list] = {}
    for sid, emb in rows:
        blocks.setdefault(sid, []).append(emb.to_numpy())
    return {texts[sid][0]: (texts[sid][1], np.asarray(vs, dtype=np.float32))
            for sid, vs in blocks.items()}
