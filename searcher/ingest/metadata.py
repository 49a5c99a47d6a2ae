"""Document metadata (kommun, organ, type, date, title) detected from the text, then overridden.

Precedence, lowest first: what the text says (a converter's YAML front matter first, then a
protocol's header lines; a protocol's organ never from running text) → the meeting date in the
file or folder name when the text has none → a sidecar `NAME.meta.json` (or `STEM.meta.json`)
next to the file → explicit overrides (`searcher index --set municipality=Växjö`). A value that
cannot be found stays None.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import fields, replace
from pathlib import Path

from searcher.errors import BadInputError
from searcher.ingest.literals import Literals
from searcher.records import DocType, DocumentMeta

META_FIELDS = tuple(f.name for f in fields(DocumentMeta))
HEAD_CHARS = 4000  # the cover, header block and table of contents live at the start

MONTHS = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
ISO_DATE = re.compile(r"\b(20\d\d|19\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")
WORDY_DATE = re.compile(
    r"\b(?:den\s+)?([1-9]|[12]\d|3[01])\s+(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)\b", re.I
)
MUNICIPALITY = re.compile(
    r"\b([A-ZÅÄÖ][a-zåäöéü]+(?:[- ][A-ZÅÄÖ][a-zåäöéü]+)?)\s+((?i:kommuns?|stads?))\b"
    r"|\b(Region)\s+([A-ZÅÄÖ][a-zåäö]+)\b"
)
# Capitalised words that precede "kommun" without naming one ("Varje kommun", "Vilken kommun").
NOT_MUNICIPALITY = frozenset(
    "Varje Denna Samma Hela Vår Var Er Din Min Annan Annat Egen Berörd Nästa Vilken Ingen "
    "Någon Sveriges Svensk Svenska Stor Liten Mindre Större Den Det En Ett Och Att Till Av "
    "Inom Per Storstad Glesbygd Turism Närliggande Tillväxt Landsbygd".split()
)
# Kommuner whose name itself ends in -s (every other "Xs kommun" is a genitive).
NAMES_ENDING_IN_S = frozenset(
    "Alingsås Bengtsfors Bollnäs Borås Degerfors Grums Hagfors Hofors Höganäs Hällefors "
    "Kramfors Munkfors Mönsterås Robertsfors Sotenäs Storfors Strängnäs Torsås Tranås Vännäs "
    "Västerås".split()
)
ORGAN = re.compile(
    r"\b(kommunfullmäktige|regionfullmäktige|kommunstyrelsens\s+arbetsutskott|"
    r"nämnden\s+för\s+[a-zåäö]+(?:\s+och\s+[a-zåäö]+)?|"
    r"kommunstyrelsen|regionstyrelsen|(?:[a-zåäö]+-\s+och\s+)?[a-zåäö\-]{2,}(?:nämnden|utskottet)"
    r"|[a-zåäö]{3,}a\s+(?:nämnden|utskottet|beredningen)"
    r"|[a-zåäö]{2,}s\s+arbetsutskott)\b",
    re.I,
)
ORGAN_WORDS = Literals(  # one of them is in every match of ORGAN
    ("fullmäktige", "arbetsutskott", "nämnden", "styrelsen", "utskottet", "beredningen"))
HEADER_LINES = 80
SUSPENDED = re.compile(r"[a-zåäö]-\s+och$", re.I)
ORGAN_LABEL = re.compile(r"^(?:organ|instans|nämnd)\s*:?\s+|^(?:sammanträdes)?protokoll\s+", re.I)
# what may follow the organ on a header line: a date, "Sammanträdesprotokoll", a page number
HEADER_TAIL = re.compile(
    r"\s*(?:(?:sammanträdes)?protokoll|sammanträdesdatum|datum|sida|\d{4}-\d\d-\d\d|\d{1,3}"
    r"|\(\d+\)|[:,/|–-])[\s\S]{0,40}",
    re.I,
)
NAMED_BOARD = re.compile(r"\bnämnden\s+för\s+[a-zåäö]+(?:\s+och\s+[a-zåäö]+)?", re.I)
PROTOCOL_WORD = re.compile(r"\b(?:sammanträdesprotokoll|protokoll(?:sutdrag)?)\b", re.I)
# "§ 12", "KS-AU § 12", "Tekniska nämnden § 5", "## **§ 92**", "- § 107", OCR'd "$ 50"
PARAGRAPH_LINE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+)?(?:[-*][ \t]+)?(?:\*\*)?"
    r"(?:[A-ZÅÄÖ][\wåäö\-/]{0,30}(?:[ \t]+[a-zåäö\-]{2,30}){0,3}[ \t]+)?[§$][ \t]*\d{1,4}\b",
    re.M,
)
REPORT_TITLE = re.compile(
    r"\b(årsrapport|årsredovisning|verksamhetsberättelse|delårsrapport|delårsbokslut|"
    r"granskningsrapport|tertialrapport|månadsrapport|uppföljningsrapport|"
    r"risk-\s+och\s+sårbarhetsanalys)\b(?:\s+((?:19|20)\d\d))?",
    re.I,
)


FRONT_MATTER = re.compile(r"\A---\n(?P<body>(?:[^\n]*\n){1,40}?)---\n")
FRONT_KEYS = {
    "kommun": "municipality", "municipality": "municipality", "namnd": "organ",
    "nämnd": "organ", "organ": "organ", "datum": "date", "date": "date", "titel": "title",
    "title": "title",
}
NAME_DATE = re.compile(r"(?<!\d)(20\d\d|19\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?!\d)")


def front_matter(text: str) -> dict[str, str]:
    """Fields of a YAML front matter block (`namnd: "…"`, `datum: "…"`) that a converter wrote."""
    m = FRONT_MATTER.match(text)
    if m is None:
        return {}
    found = {}
    for line in m.group("body").splitlines():
        key, sep, value = line.partition(":")
        field_name = FRONT_KEYS.get(key.strip().lower())
        value = value.strip().strip("\"'")
        if sep and field_name and value:
            found[field_name] = value
    return found


def name_fallback(meta: DocumentMeta, path: Path) -> DocumentMeta:
    """A date from the file or folder name ("kommunstyrelsen_2026-06-01.txt") when the text gives
    none; nothing else is guessed from a name."""
    if meta.date:
        return meta
    for part in (path.name, path.parent.name):
        m = NAME_DATE.search(part)
        if m:
            return replace(meta, date=m.group(0))
    return meta


def detect_meta(text: str) -> DocumentMeta:
    """Best-effort metadata from the text alone (its front matter first); fields it cannot find
    stay None."""
    meta = _detect(text)
    given = front_matter(text)
    return replace(meta, **given) if given else meta


def _detect(text: str) -> DocumentMeta:
    head = text[:HEAD_CHARS]
    doc_type = detect_doc_type(text)
    running = _running_header(text) if doc_type == DocType.protocol.value else None
    organ = running[0] if running else _organ(head, text, doc_type)
    date = (running[1] if running else None) or _date(head)
    title = _title(text[:200_000] if running else head, doc_type, organ, date)
    if doc_type == DocType.report.value:
        found = REPORT_TITLE.search(head)
        if found and found.group(2):
            date = found.group(2)
    return DocumentMeta(
        municipality=_municipality(text), organ=organ, doc_type=doc_type, date=date, title=title
    )


def detect_doc_type(text: str) -> str:
    """protocol: "protokoll" near the top and §-numbered items; report: a report word on top."""
    head = text[:HEAD_CHARS]
    found = PROTOCOL_WORD.search(head)
    if found:
        # a "Sammanträdesprotokoll" or "Protokollsutdrag" may hold one § only
        need = 1 if len(found.group(0)) > len("protokoll") else 2
        if len(PARAGRAPH_LINE.findall(text)) >= need:
            return DocType.protocol.value
    if REPORT_TITLE.search(text[:1500]):
        return DocType.report.value
    return DocType.other.value


def _municipality(text: str) -> str | None:
    votes: Counter[str] = Counter()
    regions: Counter[str] = Counter()  # only when no kommun is named: a region's own documents
    for m in MUNICIPALITY.finditer(text[:50_000]):
        name = m.group(4) if m.group(3) else m.group(1)
        if not m.group(3) and name.split()[0] in NOT_MUNICIPALITY:
            continue
        if name.endswith("s") and name not in NAMES_ENDING_IN_S:
            name = name[
                :-1
            ]  # genitive: "Stockholms stad", "Sandvikens kommun", "Region Gävleborgs"
        weight = 3 if m.start() < HEAD_CHARS else 1
        if m.group(3):
            regions[f"Region {name}"] += weight
        else:
            votes[name] += weight
    best = votes or regions
    return best.most_common(1)[0][0] if best else None


def _running_header(text: str) -> tuple[str, str | None] | None:
    """(organ, date) from a "Sammanträdesprotokoll / Organ … / date" block anywhere in the text."""
    lines = [ln.strip().replace("**", "") for ln in text[:200_000].splitlines()]
    for i, line in enumerate(lines):
        if not PROTOCOL_WORD.fullmatch(line):
            continue
        parts: list[str] = []
        date = None
        for nxt in lines[i + 1 : i + 5]:
            date = ISO_DATE.search(nxt) or WORDY_DATE.search(nxt)
            if not nxt or date:
                break
            parts.append(nxt)
        before = [ln for ln in lines[max(0, i - 4) : i] if ln and not ln.isdigit()][-3:]
        organ = ORGAN.search(" ".join(parts)) if parts else None
        organ = organ or (ORGAN.fullmatch(" ".join(before)) if before else None)
        if organ:
            if date is None:  # "Kommunstyrelsen / Protokoll / (blank) / 2026-06-01"
                date = next((d for ln in lines[i + 1 : i + 5] if (d := ISO_DATE.search(ln))), None)
            return _tidy_organ(organ.group(1)), _date(date.group(0)) if date else None
    return None


def _organ(head: str, text: str, doc_type: str) -> str | None:
    if doc_type == DocType.report.value:  # a nämnd's report names itself "Nämnden för …"
        m = NAMED_BOARD.search(text[:200_000])
        if m:
            return _tidy_organ(m.group(0))
    if doc_type == DocType.protocol.value:
        return _header_organ(head)
    m = ORGAN.search(head) or _search_organ(text[:200_000])
    return _tidy_organ(m.group(1)) if m else None


def _search_organ(text: str) -> re.Match | None:
    """ORGAN.search(text), skipped when no word of its matches is in the text (most texts)."""
    return ORGAN.search(text) if ORGAN_WORDS.may_occur(text) else None


def _header_organ(head: str) -> str | None:
    """A protocol's organ from a header line that names it ("Tekniska nämnden", "Organ
    Barn- och utbildningsnämnden", "Kommunfullmäktige 2023-05-22"), never from running text:
    unknown stays unknown."""
    lines = [" ".join(r.replace("*", "").replace("#", "").split()) for r in head.splitlines()]
    lines = [ln for ln in lines[:HEADER_LINES] if ln]
    for i, line in enumerate(lines):
        if SUSPENDED.search(line) and i + 1 < len(lines):  # "Kultur- och" / "fritidsnämnden"
            line = f"{line} {lines[i + 1]}"
        line = ORGAN_LABEL.sub("", line)
        m = ORGAN.match(line)
        if m and not line[m.end() :].strip(" ,") or (m and HEADER_TAIL.fullmatch(line[m.end() :])):
            return _tidy_organ(m.group(1))
    return None


def _tidy_organ(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip()
    return name[0].upper() + name[1:]


def _date(head: str) -> str | None:
    m = ISO_DATE.search(head)
    if m:
        return m.group(0)
    w = WORDY_DATE.search(head)
    if w:
        return f"{w.group(3)}-{MONTHS[w.group(2).lower()]:02d}-{int(w.group(1)):02d}"
    return None


def _title(head: str, doc_type: str, organ: str | None, date: str | None) -> str | None:
    if doc_type == DocType.protocol.value:
        kind = "Sammanträdesprotokoll" if "sammanträdesprotokoll" in head.lower() else "Protokoll"
        parts = [kind, organ, date]
        return " ".join(p for p in parts if p)
    lines = [ln.strip().lstrip("#").strip() for ln in head.splitlines()]
    lines = [ln for ln in lines if ln]
    if doc_type == DocType.report.value:
        for i, line in enumerate(lines):
            two = f"{line} {lines[i + 1]}" if i + 1 < len(lines) else line
            m = REPORT_TITLE.search(two)
            if not m or m.start() >= len(line):
                continue
            if m.end() > len(line):  # "… risk- och" / "sårbarhetsanalys" wrapped over two lines
                line, i = two, i + 1
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if line.endswith(",") and nxt and len(nxt) < 60:  # "Årsrapport 2020," / "Arbete …"
                return f"{line} {nxt}"
            return line
    for line in lines:
        if len(line) >= 4 and not re.fullmatch(r"[\d\s()/.\-–]+|Sid.*", line):
            return line[:200]
    return None


def read_sidecar(path: Path, *, follow_symlinks: bool = False) -> dict[str, str]:
    """Fields from `NAME.meta.json` or `STEM.meta.json` beside `path`; {} when there is none.
    A sidecar that is a link out of the file's folder is not read unless `follow_symlinks`."""
    for side in (
        path.with_name(path.name + ".meta.json"),
        path.with_name(path.stem + ".meta.json"),
    ):
        if not follow_symlinks and side.is_symlink() and _leaves_folder(side, path.parent):
            continue
        if side.is_file():
            try:
                data = json.loads(side.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
                raise BadInputError(f"{side}: unreadable metadata sidecar ({e})") from None
            if not isinstance(data, dict):
                raise BadInputError(f"{side}: metadata sidecar must be a JSON object")
            return {str(k): None if v is None else str(v) for k, v in data.items()}
    return {}


def _leaves_folder(path: Path, folder: Path) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, base]) != base


def apply_overrides(
    meta: DocumentMeta, overrides: dict[str, str | None], *, source: str
) -> DocumentMeta:
    """Replace fields by name; an unknown field is an error naming the known ones."""
    unknown = sorted(set(overrides) - set(META_FIELDS))
    if unknown:
        raise BadInputError(
            f"{source}: unknown metadata field(s) {', '.join(unknown)}; "
            f"choose from {', '.join(META_FIELDS)}"
        )
    doc_type = overrides.get("doc_type")
    if doc_type is not None:
        overrides = {**overrides, "doc_type": parse_doc_type(doc_type, source=source)}
    return replace(meta, **overrides)


def parse_doc_type(value: str, *, source: str = "doc_type") -> str:
    """Accept a DocType name or value ("protocol" or "protokoll"); return the value."""
    for t in DocType:
        if value.lower() in (t.name, t.value):
            return t.value
    choices = ", ".join(f"{t.name}/{t.value}" for t in DocType)
    raise BadInputError(f"{source}: unknown doc_type {value!r}; choose from {choices}")
