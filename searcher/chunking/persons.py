"""Persons named in a protocol's header block: "Andreas Olsson (C), ordförande" as written.

The header lists ledamöter, ersättare, tjänstepersoner, justerare and the secretary, one per
line or in two columns. A person line is 2–4 capitalised words, an optional party in parentheses
and an optional ", role"; labels ("Ledamöter", "Plats och tid") never match because their later
words are lower-case.
"""

from __future__ import annotations

import re

NAME_WORD = r"[A-ZÅÄÖÉÜ][a-zåäöéüæø]+(?:-[A-ZÅÄÖÉÜ][a-zåäöéüæø]+)?"
PERSON = re.compile(
    rf"(?P<name>{NAME_WORD}(?:\s+(?:af\s+|von\s+|de\s+)?{NAME_WORD}){{1,3}})"
    r"(?:\s*\((?P<party>[A-ZÅÄÖa-zåäö]{1,5}|-)\))?"
    r"(?:\s*,\s*(?P<role>[a-zåäöA-ZÅÄÖ][\w\s\-/.]{1,60}))?"
)
CELL_SPLIT = re.compile(r"\t+|\s{3,}")
LABEL_PREFIX = re.compile(r"^[A-ZÅÄÖ][a-zåäö ]{2,30}:\s*")
# Capitalised words that start header labels or places, never a name.
NOT_NAMES = frozenset(
    "Plats Tid Beslutande Ledamöter Ersättare Närvarande Övriga Tjänstepersoner Justering "
    "Justerare Sekreterare Ordförande Paragrafer Protokoll Sammanträdesprotokoll Datum "
    "Kommunstyrelsen Kommunstyrelsens Kommunfullmäktige Kommunfullmäktiges Nämnden Utses "
    "Underskrifter Anslag Organ Förvaringsplats Sammanträdesdatum Lokal Sal Kommunhuset "
    "Stadshuset Rådhuset Digitalt Tjänstgörande Icke Inte Frånvarande".split()
)


def extract_persons(lines: list[str]) -> tuple[str, ...]:
    """Person strings in order of first mention; a repeated name keeps its longest form."""
    found: dict[str, str] = {}
    for line in lines:
        for cell in CELL_SPLIT.split(line.strip()):
            cell = LABEL_PREFIX.sub("", cell.strip())
            m = PERSON.fullmatch(cell)
            if not m or any(w in NOT_NAMES for w in m.group("name").split()):
                continue
            name = " ".join(m.group("name").split())
            text = " ".join(cell.split())
            if len(text) > len(found.get(name, "")):
                found[name] = text
    return tuple(found.values())
