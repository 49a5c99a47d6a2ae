"""Metadata filters (kommun, organ, typ, dnr, §, year) as one record every arm applies.

The keys users type map to the index's filter fields; the lexical index, the semantic arm and
the PostgreSQL backend all read the same `Filters`.
"""

from __future__ import annotations

from dataclasses import dataclass

from searcher.errors import BadQueryError
from searcher.records import DocType

#: Filter fields: name in queries/CLI → whoosh field holding the lowercased value.
FILTER_FIELDS: dict[str, str] = {
    "doc": "doc",
    "kommun": "municipality",
    "municipality": "municipality",
    "organ": "organ",
    "typ": "doc_type",
    "type": "doc_type",
    "arende": "arende",
    "ärende": "arende",
    "dnr": "dnr",
    "paragraf": "paragraph",
    "kind": "kind",
}

_DOC_TYPES = {t.value for t in DocType} | {t.name for t in DocType}


@dataclass(frozen=True, slots=True)
class Filters:
    """Metadata restrictions applied inside each arm, before fusion, so top-k stays full."""

    terms: tuple[tuple[str, str], ...] = ()  # (whoosh field, lowercased value)
    year_from: int | None = None
    year_to: int | None = None

    def is_empty(self) -> bool:
        return not self.terms and self.year_from is None and self.year_to is None


def parse_filters(values: dict[str, str | None] | None) -> Filters:
    """{'typ': 'protokoll', 'year': '2020..2022', …} → Filters; unknown keys are errors."""
    terms: list[tuple[str, str]] = []
    year_from = year_to = None
    for key, value in (values or {}).items():
        if value is None or value == "":
            continue
        k = key.lower()
        if k in ("year", "år", "datum", "date"):
            lo, sep, hi = str(value).partition("..")
            try:
                year_from = int(lo[:4]) if lo else None
                year_to = int(hi[:4]) if hi else (None if sep else year_from)
            except ValueError:
                raise BadQueryError(f"bad year range {value!r}; use e.g. 2020..2022") from None
            continue
        if k not in FILTER_FIELDS:
            raise BadQueryError(
                f"unknown filter {key!r}; choose from {', '.join(sorted(FILTER_FIELDS))}, year"
            )
        v = str(value).strip().lower()
        field = FILTER_FIELDS[k]
        if field == "doc_type" and v not in _DOC_TYPES:
            field = "arende"  # `--type yttrande`: an ärende kind, not a document type
        terms.append((field, v))
    return Filters(tuple(terms), year_from, year_to)
