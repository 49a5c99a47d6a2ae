"""Frozen records the writer takes, and the table rows they become (pure; no database).

    DocumentRows ─ section_row / key_row / posting rows ─▶ COPY into sections, section_keys,
                                                           postings; Deltas ─▶ terms, stats
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from searcher.backends.postgres.lexemes import FieldLexemes, quantised_length
from searcher.backends.postgres.partitions import NO_YEAR
from searcher.chunking.protocol.dnr import dnr_keys
from searcher.records import DocumentMeta, Section

_YEAR = re.compile(r"(\d{4})")


@dataclass(frozen=True, slots=True)
class DocumentRows:
    """One document to store: its record, sections, and any vectors it already has."""

    doc: str
    path: str
    sha256: str
    meta: DocumentMeta
    sections: tuple[Section, ...]
    toc: str = ""
    fingerprint: str = ""
    source: bytes | None = None
    vectors: Mapping[str, np.ndarray] = field(default_factory=dict)  # section_id → passages


@dataclass(frozen=True, slots=True)
class FilterValues:
    """The filterable metadata of one section, normalised exactly as searcher.lexical.index does."""

    municipality: str
    year: int
    organ: str
    doc_type: str
    arende: str
    paragraph: str
    kind: str
    dnr: tuple[str, ...]


def _norm(value: str | None) -> str:
    return (value or "").strip().lower()


def filter_values(section: Section) -> FilterValues:
    """Lowercased values (whoosh ID fields), the Dnr split on commas (a KEYWORD field)."""
    m = _YEAR.match(section.date or "")
    dnr = dnr_keys(section.dnr)  # normalised as the embedded index's (searcher.lexical.schema)
    return FilterValues(_norm(section.municipality), int(m.group(1)) if m else NO_YEAR,
                        _norm(section.organ), _norm(section.doc_type), _norm(section.arende),
                        _norm(section.paragraph), _norm(section.kind), dnr)


def document_row(d: DocumentRows) -> tuple:
    from psycopg.types.json import Jsonb

    return (d.doc, d.path, d.sha256, Jsonb(asdict(d.meta)), len(d.sections), d.toc,
            d.fingerprint, d.source)


def section_row(sid: int, s: Section, f: FilterValues) -> tuple:
    from psycopg.types.json import Jsonb

    return (sid, s.section_id, s.doc, s.ordinal, f.municipality, f.year, f.organ, f.doc_type,
            f.arende, f.paragraph, f.kind, list(f.dnr), Jsonb(s.to_dict()))


@dataclass
class Deltas:
    """Changes to the term statistics and corpus totals made by one batch (+ added, - removed)."""

    df: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    cf: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    lengths: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    sections: int = 0

    def add_section(self, lexemes: tuple[FieldLexemes, ...], term_ids: list[list[int]],
                    sign: int = 1) -> None:
        for fl, ids in zip(lexemes, term_ids, strict=True):
            self.lengths[fl.field] += sign * fl.length
            for tid, (_token, weight) in zip(ids, fl.weights, strict=True):
                self.df[tid] += sign
                self.cf[tid] += sign * weight
        self.sections += sign

    def remove_postings(self, rows: list[tuple[int, float]]) -> None:
        for tid, weight in rows:
            self.df[tid] -= 1
            self.cf[tid] -= weight


def posting_rows(sid: int, lexemes: tuple[FieldLexemes, ...],
                 term_ids: list[list[int]]) -> list[tuple[int, int, float, float]]:
    """(term_id, sid, weight, quantised field length) for every lexeme of one section."""
    rows = []
    for fl, ids in zip(lexemes, term_ids, strict=True):
        flen = quantised_length(fl.length)
        rows.extend((tid, sid, weight, flen)
                    for tid, (_token, weight) in zip(ids, fl.weights, strict=True))
    return rows
