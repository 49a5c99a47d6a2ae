"""Sub-parts of a § (beslut, förslag, bakgrund, …) as labelled spans of its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.chunking import split_document
from searcher.chunking.parts import label_parts, part_label
from searcher.ingest import load_document
from searcher.records import Section
from tests.conftest import CORPUS, PROTOCOL

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Kommunstyrelsens arbetsutskotts beslut", "beslut"),
        ("Kommunstyrelsens arbetsutskotts förslag", "förslag"),
        ("Förslag till beslut", "förslag"),
        ("Beslut", "beslut"),
        ("Bakgrund", "bakgrund"),
        ("Ärendebeskrivning", "bakgrund"),
        ("Beslutsunderlag", "beslutsunderlag"),
        ("Yrkanden", "yrkanden"),
        ("Reservationer", "reservation"),
        ("Expedieras till", "expedieras"),
        ("Beslutet skickas till", "expedieras"),
        ("Protokollsanteckning", "protokollsanteckning"),
        ("Arbetsutskottet utser Malin Lauber (S) till att justera protokollet.", None),
        ("Kommunstyrelsen beslutar att lämna yttrande enligt kommunchefens yttrande.", None),
        ("", None),
    ],
)
def test_part_headings(line, label):
    got = part_label(line)
    assert (got.value if got else None) == label


def test_seed_paragraph_parts():
    sections = {s.paragraph: s for s in split_document(load_document(CORPUS / PROTOCOL))}
    p259 = sections["259"]
    assert [p[0] for p in p259.parts] == ["förslag", "bakgrund", "beslutsunderlag"]
    assert p259.part_text("förslag").endswith("lämna yttrande enligt kommunchefens yttrande.")
    assert p259.part_text("bakgrund").startswith("Bakgrund")
    assert [p[0] for p in sections["257"].parts] == ["beslut", "bakgrund"]
    assert sections["258"].parts == ()


def test_kf_fixture_has_yrkanden_and_reservation():
    sections = split_document(load_document(DATA / "kf_protokoll_ks_dnr.txt"))
    labels = {lab for s in sections for lab, _a, _b in s.parts}
    assert {"beslut", "yrkanden", "reservation", "expedieras"} <= labels


def test_spans_are_ordered_and_inside_the_text():
    text = "§ 1\n\nTitel\n\nBeslut\n\nNämnden beslutar.\n\nBakgrund\n\nDet var så.\n"
    spans = label_parts(text)
    assert [s[0] for s in spans] == ["beslut", "bakgrund"]
    assert spans[0][2] <= spans[1][1] and spans[1][2] <= len(text)
    assert text[spans[0][1] : spans[0][2]] == "Beslut\n\nNämnden beslutar."


def test_parts_survive_the_record_round_trip():
    s = Section("d/p1", "d.txt", 0, "paragraph", "T", "Beslut\n\nJa.", parts=(("beslut", 0, 11),))
    assert Section.from_dict(s.to_dict()) == s


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Reservation från Moderaterna", "reservation"),
        ("Reservation (SD)", "reservation"),
        ("Skriftlig reservation", "reservation"),
        ("Reservationen biläggs protokollet.", None),
        ("Barn- och ungdomsnämnden   Voteringslista", "votering"),
        ("Voteringslista: §44", "votering"),
        ("Omröstningsbilaga", "votering"),
        ("Omröstningslista", "votering"),
    ],
)
def test_appended_part_headings(line: str, label: str | None) -> None:
    found = part_label(line)
    assert (found.value if found else None) == label
