"""Metadata filters (kommun, organ, typ, dnr, §, dates) as one record every arm applies.

The keys users type map to the index's filter fields; the lexical index, the semantic arm and
the PostgreSQL backend all read the same `Filters`. Dates and years take one value or a range
(`parse_date_range`): `2020`, `2019-2020`, `2019–2020`, `2019..2020`, `2019-`, `-2020`,
`2022-08`, `2022-08-16..2022-12-31`. A form that cannot be read is an error naming it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from searcher.chunking.protocol.dnr import dnr_key
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
#: Filter keys that take a date or year (range); all become `Filters.date_from/date_to`.
DATE_KEYS: tuple[str, ...] = ("year", "år", "datum", "date")

_DOC_TYPES = {t.value for t in DocType} | {t.name for t in DocType}
_DATE = r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?"
_ONE = re.compile(rf"\s*(?P<lo>{_DATE})\s*")
#: Range separators: `..`, the en and em dashes Swedish typesetting uses, and a hyphen.
_RANGE = re.compile(rf"\s*(?P<lo>{_DATE})?\s*(?:\.\.|–|—|-)\s*(?P<hi>{_DATE})?\s*")
RANGE_EXAMPLE = "2020, 2019-2020, 2019..2020, 2019-, -2020, 2022-08-16..2022-12-31"


@dataclass(frozen=True, slots=True)
class Filters:
    """Metadata restrictions applied inside each arm, before fusion, so top-k stays full.

    year_from/year_to are the years of date_from/date_to (the index filters by year);
    `admits_date` checks the exact day for ranges that start or end inside a year."""

    terms: tuple[tuple[str, str], ...] = ()  # (whoosh field, lowercased value)
    year_from: int | None = None
    year_to: int | None = None
    date_from: str | None = None  # ISO date, inclusive
    date_to: str | None = None  # ISO date, inclusive

    def is_empty(self) -> bool:
        return not self.terms and self.year_from is None and self.year_to is None

    def is_day_precise(self) -> bool:
        """True when a bound falls inside a year (the year filter alone is not enough)."""
        return bool((self.date_from and not self.date_from.endswith("-01-01"))
                    or (self.date_to and not self.date_to.endswith("-12-31")))

    def admits_date(self, when: str | None) -> bool:
        """True when a record dated `when` ('2022', '2022-08', '2022-08-16') lies in range.

        A date known only to the year or month is in range when that period overlaps it."""
        if self.date_from is None and self.date_to is None:
            return True
        if not when or not re.match(r"\d{4}", when):
            return False
        lo, hi = _bounds(when[:10]) if _ONE.fullmatch(when[:10]) else _bounds(when[:4])
        return ((self.date_to is None or lo <= self.date_to)
                and (self.date_from is None or hi >= self.date_from))


def parse_date_range(value: str) -> tuple[str | None, str | None]:
    """'2019-2020' → ('2019-01-01', '2020-12-31'); one year or date is a range of itself.

    Raises BadQueryError naming the value for an unreadable form, an impossible date or a
    range that ends before it starts."""
    text = str(value).strip()
    one = _ONE.fullmatch(text)
    if one:
        return _bounds(one["lo"], value)
    m = _RANGE.fullmatch(text)
    if not m or not (m["lo"] or m["hi"]):
        raise BadQueryError(f"cannot read the date range {value!r}; write e.g. {RANGE_EXAMPLE}")
    lo = _bounds(m["lo"], value)[0] if m["lo"] else None
    hi = _bounds(m["hi"], value)[1] if m["hi"] else None
    if lo and hi and lo > hi:
        raise BadQueryError(f"the date range {value!r} ends before it starts; "
                            f"write the earlier date first, e.g. {m['hi']}..{m['lo']}")
    return lo, hi


def _bounds(when: str, value: str | None = None) -> tuple[str, str]:
    """First and last day of a year, month or day written as `2022`, `2022-8`, `2022-08-16`."""
    parts = [int(p) for p in when.split("-")]
    try:
        if len(parts) == 1:
            return f"{parts[0]:04d}-01-01", f"{parts[0]:04d}-12-31"
        y, mo = parts[0], parts[1]
        if len(parts) == 2:
            last = calendar.monthrange(y, mo)[1]
            return f"{y:04d}-{mo:02d}-01", f"{y:04d}-{mo:02d}-{last:02d}"
        day = date(y, mo, parts[2]).isoformat()
        return day, day
    except (ValueError, calendar.IllegalMonthError):
        raise BadQueryError(f"{value or when!r} is not a real date; write e.g. "
                            f"{RANGE_EXAMPLE}") from None


def parse_filters(values: dict[str, str | None] | None) -> Filters:
    """{'typ': 'protokoll', 'year': '2020-2022', …} → Filters; unknown keys are errors."""
    terms: list[tuple[str, str]] = []
    date_from = date_to = None
    for key, value in (values or {}).items():
        if value is None or value == "":
            continue
        k = key.lower()
        if k in DATE_KEYS:
            date_from, date_to = parse_date_range(str(value))
            continue
        if k not in FILTER_FIELDS:
            raise BadQueryError(
                f"unknown filter {key!r}; choose from {', '.join(sorted(FILTER_FIELDS))}, year"
            )
        v = str(value).strip().lower()
        field = FILTER_FIELDS[k]
        if field == "dnr":  # "KS-2024-00123" finds "KS 2024/123": both sides normalised
            v = dnr_key(v) or v
        if field == "doc_type" and v not in _DOC_TYPES:
            field = "arende"  # `--type yttrande`: an ärende kind, not a document type
        terms.append((field, v))
    return Filters(tuple(terms), int(date_from[:4]) if date_from else None,
                   int(date_to[:4]) if date_to else None, date_from, date_to)
