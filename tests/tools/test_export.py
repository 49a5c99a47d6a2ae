"""searcher.tools.export: the writers round-trip through the readers analysts use."""

from __future__ import annotations

import csv
import io
import json

import pytest

from searcher.errors import BadQueryError
from searcher.tools.export import (
    XLSX_CELL_MAX,
    ExportFormat,
    choose_format,
    write_csv,
    write_jsonl,
    write_records,
    write_xlsx,
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


# -- Excel (issue 18) --------------------------------------------------------------------------
SWEDISH_ROWS = [{"rank": 1, "score": 0.5, "title": "Budget; 26,5 mnkr", "text": "rad 1\nrad 2",
                 "breadcrumb": ["Ekonomi", "Drift"]},
                {"rank": 2, "score": 0.25, "title": 'Citat "så"', "text": "å ä ö",
                 "breadcrumb": []}]


def test_excel_csv_round_trips_with_bom_and_semicolons():
    out = io.StringIO()
    assert write_csv(SWEDISH_ROWS, out, excel=True) == 2
    text = out.getvalue()
    assert text.splitlines()[0] == "\ufeffrank;score;title;text;breadcrumb"
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert [r["title"] for r in rows] == ["Budget; 26,5 mnkr", 'Citat "så"']
    assert rows[0]["text"] == "rad 1\nrad 2" and rows[0]["breadcrumb"] == "Ekonomi › Drift"


def test_csv_streams_when_the_columns_are_given():
    out = io.StringIO()
    written_before_second = []

    def records():
        yield SWEDISH_ROWS[0]
        written_before_second.append(out.getvalue())  # the first row is out already
        yield SWEDISH_ROWS[1]

    write_csv(records(), out, columns=["rank", "title"])
    assert written_before_second[0].splitlines() == ["rank,title", '1,"Budget; 26,5 mnkr"']


def test_xlsx_keeps_values_and_cuts_only_what_excel_cannot_hold(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    rows = [*SWEDISH_ROWS, {"rank": 3, "score": 0.1, "title": "lång\x01", "text": "x" * 40_000,
                            "breadcrumb": None}]
    path = tmp_path / "out.xlsx"
    assert write_xlsx(rows, path, title="Balans-22: [alla]") == 3
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet.title == "Balans-22   alla"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("rank", "score", "title", "text", "breadcrumb")
    assert values[1][:2] == (1, 0.5) and values[1][4] == "Ekonomi › Drift"
    assert values[3][2] == "lång" and len(values[3][3]) == XLSX_CELL_MAX
    assert sheet.freeze_panes == "A2"


def test_xlsx_is_refused_on_a_text_stream():
    with pytest.raises(BadQueryError, match="binary"):
        write_records(SWEDISH_ROWS, ExportFormat.xlsx, io.StringIO())
