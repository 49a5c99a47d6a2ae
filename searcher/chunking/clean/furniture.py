"""Page furniture removal shared by every chunker: signature lines, running headers, page numbers.

PDF exports repeat the same lines on every page ("Ordförandes signatur  Justerares signatur
Utdragsbestyrkande", "Sammanträdesprotokoll / Kommunstyrelsens / arbetsutskott / 2022-08-16",
"Sid 3(30)"). They are not content, and left in they split a § across pages and pollute search.
Lines keep their offset in the source text so a section can still say on which page it starts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace

from searcher.ingest.literals import Literals

SIGNATURE_WORDS = re.compile(
    r"(?:ordförandes?|justerares|justerandes|sekreterares?|signatur(?:er)?|sign\.?|"
    r"utdragsbestyrkande|utdragsbestyrkt|justering)",
    re.I,
)
SIGNATURE_MARK = re.compile(r"signatur|\bsign\b|utdragsbestyrk|justerandes", re.I)
SIGNATURE_MARK_WORDS = Literals(("sign", "utdragsbestyrk", "justerandes"))  # in every match
PAGE_NUMBER = re.compile(
    r"(?:sid(?:a|an)?\.?|page|s\.)\s*\d{1,4}(?:\s*(?:\(\s*\d{1,4}\s*\)|(?:av|of|/)\s*\d{1,4}))?"
    r"|\d{1,4}\s*\(\s*\d{1,4}\s*\)|\d{1,4}\s*(?:av|/)\s*\d{1,4}|[-–]\s*\d{1,4}\s*[-–]",
    re.I,
)
BARE_NUMBER = re.compile(r"\d{1,4}")
PAGE_IN_LINE = re.compile(
    r"(?:sid(?:a|an)?\.?|page)\s*\d{1,4}(?:\s*(?:av|of|/)\s*\d{1,4})?|\b\d{1,4}\s*\(\s*\d{1,4}\s*\)"
    r"|\b\d{1,4}\s*(?:av|/)\s*\d{1,4}\b$",
    re.I,
)
DATE_OR_KIND = re.compile(
    r"\b(?:19|20)\d\d-\d\d-\d\d\b|protokoll|sammanträde|årsrapport|årsredovisning|rapport", re.I
)
# Simple markup left in cells by PDF/Word exports. Block tags become a space so that
# "</p><p>" never glues two words together; inline tags vanish.
BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|tr|td|th)\s*/?>", re.I)
INLINE_TAG = re.compile(r"</?(?:i|b|em|strong|u|span|sup|sub)\s*>", re.I)
# Symbol-font bullets that PDF converters pass through as private-use characters (U+F0B7).
PRIVATE_USE_CHAR = re.compile("[\ue000-\uf8ff]")
PRIVATE_USE = dict.fromkeys(range(0xE000, 0xF900), " ")
RUNNING_MAX_LINE = 70
MARK_GROUP = 3  # non-blank lines between signature captions/page numbers of one page end
RECUR_MIN = 3
E_SIGN_TAIL = 60
E_SIGNATURE = re.compile(
    r"elektroniskt signerat|signerats elektroniskt|e-signerat dokument|signed by:|bankid ref|"
    r"intentionally omitted|verifikat\b.*transaktion|^transaktion \d{6,}|signerat med bankid|"
    r"digitalt signerat|elektronisk underskrift|signed with bankid|^verifikat$",
    re.I,
)
E_SIGNATURE_WORDS = Literals(  # one of them is in every match of E_SIGNATURE
    ("signe", "bankid", "omitted", "transaktion", "underskrift", "verifikat"))
EDGE_LINES = 3  # lines at the top and bottom of a page that may be running headers/footers
MIN_PAGES = 3
PARAGRAPH_LABELS = frozenset(
    "beslut bakgrund beslutsunderlag ärendebeskrivning yrkanden yrkande förslag till beslut "
    "expedieras reservation reservationer propositionsordning beslutsgång sammanfattning".split()
    + ["förslag till beslut", "kommunstyrelsens förslag"]
)


@dataclass(frozen=True, slots=True)
class Line:
    """One source line, right-stripped, with its offset in the document text."""

    text: str
    start: int
    after_break: bool = False  # furniture (a page break) was removed right before this line


def source_lines(text: str) -> list[Line]:
    """Split text into lines that remember where they start; markup tags removed."""
    lines, pos = [], 0
    for raw in text.split("\n"):
        clean = INLINE_TAG.sub("", BLOCK_TAG.sub(" ", raw)) if "<" in raw else raw
        clean = clean.translate(PRIVATE_USE) if PRIVATE_USE_CHAR.search(clean) else clean
        lines.append(Line(clean.rstrip().replace("\x00", ""), pos))
        pos += len(raw) + 1
    return lines


def page_of(offset: int, page_starts: tuple[int, ...]) -> int | None:
    """1-based page holding `offset`, or None when the document has no pages."""
    return bisect_right(page_starts, offset) if page_starts else None


def is_signature_line(text: str) -> bool:
    """A line made only of signature-box captions."""
    if not SIGNATURE_MARK_WORDS.may_occur(text) or not SIGNATURE_MARK.search(text):
        return False
    rest = SIGNATURE_WORDS.sub("", text)
    return not re.sub(r"[\s:/|_.\-]", "", rest)


MAX_PAGES = 999


def is_page_number(text: str) -> bool:
    """ "Sida 3 av 12", "3 (12)", "- 3 -"; never "2026/2027" (page 2026 of 2027: a span)."""
    if not PAGE_NUMBER.fullmatch(text.strip()):
        return False
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return len(numbers) < 2 or numbers[0] <= numbers[1] <= MAX_PAGES


def strip_furniture(lines: list[Line], page_starts: tuple[int, ...] = ()) -> list[Line]:
    """Drop furniture lines; the next kept line is marked `after_break`."""
    marks = {
        i for i, ln in enumerate(lines) if is_signature_line(ln.text) or is_page_number(ln.text)
    }
    drop = marks | _bare_page_numbers(lines) | _repeated_blocks(lines)
    drop |= _numbers_by_marks(lines, marks) | _recurring_lines(lines) | _e_signature(lines)
    drop |= _page_edges(lines, _pages(lines, page_starts, _page_ends(lines, sorted(marks))))
    page_tops = set(page_starts[1:])
    kept: list[Line] = []
    pending = False
    for i, line in enumerate(lines):
        if i in drop or line.start in page_tops:
            pending = True  # a page break: the next text may continue a cut paragraph
        if i in drop:
            continue
        if pending and line.text.strip():
            line = replace(line, after_break=True)
            pending = False
        kept.append(line)
    return kept


def _page_ends(lines: list[Line], marks: list[int]) -> list[int]:
    """One page end per group of signature/page-number lines ("Justerandes sign" then
    "Utdragsbestyrkande" then "7" end one page, not three)."""
    ends: list[int] = []
    for m in marks:
        if ends and _nonblank_between(lines, ends[-1], m) <= MARK_GROUP:
            ends[-1] = m
        else:
            ends.append(m)
    return ends


def _nonblank_between(lines: list[Line], a: int, b: int) -> int:
    return sum(1 for ln in lines[a + 1 : b] if ln.text.strip())


def _numbers_by_marks(lines: list[Line], marks: set[int]) -> set[int]:
    """A lone number next to a signature caption or page mark is the page number."""
    if not marks:
        return set()
    nonblank = [i for i, ln in enumerate(lines) if ln.text.strip()]
    pos = {i: k for k, i in enumerate(nonblank)}
    out = set()
    for i in nonblank:
        if BARE_NUMBER.fullmatch(lines[i].text.strip()):
            k = pos[i]
            near = nonblank[max(0, k - MARK_GROUP) : k + MARK_GROUP + 1]
            if any(j in marks for j in near):
                out.add(i)
    return out


def _recurring_lines(lines: list[Line]) -> set[int]:
    """One-line running headers of a text without form feeds ("Kommunstyrelsen
    Sammanträdesprotokoll  2023-03-01  Sida 3 av 12", "SAMMANTRÄDESPROTOKOLL 22 2022-10-18"):
    the same line, page numbers aside, at least three times, with a page mark, date or kind."""
    keys: dict[int, str] = {}
    for i, ln in enumerate(lines):
        text = ln.text.strip()
        if text and len(text) <= 2 * RUNNING_MAX_LINE and "§" not in text:
            if mask_page_marks(text) != text or DATE_OR_KIND.search(text):
                keys[i] = _running_key(text)
    counts = Counter(keys.values())
    return {i for i, k in keys.items() if counts[k] >= RECUR_MIN and not is_heading_label(k)}


def mask_page_marks(text: str) -> str:
    """ "Sida 3 av 12" → "#"; a case number "KS 2023/145" or a span "2026/2027" stays."""

    def sub(m: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", m.group())]
        plausible = len(numbers) < 2 or numbers[0] <= numbers[1] <= MAX_PAGES
        return "#" if plausible else m.group()

    return PAGE_IN_LINE.sub(sub, text)


def _running_key(text: str) -> str:
    text = mask_page_marks(text)
    text = re.sub(r"(?<![\d-])\d{1,3}(?![\d-])", " ", text)  # "PROTOKOLL 22 2022-10-18"
    return " ".join(text.replace("*", "").split()).lower()


def _e_signature(lines: list[Line]) -> set[int]:
    """The e-signature stamp page at the end (BankID references, "Detta dokument är
    elektroniskt signerat"): from its first line to the end, if only short lines follow."""
    tail = range(max(0, len(lines) - E_SIGN_TAIL), len(lines))
    start = next((i for i in tail if E_SIGNATURE_WORDS.may_occur(lines[i].text)
                  and E_SIGNATURE.search(lines[i].text)), None)
    if start is None or any(len(ln.text.strip()) > 2 * RUNNING_MAX_LINE for ln in lines[start:]):
        return set()
    return set(range(start, len(lines)))


def _pages(lines: list[Line], page_starts: tuple[int, ...], marks: list[int]) -> list[list[int]]:
    """Line indices per page: from `page_starts`, else cut after each signature/page-number line."""
    pages: dict[int, list[int]] = {}
    if len(page_starts) >= MIN_PAGES:
        for i, line in enumerate(lines):
            pages.setdefault(page_of(line.start, page_starts) or 0, []).append(i)
        return list(pages.values())
    bounds = [0] + [m + 1 for m in marks] + [len(lines)]
    return [list(range(a, b)) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _blocks(lines: list[Line]) -> list[list[int]]:
    """Indices of maximal runs of non-blank lines."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        if line.text.strip():
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _bare_page_numbers(lines: list[Line]) -> set[int]:
    """Lone numbers on their own block that count upwards through the document are page numbers."""
    found = [
        (run[0], int(lines[run[0]].text))
        for run in _blocks(lines)
        if len(run) == 1 and BARE_NUMBER.fullmatch(lines[run[0]].text.strip())
    ]
    values = [v for _, v in found]
    if len(found) >= 3 and all(a < b for a, b in zip(values, values[1:], strict=False)):
        return {i for i, _ in found}
    return set()


def _repeated_blocks(lines: list[Line]) -> set[int]:
    """Blocks of short lines that recur verbatim: running headers of a text without page marks."""
    runs = [r for r in _blocks(lines) if len(r) >= 2]
    key = {tuple(r): tuple(lines[i].text.strip() for i in r) for r in map(tuple, runs)}
    counts = Counter(key.values())
    drop: set[int] = set()
    for run, k in key.items():
        n = counts[k]
        if any(len(t) > RUNNING_MAX_LINE for t in k) or sum(map(len, k)) > 200:
            continue
        if n >= 3 or (n >= 2 and DATE_OR_KIND.search(" ".join(k))):
            drop.update(run)
    return drop


def _page_edges(lines: list[Line], pages: list[list[int]]) -> set[int]:
    """Running headers/footers: edge lines recurring on many pages, or a recurring top block
    with a date or document kind ("Sammanträdesprotokoll / Kommunstyrelsens / … / 2022-08-16")."""
    if len(pages) < 2:
        return set()

    def norm(i: int) -> str:  # identical apart from a page number ("Sida 3 av 8", "3 (8)")
        return mask_page_marks(" ".join(lines[i].text.split()).lower())

    tops, edges = [], []
    for page in pages:
        body = [i for i in page if lines[i].text.strip()]
        tops.append(body[: EDGE_LINES + 1])
        edges.append(body[:EDGE_LINES] + body[-EDGE_LINES:])
    seen = Counter(k for e, t in zip(edges, tops, strict=True) for k in {norm(i) for i in e + t})
    need = max(2, int(0.4 * len(pages))) if len(pages) >= MIN_PAGES else len(pages) + 1
    drop = {i for idx in edges for i in idx if seen[norm(i)] >= need}
    for top in tops:
        run = []
        for i in top:
            if seen[norm(i)] < 2:
                break
            run.append(i)
        if len(run) >= 2 and DATE_OR_KIND.search(" ".join(lines[i].text for i in run)):
            drop.update(run)
    return {
        i
        for i in drop
        if len(lines[i].text.strip()) <= 2 * RUNNING_MAX_LINE
        and not is_heading_label(lines[i].text)
    }


def is_heading_label(text: str) -> bool:
    """Recurring sub-headings of a § ("Beslut", "Bakgrund") are content, never furniture."""
    return text.strip().rstrip(":").lower() in PARAGRAPH_LABELS
