"""Any other text (betänkande, statute, press release, web page) → heading/paragraph sections.

Uses the same outline rules as reports (without a TOC); then sizes the parts: a part that is
a long run of paragraphs without headings is cut at paragraph boundaries into pieces of about
TARGET_CHARS, so no document becomes one blob and no section is a single line.
"""

from __future__ import annotations

from searcher.chunking.assemble import prepare
from searcher.chunking.report.outline import Part, build_outline, cut_long
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
        parts.extend(cut_long(part, MAX_PART_CHARS, TARGET_CHARS))
    return sections_from_parts(doc, parts, SectionKind.text)
