"""Golden tests on ../shared/protocols-dev: every protocol's §, Dnr and title as structure.json
gives them (text files, and the five kept PDFs read from the PDF)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from searcher.chunking import split_document
from searcher.ingest import load_document

DEV = Path(__file__).resolve().parents[3] / "shared" / "protocols-dev"
STRUCTURE = DEV / "structure.json"
pytestmark = pytest.mark.skipif(
    not STRUCTURE.is_file(), reason=f"protocols-dev corpus not found at {DEV}"
)
MAX_DECISION_CHARS = 12_000
KOMMUN = {"Alingsås kommun": "Alingsås", "Jönköpings kommun": "Jönköping"}
APPENDED = ("votering", "bilaga", "reservation")


@cache
def structure() -> list[dict]:
    return json.loads(STRUCTURE.read_text(encoding="utf-8"))["files"] if STRUCTURE.is_file() else []


def _norm_title(text: str) -> str:
    return " ".join(text.replace("**", "").replace("–", "-").split()).casefold()


def _number(paragraph: str) -> str:
    return re.search(r"\d+", paragraph).group()


def _cases(pdf: bool) -> list:
    out = []
    for f in structure():
        path = DEV / f["file"]
        if pdf:
            path = path.with_suffix(".pdf")
            if not path.is_file():
                continue
        out.append(pytest.param(f, path, id=path.name))
    return out


def _check(entry: dict, path: Path) -> None:
    sections = split_document(load_document(path))
    paragraphs = [s for s in sections if s.kind == "paragraph"]
    gold = entry["paragraphs"]
    assert [s.paragraph for s in paragraphs] == [_number(g["paragraph"]) for g in gold]
    assert [s.dnr for s in paragraphs] == [g["dnr"] for g in gold]
    assert [_norm_title(s.title) for s in paragraphs] == [_norm_title(g["title"]) for g in gold]
    assert [s.page for s in paragraphs] == [g["page"] for g in gold] or path.suffix == ".md"
    for s in paragraphs:
        appended = sum(b - a for label, a, b in s.parts if label in APPENDED)
        assert len(s.text) - appended <= MAX_DECISION_CHARS, s.section_id


@pytest.mark.parametrize(("entry", "path"), _cases(pdf=False))
def test_text_protocol_matches_structure(entry: dict, path: Path) -> None:
    _check(entry, path)


@pytest.mark.parametrize(("entry", "path"), _cases(pdf=True))
def test_pdf_protocol_matches_structure(entry: dict, path: Path) -> None:
    _check(entry, path)


@pytest.mark.parametrize(("entry", "path"), _cases(pdf=False))
def test_metadata_from_the_header(entry: dict, path: Path) -> None:
    meta = load_document(path).meta
    assert (meta.organ, meta.date, meta.doc_type) == (
        entry["organ"], entry["meeting_date"], "protokoll"
    )
    assert meta.municipality == KOMMUN[entry["municipality"]]
