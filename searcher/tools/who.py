"""Who said what: the sections where a person or a party MADE a yrkande or reservation, and
searches restricted to one part of a § (`--part`).

    for s in sections_by(ix, WhoFilter(person="Anna Carlsson")): print(s.date, s.section_id)

The makers come from `Section.speakers` (searcher.chunking.protocol.speakers): being present,
voting, or being named in someone else's yrkande does not count. A person is given as any part
of the name as written ("Berlin", "Jens Christian Berlin"; case and dashes do not matter); a
party by its abbreviation or name (`SD`, `Sverigedemokraterna`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from searcher.analysis.matching import DEFAULT_CASE, DEFAULT_FORM, WORD_RE, TermMatcher
from searcher.chunking.protocol.speakers import PARTY_NAMES, part_spans
from searcher.errors import BadQueryError
from searcher.query.filters import parse_filters
from searcher.records import Result, Section


class Part(StrEnum):
    """The parts of a § a search can be restricted to."""

    beslut = "beslut"
    yrkande = "yrkande"
    reservation = "reservation"
    bakgrund = "bakgrund"
    votering = "votering"
    protokollsanteckning = "protokollsanteckning"


#: A part → the chunker's part labels (searcher.chunking.parts) and the speakers parser's parts
#: that make it up.
PART_SOURCES: dict[Part, tuple[frozenset[str], frozenset[str]]] = {
    Part.beslut: (frozenset({"beslut"}), frozenset({"beslut"})),
    Part.yrkande: (frozenset({"yrkanden"}), frozenset({"yrkande"})),
    Part.reservation: (frozenset({"reservation"}), frozenset({"reservation"})),
    Part.bakgrund: (frozenset({"bakgrund"}), frozenset({"bakgrund"})),
    Part.votering: (frozenset({"omröstning", "votering", "propositionsordning"}),
                    frozenset({"votering", "beslutsgång"})),
    Part.protokollsanteckning: (frozenset({"protokollsanteckning"}),
                                frozenset({"protokollsanteckning"})),
}
MADE = frozenset({"yrkande", "reservation"})  # what --person and --party look for
_OPERATORS = frozenset({"and", "och", "or", "eller", "not", "inte"})


@dataclass(frozen=True, slots=True)
class WhoFilter:
    """--person, --party and --part of one search."""

    person: str | None = None
    party: str | None = None
    part: Part | None = None

    def is_empty(self) -> bool:
        return not (self.person or self.party or self.part)


def party_code(text: str) -> str:
    """`SD`, `sd`, `Sverigedemokraterna`, `Sverigedemokraternas` → `SD`; others as written."""
    t = text.strip()
    low = t.lower()
    for code, name in PARTY_NAMES.items():
        if low in (name, name + "s"):
            return code
    return t.upper()


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_]+", text)]


def person_matches(query: str, name: str) -> bool:
    """Every word of `query` is a word of `name`, in order (case and dashes do not matter)."""
    want, have = _tokens(query), _tokens(name)
    it = iter(have)
    return bool(want) and all(w in it for w in want)


def made_by(section: Section, flt: WhoFilter) -> bool:
    """Did the person (and/or party) of `flt` make a yrkande or reservation in `section`?"""
    if not (flt.person or flt.party):
        return True
    code = party_code(flt.party) if flt.party else None
    for kind, name, party in section.speakers:
        if kind not in MADE:
            continue
        if flt.person and not person_matches(flt.person, name):
            continue
        if code and party.upper() != code:
            continue
        return True
    return False


def part_text(section: Section, part: Part) -> str:
    """The text of `part` in `section` ('' if it has none)."""
    labels, mine = PART_SOURCES[part]
    spans = [(a, b) for label, a, b in section.parts if label in labels]
    spans += [(a, b) for label, a, b in part_spans(section.text) if label in mine]
    return "\n".join(section.text[a:b] for a, b in sorted(set(spans)))


def query_words(query: str) -> list[str]:
    """The searchable words of a query (operators and field filters left out)."""
    words = []
    for token in query.split():
        if ":" in token.strip(":") or token.lower() in _OPERATORS:
            continue
        words += [m.group() for m in WORD_RE.finditer(token)]
    return words


def admits(section: Section, flt: WhoFilter, query: str = "") -> bool:
    """`section` passes the person/party filter, and (with --part) the part exists and holds
    one of the query's words in any form (all of its text counts when the query is empty)."""
    if not made_by(section, flt):
        return False
    if flt.part is None:
        return True
    text = part_text(section, flt.part)
    if not text.strip():
        return False
    words = query_words(query)
    return not words or any(
        next(TermMatcher(w, DEFAULT_FORM, DEFAULT_CASE, variants=True).finditer(text), None)
        for w in words)


def filter_results(results: Iterable[Result], flt: WhoFilter, query: str,
                   limit: int) -> tuple[Result, ...]:
    """The results `flt` admits, ranks renumbered, at most `limit`."""
    kept = [r for r in results if admits(r.section, flt, query)][:limit]
    return tuple(replace(r, rank=i) for i, r in enumerate(kept, 1))


def sections_by(index: Any, flt: WhoFilter, filters: dict[str, str | None] | None = None
                ) -> list[Section]:
    """Every section `flt` admits (no query), in date order."""
    if flt.is_empty():
        raise BadQueryError("give a query, or --person, --party or --part")
    clauses: list[tuple[tuple[str, str], ...]] = []
    if flt.person:
        clauses += [(("term", w),) for w in _tokens(flt.person)]
    if flt.party:
        code = party_code(flt.party)
        alts = [("term", code.lower())]
        if code in PARTY_NAMES:
            alts.append(("prefix", PARTY_NAMES[code]))
        clauses.append(tuple(alts))
    ids = index.lexical.sections_containing(clauses, parse_filters(filters))
    found = [s for s in index.store.get_many(ids).values() if admits(s, flt)]
    return sorted(found, key=lambda s: (s.date or "", s.doc, s.ordinal))
