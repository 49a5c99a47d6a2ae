"""Protocols of other layouts than the seed (hand-written fixtures in tests/data/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.chunking import split_document
from searcher.ingest import load_document
from searcher.records import Section

DATA = Path(__file__).resolve().parents[1] / "data"


def _split(name: str) -> list[Section]:
    return split_document(load_document(DATA / name))


@pytest.fixture(scope="module")
def kf() -> list[Section]:
    return _split("kf_protokoll_ks_dnr.txt")


@pytest.fixture(scope="module")
def ks() -> list[Section]:
    return _split("ks_protokoll_dotted_dnr.txt")


@pytest.fixture(scope="module")
def bun() -> list[Section]:
    return _split("bun_protokoll_dense.txt")


def test_kf_paragraph_number_alone_and_ks_dnr_after_title(kf: list[Section]) -> None:
    assert [(s.paragraph, s.dnr, s.arende) for s in kf[1:]] == [
        ("45", "KS 2023/145", "motion"),
        ("46", "KS 2023/201", "val"),
        ("47", "KS 2023/088", "medborgarförslag"),
    ]
    assert kf[1].title == "Motion om fler laddstolpar för elbilar vid kommunens förskolor"
    assert kf[0].kind == "header" and kf[0].section_id == "kf_protokoll_ks_dnr/header"


def test_kf_yrkanden_and_reservationer_stay_in_their_paragraph(kf: list[Section]) -> None:
    p45 = kf[1].text
    for part in (
        "Yrkanden",
        "Anna Lind (C) yrkar bifall",
        "Propositionsordning",
        "Reservationer",
        "reserverar sig mot beslutet",
        "Expedieras\nTekniska nämnden",
    ):
        assert part in p45
    for s in kf:
        assert "Justerandes sign" not in s.text
        assert "Sammanträdesprotokoll" not in s.text


def test_kf_two_column_header_persons(kf: list[Section]) -> None:
    persons = kf[0].persons
    assert "Karin Ek (S), ordförande" in persons
    assert "Lars Holm (S)" in persons  # right-hand column
    assert "Per Nyberg (M), 1:e vice ordförande" in persons
    assert "Sofia Almqvist, kommundirektör" in persons
    assert kf[0].organ == "Kommunfullmäktige" and kf[0].date == "2023-05-22"


def test_ks_title_on_paragraph_line_dotted_dnr_and_toc(ks: list[Section]) -> None:
    assert [(s.paragraph, s.dnr) for s in ks[1:]] == [
        ("112", "KS.2021.1101"),
        ("113", "KS.2021.1234"),
        ("114", "KS.2021.1187"),
        ("115", "KS.2021.0007"),
    ]
    # § 114, a remiss the KS answers with a yttrande, files under yttrande (issue 16)
    assert [s.arende for s in ks[1:]] == ["justering", "redovisning", "yttrande", "information"]
    assert ks[2].title == "Delårsrapport augusti 2021 för kommunstyrelsen"
    for s in ks:
        assert "Innehållsförteckning" not in s.text and "....." not in s.text
        assert "Sida " not in s.text and "______" not in s.text
    # § 113 runs over a page break and stays whole
    assert "Beslutsunderlag\n\nTjänsteskrivelse från ekonomichefen" in ks[2].text
    assert ks[0].municipality == "Sandviken"


def test_dense_layout_with_slash_dnr(bun: list[Section]) -> None:
    assert [(s.paragraph, s.dnr) for s in bun[1:]] == [
        ("21", "BUN/2019/0001/0009"),
        ("22", "BUN/2018/0412/0600"),
        ("23", "BUN/2019/0033/0600"),
    ]
    assert bun[2].title == "Svar på motion om gratis mensskydd i skolan"
    assert bun[2].arende == "motion"
    assert bun[0].organ == "Barn- och utbildningsnämnden"
    for s in bun:
        assert "Utdragsbestyrkande" not in s.text
    assert bun[2].text.rstrip().endswith("Rolf Engström (C) reserverar sig mot beslutet.")
    assert "Sven Ohlsson (S), ordförande" in bun[0].persons
    assert "Åsa Berg, förvaltningschef" in bun[0].persons


@pytest.fixture(scope="module")
def ksau() -> list[Section]:
    return _split("ksau_protokoll_ciceron.txt")


def test_organ_prefixed_headers_dnr_in_a_column_and_agenda_with_dnr(ksau: list[Section]) -> None:
    assert [(s.paragraph, s.dnr, s.title) for s in ksau[1:]] == [
        ("45", None, "Val av justerare"),
        ("46", "KS 2023/00123", "Budgetuppföljning februari 2023"),
        ("47", "KS 2022/00456", "Taxa för hemtjänst m.m."),
        ("48", "KS 2022/00777", "Motion om cykelbanor"),
    ]
    assert ksau[0].organ == "Kommunstyrelsens arbetsutskott" and ksau[0].municipality is None
    for s in ksau:
        assert "Ärendelista" not in s.text and "SAMMANTRÄDESPROTOKOLL" not in s.text
        assert "Sida" not in s.text and "(5)" not in s.text and "BankID" not in s.text


def test_bilaga_with_its_own_paragraphs_and_voting_list_are_parts(ksau: list[Section]) -> None:
    p47, p48 = ksau[3], ksau[4]
    assert "§ 2 Avgifter" in p47.part_text("bilaga")
    assert "Per Holm (M)" in p48.part_text("votering")
    assert "reserverar sig" in p48.part_text("reservation")
