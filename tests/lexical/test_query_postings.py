"""One query's postings, read once and shared by its top-k, its count, the other arm's candidates
and their coverage, give the answers the lexical handle gave when each read its own: whoosh's
docs_for_query for counts and term holders, and the scorer's MaxScore top-k over a mask (the
former scores_of) for named sections, on the seed index, in any order of calls and queries."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from searcher.lexical import scorer as scorer_module
from searcher.lexical.index import LexicalIndex
from searcher.lexical.schema import BM25_B, BM25_K1
from searcher.lexical.scorer import VectorScorer, _Matches, _union
from searcher.lexical.tree import from_whoosh
from searcher.query.filters import parse_filters
from searcher.store import layout
from tests.lexical.test_scorer import QUERIES

FILTERS = [None, parse_filters({"year": "2020-2022"}), parse_filters({"typ": "protokoll"})]
COVERAGE_FIELDS = ("text", "title", "parts")


@pytest.fixture(scope="module")
def lexical_path(lexical_index_dir):
    generation, _ = layout.require_current(lexical_index_dir)
    return generation / "lexical"


@pytest.fixture(scope="module")
def shared(lexical_path):
    """One handle asked everything, in turn, as an engine's hybrid queries ask it."""
    lx = LexicalIndex(lexical_path)
    yield lx
    lx.close()


@pytest.fixture(scope="module")
def oracle(lexical_path):
    """A handle answering the way the lexical arm did before postings were shared."""
    lx = LexicalIndex(lexical_path)
    yield Oracle(lx)
    lx.close()


class Oracle:
    """Each answer read on its own: whoosh's matchers for counts and term holders, a fresh
    scorer's top-k over a mask of the named sections for their scores."""

    def __init__(self, lx: LexicalIndex):
        self.lx = lx

    def count(self, query: str, filters) -> int:
        q = self.lx.parse(query)
        flt = self.lx.filter_query(filters) if filters else None
        with self.lx._reading() as s:
            docs = set(s.docs_for_query(q))
            if flt is not None:
                docs &= set(s.docs_for_query(flt))
        return len(docs)

    def scores_of(self, query: str, section_ids: list[str]) -> dict[str, float]:
        out = dict.fromkeys(section_ids, 0.0)
        q = self.lx.parse(query)
        with self.lx._reading() as s:
            section_of = {s.document_number(section_id=sid): sid for sid in section_ids}
            section_of.pop(None, None)
            if not section_of:
                return out
            mask = np.zeros(s.doc_count_all(), bool)
            mask[list(section_of)] = True
            fresh = VectorScorer(s, B=BM25_B, K1=BM25_K1)
            ids, scores = fresh.top(from_whoosh(q), len(section_of), mask)
        for d, x in zip(ids.tolist(), scores.tolist(), strict=True):
            out[section_of[d]] = x
        return out

    def holders(self, terms) -> dict[tuple[str, str], frozenset[int]]:
        with self.lx._reading() as s:
            return {t: frozenset(s.docs_for_query(wq.Term(*t))) for t in terms}


def _sections(lx: LexicalIndex, query: str) -> list[str]:
    """Some of the query's matches (every third, so the lexical top-k is not all) and some
    sections it may well not match, plus one id that is in no index."""
    hits = lx.search(query, limit=60)
    with lx._reading() as s:
        others = [s.stored_fields(d)["section_id"] for d in range(0, s.doc_count_all(), 7)]
    return [h.section_id for h in hits[::3]] + others[:20] + ["no/such-section"]


def _terms(lx: LexicalIndex, query: str) -> list[tuple[str, str]]:
    words = sorted({t for f, t in lx.query_terms(query) if f == "text"})
    return [(f, w) for w in words for f in COVERAGE_FIELDS]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("flt", range(len(FILTERS)))
def test_count_equals_whooshs_docs_for_query(shared, oracle, query, flt):
    filters = FILTERS[flt]
    shared.search(query, limit=10, filters=filters)  # the count follows the top-k, as in use
    assert shared.count(query, filters) == oracle.count(query, filters), query


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("flt", range(len(FILTERS)))
def test_a_top_k_cut_from_the_counted_scores_is_the_pruned_one(shared, oracle, query, flt):
    """Counted first (as the engine does), the top-k comes from every match's score; the same
    hits, ties at the cut included, as MaxScore's pass on a handle that did not count."""
    filters = FILTERS[flt]
    for limit in (1, 3, 10, 50):
        shared.count(query, filters)
        assert shared._every is not None and shared._every[0] is shared.parse(query)
        got = shared.search(query, limit=limit, filters=filters)
        oracle.lx._postings_for = oracle.lx._every = None  # nothing counted: MaxScore
        assert got == oracle.lx.search(query, limit=limit, filters=filters), (query, limit)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("counted", [True, False])
def test_scores_of_named_sections_equal_a_fresh_scorers(shared, oracle, query, counted):
    """Read from the counted query's every score, or evaluated at just those sections: the same
    floats as a fresh scorer's top-k over them, bit for bit (ties break on equal floats)."""
    sections = _sections(oracle.lx, query)
    shared.search(query, limit=50)
    if counted:
        shared.count(query)
    assert shared.scores_of(query, sections) == oracle.scores_of(query, sections)


@pytest.mark.parametrize("query", QUERIES)
def test_term_holders_equal_whooshs_postings(shared, oracle, query):
    terms = _terms(oracle.lx, query)
    shared.search(query, limit=50)
    got = shared.term_holders(terms)
    want = oracle.holders(terms)
    sections = _sections(oracle.lx, query)
    assert got.among(sections) == TermHoldersOf(oracle.lx, want).among(sections)


class TermHoldersOf:
    """Section ids holding each term, from docnum sets (the oracle's side of `among`)."""

    def __init__(self, lx: LexicalIndex, docs):
        self.lx, self.docs = lx, docs

    def among(self, section_ids):
        with self.lx._reading() as s:
            docnum = {sid: s.document_number(section_id=sid) for sid in section_ids}
        return {t: frozenset(sid for sid, d in docnum.items() if d in found)
                for t, found in self.docs.items()}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_order_of_calls_and_queries_gives_the_same_answers(shared, oracle, data):
    """Calls of several queries interleaved on one handle (threads taking turns, a repl) answer
    as if each were the first: postings kept for one query never leak into another's."""
    queries = QUERIES[:12]
    for _ in range(data.draw(st.integers(3, 10))):
        query = data.draw(st.sampled_from(queries))
        call = data.draw(st.sampled_from(["search", "count", "scores_of", "holders"]))
        if call == "search":
            got = shared.search(query, limit=20)
            want = oracle.lx.search(query, limit=20)
            assert got == want, query
        elif call == "count":
            filters = FILTERS[data.draw(st.integers(0, len(FILTERS) - 1))]
            assert shared.count(query, filters) == oracle.count(query, filters), query
        elif call == "scores_of":
            sections = _sections(oracle.lx, query)
            assert shared.scores_of(query, sections) == oracle.scores_of(query, sections)
        else:
            terms = _terms(oracle.lx, query)
            sections = _sections(oracle.lx, query)
            assert shared.term_holders(terms).among(sections) == \
                TermHoldersOf(oracle.lx, oracle.holders(terms)).among(sections)


def test_a_query_too_big_to_keep_is_read_again_with_the_same_answers(lexical_path, oracle,
                                                                      monkeypatch):
    monkeypatch.setattr(scorer_module, "HELD_POSTINGS", 50)
    lx = LexicalIndex(lexical_path)
    try:
        for query in QUERIES:
            sections = _sections(oracle.lx, query)
            assert lx.search(query, limit=10) == oracle.lx.search(query, limit=10)
            assert lx.count(query) == oracle.count(query, None)
            assert lx.scores_of(query, sections) == oracle.scores_of(query, sections)
            held = sum(seg._held for seg in lx._scorer.segments)
            assert held <= 50 or len(lx._scorer.segments[0]._whole) == 1
    finally:
        lx.close()


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_sparse_and_dense_unions_sum_alike_bit_for_bit(data):
    """An OR's sum is the same float whichever way its children are united (few documents or
    many), so a score never depends on how many documents a call evaluated."""
    size = data.draw(st.integers(1, 400))
    kids = []
    for _ in range(data.draw(st.integers(1, 6))):
        ids = np.array(sorted(data.draw(st.sets(st.integers(0, size - 1), max_size=size))),
                       dtype=np.int64)
        scores = np.array(data.draw(st.lists(st.floats(0.01, 50.0), min_size=len(ids),
                                             max_size=len(ids))), dtype=np.float64)
        kids.append(_Matches(ids, scores, np.ones(len(ids), np.int64), 1))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scorer_module, "_SPARSE_UNION", 0)  # always the sorted way
        sparse = _union(kids, size)
        mp.setattr(scorer_module, "_SPARSE_UNION", 10**9)  # always the array way
        dense = _union(kids, size)
    assert np.array_equal(sparse.ids, dense.ids)
    assert sparse.scores.tobytes() == dense.scores.tobytes()
    assert np.array_equal(sparse.counts, dense.counts)
    by_hand = {}
    for k in kids:  # child by child, from 0.0: what MaxScore's re-adding gives
        for d, x in zip(k.ids.tolist(), k.scores.tolist(), strict=True):
            by_hand[d] = by_hand.get(d, 0.0) + x
    assert dict(zip(dense.ids.tolist(), dense.scores.tolist(), strict=True)) == by_hand
