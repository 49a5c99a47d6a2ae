"""Sammanträdesprotokoll → one section per §, plus the header block as its own section.

Steps: furniture removed (`clean/`); the agenda found and set aside (`agenda.py`); every line
that could open a § scored and the real headers chosen as one increasing run of numbers
(`headers.py`), confirmed by the agenda and the "Paragrafer §§ 94-110" line; each § cut from its
header to the next, with its Dnr (`dnr.py`) and title read from its first lines. The section
text is the § as printed; voting lists, reservations and bilagor stay in it as labelled parts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from searcher.chunking.assemble import SectionBuilder
from searcher.chunking.clean.blocks import OPEN_ENDINGS, make_blocks, wrap_width
from searcher.chunking.clean.furniture import Line, source_lines, strip_furniture
from searcher.chunking.clean.toc import find_toc
from searcher.chunking.parts import PartLabel, part_label
from searcher.chunking.protocol.agenda import Agenda, find_agenda
from searcher.chunking.protocol.arende import detect_arende
from searcher.chunking.protocol.dnr import find_dnr, trailing_dnr, whole_line_dnr
from searcher.chunking.protocol.headers import (
    Candidate,
    header_candidate,
    in_attachments,
    in_lists,
    plain,
    select_headers,
)
from searcher.chunking.protocol.persons import extract_persons
from searcher.records import Document, Section, SectionKind

HEADER_TITLE = "Protokollets huvud"
DECLARED = re.compile(
    r"(?:paragrafer|paragraf|protokollet omfattar)[\s*#:]{0,12}"
    r"(?:§§?\s*(?P<lo>\d{1,4})(?:\s*[-–—]\s*(?:§\s*)?(?P<hi>\d{1,4}))?"
    r"|(?P<lo2>\d{1,4})\s*[-–—]\s*(?P<hi2>\d{1,4}))",
    re.I,
)
DECLARED_HEAD = 0.3  # the "Paragrafer" line stands in the first part of the text
MAX_DECLARED = 300
EXPECTED_AGREE = 0.5
EXTRACT_MARKER = re.compile(
    r"(?im)^[ \t#*]*(?:protokollsutdrag|utdrag ur (?:sammanträdes)?protokoll(?:et)?|"
    r"sammanträdesprotokoll|protokoll)(?:[ \t]+.{0,80})?$"
)
EXTRACT_LOOKBACK = 12  # lines between the marker ("Protokollsutdrag") and the first §
DECISION_PARTS = frozenset({PartLabel.beslut, PartLabel.forslag})
HEAD_LINES = 8  # non-empty lines after the § line where its Dnr and title stand
TITLE_LINES = 3
ENUMERATION = re.compile(r"^(?:[A-ZÅÄÖ]{1,2}/|\d{1,2}[.)/]\s|[-•●▪*]\s)")
PROSE_CHARS = 110  # a wrapped title line is shorter than this
MAX_TITLE_CHARS = 300  # a title on one line (Word exports do not wrap) is at most this long
SENTENCE_WORDS = 12


@dataclass(frozen=True, slots=True)
class ParagraphHead:
    """What the first lines of a § say."""

    number: str
    dnr: str | None
    title: str


@dataclass(frozen=True, slots=True)
class ProtocolLayout:
    """A protocol's lines with its agenda and chosen § headers."""

    lines: list[Line]
    skip: frozenset[int]  # agenda and table-of-contents lines
    headers: list[Candidate]
    agenda: Agenda


def read_layout(doc: Document) -> ProtocolLayout:
    """Furniture removed, agenda found, § headers chosen."""
    lines = strip_furniture(source_lines(doc.text), doc.page_starts)
    toc = find_toc(lines)
    cands = [c for i, ln in enumerate(lines) if (c := header_candidate(i, ln.text))]
    agenda = find_agenda(lines, [c for c in cands if c.index not in toc.lines])
    skip = frozenset(toc.lines | agenda.lines)
    texts = [ln.text for ln in lines]
    breaks = {i for i, ln in enumerate(lines) if ln.after_break}
    body = in_lists(in_attachments([c for c in cands if c.index not in skip], texts), texts, breaks)
    expected = agenda.numbers | _declared(doc.text) | _toc_numbers(toc)
    plain_chain = select_headers(body)
    if expected and sum(c.value in expected for c in plain_chain) < EXPECTED_AGREE * len(
        plain_chain
    ):
        expected = frozenset()  # an agenda or "Paragrafer" line that the body contradicts
    return ProtocolLayout(lines, skip, select_headers(body, expected), agenda)


def split_protocol(doc: Document, start: int = 0) -> list[Section]:
    """Header section + one section per §; agenda and furniture are not sections. `start`: the
    offset where the protocol begins inside a longer document (bundled extracts)."""
    layout = read_layout(doc)
    if not layout.headers:
        return []
    lines, skip = layout.lines, layout.skip
    width = wrap_width([ln for i, ln in enumerate(lines) if i not in skip])
    builder = SectionBuilder(doc)

    def segment(lo: int, hi: int) -> list[Line]:
        return [lines[i] for i in range(lo, hi) if i not in skip]

    first_line = next((i for i, ln in enumerate(lines) if ln.start >= start), len(lines))
    header = segment(first_line, layout.headers[0].index)
    if any(ln.text.strip() for ln in header):
        blocks = make_blocks(header, width)
        builder.add(
            "header",
            SectionKind.header,
            doc.meta.title or HEADER_TITLE,
            blocks,
            persons=extract_persons([ln for b in blocks for ln in b.lines]),
        )
    bounds = [c.index for c in layout.headers] + [len(lines)]
    for cand, lo, hi in zip(layout.headers, bounds, bounds[1:], strict=False):
        part = segment(lo, hi)
        head = read_head(cand, part, layout.agenda)
        builder.add(
            f"p{head.number}",
            SectionKind.paragraph,
            head.title,
            make_blocks(part, width),
            paragraph=head.number,
            dnr=head.dnr,
            arende=detect_arende(head.title) if head.title else None,
        )
    return builder.sections


def extract_start(doc: Document) -> int | None:
    """Where protocol extracts bundled into a report begin ("Protokollsutdrag … § 45 Dnr …"), or
    None: a marker line, then § headers each with a Dnr or a decision of its own."""
    if not EXTRACT_MARKER.search(doc.text):
        return None
    layout = read_layout(doc)
    lines, skip = layout.lines, layout.skip
    bounds = [c.index for c in layout.headers] + [len(lines)]
    for cand, lo, hi in zip(layout.headers, bounds, bounds[1:], strict=False):
        part = [lines[i] for i in range(lo, hi) if i not in skip]
        head = read_head(cand, part, layout.agenda)
        decided = any(part_label(plain(ln.text)) in DECISION_PARTS for ln in part[1:])
        if not (head.dnr or decided):
            return None
    if not layout.headers:
        return None
    first = layout.headers[0].index
    marker = [i for i in range(max(0, first - EXTRACT_LOOKBACK), first)
              if EXTRACT_MARKER.fullmatch(plain(lines[i].text))]
    return lines[marker[0]].start if marker else None


def agenda_line_numbers(doc: Document) -> tuple[list[Line], frozenset[int]]:
    """The protocol's lines and the indices of its agenda/TOC lines (kept for `mentions`)."""
    layout = read_layout(doc)
    return layout.lines, layout.skip


def read_head(cand: Candidate, part: list[Line], agenda: Agenda) -> ParagraphHead:
    """Dnr and title from the § line and the lines after it, the agenda filling gaps."""
    first = find_dnr(cand.rest)
    dnr = first.value if first is not None and first.start == 0 else None
    inline = cand.rest[first.end :].strip(" \t-–,") if dnr else cand.rest
    if dnr is None and (tail := trailing_dnr(inline)) is not None:
        dnr, inline = tail.value, inline[: tail.start].strip(" \t-–,")
    title_lines: list[str] = []
    if inline:
        title_lines.append(inline)
    heading_title = False
    seen = 0
    closed = 0  # lines of a title block that a blank line or a part heading closes
    for k, line in enumerate(part[1:], start=1):
        raw = line.text
        text = plain(raw)
        if not text:
            if title_lines:
                break
            continue
        seen += 1
        if seen > HEAD_LINES or part_label(text) is not None:
            break
        whole = whole_line_dnr(text)
        if whole is not None:
            dnr = dnr or whole.value
            if title_lines:
                break
            continue
        if title_lines and (heading_title or raw.lstrip().startswith("#")):
            break
        if len(title_lines) >= TITLE_LINES or (
            _prose(text) if not title_lines else len(text) > PROSE_CHARS
        ):
            break
        if not title_lines:
            closed = _closed_block(part, k)
        elif (_agenda_complete(title_lines, agenda.title_of(cand.number))
              and not text[:1].islower()) or (
            closed <= 0 and not _continues_title(title_lines, text, agenda.title_of(cand.number))
        ):
            break
        closed -= 1
        tail = trailing_dnr(text)
        if tail is not None and dnr is None:
            dnr, text = tail.value, text[: tail.start].strip(" \t-–,")
        title_lines.append(text)
        heading_title = raw.lstrip().startswith(("#", "**"))
    if dnr is None:
        dnr = _dnr_line(part) or _labelled_dnr(part) or agenda.dnr_of(cand.number)
    title = " ".join(" ".join(title_lines).split())
    return ParagraphHead(number=cand.number, dnr=dnr, title=title)


def _prose(text: str) -> bool:
    """A first line too long for a title, or a sentence ("Nämnden beslutar att … .")."""
    if len(text) > MAX_TITLE_CHARS:
        return True
    return text.endswith(".") and len(text.split()) > SENTENCE_WORDS and not text.endswith("m.m.")


def _agenda_complete(title_lines: list[str], agenda_title: str | None) -> bool:
    return bool(agenda_title) and _norm(" ".join(title_lines)) == _norm(agenda_title or "")


def _closed_block(part: list[Line], k: int) -> int:
    """Lines of the run starting at `k` when a blank line, a part heading or a Dnr line ends
    it within TITLE_LINES lines and none of them is a list item or prose: a wrapped title."""
    n = 0
    for line in part[k:]:
        text = plain(line.text)
        if not text or part_label(text) is not None or whole_line_dnr(text):
            return n
        if n >= TITLE_LINES or ENUMERATION.match(text) or len(text) > PROSE_CHARS:
            return 0
        if line.text.lstrip().startswith("#") and n:
            return n
        n += 1
    return n


def _continues_title(title_lines: list[str], text: str, agenda_title: str | None) -> bool:
    """Whether `text` is the next line of a wrapped title: the agenda's title goes on with it,
    or (no agenda title) it starts in lower case or the line before ends open ("… i")."""
    prev = " ".join(title_lines)
    if agenda_title:
        want, have = _norm(agenda_title), _norm(prev)
        if want.startswith(have) and len(want) > len(have):
            return want.startswith(_norm(f"{prev} {text}")) or want.startswith(
                _norm(f"{prev}{text}"))
        if want == have:
            return False
    if prev.endswith((".", ":")) or ENUMERATION.match(text):
        return False
    last = prev.rsplit(None, 1)[-1].lower() if prev.split() else ""
    return text[:1].islower() or text[:1].isdigit() or last in OPEN_ENDINGS or prev.endswith(
        ("-", "–", ","))


def _norm(text: str) -> str:
    return " ".join(text.replace("–", "-").replace("**", "").split()).casefold()


def _head_texts(part: list[Line], *, longest: int | None = None) -> Iterator[str]:
    """The non-empty lines below a § header, up to half of HEAD_LINES, the first labelled part
    (Beslut, Yrkanden …) and, with `longest`, the first line longer than that."""
    seen = 0
    for line in part[1:]:
        text = plain(line.text)
        if not text:
            continue
        seen += 1
        if seen > HEAD_LINES // 2 or part_label(text) is not None or (
                longest is not None and len(text) > longest):
            return
        yield text


def _dnr_line(part: list[Line]) -> str | None:
    """A Dnr on a line of its own below the title ("Bun/2022:136   610"), before the body."""
    for text in _head_texts(part, longest=MAX_TITLE_CHARS):
        found = whole_line_dnr(text)
        if found is not None:
            return found.value
    return None


def _labelled_dnr(part: list[Line]) -> str | None:
    """ "Dnr KS 2023/145" among the first lines, written inside another line."""
    for text in _head_texts(part):
        found = find_dnr(text, labelled_only=True)
        if found is not None and (found.start == 0 or text[: found.start].endswith(("  ", "\t"))):
            return found.value
    return None


def _declared(text: str) -> frozenset[int]:
    """§ numbers the header announces: "Paragrafer §§94-110", "Paragrafer 92-108"."""
    m = DECLARED.search(text[: max(4000, int(DECLARED_HEAD * len(text)))])
    if m is None:
        return frozenset()
    lo = int(m.group("lo") or m.group("lo2"))
    hi = int(m.group("hi") or m.group("hi2") or lo)
    if not 0 <= hi - lo <= MAX_DECLARED:
        return frozenset()
    return frozenset(range(lo, hi + 1))


def _toc_numbers(toc) -> frozenset[int]:
    found = set()
    for e in toc.entries:
        m = re.match(r"\s*§\s*(\d{1,4})", f"{e.prefix} {e.title}")
        if m:
            found.add(int(m.group(1)))
    return frozenset(found)
