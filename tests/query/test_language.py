"""Query language from dictionaries (the Swedish lexicon we ship, an English frequency list)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.query.language import Language, evidence, is_english_word, query_language


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("How many complaints did the committee receive in 2020?", Language.english),
        ("What did Brottsofferjouren ask for?", Language.english),  # a Swedish name inside
        ("Which company plans to start battery production in the old paper mill?",
         Language.english),
        ("staff sickness absence rate", Language.english),  # no function words at all
        ("Hur mycket pengar blev över jämfört med budgeten?", Language.swedish),
        ("vad är det som gäller för the rest", Language.swedish),
        ("tillstånd för servering", Language.swedish),
        ("Balans-22", Language.swedish),  # no evidence: the corpus language
        ("KPMG", Language.swedish),
        ("plan budget program", Language.swedish),  # words both languages have: no evidence
        ("", Language.swedish),
    ],
)
def test_query_language(query, language):
    assert query_language(query) == language


def test_evidence_counts_words_only_one_dictionary_knows():
    e = evidence("What did Brottsofferjouren ask for?")
    assert (e.english_only, e.swedish_only) == (2, 1)  # what, did | brottsofferjouren
    assert evidence("kommunen budget").swedish_only == 1


@pytest.mark.parametrize(("word", "known"), [("strategy", True), ("European", True),
                                             ("left", True), ("kommunstyrelsen", False),
                                             ("och", False), ("brottsofferjoruen", False)])
def test_english_word_list(word, known):
    assert is_english_word(word) is known


def test_the_cached_english_list_is_the_packages(tmp_path, monkeypatch):
    """The derived file in the cache holds exactly the words read from pyspellchecker (the
    oracle), is written once, and a read-only cache still answers from the package."""
    from searcher.query import language

    monkeypatch.setenv("SEARCHER_CACHE_DIR", str(tmp_path / "cache"))
    language.english_words.cache_clear()
    try:
        oracle = language.english_words_from_package()
        assert language.english_words() == oracle  # made now
        path = language.english_cache_file()
        assert path.is_file() and str(language.ENGLISH_MIN_COUNT) in path.name
        made = path.stat().st_mtime_ns
        language.english_words.cache_clear()
        assert language.english_words() == oracle and path.stat().st_mtime_ns == made  # read
        assert not list(path.parent.glob(".tmp-*"))

        blocked = tmp_path / "file-not-dir"
        blocked.write_text("")
        monkeypatch.setenv("SEARCHER_CACHE_DIR", str(blocked))
        language.english_words.cache_clear()
        assert language.english_words() == oracle
    finally:
        language.english_words.cache_clear()


_WORDS = ["what", "did", "the", "kommunen", "budget", "plan", "och", "för", "KPMG", "FiU",
          "strategy", "European", "sjukfrånvaro", "under", "left", "Balans", "x", "2018/19:1"]


@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=8)), max_size=8))
@settings(max_examples=300, deadline=None)
def test_query_language_decides_as_the_full_evidence(words):
    """The shortcut (no English word: Swedish, the Swedish lexicon not asked) is the oracle's
    decision: the language from counting every word in both dictionaries."""
    query = " ".join(words)
    assert query_language(query) == evidence(query).language
