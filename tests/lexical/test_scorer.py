"""The numpy BM25F scorer against its oracle, whoosh's own matchers, on real indexes.

whoosh is run as a static oracle: matcher replacement off (`replace = 0`) and ORs as binary
trees of union matchers. With replacement on, whoosh's coordination recounts a query's terms as
their postings run out (see test_whoosh_coordination_drifts_where_ours_does_not); in an index of
at most 5,000 documents whoosh may unite an OR's postings in an array, after which it cannot
tell which of them matched a document, and the coordination count of an enclosing OR is off.
Those are the places the two differ on purpose.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import UnlimitedCollector
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import OrGroup, QueryParser

from searcher.lexical.index import LexicalIndex, Scoring
from searcher.lexical.schema import BM25_B, BM25_K1
from searcher.lexical.scorer import Unsupported, VectorScorer, sorted_unique
from searcher.lexical.tree import from_whoosh
from searcher.query.filters import Filters
from searcher.store import layout

QUERIES = [
    "Balans-22",
    "kommunen",
    "serveringstillstånd i kommunen",
    "brottsofferjouren",
    "Dnr 2022-00295",
    "yttrande över granskning av näringslivsarbetet",
    '"ekonomiskt bistånd" kostnader',
    '"kommunstyrelsens arbetsutskott"',
    '"Växjö kommun" budget',
    "psykoterapeutiskt team avvecklades",
    "Vem förde anteckningar under mötet?",
    "Does the municipality support the EU proposal for a European health data space?",
    "skola AND NOT barn",
    "kommunen NOT Växjö",
    "(kommun OR region) AND budget",
    "NOT kommunen",
    "budget OR NOT kommunen",
    "budget ANDMAYBE kommunen",
    "budget ANDNOT kommunen",
    "budget REQUIRE kommunen",
    "ordet-finns-inte någonstans",
]


def _oracle(searcher, q) -> dict[int, float]:
    collector = UnlimitedCollector()
    collector.replace = 0  # no matcher replacement: whoosh's static scores
    saved = wq.Or.matcher_type
    wq.Or.matcher_type = wq.Or.DEFAULT_MATCHER  # union trees, which know what matched
    try:
        searcher.search_with_collector(q, collector)
    finally:
        wq.Or.matcher_type = saved
    return {hit.docnum: hit.score for hit in collector.results()}


def _ours(scorer: VectorScorer, q, limit: int = 10**9) -> dict[int, float]:
    ids, scores = scorer.top(from_whoosh(q), limit)
    return dict(zip(ids.tolist(), scores.tolist(), strict=True))


def _assert_same(ref: dict[int, float], got: dict[int, float], what: str) -> None:
    assert ref.keys() == got.keys(), what
    for doc, score in ref.items():
        assert got[doc] == pytest.approx(score, rel=1e-9, abs=1e-12), (what, doc)


@pytest.fixture(scope="module")
def seed_lexical_path(lexical_index_dir):
    generation, _ = layout.require_current(lexical_index_dir)
    return generation / "lexical"


@pytest.fixture(scope="module")
def seed_lexical(seed_lexical_path):
    lx = LexicalIndex(seed_lexical_path)
    yield lx
    lx.close()


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_whooshs_on_the_seed_index(seed_lexical, query):
    q = seed_lexical.parse(query)
    with seed_lexical._reading() as s:
        scorer = VectorScorer(s, B=BM25_B, K1=BM25_K1)
        ref = _oracle(s, q)
        _assert_same(ref, _ours(scorer, q), query)
        if query != "ordet-finns-inte någonstans":
            assert ref, f"{query!r} should match something in the seed corpus"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_queries_score_as_whoosh_does(seed_lexical, data):
    """Queries drawn from the index's own words with operators, phrases and grouping."""
    with seed_lexical._reading() as s:
        words = _vocabulary(s)
        n = data.draw(st.integers(1, 6))
        parts = []
        for _ in range(n):
            kind = data.draw(st.sampled_from(["word", "word", "word", "phrase", "not", "group"]))
            w = data.draw(st.sampled_from(words))
            if kind == "phrase":
                parts.append(f'"{w} {data.draw(st.sampled_from(words))}"')
            elif kind == "not":
                parts.append(f"NOT {w}")
            elif kind == "group":
                op = data.draw(st.sampled_from(["AND", "OR"]))
                parts.append(f"({w} {op} {data.draw(st.sampled_from(words))})")
            else:
                parts.append(w)
        query = " ".join(parts)
        q = seed_lexical.parse(query)
        _assert_same(_oracle(s, q), _ours(VectorScorer(s, B=BM25_B, K1=BM25_K1), q), query)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_pruning_keeps_the_exact_top_k(seed_lexical, data):
    """MaxScore (the default) against the same scorer evaluating every posting: the same top
    `limit` documents with the same scores, ties at the cut included."""
    with seed_lexical._reading() as s:
        words = _vocabulary(s)[:60] + ["kommunen", "budget", "Växjö", "nämnden", "barn"]
        query = " ".join(data.draw(st.lists(st.sampled_from(words), min_size=2, max_size=8)))
        limit = data.draw(st.sampled_from([1, 2, 3, 5, 10]))
        tree = from_whoosh(seed_lexical.parse(query))
        pruned = VectorScorer(s, B=BM25_B, K1=BM25_K1).top(tree, limit)
        full = VectorScorer(s, B=BM25_B, K1=BM25_K1, prune=False).top(tree, limit)
    got = dict(zip(pruned[0].tolist(), pruned[1].tolist(), strict=True))
    ref = dict(zip(full[0].tolist(), full[1].tolist(), strict=True))
    _assert_same(ref, got, f"{query} (limit {limit})")


def test_term_bounds_are_never_below_a_real_score(seed_lexical):
    """MaxScore is exact only if no posting scores above its term's bound (whoosh's stored
    max weight and min length, one-byte quantised)."""
    with seed_lexical._reading() as s:
        scorer = VectorScorer(s, B=BM25_B, K1=BM25_K1)
        seg = scorer.segments[0]
        for field in ("title", "text", "parts"):
            terms = list(s.reader().lexicon(field))
            for btext in random.Random(3).sample(terms, min(300, len(terms))):
                leaf = from_whoosh(wq.Term(field, btext.decode()))
                got = scorer._leaf(leaf, seg, {(field, btext)}, None).scores
                bound = scorer._bound(leaf, seg, {(field, btext)})
                assert got.max() <= bound, (field, btext)


def test_pruning_happens_on_a_long_query(seed_lexical):
    tree = from_whoosh(seed_lexical.parse("Brottsofferjouren stöd kommunen nämnden budget barn"))
    with seed_lexical._reading() as s:
        scorer = VectorScorer(s, B=BM25_B, K1=BM25_K1)
        scorer.top(tree, 3)
    assert scorer.restricted > 0


_WORDS: list[str] = []


def _vocabulary(searcher) -> list[str]:
    """Common and rare written forms from the seed index (the `exact` field), fixed order."""
    if not _WORDS:
        terms = sorted(t.decode() for t in searcher.reader().lexicon("exact"))
        words = [t for t in terms if t.isalpha() and len(t) > 2]
        _WORDS.extend(random.Random(7).sample(words, 300))
    return _WORDS


def test_top_k_keeps_the_best_and_every_tie_at_the_cut(seed_lexical):
    q = seed_lexical.parse("kommunen budget")
    with seed_lexical._reading() as s:
        scorer = VectorScorer(s, B=BM25_B, K1=BM25_K1)
        everything = _ours(scorer, q)
        top = _ours(scorer, q, limit=5)
    best = sorted(everything.values(), reverse=True)
    assert sorted(top.values(), reverse=True)[:5] == best[:5]
    assert all(everything[d] == x for d, x in top.items())
    assert len(top) == 5 + sum(1 for x in best[5:] if x == best[4])


def test_search_breaks_ties_by_section_id_and_honours_filters(seed_lexical, seed_lexical_path):
    hits = seed_lexical.search("kommunen", limit=50)
    assert hits == sorted(hits, key=lambda h: (-h.score, h.section_id))
    protocol = "000_5ef240bb4f3b8a0b.txt"
    only = seed_lexical.search("kommunen", limit=50, filters=Filters((("doc", protocol),)))
    assert only and all(h.section_id.startswith("000_5ef240bb4f3b8a0b/") for h in only)
    whoosh = LexicalIndex(seed_lexical_path, scorer=Scoring.whoosh)
    try:  # one term: no coordination, so whoosh's default search agrees exactly
        ref = whoosh.search("kommunen", limit=50, filters=Filters((("doc", protocol),)))
    finally:
        whoosh.close()
    assert [h.section_id for h in only] == [h.section_id for h in ref]
    assert [h.score for h in only] == pytest.approx([h.score for h in ref], rel=1e-9)


def test_prefix_queries_are_left_to_whoosh(seed_lexical):
    q = seed_lexical.parse("kompetens*")
    with seed_lexical._reading() as s, pytest.raises(Unsupported):
        VectorScorer(s, B=BM25_B, K1=BM25_K1).top(from_whoosh(q), 10)
    assert seed_lexical.search("kompetens*", limit=5)  # answered by whoosh


# -- several segments and deletions -------------------------------------------------------------
def _schema() -> Schema:
    from searcher.analysis import swedish_analyzer

    return Schema(key=ID(stored=True, unique=True), text=TEXT(analyzer=swedish_analyzer()))


DOCS = [f"kommunen {w} budget {'skola ' * (i % 4)}barn {i}" for i, w in
        enumerate(["växjö", "malmö", "lund", "umeå", "luleå", "kalmar", "borås", "ystad"] * 6)]


def test_segments_and_deletions_score_as_whoosh_does(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), _schema())
    for chunk in (DOCS[:20], DOCS[20:35], DOCS[35:]):  # three commits: three segments
        with ix.writer(merge=False) as w:
            for text in chunk:
                w.add_document(key=f"{text}", text=text)
    with ix.writer(merge=False) as w:
        w.delete_by_term("key", DOCS[3])
        w.delete_by_term("key", DOCS[27])
    parser = QueryParser("text", ix.schema, group=OrGroup.factory(0.9))
    with ix.searcher() as s:
        assert len(s.leaf_searchers()) == 3 and s.reader().has_deletions()
        scorer = VectorScorer(s, B=BM25_B, K1=BM25_K1)
        for query in ["kommunen", "skola barn", "budget växjö skola", "NOT skola",
                      '"budget skola"', "lund OR malmö"]:
            q = parser.parse(query)
            _assert_same(_oracle(s, q), _ours(scorer, q), query)


def test_whoosh_coordination_drifts_where_ours_does_not():
    """whoosh recounts a query's terms when one runs out (CoordMatcher after replace(), tried
    every 10 matches), so the last documents here, holding one of two terms, score 0.0 in
    whoosh's default search; in ours what the first document, with the same text, scores."""
    ix = RamStorage().create_index(_schema())
    with ix.writer() as w:
        w.add_document(key="first", text="kommunen")
        for i in range(30):
            w.add_document(key=f"mid{i}", text="kommunen budget")
        for i in range(15):
            w.add_document(key=f"tail{i}", text="kommunen")
    q = QueryParser("text", ix.schema, group=OrGroup.factory(0.9)).parse("kommunen budget")
    with ix.searcher() as s:
        default = {s.stored_fields(h.docnum)["key"]: h.score for h in s.search(q, limit=None)}
        ours = {s.stored_fields(d)["key"]: x
                for d, x in _ours(VectorScorer(s, B=BM25_B, K1=BM25_K1), q).items()}
    assert ours["tail14"] == pytest.approx(ours["first"]) and ours["first"] > 0
    assert default["first"] == pytest.approx(ours["first"])
    assert default["tail14"] == 0.0


def test_arrays_are_plain_numpy(seed_lexical):
    q = seed_lexical.parse("kommunen")
    with seed_lexical._reading() as s:
        ids, scores = VectorScorer(s, B=BM25_B, K1=BM25_K1).top(from_whoosh(q), 3)
    assert isinstance(ids, np.ndarray) and ids.dtype == np.int64 and scores.dtype == np.float64


@given(st.lists(st.integers(-2**40, 2**40), max_size=60))
def test_sorted_unique_is_numpys_unique(values):
    """The oracle: np.unique (which the scorer avoids, as it imports numpy.ma on first use)."""
    a = np.asarray(values, dtype=np.int64)
    got = sorted_unique(a)
    assert got.dtype == a.dtype and np.array_equal(got, np.unique(a))
