"""The per-query signals the learned fusion weighs the lexical arm by; per-candidate coverage."""

from __future__ import annotations

import math

import pytest

from searcher.ranking.signals import (
    CandidateCoverage,
    candidate_coverage,
    content_words,
    has_identifier,
    idf_coverage,
    query_coverage,
    query_signals,
    query_words,
)


@pytest.mark.parametrize(
    ("query", "identifier"),
    [
        ("Dnr 2022-00295", True),
        ("Balans-22", True),
        ("KS 2023/145", True),
        ("SFS 2001:453", True),
        ("LSO 2003:778", True),
        ("§ 259", True),
        ("covid-19", True),
        ("Hagfors/Råda augusti 2004", True),  # a slashed name is written-form sensitive too
        ("Hur mycket pengar blev över 2020?", False),  # a plain year is not an identifier
        ("tillstånd för servering", False),
        ("KPMG granskning", False),  # an acronym is a plain word to the analyzer
    ],
)
def test_has_identifier_reads_the_analyzers_identifier_tokens(query, identifier):
    assert has_identifier(query) is identifier


@pytest.mark.parametrize(
    ("query", "words"),
    [("Hur mycket pengar blev över 2020?", 2), ("och att det", 0), ("Balans-22", 2), ("", 0)],
)
def test_content_words_skip_swedish_stop_words(query, words):
    assert content_words(query) == words


def test_idf_coverage_extremes_and_monotonicity():
    assert idf_coverage([], 10) == 0.0
    assert idf_coverage([3, 1], 10) == 1.0
    assert idf_coverage([0, 0], 10) == 0.0
    # Missing a rare word costs more than missing nothing; common words carry little mass.
    assert idf_coverage([10, 0], 10) < idf_coverage([1, 0], 10) < 1.0
    assert math.isclose(idf_coverage([5], 10), 1.0)


def test_query_coverage_counts_compound_parts(lexical_index):
    lx = lexical_index.lexical
    assert query_coverage("temperatur mätare", lx) == 1.0  # only inside temperaturmätaren
    assert query_coverage("xyzzyplugh", lx) == 0.0
    assert 0.0 < query_coverage("Brottsofferjouren xyzzyplugh", lx) < 1.0


def test_candidate_coverage_is_the_share_each_section_holds(lexical_index):
    lx = lexical_index.lexical
    [hit] = lx.search("Brottsofferjouren", limit=1)
    [other] = [h for h in lx.search("budget", limit=5) if h.section_id != hit.section_id][:1]
    share = candidate_coverage("Brottsofferjouren xyzzyplugh", lx, [hit.section_id,
                                                                     other.section_id])
    assert 0.0 < share[hit.section_id] < 1.0  # holds the rare word, not the absent one
    assert share[other.section_id] == 0.0
    assert candidate_coverage("Brottsofferjouren", lx, [hit.section_id])[hit.section_id] == 1.0


class WithoutHolders:
    """The lexical index as a backend without term_holders (sections_with_terms only)."""

    def __init__(self, lexical):
        self._lexical = lexical

    def __getattr__(self, name):
        if name == "term_holders":
            raise AttributeError(name)
        return getattr(self._lexical, name)


@pytest.mark.parametrize("query", ["Brottsofferjourens arbete med budget", "Balans-22",
                                   "sjukfrånvaro xyzzyplugh"])
def test_coverage_read_once_asked_in_groups_equals_asked_at_once(lexical_index, query):
    """CandidateCoverage: the query's part read once, candidates asked in two groups (as the
    engine does while the semantic arm runs) give each candidate the share candidate_coverage
    gives it, with or without the backend's term_holders."""
    lx = lexical_index.lexical
    ids = [h.section_id for h in lx.search("budget kommun arbete", limit=30)]
    ids += [h.section_id for h in lx.search(query, limit=10)] + ["no-such/s000"]
    ids = list(dict.fromkeys(ids))
    share = CandidateCoverage(query, lx)
    grouped = {**share(ids[:7]), **share(ids[7:])}
    plain = CandidateCoverage(query, WithoutHolders(lx))(ids)
    assert grouped == plain == candidate_coverage(query, lx, ids)
    assert any(0.0 < v for v in grouped.values())
    words = query_words(query, lx)
    assert CandidateCoverage(query, lx, words=words)(ids) == grouped
    assert query_signals(query, lx, words=words) == query_signals(query, lx)


def test_query_signals_of_an_english_query_naming_a_swedish_body(lexical_index):
    s = query_signals("What did Brottsofferjouren ask for?", lexical_index.lexical)
    assert s.english and not s.identifier and s.words == 5
    assert 0.0 < s.coverage < 1.0
    s = query_signals("Dnr 2022-00295", lexical_index.lexical)
    assert s.identifier and not s.english
