"""Any other text (betänkande, statute, press release, web page) → heading/paragraph sections.

Uses the same outline rules as reports (without a TOC); then sizes the parts: a part that is
a long run of paragraphs without headings is cut at paragraph boundaries into pieces of about
TARGET_CHARS, so no document becomes one blob and no section is a single line.
"""

from __future__ import annotations

from searcher.chunking.assemble import prepare
from searcher.chunking.clean.blocks import Block
from searcher.chunking.report.outline import Part, build_outline
from searcher.chunking.report.split import place_toc, sections_from_parts
from searcher.records import Document, Section, SectionKind

TARGET_CHARS = 2000
MAX_PART_CHARS = 4000


def split_generic(doc: Document) -> list[Section]:
    """Sections of a document of no known layout."""
    prepared = prepare(doc)
    tops = place_toc(prepared.blocks, prepared.toc)
    parts: list[Part] = []
    for part in build_outline(prepared.blocks, tops):
        parts.extend(_cut_long(part))
    return sections_from_parts(doc, parts, SectionKind.text)


def _cut_long(part: Part) -> list[Part]:
    """A part over MAX_PART_CHARS becomes several with the same crumbs, cut between blocks."""
    if part.size <= MAX_PART_CHARS or len(part.blocks) < 2:
        return [part]
    pieces: list[list[Block]] = [[]]
    size = 0
    for block in part.blocks:
        chars = sum(len(ln) for ln in block.lines)
        if pieces[-1] and size + chars > TARGET_CHARS and size >= TARGET_CHARS // 4:
            pieces.append([])
            size = 0
        pieces[-1].append(block)
        size += chars
    if len(pieces) > 1 and sum(len(ln) for b in pieces[-1] for ln in b.lines) < TARGET_CHARS // 4:
        pieces[-2].extend(pieces.pop())
    return [
        Part(part.crumbs, blocks, part.top, part.opens_top and n == 0)
        for n, blocks in enumerate(pieces)
    ]
