"""The text of a document that no section holds: page headers and footers, signature lines, and
anything a chunker dropped. Not searchable (never ranked), but counted by `mentions`, whose
promise is every occurrence in every character of the document.

A source line is outside the sections when it cannot be aligned, in order, with a line of the
sections (or of the table of contents, kept on its own). Lines are compared without whitespace
and markup, so what the chunker removes or collapses there does not count as difference.
Consecutive outside lines stay together (a name wrapped over two header lines is still found);
separate runs are joined by `GAP`, which no term's separator can cross.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from searcher.records import Document, Section

GAP = "\n…\n"
#: Above this many lines per side the alignment is done greedily in one pass (linear time).
MAX_ALIGN_LINES = 20_000
LOOKAHEAD = 200  # lines of the sections searched for a source line by the greedy aligner
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,10}\s*/?>")
#: Markup characters a chunker may drop (Markdown emphasis and headings); removed from keys.
_MARKUP = re.compile(r"[*#_`|\uf0b7]+")


def _key(line: str) -> str:
    if "<" in line:
        line = _TAG.sub(" ", line)
    key = "".join(line.split()).lower()
    return _MARKUP.sub("", key) if _MARKUP.search(key) else key


def outside_sections(doc: Document, sections: list[Section], toc: str = "") -> str:
    """The document's lines that neither a section nor the TOC holds, runs joined by GAP."""
    raw = [ln for ln in doc.text.splitlines() if _key(ln)]
    held = [k for s in sections for ln in s.text.splitlines() if (k := _key(ln))]
    toc_keys = [k for ln in toc.splitlines() if (k := _key(ln))]
    keys = [_key(ln) for ln in raw]
    in_toc = _aligned(keys, toc_keys) if toc_keys else set()
    rest = [i for i in range(len(keys)) if i not in in_toc]
    covered = in_toc | {rest[j] for j in _aligned([keys[i] for i in rest], held)}
    runs: list[list[str]] = []
    previous = -2
    for i, line in enumerate(raw):
        if i in covered:
            continue
        if i != previous + 1 or not runs:
            runs.append([])
        runs[-1].append(line.strip())
        previous = i
    return GAP.join("\n".join(run) for run in runs)


def _aligned(keys: list[str], held: list[str]) -> set[int]:
    """Indices of `keys` matched, in order, to lines of `held`; inside an unmatched stretch, a
    line counts as held when it continues a held line there (a paragraph joined over a page
    break: `… vilket och` | furniture | `göra. Det är …` is one held line)."""
    if len(keys) > MAX_ALIGN_LINES or len(held) > MAX_ALIGN_LINES:
        return _greedy(keys, held)
    covered: set[int] = set()
    sm = SequenceMatcher(None, keys, held, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            covered.update(range(i1, i2))
        elif op == "replace":
            covered |= _pieces(keys, i1, i2, held[j1:j2])
    return covered


def _pieces(keys: list[str], i1: int, i2: int, gap: list[str]) -> set[int]:
    """Lines keys[i1:i2] that, in order, spell out the held lines of `gap` piece by piece."""
    covered: set[int] = set()
    line, pos = 0, 0
    for i in range(i1, i2):
        if line >= len(gap):
            break
        if gap[line].startswith(keys[i], pos):
            covered.add(i)
            pos += len(keys[i])
            if pos >= len(gap[line]):
                line, pos = line + 1, 0
    return covered


def _greedy(keys: list[str], held: list[str]) -> set[int]:
    """One pass for very long documents: each line looked up a little way ahead."""
    covered, j = set(), 0
    for i, key in enumerate(keys):
        try:
            k = held.index(key, j, j + LOOKAHEAD)
        except ValueError:
            continue
        covered.add(i)
        j = k + 1
    return covered


#: Between the TOC and the other outside text in the store's one `toc` column.
OUTSIDE_MARK = "\n…\f…\n"


def outside_text(doc: Document, sections: list[Section], toc: str) -> str:
    """What the store keeps beside the sections: the TOC, then the other outside text."""
    rest = outside_sections(doc, sections, toc)
    return f"{toc}{OUTSIDE_MARK}{rest}" if rest else toc


def split_outside(stored: str) -> tuple[str, str]:
    """(TOC text, other outside text) of what `outside_text` made (an older store: TOC only)."""
    toc, _, rest = stored.partition(OUTSIDE_MARK)
    return toc, rest
