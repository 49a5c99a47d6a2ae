"""Every mention of a term in the indexed texts, with KWIC context: exhaustive, not top-k.

    for m in find_mentions(ix, "Balans-22"): print(m.where, m.left, m.match, m.right)

Scans each section's text and each document's text outside the sections: its table of
contents (`Dnr 2022-00295` occurs in the protocol's TOC and in § 259) and its page headers,
footers and anything else no section holds, so every character of a document is searched.
The whoosh index picks the candidate sections first (searcher.analysis.matching gives clauses
that every text holding the term satisfies), so the scan reads only those and counts stay exact;
the outside text is short and scanned in full. Which spellings count is `Form` (default: what a
reader counts, DEFAULT_FORM and DEFAULT_CASE); see searcher.analysis.matching.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from searcher.analysis.matching import DEFAULT_CASE, DEFAULT_FORM, Case, Form, TermMatcher
from searcher.chunking.residue import split_outside
from searcher.query.filters import parse_filters
from searcher.records import Section

CONTEXT_CHARS = 60  # KWIC context on each side, after collapsing whitespace
TOC_WHERE = "innehållsförteckning"
REST_WHERE = "sidhuvud/sidfot m.m."  # text outside every section (searcher.chunking.residue)
_DOC_LEVEL_FIELDS = frozenset({"doc", "municipality", "organ", "doc_type"})  # whoosh names
_META_OF_FIELD = {"doc": "doc", "municipality": "municipality", "organ": "organ",
                  "doc_type": "doc_type"}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence: where it is, the matched text (whitespace collapsed) and its context.

    `start`/`end` index the section's text (the TOC text when `section_id` is None), so
    `section.text[start:end]` is the raw match.
    """

    term: str
    doc: str
    section_id: str | None
    where: str  # "§ 259", a heading path "Ekonomi › Resultat", or "innehållsförteckning"
    paragraph: str | None
    page: int | None
    date: str | None
    year: int | None
    match: str
    start: int
    end: int
    left: str
    right: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class MentionTotals:
    """Counts of a set of mentions: all, per document and per year (None: undated)."""

    total: int
    by_doc: tuple[tuple[str, int], ...]
    by_year: tuple[tuple[int | None, int], ...]


def find_mentions(
    index: Any,
    term: str,
    *,
    forms: Form | str = DEFAULT_FORM,
    filters: dict[str, str | None] | None = None,
    case: Case | str = DEFAULT_CASE,
) -> Iterator[Mention]:
    """Every mention of `term` in `index` (an engine SearchIndex), in document order.

    `filters` takes the keys of the search filters (typ, organ, kommun, doc, dnr, paragraf, year
    …); a TOC is searched only when no section-level filter (dnr, paragraf, ärende) is given.
    Raises BadQueryError for an empty term, an unknown form or an unknown filter.
    """
    matcher = TermMatcher(term, forms, case, variants=True)
    flt = parse_filters(filters)
    store = index.store
    ids = index.lexical.sections_containing(matcher.index_clauses(), flt)
    sections = sorted(store.get_many(ids).values(), key=lambda s: (s.doc, s.ordinal))
    docs = {d["doc"]: d for d in store.documents()}
    toc_docs = _toc_docs(docs, flt)
    by_doc: dict[str, list[Section]] = {}
    for s in sections:
        by_doc.setdefault(s.doc, []).append(s)
    for doc in sorted(set(by_doc) | set(toc_docs)):
        if doc in toc_docs:
            date = docs[doc].get("date")
            toc, rest = split_outside(store.toc_of(doc))
            for where, text in ((TOC_WHERE, toc), (REST_WHERE, rest)):
                for m in matcher.finditer(text):
                    yield _mention(matcher.term, doc, None, where, None, None, date, text,
                                   m.start, m.end)
        for s in by_doc.get(doc, ()):
            where = f"§ {s.paragraph}" if s.paragraph else _heading(s)
            for m in matcher.finditer(s.text):
                yield _mention(matcher.term, doc, s.section_id, where, s.paragraph, s.page,
                               s.date, s.text, m.start, m.end)


def totals(mentions: Iterable[Mention]) -> MentionTotals:
    """Total, per-document and per-year counts (years ascending, undated last)."""
    by_doc: Counter[str] = Counter()
    by_year: Counter[int | None] = Counter()
    n = 0
    for m in mentions:
        n += 1
        by_doc[m.doc] += 1
        by_year[m.year] += 1
    years = sorted(by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    return MentionTotals(n, tuple(sorted(by_doc.items())), tuple(years))


def year_of(date: str | None) -> int | None:
    m = re.match(r"(\d{4})", date or "")
    return int(m.group(1)) if m else None


def _heading(s: Section) -> str:
    return " › ".join(dict.fromkeys(p for p in (*s.breadcrumb, s.title) if p)) or s.section_id


def _toc_docs(docs: dict[str, dict], flt: Any) -> set[str]:
    """Documents whose TOC may hold mentions under these filters (document-level ones only)."""
    if any(field not in _DOC_LEVEL_FIELDS for field, _ in flt.terms):
        return set()
    out = set()
    for doc, meta in docs.items():
        ok = all(str(meta.get(_META_OF_FIELD[f]) or "").strip().lower() == v
                 for f, v in flt.terms)
        year = year_of(meta.get("date"))
        if flt.year_from is not None and (year is None or year < flt.year_from):
            ok = False
        if flt.year_to is not None and (year is None or year > flt.year_to):
            ok = False
        if ok:
            out.add(doc)
    return out


def _mention(term: str, doc: str, section_id: str | None, where: str, paragraph: str | None,
             page: int | None, date: str | None, text: str, start: int, end: int) -> Mention:
    reach = CONTEXT_CHARS * 3  # raw characters to read so that the collapsed side is full
    left = _SPACES.sub(" ", text[max(0, start - reach):start]).lstrip()[-CONTEXT_CHARS:]
    right = _SPACES.sub(" ", text[end:end + reach]).rstrip()[:CONTEXT_CHARS]
    return Mention(
        term=term, doc=doc, section_id=section_id, where=where, paragraph=paragraph, page=page,
        date=date, year=year_of(date), match=_SPACES.sub(" ", text[start:end]), start=start,
        end=end, left=left, right=right,
    )
