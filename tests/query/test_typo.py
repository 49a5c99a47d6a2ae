"""Typo expansion: misspellings find their words, correct words (rare or absent) stay as typed,
and the expanded query finds the eval's typo answers."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.query.typo import (
    Expansion,
    TypoResult,
    correct,
    expand_typos,
    max_distance,
    osa_distance,
)
from tests.conftest import SHARED

# misspelling → best candidate (first), on the seed index
TYPOS = [
    ("Brottsofferjoruen", "brottsofferjouren"),  # transposition, 17 letters: 2 edits allowed
    ("gymnasiesärkolan", "gymnasiesärskolan"),  # a dropped letter
    ("psykoteraputeamet", "psykoterapiteam"),  # found through the stems (3 edits apart)
    ("kommunstyrlesen", "kommunstyrelsen"),
    ("socialjänsten", "socialtjänsten"),
    ("Vidum", "videum"),  # 5 letters: 1 edit
]

# correctly spelled: present (however rare), absent but in the dictionary, or too short
LEFT_ALONE = [
    "psykoterapiteam",  # in one section only
    "SAMSTART",
    "Videum",
    "avvecklades",  # absent, but its stem avveckl- is indexed
    "sjuk",  # absent as a word, present inside sjuklön
    "förde",  # absent, a Swedish word: not "corrected" into för
    "skydd",
    "fick",
    "bil",  # three letters: never corrected
    "Balans-22",  # identifiers are not words to correct
    "kompetens*",
]


@pytest.mark.parametrize(("typo", "best"), TYPOS)
def test_misspellings_are_expanded(lexical_index, typo, best, monkeypatch):
    monkeypatch.setenv("SEARCHER_LANG", "sv")  # the note speaks the interface language
    result = lexical_index.lexical.expand_typos(typo)
    assert [e.word for e in result.expansions] == [typo]
    assert result.expansions[0].candidates[0] == best
    assert result.text_for_lexical.startswith(f"({typo} OR {best}")
    assert result.note.startswith(f"visar resultat för {best}")
    monkeypatch.setenv("SEARCHER_LANG", "en")
    assert result.note.startswith(f"showing results for {best}")


@pytest.mark.parametrize("word", LEFT_ALONE)
def test_correct_words_are_left_alone(lexical_index, word):
    result = lexical_index.lexical.expand_typos(word)
    assert result == TypoResult(word, word, ())
    assert result.note is None


def test_only_the_misspelled_word_of_a_query_is_expanded(lexical_index):
    r = lexical_index.lexical.expand_typos('psykoteraputeamet avvecklades "exakt fras" OR x')
    assert r.text_for_lexical == ('(psykoteraputeamet OR psykoterapiteam) avvecklades '
                                  '"exakt fras" OR x')
    assert r.text_corrected == 'psykoterapiteam avvecklades "exakt fras" OR x'
    assert correct("psykoteraputeamet avvecklades", r.expansions) == \
        "psykoterapiteam avvecklades"


def _typo_queries() -> list[dict]:
    path = SHARED / "eval" / "public.json"
    if not path.is_file():
        return []
    return [q for q in json.loads(path.read_text(encoding="utf-8"))["queries"]
            if q["kind"] == "typo"]


@pytest.mark.skipif(not _typo_queries(), reason="../shared/eval/public.json missing")
@pytest.mark.parametrize("q", _typo_queries(), ids=lambda q: q["id"])
def test_expanded_typo_queries_find_their_text(lexical_index, q):
    lexical = lexical_index.lexical

    def answered(query: str) -> bool:
        """Every relevant anchor of q is in one of the top 3 sections for `query`."""
        hits = lexical.search(query, limit=3)
        texts = [re.sub(r"\s+", " ", lexical_index.store.get(h.section_id).text) for h in hits]
        return all(any(r["anchor"] in t for t in texts) for r in q["relevant"])

    assert not answered(q["query"])
    assert answered(lexical.expand_typos(q["query"]).text_for_lexical)


class FakeVocabulary:
    """A tiny index: exact terms with their section counts; no stems."""

    def __init__(self, terms: dict[str, int]):
        self.terms = terms

    def term_frequency(self, field: str, term: str) -> int:
        return self.terms.get(term, 0) if field == "exact" else 0

    def near_terms(self, field: str, word: str, maxdist: int) -> list[tuple[str, int]]:
        if field != "exact":
            return []
        return [(t, n) for t, n in self.terms.items()
                if t[0] == word[0] and osa_distance(t, word) <= maxdist]

    def surface_for_stem(self, stem: str) -> tuple[str, int] | None:
        return None


def test_rare_unknown_word_is_expanded_only_beside_a_much_more_frequent_one():
    vocab = FakeVocabulary({"nämnden": 40, "nämdnen": 1, "qxzvw": 1, "qxzvv": 3})
    assert expand_typos("nämdnen", vocab).expansions == (Expansion("nämdnen", ("nämnden",)),)
    assert expand_typos("qxzvw", vocab).expansions == ()  # 3 is not 10 × 1


def test_candidates_prefer_fewer_edits_then_more_sections():
    vocab = FakeVocabulary({"kostnad": 5, "kostned": 50, "kostnadd": 2, "kostnxdsk": 99})
    e = expand_typos("kostnxd", vocab).expansions[0]
    assert e.candidates == ("kostned", "kostnad")  # 1 edit each, more sections first


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [("jouren", "joruen", 1), ("kommun", "kommun", 0), ("abc", "", 3), ("ab", "ba", 1),
     ("psykoteraputeamet", "psykoterapiteam", 3)],
)
def test_osa_distance(a, b, d):
    assert osa_distance(a, b) == d == osa_distance(b, a)


def _textbook_osa(a: str, b: str) -> int:
    """The oracle: optimal string alignment by the textbook dynamic programme."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


@settings(max_examples=300, deadline=None)
@given(st.text("abcdåäö-", max_size=9), st.text("abcdåäö-", max_size=9))
def test_osa_distance_equals_the_textbook_programme(a, b):
    assert osa_distance(a, b) == _textbook_osa(a, b)


@pytest.mark.parametrize(("word", "d"), [("bil", 0), ("bilar", 1), ("kommuner", 2), ("ab", 0)])
def test_max_distance_grows_with_length(word, d):
    assert max_distance(word) == d


@pytest.mark.parametrize("query", [
    "What is the strategy for European cooperation?",
    "Which parties left the committee?",
    "How did the municipality handle the sinkhole?",
])
def test_english_queries_are_not_typo_corrected(lexical_index, query):
    result = lexical_index.lexical.expand_typos(query)
    assert result.expansions == () and result.text_for_lexical == query


def test_english_words_are_known_words_even_beside_a_close_swedish_term():
    vocab = FakeVocabulary({"strategier": 40, "europa": 40, "lett": 40})
    for word in ("strategy", "european", "left"):
        assert expand_typos(word, vocab).expansions == ()
