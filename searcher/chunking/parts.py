"""Label the sub-parts of a §: beslut, förslag, yrkanden, bakgrund, beslutsunderlag, …

Protocols mark them with short heading lines ("Kommunstyrelsens arbetsutskotts förslag",
"Bakgrund", "Expedieras till"). A part runs from its heading line to the next one; the section
keeps (label, start, end) character spans into its text, so nothing is stored twice.
"""

from __future__ import annotations

import re
from enum import Enum


class PartLabel(str, Enum):
    """The sub-parts a § can have, in the vocabulary protocols use."""

    beslut = "beslut"
    forslag = "förslag"
    yrkanden = "yrkanden"
    bakgrund = "bakgrund"
    beslutsunderlag = "beslutsunderlag"
    expedieras = "expedieras"
    reservation = "reservation"
    protokollsanteckning = "protokollsanteckning"
    omrostning = "omröstning"
    votering = "votering"  # an appended voting list (omröstningslista, voteringslista)
    bilaga = "bilaga"  # an appended attachment printed after the decision
    propositionsordning = "propositionsordning"
    jav = "jäv"


#: A heading line (whole line, case-insensitive) → its label. Order matters: first match wins.
PART_HEADINGS: tuple[tuple[re.Pattern[str], PartLabel], ...] = tuple(
    (re.compile(rf"^(?:{pattern})\s*:?$", re.I), label)
    for pattern, label in (
        (r"(?:[\wåäö\- ]{0,60}\s)?(?:voteringslist(?:a|or|\(or\))|omröstningslist(?:a|or)|"
         r"voteringsprotokoll|voteringsbilaga|omröstningsbilaga|omröstningsprotokoll)"
         r"(?:\s*:?\s*§\s*\d{1,4}[a-z]?)?", PartLabel.votering),
        (r"förslag till beslut|[\wåäö ]{0,60}\s+förslag( till beslut)?|förslag", PartLabel.forslag),
        (r"beslutsunderlag|handlingar i ärendet|underlag", PartLabel.beslutsunderlag),
        (r"[\wåäö ]{0,60}\s+beslut|beslut|beslutet", PartLabel.beslut),
        (r"yrkanden?|yrkande(n)? och propositionsordning", PartLabel.yrkanden),
        (r"propositionsordning|beslutsgång", PartLabel.propositionsordning),
        (r"bakgrund|ärendebeskrivning|ärendet|sammanfattning( av ärendet)?", PartLabel.bakgrund),
        (r"expedieras( till)?|beslutet skickas till|sändlista|beslutet expedieras till",
         PartLabel.expedieras),
        # "Reservation", "Skriftlig reservation", "Reservation från Moderaterna", "Reservation (SD)"
        (r"(?:skriftlig\s+)?reservation(?:er)?"
         r"(?:\s+(?:från|av)\s+[^.]{1,60}|\s*[(:–-]\s*[^.]{1,60})?", PartLabel.reservation),
        (r"protokollsanteckning(ar)?", PartLabel.protokollsanteckning),
        (r"omröstning(sresultat)?", PartLabel.omrostning),
        (r"jäv", PartLabel.jav),
    )
)
MAX_HEADING_CHARS = 80
# "Bilaga 1", "Bilaga A till § 45", "Bilaga 2: Reglemente för …": an attachment printed in the §;
# only after another part (a title line "… i Bilaga J till Allmänna Bestämmelser" is no bilaga).
BILAGA = re.compile(
    r"^bilaga\s+(?:\d{1,2}|[A-ZÅÄÖ])\b(?!\s+till\s+[A-ZÅÄÖ][a-zåäö]+\s+[A-ZÅÄÖ])", re.I
)


def part_label(line: str) -> PartLabel | None:
    """The label a line announces, or None for ordinary text."""
    text = line.strip()
    if not text or len(text) > MAX_HEADING_CHARS:
        return None
    for pattern, label in PART_HEADINGS:
        if pattern.match(text):
            return label
    return None


def _bilaga(line: str) -> bool:
    text = line.strip()
    return len(text) <= MAX_HEADING_CHARS and bool(BILAGA.match(text))


def label_parts(text: str) -> tuple[tuple[str, int, int], ...]:
    """(label, start, end) spans of the labelled parts of a § text, in order."""
    starts: list[tuple[str, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        label = part_label(line)
        if label is None and starts and _bilaga(line):
            label = PartLabel.bilaga
        if label is not None:
            starts.append((label.value, offset))
        offset += len(line)
    spans = []
    for i, (label, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        spans.append((label, start, len(text[:end].rstrip())))
    return tuple(spans)
