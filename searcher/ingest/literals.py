"""A cheap necessary condition for a case-insensitive regex: its text holds one of some words.

A pattern whose every match contains one of a few plain words (`signatur|\\bsign\\b|…` all
contain `sign`) cannot match a text that holds none of them, under re.IGNORECASE's rules.
Testing that with `str.lower()` and `in` is several times faster than the regex itself, which
tries its alternatives at every position of every line. `lower()` folds every character that
IGNORECASE matches with a Swedish letter to that letter, except the few in FOLDED_ELSEWHERE
(checked over every code point in tests/ingest/test_literals.py); a text holding one of them
goes to the regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzåäö")
#: Characters re.IGNORECASE matches with a letter of LETTERS that `lower()` maps elsewhere:
#: İ (lower() gives two characters), dotless ı, long ſ.
FOLDED_ELSEWHERE = "\u0130\u0131\u017f"
_FOLDED = re.compile(f"[{FOLDED_ELSEWHERE}]")


@dataclass(frozen=True, slots=True)
class Literals:
    """Lowercase words of LETTERS, one of which every match of some pattern contains."""

    words: tuple[str, ...]

    def __post_init__(self) -> None:
        for word in self.words:
            if not word or not set(word) <= LETTERS:
                raise ValueError(f"{word!r}: only lowercase Swedish letters are folded safely")

    def may_occur(self, text: str) -> bool:
        """False only when no case-insensitive match of any word can be in `text`."""
        low = text.lower()
        return any(w in low for w in self.words) or _FOLDED.search(text) is not None
