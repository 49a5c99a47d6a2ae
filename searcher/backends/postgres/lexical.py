"""The lexical arm over PostgreSQL: LexicalIndex's read methods, BM25F computed in SQL.

Every call is one read-only snapshot: the term statistics and the postings it scores with
belong to the same committed state even while a writer works. Hits leave as plain records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from searcher.backends.postgres import bm25
from searcher.backends.postgres.filters import FilterSet, sids_sql
from searcher.backends.postgres.lexemes import FIELD_CODES, analyse_field
from searcher.lexical.index import SURFACE_SCAN_LIMIT
from searcher.query.filters import Filters
from searcher.records import Hit

if TYPE_CHECKING:
    from searcher.query.typo import TypoResult

MAX_EXPANSIONS = 1024  # terms a prefix or wildcard may expand to (whoosh's Or clause limit)
#: Memory for grouping the candidates of one query (a common word: ~10^5 sections) without
#: spilling to disk; set per transaction, whatever the server's default (4 MB).
WORK_MEM = "64MB"


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def wildcard_to_like(pattern: str) -> str:
    """whoosh wildcard (`*` any run, `?` one character) → SQL LIKE."""
    return like_escape(pattern).replace("*", "%").replace("?", "_")


class PgLexical:
    """Duck-types lexical.index.LexicalIndex for SearchIndex (search, filters, similar, …)."""

    def __init__(self, db):
        self.db = db

    # -- what the engine calls -----------------------------------------------------------------
    def parse(self, query: str):
        return bm25.parse(query)

    def search(self, query: str, *, limit: int, filters: Filters | None = None) -> list[Hit]:
        """BM25F top-`limit` sections for a query string."""
        tree = bm25.from_whoosh(bm25.parse(query))
        with self.db.read() as conn:
            return self._run(conn, tree, limit=limit, filters=filters)

    def matching_ids(self, filters: Filters) -> FilterSet | None:
        """The sections passing the filters (None = no restriction), fetched lazily."""
        return None if filters.is_empty() else FilterSet(self.db, filters)

    def query_terms(self, query: str) -> list[tuple[str, str]]:
        return bm25.query_terms(query)

    def doc_frequencies(self, terms: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        with self.db.read() as conn:
            info = self._lookup(conn, set(terms))
        return {t: info.get(t, (0, 0, 0.0))[1] for t in terms}

    def doc_count(self) -> int:
        with self.db.read() as conn:
            return conn.execute("SELECT n_sections FROM corpus_stats").fetchone()[0]

    def more_like(self, section_id: str, text: str, *, limit: int,
                  filters: Filters | None = None, numterms: int = 12) -> list[Hit]:
        """Sections sharing the most characteristic terms of `text` (whoosh's Bo1 key terms)."""
        weights = dict(analyse_field("text", text).weights)
        with self.db.read() as conn:
            row = conn.execute("SELECT sid FROM section_keys WHERE section_id = %s",
                               (section_id,)).fetchone()
            if row is None or not weights:
                return []
            info = self._lookup(conn, {("text", w) for w in weights})
            n = max(1, self._stats(conn)[0])
            scored = []
            for word, weight in weights.items():
                _tid, df, cf = info.get(("text", word), (0, 0, 0.0))
                if df > 0:
                    f = cf / n
                    scored.append((weight * math.log2((1 + f) / f) + math.log2(1 + f), word))
            if not scored:
                return []
            scored.sort(key=lambda x: (-x[0], x[1]))
            tree = bm25.Node("or", tuple(bm25.Node("leaf", field="text", text=w, boost=s)
                                         for s, w in scored[:numterms]))
            hits = self._run(conn, tree, limit=limit + 1, filters=filters, mask=row[0])
        return [h for h in hits if h.section_id != section_id][:limit]

    def close(self) -> None:
        self.db.close()

    # -- mentions and typos --------------------------------------------------------------------
    def sections_containing(self, clauses: Sequence[Sequence[tuple[str, str]]],
                            filters: Filters | None = None) -> set[str]:
        """Ids of sections whose `exact` field meets every clause (the mentions pre-filter)."""
        conds, params = [], {}
        with self.db.read() as conn:
            for i, alternatives in enumerate(clauses):
                ids = self._exact_term_ids(conn, alternatives)
                if not ids:
                    return set()
                conds.append(f"k.sid IN (SELECT sid FROM postings WHERE term_id = ANY(%(c{i})s))")
                params[f"c{i}"] = ids
            if filters is not None and not filters.is_empty():
                sub, fparams = sids_sql(filters)
                conds.append(f"k.sid IN ({sub})")
                params.update(fparams)
            where = " AND ".join(conds) or "TRUE"
            rows = conn.execute(f"SELECT k.section_id FROM section_keys k WHERE {where}",
                                params).fetchall()
        return {r[0] for r in rows}

    def term_frequency(self, field: str, term: str) -> int:
        return self.doc_frequencies([(field, term)])[(field, term)]

    def near_terms(self, field: str, word: str, maxdist: int) -> list[tuple[str, int]]:
        """(term, sections) within `maxdist` Levenshtein edits, same first letter."""
        if not word:
            return []
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT token, df FROM terms WHERE field = %s AND df > 0 AND token LIKE %s "
                "AND length(token) BETWEEN %s AND %s AND levenshtein(token, %s) <= %s "
                "ORDER BY token",
                (FIELD_CODES[field], like_escape(word[0]) + "%", len(word) - maxdist,
                 len(word) + maxdist, word, maxdist)).fetchall()
        return [(t, df) for t, df in rows]

    def surface_for_stem(self, stem: str) -> tuple[str, int] | None:
        """The most frequent written form (exact field) with this Snowball stem, and its count."""
        from searcher.analysis.stemming import SwedishStemmer

        stemmer = SwedishStemmer()
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT token, df FROM terms WHERE field = %s AND df > 0 AND token LIKE %s "
                "ORDER BY token LIMIT %s",
                (FIELD_CODES["exact"], like_escape(stem) + "%", SURFACE_SCAN_LIMIT)).fetchall()
        best: tuple[str, int] | None = None
        for term, n in rows:
            if term.isalpha() and stemmer.stem(term) == stem and (best is None or n > best[1]):
                best = (term, n)
        return best

    def expand_typos(self, query: str) -> TypoResult:
        from searcher.query.typo import expand_typos

        return expand_typos(query, self)

    # -- internals -----------------------------------------------------------------------------
    def _stats(self, conn) -> tuple[int, dict[str, float]]:
        """N and the average length of each field (whoosh: total length / N)."""
        n = conn.execute("SELECT n_sections FROM corpus_stats").fetchone()[0]
        names = {code: name for name, code in FIELD_CODES.items()}
        totals = conn.execute("SELECT field, total_length FROM field_stats").fetchall()
        return n, {names[f]: (t / n if n else 0.0) for f, t in totals if f in names}

    def _lookup(self, conn, terms: set[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
        """(field, token) → (term_id, df, cf) for the terms of the lexicon among these."""
        terms = {t for t in terms if t[0] in FIELD_CODES}
        if not terms:
            return {}
        fields = [FIELD_CODES[f] for f, _ in terms]
        tokens = [t for _, t in terms]
        rows = conn.execute(
            "SELECT t.field, t.token, t.term_id, t.df, t.cf FROM terms t "
            "JOIN unnest(%s::smallint[], %s::text[]) AS x(field, token) "
            "ON t.field = x.field AND t.token = x.token COLLATE \"C\"", (fields, tokens)).fetchall()
        names = {code: name for name, code in FIELD_CODES.items()}
        return {(names[f], tok): (tid, df, cf) for f, tok, tid, df, cf in rows}

    def _expand(self, conn, node: bm25.Node) -> list[str]:
        pattern = (like_escape(node.text) + "%" if node.how == "prefix"
                   else wildcard_to_like(node.text))
        rows = conn.execute("SELECT token FROM terms WHERE field = %s AND df > 0 AND token LIKE %s "
                            "ORDER BY token LIMIT %s",
                            (FIELD_CODES[node.field], pattern, MAX_EXPANSIONS)).fetchall()
        return [r[0] for r in rows]

    def _exact_term_ids(self, conn, alternatives: Sequence[tuple[str, str]]) -> list[int]:
        ids: list[int] = []
        for how, text in alternatives:
            if how == "term":
                op, value = "=", text
            else:
                op = "LIKE"
                value = like_escape(text) + "%" if how == "prefix" else f"%{like_escape(text)}%"
            ids += [r[0] for r in conn.execute(
                f"SELECT term_id FROM terms WHERE field = %s AND df > 0 AND token {op} %s",
                (FIELD_CODES["exact"], value)).fetchall()]
        return ids

    def _run(self, conn, tree: bm25.Node, *, limit: int, filters: Filters | None = None,
             mask: int | None = None) -> list[Hit]:
        """Score a query tree in SQL; the top `limit` Hits, ties broken by section id."""
        terms, patterns = bm25.leaves_and_patterns(tree)
        expansions = {(p.field, p.how, p.text): self._expand(conn, p) for p in patterns}
        wanted = set(terms) | {(f, w) for (f, _how, _t), ws in expansions.items() for w in ws}
        info = self._lookup(conn, wanted)
        known = {t for t, (_tid, df, _cf) in info.items() if df > 0}
        resolved, leaves = bm25.resolve(tree, known, expansions)
        universe = bm25.needs_universe(resolved)
        if not leaves and not universe:
            return []
        n, avg = self._stats(conn)
        w, c1, c2 = bm25.leaf_params(leaves, {t: v[1] for t, v in info.items()}, n, avg)
        compiled = bm25.compile_node(resolved)
        params: dict = {"leaf": list(range(len(leaves))),
                        "tid": [info[(lf.field, lf.text)][0] for lf in leaves],
                        "w": w, "c1": c1, "c2": c2, "limit": max(limit, 1)}
        aggs = "".join(f", max(p.s) FILTER (WHERE p.leaf = {i}) AS s{i}"
                       for i in range(len(leaves)))
        source, sid = ("section_keys k LEFT JOIN a ON a.sid = k.sid", "k.sid") if universe \
            else ("a", "a.sid")
        where = [compiled.match]
        if filters is not None and not filters.is_empty():
            sub, fparams = sids_sql(filters)
            where.append(f"{sid} IN ({sub})")
            params.update(fparams)
        if mask is not None:
            where.append(f"{sid} <> %(mask)s")
            params["mask"] = mask
        sql = f"""
            WITH q AS (SELECT * FROM unnest(%(leaf)s::int[], %(tid)s::int[], %(w)s::float8[],
                                            %(c1)s::float8[], %(c2)s::float8[])
                       AS q(leaf, term_id, w, c1, c2)),
            p AS (SELECT po.sid, q.leaf, q.w * po.weight / (po.weight + q.c1 + q.c2 * po.flen) AS s
                  FROM q JOIN postings po ON po.term_id = q.term_id),
            a AS (SELECT p.sid{aggs} FROM p GROUP BY p.sid)
            SELECT k2.section_id, x.score FROM (
                SELECT {sid} AS sid, {compiled.score} AS score FROM {source}
                WHERE {" AND ".join(where)} ORDER BY score DESC, sid LIMIT %(limit)s
            ) x JOIN section_keys k2 ON k2.sid = x.sid"""
        conn.execute("SELECT set_config('work_mem', %s, true)", (WORK_MEM,))
        rows = conn.execute(sql, params).fetchall()
        hits = [Hit(section_id, float(score)) for section_id, score in rows]
        return sorted(hits, key=lambda h: (-h.score, h.section_id))[:limit]
