"""Facets: the values a filter can take in one index, with counts, and "did you mean" for a
filter value the index does not hold (`--kommun vaxjo` → Växjö).

    facet_values(ix, Facet.kommun)  → [FacetValue("Växjö", documents=2, sections=40)]
    check_values(ix, {"kommun": "vaxjo"})  raises BadQueryError: … did you mean 'Växjö'?
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any

from searcher.chunking.protocol.arende import ArendeKind
from searcher.errors import BadQueryError
from searcher.messages import t
from searcher.query.filters import FILTER_FIELDS
from searcher.records import DocType
from searcher.tools.explore.corpus import year_of

#: How many close values "did you mean" offers.
SUGGESTIONS = 3
#: difflib similarity (0–1) a value needs to be offered.
SUGGEST_CUTOFF = 0.6


class Facet(str, Enum):
    """Filters whose values `searcher values` lists."""

    organ = "organ"
    kommun = "kommun"
    type = "type"
    year = "year"


#: Facet → the document metadata key holding its value.
_META_KEY = {Facet.organ: "organ", Facet.kommun: "municipality", Facet.type: "doc_type",
             Facet.year: "date"}
#: Filter field (query/options) → the facet it is checked against.
_FIELD_FACET = {"organ": Facet.organ, "municipality": Facet.kommun, "doc_type": Facet.type}


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet with the documents and sections that carry it."""

    value: str
    documents: int
    sections: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "documents": self.documents, "sections": self.sections}


def facet_values(ix: Any, facet: Facet | str) -> list[FacetValue]:
    """The values of `facet` in the index, most sections first (years in order)."""
    facet = Facet(facet)
    docs: Counter[str] = Counter()
    sections: Counter[str] = Counter()
    for d in ix.documents():
        raw = d.get(_META_KEY[facet])
        value = str(year_of(raw) or "") if facet is Facet.year else str(raw or "").strip()
        value = value or t("unknown")
        docs[value] += 1
        sections[value] += int(d.get("n_sections") or 0)
    out = [FacetValue(v, docs[v], sections[v]) for v in docs]
    if facet is Facet.year:
        return sorted(out, key=lambda f: (not f.value.isdigit(), f.value))
    return sorted(out, key=lambda f: (-f.sections, f.value.lower()))


def check_values(ix: Any, filters: dict[str, str | None]) -> None:
    """Refuse an organ, kommun or type that no document carries, offering the close ones."""
    for key, value in filters.items():
        field = FILTER_FIELDS.get(key.lower()) if value else None
        facet = _FIELD_FACET.get(field or "")
        if facet is None:
            continue
        known = [f.value for f in facet_values(ix, facet) if f.value != t("unknown")]
        if facet is Facet.type:  # `--type yttrande` names an ärende kind
            known = list(dict.fromkeys([*known, *(d.value for d in DocType),
                                        *(k.value for k in ArendeKind)]))
        wanted = str(value).strip()
        if wanted.lower() in {k.lower() for k in known}:
            continue
        close = suggest(wanted, known)
        if close:
            raise BadQueryError(t("did_you_mean", facet=facet.value, label=label(facet),
                                  value=wanted,
                                  suggestions=f" {t('or')} ".join(repr(c) for c in close)))
        raise BadQueryError(t("no_such_value", facet=facet.value, label=label(facet),
                              value=wanted))


def label(facet: Facet) -> str:
    """The facet's name in the interface language (kommun / municipality)."""
    return t(f"facet_{facet.value}")


def suggest(value: str, known: list[str]) -> list[str]:
    """The known values closest to `value`, ignoring case and diacritics (vaxjo → Växjö)."""
    folded = {_fold(k): k for k in known}
    hits = difflib.get_close_matches(_fold(value), list(folded), n=SUGGESTIONS,
                                     cutoff=SUGGEST_CUTOFF)
    return [folded[h] for h in hits]


def _fold(text: str) -> str:
    """Lower case without diacritics: 'Växjö' → 'vaxjo'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
