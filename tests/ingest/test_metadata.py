"""Document metadata: detected from the text, then sidecar, then explicit overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searcher.errors import BadInputError
from searcher.ingest import detect_meta, load_document
from searcher.ingest.metadata import parse_doc_type

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_seed_protocol_meta() -> None:
    meta = load_document(CORPUS / "000_5ef240bb4f3b8a0b.txt").meta
    assert meta.municipality == "Växjö"
    assert meta.organ == "Kommunstyrelsens arbetsutskott"
    assert meta.doc_type == "protokoll"
    assert meta.date == "2022-08-16"
    assert meta.title == "Sammanträdesprotokoll Kommunstyrelsens arbetsutskott 2022-08-16"


def test_seed_report_meta() -> None:
    meta = load_document(CORPUS / "004_01ff4cff245c5c24.txt").meta
    assert (meta.municipality, meta.doc_type, meta.date) == ("Växjö", "rapport", "2020")
    assert meta.title == "Årsrapport 2020, Arbete och välfärd"
    assert meta.organ == "Nämnden för Arbete och välfärd"


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("Stockholms stad\nPressmeddelande om budget.", "municipality", "Stockholm"),
        ("Borås Stad informerar om vägarbeten.", "municipality", "Borås"),
        ("Sandvikens kommun\nRapport om vatten.", "municipality", "Sandviken"),
        ("Varje kommun ska ha en plan. Region Skåne ansvarar.", "municipality", "Region Skåne"),
        ("Protokoll\nden 3 mars 2021\n§ 1 Val\n§ 2 Budget", "date", "2021-03-03"),
        ("Protokoll\nSocialnämnden\n§ 1 Val\n§ 2 Budget", "organ", "Socialnämnden"),
        ("Delårsrapport 2023\nKultur", "doc_type", "rapport"),
        ("Lag (2010:800) om skolan\n1 § Denna lag", "doc_type", "övrigt"),
        ("Ett pressmeddelande utan paragrafer om protokoll.", "doc_type", "övrigt"),
    ],
)
def test_detection_table(text: str, field: str, value: str) -> None:
    assert getattr(detect_meta(text), field) == value


def test_sidecar_then_overrides(tmp_path: Path) -> None:
    path = tmp_path / "prot.txt"
    path.write_text("Växjö kommun\nEtt dokument om budget.\n", encoding="utf-8")
    (tmp_path / "prot.meta.json").write_text(
        json.dumps({"organ": "Kultur- och fritidsnämnden", "doc_type": "report", "date": "2020"}),
        encoding="utf-8",
    )
    meta = load_document(path).meta
    assert (meta.municipality, meta.organ, meta.doc_type, meta.date) == (
        "Växjö",
        "Kultur- och fritidsnämnden",
        "rapport",
        "2020",
    )
    meta = load_document(path, overrides={"municipality": "Alvesta", "doc_type": "protokoll"}).meta
    assert (meta.municipality, meta.doc_type, meta.organ) == (
        "Alvesta",
        "protokoll",
        "Kultur- och fritidsnämnden",
    )


def test_sidecar_named_after_full_file_name(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Text.\n", encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text('{"municipality": "Lund"}', encoding="utf-8")
    assert load_document(path).meta.municipality == "Lund"


def test_bad_overrides_name_the_choices(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Text.\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="unknown metadata field.*kommun.*choose from"):
        load_document(path, overrides={"kommun": "Lund"})
    with pytest.raises(BadInputError, match="unknown doc_type 'memo'"):
        parse_doc_type("memo")
    (tmp_path / "a.meta.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(BadInputError, match="must be a JSON object"):
        load_document(path)


@pytest.mark.parametrize(
    ("text", "organ", "date"),
    [
        ("Tekniska nämnden\nProtokoll\n\n2026-05-18\n\n§ 1\n\n§ 2\n", "Tekniska nämnden",
         "2026-05-18"),
        ("JÖNKÖPINGS KOMMUN\nSAMMANTRÄDESPROTOKOLL 3\nKultur- och\nfritidsnämnden\n2022-10-18\n"
         "§ 1\n§ 2\n", "Kultur- och fritidsnämnden", "2022-10-18"),
        ("**Sammanträdesprotokoll** Barn- och utbildningsnämnden\n\n2025-09-16\n\n## **§ 92**\n"
         "## **§ 93**\n", "Barn- och utbildningsnämnden", "2025-09-16"),
        ("Protokoll\n\nPlats och tid: Stadshuset\n\n§ 1 Val\n\nByggnadsnämnden har yttrat sig.\n"
         "§ 2 Övrigt\n", None, None),
    ],
)
def test_protocol_organ_from_the_header_only(
    text: str, organ: str | None, date: str | None
) -> None:
    meta = detect_meta(text)
    assert (meta.doc_type, meta.organ, meta.date) == ("protokoll", organ, date)


def test_front_matter_and_date_from_the_file_name(tmp_path: Path) -> None:
    md = tmp_path / "bun.md"
    md.write_text('---\nnamnd: "Barn- och utbildningsnämnden"\ndatum: "2025-09-16"\n---\n\n'
                  "Protokoll\n\n§ 1 Val\n\n§ 2 Övrigt\n", encoding="utf-8")
    assert (load_document(md).meta.organ, load_document(md).meta.date) == (
        "Barn- och utbildningsnämnden", "2025-09-16")
    named = tmp_path / "kommunstyrelsen_2026-06-01.txt"
    named.write_text("Protokoll\n\n§ 1 Val\n\n§ 2 Övrigt\n", encoding="utf-8")
    assert load_document(named).meta.date == "2026-06-01"
    assert load_document(named).meta.municipality is None
