"""The agenda of a protocol (innehåll, ärendelista, dagordning, föredragningslista) in any form.

Three forms are recognised, none needing page numbers:
- Markdown pipe tables with a § cell (`|§|92|Informationsärenden||5 - 6|`), the Dnr in a row of
  its own above or below its § row (`||||Bun/2023:391||`);
- a dense run of § lines (`§ 94   Information och överläggningar`, a bare `§ 99` between the two
  lines of a wrapped title) whose numbers come back later as headers, or that stands under an
  agenda heading;
- one line that lists several entries (`§ 71 Informationsärenden 21 - 22 … § 72 …`).
Agenda lines are never sections; their entries confirm § numbers and give each one's Dnr/title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searcher.chunking.clean.furniture import Line
from searcher.chunking.parts import part_label
from searcher.chunking.protocol.dnr import find_dnr, trailing_dnr, whole_line_dnr
from searcher.chunking.protocol.headers import Candidate, header_candidate, plain

AGENDA_HEADING = re.compile(
    r"(?:innehåll(?:sförteckning)?|ärendelista|ärendeförteckning|föredragningslista|"
    r"dagordning|ärenden|förteckning över ärenden)\s*:?",
    re.I,
)
MAX_GAP = 3  # lines between two entries of one agenda (the wrapped parts of a title)
MIN_ENTRIES = 3
RECUR_SHARE = 0.6
MULTI_ENTRY = re.compile(r"(?<!§)§\s?(\d{1,4})\s+[A-ZÅÄÖ]")
EDGE_LINES = 2  # wrapped title lines just before the first / after the last entry


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    number: str
    title: str = ""
    dnr: str | None = None


@dataclass(frozen=True, slots=True)
class Agenda:
    entries: tuple[AgendaEntry, ...] = ()
    lines: frozenset[int] = frozenset()

    @property
    def numbers(self) -> frozenset[int]:
        return frozenset(int(re.match(r"\d+", e.number).group()) for e in self.entries)

    def title_of(self, number: str) -> str | None:
        return next((e.title for e in self.entries if e.number == number and e.title), None)

    def dnr_of(self, number: str) -> str | None:
        return next((e.dnr for e in self.entries if e.number == number and e.dnr), None)


def find_agenda(lines: list[Line], cands: list[Candidate]) -> Agenda:
    """Every agenda of the protocol (a table may continue over a page break)."""
    entries: list[AgendaEntry] = []
    taken: set[int] = set()
    table_entries, table_lines = _pipe_tables(lines)
    entries += table_entries
    taken |= table_lines
    for cluster in _clusters([c for c in cands if c.index not in taken], lines):
        later = {c.value for c in cands if c.index > cluster[-1].index}
        recur = sum(c.value in later for c in cluster) / len(cluster)
        headed = _heading_before(lines, cluster[0].index)
        earlier = {c.value for c in cands if c.index < cluster[0].index}
        if not headed and (recur < RECUR_SHARE or max(earlier, default=-1) >= cluster[0].value):
            continue  # an agenda comes before the paragraphs it lists
        lo, hi = cluster[0].index, cluster[-1].index
        lo = _extend(lines, lo, -1)
        hi = _extend(lines, hi, +1)
        taken.update(range(lo, hi + 1))
        if headed is not None:
            taken.add(headed)
        entries += [_line_entry(c) for c in cluster]
    for i, line in enumerate(lines):
        text = plain(line.text)
        if i in taken or not text.startswith("§"):
            continue
        if len(MULTI_ENTRY.findall(text)) >= MIN_ENTRIES:
            taken.add(i)
            entries += [AgendaEntry(m.group(1)) for m in MULTI_ENTRY.finditer(text)]
    return Agenda(tuple(entries), frozenset(taken))


def _line_entry(c: Candidate) -> AgendaEntry:
    """ "§ 46   Budget 2024      KS 2023/00123" or "§ 46 KS 2023/00123 Budget 2024"."""
    rest = c.rest
    first = find_dnr(rest)
    if first is not None and first.start == 0:
        return AgendaEntry(c.number, rest[first.end :].strip(" \t-–,"), first.value)
    tail = trailing_dnr(rest)
    if tail is not None:
        return AgendaEntry(c.number, rest[: tail.start].strip(" \t-–,"), tail.value)
    return AgendaEntry(c.number, rest)


def _clusters(cands: list[Candidate], lines: list[Line]) -> list[list[Candidate]]:
    """Runs of § lines close together on one page (a page break ends an agenda's run)."""
    out: list[list[Candidate]] = []
    for c in cands:
        prev = out[-1][-1].index if out else -1
        if (
            out
            and _gap(lines, prev, c.index) <= MAX_GAP
            and not _page_break(lines, prev, c.index)
            and c.key > out[-1][-1].key  # an agenda counts upwards; the body starts again
            and not _has_part_heading(lines, prev, c.index)
        ):
            out[-1].append(c)
        else:
            out.append([c])
    good = []
    for cl in out:
        ups = sum(b.key > a.key for a, b in zip(cl, cl[1:], strict=False))
        enough = len(cl) >= MIN_ENTRIES or (len(cl) >= 2 and _heading_before(lines, cl[0].index))
        if enough and ups >= 0.8 * (len(cl) - 1):
            good.append(cl)
    return good


def _has_part_heading(lines: list[Line], a: int, b: int) -> bool:
    """ "Beslut", "Ärendebeskrivning" between two § lines: a short § of the body, no agenda."""
    return any(part_label(plain(ln.text)) is not None for ln in lines[a + 1 : b])


def _page_break(lines: list[Line], a: int, b: int) -> bool:
    return any(ln.after_break for ln in lines[a + 1 : b + 1])


def _gap(lines: list[Line], a: int, b: int) -> int:
    return sum(1 for ln in lines[a + 1 : b] if ln.text.strip())


def _extend(lines: list[Line], at: int, step: int) -> int:
    """Wrapped title lines right before the first / after the last entry (indented, no blank)."""
    for _ in range(EDGE_LINES):
        nxt = at + step
        if not 0 <= nxt < len(lines):
            break
        text = lines[nxt].text
        if not text.strip() or not text[:1].isspace() or header_candidate(nxt, text):
            break
        at = nxt
    return at


def _heading_before(lines: list[Line], at: int) -> int | None:
    seen = 0
    for j in range(at - 1, max(-1, at - 8), -1):
        text = plain(lines[j].text)
        if not text:
            continue
        if AGENDA_HEADING.fullmatch(text):
            return j
        if header_candidate(j, lines[j].text):  # the heading belongs to an earlier list
            return None
        seen += 1
        if seen > 2:
            break
    return None


def _cells(text: str) -> list[str]:
    return [c.strip() for c in text.strip().strip("|").split("|")]


def _pipe_tables(lines: list[Line]) -> tuple[list[AgendaEntry], set[int]]:
    """Entries of Markdown tables with a § column; a Dnr row belongs to the § row below it,
    unless the § row above had none and no § row follows in the table."""
    entries: list[AgendaEntry] = []
    taken: set[int] = set()
    runs: list[list[int]] = []
    for i, line in enumerate(lines):
        if line.text.lstrip().startswith("|"):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    pending: str | None = None
    for run in runs:
        rows = [(i, _cells(lines[i].text)) for i in run]
        found = [_pipe_entry(cells) for _, cells in rows]
        if not any(found) and not any(_pipe_dnr(cells) for _, cells in rows):
            continue
        if not any(found) and not _continues(entries):
            continue
        taken.update(run)
        last_kind = None
        for (_, cells), entry in zip(rows, found, strict=True):
            if entry is not None:
                entries.append(AgendaEntry(entry[0], entry[1], pending))
                pending, last_kind = None, "entry"
            elif (dnr := _pipe_dnr(cells)) is not None:
                pending, last_kind = dnr, "dnr"
            elif (text := " ".join(c for c in cells if c)) and not set(text) <= set("-: "):
                if last_kind == "entry" and entries and text[:1].islower() | text[:1].isdigit():
                    e = entries[-1]
                    entries[-1] = AgendaEntry(e.number, f"{e.title} {text}".strip(), e.dnr)
                else:
                    last_kind = "item"
    return entries, taken


def _continues(entries: list[AgendaEntry]) -> bool:
    return bool(entries)


def _pipe_entry(cells: list[str]) -> tuple[str, str] | None:
    for k, cell in enumerate(cells):
        m = re.fullmatch(r"§\s*(\d{1,4}\s?[a-z]?)", cell)
        if m or (cell == "§" and k + 1 < len(cells) and re.fullmatch(r"\d{1,4}", cells[k + 1])):
            number = m.group(1).replace(" ", "") if m else cells[k + 1]
            rest = cells[k + 1 :] if m else cells[k + 2 :]
            title = next((c for c in rest if c and not re.fullmatch(r"[\d\s\-–]+", c)), "")
            return number, title
    return None


def _pipe_dnr(cells: list[str]) -> str | None:
    filled = [c for c in cells if c]
    if len(filled) == 1 and (m := whole_line_dnr(filled[0])):
        return m.value
    return None


__all__ = ["Agenda", "AgendaEntry", "find_agenda"]
