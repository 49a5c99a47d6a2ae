"""Who said what in a §: the people and parties who MADE each yrkande, reservation,
protokollsanteckning or jäv anmälan, read from the § text alone (a pure function).

A statement is a sentence with a verb of one kind; its makers are the persons named with a party
label ("Anna Carlsson (S)") before the verb, so "X (M) yrkar bifall till Y:s (V) förslag" is
X's yrkande, not Y's. A reservation or jäv may name its makers after the verb ("Mot beslutet
reserverar sig X (M)"); a party may act without a person ("Moderaterna och Liberalerna
reserverar sig"). Role words before a name ("Ordförande Anna Carlsson (S)") are not part of it.

| kind                   | verbs (any tense) / headings                                   |
| ---------------------- | -------------------------------------------------------------- |
| `yrkande`              | yrkar, föreslår, instämmer, lämnar … förslag/yrkande/tillägg   |
| `reservation`          | reserverar sig, lämnar … reservation; names under Reservation  |
| `protokollsanteckning` | lämnar … protokollsanteckning, protokollsanteckning från …     |
| `jäv`                  | anmäler jäv, … på grund av jäv, deltar inte … jäv              |

`part_spans` marks the parts a reader means by `--part`: the yrkanden (a Yrkanden heading, or
the "Förslag till beslut på sammanträdet" that some kommuner write, or the statements
themselves), beslutsgång/propositionsordning, votering (omröstning, voteringslista),
reservationer, protokollsanteckningar and jäv.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum


class StatementKind(StrEnum):
    """What a person or party did in a §."""

    yrkande = "yrkande"
    reservation = "reservation"
    protokollsanteckning = "protokollsanteckning"
    jav = "jäv"


#: Party abbreviations → their names as written in running text (any case, genitive allowed).
PARTY_NAMES: dict[str, str] = {
    "S": "socialdemokraterna", "M": "moderaterna", "SD": "sverigedemokraterna",
    "C": "centerpartiet", "V": "vänsterpartiet", "KD": "kristdemokraterna",
    "L": "liberalerna", "MP": "miljöpartiet",
}
_NAME_WORD = r"[A-ZÅÄÖÉÜ][a-zåäöéüæøèáí]+(?:-[A-ZÅÄÖÉÜ][a-zåäöéüæøèáí]+)?"
PERSON_PARTY = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:\s+(?:af\s+|von\s+|de\s+|van\s+)?{_NAME_WORD}){{1,4}})"
    r"\s*\((?P<party>[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{0,7})\)"
)
#: Names without party labels right before the verb: "Anna Berg och Per Ek yrkar …".
BARE_NAME = re.compile(
    rf"(?:^|[,:;]\s*|\b(?:[Oo]rdföranden?|[Ll]edamoten|[Ee]rsättaren)\s+)"
    rf"(?P<names>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}"
    rf"(?:(?:\s*,\s*|\s+och\s+){_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})*)\s*$"
)
ROLE_WORDS = frozenset(
    "Ordförande Ordföranden Vice Förste Andre Ledamot Ledamoten Ledamöterna Ersättare "
    "Ersättaren Kommunalråd Kommunalrådet Oppositionsråd Oppositionsrådet Gruppledare "
    "Nämndsledamot Till Även Dessutom Också Därefter Sedan".split()
)
#: Capitalised words that open a subject but are no name ("Barn- och Utbildningsnämnden").
_NOT_NAME = frozenset(
    "kommunstyrelsen kommunfullmäktige nämnden förvaltningen utskottet arbetsutskottet "
    "ordföranden sekreteraren ledamöterna styrelsen revisorerna majoriteten oppositionen "
    "kommunen regionen länsstyrelsen".split()
) | frozenset(PARTY_NAMES.values())
_ORGAN_END = re.compile(r"(?:nämnden|förvaltningen|styrelsen|kontoret|utskottet|fullmäktige|"
                        r"kommun|region|bolaget)$", re.I)
PARTY_WORD = re.compile(
    r"\b(?P<word>" + "|".join(PARTY_NAMES.values()) + r")s?\b"
    r"|(?<![\w(])(?P<code>S|M|SD|C|V|KD|L|MP)(?:-gruppen|:s)\b",
    re.I,
)
VERBS: tuple[tuple[StatementKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        (StatementKind.protokollsanteckning,
         r"\b(?:lämnar|lämnade|avger|inkommer med|har inkommit med)\b[^.]{0,60}?"
         r"protokollsanteckning|\bprotokollsanteckning (?:från|av)\b"),
        (StatementKind.reservation,
         r"\breserverar sig\b|\breserverade sig\b|\b(?:lämnar|lämnade|avger)\b[^.]{0,60}?"
         r"reservation|\breservation (?:från|av)\b|\bi en reservation\b"),
        (StatementKind.jav,
         r"\banmäler jäv\b|\bpå grund av jäv\b|\bjäv(?:ig|igt)?\b[^.]{0,40}\bdeltar\b|"
         r"\bdeltar inte\b[^.]{0,60}\bjäv\b"),
        (StatementKind.yrkande,
         r"\byrkar\b|\byrkade\b|\bföreslår\b|\bföreslog\b|\binstämmer\b|\binstämde\b|"
         r"\b(?:lämnar|lämnade|inkommit med|inkommer med|lägger)\b[^.]{0,60}?"
         r"(?:förslag|yrkande|tillägg|ändringsyrkande|tilläggsyrkande)"),
    )
)
#: Kinds whose makers may follow the verb ("Mot beslutet reserverar sig X (M)", "På grund av
#: jäv deltar inte X (C)").
AFTER_VERB = frozenset({StatementKind.reservation, StatementKind.jav})
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-ZÅÄÖ\"”»•–-])")
_BLOCK_RE = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")  # a run of non-blank lines

PART_HEADS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rf"^\W*(?:{pattern})\W*$", re.I))
    for name, pattern in (
        ("yrkande", r"yrkanden?|yrkanden? och propositionsordning|ändringsyrkanden?|"
                    r"förslag (?:till beslut )?på sammanträdet|tilläggsyrkanden?"),
        ("beslutsgång", r"beslutsgång|propositionsordning|proposition(?:sordning)?"),
        ("votering", r"omröstning(?:sresultat)?|votering(?:slista)?|omröstningslista|"
                     r"(?:[\w\- ]{0,60}\s)?voteringslista(?:\s*:?\s*§\s*\d+)?"),
        ("reservation", r"reservation(?:er)?|skriftlig reservation"),
        ("protokollsanteckning", r"(?:protokolls)?anteckning(?:ar)?"),
        ("jäv", r"jäv"),
        ("beslut", r"(?:[\wåäö\- ]{0,60}\s)?beslut|beslutet"),
        ("bakgrund", r"bakgrund|ärendebeskrivning|ärendet|sammanfattning(?: av ärendet)?|"
                     r"beskrivning av ärendet"),
        ("other", r"förslag till beslut|(?:[\wåäö\- ]{0,60}\s)förslag(?: till beslut)?|"
                  r"beslutsunderlag|handlingar i ärendet|expedieras(?: till)?|"
                  r"beslutet skickas till|paragrafen är justerad|beredning"),
    )
)
MAX_HEAD_CHARS = 80


def parse_speakers(text: str) -> tuple[tuple[str, str, str], ...]:
    """(kind, name, party) for every maker of a statement in a § text, in order, no repeats.
    A party acting without a named person has name ''."""
    out: dict[tuple[str, str, str], None] = {}
    for kind, sentence, under, _, _ in _statements(text):
        for row in _makers(kind, sentence, under):
            out.setdefault(row, None)
    return tuple(out)


def _statements(text: str) -> Iterator[tuple[StatementKind, str, str | None, int, int]]:
    """(kind, sentence, the part heading it stands under, and the [start, end) of its block)
    of each statement sentence."""
    under: str | None = None
    for b in _BLOCK_RE.finditer(text):
        lines = [ln.strip() for ln in b.group().splitlines() if ln.strip()]
        while lines and (head := _head(lines[0])) is not None:
            under = head
            lines = lines[1:]
        if not lines:
            continue
        joined = _dehyphen(" ".join(lines))
        found = False
        for sentence in _SENTENCE_END.split(joined):
            for kind, verb in VERBS:
                if verb.search(sentence):
                    found = True
                    yield kind, sentence, under, b.start(), b.end()
                    break
        if not found and under == "reservation" and PERSON_PARTY.search(joined):
            # "Reservation" and the names alone under it
            yield StatementKind.reservation, joined, under, b.start(), b.end()


def _makers(kind: StatementKind, sentence: str, under: str | None
            ) -> Iterator[tuple[str, str, str]]:
    verb = next(p for k, p in VERBS if k is kind).search(sentence)
    cut = verb.start() if verb else len(sentence)
    before = sentence[:cut]
    persons = [_person(m) for m in PERSON_PARTY.finditer(before)]
    if not persons and kind in AFTER_VERB:
        persons = [_person(m) for m in PERSON_PARTY.finditer(sentence[cut:])]
    persons = [p for p in persons if p[0]]
    if not persons and verb and (bare := BARE_NAME.search(before)):
        persons = [(name, "") for name in _bare_names(bare.group("names"))]
    for name, party in persons:
        yield kind.value, name, party
    if not persons:
        for party in _parties(before if verb else sentence):
            yield kind.value, "", party


def _bare_names(names: str) -> list[str]:
    out = []
    for part in re.split(r"\s*,\s*|\s+och\s+", names):
        words = [w for w in part.split() if w not in ROLE_WORDS]
        if len(words) >= 2 and not any(w.lower() in _NOT_NAME or _ORGAN_END.search(w)
                                       for w in words):
            out.append(" ".join(words))
    return out


def _person(m: re.Match[str]) -> tuple[str, str]:
    words = m.group("name").split()
    while words and words[0] in ROLE_WORDS:
        words = words[1:]
    name = " ".join(words) if len(words) >= 2 else ""
    return name, m.group("party").upper()


def _parties(segment: str) -> list[str]:
    by_name = {v: k for k, v in PARTY_NAMES.items()}
    out = []
    for m in PARTY_WORD.finditer(segment):
        code = m.group("code").upper() if m.group("code") else by_name[m.group("word").lower()]
        if code not in out:
            out.append(code)
    return out


def _head(line: str) -> str | None:
    text = line.strip().strip("*#_ ").strip()
    if not text or len(text) > MAX_HEAD_CHARS:
        return None
    for name, pattern in PART_HEADS:
        if pattern.match(text):
            return name
    return None


def _dehyphen(text: str) -> str:
    return re.sub(r"(?<=[a-zåäö])- (?=[a-zåäö])", "", text)


def part_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """(part, start, end) character spans of the parts a reader asks for with `--part`: the
    text under each heading of PART_HEADS up to the next heading; and every statement sentence
    as its kind's part (yrkanden written into the decision text still count as yrkande)."""
    spans: list[tuple[str, int, int]] = []
    heads: list[tuple[str, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        head = _head(line)
        if head is not None:
            heads.append((head, offset))
        offset += len(line)
    for i, (name, start) in enumerate(heads):
        end = heads[i + 1][1] if i + 1 < len(heads) else len(text)
        if name != "other":
            spans.append((name, start, end))
    for kind, _, _, start, end in _statements(text):
        spans.append((kind.value, start, end))
    return tuple(spans)
