"""Blocks → an outline of parts, each under its heading path; shared by report and generic.

Plain text has no heading levels, so levels are inferred:
- a heading with body text directly below it opens a part; headings with no body between them
  (e.g. "Ekonomisk redovisning / Analys av årets utfall / Driftredovisning") form a group whose
  last heading is the part's title and whose others are its breadcrumb;
- the group's leading headings also become the context of later parts, replacing as many
  trailing context entries as the group brings (siblings replace siblings);
- headings that recur in the document ("Uppdrag", "Framtid och omvärld") are labels, not context;
- Markdown "#" headings carry their level and use it instead;
- the lines under an "Uppdrag" label (task titles and their reports) stay in one part until a
  table, a heading group or a top-level heading ends them.
Small parts are merged into their previous sibling so no section is a lone sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from searcher.chunking.clean.blocks import Block, is_heading_shape, is_signature, is_table_line

MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+[A-ZÅÄÖ]")
UPPDRAG_LABEL = re.compile(r"uppdrag:?", re.I)
# "Figur 3. Antal elever", "Tabell 2 Kostnader", "Diagram 1:": a numbered caption, no heading
CAPTION = re.compile(r"^(?:figur|fig\.|tabell|diagram|bild|karta|graf|bilaga)\s*\d{1,3}\b", re.I)
LINK = re.compile(r"https?://|\bwww\.|\.se/|@[a-z0-9-]+\.[a-z]{2,}", re.I)
FOOTNOTE_TAIL = re.compile(r"(?<=[a-zåäö)])\d{1,2}$")  # "Ekonomisk översikt3": a footnote mark
MIN_PART_CHARS = 300
MAX_MERGED_CHARS = 3000
TINY_PART_CHARS = 80
MAX_CONTEXT = 3  # deeper inferred nesting is more likely noise (list items) than structure
MAX_GROUP_CRUMBS = 3
INTRO_MAX_CHARS = 250  # a one-sentence goal between a heading and its first sub-heading


@dataclass
class Part:
    """Blocks under one heading path; `top` is the TOC entry the part belongs to, if any."""

    crumbs: tuple[str, ...]
    blocks: list[Block] = field(default_factory=list)
    top: str | None = None
    opens_top: bool = False

    @property
    def title(self) -> str:
        return self.crumbs[-1] if self.crumbs else ""

    @property
    def size(self) -> int:
        return sum(len(ln) for b in self.blocks for ln in b.lines)


def heading_text(block: Block) -> str:
    m = MARKDOWN_HEADING.match(block.first)
    return m.group(2).strip() if m else block.first


def clean_title(text: str) -> str:
    """A heading as a title: a footnote number glued to its last word dropped."""
    return FOOTNOTE_TAIL.sub("", text.strip()).rstrip()


def cut_long(part: Part, max_chars: int, target_chars: int) -> list[Part]:
    """A part over `max_chars` becomes several with the same crumbs, cut between blocks."""
    if part.size <= max_chars or len(part.blocks) < 2:
        return [part]
    pieces: list[list[Block]] = [[]]
    size = 0
    for block in part.blocks:
        chars = sum(len(ln) for ln in block.lines)
        if pieces[-1] and size + chars > target_chars and size >= target_chars // 4:
            pieces.append([])
            size = 0
        pieces[-1].append(block)
        size += chars
    if len(pieces) > 1 and sum(len(ln) for b in pieces[-1] for ln in b.lines) < target_chars // 4:
        pieces[-2].extend(pieces.pop())
    return [
        Part(part.crumbs, blocks, part.top, part.opens_top and n == 0)
        for n, blocks in enumerate(pieces)
    ]


def _level(block: Block) -> int | None:
    """Explicit heading level: Markdown "##" or a section number "4.2.1 Title"."""
    m = MARKDOWN_HEADING.match(block.first)
    if m:
        return len(m.group(1))
    n = NUMBERED_HEADING.match(block.first)
    return n.group(1).count(".") + 1 if n else None


def classify(blocks: list[Block]) -> list[bool]:
    """True for blocks that can be headings: one short line, followed by something, no signature."""
    flags = []
    for i, b in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        prev = blocks[i - 1] if i else None
        ok = len(b.lines) == 1 and nxt is not None
        ok = ok and (_level(b) is not None or is_heading_shape(b.first))
        ok = ok and not CAPTION.match(b.first) and not LINK.search(b.first)
        ok = ok and not is_signature(b, nxt) and not (prev is not None and is_signature(prev, b))
        flags.append(ok)
    return flags


@dataclass
class _State:
    top: str | None = None
    context: list[str] = field(default_factory=list)
    md_stack: list[tuple[int, str]] = field(default_factory=list)


def build_outline(blocks: list[Block], tops: dict[int, str] | None = None) -> list[Part]:
    """Parts in source order; every block lands in exactly one part."""
    tops = tops or {}
    heads = classify(blocks)
    labels = _recurring(blocks, heads, tops)
    state = _State()
    parts: list[Part] = [Part(crumbs=())]
    pending: list[int] = []  # a heading group being collected (headings and short intros)
    uppdrag = False
    for i, block in enumerate(blocks):
        nxt_head = i + 1 < len(blocks) and heads[i + 1]
        if i in tops:
            parts[-1].blocks.extend(blocks[j] for j in pending)
            pending = [i]
            state = _State(top=tops[i])
            uppdrag = False
            continue
        is_head = heads[i]
        if is_head and uppdrag and not pending:
            # A task title under "Uppdrag" is body, unless a new heading group starts here.
            is_head = nxt_head and not UPPDRAG_LABEL.fullmatch(blocks[i + 1].first)
        if is_head:
            pending.append(i)
            continue
        if (
            pending
            and _is_intro(block)
            and nxt_head
            and not uppdrag
            and (state.top, heading_text(blocks[i + 1]).lower()) in labels
            and not any(not heads[j] for j in pending if j not in tops)
        ):
            pending.append(i)  # "Attraktiv arbetsgivare / <one-sentence goal> / Riktningens …"
            continue
        if pending:
            parts.append(_open_part(blocks, pending, heads, tops, labels, state))
            uppdrag = any(UPPDRAG_LABEL.fullmatch(blocks[j].first) for j in pending)
            pending = []
        parts[-1].blocks.append(block)
        if uppdrag and is_table_line(block.lines[-1]):
            uppdrag = False
    parts[-1].blocks.extend(blocks[j] for j in pending)
    return merge_small([p for p in parts if p.blocks])


def _is_intro(block: Block) -> bool:
    return len(block.lines) == 1 and len(block.first) <= INTRO_MAX_CHARS and "\t" not in block.first


def _recurring(
    blocks: list[Block], heads: list[bool], tops: dict[int, str]
) -> set[tuple[str | None, str]]:
    """(top, heading) pairs seen twice or more under one top: labels such as "Uppdrag"."""
    counts: Counter[tuple[str | None, str]] = Counter()
    top = None
    for i, (b, h) in enumerate(zip(blocks, heads, strict=True)):
        top = tops.get(i, top)
        if h:
            counts[(top, heading_text(b).lower())] += 1
    return {k for k, n in counts.items() if n >= 2}


def _open_part(
    blocks: list[Block],
    pending: list[int],
    heads: list[bool],
    tops: dict[int, str],
    labels: set[tuple[str | None, str]],
    state: _State,
) -> Part:
    opens_top = pending[0] in tops
    part_blocks = [blocks[j] for j in pending]
    heading_ids = [j for j in pending[1 if opens_top else 0 :] if heads[j]]
    texts = [heading_text(blocks[j]) for j in heading_ids]
    base: tuple[str, ...] = (
        (tops[pending[0]],) if opens_top else ((state.top,) if state.top else ())
    )
    levels = [_level(blocks[j]) for j in heading_ids]
    for lv, text in zip(levels, texts, strict=True):
        if lv is not None:  # a numbered or "#" heading restarts the inferred context below it
            state.md_stack = [(lev, t) for lev, t in state.md_stack if lev < lv] + [(lv, text)]
            state.context = []
    explicit = tuple(t for _, t in state.md_stack)
    implicit = [t for lv, t in zip(levels, texts, strict=True) if lv is None]
    if not texts or not implicit:
        return Part(base + explicit or base, part_blocks, state.top, opens_top)
    last_is_implicit = levels[-1] is None
    prefix = (implicit[:-1] if last_is_implicit else implicit)[-MAX_GROUP_CRUMBS:]
    fresh = [t for t in prefix if (state.top, t.lower()) not in labels]
    kept = state.context[: max(0, len(state.context) - len(fresh))] if fresh else state.context
    title = (implicit[-1],) if last_is_implicit else ()
    crumbs = base + explicit + tuple(kept) + tuple(prefix) + title
    state.context = (kept + fresh)[-MAX_CONTEXT:]
    return Part(crumbs, part_blocks, state.top, opens_top)


def merge_small(parts: list[Part]) -> list[Part]:
    """Fold parts under MIN_PART_CHARS into a sibling: the previous one, else the next one."""
    out: list[Part] = []
    carry: list[Block] = []  # a small part waiting to open the next sibling
    carried_top = False
    for n, p in enumerate(parts):
        if carry:
            p.blocks[:0] = carry
            carry = []
            p.opens_top = p.opens_top or carried_top
        carried_top = False
        prev = out[-1] if out else None
        nxt = parts[n + 1] if n + 1 < len(parts) else None
        same_top = prev is not None and not p.opens_top and p.top == prev.top
        if (
            prev is not None
            and same_top
            and (
                (
                    p.size < MIN_PART_CHARS
                    and _siblings(p, prev)
                    and prev.size + p.size <= MAX_MERGED_CHARS
                )
                or p.size < TINY_PART_CHARS
            )
        ):
            prev.blocks.extend(p.blocks)
        elif (
            p.size < MIN_PART_CHARS
            and nxt is not None
            and (
                not p.crumbs
                or n == 0  # a title page: "Motion till riksdagen / 2018/19:477 / av …"
                or p.size < TINY_PART_CHARS
                or (not nxt.opens_top and (_siblings(p, nxt) or (p.opens_top and nxt.top == p.top)))
            )
        ):
            carry = p.blocks  # e.g. a short cover page, or "Investeringsprojekt" + one line
            carried_top = p.opens_top
        else:
            out.append(p)
    if carry:
        out.append(Part((), carry))
    return _fold_leftovers(out)


def _fold_leftovers(parts: list[Part]) -> list[Part]:
    """Second pass: a part still under MIN_PART_CHARS joins whatever precedes it in its top."""
    out: list[Part] = []
    for p in parts:
        prev = out[-1] if out else None
        if (
            prev is not None
            and p.size < MIN_PART_CHARS
            and not p.opens_top
            and p.top == prev.top
            and prev.size + p.size <= MAX_MERGED_CHARS
        ):
            prev.blocks.extend(p.blocks)
        else:
            out.append(p)
    return out


def _siblings(a: Part, b: Part) -> bool:
    return a.top == b.top and a.crumbs[:-1] == b.crumbs[:-1]
