"""Writers that turn records (plain dicts: search hits, later mentions) into files for analysis.

    write_records(records, ExportFormat.csv, out)   # one row per record, full text included

- CSV: RFC 4180 (comma, quoted fields, embedded newlines kept), UTF-8, a header row; lists are
  joined with " › ", nested dicts written as JSON. Reads with `pandas.read_csv(path)`.
- JSON Lines: one record per line, UTF-8, exactly the `--json` shape of the CLI.
- Markdown: records with a `text` field become one section each (heading, metadata, the text
  with tab-separated tables as Markdown tables); other records become one table.
- Excel: `write_xlsx` (openpyxl, one sheet, a bold frozen header row), or CSV the way Swedish
  Excel opens it (`write_csv(..., excel=True)`: a UTF-8 BOM and `;` between fields).

Rows are written as they come when `columns` is given (the CLI streams `export --all` so).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import BinaryIO, TextIO

from searcher.errors import BadQueryError
from searcher.tools.explore.reading import BlockKind, text_blocks


class ExportFormat(str, Enum):
    """Export file formats; the value is also the file suffix that implies it."""

    csv = "csv"
    jsonl = "jsonl"
    md = "md"
    xlsx = "xlsx"


_SUFFIXES = {".csv": ExportFormat.csv, ".jsonl": ExportFormat.jsonl, ".ndjson": ExportFormat.jsonl,
             ".json": ExportFormat.jsonl, ".md": ExportFormat.md, ".markdown": ExportFormat.md,
             ".xlsx": ExportFormat.xlsx}
OPENPYXL_PIN = "openpyxl==3.1.5"
#: Excel's cell limit: longer texts are cut there (with …) rather than refused by Excel.
XLSX_CELL_MAX = 32767
#: What Excel in a Swedish locale expects of a CSV: a BOM to read UTF-8, `;` (the comma is
#: the decimal mark).
EXCEL_BOM = "\ufeff"
EXCEL_DELIMITER = ";"
#: Record keys shown as each Markdown section's heading, in order of preference.
_TITLE_KEYS = ("title", "section_id", "doc")
#: Keys left out of a Markdown section's metadata line (shown elsewhere or too long).
_MD_SKIP = {"text", "title", "persons"}


def choose_format(fmt: ExportFormat | str | None, path: str | Path | None) -> ExportFormat:
    """The format asked for, else the one the file suffix implies, else CSV."""
    if fmt is not None:
        try:
            return ExportFormat(fmt)
        except ValueError:
            raise BadQueryError(f"unknown format {fmt!r}; choose from {_choices()}") from None
    if path is None or str(path) == "-":
        return ExportFormat.csv
    suffix = Path(path).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    raise BadQueryError(f"cannot tell the format of {str(path)!r} from its suffix; "
                        f"add --format ({_choices()}) or use a .csv/.jsonl/.md/.xlsx file name")


def _choices() -> str:
    return ", ".join(f.value for f in ExportFormat)


def write_records(records: Iterable[dict], fmt: ExportFormat | str, out: TextIO, *,
                  columns: Sequence[str] | None = None, title: str | None = None) -> int:
    """Write `records` to `out` in `fmt`; returns how many were written."""
    fmt = choose_format(fmt, None)
    if fmt is ExportFormat.xlsx:
        raise BadQueryError("xlsx is binary: write it with write_xlsx to a file, not a text stream")
    if fmt is ExportFormat.csv:
        return write_csv(records, out, columns=columns)
    if fmt is ExportFormat.jsonl:
        return write_jsonl(records, out)
    return write_markdown(records, out, title=title)


def write_jsonl(records: Iterable[dict], out: TextIO) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(records: Iterable[dict], out: TextIO, *, columns: Sequence[str] | None = None,
              excel: bool = False) -> int:
    """A header row, then one row per record; columns default to the keys in first-seen order
    (all records are read first then; with `columns` given, rows stream). `excel`: BOM and `;`."""
    rows: Iterable[dict] = records
    if columns is None:
        rows = list(records)
        columns = list(dict.fromkeys(k for r in rows for k in r))
    if excel:
        out.write(EXCEL_BOM)
    writer = csv.writer(out, delimiter=EXCEL_DELIMITER if excel else ",")
    writer.writerow(columns)
    n = 0
    for r in rows:
        writer.writerow([cell(r.get(c)) for c in columns])
        n += 1
    return n


def write_xlsx(records: Iterable[dict], out: str | Path | BinaryIO, *,
               columns: Sequence[str] | None = None, title: str | None = None) -> int:
    """One worksheet: a bold, frozen header row and one row per record (openpyxl, write-only,
    so rows stream); cells longer than Excel's limit end in …."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
    except ImportError:
        raise BadQueryError(f"xlsx needs openpyxl: pip install {OPENPYXL_PIN}") from None
    rows: Iterable[dict] = records
    if columns is None:
        rows = list(records)
        columns = list(dict.fromkeys(k for r in rows for k in r))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A2"
    header = []
    for name in columns:
        c = WriteOnlyCell(sheet, value=name)
        c.font = Font(bold=True)
        header.append(c)
    sheet.append(header)
    n = 0
    for r in rows:
        sheet.append([_xlsx_value(r.get(c)) for c in columns])
        n += 1
    book.save(out)
    return n


def _xlsx_value(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = _ILLEGAL_XML.sub("", cell(value))
    return text if len(text) <= XLSX_CELL_MAX else text[: XLSX_CELL_MAX - 1] + "…"


def _sheet_title(title: str | None) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title or "searcher").strip()
    return cleaned[:31] or "searcher"


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML refuses


def cell(value: object) -> str:
    """One value as spreadsheet text: '' for None, lists joined by ' › ', dicts as JSON."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " › ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_markdown(records: Iterable[dict], out: TextIO, *, title: str | None = None) -> int:
    rows = list(records)
    if title:
        out.write(f"# {title}\n\n")
    if rows and all("text" in r for r in rows):
        for r in rows:
            out.write(_md_record(r))
    elif rows:
        columns = list(dict.fromkeys(k for r in rows for k in r))
        out.write(_md_table([columns, *([cell(r.get(c)) for c in columns] for r in rows)]))
    return len(rows)


def _md_record(r: dict) -> str:
    heading = next((str(r[k]) for k in _TITLE_KEYS if r.get(k)), "")
    rank = f"{r['rank']}. " if r.get("rank") is not None else ""
    meta = [f"**{k}**: {_md_escape(cell(v))}" for k, v in r.items()
            if k not in _MD_SKIP and v not in (None, "", [], ())]
    parts = [f"## {rank}{_md_escape(heading)}", " · ".join(meta)]
    for block in text_blocks(str(r.get("text") or "")):
        if block.kind is BlockKind.table:
            rows = list(block.rows)
            parts.append(_md_table(rows).rstrip("\n"))
        elif block.kind is BlockKind.heading:
            parts.append(f"**{_md_escape(block.text)}**")
        else:
            parts.append(block.text)
    return "\n\n".join(p for p in parts if p) + "\n\n"


def _md_table(rows: list[list[str]] | list[tuple[str, ...]]) -> str:
    width = max(len(r) for r in rows)
    lines = []
    for i, row in enumerate(rows):
        cells = [_md_escape(c).replace("\n", " ") for c in row] + [""] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            lines.append("|" + "---|" * width)
    return "\n".join(lines) + "\n\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")
