"""The corpus as a whole: its documents (filtered), and figures by type, organ and year.

Filters use the same keys and value rules as `searcher search` (`searcher.engine.parse_filters`:
case-insensitive exact values, years as `2020` or `2020..2022`), applied to stored metadata.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from enum import Enum
from typing import TYPE_CHECKING

from searcher.errors import BadQueryError
from searcher.query.filters import Filters, parse_filters
from searcher.tools.explore.keyness import KeyTerm, TermCounts, key_terms

if TYPE_CHECKING:
    from searcher.engine import SearchIndex

_WORD = re.compile(r"[^\W_]+(?:[-/:.,][^\W_]+)*")
_YEAR = re.compile(r"(\d{4})")
UNKNOWN = "okänt"
#: Filter fields as users name them in options, for messages (whoosh field → option).
_OPTION = {"doc_type": "--type", "organ": "--organ", "municipality": "--kommun", "doc": "--doc"}


def count_words(text: str) -> int:
    """Running words: letters/digits, identifiers such as `Balans-22` and `26,5` as one word."""
    return len(_WORD.findall(text))


def year_of(date: str | None) -> int | None:
    m = _YEAR.match(date or "")
    return int(m.group(1)) if m else None


def matches(record: dict, flt: Filters) -> bool:
    """True when a document or section record (as a dict) passes the filters."""
    for field, value in flt.terms:
        if str(record.get(field) or "").strip().lower() != value:
            return False
    if flt.year_from is not None or flt.year_to is not None:
        year = year_of(record.get("date"))
        if year is None:
            return False
        if flt.year_from is not None and year < flt.year_from:
            return False
        if flt.year_to is not None and year > flt.year_to:
            return False
    return True


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """One indexed document as `searcher docs` lists it."""

    doc: str
    title: str | None
    municipality: str | None
    organ: str | None
    doc_type: str | None
    date: str | None
    n_sections: int
    path: str

    def to_dict(self) -> dict:
        return asdict(self)


def list_documents(ix: SearchIndex,
                   filters: dict[str, str | None] | None = None) -> list[DocumentInfo]:
    """The indexed documents passing `filters` (keys as for search: typ, organ, kommun, year)."""
    flt = parse_filters(filters)
    return [
        DocumentInfo(doc=d["doc"], title=d.get("title"), municipality=d.get("municipality"),
                     organ=d.get("organ"), doc_type=d.get("doc_type"), date=d.get("date"),
                     n_sections=int(d.get("n_sections") or 0), path=d.get("path") or "")
        for d in ix.documents() if matches(d, flt)
    ]


def resolve_doc(ix: SearchIndex, name: str) -> str:
    """A document's file name from its name, stem or a unique prefix."""
    docs = [d["doc"] for d in ix.documents()]
    if name in docs:
        return name
    found = [d for d in docs if d.startswith(name) or d.rsplit(".", 1)[0] == name]
    if len(found) == 1:
        return found[0]
    if found:
        raise BadQueryError(f"document {name!r} is ambiguous: {', '.join(found[:5])}")
    raise BadQueryError(f"no document {name!r} in this index; list them with `searcher docs`")


def mismatch_hint(ix: SearchIndex, filters: dict[str, str | None]) -> str:
    """'known values: …' for the document-level filters that match nothing."""
    flt = parse_filters(filters)
    docs = ix.documents()
    parts = []
    for field, value in flt.terms:
        known = sorted({str(d.get(field)) for d in docs if d.get(field)})
        if field in _OPTION and value not in {k.lower() for k in known}:
            parts.append(f"{_OPTION[field]} is one of: {', '.join(known[:12]) or 'none'}")
    if flt.year_from is not None or flt.year_to is not None:
        years = sorted({y for d in docs if (y := year_of(d.get("date")))})
        parts.append(f"years in the index: {', '.join(map(str, years)) or 'none'}")
    return "; ".join(parts) or "see `searcher docs` for the documents and their metadata"


class GroupBy(str, Enum):
    """The breakdowns of `searcher stats`."""

    type = "type"
    organ = "organ"
    year = "year"


def _group_value(by: GroupBy, section: dict) -> str:
    if by is GroupBy.type:
        return section.get("doc_type") or UNKNOWN
    if by is GroupBy.organ:
        return section.get("organ") or UNKNOWN
    year = year_of(section.get("date"))
    return str(year) if year else UNKNOWN


@dataclass(frozen=True, slots=True)
class Figures:
    """Size of (part of) the corpus; `group`/`value` say which part ('' for all of it)."""

    documents: int
    sections: int
    words: int
    group: str = ""
    value: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """`searcher stats`: corpus figures, breakdowns and, for a subset, its key terms."""

    corpus: Figures
    groups: tuple[Figures, ...]
    subset_filters: dict[str, str]
    subset: Figures | None = None
    subset_terms: int = 0  # analysed terms in the subset and in the rest (keyness sample sizes)
    rest_terms: int = 0
    key_terms: tuple[KeyTerm, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        by: dict[str, list[dict]] = {g.value: [] for g in GroupBy}
        for f in self.groups:
            by[f.group].append({k: v for k, v in f.to_dict().items() if k != "group"})
        subset = None
        if self.subset is not None:
            figures = self.subset.to_dict()
            subset = {"filters": self.subset_filters,
                      **{k: v for k, v in figures.items() if k not in ("group", "value")},
                      "terms": self.subset_terms, "rest_terms": self.rest_terms,
                      "key_terms": [k.to_dict() for k in self.key_terms]}
        corpus = {k: v for k, v in self.corpus.to_dict().items() if k not in ("group", "value")}
        return {"corpus": corpus, "by": by, "subset": subset, "notes": list(self.notes)}


def corpus_stats(ix: SearchIndex, filters: dict[str, str | None] | None = None, *,
                 top: int = 20, min_freq: int = 3) -> CorpusStats:
    """Figures for the whole corpus, by type/organ/year, and the key terms of `filters`' subset.

    The subset (filters: typ, organ, kommun, year, doc) is compared with the rest of the corpus
    by log-likelihood (searcher.tools.explore.keyness); without filters there is no subset.
    """
    given = {k: v for k, v in (filters or {}).items() if v}
    if "doc" in given:
        given["doc"] = resolve_doc(ix, given["doc"])
    flt = parse_filters(given)
    has_subset = not flt.is_empty()
    docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    sections: Counter[tuple[str, str]] = Counter()
    words: Counter[tuple[str, str]] = Counter()
    inside, outside = TermCounts(), TermCounts()
    for section in ix.store.iter_sections():
        record = section.to_dict()
        n = count_words(section.text)
        keys = [("", "")] + [(g.value, _group_value(g, record)) for g in GroupBy]
        if has_subset and matches(record, flt):
            keys.append(("subset", ""))
            inside.add_text(section.text)
        elif has_subset:
            outside.add_text(section.text)
        for key in keys:
            docs[key].add(section.doc)
            sections[key] += 1
            words[key] += n

    def figures(group: str, value: str) -> Figures:
        key = (group, value)
        return Figures(len(docs[key]), sections[key], words[key], group, value)

    order = [g.value for g in GroupBy]
    keys = sorted((k for k in sections if k[0] in order),
                  key=lambda k: (order.index(k[0]), k[1] == UNKNOWN, k[1]))
    groups = tuple(figures(g, v) for g, v in keys)
    stats = CorpusStats(corpus=figures("", ""), groups=groups, subset_filters=given)
    if not has_subset:
        return stats
    subset = figures("subset", "")
    if subset.sections == 0:
        raise BadQueryError(f"no sections match {_describe(given)}; {mismatch_hint(ix, given)}")
    notes = []
    if outside.total == 0:
        notes.append("the subset is the whole corpus: there is nothing to compare it with")
    terms = key_terms(inside, outside, top=top, min_freq=min_freq)
    return CorpusStats(corpus=stats.corpus, groups=groups, subset_filters=given, subset=subset,
                       subset_terms=inside.total, rest_terms=outside.total,
                       key_terms=tuple(terms), notes=tuple(notes))


def _describe(filters: dict[str, str]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in filters.items())
