"""§ header candidates of any kommun's layout, and the choice of the real ones by their evidence.

A candidate is a line that could open a §: `§ 12`, `§39`, `§ 12 a`, `KS-AU § 12`,
`Kommunfullmäktige § 12`, `Tekniska nämnden § 5`, `## **§ 92**`, `- § 107`, with nothing, a Dnr,
a title or both after the number; OCR'd signs (`$ 50`, `8 50`) are weak candidates. Each one gets
a score from its form, and `select_headers` picks the increasing run of § numbers with the most
evidence (dynamic programming): numbers that follow each other, numbers the agenda or the
"Paragrafer §§ 94-110" line announce, and the form most headers of the document share. So a list
inside a § that quotes other paragraphs (`§ 67 2026.142 KS Revidering …`), a quoted reglemente
(`§ 1 Uppgifter`) or an agenda line repeated later loses to the real sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from searcher.chunking.protocol.dnr import find_dnr

MD_DECORATION = re.compile(r"^\s*(?:>\s*)*(?P<heading>#{1,6}\s+)?(?P<item>[-*+]\s+)?")
EMPHASIS = re.compile(r"\*\*|__")
HEADER = re.compile(
    r"^(?P<prefix>[^§$]{0,60}?)(?P<sign>§\s*|\$\s*|8\s+)(?P<num>\d{1,4})"
    r"(?:\s?(?P<suffix>[a-z])(?=\s*$|\s+[A-ZÅÄÖ0-9]))?"
    r"(?![\d/:,)\]]|[.\-–]\d|\s*§)(?P<rest>.*)$"
)
# "KS", "KS-AU", "KSAU", "KSau", "BUN", "Bun/AU": at least two capitals, no ordinary word
ABBREVIATION = re.compile(
    r"(?=(?:[^A-ZÅÄÖ]*[A-ZÅÄÖ]){2})[A-ZÅÄÖ][A-ZÅÄÖa-zåäö]{0,5}(?:[-/ ][A-ZÅÄÖ][A-ZÅÄÖa-zåäö]{0,5})?"
)
ORGAN_NAME = re.compile(
    r"[A-ZÅÄÖ][\wåäö\-]*(?:\s+(?:och\s+)?[\wåäö\-]+){0,4}?\s*"
    r"(?:[\wåäö]*(?:nämnd|styrelse|fullmäktige|utskott|beredning|direktion|förbund)[\wåäö]*)",
)
# "§ 5 Kommunstyrelsen 2023-01-10", "§ 67 KS 2026-04-13 – …": another organ's §, cited
REFERENCE = re.compile(
    r"^(?:[A-ZÅÄÖ][\wåäö\-]*\s+){1,3}?(?:[a-zåäö]+\s+)?(?:19|20)\d\d-\d\d-\d\d\b"
)
# the heading of an attachment printed in the protocol: its own "§ 1 …" are no paragraphs
ATTACHMENT = re.compile(
    r"^(?:bilaga\s+(?:\d{1,2}|[A-ZÅÄÖ])\b|bilaga\s*$|reglemente\b|bolagsordning\b|stadgar\b|"
    r"arbetsordning\b|ägardirektiv\b|förbundsordning\b|föreskrifter\b)",
    re.I,
)
ATTACHMENT_PENALTY = 4.0
LIST_PENALTY = 1.0
LEAD_PUNCT = re.compile(r"^[.:]?\s*[-–:]?\s+(?=\S)|^[.:]$")
MAX_TITLE = 300  # Word exports put a whole long title on the § line
LONG_TITLE, LONG_TITLE_PENALTY = 160, 1.0
SENTENCE_WORDS = 12  # "§ 12 Taxa för hemtjänst m.m." is a title; a long line ending in "." is prose
INDENT_DEEP = 10


class Shape(StrEnum):
    """What follows the number on a header line."""

    bare = "bare"
    dnr = "dnr"
    title = "title"
    dnr_title = "dnr+title"


BASE_SCORE = {Shape.bare: 3.0, Shape.dnr: 4.0, Shape.title: 2.0, Shape.dnr_title: 1.5}
OCR_PENALTY = 4.5  # `$ 50`, `8 50`: kept only where the sequence around it supports it
HEADING_BONUS = 1.0
DEEP_INDENT_PENALTY = 2.0
EXPECTED_BONUS, UNEXPECTED_PENALTY = 2.0, 5.0
FORM_PENALTY = 2.5  # a line with inline text where ≥ 70 % of the chosen headers have none
FORM_SHARE = 0.7
NEXT_BONUS = 2.0
RESTART_PENALTY = 3.0
SHADOW_PENALTY = 1.5
SATURATED_GAP = 5  # from this gap in numbers on, an edge costs MAX_GAP_COST
GAP_COST, MAX_GAP_COST = 0.75, 3.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A line that could open a §."""

    index: int  # position in the line list
    number: str  # "12", "12a"
    value: int
    suffix: str
    shape: Shape
    rest: str  # the text after the number (Dnr and/or title), markdown removed
    score: float
    ocr: bool = False

    @property
    def key(self) -> tuple[int, str]:
        return (self.value, self.suffix)

    @property
    def inline(self) -> bool:
        return self.shape in (Shape.title, Shape.dnr_title)


def plain(text: str) -> str:
    """A line without Markdown decoration: `## **§ 92**` → `§ 92`, `- § 107` → `§ 107`."""
    m = MD_DECORATION.match(text)
    body = text[m.end() :] if m and (m.group("heading") or m.group("item")) else text.strip()
    body = EMPHASIS.sub("", body)
    return body.strip().strip("*_").strip()


def header_candidate(index: int, text: str) -> Candidate | None:
    """A candidate for line `text`, or None when it cannot open a §."""
    if not text.strip() or text.lstrip().startswith("|"):
        return None
    deco = MD_DECORATION.match(text)
    heading = bool(deco and deco.group("heading"))
    line = plain(text)
    m = HEADER.match(line)
    if m is None:
        return None
    prefix = m.group("prefix").strip()
    if prefix and not _organ_prefix(prefix):
        return None
    ocr = not m.group("sign").startswith("§")
    rest = LEAD_PUNCT.sub("", m.group("rest")).strip()  # "§ 12. Val av justerare"
    shape = _shape(rest)
    if shape is None or (m.group("sign").startswith("8") and shape not in (Shape.bare, Shape.dnr)):
        return None  # "8 50" only alone or with a Dnr: "8 50 Title" is too often a list line
    score = BASE_SCORE[shape] + (HEADING_BONUS if heading else 0.0)
    if ocr:
        score -= OCR_PENALTY
    if len(rest) > LONG_TITLE:
        score -= LONG_TITLE_PENALTY
    if len(text) - len(text.lstrip()) >= INDENT_DEEP:
        score -= DEEP_INDENT_PENALTY
    suffix = m.group("suffix") or ""
    return Candidate(index, m.group("num") + suffix, int(m.group("num")), suffix, shape, rest,
                     score, ocr)


def _organ_prefix(prefix: str) -> bool:
    """ "KS-AU", "KF", "Tekniska nämnden", "Kommunstyrelsens arbetsutskott" — not "Enligt"."""
    return bool(ABBREVIATION.fullmatch(prefix) or ORGAN_NAME.fullmatch(prefix))


def _shape(rest: str) -> Shape | None:
    if not rest:
        return Shape.bare
    dnr = find_dnr(rest)
    if dnr is not None and dnr.start == 0:
        after = rest[dnr.end :].strip(" \t-–,")
        return Shape.dnr if not after else (Shape.dnr_title if _title_like(after) else None)
    return Shape.title if _title_like(rest) else None


def _title_like(text: str) -> bool:
    if REFERENCE.match(text):
        return False
    if len(text) > MAX_TITLE or not (text[0].isupper() or text[0].isdigit() or text[0] in "\"”«"):
        return False
    return not (text.endswith(".") and len(text.split()) > SENTENCE_WORDS)


def in_attachments(cands: list[Candidate], lines: list[str]) -> list[Candidate]:
    """Candidates with a title on the line ("§ 1 Uppgifter") after an attachment heading
    ("Bilaga 1", "Reglemente för …") and before the next plain header are a quoted regulation."""
    starts = {c.index: c for c in cands}
    out: list[Candidate] = []
    inside = False
    last = -1  # the number of the last candidate outside attachments
    for i, text in enumerate(lines):
        c = starts.get(i)
        if c is not None:
            if not c.inline or c.value == last + 1:  # the protocol's own sequence goes on
                inside = False
            if inside:
                c = replace(c, score=c.score - ATTACHMENT_PENALTY)
            else:
                last = c.value
            out.append(c)
        elif ATTACHMENT.match(plain(text)):
            inside = True
    return out


def in_lists(cands: list[Candidate], lines: list[str], breaks: set[int]) -> list[Candidate]:
    """A line with a title that follows another text line with no blank line or page break
    between ("Anmälningar" / "§ 67 2026.142 KS Revidering …") is an entry of a list."""
    out = []
    for c in cands:
        prev = lines[c.index - 1].strip() if c.index else ""
        listed = c.inline and prev and c.index not in breaks and not prev.startswith("#")
        out.append(replace(c, score=c.score - LIST_PENALTY) if listed else c)
    return out


def select_headers(
    cands: list[Candidate], expected: frozenset[int] = frozenset()
) -> list[Candidate]:
    """The increasing run of § numbers with the highest total evidence, in document order."""
    cands = _shadowed(_restarts(cands))
    first = _best_chain(cands, expected)
    if len(first) >= 3:
        inline = sum(c.inline for c in first) / len(first)
        if inline <= 1 - FORM_SHARE:
            cands = [replace(c, score=c.score - FORM_PENALTY) if c.inline else c for c in cands]
            return _best_chain(cands, expected)
    return first


def _restarts(cands: list[Candidate]) -> list[Candidate]:
    """A number well below a plain header before it ("§ 1 Uppgifter" after "§ 45") starts a
    quoted reglemente or bolagsordning, not the next §."""
    out, top = [], -1
    for c in cands:
        if c.value < top - 1:
            c = replace(c, score=c.score - RESTART_PENALTY)
        elif not c.inline and not c.ocr:
            top = max(top, c.value)
        out.append(c)
    return out


def _shadowed(cands: list[Candidate]) -> list[Candidate]:
    """A number that comes back later is first an agenda line or a list entry: the agenda
    precedes the body, a § header is not repeated."""
    later: set[tuple[int, str]] = set()
    out = []
    for c in reversed(cands):
        out.append(replace(c, score=c.score - SHADOW_PENALTY) if c.key in later else c)
        later.add(c.key)
    return out[::-1]


def _best_chain(cands: list[Candidate], expected: frozenset[int]) -> list[Candidate]:
    if not cands:
        return []
    node = [c.score + _expected(c, expected) for c in cands]
    best = list(node)
    back: list[int | None] = [None] * len(cands)
    # Predecessors: near ones (numbers within SATURATED_GAP) are scored exactly; a far one
    # always costs MAX_GAP_COST, so the best of them comes from a prefix maximum over numbers.
    far = _PrefixMax(max(c.value for c in cands) + 1)
    near: dict[int, list[int]] = {}
    for j, cj in enumerate(cands):
        options: list[tuple[float, int]] = []
        top = far.query(cj.value - SATURATED_GAP)
        if top is not None:
            options.append((top[0] - MAX_GAP_COST, top[1]))
        for value in range(max(0, cj.value - SATURATED_GAP + 1), cj.value + 1):
            for i in near.get(value, ()):
                if cands[i].key < cj.key:
                    options.append((best[i] + _edge(cands[i], cj), i))
        for gain, i in sorted(options, key=lambda o: (-o[0], o[1]))[:1]:
            if gain + node[j] > best[j]:
                best[j], back[j] = gain + node[j], i
        far.update(cj.value, best[j], j)
        near.setdefault(cj.value, []).append(j)
    end = max(range(len(cands)), key=lambda k: best[k])
    if best[end] <= 0:
        return []
    chain = []
    at: int | None = end
    while at is not None:
        chain.append(cands[at])
        at = back[at]
    chain.reverse()
    # a chain never starts or ends on a node that costs more than it brings with its neighbour
    score = {id(c): node[k] for k, c in enumerate(cands)}

    def gain(c: Candidate, neighbour: Candidate | None) -> float:
        if neighbour is None:
            return score[id(c)]
        a, b = (c, neighbour) if c.key < neighbour.key else (neighbour, c)
        return score[id(c)] + _edge(a, b)

    while chain and gain(chain[0], chain[1] if len(chain) > 1 else None) <= 0:
        chain.pop(0)
    while chain and gain(chain[-1], chain[-2] if len(chain) > 1 else None) <= 0:
        chain.pop()
    return chain


class _PrefixMax:
    """Fenwick tree: the best (score, earliest index) among numbers ≤ v, in O(log n)."""

    def __init__(self, size: int) -> None:
        self.tree: list[tuple[float, int] | None] = [None] * (size + 1)

    def update(self, value: int, score: float, index: int) -> None:
        k = value + 1
        while k < len(self.tree):
            cur = self.tree[k]
            if cur is None or (score, -index) > (cur[0], -cur[1]):
                self.tree[k] = (score, index)
            k += k & -k

    def query(self, value: int) -> tuple[float, int] | None:
        k, found = min(value + 1, len(self.tree) - 1), None
        while k > 0:
            cur = self.tree[k]
            if cur is not None and (found is None or (cur[0], -cur[1]) > (found[0], -found[1])):
                found = cur
            k -= k & -k
        return found


def _expected(c: Candidate, expected: frozenset[int]) -> float:
    """Announced numbers gain; numbers outside the announced range lose; a gap inside the
    range (an agenda entry the parser missed) is neutral."""
    if not expected:
        return 0.0
    if c.value in expected:
        return EXPECTED_BONUS
    return 0.0 if min(expected) < c.value < max(expected) else -UNEXPECTED_PENALTY


def _edge(a: Candidate, b: Candidate) -> float:
    gap = b.value - a.value
    if gap == 1 or (gap == 0 and b.suffix > a.suffix):
        return NEXT_BONUS
    return -min(MAX_GAP_COST, GAP_COST * (gap - 1))
