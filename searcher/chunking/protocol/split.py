"""Sammanträdesprotokoll → one section per §, plus the header block as its own section.

A § starts at a line "§ 259" (optionally "KF § 12", with the Dnr or title on the same line).
Its Dnr is the value after "Dnr"/"Diarienummer" (or a bare "KS 2023/145" line) among its first
lines, its title the first other line, confirmed or completed from the table of contents. The
section text is the § as printed: number, Dnr, title, sub-headings and paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searcher.chunking.assemble import SectionBuilder, prepare
from searcher.chunking.clean.blocks import Block
from searcher.chunking.clean.toc import Toc
from searcher.chunking.protocol.arende import detect_arende
from searcher.chunking.protocol.persons import extract_persons
from searcher.records import Document, Section, SectionKind

PARAGRAPH_START = re.compile(
    r"^\s*(?:[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{0,7}\s+)?§\s*(?P<num>\d{1,4}[a-z]?)(?![\d/:])\b\s*(?P<rest>.*)$"
)
DNR_VALUE = (
    r"[A-ZÅÄÖ]{1,10}(?:[ ./-][A-ZÅÄÖ]{1,10})?[ ./-]?\d{2,4}(?:[./:-]\d{1,6}){1,3}"
    r"|\d{2,4}(?:[./:-]\d{1,6}){1,3}|\d{4,8}"
)
DNR_LABELLED = re.compile(
    rf"\b(?:dnr|diarienr|diarienummer|dnr\.)\s*[:.]?\s*(?P<value>{DNR_VALUE})", re.I
)
DNR_BARE = re.compile(
    r"[A-ZÅÄÖ]{1,10}(?:[ ./-][A-ZÅÄÖ]{1,10})?[ ./-]?\d{2,4}(?:[./:-]\d{1,6}){1,3}"
)
TITLE_SCAN_LINES = 4  # the Dnr and title follow the § line within this many lines
MAX_INLINE_TITLE = 160
HEADER_TITLE = "Protokollets huvud"


@dataclass(frozen=True, slots=True)
class ParagraphHead:
    """What the first lines of a § say."""

    number: str
    dnr: str | None
    title: str


def split_protocol(doc: Document) -> list[Section]:
    """Header section + one section per §; TOC and furniture are not sections."""
    prepared = prepare(doc)
    blocks = _split_at_paragraphs(prepared.blocks, _toc_numbers(prepared.toc))
    starts = [i for i, b in enumerate(blocks) if _paragraph_start(b.first)]
    builder = SectionBuilder(doc)
    if not starts:
        return []
    header = blocks[: starts[0]]
    if header:
        builder.add(
            "header",
            SectionKind.header,
            doc.meta.title or HEADER_TITLE,
            header,
            persons=extract_persons([ln for b in header for ln in b.lines]),
        )
    toc_titles = _toc_titles(prepared.toc)
    for n, first in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(blocks)
        part = blocks[first:end]
        head = read_head(part, toc_titles)
        builder.add(
            f"p{head.number}",
            SectionKind.paragraph,
            head.title,
            part,
            paragraph=head.number,
            dnr=head.dnr,
            arende=detect_arende(head.title) if head.title else None,
        )
    return builder.sections


def _paragraph_start(line: str) -> re.Match[str] | None:
    """A § heading line, not a sentence that happens to begin with "§ 5 i lagen …"."""
    m = PARAGRAPH_START.match(line)
    if not m:
        return None
    rest = m.group("rest").strip()
    if not rest or DNR_LABELLED.search(rest) or DNR_BARE.match(rest):
        return m
    if len(rest) <= MAX_INLINE_TITLE and rest[:1].isupper() and not rest.endswith("."):
        return m
    return None


def _split_at_paragraphs(blocks: list[Block], allowed: set[str]) -> list[Block]:
    """Cut blocks so that every § line opens a block (texts without blank lines need this)."""
    out: list[Block] = []
    for b in blocks:
        cut = [
            i
            for i, ln in enumerate(b.lines)
            if i and (m := _paragraph_start(ln)) and (not allowed or m.group("num") in allowed)
        ]
        if not cut:
            if (m := _paragraph_start(b.first)) and allowed and m.group("num") not in allowed:
                b = Block((" " + b.lines[0],) + b.lines[1:], b.start, b.after_break)
            out.append(b)
            continue
        bounds = [0, *cut, len(b.lines)]
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            out.append(Block(b.lines[lo:hi], b.start, b.after_break and lo == 0))
    return out


def _toc_numbers(toc: Toc) -> set[str]:
    return set(_toc_titles(toc))


def _toc_titles(toc: Toc) -> dict[str, str]:
    """§ number → title as the table of contents gives it ("§ 257 Dnr 302917 Justering …")."""
    titles = {}
    for e in toc.entries:
        m = PARAGRAPH_START.match(" ".join(f"{e.prefix} {e.title}".split()))
        if m:
            titles[m.group("num")] = DNR_LABELLED.sub("", m.group("rest")).strip(" \t-–")
    return titles


def read_head(blocks: list[Block], toc_titles: dict[str, str]) -> ParagraphHead:
    """§ number, Dnr and title from the first lines of a § (its first line is the § line)."""
    lines = [ln.strip() for b in blocks for ln in b.lines if ln.strip()]
    m = PARAGRAPH_START.match(lines[0])
    if m is None:
        raise ValueError(f"not the start of a §: {lines[0][:60]!r}")
    number = m.group("num")
    candidates = [m.group("rest").strip(), *lines[1 : 1 + TITLE_SCAN_LINES]]
    dnr, title_at = None, None
    for i, line in enumerate(candidates):
        rest = line
        if dnr is None:
            found = DNR_LABELLED.search(line) or (DNR_BARE.fullmatch(line) and DNR_BARE.match(line))
            if found:
                dnr = found.group("value") if "value" in found.re.groupindex else found.group(0)
                rest = (line[: found.start()] + line[found.end() :]).strip(" \t-–,")
        if rest and title_at is None:
            title_at = i
            candidates[i] = rest
        if dnr is not None and title_at is not None:
            break
    title = candidates[title_at] if title_at is not None else ""
    if title_at is not None:
        title = _complete_title(title, candidates[title_at + 1 :], toc_titles.get(number))
    return ParagraphHead(number=number, dnr=dnr.strip() if dnr else None, title=title)


def _complete_title(title: str, following: list[str], toc_title: str | None) -> str:
    """A title wrapped over lines is joined while the TOC's title still continues it."""
    if not toc_title:
        return title
    norm = " ".join(toc_title.split())
    for line in following:
        longer = f"{title} {line}"
        if not norm.startswith(title) or len(title) >= len(norm) or not norm.startswith(longer):
            break
        title = longer
    return title
