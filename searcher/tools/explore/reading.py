"""Reading one section: its neighbours in the document, and its text split into blocks.

`text_blocks()` recovers the structure a section's plain text still carries (headings on their
own line, paragraphs between blank lines, tables as tab-separated lines) so that the terminal
and the Markdown export can show tables as tables.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from searcher.errors import BadQueryError
from searcher.records import Section

if TYPE_CHECKING:
    from searcher.engine import SearchIndex

HEADING_MAX_CHARS = 80
_NUMBER = re.compile(r"^[-−+]?\d[\d\s.,]*%?$")
_SENTENCE_END = (".", ",", ";", ":", "!", "?", "…")


@dataclass(frozen=True, slots=True)
class SectionContext:
    """A section with up to N sections before and after it in the same document."""

    section: Section
    before: tuple[Section, ...] = ()
    after: tuple[Section, ...] = ()

    def to_dict(self) -> dict:
        """The section record plus `context: {before: [...], after: [...]}`, in document order."""
        d = self.section.to_dict()
        d["context"] = {"before": [s.to_dict() for s in self.before],
                        "after": [s.to_dict() for s in self.after]}
        return d


def section_context(ix: SearchIndex, section_id: str, n: int = 0) -> SectionContext:
    """`section_id` and its `n` previous and next sections (same document, in order)."""
    if n < 0:
        raise BadQueryError(f"context must be 0 or more sections, got {n}")
    try:
        section = ix.show(section_id)
    except BadQueryError as e:
        raise BadQueryError(f"{e}; {_id_hint(ix, section_id)}") from None
    if n == 0:
        return SectionContext(section)
    siblings = ix.sections(section.doc)
    i = next(k for k, s in enumerate(siblings) if s.section_id == section.section_id)
    return SectionContext(section, tuple(siblings[max(0, i - n) : i]),
                          tuple(siblings[i + 1 : i + 1 + n]))


def _id_hint(ix: SearchIndex, section_id: str) -> str:
    stem = section_id.split("/", 1)[0]
    docs = [d["doc"] for d in ix.documents()]
    doc = next((d for d in docs if d == stem or d.rsplit(".", 1)[0] == stem), None)
    if doc is not None:
        ids = [s.section_id for s in ix.sections(doc)]
        close = difflib.get_close_matches(section_id, ids, n=3, cutoff=0.6)
        if close:
            return f"did you mean {', '.join(close)}? (all: `searcher sections {doc}`)"
        return f"list its sections with `searcher sections {doc}`"
    return "find section ids with `searcher search QUERY` or `searcher sections DOC`"


class BlockKind(str, Enum):
    heading = "heading"
    paragraph = "paragraph"
    table = "table"


@dataclass(frozen=True, slots=True)
class Block:
    """A heading or paragraph (`text`), or a table (`rows`, the first a header if `header`)."""

    kind: BlockKind
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    header: bool = False


def text_blocks(text: str) -> list[Block]:
    """Split a section's text into headings, paragraphs and tables, in order.

    Lines with a tab are table rows; a single line without a tab between two rows stays in the
    table (a sub-heading row). A lone short line without sentence punctuation is a heading.
    """
    blocks: list[Block] = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        lines = [ln.rstrip() for ln in chunk.split("\n") if ln.strip()]
        tabbed = [("\t" in ln) for ln in lines]
        for i in range(1, len(lines) - 1):
            tabbed[i] = tabbed[i] or (tabbed[i - 1] and tabbed[i + 1])
        start = 0
        for i in range(1, len(lines) + 1):
            if i == len(lines) or tabbed[i] != tabbed[start]:
                run = lines[start:i]
                blocks.append(_table(run) if tabbed[start] else _prose(run))
                start = i
    return blocks


def _prose(lines: list[str]) -> Block:
    text = "\n".join(lines)
    line = text.strip()
    if (len(lines) == 1 and len(line) <= HEADING_MAX_CHARS and not line.endswith(_SENTENCE_END)
            and (line[0].isupper() or line[0] == "§")):
        return Block(BlockKind.heading, text=line)
    return Block(BlockKind.paragraph, text=text)


def _table(lines: list[str]) -> Block:
    rows = tuple(tuple(cell.strip() for cell in ln.split("\t")) for ln in lines)
    first, rest = rows[0], rows[1:]
    header = (len(first) > 1 and not any(_NUMBER.match(c) for c in first if c)
              and any(_NUMBER.match(c) for row in rest for c in row if c))
    return Block(BlockKind.table, rows=rows, header=header)


def is_number(cell: str) -> bool:
    """True for cells like `-2 641`, `21,5`, `93 %`: right-aligned in tables."""
    return bool(_NUMBER.match(cell.strip()))
