"""Diarienummer (Dnr) of every diary series, found as written, with a normalised key.

Swedish kommuner number their cases in a handful of families:

- series first: `KS 2022/123`, `KS-2024-00123`, `KS KF/2022:7`, `BUN/2023:134`, `Bun/2025:532`,
  `KS.2021.1101`, `BUN/2019/0001/0009`, `ABC–2024–00118` (en/em dashes as written);
- year first, series after: `2026.016 KS`, `2026.004 BUN-038` (a document number suffix);
- letter-number-year: `N123-4567/23`;
- bare numbers after a label only: `Dnr 2022-00295`, `Dnr 302917`, `Ärendenr 2023:14`, and a
  two-digit year (`Dnr KS 23/123`).

A Dnr line may end in the 3-digit archive code of the classification plan (`Bun/2025:532 600`):
it is kept apart (`DnrMatch.archive`), never part of the Dnr. Dates (`KSAU 2026-05-20`) are not
case numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"  # escaped: used inside [...]
_D = f"[{DASH}]"
_SEP = rf"[./:{DASH}]"
SERIES = r"[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{0,9}"
YEAR = r"(?:19|20)\d\d"
# series first: "KS 2022/123", "KS KF/2022:7", "Bun/2025:532", "KS.2021.1101", "ABC–2024–00118"
SERIES_FIRST = (
    rf"(?!(?i:dnr|diarie|ärende|saknr))(?<![\wÅÄÖåäö]){SERIES}(?:[ {DASH}]{SERIES})?"
    rf"(?:[ ./]|{_D})?{YEAR}{_SEP}\d{{1,6}}(?:{_SEP}\d{{1,6}}){{0,2}}"
)
# year first, series after: "2026.016 KS", "2026.004 BUN-038"
YEAR_FIRST = rf"{YEAR}[.:/]\d{{1,5}} [A-ZÅÄÖ]{{1,6}}(?:{_D}\d{{1,4}})?(?![\wÅÄÖåäö])"
# letter + number + running number + year: "N123-4567/23"
LETTER_NUMBER = rf"[A-ZÅÄÖ]{{1,4}}\d{{1,6}}{_D}\d{{1,6}}/\d{{2,4}}"
# only after a label: "2022-00295", "2023:14", "302917"
BARE = (
    rf"(?:{SERIES}[ ./]?)?\d{{2}}[/:]\d{{1,6}}(?![\d/])"  # "Dnr KS 23/123", "Dnr 23/0123"
    rf"|{YEAR}{_SEP}\d{{1,6}}(?:{_SEP}\d{{1,6}})?|\d{{4,8}}"
)
VALUE = rf"(?:{YEAR_FIRST}|{LETTER_NUMBER}|{SERIES_FIRST})"
LABEL = (
    r"(?:dnr|diarienr|diarienummer|diarie\s?nr|ärendenr|ärendenummer|ärende\s?nr|"
    r"ärende-nr|saknr)\.?"
)
LABELLED = re.compile(
    rf"(?<![\wÅÄÖåäö])(?P<label>{LABEL})\s*[:.]?\s*(?P<value>{VALUE}|{BARE})(?![\d])", re.I
)
UNLABELLED = re.compile(rf"(?<![\wÅÄÖåäö/.:{DASH}])(?P<value>{VALUE})(?![\d/:]|\.\d)")
ARCHIVE_CODE = re.compile(r"^\s+(?P<code>\d{3})(?:\s|$)")
ISO_DATE_TAIL = re.compile(rf"{YEAR}{_D}(?:0[1-9]|1[0-2]){_D}(?:0[1-9]|[12]\d|3[01])$")


@dataclass(frozen=True, slots=True)
class DnrMatch:
    """One Dnr in a line: the value as written, its archive code, where it stands."""

    value: str
    start: int
    end: int  # after the value (and after the archive code when there is one)
    labelled: bool = False
    archive: str | None = None


def find_dnr(line: str, *, labelled_only: bool = False) -> DnrMatch | None:
    """The first Dnr in `line`: a labelled one ("Dnr KS 2022/123") first, else a series one."""
    for m in LABELLED.finditer(line):
        if not _is_date(m.group("value")):
            return _match(line, m, labelled=True)
    if labelled_only:
        return None
    for m in UNLABELLED.finditer(line):
        if not _is_date(m.group("value")):
            return _match(line, m, labelled=False)
    return None


def whole_line_dnr(line: str) -> DnrMatch | None:
    """A line that holds a Dnr and nothing else (an optional label and archive code aside)."""
    text = line.strip()
    found = find_dnr(text)
    if found is None or found.start != 0 or text[found.end :].strip():
        return None
    return found


def trailing_dnr(line: str) -> DnrMatch | None:
    """A Dnr at the end of a title line ("… verksamhet Bun/2022:628   694", "Val av
    justerare      Dnr KS 2022/123"); `start` is where the label or the value begins."""
    text = line.rstrip()
    for m in LABELLED.finditer(text):  # a column of its own, not "…, dnr 2022:1205" in a title
        found = _match(text, m, labelled=True)
        column = text[: m.start()].endswith(("  ", "\t"))
        if not text[found.end :].strip() and column and not _is_date(m.group("value")):
            return found
    for m in UNLABELLED.finditer(text):
        found = _match(text, m, labelled=False)
        if not text[found.end :].strip() and m.start() > 0 and not _is_date(m.group("value")):
            return found
    return None


#: A label written before the number ("Dnr 2022-00295", "Ärendenr: KS 2024/12") is not part of it.
_LABEL = re.compile(r"^\s*(?:dnr|diarienr|diarienummer|ärendenr|ärendenummer|ärende\s*nr)\b\.?:?\s*")


def dnr_key(value: str) -> str:
    """A normalised key for comparing written forms: "KS-2024-00123" = "ks 2024/123"."""
    text = _LABEL.sub("", unicodedata.normalize("NFC", value).casefold())
    parts = re.findall(r"[a-zåäö]+|\d+", text)
    return "/".join(p.lstrip("0") or "0" if p.isdigit() else p for p in parts)


def dnr_keys(value: str | None) -> tuple[str, ...]:
    """The keys of a Dnr field that may hold several, comma-separated ("KS 2024/12, KS 2024/13"):
    what the index stores and what a `dnr:` filter is compared with."""
    return tuple(dict.fromkeys(k for part in (value or "").split(",") if (k := dnr_key(part))))


def _is_date(value: str) -> bool:
    """A date ("2026-05-20") or a statute number ("SFS 2010:800", "SKOLFS 2011:144")."""
    series = value.split()[0] if " " in value else ""
    return bool(ISO_DATE_TAIL.search(value.strip())) or series.upper().endswith("FS")


def _match(line: str, m: re.Match[str], *, labelled: bool) -> DnrMatch:
    start = m.start() if labelled else m.start("value")
    end = m.end("value")
    archive = None
    code = ARCHIVE_CODE.match(line[end:])
    if code and not line[end + code.end() :].strip():
        archive, end = code.group("code"), end + code.end("code")
    return DnrMatch(m.group("value"), start, end, labelled=labelled, archive=archive)
