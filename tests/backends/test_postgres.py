"""The engine's behaviour on both backends: the same seed corpus, the same answers and records.

Every test here runs against the embedded index and against a real PostgreSQL built from the
same files; where the backends must agree exactly (sections, documents, BM25 scores of plain
queries, filters, mentions) the PostgreSQL results are compared with the embedded ones.
"""

from __future__ import annotations

import re

import pytest

from searcher.errors import BadQueryError, IndexNotBuiltError
from searcher.query.filters import parse_filters
from searcher.tools.mentions import find_mentions, totals
from tests.conftest import PROTOCOL, REPORT


def test_balans_22_top_hits_all_contain_it(any_lexical_index):
    results = any_lexical_index.search("Balans-22", mode="lexical", limit=5)
    assert len(results) == 5
    assert all("Balans-22" in r.section.text for r in results)
    assert all(r.section.doc == REPORT for r in results)


@pytest.mark.parametrize("query", ["Balans-22", "balans-22", "Balans22", '"Balans 22"'])
def test_identifier_spellings_find_the_same_sections(any_lexical_index, query):
    hits = any_lexical_index.search(query, mode="lexical", limit=50)
    assert hits and all("Balans-22" in r.section.text for r in hits[:5])


def test_dnr_query_finds_its_paragraph_first(any_lexical_index):
    [first, *_] = any_lexical_index.search("Dnr 2022-00295", mode="lexical", limit=3)
    assert first.section.paragraph == "259" and first.section.dnr == "2022-00295"


def test_results_carry_whole_section_text_and_metadata(any_lexical_index):
    [r] = any_lexical_index.search("Brottsofferjouren", mode="lexical", limit=1)
    d = r.to_dict()
    for key in ("rank", "score", "doc", "section_id", "title", "text", "dnr", "paragraph"):
        assert key in d
    assert d["doc"] == PROTOCOL and d["paragraph"] == "262"
    assert any_lexical_index.show(d["section_id"]).text == d["text"]


def test_protocol_sections_are_paragraphs_257_to_264(any_lexical_index):
    paragraphs = [s.paragraph for s in any_lexical_index.sections(PROTOCOL) if s.paragraph]
    assert paragraphs == [str(n) for n in range(257, 265)]
    assert any_lexical_index.sections("000_5ef240bb4f3b8a0b") == \
        any_lexical_index.sections(PROTOCOL)  # a stem names its document too


def test_filters_apply_before_top_k(any_lexical_index):
    hits = any_lexical_index.search("kommunen", mode="lexical", limit=5, filters={"doc": PROTOCOL})
    assert len(hits) == 5 and {r.section.doc for r in hits} == {PROTOCOL}
    yttranden = any_lexical_index.search("granskning", mode="lexical",
                                         filters={"typ": "yttrande"})
    assert yttranden and all(r.section.arende == "yttrande" for r in yttranden)
    in_2020 = any_lexical_index.search("kommunen", mode="lexical", limit=50,
                                       filters={"kommun": "Växjö", "year": "2020"})
    assert in_2020 and all(r.section.date.startswith("2020") for r in in_2020)
    assert not any_lexical_index.search("kommunen", mode="lexical", filters={"year": "1999"})


def test_similar_lexical_ranks_the_other_granskning_first(any_lexical_index):
    response = any_lexical_index.similar("000_5ef240bb4f3b8a0b/p260", mode="lexical", limit=5)
    ids = [r.section.section_id for r in response.results]
    assert "000_5ef240bb4f3b8a0b/p260" not in ids and ids[0] == "000_5ef240bb4f3b8a0b/p259"


def test_hybrid_on_a_lexical_only_index_says_so(any_lexical_index):
    response = any_lexical_index.respond("Balans-22", mode="hybrid", limit=3)
    assert response.mode == "lexical" and any("no embeddings" in n for n in response.notes)
    with pytest.raises(IndexNotBuiltError, match="no embeddings"):
        any_lexical_index.respond("Balans-22", mode="semantic")


@pytest.mark.parametrize(("query", "message"), [("", "empty query"),
                                                ("Balans-22 ^^^ [", "")])
def test_bad_queries_raise_one_clear_error(any_lexical_index, query, message):
    if not message:  # whoosh repairs most syntax; it must not raise anything else
        any_lexical_index.search(query, mode="lexical")
        return
    with pytest.raises(BadQueryError, match=re.escape(message)):
        any_lexical_index.search(query, mode="lexical")


# -- exact agreement with the embedded backend ---------------------------------------------------
PLAIN_QUERIES = ["Balans-22", "Dnr 2022-00295", '"Balans 22"', "SAMSTART", "Brottsofferjouren",
                 "läkemedelsroboten inom socialpsykiatri", "tillstånd för servering",
                 "placering AND NOT barn", "placering ANDNOT barn", "granskning AND revisorerna",
                 "Monica Skagne"]


@pytest.mark.parametrize("query", PLAIN_QUERIES)
def test_bm25f_scores_equal_whooshs(lexical_index, pg_lexical_index, query):
    want = lexical_index.lexical.search(query, limit=20)
    got = pg_lexical_index.lexical.search(query, limit=20)
    assert [h.section_id for h in got] == [h.section_id for h in want]
    assert [h.score for h in got] == pytest.approx([h.score for h in want], rel=1e-6)


def test_stores_hold_the_same_sections_and_documents(lexical_index, pg_lexical_index):
    assert list(pg_lexical_index.store.iter_sections()) == list(lexical_index.store.iter_sections())
    strip = ("path",)  # paths are as given on each build's command line
    assert [{k: v for k, v in d.items() if k not in strip} for d in pg_lexical_index.documents()] \
        == [{k: v for k, v in d.items() if k not in strip} for d in lexical_index.documents()]
    for doc in (PROTOCOL, REPORT):
        assert pg_lexical_index.store.toc_of(doc) == lexical_index.store.toc_of(doc)
    assert pg_lexical_index.store.section_count() == lexical_index.store.section_count()
    assert pg_lexical_index.store.has_doc(PROTOCOL) and not pg_lexical_index.store.has_doc("x")


@pytest.mark.parametrize("filters", [{"kommun": "Växjö"}, {"year": "2022"}, {"year": "2019..2020"},
                                     {"typ": "protokoll"}, {"dnr": "2022-00295"},
                                     {"organ": "Kommunstyrelsens arbetsutskott"}])
def test_filters_select_the_same_sections(lexical_index, pg_lexical_index, filters):
    flt = parse_filters(filters)
    want = lexical_index.lexical.matching_ids(flt)
    assert want and set(pg_lexical_index.lexical.matching_ids(flt)) == want
    a = lexical_index.lexical.search("kommunen", limit=200, filters=flt)
    b = pg_lexical_index.lexical.search("kommunen", limit=200, filters=flt)
    assert {h.section_id for h in b} == {h.section_id for h in a} <= want


def test_signals_see_the_same_statistics(lexical_index, pg_lexical_index):
    terms = [("text", "kommun"), ("parts", "plan"), ("title", "saknas-helt")]
    assert pg_lexical_index.lexical.doc_frequencies(terms) == \
        lexical_index.lexical.doc_frequencies(terms)
    assert pg_lexical_index.lexical.doc_count() == lexical_index.lexical.doc_count()
    q = "läkemedelsroboten Balans-22 \"justering utan\""
    assert pg_lexical_index.lexical.query_terms(q) == lexical_index.lexical.query_terms(q)


@pytest.mark.parametrize("term", ["Balans-22", "yttrande", "KPMG", "Dnr 2022-00295"])
def test_mentions_count_the_same(lexical_index, pg_lexical_index, term):
    want = totals(find_mentions(lexical_index, term, forms="inflected"))
    assert totals(find_mentions(pg_lexical_index, term, forms="inflected")) == want


def test_typo_lookups_agree(lexical_index, pg_lexical_index):
    for field, word in (("exact", "brottsofferjoruen"), ("text", "psykoteraputeam")):
        assert pg_lexical_index.lexical.near_terms(field, word, 2) == \
            lexical_index.lexical.near_terms(field, word, 2)
    assert pg_lexical_index.lexical.surface_for_stem("placering") == \
        lexical_index.lexical.surface_for_stem("placering")
    response = pg_lexical_index.respond("Brottsofferjoruen", mode="lexical", limit=3)
    assert response.results and response.results[0].section.paragraph == "262"


# -- with the real model (slow) ------------------------------------------------------------------
@pytest.mark.slow
def test_hybrid_balans_22_and_dnr(any_full_index):
    results = any_full_index.search("Balans-22", mode="hybrid", limit=5)
    assert all("Balans-22" in r.section.text for r in results[:3])
    [first, *_] = any_full_index.search("Dnr 2022-00295", mode="hybrid", limit=3)
    assert first.section.paragraph == "259"


@pytest.mark.slow
@pytest.mark.parametrize("query", ["Hur många som söker socialbidrag gör det via webben?",
                                   "staff sickness absence rate", "Balans-22"])
def test_semantic_arm_matches_the_embedded_one(full_index, pg_full_index, query):
    want = full_index.search(query, mode="semantic", limit=10)
    got = pg_full_index.search(query, mode="semantic", limit=10)
    assert [r.section.section_id for r in got][:5] == [r.section.section_id for r in want][:5]
    # halfvec storage: cosines agree to about three decimals
    assert [r.score for r in got] == pytest.approx([r.score for r in want], abs=2e-3)


@pytest.mark.slow
def test_similar_hybrid_and_filtered_semantic(any_full_index):
    response = any_full_index.similar("000_5ef240bb4f3b8a0b/p260", limit=5)
    assert response.results and response.results[0].section.section_id != \
        "000_5ef240bb4f3b8a0b/p260"
    hits = any_full_index.search("ekonomiskt resultat", mode="semantic", limit=5,
                                 filters={"doc": PROTOCOL})
    assert len(hits) == 5 and {r.section.doc for r in hits} == {PROTOCOL}
