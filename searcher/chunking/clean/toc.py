"""Find a table of contents (dotted leaders or a tab + page number per entry) and take it out.

The TOC is never indexed as content: its lines repeat every title and would outrank the real
sections. Its entries are kept to confirm § titles (protocols) and to give the top-level headings
of a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searcher.chunking.clean.furniture import Line

LEADER_ENTRY = re.compile(
    r"^(?P<title>.*?\S)\s*(?:\.{3,}|(?:\.\s){3,}|…{2,}|_{4,})\s*(?P<page>\d{1,4})\s*$"
)
TAB_ENTRY = re.compile(r"^(?P<title>[^\t]*[^\W\d_][^\t]*?)\s*\t\s*(?P<page>\d{1,4})\s*$")
SPACED_ENTRY = re.compile(r"^(?P<title>\S.*?[^\W\d_].*?)\s{2,}(?P<page>\d{1,4})\s*$")
TOC_HEADING = re.compile(
    r"(?:innehåll(?:sförteckning)?|förteckning\b.*|ärendeförteckning|ärendelista|"
    r"föredragningslista|dagordning|innehåll och ärenden)",
    re.I,
)
MAX_GAP = 4  # non-entry lines between two entries of one TOC ("§ 257 Dnr …", a wrapped title)
MIN_ENTRIES = 3
MAX_ENTRY_CHARS = 300
HEAD_CHARS = 20_000
ENTRY_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?\s*")
BARE_ENTRY_MAX = 120
BARE_ENTRY_WORDS = 12
BARE_RECUR_SHARE = 0.6
HEAD_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class TocEntry:
    title: str  # the entry's text without leaders and page number
    page: int
    prefix: str = ""  # a line before the entry that belongs to it ("§ 257 Dnr 302917")

    @property
    def heading(self) -> str:
        """The entry as a heading: prefix and title joined, section number dropped
        ("1.2" + "Kommunens uppgifter och ansvar" → "Kommunens uppgifter och ansvar")."""
        return unnumbered(" ".join(f"{self.prefix} {self.title}".split()))


@dataclass(frozen=True, slots=True)
class Toc:
    entries: tuple[TocEntry, ...] = ()
    lines: frozenset[int] = frozenset()  # indices of the TOC's lines in the input list


def toc_entry(text: str) -> re.Match[str] | None:
    s = text.strip()
    if len(s) > MAX_ENTRY_CHARS or not s[-1:].isdigit():
        return None  # cheap guard: the patterns below backtrack on long lines
    return LEADER_ENTRY.match(s) or TAB_ENTRY.match(text.strip(" \n")) or SPACED_ENTRY.match(s)


def find_toc(lines: list[Line]) -> Toc:
    """The first cluster of ≥3 entry lines, with its heading and any prefix lines."""
    hits = [i for i, ln in enumerate(lines) if toc_entry(ln.text)]
    clusters: list[list[int]] = []
    for i in hits:
        if clusters and _gap(lines, clusters[-1][-1], i) <= MAX_GAP:
            clusters[-1].append(i)
        else:
            clusters.append([i])
    end = lines[-1].start if lines else 0
    for cluster in clusters:
        if lines[cluster[0]].start > max(HEAD_CHARS, HEAD_SHARE * end):
            break  # a TOC sits near the start; later "title <tab> number" runs are tables
        heading = _heading_before(lines, cluster[0])
        if (len(cluster) >= MIN_ENTRIES or (heading is not None and len(cluster) >= 2)) and (
            _ascending(lines, cluster)
        ):
            return _build(lines, cluster, heading)
    return _find_bare_toc(lines)


def _find_bare_toc(lines: list[Line]) -> Toc:
    """ "Innehållsförteckning" followed by titles without page numbers that recur in the body.

    The list ends where the body begins: at the first entry's second occurrence or at prose.
    """
    limit = max(HEAD_CHARS, int(HEAD_SHARE * (lines[-1].start if lines else 0)))
    for h, line in enumerate(lines):
        if line.start > limit:
            break
        if not TOC_HEADING.fullmatch(line.text.strip()):
            continue
        taken, titles = [h], []
        for j in range(h + 1, len(lines)):
            text = lines[j].text.strip()
            if not text:
                continue
            prose = text.endswith(".") and len(text.split()) > BARE_ENTRY_WORDS  # not "m.m."
            if len(text) > BARE_ENTRY_MAX or prose or (titles and text == titles[0]):
                break
            taken.append(j)
            titles.append(text)
        body = {unnumbered(ln.text) for ln in lines[taken[-1] + 1 :]}
        found = [t for t in map(unnumbered, titles) if t in body]
        if len(titles) >= MIN_ENTRIES and len(found) >= BARE_RECUR_SHARE * len(titles):
            return Toc(tuple(TocEntry(title=t, page=0) for t in found), frozenset(taken))
    return Toc()


def _ascending(lines: list[Line], cluster: list[int]) -> bool:
    """TOC page numbers never go down (one slip allowed for OCR noise)."""
    pages = [int(m.group("page")) for i in cluster if (m := toc_entry(lines[i].text))]
    return sum(1 for a, b in zip(pages, pages[1:], strict=False) if b < a) <= 1


def unnumbered(text: str) -> str:
    """ "1.Systematiskt arbetsmiljöarbete" in a TOC is "Systematiskt arbetsmiljöarbete" below."""
    return ENTRY_NUMBER.sub("", text.strip())


def _gap(lines: list[Line], a: int, b: int) -> int:
    return sum(1 for ln in lines[a + 1 : b] if ln.text.strip())


def _heading_before(lines: list[Line], first: int) -> int | None:
    seen = 0
    for j in range(first - 1, max(-1, first - 6), -1):
        text = lines[j].text.strip()
        if not text:
            continue
        if TOC_HEADING.fullmatch(text):
            return j
        seen += 1
        if seen > 1:
            break
    return None


def _build(lines: list[Line], cluster: list[int], heading: int | None) -> Toc:
    entries: list[TocEntry] = []
    taken: set[int] = set(cluster)
    for n, i in enumerate(cluster):
        m = toc_entry(lines[i].text)
        if m is None:  # cannot happen: the cluster holds entry lines only
            continue
        lower = cluster[n - 1] + 1 if n else (heading + 1 if heading is not None else i)
        prefix = [j for j in range(lower, i) if lines[j].text.strip()]
        if n == 0 and heading is None and i > 0 and lines[i - 1].text.strip():
            prefix = [i - 1]
        taken.update(prefix)
        entries.append(
            TocEntry(
                title=m.group("title").strip(),
                page=int(m.group("page")),
                prefix=" ".join(lines[j].text.strip() for j in prefix),
            )
        )
    if heading is not None:
        taken.add(heading)
    return Toc(tuple(entries), frozenset(taken))
