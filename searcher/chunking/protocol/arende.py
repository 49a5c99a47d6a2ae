"""What kind of ärende a § handles, from its title: one ordered table of patterns.

The first matching row wins, so the more specific kinds come first ("Val av justerare" is a
justering, not a val; "Yttrande över motion" is a motion's answer but files under yttrande).
"""

from __future__ import annotations

import re
from enum import StrEnum


class ArendeKind(StrEnum):
    """Ärende kinds a protocol § is filed under."""

    justering = "justering"
    val = "val"
    medborgarforslag = "medborgarförslag"
    motion = "motion"
    yttrande = "yttrande"
    remiss = "remiss"
    redovisning = "redovisning"
    information = "information"
    ovrigt = "övrigt"


ARENDE_PATTERNS: tuple[tuple[ArendeKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        (ArendeKind.justering, r"\bjustering\b|\bjusterare\b|\bjustera protokoll"),
        (ArendeKind.val, r"^(?:val|fyllnadsval|entledigande|avsägelse)\b|\bval av\b|\bvälja\b"),
        (ArendeKind.medborgarforslag, r"medborgarförslag"),
        (ArendeKind.motion, r"\bmotion(?:en|er|erna)?\b"),
        (ArendeKind.yttrande, r"\byttrande"),
        (ArendeKind.remiss, r"remiss"),
        (
            ArendeKind.redovisning,
            r"redovisning|uppföljning|rapport|bokslut|årsredovisning|delårs|återrapport",
        ),
        (
            ArendeKind.information,
            r"\binformation|meddelanden|delgivning|anmälan av|anmälningsärenden|inkomna|"
            r"delegationsbeslut|skrivelser",
        ),
        (ArendeKind.ovrigt, r"^övrig(?:t|a)\b"),
    )
)


def detect_arende(title: str) -> str | None:
    """The ärende kind of a § title, or None when no row of the table matches."""
    for kind, pattern in ARENDE_PATTERNS:
        if pattern.search(title):
            return kind.value
    return None
