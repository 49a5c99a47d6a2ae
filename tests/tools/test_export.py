"""searcher.tools.export: the writers round-trip through the readers analysts use."""

from __future__ import annotations

import csv
import io
import json

import pytest

from searcher.errors import BadQueryError
from searcher.tools.export import (
    ExportFormat,
    choose_format,
    write_csv,
    write_jsonl,
    write_records,
)

RECORDS = [
    {"rank": 1, "score": 0.5, "doc": "a.txt", "section_id": "a/p1", "title": "Budget | 2020",
     "text": "Rubrik\n\nFörsta stycket, med \"citat\" och radbrytning.\n\n"
             "Post\tBelopp\nHyra\t1 200",
     "breadcrumb": ["Ekonomi", "Budget"], "dnr": None},
    {"rank": 2, "score": 0.25, "doc": "b.txt", "section_id": "b/s3", "title": "Växjö",
     "text": "Kort.", "breadcrumb": [], "dnr": "2022-00295", "extra": {"k": 1}},
]


def test_csv_round_trips_with_full_text_and_a_header():
    out = io.StringIO(newline="")
    assert write_csv(RECORDS, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert list(rows[0]) == ["rank", "score", "doc", "section_id", "title", "text", "breadcrumb",
                             "dnr", "extra"]  # keys in first-seen order
    assert rows[0]["text"] == RECORDS[0]["text"]  # newlines, quotes and tabs survive
    assert rows[0]["breadcrumb"] == "Ekonomi › Budget" and rows[0]["dnr"] == ""
    assert rows[1]["extra"] == '{"k": 1}' and rows[0]["extra"] == ""


def test_csv_columns_can_be_fixed():
    out = io.StringIO()
    write_csv(RECORDS, out, columns=["doc", "rank"])
    assert out.getvalue().splitlines() == ["doc,rank", "a.txt,1", "b.txt,2"]


def test_jsonl_is_the_records_one_per_line():
    out = io.StringIO()
    assert write_jsonl(RECORDS, out) == 2
    assert [json.loads(line) for line in out.getvalue().splitlines()] == RECORDS
    assert "Växjö" in out.getvalue()  # UTF-8, not \\u escapes


def test_markdown_gives_a_section_per_hit_and_tables_as_tables():
    out = io.StringIO()
    write_records(RECORDS, ExportFormat.md, out, title="searcher: budget")
    md = out.getvalue()
    assert md.startswith("# searcher: budget\n\n## 1. Budget \\| 2020\n")
    assert "**Rubrik**" in md and "Första stycket" in md
    assert "| Post | Belopp |\n|---|---|\n| Hyra | 1 200 |" in md
    assert "**section_id**: b/s3" in md and "## 2. Växjö" in md


def test_markdown_of_records_without_text_is_one_table():
    out = io.StringIO()
    write_records([{"year": 2020, "n": 3}, {"year": 2021, "n": 5}], "md", out)
    assert out.getvalue() == "| year | n |\n|---|---|\n| 2020 | 3 |\n| 2021 | 5 |\n\n"


@pytest.mark.parametrize(
    ("fmt", "path", "expected"),
    [
        (None, "hits.csv", ExportFormat.csv),
        (None, "hits.JSONL", ExportFormat.jsonl),
        (None, "hits.md", ExportFormat.md),
        (None, None, ExportFormat.csv),
        (None, "-", ExportFormat.csv),
        ("jsonl", "hits.csv", ExportFormat.jsonl),  # an explicit format wins
    ],
)
def test_choose_format(fmt, path, expected):
    assert choose_format(fmt, path) is expected


def test_unknown_formats_list_the_choices():
    with pytest.raises(BadQueryError, match="add --format \\(csv, jsonl, md, xlsx\\)"):
        choose_format(None, "hits.ods")
    with pytest.raises(BadQueryError, match="choose from csv, jsonl, md, xlsx"):
        choose_format("ods", None)
