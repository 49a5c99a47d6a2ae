"""searcher.ingest.literals: never says a word cannot occur where a case-insensitive regex
finds one."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.chunking.clean.furniture import (
    E_SIGNATURE,
    E_SIGNATURE_WORDS,
    SIGNATURE_MARK,
    SIGNATURE_MARK_WORDS,
)
from searcher.ingest.metadata import ORGAN, ORGAN_WORDS
from searcher.ingest.literals import FOLDED_ELSEWHERE, LETTERS, Literals


def test_lower_folds_every_character_ignorecase_matches_with_a_letter_but_a_known_few():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    candidates = set(re.findall(f"[{''.join(sorted(LETTERS))}]", every, re.I))
    elsewhere = {x for x in candidates for c in LETTERS
                 if re.fullmatch(c, x, re.I) and x.lower() != c}
    assert elsewhere == set(FOLDED_ELSEWHERE)


@pytest.mark.parametrize("text", ["Ordförandes SIGNATUR", "ſign", "Juſterandes",
                                  "UTDRAGSBESTYRKT", "sıgn", "SİGN"])
def test_a_signature_mark_in_any_case_is_not_ruled_out(text):
    assert SIGNATURE_MARK.search(text)
    assert SIGNATURE_MARK_WORDS.may_occur(text)


def test_words_are_lowercase_letters_only():
    with pytest.raises(ValueError):
        Literals(("Sign",))
    with pytest.raises(ValueError):
        Literals(("signed by:",))


_PIECES = st.sampled_from(
    ["sign", "SIGN", "ſign", "signatur", "Sign.", "utdragsbestyrk", "justerandes", "JUSTERANDES",
     "signerat", "bankid ref", "Verifikat", "transaktion 1234567", "intentionally omitted",
     "underskrift", "kommunfullmäktige", "Tekniska nämnden", "KOMMUNSTYRELSEN", "utskottet",
     "kultur- och fritidsnämnden", "sociala beredningen", "kommunstyrelsens arbetsutskott",
     "İ", "ı", " ", "\n", "-", "x", "å", "Ä", ":", "1"])


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_prefiltered_patterns_find_what_they_found(text):
    for pattern, words in ((SIGNATURE_MARK, SIGNATURE_MARK_WORDS),
                           (E_SIGNATURE, E_SIGNATURE_WORDS), (ORGAN, ORGAN_WORDS)):
        if pattern.search(text):
            assert words.may_occur(text), (pattern.pattern, text)
