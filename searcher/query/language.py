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
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib import resources
from pathlib import Path

from searcher.analysis import SWEDISH_STOP_WORDS, compound_parts
from searcher.analysis.morphology import family
from searcher.settings import cache_root

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


def english_words_from_package() -> frozenset[str]:
    """The English words pyspellchecker's frequency list has seen ENGLISH_MIN_COUNT times
    (reading its 26 MB of JSON takes ~0.2 s: `english_words` keeps the result)."""
    with gzip.open(_english_source().open("rb"), "rt", encoding="utf-8") as f:
        counts = json.load(f)
    return frozenset(w for w, n in counts.items() if n >= ENGLISH_MIN_COUNT)


def _english_source():
    return resources.files(ENGLISH_PACKAGE) / "resources" / "en.json.gz"


def english_cache_file() -> Path:
    """Where the derived list lives: named by the source's digest and the count threshold,
    so a new pyspellchecker or threshold makes a new file."""
    digest = hashlib.sha256(_english_source().read_bytes()).hexdigest()[:12]
    return cache_root() / "lexicon" / f"en-words-{ENGLISH_MIN_COUNT}-{digest}.txt"


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """`english_words_from_package`, kept as one word per line in the cache (read in ~3 ms:
    a hybrid query asks for it on its critical path); a read-only cache reads the package."""
    path = english_cache_file()
    try:
        return frozenset(path.read_text(encoding="utf-8").split("\n")) - {""}
    except (OSError, UnicodeDecodeError):
        pass
    words = english_words_from_package()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(sorted(words)))
        os.replace(tmp, path)
    except OSError:  # a read-only cache: read the package again next time rather than fail
        pass
    return words


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
    """English or Swedish (the default), by dictionary evidence. A query without a word the
    English list knows is Swedish whatever the Swedish lexicon says, so that lexicon (0.3 s to
    load) is not asked then: an identifier query (`2018/19:FiU1`) never loads it."""
    if not any(len(w) >= 2 and is_english_word(w) for w in _WORD.findall(query)):
        return Language.swedish
    return evidence(query).language
