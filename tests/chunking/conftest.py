"""Seed documents loaded and split once per session (they are the golden inputs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.chunking import split_document
from searcher.ingest import load_document
from searcher.records import Document, Section

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
PROTOCOL_SEED = "000_5ef240bb4f3b8a0b.txt"
REPORT_SEED = "004_01ff4cff245c5c24.txt"
DATA = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def protocol_doc() -> Document:
    return load_document(CORPUS / PROTOCOL_SEED)


@pytest.fixture(scope="session")
def report_doc() -> Document:
    return load_document(CORPUS / REPORT_SEED)


@pytest.fixture(scope="session")
def protocol_sections(protocol_doc: Document) -> list[Section]:
    return split_document(protocol_doc)


@pytest.fixture(scope="session")
def report_sections(report_doc: Document) -> list[Section]:
    return split_document(report_doc)
