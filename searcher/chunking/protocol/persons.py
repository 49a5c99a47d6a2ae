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
    r"(?:\s*,\s*(?P<role>[\wåäö][\w\s\-/.:]{1,60}))?"
)
# Inside running text ("Ledamöter: Sven Ohlsson (S), ordförande, Marie Quist (M)"): a name
# with a party, or a name with a lower-case role, up to the next comma.
PERSON_IN_TEXT = re.compile(
    rf"(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{1,3}})"
    r"(?:\s*\((?P<party>[A-ZÅÄÖa-zåäö]{1,5})\)"
    r"(?:,\s*(?P<prole>(?:[a-zåäö0-9:]+ ?){1,4})(?=,|$| och ))?"
    r"|,\s*(?P<role>[a-zåäö]+(?: [a-zåäö]+){0,2})(?=,|$| och ))"
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
            whole = PERSON.fullmatch(cell)
            matches = [whole] if whole else list(PERSON_IN_TEXT.finditer(cell))
            for m in matches:
                if any(w in NOT_NAMES for w in m.group("name").split()):
                    continue
                name = " ".join(m.group("name").split())
                text = " ".join((cell if whole else m.group(0)).split()).rstrip(",")
                if len(text) > len(found.get(name, "")):
                    found[name] = text
    return tuple(found.values())
