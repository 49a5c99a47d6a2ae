"""Reports (årsrapport, årsredovisning, verksamhetsberättelse …) → one section per heading.

The table of contents gives the top-level headings; each is found as a line of its own in the
body (fuzzily: the TOC may spell "Hyses-" where the body says "Hyres-"). A summary often repeats
top-level headings ("Ekonomisk redovisning" inside "Sammanfattning"), so entries are placed from
the last one backwards, each at its last occurrence before the next entry's place. Below the top
level the shared outline rules apply (see `outline`).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from searcher.chunking.assemble import SectionBuilder, prepare
from searcher.chunking.clean.blocks import Block
from searcher.chunking.clean.toc import Toc, unnumbered
from searcher.chunking.report.outline import Part, build_outline, clean_title, cut_long
from searcher.records import Document, Section, SectionKind

MIN_TITLE_SIMILARITY = 0.85
MAX_SECTION_CHARS = 12_000  # a report section longer than this is cut between paragraphs
TARGET_SECTION_CHARS = 6_000
MIN_TITLE_CHARS = 4


def split_report(doc: Document) -> list[Section]:
    """Sections under the TOC's headings, each with its breadcrumb."""
    prepared = prepare(doc)
    tops = place_toc(prepared.blocks, prepared.toc)
    parts = [
        piece
        for part in build_outline(prepared.blocks, tops)
        for piece in cut_long(part, MAX_SECTION_CHARS, TARGET_SECTION_CHARS)
    ]
    return sections_from_parts(doc, parts, SectionKind.heading)


def sections_from_parts(doc: Document, parts: list[Part], kind: SectionKind) -> list[Section]:
    builder = SectionBuilder(doc)
    for part in parts:
        title = clean_title(part.title) or doc.meta.title or part.blocks[0].first[:80]
        crumbs = tuple(clean_title(c) for c in part.crumbs)
        builder.add("", kind, title, part.blocks, breadcrumb=crumbs or (title,))
    return builder.sections


def place_toc(blocks: list[Block], toc: Toc) -> dict[int, str]:
    """Block index → top-level heading text (as written in the body) for each TOC entry found."""
    placed: dict[int, str] = {}
    limit = len(blocks)
    for entry in reversed(toc.entries):
        want = _norm(entry.heading)
        if len(want) < MIN_TITLE_CHARS:
            continue
        for i in range(limit - 1, -1, -1):
            b = blocks[i]
            if len(b.lines) > 2:
                continue
            got = _norm(b.first)
            wrapped = len(b.lines) == 2 and len(got) >= MIN_TITLE_CHARS and want.startswith(got)
            if (len(b.lines) == 1 and _similar(got, want)) or wrapped:
                placed[i] = b.first.strip()
                limit = i
                break
    return placed


def _norm(text: str) -> str:
    return " ".join(unnumbered(text).lower().replace("\t", " ").split()).strip(" .:")


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > max(3, len(b) // 5):
        return False
    return SequenceMatcher(None, a, b).ratio() >= MIN_TITLE_SIMILARITY
