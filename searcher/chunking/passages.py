"""Section → passages that fit the embedding model's window, scored back to their section.

A section that fits is one passage. A longer one is cut into units (paragraphs; a paragraph too
long becomes sentences; a sentence too long becomes word runs) and the units are packed into
overlapping windows. Every passage starts with the section's breadcrumb (or title) on its own line
so the encoder knows where the text sits; tables are spelled out as readable rows (tables.py).
Guarantee: `count_tokens(p.text) <= max_tokens` for every passage, checked on the final text,
whatever `count_tokens` is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from searcher.chunking.tables import render_tables
from searcher.records import Passage, Section

TokenCounter = Callable[[str], int]

CRUMB_SEPARATOR = " › "
MAX_PREFIX_SHARE = 0.25  # the breadcrumb may take at most this share of the window
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
SENTENCE_END = re.compile(r"(?<=[.!?:;…])\s+(?=[\"”»(\[]?[A-ZÅÄÖÉÜ0-9§•\-–])|\n")
PIECE = re.compile(r"[^\W\d_]+|\d+|[^\w\s]|_")
# Calibrated against multilingual-e5-small's XLM-R tokenizer on 3,300 random 100–500-token
# pieces of corpus-sv and the seeds (tests/chunking/test_passages.py re-checks it): the real
# count is on average 0.69 and at most 0.88 of this estimate.
LETTERS_PER_TOKEN = 3.6
TOKENS_PER_WORD = 0.6
DIGITS_PER_TOKEN = 2


def estimate_tokens(text: str) -> int:
    """A cheap upper estimate of XLM-R tokens for Swedish text (no tokenizer needed)."""
    total = 0.0
    for m in PIECE.finditer(text):
        piece = m.group(0)
        if piece[0].isdigit():
            total += math.ceil(len(piece) / DIGITS_PER_TOKEN)
        elif piece[0].isalpha():
            total += TOKENS_PER_WORD + len(piece) / LETTERS_PER_TOKEN
        else:
            total += 1
    return math.ceil(total)


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    sep: str  # what joins it to the unit before ("\n\n" between paragraphs, " " otherwise)
    tokens: int


def passage_prefix(section: Section) -> str:
    """The breadcrumb, or the title when there is none ("§ 259 …" sections)."""
    crumbs = [c for c in section.breadcrumb if c] or ([section.title] if section.title else [])
    return CRUMB_SEPARATOR.join(crumbs)


def split_passages(
    section: Section,
    *,
    max_tokens: int = 480,
    overlap_tokens: int = 64,
    count_tokens: TokenCounter | None = None,
) -> list[Passage]:
    """Passages of `section` in order, each within `max_tokens` by `count_tokens`."""
    if max_tokens < 8:
        raise ValueError(f"max_tokens must be at least 8, got {max_tokens}")
    count = count_tokens or estimate_tokens
    prefix = _fit_prefix(passage_prefix(section), max_tokens, count)
    head = f"{prefix}\n" if prefix else ""
    body = render_tables(section.text.strip())
    if count(head + body) <= max_tokens:
        return [Passage(section.section_id, 0, head + body)]
    budget = max(1, max_tokens - count(head) - 1)
    units = _units(body, budget, count)
    texts = _pack(units, head, max_tokens, min(overlap_tokens, budget // 2), count)
    return [Passage(section.section_id, i, t) for i, t in enumerate(texts)]


def _fit_prefix(prefix: str, max_tokens: int, count: TokenCounter) -> str:
    limit = int(max_tokens * MAX_PREFIX_SHARE)
    if count(prefix) <= limit:
        return prefix
    words = prefix.split()
    while words and count(" ".join(words) + " …") > limit:
        words.pop()
    return " ".join(words) + " …" if words else ""


def _units(body: str, budget: int, count: TokenCounter) -> list[_Unit]:
    """Paragraphs, or finer pieces where a paragraph alone exceeds the budget."""
    units: list[_Unit] = []
    for para in (p.strip() for p in PARAGRAPH_BREAK.split(body)):
        if not para:
            continue
        pieces = [para] if count(para) <= budget else _finer(para, budget, count)
        for n, piece in enumerate(pieces):
            sep = ("\n\n" if n == 0 else "\n" if "\t" in piece else " ") if units else ""
            units.append(_Unit(piece, sep, count(piece)))
    return units


def _finer(text: str, budget: int, count: TokenCounter) -> list[str]:
    out: list[str] = []
    for sentence in (s.strip() for s in SENTENCE_END.split(text)):
        if not sentence:
            continue
        if count(sentence) <= budget:
            out.append(sentence)
        else:
            out.extend(_word_runs(sentence, budget, count))
    return out


def _word_runs(text: str, budget: int, count: TokenCounter) -> list[str]:
    """Greedy runs of words; a single word over budget is cut into characters."""
    runs: list[str] = []
    current: list[str] = []
    for word in text.split():
        if count(word) > budget:
            if current:
                runs.append(" ".join(current))
                current = []
            runs.extend(_char_runs(word, budget, count))
            continue
        if current and count(" ".join([*current, word])) > budget:
            runs.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        runs.append(" ".join(current))
    return runs


def _char_runs(word: str, budget: int, count: TokenCounter) -> list[str]:
    runs, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start + 1 and count(word[start:end]) > budget:
            end = start + max(1, (end - start) // 2)
        runs.append(word[start:end])
        start = end
    return runs


def _pack(
    units: list[_Unit], head: str, max_tokens: int, overlap: int, count: TokenCounter
) -> list[str]:
    """Windows of consecutive units; each next window re-reads up to `overlap` tokens."""
    texts: list[str] = []
    start = 0
    while start < len(units):
        end = start + 1
        while end < len(units) and count(_join(units[start : end + 1], head)) <= max_tokens:
            end += 1
        text = _join(units[start:end], head)
        if count(text) > max_tokens:  # only possible if the prefix and one unit do not fit
            text = _join(units[start:end], "")
        texts.append(text)
        if end >= len(units):
            break
        back, used = end, 0
        while back - 1 > start and used + units[back - 1].tokens <= overlap:
            back -= 1
            used += units[back].tokens
        start = back
    return texts


def _join(units: list[_Unit], head: str) -> str:
    parts = [units[0].text] + [u.sep + u.text for u in units[1:]]
    return head + "".join(parts)
