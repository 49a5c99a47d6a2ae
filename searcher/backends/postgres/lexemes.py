"""Sections → lexeme rows: what our Swedish analyzers make of each field, as whoosh indexes it.

The fields and their texts are searcher.lexical.schema's (`section_fields`), analysed in index
mode by the same analyzers, so a lexeme here is exactly a whoosh term there. A posting's weight is
whoosh's: occurrences (token boosts summed) × the field's boost; a field's length is its token
count, which whoosh stores per section quantised to one byte (`quantised_length`) while it
sums the exact lengths for the average. `exact` is kept for mentions and typos, not scored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from searcher.analysis import get_analyzer
from searcher.lexical.schema import FIELD_BOOSTS, section_fields
from searcher.records import Section

#: Field → the small integer stored in terms.field (migration 2's trigram index names 4).
FIELD_CODES: dict[str, int] = {"title": 1, "text": 2, "parts": 3, "exact": 4}
FIELD_NAMES: dict[int, str] = {code: name for name, code in FIELD_CODES.items()}
SCORED_FIELDS: tuple[str, ...] = tuple(FIELD_BOOSTS)
FIELD_ANALYZERS: dict[str, str] = {
    "title": "swedish", "text": "swedish", "parts": "compound", "exact": "exact",
}


@dataclass(frozen=True, slots=True)
class FieldLexemes:
    """One field of one section: (token, weight) pairs and the field's token count."""

    field: int
    weights: tuple[tuple[str, float], ...]
    length: int


def analyse_field(name: str, value: str) -> FieldLexemes:
    """Index-mode analysis of one field's text, summed per token like whoosh's Positions format."""
    analyzer = get_analyzer(FIELD_ANALYZERS[name])
    boost = FIELD_BOOSTS.get(name, 1.0)
    weights: dict[str, float] = defaultdict(float)
    length = 0
    for token in analyzer(value, positions=True, boosts=True, mode="index"):
        if token.stopped:
            continue
        weights[token.text] += token.boost
        length += 1
    return FieldLexemes(FIELD_CODES[name], tuple((t, w * boost) for t, w in weights.items()),
                        length)


def section_lexemes(section: Section) -> tuple[FieldLexemes, ...]:
    """Every lexical field of a section, in FIELD_CODES order."""
    fields = section_fields(section)
    return tuple(analyse_field(name, fields[name]) for name in FIELD_CODES)


def quantised_length(length: int) -> float:
    """The field length whoosh's BM25F sees for one section (its one-byte encoding)."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    return float(byte_to_length(length_to_byte(length))) if length else 1.0
