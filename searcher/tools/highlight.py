"""Which characters of a hit to mark for a query: inflections and compound parts too.

    spans("placering", "Placeringskostnaderna steg") → [(0, 9)]   # the part, inside the compound

For each positive word of the query (searcher.query.parse: not negated, no filters, no stop words):
every inflection (`yttrande` marks `yttrandet`), the part inside a compound (`placering` marks
`Placerings|kostnaderna`), and, for a query word that is itself a compound, its parts written
apart (`serveringstillstånd` marks `tillstånd` and `servering`). `kompetens*` marks every word
beginning with it; identifiers match as written (`Balans-22`, `Dnr 2022-00295`). Case is ignored.
Pass the engine's `Response.parsed` (the query as really searched, typos corrected, parsed
once) to mark what was searched; a string is parsed here (`show --highlight`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from searcher.analysis import SWEDISH_STOP_WORDS, compound_parts
from searcher.analysis.matching import WORD_RE, Case, Form, TermMatcher
from searcher.errors import BadQueryError
from searcher.query.parse import ParsedQuery, parse_query

Span = tuple[int, int]


def spans(query: ParsedQuery | str, text: str) -> list[Span]:
    """Sorted, non-overlapping (start, end) character spans of `text` to highlight."""
    found: list[Span] = []
    for kind, term in marked_terms(query):
        if kind == "prefix":
            pattern = re.compile(rf"(?<![^\W_]){re.escape(term)}[^\W_]*", re.IGNORECASE)
            found.extend(m.span() for m in pattern.finditer(text))
        else:
            found.extend((m.hit_start, m.hit_end) for m in _matcher(term).finditer(text))
    return merge(found)


def merge(found: list[Span]) -> list[Span]:
    """Overlapping or touching spans joined, in order."""
    out: list[Span] = []
    for start, end in sorted(s for s in found if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def marked_terms(query: ParsedQuery | str) -> tuple[tuple[str, str], ...]:
    """("prefix" | "term", text) for every positive query word, compound parts included."""
    if isinstance(query, str):
        try:
            query = parse_query(query)
        except BadQueryError:
            return _terms(tuple(query.split()))
    return _terms((*query.terms, *(w for p in query.phrases for w in p.split())))


@lru_cache(maxsize=256)
def _terms(words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out: dict[tuple[str, str], None] = {}
    for raw in words:
        if raw.endswith("*"):
            if len(raw.rstrip("*")) >= 2:
                out[("prefix", raw.rstrip("*"))] = None
            continue
        word = raw.strip(".,;:!?()\"'«»“”")
        if not WORD_RE.search(word) or word.lower() in SWEDISH_STOP_WORDS:
            continue
        out[("term", word)] = None
        if word.isalpha():
            for part in compound_parts(word.lower()):
                out[("term", part)] = None
    return tuple(out)


@lru_cache(maxsize=1024)
def _matcher(term: str) -> TermMatcher:
    return TermMatcher(term, Form.compound, Case.ignore)
