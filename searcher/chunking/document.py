"""One Document → its Sections (the chunker chosen by document type) and its table of contents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from searcher.chunking.assemble import prepare_lines
from searcher.chunking.protocol.split import agenda_line_numbers, extract_start, split_protocol
from searcher.chunking.report.generic import split_generic
from searcher.chunking.report.split import split_report
from searcher.records import DocType, Document, Section

CHUNKERS: dict[DocType, Callable[[Document], list[Section]]] = {
    DocType.protocol: split_protocol,
    DocType.report: split_report,
    DocType.other: split_generic,
}


def split_document(doc: Document) -> list[Section]:
    """Sections of `doc` in order; a specialised chunker finding nothing falls back to generic."""
    try:
        doc_type = DocType(doc.meta.doc_type) if doc.meta.doc_type else DocType.other
    except ValueError:
        doc_type = DocType.other
    start = extract_start(doc) if doc_type is not DocType.protocol else None
    if start:
        return _with_extracts(doc, doc_type, start)
    sections = CHUNKERS[doc_type](doc)
    if not sections and doc_type is not DocType.other:
        sections = split_generic(doc)
    return sections


def _with_extracts(doc: Document, doc_type: DocType, start: int) -> list[Section]:
    """A report with protocol extracts bundled at its end: the report part by its own chunker,
    then one section per § of the extracts."""
    before = replace(doc, text=doc.text[:start], page_starts=tuple(
        p for p in doc.page_starts if p < start))
    head = CHUNKERS[doc_type](before) or split_generic(before)
    sections = head + split_protocol(doc, start)
    return [replace(s, ordinal=n) for n, s in enumerate(sections)]


def table_of_contents(doc: Document) -> str:
    """The document's table of contents as text ('' if none): not a section (never ranked),
    but kept so that `mentions` counts identifiers that only the TOC repeats."""
    if doc.meta.doc_type == DocType.protocol.value:
        lines, taken = agenda_line_numbers(doc)  # the agenda in any form, TOC included
    else:
        lines, toc = prepare_lines(doc)
        taken = toc.lines
    return "\n".join(lines[i].text for i in sorted(taken))
