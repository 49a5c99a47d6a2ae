"""Build → publish → open → search round trips on the seed corpus (lexical arm, no model)."""

from __future__ import annotations

import re

import pytest

from searcher.engine import open_index
from searcher.errors import BadQueryError, IndexNotBuiltError
from searcher.query.filters import parse_filters
from searcher.store.build import build_index
from tests.conftest import CORPUS, PROTOCOL, REPORT


def test_balans_22_top_hits_all_contain_it(lexical_index):
    results = lexical_index.search("Balans-22", mode="lexical", limit=5)
    assert len(results) == 5
    assert all("Balans-22" in r.section.text for r in results)
    assert all(r.section.doc == REPORT for r in results)


@pytest.mark.parametrize("query", ["Balans-22", "balans-22", "Balans22", '"Balans 22"'])
def test_identifier_spellings_find_the_same_sections(lexical_index, query):
    hits = lexical_index.search(query, mode="lexical", limit=50)
    assert hits and all("Balans-22" in r.section.text for r in hits[:5])


def test_dnr_query_finds_its_paragraph_first(lexical_index):
    [first, *_] = lexical_index.search("Dnr 2022-00295", mode="lexical", limit=3)
    assert first.section.paragraph == "259" and first.section.dnr == "2022-00295"


def test_results_carry_whole_section_text_and_metadata(lexical_index):
    [r] = lexical_index.search("Brottsofferjouren", mode="lexical", limit=1)
    d = r.to_dict()
    for key in ("rank", "score", "doc", "section_id", "title", "text", "dnr", "paragraph"):
        assert key in d
    assert d["doc"] == PROTOCOL and d["paragraph"] == "262"
    assert lexical_index.show(d["section_id"]).text == d["text"]


def test_protocol_sections_are_paragraphs_257_to_264_with_dnr(lexical_index):
    sections = lexical_index.sections(PROTOCOL)
    paragraphs = [s for s in sections if s.paragraph]
    assert [s.paragraph for s in paragraphs] == [str(n) for n in range(257, 265)]
    assert all(s.dnr for s in paragraphs)
    for s in sections:
        assert "Ordförandes signatur" not in s.text
        assert "Utdragsbestyrkande" not in s.text


def test_hybrid_on_a_lexical_only_index_says_so(lexical_index):
    response = lexical_index.respond("Balans-22", mode="hybrid", limit=3)
    assert response.mode == "lexical" and any("no embeddings" in n for n in response.notes)
    with pytest.raises(IndexNotBuiltError, match="no embeddings"):
        lexical_index.respond("Balans-22", mode="semantic")


@pytest.mark.parametrize(
    ("query", "kwargs", "message"),
    [
        ("", {}, "empty query"),
        ("   ", {}, "empty query"),
        ("Balans-22", {"mode": "fuzzy"}, "unknown mode 'fuzzy'; choose from hybrid, lexical"),
        ("Balans-22", {"limit": 0}, "limit must be between"),
        ("Balans-22", {"limit": 10**9}, "limit must be between"),
        ("Balans-22", {"filters": {"colour": "red"}}, "unknown filter 'colour'"),
    ],
)
def test_bad_queries_raise_one_clear_error(lexical_index, query, kwargs, message):
    with pytest.raises(BadQueryError, match=re.escape(message)):
        lexical_index.search(query, **({"mode": "lexical"} | kwargs))


def test_filters_apply_before_top_k(lexical_index):
    hits = lexical_index.search("kommunen", mode="lexical", limit=5, filters={"doc": PROTOCOL})
    assert len(hits) == 5 and {r.section.doc for r in hits} == {PROTOCOL}
    assert parse_filters({"year": "2020..2022"}).year_from == 2020
    assert parse_filters({"year": "2020"}).year_to == 2020


def test_missing_index_error_says_what_to_do(tmp_path):
    with pytest.raises(IndexNotBuiltError, match="run `searcher index`"):
        open_index(tmp_path / "nothing")


def test_reindexing_an_unchanged_corpus_does_no_work(tmp_path):
    first = build_index([CORPUS], tmp_path, semantic=False)
    assert sorted(first.indexed) == [PROTOCOL, REPORT]
    second = build_index([CORPUS], tmp_path, semantic=False)
    assert second.indexed == () and sorted(second.unchanged) == [PROTOCOL, REPORT]
    with open_index(tmp_path) as ix:
        assert ix.search("Balans-22", mode="lexical", limit=1)


def test_bad_file_is_skipped_and_the_rest_indexed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / PROTOCOL).write_bytes((CORPUS / PROTOCOL).read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    report = build_index([corpus, tmp_path / "missing.txt"], tmp_path / "ix", semantic=False)
    assert report.indexed == (PROTOCOL,)
    reasons = dict(report.skipped)
    assert set(reasons) == {str(corpus / "empty.txt"), str(corpus / "binary.txt"),
                            str(tmp_path / "missing.txt")}
    with open_index(tmp_path / "ix") as ix:
        assert ix.search("Brottsofferjouren", mode="lexical", limit=1)


def test_type_filter_takes_document_types_and_arende_kinds(lexical_index):
    from searcher.query.filters import parse_filters

    assert parse_filters({"typ": "protokoll"}).terms == (("doc_type", "protokoll"),)
    assert parse_filters({"typ": "Yttrande"}).terms == (("arende", "yttrande"),)
    hits = lexical_index.search("granskning", mode="lexical", filters={"typ": "yttrande"})
    assert hits and all(r.section.arende == "yttrande" for r in hits)


def test_similar_lexical_ranks_the_other_granskning_first(lexical_index):
    response = lexical_index.similar("000_5ef240bb4f3b8a0b/p260", mode="lexical", limit=5)
    ids = [r.section.section_id for r in response.results]
    assert "000_5ef240bb4f3b8a0b/p260" not in ids
    assert ids[0] == "000_5ef240bb4f3b8a0b/p259"


def test_alpha_and_fusion_are_validated(lexical_index):
    with pytest.raises(BadQueryError, match="alpha must be between 0 and 1"):
        lexical_index.respond("Balans-22", alpha=2.0)
    with pytest.raises(BadQueryError, match="unknown fusion 'max'; choose from learned, rrf, convex"):
        lexical_index.respond("Balans-22", fusion="max")


def test_question_mark_is_not_a_wildcard(lexical_index):
    q = lexical_index.lexical.parse("Vem förde anteckningar under mötet?")
    assert "Wildcard" not in repr(q) and "möt" in repr(q)
    assert "Prefix" in repr(lexical_index.lexical.parse("kompetens*"))


def test_the_response_carries_the_query_as_searched_parsed_once(lexical_index):
    """Typos corrected in the parsed query itself: highlighting needs no second parse."""
    from searcher.query.parse import parse_query
    from searcher.tools.highlight import spans

    response = lexical_index.respond("Brottsofferjoruen stöd", mode="lexical", limit=3)
    assert response.parsed is not None
    assert response.parsed.terms == ("brottsofferjouren", "stöd")
    assert response.parsed.filters == {}
    text = response.results[0].section.text
    assert spans(response.parsed, text) == spans(response.corrected_query, text)
    assert spans(response.parsed, text)  # the corrected word is marked in the hit
    untouched = lexical_index.respond('"Balans-22" typ:protokoll', mode="lexical", limit=1)
    assert untouched.parsed == parse_query('"Balans-22" typ:protokoll')


@pytest.mark.parametrize("written", ["2022-00295", "2022-295", "2022/295", "Dnr 2022-00295",
                                     "2022–00295"])
def test_a_dnr_filter_finds_the_case_in_any_written_form(lexical_index, written):
    hits = lexical_index.search("yttrande", mode="lexical", limit=5, filters={"dnr": written})
    assert [h.section.paragraph for h in hits] == ["259"]


@pytest.mark.parametrize(("value", "keys"), [
    ("KS-2024-00123", ("ks/2024/123",)),
    ("KS 2024/123", ("ks/2024/123",)),
    ("Bun/2025:532", ("bun/2025/532",)),
    ("2026.016 KS", ("2026/16/ks",)),
    ("KS 2024/12, KS 2024/13", ("ks/2024/12", "ks/2024/13")),
    ("", ()),
])
def test_dnr_keys_table(value, keys):
    from searcher.chunking.protocol.dnr import dnr_keys

    assert dnr_keys(value) == keys
