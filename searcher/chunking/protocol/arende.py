"""What kind of ärende a § handles, from its title (one ordered table of patterns) and, for
yttranden and remissvar, from its text (`refine_arende`).

The first matching row wins, so the more specific kinds come first ("Val av justerare" is a
justering, not a val; "Yttrande över motion" is a motion's answer but files under yttrande).
"""

from __future__ import annotations

import re
from enum import StrEnum

from searcher.chunking.parts import label_parts


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


#: A § whose organ answers with a yttrande, whatever its title says: the title or first lines
#: name it ("Svar på remiss …", "Remissvar …", "Yttrande över/till …", "Remissyttrande"), or the
#: decision gives one ("lämnar/antar/avger yttrande", "som svar på remissen", "besvarar
#: remissen"). "… för yttrande" (sending a remiss out) is no answer.
YTTRANDE_HEAD = re.compile(
    r"^\W*(?:svar på (?:\w+\s+){0,3}remiss|remissvar|remissyttrande|yttrande\s+(?:över|till|"
    r"angående|gällande|om|avseende|på|med anledning av|från)|(?:\w+\s+){0,3}yttrande\s+i\s)",
    re.I | re.M,
)
YTTRANDE_DECISION = re.compile(
    r"\b(?:lämna[rs]?|anta[rs]?|avge[rs]?|avlämna[rs]?|överlämna[rs]?|översända[rs]?|"
    r"skicka[rs]?|godkänna[rs]?|godkänner|ställa[rs]? sig bakom|ställer sig bakom)\b"
    r"[^.\n]{0,80}?(?<!för )\b(?:yttrande(?:t|n)?|remissvar(?:et)?|remissyttrande(?:t)?)\b"
    r"|\bsom (?:sitt |kommunens |nämndens )?(?:svar|yttrande) (?:på|över|till) [^.\n]{0,60}remiss"
    r"|\bbesvara[rs]? remissen\b",
    re.I,
)
#: A remiss whose decision takes a stand on it is the organ's remissvar.
REMISS_ANSWER = re.compile(
    r"\b(?:tillstyrk|avstyrk)\w*|\b(?:lämnar|har) (?:inga |följande )?synpunkter\b|"
    r"\bställer sig bakom (?:remiss|förslag)|\butgör\b[^.\n]{0,60}\b(?:beslut|svar)\b", re.I)
HEAD_CHARS = 400  # the title and its first lines
DECISION_LABELS = frozenset({"beslut", "förslag"})
DECISION_CHARS = 3000  # how far into the § a decision is looked for
#: Kinds a title alone may give that the text can show to be a yttrande.
REFINABLE = frozenset({None, ArendeKind.remiss.value, ArendeKind.information.value,
                       ArendeKind.redovisning.value, ArendeKind.ovrigt.value})


def refine_arende(kind: str | None, title: str, text: str) -> str | None:
    """The ärende kind from the title and the § text: a § that answers with a yttrande is a
    yttrande in any kommun's layout; otherwise the title's kind (or the text's first lines')."""
    if kind is None:
        kind = detect_arende(title) if title else None
    if kind not in REFINABLE:
        return kind
    if YTTRANDE_HEAD.search(title) or YTTRANDE_HEAD.search(text[:HEAD_CHARS]):
        return ArendeKind.yttrande.value
    decision = _decision_text(text)
    if YTTRANDE_DECISION.search(decision):
        return ArendeKind.yttrande.value
    if kind == ArendeKind.remiss.value and REMISS_ANSWER.search(decision):
        return ArendeKind.yttrande.value
    return kind


def _decision_text(text: str) -> str:
    """The decision and proposal parts of a § (its opening when it has no labelled parts)."""
    spans = [(a, b) for label, a, b in label_parts(text) if label in DECISION_LABELS]
    return "\n".join(text[a:b] for a, b in spans) if spans else text[:DECISION_CHARS]
