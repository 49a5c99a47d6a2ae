"""Query language from dictionaries (the Swedish lexicon we ship, an English frequency list)."""

from __future__ import annotations

import pytest

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
