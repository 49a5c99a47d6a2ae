"""The per-query signals that weight the lexical arm in hybrid fusion."""

from __future__ import annotations

import math

import pytest

from searcher.ranking.signals import (
    IDENTIFIER_BOOST,
    has_identifier,
    idf_coverage,
    lexical_weight,
    looks_english,
    query_coverage,
)


@pytest.mark.parametrize(
    ("query", "english"),
    [
        ("How many complaints did the committee receive in 2020?", True),
        ("Does the municipality support the EU proposal for a European health data space?", True),
        ("Hur mycket pengar blev över jämfört med budgeten?", False),
        ("Signs of Safety", False),  # one English function word: a name, not an English query
        ("Balans-22", False),
        ("vad är det som gäller för the rest", False),
    ],
)
def test_looks_english(query, english):
    assert looks_english(query) is english


@pytest.mark.parametrize(
    ("query", "identifier"),
    [
        ("Dnr 2022-00295", True),
        ("Balans-22", True),
        ("KS 2023/145", True),
        ("SFS 2001:453", True),
        ("KPMG", True),
        ("SAMSTART", True),
        ('"Signs of Safety"', True),
        ("§ 259", True),
        ("Hur mycket pengar blev över 2020?", False),  # a plain year is not an identifier
        ("tillstånd för servering", False),
        ("Eu-kommissionen", False),
    ],
)
def test_has_identifier(query, identifier):
    assert has_identifier(query) is identifier


def test_idf_coverage_extremes_and_monotonicity():
    assert idf_coverage([], 10) == 0.0
    assert idf_coverage([3, 1], 10) == 1.0
    assert idf_coverage([0, 0], 10) == 0.0
    # Missing a rare word costs more than missing nothing; common words carry little mass.
    assert idf_coverage([10, 0], 10) < idf_coverage([1, 0], 10) < 1.0
    assert math.isclose(idf_coverage([5], 10), 1.0)


def test_lexical_weight_rules():
    assert lexical_weight(0.6, english=False, identifier=False) == 0.6
    assert lexical_weight(0.6, english=True, identifier=False) == 0.0
    assert lexical_weight(1.0, english=False, identifier=True) == IDENTIFIER_BOOST
    # An English query naming an identifier keeps its lexical arm.
    assert lexical_weight(1.0, english=True, identifier=True) == IDENTIFIER_BOOST


def test_query_coverage_counts_compound_parts(lexical_index):
    lx = lexical_index.lexical
    assert query_coverage("temperatur mätare", lx) == 1.0  # only inside temperaturmätaren
    assert query_coverage("xyzzyplugh", lx) == 0.0
    assert 0.0 < query_coverage("Brottsofferjouren xyzzyplugh", lx) < 1.0
