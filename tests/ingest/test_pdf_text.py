"""PDF page text: line-end hyphens joined, suspended compounds kept, scans refused by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from searcher.errors import BadInputError
from searcher.ingest import load_document
from searcher.ingest.pdf import join_hyphenated, join_pages


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("ingen an-\nmärkning i detta", "ingen anmärkning\ni detta"),
        ("kommun-\nstyrelsen beslutar", "kommunstyrelsen\nbeslutar"),
        ("Barn- och\nungdomsnämnden", "Barn- och\nungdomsnämnden"),
        ("Barn-\noch ungdomsnämnden", "Barn-\noch ungdomsnämnden"),  # a suspended compound
        ("kultur-\nsamt fritidsnämnden", "kultur-\nsamt fritidsnämnden"),
        ("KS-\n2024-00123", "KS-\n2024-00123"),  # a case number is never joined
        ("sam-\n  manträde", "sammanträde"),
    ],
)
def test_line_end_hyphens(text: str, joined: str) -> None:
    assert join_hyphenated(text) == joined


def test_pages_keep_their_offsets() -> None:
    text, starts = join_pages(["Sida ett an-\nmärkning", "Sida två"])
    assert text == "Sida ett anmärkning\n\nSida två"
    assert [text[s:].split("\n")[0] for s in starts] == ["Sida ett anmärkning", "Sida två"]


def test_scan_without_text_layer_says_so(tmp_path: Path, pdf_maker: Callable[..., bytes]) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_maker([[""], [""]], text=False))
    with pytest.raises(BadInputError, match=r"no text \(scanned\?\).*ocrmypdf"):
        load_document(path)
