"""The semantic arm over pgvector: VectorIndex's read methods, a section scored by its best passage.

Small candidate sets (a whole small index, or a selective filter) are scored exactly, every
passage compared, as the embedded backend does. Larger ones go through the HNSW index with
pgvector's iterative scan, so rows that a filter rejects do not leave top-k short; passages
are over-fetched and max-pooled per section. Filters arrive as the lexical arm's FilterSet and
are applied in SQL, inside the same statement as the nearest-neighbour search.
"""

from __future__ import annotations

from collections.abc import Set

import numpy as np

from searcher.backends.postgres.filters import FilterSet, sids_sql
from searcher.records import Hit
from searcher.semantic.vectors import section_vector

EXACT_BELOW = 20_000  # passages: below this many candidates a full scan is exact and fast
PASSAGE_OVERFETCH = 4  # passages fetched per wanted section (sections have several)
EF_SEARCH_MIN = 400  # hnsw.ef_search floor: bench recall@10 0.95 (100: 0.88), ~5 ms
EF_SEARCH_MAX = 1000  # pgvector's upper limit


class PgVectors:
    """Duck-types searcher.semantic.vectors.VectorIndex (search, rows_of, vector_of)."""

    def __init__(self, db, dim: int, *, exact_below: int = EXACT_BELOW,
                 passages: int | None = None):
        self.db = db
        self._dim = dim
        self.exact_below = exact_below
        self.passages = passages  # the manifest's count: no counting for unfiltered searches
        self.backend = "pgvector-hnsw"
        self.dtype = "float16"

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        with self.db.read() as conn:
            return conn.execute("SELECT count(*) FROM section_keys WHERE n_passages > 0"
                                ).fetchone()[0]

    def search(self, query: np.ndarray, *, limit: int, allowed: Set[str] | None = None,
               exact: bool = False) -> list[Hit]:
        """Top-`limit` sections by inner product (cosine: vectors are normalised)."""
        from pgvector import HalfVector

        if limit <= 0:
            return []
        params: dict = {"q": HalfVector(np.asarray(query, dtype=np.float32))}
        where = "TRUE"
        if isinstance(allowed, FilterSet):
            sub, fparams = sids_sql(allowed.filters)
            where = f"p.sid IN ({sub})"
            params.update(fparams)
        elif allowed is not None:
            if not allowed:
                return []
            where = "p.sid IN (SELECT sid FROM section_keys WHERE section_id = ANY(%(ids)s))"
            params["ids"] = list(allowed)
        with self.db.read() as conn:
            if exact or self._candidates(conn, where, params) <= self.exact_below:
                rows = conn.execute(
                    "SELECT k.section_id, x.score FROM (SELECT p.sid, max(-(p.embedding <#> "
                    f"%(q)s)) AS score FROM passages p WHERE {where} GROUP BY p.sid "
                    "ORDER BY score DESC, p.sid LIMIT %(limit)s) x "
                    "JOIN section_keys k ON k.sid = x.sid", params | {"limit": limit}).fetchall()
            else:
                rows = self._approximate(conn, where, params, limit)
        hits = [Hit(section_id, float(score)) for section_id, score in rows]
        return sorted(hits, key=lambda h: (-h.score, h.section_id))[:limit]

    def _candidates(self, conn, where: str, params: dict) -> int:
        """Passages the search would compare, counted only up to exact_below + 1."""
        if where == "TRUE" and self.passages is not None:
            return self.passages
        return conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM passages p WHERE {where} "
                            "LIMIT %(cap)s) c", params | {"cap": self.exact_below + 1}
                            ).fetchone()[0]

    def _approximate(self, conn, where: str, params: dict, limit: int) -> list[tuple]:
        fetch = limit * PASSAGE_OVERFETCH
        while True:
            conn.execute("SELECT set_config('hnsw.ef_search', %s, true), "
                         "set_config('hnsw.iterative_scan', 'relaxed_order', true)",
                         (str(min(EF_SEARCH_MAX, max(EF_SEARCH_MIN, fetch))),))
            rows = conn.execute(
                "SELECT k.section_id, max(x.score) AS score FROM (SELECT p.sid, "
                f"-(p.embedding <#> %(q)s) AS score FROM passages p WHERE {where} "
                "ORDER BY p.embedding <#> %(q)s LIMIT %(fetch)s) x "
                "JOIN section_keys k ON k.sid = x.sid GROUP BY k.section_id",
                params | {"fetch": fetch}).fetchall()
            if len(rows) >= limit or fetch >= 16 * limit * PASSAGE_OVERFETCH:
                return rows
            fetch *= 4  # long sections filled the passages: ask for more

    def rows_of(self, section_id: str) -> np.ndarray | None:
        """The passage vectors of one section (float32), or None if it has none."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT p.embedding FROM section_keys k JOIN passages p ON p.sid = k.sid "
                "WHERE k.section_id = %s ORDER BY p.idx", (section_id,)).fetchall()
        if not rows:
            return None
        return np.asarray([r[0].to_numpy() for r in rows], dtype=np.float32)

    def vector_of(self, section_id: str) -> np.ndarray | None:
        """Mean of a section's passage vectors, normalised (for `similar`)."""
        block = self.rows_of(section_id)
        return None if block is None else section_vector(block)

    def close(self) -> None:
        self.db.close()
