"""Every eval anchor sits in exactly one section of its document: chunking loses no text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from searcher.records import Section

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval" / "public.json"


def _anchors() -> list[tuple[str, str, str]]:
    if not EVAL.is_file():
        return []
    data = json.loads(EVAL.read_text(encoding="utf-8"))
    return [(q["id"], r["doc"], r["anchor"]) for q in data["queries"] for r in q["relevant"]]


@pytest.mark.skipif(not EVAL.is_file(), reason="../shared/eval/public.json not present")
@pytest.mark.parametrize(("qid", "doc", "anchor"), _anchors())
def test_anchor_in_exactly_one_section(
    qid: str,
    doc: str,
    anchor: str,
    protocol_sections: list[Section],
    report_sections: list[Section],
) -> None:
    sections = protocol_sections if doc == protocol_sections[0].doc else report_sections
    hits = [s.section_id for s in sections if anchor in re.sub(r"\s+", " ", s.text)]
    assert len(hits) == 1, (qid, anchor, hits)
