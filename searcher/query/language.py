"""Which language a query is written in, from dictionaries, not from lists of eval queries.

    query_language("What did Brottsofferjouren ask for?")  →  Language.english

Each alphabetic word is looked up in two dictionaries: the Swedish Hunspell lexicon we ship
(searcher.analysis: inflection families and compound parts, plus the Swedish stop words) and an
English word-frequency list (the PyPI package `pyspellchecker`, words seen at least
ENGLISH_MIN_COUNT times in its corpus). A word only one of them knows is evidence for that
language; a word both know (`plan`, `budget`, `under`) or neither knows (names, `KPMG`) is
none. Å, ä, ö mark a word Swedish. The query is English when English-only words outnumber
Swedish-only ones; ties and queries without evidence are Swedish, the corpus language.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib import resources

from searcher.analysis import SWEDISH_STOP_WORDS, compound_parts
from searcher.analysis.morphology import family

ENGLISH_PACKAGE = "spellchecker"  # pyspellchecker's import name; it ships resources/en.json.gz
ENGLISH_MIN_COUNT = 500  # below this the list holds foreign words and noise (`och` 156)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SWEDISH_LETTERS = frozenset("åäö")


class Language(str, Enum):
    """The query languages the ranking tells apart."""

    swedish = "sv"
    english = "en"


@dataclass(frozen=True, slots=True)
class LanguageEvidence:
    """Counts behind a decision: words only English knows, only Swedish knows, and both."""

    english_only: int
    swedish_only: int
    shared: int

    @property
    def language(self) -> Language:
        if self.english_only > self.swedish_only:
            return Language.english
        return Language.swedish


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The English words pyspellchecker's frequency list has seen ENGLISH_MIN_COUNT times."""
    path = resources.files(ENGLISH_PACKAGE) / "resources" / "en.json.gz"
    with gzip.open(path.open("rb"), "rt", encoding="utf-8") as f:
        counts = json.load(f)
    return frozenset(w for w, n in counts.items() if n >= ENGLISH_MIN_COUNT)


def is_english_word(word: str) -> bool:
    """True when the English list knows the word (any case)."""
    return word.lower() in english_words()


@lru_cache(maxsize=4096)
def is_swedish_word(word: str) -> bool:
    """True when the Swedish lexicon knows the word, its compound parts, or it has å/ä/ö."""
    w = word.lower()
    if w in SWEDISH_STOP_WORDS or _SWEDISH_LETTERS & set(w):
        return True
    return family(w) is not None or bool(compound_parts(w))


def evidence(query: str) -> LanguageEvidence:
    """Count the query's alphabetic words (two letters or more) by the dictionaries knowing them."""
    en = sv = both = 0
    for word in _WORD.findall(query):
        if len(word) < 2:
            continue
        e, s = is_english_word(word), is_swedish_word(word)
        en += e and not s
        sv += s and not e
        both += e and s
    return LanguageEvidence(en, sv, both)


def query_language(query: str) -> Language:
    """English or Swedish (the default), by dictionary evidence."""
    return evidence(query).language
