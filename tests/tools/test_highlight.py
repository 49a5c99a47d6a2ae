"""Highlighting marks inflections and compound parts, not only the literal query string."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.tools.highlight import merge, spans

# (query, text, the marked substrings in order)
TABLE = [
    ("yttrande", "Kommunen lämnar yttrandet. Yttrandena och yttrandets text. Yttra sig.",
     ["yttrandet", "Yttrandena", "yttrandets"]),  # not the verb yttra
    ("placering", "Placeringskostnaderna steg, men placeringen tappade.",
     ["Placering", "placeringen"]),  # the part inside the compound, without its linking s
    ("serveringstillstånd", "Tillstånd för servering; serveringstillstånden.",
     ["Tillstånd", "servering", "serveringstillstånden"]),  # a compound query's parts too
    ("tillstånd för servering", "Två serveringstillstånd.", ["servering", "tillstånd"]),
    ("temperatur mätare", "Temperaturmätaren visade fel.", ["Temperaturmätaren"]),
    ("jour", "Brottsofferjourens arbete", ["jourens"]),
    ("Balans-22", "enligt *Balans-22, inte balans 22 eller Balans-220.", ["Balans-22"]),
    ("kompetens* NOT rapport", "Kompetensförsörjning, kompetent personal, rapporten.",
     ["Kompetensförsörjning"]),  # negated words are not marked
    ("KPMG", "KPMG:s rapport och KPMGs granskning", ["KPMG:s", "KPMGs"]),
    ("Dnr 2022-00295", "§ 259 Dnr 2022-00295", ["Dnr", "2022-00295"]),
    ("vad kostar det", "Det kostar mycket", ["kostar"]),  # stop words are not marked
    ('"unbalanced', "an unbalanced text", ["unbalanced"]),  # a bad query still highlights
    ("yttrande typ:protokoll", "yttrande", ["yttrande"]),  # filters are not words
]


@pytest.mark.parametrize(("query", "text", "marked"), TABLE)
def test_spans_table(query, text, marked):
    assert [text[a:b] for a, b in spans(query, text)] == marked


def test_merge_joins_overlaps_and_touching_spans():
    assert merge([(5, 8), (0, 2), (2, 3), (6, 10), (12, 12)]) == [(0, 3), (5, 10)]


@settings(max_examples=200, deadline=None)
@given(query=st.text(max_size=20), text=st.text(max_size=80))
def test_spans_are_sorted_disjoint_and_inside_the_text(query, text):
    out = spans(query, text)
    assert all(0 <= a < b <= len(text) for a, b in out)
    assert all(b < c for (_, b), (c, _) in zip(out, out[1:], strict=False))


def test_a_parsed_query_marks_what_its_string_marks():
    from searcher.query.parse import parse_query

    text = "Yttrandet om placeringskostnaderna och Balans-22 lämnades."
    for query in ("yttrande placering", '"Balans-22" OR kostnad*', "placering typ:protokoll"):
        assert spans(parse_query(query), text) == spans(query, text)
