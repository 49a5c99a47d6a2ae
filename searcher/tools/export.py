"""Writers that turn records (plain dicts: search hits, later mentions) into files for analysis.

    write_records(records, ExportFormat.csv, out)   # one row per record, full text included

- CSV: RFC 4180 (comma, quoted fields, embedded newlines kept), UTF-8, a header row; lists are
  joined with " › ", nested dicts written as JSON. Reads with `pandas.read_csv(path)`.
- JSON Lines: one record per line, UTF-8, exactly the `--json` shape of the CLI.
- Markdown: records with a `text` field become one section each (heading, metadata, the text
  with tab-separated tables as Markdown tables); other records become one table.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import TextIO

from searcher.errors import BadQueryError
from searcher.tools.explore.reading import BlockKind, text_blocks


class ExportFormat(str, Enum):
    """Export file formats; the value is also the file suffix that implies it."""

    csv = "csv"
    jsonl = "jsonl"
    md = "md"


_SUFFIXES = {".csv": ExportFormat.csv, ".jsonl": ExportFormat.jsonl, ".ndjson": ExportFormat.jsonl,
             ".json": ExportFormat.jsonl, ".md": ExportFormat.md, ".markdown": ExportFormat.md}
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
                        f"add --format ({_choices()}) or use a .csv/.jsonl/.md file name")


def _choices() -> str:
    return ", ".join(f.value for f in ExportFormat)


def write_records(records: Iterable[dict], fmt: ExportFormat | str, out: TextIO, *,
                  columns: Sequence[str] | None = None, title: str | None = None) -> int:
    """Write `records` to `out` in `fmt`; returns how many were written."""
    fmt = choose_format(fmt, None)
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


def write_csv(records: Iterable[dict], out: TextIO, *, columns: Sequence[str] | None = None) -> int:
    """A header row, then one row per record; columns default to the keys in first-seen order."""
    rows = list(records)
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows for k in r))
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([cell(r.get(c)) for c in columns])
    return len(rows)


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
