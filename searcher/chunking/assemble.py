"""Shared first and last steps of every chunker: clean the text into blocks, build Section records.

`prepare` removes furniture and the table of contents and groups the rest into blocks;
`SectionBuilder` numbers sections, makes their ids unique and copies document metadata into each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from searcher.chunking.clean.blocks import Block, block_text, make_blocks
from searcher.chunking.clean.furniture import Line, page_of, source_lines, strip_furniture
from searcher.chunking.clean.toc import Toc, find_toc
from searcher.chunking.parts import label_parts
from searcher.chunking.protocol.arende import refine_arende
from searcher.chunking.protocol.speakers import parse_speakers
from searcher.records import Document, Section, SectionKind

UNSAFE_ID_CHARS = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True, slots=True)
class Prepared:
    blocks: list[Block]
    toc: Toc


def prepare_lines(doc: Document) -> tuple[list[Line], Toc]:
    """Lines with furniture removed, and the table of contents found among them."""
    lines = strip_furniture(source_lines(doc.text), doc.page_starts)
    return lines, find_toc(lines)


def prepare(doc: Document) -> Prepared:
    """Furniture and TOC removed, the rest as blocks in source order."""
    lines, toc = prepare_lines(doc)
    if toc.lines:
        lines = [ln for i, ln in enumerate(lines) if i not in toc.lines]
    return Prepared(make_blocks(lines), toc)


def doc_stem(doc: str) -> str:
    """The file name without suffix, reduced to characters that need no quoting in a shell."""
    stem = PurePath(doc).stem or doc
    return UNSAFE_ID_CHARS.sub("_", stem).strip("_") or "doc"


@dataclass
class SectionBuilder:
    """Collects sections of one document with unique ids and its metadata."""

    doc: Document
    sections: list[Section] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)

    def add(
        self,
        key: str,
        kind: SectionKind,
        title: str,
        blocks: list[Block],
        *,
        breadcrumb: tuple[str, ...] = (),
        paragraph: str | None = None,
        dnr: str | None = None,
        arende: str | None = None,
        persons: tuple[str, ...] = (),
    ) -> None:
        """Append one section; `key` is the id's tail ("p257", "header"; "" → "s012")."""
        text = block_text(blocks)
        if not text.strip():
            return
        key = key or f"s{len(self.sections):03d}"
        section_id = f"{doc_stem(self.doc.doc)}/{key}"
        n = 2
        while section_id in self._ids:  # a § number used twice ("§ 12" in two meetings)
            section_id = f"{doc_stem(self.doc.doc)}/{key}-{n}"
            n += 1
        self._ids.add(section_id)
        meta = self.doc.meta
        self.sections.append(
            Section(
                section_id=section_id,
                doc=self.doc.doc,
                ordinal=len(self.sections),
                kind=kind.value,
                title=title,
                text=text,
                municipality=meta.municipality,
                organ=meta.organ,
                doc_type=meta.doc_type,
                date=meta.date,
                page=page_of(blocks[0].start, self.doc.page_starts),
                breadcrumb=breadcrumb,
                paragraph=paragraph,
                dnr=dnr,
                arende=(refine_arende(arende, title, text) if kind is SectionKind.paragraph
                        else arende),
                persons=persons,
                parts=label_parts(text) if kind is SectionKind.paragraph else (),
                speakers=parse_speakers(text) if kind is SectionKind.paragraph else (),
            )
        )
