"""Text without structure (one enormous line) still becomes sections of readable size."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.chunking import split_document
from searcher.chunking.clean.blocks import MAX_BLOCK_CHARS, Block, split_huge
from searcher.records import Document, DocumentMeta

SENTENCES = ["Nämnden beslutade att anta planen. ", "Kostnaderna ökade med 5 procent. ",
             "Det är bra ", "§ 12 gäller. "]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=0, max_size=800))
def test_split_huge_keeps_every_word_and_bounds_sizes(parts):
    text = "".join(parts)
    pieces = split_huge(Block((text,), 7))
    assert all(len(p.text) <= MAX_BLOCK_CHARS for p in pieces)
    assert flat(" ".join(p.text for p in pieces)) == flat(text)
    assert pieces[0].start == 7


def test_a_one_line_megabyte_document_gives_many_sections():
    text = "".join(SENTENCES[i % 3] for i in range(30_000))  # ~1 MB, no line break
    doc = Document("dump.txt", text, meta=DocumentMeta(doc_type="övrigt"))
    sections = split_document(doc)
    assert len(sections) > 100
    assert max(len(s.text) for s in sections) <= 2 * MAX_BLOCK_CHARS
    assert flat(" ".join(s.text for s in sections)) == flat(text)
