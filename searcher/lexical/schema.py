"""The whoosh schema of a section and the BM25F constants both lexical backends score with."""

from __future__ import annotations

import re

from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from searcher.analysis import compound_analyzer, exact_analyzer, swedish_analyzer
from searcher.chunking.protocol.dnr import dnr_keys
from searcher.records import Section

BM25_B = 0.75  # Robertson & Zaragoza 2009 defaults; whoosh's are the same
BM25_K1 = 1.2
OR_SCALE = 0.9  # whoosh OrGroup.factory: rewards documents matching more query terms

#: Scored fields and their boosts: a title match counts double; compound parts count half so
#: a whole-word match (which also hits `text`) outranks a match only inside a compound.
FIELD_BOOSTS: dict[str, float] = {"title": 2.0, "text": 1.0, "parts": 0.5}


def build_schema() -> Schema:
    """The whoosh schema; analyzers come from searcher.analysis (one definition for both sides)."""
    return Schema(
        section_id=ID(stored=True, unique=True),
        doc=ID(stored=True),
        title=TEXT(analyzer=swedish_analyzer(), field_boost=FIELD_BOOSTS["title"]),
        text=TEXT(analyzer=swedish_analyzer(), field_boost=FIELD_BOOSTS["text"]),
        # A lone compound query word becomes its parts here; all of them must match.
        parts=TEXT(analyzer=compound_analyzer(), field_boost=FIELD_BOOSTS["parts"],
                   multitoken_query="and"),
        exact=TEXT(analyzer=exact_analyzer(), stored=False),
        municipality=ID(),
        organ=ID(),
        doc_type=ID(),
        arende=ID(),
        dnr=KEYWORD(lowercase=True, commas=True),
        paragraph=ID(),
        kind=ID(),
        year=NUMERIC(int, bits=32),
    )


def _norm(value: str | None) -> str:
    return (value or "").strip().lower()


def _year(section: Section) -> int | None:
    m = re.match(r"(\d{4})", section.date or "")
    return int(m.group(1)) if m else None


def section_fields(section: Section) -> dict:
    """The whoosh document for one section."""
    body = section.text
    fields = {
        "section_id": section.section_id,
        "doc": section.doc,
        "title": " › ".join(dict.fromkeys((*section.breadcrumb, section.title))),
        "text": body,
        "parts": f"{section.title}\n{body}",
        "exact": f"{section.title}\n{body}",
        "municipality": _norm(section.municipality),
        "organ": _norm(section.organ),
        "doc_type": _norm(section.doc_type),
        "arende": _norm(section.arende),
        "dnr": ",".join(dnr_keys(section.dnr)),  # any written form finds it (dnr_key)
        "paragraph": _norm(section.paragraph),
        "kind": _norm(section.kind),
    }
    year = _year(section)
    if year is not None:
        fields["year"] = year
    return fields
