"""Follow one case (ärende) through the index: every section that handles it, in date order.

    for hit in follow_case(ix, "KS 2024/123"): print(hit.section.date, hit.how, hit.section.title)

A diarienummer is written many ways: `2022-00295`, `KS 2023/145`, `KS-2024-00123`,
`2026.016 KS` (series after the number), `Bun/2025:532 600` (archive code after it),
`2026.004 BUN-038` (a document number). `dnr_key` reduces each to (series, year, number):
the series letters (before or after, lower case, labels such as `Dnr` dropped), the year and
the running number without leading zeros. Two keys are the same case when year and number
agree and the series agree, or one of them has no series (`2022-00295` = `KS 2022-00295`).

| how       | the section …                                                             |
| --------- | ------------------------------------------------------------------------ |
| `dnr`     | has this Dnr (its Dnr field, or the Dnr on its § line)                   |
| `cited`   | cites this Dnr in its text                                               |
| `related` | handles the same matter under another Dnr: a `dnr` section cites it, or  |
|           | it has the same title in another organ (nämnd → arbetsutskott → KS → KF) |
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from searcher.chunking.protocol.speakers import part_spans
from searcher.errors import BadQueryError
from searcher.records import Section

_SERIES = r"[A-Za-zÅÄÖåäö]{1,8}"
DNR_RE = re.compile(
    rf"(?<![\w/.:-])(?:(?P<pre>{_SERIES})\s?[/ .-]?\s?)?"
    r"(?P<year>(?:19|20)\d\d)\s?(?P<sep>[-/.:])\s?(?P<num>\d{1,6})(?![\d])"
    r"(?P<date>-\d\d(?!\d))?"
    rf"(?:[ \t]+(?P<post>[A-ZÅÄÖ]{{2,6}})(?:-\d+)?(?![\wåäö]))?"
)
#: Words before a number that label it rather than name its series.
LABELS = frozenset({"dnr", "diarienr", "diarienummer", "nr", "ärende", "ärendenr", "sfs", "och",
                    "den", "år", "i", "till", "från", "per", "mellan", "samt", "kl"})
#: A series is written in capitals (KS, BUN, SBF) or capitalised and short (Bun, Ks, Tn);
#: other words before a number ("enligt 2022/123", "Enligt 2022/123") are not series.
_SERIES_WORD = re.compile(r"[A-ZÅÄÖ]{1,8}|[A-ZÅÄÖ][a-zåäö]{1,2}")
HEAD_LINES = 3  # the Dnr of a § stands on its first lines
DECISION_PARTS = ("beslut", "förslag")
_LEAD_IN = re.compile(r"^.{0,80}(?:förslag till beslut|beslut)[^.]{0,40}:$|^[^.]{0,60}$", re.I)
_SENTENCE = re.compile(r"(.+?[.!?])(?=\s+[A-ZÅÄÖ0-9•–-]|\s*$)", re.S)


class How(StrEnum):
    """Why a section belongs to the case (see the module docstring)."""

    dnr = "dnr"
    cited = "cited"
    related = "related"


class DnrKey(NamedTuple):
    """A diarienummer reduced to what identifies the case."""

    series: str
    year: str
    number: str

    def same_case(self, other: DnrKey) -> bool:
        return (self.year == other.year and self.number == other.number
                and (self.series == other.series or not self.series or not other.series))


@dataclass(frozen=True, slots=True)
class CaseHit:
    """One section of the case and why it belongs there."""

    section: Section
    how: How
    dnr: str | None  # the Dnr as the section writes it (for `related`: its own Dnr)
    decision: str  # the first sentence of its decision (or proposal), '' if none

    def to_dict(self) -> dict[str, Any]:
        s = self.section
        return {"doc": s.doc, "section_id": s.section_id, "paragraph": s.paragraph,
                "date": s.date, "organ": s.organ, "dnr": self.dnr, "title": s.title,
                "how": self.how.value, "decision": self.decision}


def dnr_key(text: str) -> DnrKey | None:
    """The key of the first diarienummer in `text`, or None."""
    for _, _, key in find_dnrs(text):
        return key
    return None


def find_dnrs(text: str) -> Iterator[tuple[int, int, DnrKey]]:
    """(start, end, key) of every diarienummer-like number in `text` (dates, year ranges and
    bare two-digit numbers are not)."""
    for m in DNR_RE.finditer(text):
        if m.group("date"):
            continue  # 2026-06-15
        num, sep = m.group("num"), m.group("sep")
        if sep == "-" and re.fullmatch(r"(?:19|20)\d\d", num):
            continue  # 2026-2031: a span of years
        raw = m.group("pre") or ""
        pre = raw.lower() if _SERIES_WORD.fullmatch(raw) else ""
        series = "" if pre in LABELS else pre
        if not series and m.group("post"):
            series = m.group("post").lower()
        if not series and len(num) < 3:
            continue  # `2026.16` or `2020:5` without a series: too weak to name a case
        start = m.start() if pre and pre == series else m.start("year")
        yield start, m.end(), DnrKey(series, m.group("year"), num.lstrip("0") or "0")


def section_dnr(section: Section) -> str | None:
    """The section's own Dnr as written: its Dnr field, else a Dnr on its first lines."""
    if section.dnr and dnr_key(section.dnr):
        return section.dnr
    if section.kind != "paragraph":
        return None
    head = "\n".join([ln for ln in section.text.splitlines() if ln.strip()][:HEAD_LINES])
    for start, end, _ in find_dnrs(head):
        return head[start:end]
    return None


def decision_sentence(section: Section) -> str:
    """The first sentence of the section's decision (else its proposal): heading lines, a
    "… förslag till beslut:" lead-in and bullets dropped."""
    mine = part_spans(section.text)
    for label in DECISION_PARTS:
        text = section.part_text(label) or "\n".join(
            section.text[a:b] for lab, a, b in mine if lab == label)
        lines = [ln.strip(" \t*#_-•–") for ln in text.splitlines()[1:]]
        lines = [ln for ln in lines if ln and not _LEAD_IN.match(ln)]
        body = " ".join(lines)
        if body:
            m = _SENTENCE.match(body)
            return " ".join((m.group(1) if m else body[:200]).split())
    return ""


def follow_case(index: Any, dnr: str) -> list[CaseHit]:
    """Every section of the case `dnr` in `index` (an engine SearchIndex), in date order."""
    key = dnr_key(dnr)
    if key is None:
        raise BadQueryError(f"{dnr!r} is not a diarienummer (e.g. KS 2024/123, 2026.016 KS, "
                            "Bun/2025:532)")
    store = index.store
    ids = index.lexical.sections_containing(_clauses(key))
    found: dict[str, CaseHit] = {}
    for s in store.get_many(ids).values():
        own = section_dnr(s)
        own_key = dnr_key(own) if own else None
        if own_key is not None and own_key.same_case(key):
            found[s.section_id] = CaseHit(s, How.dnr, own, decision_sentence(s))
        elif any(k.same_case(key) for _, _, k in find_dnrs(s.text)):
            found[s.section_id] = CaseHit(s, How.cited, own, decision_sentence(s))
    for hit in _related(index, list(found.values()), key):
        found.setdefault(hit.section.section_id, hit)
    return sorted(found.values(), key=lambda h: (h.section.date or "", h.section.doc,
                                                 h.section.ordinal))


def _clauses(key: DnrKey) -> list[tuple[tuple[str, str], ...]]:
    """Index pre-filter: the year, and the number with any zero padding."""
    padded = {key.number.zfill(n) for n in range(len(key.number), 7)}
    return [(("term", key.year),), tuple(("term", p) for p in sorted(padded))]


def _related(index: Any, hits: list[CaseHit], key: DnrKey) -> Iterator[CaseHit]:
    """The same matter under another Dnr (a nämnd's case going on to KS and KF): sections with a
    Dnr that the case's own sections cite; sections with the Dnr of a KS/KF/arbetsutskott § that
    cites this case; sections with the same title in another organ where one of the two organs
    is the kommunstyrelse, its arbetsutskott or fullmäktige. Lists (meddelanden,
    delegationsbeslut) relate nothing."""
    cases = [h for h in hits if h.how is How.dnr]
    other_keys = {k for h in cases if h.section.arende not in LIST_KINDS
                  for _, _, k in find_dnrs(h.section.text) if not k.same_case(key)}
    other_keys |= {k for h in hits if h.how is How.cited and _central(h.section.organ)
                   and h.section.arende not in LIST_KINDS and h.dnr
                   and (k := dnr_key(h.dnr)) is not None}
    for k in sorted(other_keys):
        for s in index.store.get_many(index.lexical.sections_containing(_clauses(k))).values():
            own = section_dnr(s)
            own_key = dnr_key(own) if own else None
            if own_key is not None and own_key.same_case(k) and s.kind == "paragraph":
                yield CaseHit(s, How.related, own, decision_sentence(s))
    for h in cases:
        title = _norm_title(h.section.title)
        if not title or h.section.arende in LIST_KINDS:
            continue  # "Meddelanden", "Delegationsbeslut": every organ has one
        phrase = [("term", w) for w in title.split()[:1]]
        for s in index.store.get_many(index.lexical.sections_containing([tuple(phrase)])).values():
            if (_norm_title(s.title) == title and s.organ != h.section.organ
                    and s.kind == "paragraph"
                    and (_central(s.organ) or _central(h.section.organ))):
                yield CaseHit(s, How.related, section_dnr(s), decision_sentence(s))


_CENTRAL = re.compile(r"kommunstyrelse|fullmäktige|utskott", re.I)
MIN_TITLE_WORDS = 3
LIST_KINDS = frozenset({"information", "redovisning"})  # meddelanden, delegationsbeslut: lists


def _central(organ: str | None) -> bool:
    return bool(organ and _CENTRAL.search(organ))


def _norm_title(title: str) -> str:
    """A title to compare ('' when too short to name one matter)."""
    words = re.findall(r"[^\W_]+", title.lower())
    return " ".join(words) if len(words) >= MIN_TITLE_WORDS else ""
