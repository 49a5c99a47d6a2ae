"""The lexical arm's read handle: query strings and Filters in, plain Hits out.

whoosh objects (searchers, queries, results) never leave this package. A handle may be shared
by threads: whoosh's searcher (file positions), the scorer's caches and the analyzers' caches
are used under one lock per handle, so threads take turns (the GIL allows little more).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.qparser.plugins import FieldsPlugin
from whoosh.reading import TermNotFound

from searcher.analysis.stemming import SwedishStemmer
from searcher.errors import BadQueryError, IndexNotBuiltError
from searcher.lexical.schema import BM25_B, BM25_K1, FIELD_BOOSTS, OR_SCALE
from searcher.lexical.scorer import Unsupported, VectorScorer, best
from searcher.lexical.tree import UnsupportedQuery, from_whoosh
from searcher.lexical.whoosh_internals import ForbiddenObject, remember_pivots
from searcher.lexical.writer import open_whoosh
from searcher.query.filters import Filters
from searcher.query.typo import TypoResult, expand_typos
from searcher.records import Hit

SURFACE_SCAN_LIMIT = 5000  # index terms read to find a stem's written form (typo expansion)
FILTER_CACHE = 32  # filter masks a handle keeps (a session usually repeats a few filters)
#: Parsed queries a handle keeps: one hybrid query parses its text for the search, the count
#: and the semantic candidates' scores (~1.5 ms each, compounds split); queries are immutable.
PARSE_CACHE = 4
#: Words longer than this get no typo candidates: whoosh's Levenshtein automaton grows with the
#: word (a 100-letter word took ~0.4 s idle), and a word this long is pasted, not misspelt.
NEAR_TERMS_MAX_CHARS = 40


class Scoring(str, Enum):
    """Who scores a query: our numpy scorer (searcher.lexical.scorer, whoosh's BM25F a term at a
    time) or whoosh's own matchers (document at a time; kept for comparison and benchmarks).
    Queries the numpy scorer cannot run (prefixes, wildcards) always go to whoosh."""

    vector = "vector"
    whoosh = "whoosh"

class LexicalIndex:
    """A read handle on the whoosh index; searches return plain Hits."""

    def __init__(self, path: Path, *, scorer: Scoring | str = Scoring.vector):
        self.scoring = Scoring(scorer)
        self._path = path
        self._ix = open_whoosh(path)
        self._weighting = scoring.BM25F(B=BM25_B, K1=BM25_K1)
        self._parser = MultifieldParser(
            list(FIELD_BOOSTS), self._ix.schema, fieldboosts=FIELD_BOOSTS,
            group=OrGroup.factory(OR_SCALE),
        )
        # Field queries (dnr:…, typ:…) are filters handled by the engine, not free syntax.
        self._parser.remove_plugin_class(FieldsPlugin)
        self._searcher = None
        self._scorer: VectorScorer | None = None
        self._postings_for: wq.Query | None = None  # the query the scorer holds postings of
        self._docnum_of: dict[str, int] = {}  # that query's hits and candidates: docnums
        #: that query's every match and score, when it was counted: (query, docnums, scores)
        self._every: tuple[wq.Query, np.ndarray, np.ndarray] | None = None
        self._masks: dict[Filters, object] = {}
        self._parsed: dict[str, wq.Query] = {}  # the last PARSE_CACHE query strings, parsed
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def _reading(self) -> Iterator:
        """This handle's one searcher, under the handle's lock; opened on first use and kept:
        a generation never changes, and opening one copies the compound segment's files
        (~0.1 s per open at 1,000 documents; scripts/bench.py)."""
        with self._lock:
            try:
                if self._searcher is None:
                    searcher = self._ix.searcher(weighting=self._weighting)
                    for leaf, _ in searcher.leaf_searchers():
                        remember_pivots(leaf.reader())
                    self._searcher = searcher
                yield self._searcher
            except ForbiddenObject as e:  # a posting block or stored field naming code
                raise IndexNotBuiltError(
                    f"{self._path} contains objects searcher does not load ({e}); nothing was "
                    f"run — rebuild with `searcher index --rebuild`"
                ) from None

    def parse(self, query: str) -> wq.Query:
        # "?" ends questions ("Vem förde anteckningar under mötet?"); whoosh would read it as a
        # one-letter wildcard. Prefix search keeps its documented form, `kompetens*`.
        q = query.replace("?", " ").strip()
        if not q:
            raise BadQueryError("empty query")
        try:
            with self._lock:  # the analyzers keep caches
                if q not in self._parsed:
                    if len(self._parsed) >= PARSE_CACHE:
                        self._parsed.pop(next(iter(self._parsed)))
                    self._parsed[q] = self._parser.parse(q)
                return self._parsed[q]
        except Exception as e:  # whoosh raises several unrelated types for bad syntax
            raise BadQueryError(f"cannot parse query {query!r}: {e}") from None

    def filter_query(self, filters: Filters) -> wq.Query | None:
        parts: list[wq.Query] = [wq.Term(f, v) for f, v in filters.terms]
        if filters.year_from is not None or filters.year_to is not None:
            parts.append(wq.NumericRange("year", filters.year_from, filters.year_to))
        if not parts:
            return None
        return wq.And(parts) if len(parts) > 1 else parts[0]

    def search(self, query: str, *, limit: int, filters: Filters | None = None) -> list[Hit]:
        """BM25F top-`limit` sections for a query string; equal scores in section id order."""
        q = self.parse(query)
        hits = None
        if self.scoring == Scoring.vector:
            hits = self._vector_search(q, max(limit, 1), filters)
        if hits is None:
            flt = self.filter_query(filters) if filters else None
            with self._reading() as s:
                results = s.search(q, limit=max(limit, 1), filter=flt)
                hits = [Hit(r["section_id"], float(r.score)) for r in results]
        return sorted(hits, key=lambda h: (-h.score, h.section_id))[:limit]

    def _vector_search(self, q: wq.Query, limit: int, filters: Filters | None) -> list[Hit] | None:
        """searcher.lexical.scorer's top hits, or None for a query it leaves to whoosh."""
        with self._reading() as s:
            scorer = self._vector_scorer(s, q)
            allowed = self._allowed(s, filters)
            try:
                if self._every is not None and self._every[0] is q:  # counted: scored in full
                    ids, every = self._every[1], self._every[2]
                    if allowed is not None:
                        ids, every = ids[allowed[ids]], every[allowed[ids]]
                    docnums, scores = best(ids, every, limit)
                else:
                    docnums, scores = scorer.top(from_whoosh(q), limit, allowed)
            except (UnsupportedQuery, Unsupported):
                return None
            hits = [Hit(s.stored_fields(int(d))["section_id"], float(x))
                    for d, x in zip(docnums, scores, strict=True)]
            self._docnum_of.update((h.section_id, int(d)) for h, d in zip(hits, docnums,
                                                                          strict=True))
            return hits

    def _vector_scorer(self, s, q: wq.Query | None = None) -> VectorScorer:
        """The handle's numpy scorer (made on first use), holding postings for one query: the
        top-k, the count, the other arm's candidates and their coverage of one query read each
        token's postings once. A new query `q` (PARSE_CACHE keeps the same object for the same
        text) drops the last one's; None: the current query's."""
        if self._scorer is None:
            self._scorer = VectorScorer(s, B=BM25_B, K1=BM25_K1)
        if q is not None and self._postings_for is not q:
            self._scorer.forget()
            self._docnum_of.clear()
            self._every = None
            self._postings_for = q
        return self._scorer

    def scores_of(self, query: str, section_ids: Sequence[str]) -> dict[str, float]:
        """BM25F of `query` for exactly these sections (0.0 where it matches nothing), so the
        fusion sees a lexical score for every candidate, not only the lexical top-k."""
        wanted = list(dict.fromkeys(section_ids))
        out = dict.fromkeys(wanted, 0.0)
        if not wanted:
            return out
        q = self.parse(query)
        with self._reading() as s:
            section_of = self._docnums(s, wanted)
            docnums = list(section_of)
            if not docnums:
                return out
            if self.scoring == Scoring.vector:
                scorer = self._vector_scorer(s, q)
                wanted_docs = np.asarray(docnums, np.int64)
                try:
                    if self._every is not None and self._every[0] is q:  # counted: all known
                        ids, scores = _among(self._every[1], self._every[2], wanted_docs)
                    else:
                        ids, scores = scorer.scores_at(from_whoosh(q), wanted_docs)
                except (UnsupportedQuery, Unsupported):
                    ids = None
                if ids is not None:
                    for d, x in zip(ids, scores, strict=True):
                        out[section_of[int(d)]] = float(x)
                    return out
            flt = wq.Or([wq.Term("section_id", sid) for sid in wanted])
            for r in s.search(q, limit=len(docnums), filter=flt):
                out[r["section_id"]] = float(r.score)
        return out

    def sections_with_terms(
        self, terms: Sequence[tuple[str, str]], section_ids: Sequence[str]
    ) -> dict[tuple[str, str], frozenset[str]]:
        """For each (field, token), which of these sections contain it (for per-candidate
        query coverage: how much of the query's information a section holds)."""
        return self.term_holders(terms).among(section_ids)

    def term_holders(self, terms: Sequence[tuple[str, str]]) -> TermHolders:
        """The documents holding each (field, token), read once, to ask about any sections."""
        with self._reading() as s:
            if self.scoring == Scoring.vector:
                scorer = self._vector_scorer(s)
                docs = {t: frozenset(scorer.holders(*t).tolist()) for t in dict.fromkeys(terms)}
            else:
                docs = {t: frozenset(s.docs_for_query(wq.Term(*t))) for t in dict.fromkeys(terms)}
        return TermHolders(self._section_docnums, docs)

    def _section_docnums(self, section_ids: Sequence[str]) -> dict[int, str]:
        with self._reading() as s:
            return self._docnums(s, section_ids)

    def _docnums(self, s, section_ids: Sequence[str]) -> dict[int, str]:
        """_docnums, remembering this query's answers (and its hits' docnums, read with them):
        the candidates are looked up for their score and again for their coverage."""
        known = self._docnum_of
        missing = [sid for sid in dict.fromkeys(section_ids) if sid not in known]
        if missing:
            found = _docnums(s, missing)
            known.update((sid, d) for d, sid in found.items())
            known.update((sid, -1) for sid in missing if sid not in known)  # not in the index
        return {known[sid]: sid for sid in dict.fromkeys(section_ids) if known[sid] >= 0}

    def _allowed(self, s, filters: Filters | None):
        """A bool mask over docnums of the sections passing `filters` (None: all), cached."""
        if filters is None or filters.is_empty():
            return None
        if filters not in self._masks:
            mask = np.zeros(s.doc_count_all(), bool)
            mask[np.fromiter(s.docs_for_query(self.filter_query(filters)), np.int64)] = True
            if len(self._masks) >= FILTER_CACHE:
                self._masks.pop(next(iter(self._masks)))
            self._masks[filters] = mask
        return self._masks[filters]

    def count(self, query: str, filters: Filters | None = None) -> int:
        """How many sections match `query` under `filters` (the "of N" of a result list). The
        numpy scorer scores every match to count them; a search of the same query that follows
        takes its top-k from those scores (no second pass) and so does scores_of."""
        q = self.parse(query)
        with self._reading() as s:
            if self.scoring == Scoring.vector:
                try:
                    ids, scores = self._vector_scorer(s, q).every(from_whoosh(q))
                except (UnsupportedQuery, Unsupported):
                    ids = None
                if ids is not None:
                    self._every = (q, ids, scores)
                    allowed = self._allowed(s, filters)
                    return len(ids) if allowed is None else int(allowed[ids].sum())
        flt = self.filter_query(filters) if filters else None
        with self._reading() as s:
            docs = set(s.docs_for_query(q))
            if flt is not None:
                docs &= set(s.docs_for_query(flt))
        return len(docs)

    def matching_ids(self, filters: Filters) -> set[str] | None:
        """Section ids passing the filters (None = no restriction), for the semantic arm."""
        flt = self.filter_query(filters)
        if flt is None:
            return None
        with self._reading() as s:
            return {s.stored_fields(d)["section_id"] for d in s.docs_for_query(flt)}

    def sections_containing(
        self, clauses: Sequence[Sequence[tuple[str, str]]], filters: Filters | None = None
    ) -> set[str]:
        """Ids of sections whose `exact` field meets every clause, i.e. any one of its
        ("term" | "prefix" | "contains", lowercase text) alternatives: the mentions pre-filter."""
        make = {"term": wq.Term, "prefix": wq.Prefix,
                "contains": lambda field, text: wq.Wildcard(field, f"*{text}*")}
        groups: list[wq.Query] = [wq.Or([make[how]("exact", text) for how, text in alts])
                                  for alts in clauses]
        flt = self.filter_query(filters) if filters else None
        q = wq.And(groups + ([flt] if flt is not None else [])) if groups else (flt or wq.Every())
        with self._reading() as s:
            return {s.stored_fields(d)["section_id"] for d in s.docs_for_query(q)}

    def term_frequency(self, field: str, term: str) -> int:
        """Sections holding `term` (an analyzed token) in `field`."""
        with self._reading() as s:
            return s.doc_frequency(field, term)

    def near_terms(self, field: str, word: str, maxdist: int) -> list[tuple[str, int]]:
        """(term, sections) of `field` within `maxdist` Levenshtein edits, same first letter."""
        if len(word) > NEAR_TERMS_MAX_CHARS:
            return []
        with self._reading() as s:
            reader = s.reader()
            return [(t, reader.doc_frequency(field, t))
                    for t in reader.terms_within(field, word, maxdist, prefix=1)]

    def surface_for_stem(self, stem: str) -> tuple[str, int] | None:
        """The most frequent written form (exact field) with this Snowball stem, and its count."""
        stemmer = SwedishStemmer()
        best: tuple[str, int] | None = None
        with self._reading() as s:
            reader = s.reader()
            for i, raw in enumerate(reader.expand_prefix("exact", stem)):
                if i >= SURFACE_SCAN_LIMIT:
                    break
                term = raw.decode() if isinstance(raw, bytes) else raw
                if term.isalpha() and stemmer.stem(term) == stem:
                    n = reader.doc_frequency("exact", term)
                    if best is None or n > best[1]:
                        best = (term, n)
        return best

    def expand_typos(self, query: str) -> TypoResult:
        """Expand unknown query words with close index terms (searcher.query.typo)."""
        with self._lock:
            return expand_typos(query, self)

    def query_terms(self, query: str) -> list[tuple[str, str]]:
        """(field, token) pairs the parsed query looks for; used for highlighting and signals."""
        q = self.parse(query)
        return sorted({(f, t.decode() if isinstance(t, bytes) else t)
                       for f, t in q.iter_all_terms()})

    def doc_frequencies(self, terms: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        with self._reading() as s:
            return {t: s.doc_frequency(t[0], t[1]) for t in terms}

    def more_like(
        self, section_id: str, text: str, *, limit: int, filters: Filters | None = None,
        numterms: int = 12,
    ) -> list[Hit]:
        """Sections sharing the most characteristic (rare, frequent-in-text) terms of `text`."""
        flt = self.filter_query(filters) if filters else None
        with self._reading() as s:
            docnum = s.document_number(section_id=section_id)
            if docnum is None:
                return []
            results = s.more_like(docnum, "text", text=text, top=limit + 1, numterms=numterms,
                                  filter=flt)
            hits = [Hit(r["section_id"], float(r.score)) for r in results]
        hits = [h for h in hits if h.section_id != section_id]
        return sorted(hits, key=lambda h: (-h.score, h.section_id))[:limit]

    def doc_count(self) -> int:
        with self._reading() as s:
            return s.doc_count()

    def close(self) -> None:
        with self._lock:
            self._scorer = None  # it holds the searcher's readers
            self._postings_for = None
            self._docnum_of.clear()
            self._every = None
            self._masks.clear()
            self._parsed.clear()
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix.close()


class TermHolders:
    """Which documents hold each of a query's terms (LexicalIndex.term_holders)."""

    def __init__(self, docnums: Callable[[Sequence[str]], dict[int, str]],
                 docs: dict[tuple[str, str], frozenset[int]]):
        self._docnums, self._docs = docnums, docs

    def among(self, section_ids: Sequence[str]) -> dict[tuple[str, str], frozenset[str]]:
        """For each term, which of these sections hold it."""
        docnum = self._docnums(section_ids)
        return {t: frozenset(sid for d, sid in docnum.items() if d in found)
                for t, found in self._docs.items()}


def _among(ids: np.ndarray, scores: np.ndarray,
           wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Those of `wanted` docnums in the sorted `ids`, and their scores."""
    if not len(ids):
        return ids, scores
    pos = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    found = ids[pos] == wanted
    return wanted[found], scores[pos[found]]


def _docnums(searcher, section_ids: Sequence[str]) -> dict[int, str]:
    """docnum → section id for those of `section_ids` in the index. In one segment without
    deletions a section id's term names its one document directly (no matcher: 1.7× faster
    than document_number, which a hybrid query called ~150 times); otherwise whoosh's lookup."""
    reader = searcher.reader()
    direct = reader.is_atomic() and not reader.has_deletions()
    out: dict[int, str] = {}
    for sid in dict.fromkeys(section_ids):
        if not direct:
            d = searcher.document_number(section_id=sid)
        else:
            try:
                info = reader.term_info("section_id", sid)
            except TermNotFound:
                continue
            d = info.min_id() if info.doc_frequency() == 1 else \
                searcher.document_number(section_id=sid)
        if d is not None:
            out[d] = sid
    return out
