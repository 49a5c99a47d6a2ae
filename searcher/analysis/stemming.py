"""Snowball Swedish 3.x stemming (snowballstemmer, backed by PyStemmer's C code when installed).

whoosh bundles a pre-3.0 Swedish Snowball port that keeps `beslutet` apart from `beslut`; this
filter uses the 3.x algorithm. Identifiers, numbers, keys, URLs and e-mail addresses are never
stemmed (`Balans-22` must not become `balans-22` minus an `s`), only words and identifier parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import snowballstemmer
from whoosh.analysis import Filter, Token

from searcher.analysis.tokenizer import TokenKind

CACHE_SIZE = 100_000  # distinct words kept; the cache is cleared when full (cheap, rare)
_KEEP_AS_IS = re.compile(r"[\d@/:§.(]")  # numbers, identifiers, addresses
_STEMMABLE_KINDS = frozenset(k.value for k in (TokenKind.WORD, TokenKind.PART,
                                               TokenKind.WHOLE, TokenKind.JOINED))


class SwedishStemmer:
    """`stem(word)` with Snowball Swedish 3.x and a dict cache; picklable (drops the C stemmer)."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self.cache_size = cache_size
        self._setup()

    def _setup(self) -> None:
        self._stem_word: Callable[[str], str] = snowballstemmer.stemmer("swedish").stemWord
        self._cache: dict[str, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"cache_size": self.cache_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def stem(self, word: str) -> str:
        """The Snowball stem of a lowercase word, or the word itself when it holds digits etc."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = word if _KEEP_AS_IS.search(word) else self._stem_word(word)
        if len(self._cache) >= self.cache_size:
            self._cache.clear()
        self._cache[word] = result
        return result


class SwedishStemFilter(Filter):
    """Stem words and identifier parts (not whole identifiers with digits, keys, addresses)."""

    is_morph = True  # whoosh skips morph filters for wildcard/prefix queries (no_morph=True)

    def __init__(self) -> None:
        self.stemmer = SwedishStemmer()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stemmer.stem
        kinds = _STEMMABLE_KINDS
        for t in tokens:
            if not t.stopped and getattr(t, "kind", "word") in kinds:
                t.text = stem(t.text)
            yield t
