"""Identifier-aware tokenizer: `Balans-22`, `Dnr 2022-00295`, `§ 259`, `3 000` whole and in parts.

Index mode, for one identifier (a *unit*), emits stacked tokens:

| position | tokens (before lowercasing/stemming)                                   |
| -------- | ----------------------------------------------------------------------- |
| p        | whole (`Balans-22`), first part (`Balans`), joined (`Balans22`), keys   |
| p+1 …    | the next parts (`22`)                                                   |

so a term query for the whole form, the joined form or a Dnr key hits position p, and a phrase of
the parts (`"Balans 22"`) lines up with p, p+1. Query mode (``mode="query"``): a text that is a
single unit yields its *query form* only (the whole token, or the Dnr key); a longer text (a
phrase) yields the parts, which is what the index holds at consecutive positions.

Dnr keys normalise separators and leading zeros: `2022-00295`, `2022/295` → key `2022/295`;
a prefix or label before the number is glued on: `KS 2022/123`, `KS/2022/0123` → `ks2022/123`,
`Dnr 2022-00295` → `dnr2022/295` (indexed beside the unprefixed key of the number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum

from whoosh.analysis import Token, Tokenizer


class TokenKind(str, Enum):
    """What a token stands for; filters decide by kind (stop words and stems: words, parts)."""

    WORD = "word"  # a plain word or number, one position
    PART = "part"  # one part of an identifier, own position
    WHOLE = "whole"  # the identifier as written (spaces dropped, dashes unified)
    JOINED = "joined"  # hyphenated parts glued together: balans22, etjänster
    KEY = "key"  # normalised Dnr key: 2022/295, ks2022/123


STOPPABLE_KINDS = frozenset({TokenKind.WORD.value, TokenKind.PART.value})

_H = r"[ \u00a0\u202f]"  # a space inside one identifier (never a line break)
_NUM_DNR = r"(?:19|20)[0-9]{2}[-/][0-9]+(?:[-/][0-9]+){0,2}(?![0-9])"

# (group name, pattern), tried in this order at each position; the first that matches wins.
UNIT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("url", r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?]"),
    ("email", r"[^\W_][\w.+-]*@[^\W_][\w-]*(?:\.[\w-]+)*\.[^\W\d_]{2,}"),
    ("com", r"\b(?:COM|SEC|SWD)" + _H + r"?\(" + _H + r"?[0-9]{4}" + _H + r"?\)" + _H
            + r"?[0-9]+"),
    ("sfs", r"\bSFS" + _H + r"?[0-9]{4}:[0-9]+"),
    ("kap", r"\b[0-9]+" + _H + r"?kap\.?" + _H + r"?[0-9]+(?:" + _H + r"?[a-z])?" + _H
            + r"?§(?!§)"),
    ("para", r"§§?" + _H + r"?[0-9]+(?:" + _H + r"?[a-z](?![^\W_]))?"
             r"(?:" + _H + r"?[-–]" + _H + r"?[0-9]+(?:" + _H + r"?[a-z](?![^\W_]))?)?"),
    ("parapost", r"\b[0-9]+(?:" + _H + r"?[a-z])?" + _H + r"?§(?!§)"),
    ("dnr", r"\b(?:(?:[A-ZÅÄÖ]{2,6}|(?i:dnr|diarienr|diarienummer))" + _H
            + r"|(?i:[a-zåäö]{2,6})[/-]?)" + _NUM_DNR),
    ("abbrgen", r"\b[A-ZÅÄÖ][A-ZÅÄÖ0-9]+:(?:s|n|en|et|er|erna|ar|arna|na)\b"),  # KPMG:s, EU:s
    ("thousands", r"(?<![0-9,.])[0-9]{1,3}(?:" + _H + r"[0-9]{3})+(?:,[0-9]+)?(?![0-9]|,[0-9])"),
    ("ident", r"[^\W_]+(?:(?:[-/–]|(?<=[0-9])[.,:](?=[0-9]))[^\W_]+)*"),
)
UNIT_RE = re.compile("|".join(f"(?P<{name}>{pat})" for name, pat in UNIT_PATTERNS))

# Parts of a unit: numbers (a decimal comma stays inside), letter runs, § signs.
_PART_RE = re.compile(r"[0-9]+(?:,[0-9]+)?|\d+|[^\W\d_]+|§+")
_DASHES = str.maketrans(
    {"–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": "", "\u202f": "", " ": ""}
)
_DNR_WORD_RE = re.compile(r"((?:19|20)[0-9]{2})[-/]([0-9]+(?:[-/][0-9]+){0,2})")

# One emitted token: (text, position offset in the unit, start char, end char, kind).
Emission = tuple[str, int, int, int, str]


def dnr_key(number: str) -> str | None:
    """`2022-00295` → `2022/295`; None when the text is not a year-first case number."""
    m = _DNR_WORD_RE.fullmatch(number)
    if not m:
        return None
    groups = re.split(r"[-/]", m.group(2))
    return "/".join([m.group(1), *(g.lstrip("0") or "0" for g in groups)])


def _parts(text: str, start: int) -> list[tuple[str, int, int]]:
    return [(m.group(), start + m.start(), start + m.end()) for m in _PART_RE.finditer(text)]


def _word(text: str, start: int, end: int, offset: int = 0) -> tuple[list[Emission], str]:
    """Emissions and query form of one space-free word (plain or identifier)."""
    parts = _parts(text, start)
    if len(parts) <= 1:
        text = text.translate(_DASHES)
        return [(text, offset, start, end, "word")], text
    whole = text.translate(_DASHES).lower()
    out: list[Emission] = [(whole, offset, start, end, "whole")]
    query_form = whole
    key = dnr_key(whole)
    if key is not None:
        query_form = key
        if key != whole:
            out.append((key, offset, start, end, "key"))
    elif "-" in whole and any(c.isalpha() for c in whole):
        joined = "".join(p for p, _, _ in parts).lower()
        if joined != whole:
            out.append((joined, offset, start, end, "joined"))
    for i, (p, s, e) in enumerate(parts):
        out.append((p, offset + i, s, e, "part"))
    return out, query_form


def _unit(kind: str, text: str, start: int, end: int) -> tuple[list[Emission], str]:
    """Emissions (sorted by offset) and query form of one unit matched by UNIT_RE's group `kind`."""
    if kind == "ident":
        return _word(text, start, end)
    if kind == "abbrgen":  # the abbreviation itself is the word: KPMG:s → KPMG
        word = text[: text.index(":")]
        return [(word, 0, start, start + len(word), "word")], word
    parts = _parts(text, start)
    if kind == "thousands":
        whole = "".join(p for p, _, _ in parts)
        out = [(whole, 0, start, end, "whole")]
    elif kind in ("url", "email"):
        whole = text.lower()
        out = [(whole, 0, start, end, "whole")]
    elif kind in ("dnr", "sfs", "para") and len(parts) > 1:
        # A prefix/label/§ sign, then a number identifier that is also indexed on its own.
        head = parts[0]
        rest_start = parts[1][1]  # the number starts at the second part
        rest = text[rest_start - start:]
        sub, _ = _word(rest, rest_start, end, offset=1)
        whole = head[0].lower() + rest.translate(_DASHES).lower()
        out = [(whole, 0, start, end, "whole")]
        query_form = whole
        if kind == "dnr":
            key = head[0].lower() + (dnr_key(rest.translate(_DASHES)) or "")
            query_form = key
            if key != whole:
                out.append((key, 0, start, end, "key"))
        out.append((head[0], 0, head[1], head[2], "part"))
        if sub[0][4] == "word":  # a one-part number (§ 259): its part is already the word
            out.append((sub[0][0], 1, sub[0][2], sub[0][3], "part"))
        else:
            out.extend(sub)
        out.sort(key=lambda em: em[1])
        return out, query_form
    else:  # com, kap, parapost: the whole without spaces
        whole = text.translate(_DASHES).lower().replace(".", "")
        out = [(whole, 0, start, end, "whole")]
    out.extend((p, i, s, e, "part") for i, (p, s, e) in enumerate(parts))
    return out, whole


class IdentifierTokenizer(Tokenizer):
    """Tokenizer for Swedish administrative text that knows identifiers (see the module docstring).

    Sets ``token.kind`` (a TokenKind value) on every token, and ``token.lone`` (True when a
    query-mode text is one unit), which CompoundFilter uses to split only lone query words.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def index_units(self, value: str) -> list[tuple[str, int, str]]:
        """(text, position, kind) of each token that index mode yields for `value` (positions
        from 0): the loop of __call__ below without a Token per token, for indexing whole
        documents (searcher.lexical.prepared)."""
        out: list[tuple[str, int, str]] = []
        append = out.append
        pos = 0
        for m in UNIT_RE.finditer(value):
            text = m.group()
            kind = m.lastgroup
            if kind == "ident" and (text.isalpha() or text.isdigit()):  # fast path: plain word
                append((text, pos, "word"))
                pos += 1
                continue
            emissions, _ = _unit(kind, text, m.start(), m.end())
            width = 0
            for etext, off, _s, _e, ekind in emissions:
                append((etext, pos + off, ekind))
                width = max(width, off + 1)
            pos += width
        return out

    def __call__(  # noqa: PLR0913 - whoosh's tokenizer signature
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.lone = False
        if not tokenize:
            t.original = t.text = value
            t.kind = "word"
            t.pos, t.startchar, t.endchar = start_pos, start_char, start_char + len(value)
            yield t
            return
        query = mode == "query"
        matches = list(UNIT_RE.finditer(value)) if query else UNIT_RE.finditer(value)
        if query and len(matches) == 1:
            m = matches[0]
            _, query_form = _unit(m.lastgroup, m.group(), m.start(), m.end())
            t.text = query_form
            t.kind = "word" if query_form == m.group() else "whole"
            t.lone = True
            t.pos, t.startchar, t.endchar = start_pos, start_char + m.start(), start_char + m.end()
            if keeporiginal:
                t.original = m.group()
            yield t
            return
        pos = start_pos
        for m in matches:
            text = m.group()
            kind = m.lastgroup
            if kind == "ident" and (text.isalpha() or text.isdigit()):  # fast path: plain word
                t.text, t.kind, t.pos, t.boost, t.stopped = text, "word", pos, 1.0, False
                t.startchar, t.endchar = start_char + m.start(), start_char + m.end()
                if keeporiginal:
                    t.original = text
                pos += 1
                yield t
                continue
            emissions, _ = _unit(kind, text, m.start(), m.end())
            width = 0
            for etext, off, s, e, ekind in emissions:
                if query and ekind != "part" and ekind != "word":
                    continue  # a phrase: only the parts, one per position
                t.text, t.kind, t.pos, t.boost, t.stopped = etext, ekind, pos + off, 1.0, False
                t.startchar, t.endchar = start_char + s, start_char + e
                if keeporiginal:
                    t.original = etext
                width = max(width, off + 1)
                yield t
            pos += width
