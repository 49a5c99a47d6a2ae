"""End to end: the protocol seed printed to a PDF (one page per signature box) and read back."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from searcher.chunking import split_document
from searcher.ingest import load_document
from searcher.records import Section

SEED = Path(__file__).resolve().parents[2] / "corpus" / "000_5ef240bb4f3b8a0b.txt"
SIGNATURE = "Ordförandes signatur\tJusterares signatur\tUtdragsbestyrkande"
# The seed's own table of contents says on which page each § starts.
TOC_PAGES = {"257": 3, "258": 4, "259": 5, "260": 6, "261": 7, "262": 9, "263": 11, "264": 12}


@pytest.fixture(scope="module")
def pdf_sections(
    tmp_path_factory: pytest.TempPathFactory, pdf_maker: Callable[..., bytes]
) -> list[Section]:
    chunks = SEED.read_text(encoding="utf-8").split(SIGNATURE)
    pages = []
    for n, chunk in enumerate(chunks):
        lines = chunk.strip("\n").split("\n")
        if n < len(chunks) - 1:
            lines += ["", SIGNATURE]
        pages.append([*lines, "", f"{n + 1} ({len(chunks)})"])
    path = tmp_path_factory.mktemp("pdf") / "protokoll.pdf"
    path.write_bytes(pdf_maker(pages))
    return split_document(load_document(path))


def test_pdf_gives_the_same_paragraphs_as_the_text(pdf_sections: list[Section]) -> None:
    assert [s.kind for s in pdf_sections] == ["header"] + ["paragraph"] * 8
    assert [s.paragraph for s in pdf_sections[1:]] == list(TOC_PAGES)
    assert pdf_sections[4].dnr == "2022-00284"
    assert pdf_sections[5].title.startswith("Socialdepartementets remiss av Europeiska")
    assert pdf_sections[5].title.endswith("COM (2022) 197 final (KS samma dag)")  # wrapped title


def test_pdf_pages_are_kept(pdf_sections: list[Section]) -> None:
    assert pdf_sections[0].page == 1
    assert {s.paragraph: s.page for s in pdf_sections[1:]} == TOC_PAGES


def test_pdf_furniture_removed_and_page_break_joined(pdf_sections: list[Section]) -> None:
    for s in pdf_sections:
        assert "signatur" not in s.text and "Utdragsbestyrkande" not in s.text
        assert not re.search(r"^\d+ \(\d+\)$", s.text, re.M)
        assert "Sammanträdesprotokoll" not in s.text
    p261 = re.sub(r"\s+", " ", pdf_sections[5].text)
    assert "kommer behöva göra. Det är dock först när svensk lagstiftning" in p261
    assert "- kommunstyrelsen 2022-06-22 (§ 115/2022)*" in pdf_sections[6].text
