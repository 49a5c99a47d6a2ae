"""Lines → blocks (paragraphs, tables, lists) and the line-shape tests every chunker shares.

A block is a run of non-blank lines. A paragraph cut by a page break ("… kommer behöva" | page
furniture | "göra. Det är dock …") is joined back into one block. Texts extracted without blank
lines between paragraphs (pdftotext, pypdf) are cut into blocks at heading-like lines instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searcher.chunking.clean.furniture import Line

SENTENCE_END = '.!?:;…)»”"'
BULLET = re.compile(r"^\s*(?:[-–•●■▪*]|\d{1,2}[.)]|[a-z][.)])\s")
PROSE_MIN = 30
WRAP_MIN, WRAP_MAX = 50, 130  # plausible widths of a wrapped PDF text line
HEADING_WIDTH_SHARE = 0.7  # inside wrapped text a heading is clearly shorter than a full line
HEADING_MAX_CHARS = 90
HEADING_MAX_WORDS = 12
# "Arbete och lärande: 4,8 (4,6)", "Stolthet: 4,4" — a label with a figure is data, not a heading.
LABELLED_FIGURE = re.compile(r"^[^:]{1,60}:\s*[-−–+]?[\d\s,.%()/−–-]+$")
FIGURE_TAIL = re.compile(r"\d+(?:,\d+)?\s*\(\d+(?:,\d+)?\)$")
ISO_DATE = re.compile(r"\b\d{4}-\d\d-\d\d\b")  # "… mätdatum 2020-11-01 …" is a note, not a heading
WORDY_DATE = re.compile(
    r"\b\d{1,2} (?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|"
    r"november|december) \d{4}\b",
    re.I,
)
ON_BEHALF = re.compile(r"^(?:På|För) .{3,60} vägnar$")
OPEN_ENDINGS = frozenset(
    "och eller att för av i med som till om på de den det en ett från vid under över mot "
    "är har kan ska samt men inom enligt efter".split()
)
PERSON_NAME = re.compile(
    r"[A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?"
    r"(?: [A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?){1,2}"
)
ROLE_WORDS = re.compile(
    r"chef|direktör|ordförande|sekreterare|handläggare|samordnare|strateg|controller|ekonom", re.I
)


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, table or list: its lines and where it starts in the source."""

    lines: tuple[str, ...]
    start: int
    after_break: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def first(self) -> str:
        return self.lines[0].strip()


def make_blocks(lines: list[Line], width: int | None = None) -> list[Block]:
    """Group lines into blocks, joining a paragraph that a page break cut mid-sentence;
    `width` is the document's wrap width when `lines` is only a part of it."""
    width = wrap_width(lines) if width is None else width
    blocks: list[Block] = []
    run: list[Line] = []

    def flush() -> None:
        if run:
            blocks.extend(_split_run(run, width))
            run.clear()

    for line in lines:
        if line.text.strip():
            if line.after_break:
                flush()
            run.append(line)
        else:
            flush()
    flush()
    return [piece for b in _join_page_breaks(blocks) for piece in split_huge(b)]


MAX_BLOCK_CHARS = 4000  # a "paragraph" longer than this is text without structure (one line)
TARGET_BLOCK_CHARS = 2000
_CUT = re.compile(r"(?<=[.!?…])\s+(?=[\"”»(]?[A-ZÅÄÖ0-9§])")


def split_huge(block: Block) -> list[Block]:
    """Cut a block far longer than any paragraph (a file with no line breaks, a text dump) at
    sentence ends near TARGET_BLOCK_CHARS, so no section becomes megabytes long."""
    text = block.text
    if len(text) <= MAX_BLOCK_CHARS:
        return [block]
    out: list[Block] = []
    pos = 0
    while len(text) - pos > MAX_BLOCK_CHARS:
        window = text[pos + TARGET_BLOCK_CHARS // 2 : pos + MAX_BLOCK_CHARS]
        m = None
        for m in _CUT.finditer(window):
            if m.start() >= TARGET_BLOCK_CHARS // 2:
                break
        if m is None:
            space = window.rfind(" ", 0, TARGET_BLOCK_CHARS)
            cut, nxt = (space, space + 1) if space > 0 else (len(window), len(window))
        else:
            cut, nxt = m.start(), m.end()
        base = pos + TARGET_BLOCK_CHARS // 2
        out.append(_piece(text[pos : base + cut], block, pos, first=not out))
        pos = base + nxt
    out.append(_piece(text[pos:], block, pos, first=not out))
    return out


def _piece(text: str, block: Block, offset: int, *, first: bool) -> Block:
    return Block(tuple(text.split("\n")), block.start + offset, block.after_break and first)


def wrap_width(lines: list[Line]) -> int | None:
    """The width at which prose was wrapped (pdftotext, pypdf), or None for unwrapped text."""
    prose = sorted(
        n for ln in lines if (n := len(ln.text.strip())) >= PROSE_MIN and "\t" not in ln.text
    )
    if len(prose) < 20:
        return None
    width = prose[int(0.9 * len(prose))]
    near = sum(1 for n in prose if 0.8 * width <= n <= 1.05 * width)
    return width if WRAP_MIN <= width <= WRAP_MAX and near > 0.4 * len(prose) else None


def _block(run: list[Line]) -> Block:
    return Block(tuple(ln.text for ln in run), run[0].start, run[0].after_break)


def _split_run(run: list[Line], width: int | None) -> list[Block]:
    """Cut a run of lines before each heading-like line (short, after a finished sentence)."""
    if len(run) == 1:
        return [_block(run)]
    out: list[Block] = []
    cur: list[Line] = []

    def heading(text: str) -> bool:
        short = width is None or len(text.strip()) < HEADING_WIDTH_SHARE * width
        return short and is_heading_shape(text)

    for i, line in enumerate(run):
        nxt = run[i + 1].text.strip() if i + 1 < len(run) else ""
        prev = cur[-1].text.strip() if cur else ""
        body_follows = (
            bool(nxt) and not is_table_line(nxt) and (nxt[0].isupper() or nxt[0] in "•●-–")
        )
        starts_new = (
            bool(cur)
            and heading(line.text)
            and body_follows
            and (prev[-1] in SENTENCE_END or "\t" in prev or len(cur) == 1 and heading(prev))
        )
        ends_heading = (
            len(cur) == 1
            and heading(cur[0].text)
            and not starts_new
            and (len(run) > 2 and not BULLET.match(line.text) and not is_table_line(line.text))
        )
        if starts_new or ends_heading:
            out.append(_block(cur))
            cur = []
        cur.append(line)
    if cur:
        out.append(_block(cur))
    return out


def _join_page_breaks(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and b.after_break
            and prev.lines[-1].strip()[-1:] not in SENTENCE_END
            and b.first[:1].islower()
            and "\t" not in prev.lines[-1]
        ):
            joined = prev.lines[:-1] + (prev.lines[-1].rstrip() + " " + b.lines[0].lstrip(),)
            out[-1] = Block(joined + b.lines[1:], prev.start, prev.after_break)
        else:
            out.append(b)
    return out


def is_table_line(text: str) -> bool:
    return "\t" in text.strip("\n") and bool(text.strip())


def is_heading_shape(text: str) -> bool:
    """A short line that could be a heading: capital start, no final punctuation, no cells."""
    s = text.strip()
    if not s or len(s) > HEADING_MAX_CHARS or len(s.split()) > HEADING_MAX_WORDS:
        return False
    if "\t" in text.strip() or BULLET.match(s) or s[-1] in ".,;:!?" or ISO_DATE.search(s):
        return False
    if not s or not (s[0].isupper() or s[0].isdigit()):
        return False
    if LABELLED_FIGURE.match(s) or FIGURE_TAIL.search(s) or s.endswith("-"):
        return False
    if s.rsplit(None, 1)[-1].lower() in OPEN_ENDINGS:  # "… risk- och" is a wrapped line
        return False
    if WORDY_DATE.search(s) or ON_BEHALF.match(s):  # "Stockholm den 2 maj 2019": a signature
        return False
    return sum(ch.isalpha() for ch in s) >= 3


def is_signature(block: Block, following: Block | None) -> bool:
    """ "Per Sandberg" followed by "Förvaltningschef …": a signed name, not a heading."""
    if len(block.lines) == 1 and PERSON_NAME.fullmatch(block.first):
        return following is not None and bool(ROLE_WORDS.search(following.first))
    return False


def block_text(blocks: list[Block]) -> str:
    """Blocks joined by a blank line: the section text as indexed."""
    return "\n\n".join(b.text.strip("\n") for b in blocks)
