"""Sections into the whoosh index: create it, add or replace sections, delete documents."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index

from searcher.lexical.schema import build_schema, section_fields
from searcher.records import Section

# NOT_COMPOUND: segments stay separate files. whoosh reads a compound segment by copying each
# of its files into memory on every open (the whole postings file: ~0.5 s and its size in RAM
# for a cold `searcher search` at 1,000 documents); separate files are read where needed.


def create(path: Path) -> None:
    """Create an empty lexical index at path."""
    path.mkdir(parents=True, exist_ok=True)
    whoosh_index.create_in(str(path), build_schema())


def add_sections(path: Path, sections: Iterable[Section], *, limitmb: int = 256) -> int:
    """Add (or replace, by section_id) sections in one commit; returns how many."""
    ix = whoosh_index.open_dir(str(path))
    writer = ix.writer(limitmb=limitmb, compound=False)  # see NOT_COMPOUND
    n = 0
    try:
        for section in sections:
            writer.update_document(**section_fields(section))
            n += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return n


def delete_docs(path: Path, docs: Iterable[str]) -> None:
    """Remove every section of the given documents in one commit."""
    ix = whoosh_index.open_dir(str(path))
    writer = ix.writer(compound=False)
    for doc in docs:
        writer.delete_by_term("doc", doc)
    writer.commit()
