"""A hybrid query runs its semantic arm on a worker thread beside the lexical arm: the results,
the per-candidate coverage and the errors must be those of the arms run one after the other."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import numpy as np
import pytest

from searcher.engine import SearchIndex, open_index
from searcher.errors import BadQueryError, IndexNotBuiltError, ModelSetupError
from searcher.lexical.index import LexicalIndex
from searcher.ranking.signals import candidate_coverage
from searcher.semantic import encoder as encoder_module
from searcher.semantic.vectors import VectorIndex
from searcher.settings import SearchMode
from searcher.store.build import build_index
from tests.conftest import CORPUS
from tests.lexical.test_query_postings import Oracle, TermHoldersOf
from tests.store.test_build import FakeEncoder

QUERIES = ["Balans-22", "Brottsofferjourens arbete", "sjukfrånvaro bland personalen",
           "What did the committee decide about the EU?", "kommunstyrelsen dnr 2022-00295",
           "arbetsmijö"]  # the last one misspelt: the semantic arm searches the corrected text


class QueryEncoder(FakeEncoder):
    """The fake model with a query side; it records which thread encoded each query."""

    threads: list[str] = []

    def encode_query(self, text: str) -> np.ndarray:
        QueryEncoder.threads.append(threading.current_thread().name)
        return self.encode_passages([self.prompts["query"] + text])[0]

    def clear_cache(self) -> None:
        pass


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setattr(encoder_module, "Encoder", QueryEncoder)
    path = tmp_path_factory.mktemp("hybrid-arms") / "index"
    build_index([CORPUS], path, semantic=True, model="fake")
    yield path
    mp.undo()


@pytest.fixture
def index(index_dir, monkeypatch):
    monkeypatch.setattr(encoder_module, "Encoder", QueryEncoder)
    ix = open_index(index_dir)
    yield ix
    ix.close()


def in_turn(self, fn, *args) -> Future:
    """SearchIndex._beside without the thread: the arm runs at once, on the caller's thread."""
    done: Future = Future()
    try:
        done.set_result(fn(*args))
    except BaseException as e:
        done.set_exception(e)
    return done


def answers(ix, query):
    r = ix.respond(query, mode="hybrid", limit=10)
    return r.mode, r.notes, r.total, [
        (x.section.section_id, x.score, x.lexical_rank, x.semantic_rank, x.features)
        for x in r.results]


def test_hybrid_answers_as_with_the_arms_in_turn(index, monkeypatch):
    QueryEncoder.threads = []
    beside = [answers(index, q) for q in QUERIES]
    assert QueryEncoder.threads and all(t.startswith("searcher-semantic")
                                        for t in QueryEncoder.threads)
    monkeypatch.setattr(SearchIndex, "_beside", in_turn)
    assert [answers(index, q) for q in QUERIES] == beside
    assert all(mode == "hybrid" and results for mode, _, _, results in beside)


def test_hybrid_answers_as_with_each_lexical_read_on_its_own(index, monkeypatch):
    """The count, the semantic finds' BM25F and the coverage come from postings the query's
    top-k already read; the same answers, floats included, as when each read its own (whoosh
    for the count and the term holders, a fresh scorer's top-k over them for the scores)."""
    shared = [answers(index, q) for q in QUERIES]
    own = Oracle(index.lexical)
    monkeypatch.setattr(LexicalIndex, "count", lambda self, q, filters=None: own.count(q, filters))
    monkeypatch.setattr(LexicalIndex, "scores_of", lambda self, q, ids: own.scores_of(q, list(ids)))
    monkeypatch.setattr(LexicalIndex, "term_holders",
                        lambda self, terms: TermHoldersOf(self, own.holders(terms)))
    assert [answers(index, q) for q in QUERIES] == shared


@pytest.mark.parametrize("query", QUERIES)
def test_every_candidate_has_the_coverage_of_the_whole_union(index, query):
    """Coverage is read for the lexical candidates while the semantic arm runs, for the rest
    after it: each candidate's share must equal candidate_coverage over the whole union."""
    c = index.candidates(query, mode=SearchMode.hybrid, filters=None, fetch=50)
    ids = [u.section_id for u in c.union]
    assert c.semantic and ids
    whole = candidate_coverage(c.signal_query, index.lexical, ids)
    assert {u.section_id: u.coverage for u in c.union} == whole


def test_an_error_in_the_semantic_arm_reaches_the_caller(index, monkeypatch):
    def damaged(self, *a, **k):
        raise IndexNotBuiltError("vectors damaged")

    monkeypatch.setattr(VectorIndex, "search", damaged)
    with pytest.raises(IndexNotBuiltError, match="vectors damaged"):
        index.search("Brottsofferjourens arbete", mode="hybrid")


def test_a_model_that_cannot_load_leaves_the_words_answering(index, monkeypatch):
    def missing(self, query):
        raise ModelSetupError("no model here")

    monkeypatch.setattr(SearchIndex, "query_vector", missing)
    r = index.respond("Brottsofferjourens arbete", mode="hybrid")
    assert r.mode == "lexical" and r.results
    assert any("no model here" in n for n in r.notes)


def test_the_lexical_arms_error_wins_when_both_fail(index, monkeypatch):
    def bad(self, *a, **k):
        raise BadQueryError("lexical arm failed")

    def damaged(self, *a, **k):
        raise IndexNotBuiltError("vectors damaged")

    monkeypatch.setattr(type(index.lexical), "search", bad)
    monkeypatch.setattr(VectorIndex, "search", damaged)
    with pytest.raises(BadQueryError, match="lexical arm failed"):
        index.search("Brottsofferjourens arbete", mode="hybrid")
    monkeypatch.undo()
    assert index.search("Brottsofferjourens arbete", mode="hybrid")  # the handle still works
