"""`searcher mentions` (every occurrence, KWIC) and `searcher trend` (counts per year/month).

Call `register(app)` on the Typer app. Results go to stdout (a table, or --json lines, or --csv);
totals and diagnostics to stderr when stdout is machine-readable. The lexical arm only: these
commands never load the embedding model.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from searcher.analysis.matching import DEFAULT_CASE, DEFAULT_FORM, Case, Form
from searcher.cli import render
from searcher.cli.common import (
    DebugOpt,
    IndexDirOpt,
    JsonOpt,
    KommunOpt,
    NoColorOpt,
    OrganOpt,
    TypeOpt,
    YearOpt,
    cli_errors,
)
from searcher.settings import Settings, choices
from searcher.tools.mentions import Mention, MentionTotals, find_mentions, totals
from searcher.tools.trend import Period, Trend, save_png, trend

BAR_WIDTH = 40  # characters of the longest bar in the terminal chart
WHERE_WIDTH = 24  # §/heading column of the KWIC lines (longer headings end in …)
MATCH_WIDTH = 30
MIN_CONTEXT = 12  # characters of context on each side, however narrow the terminal
BAR_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red")
_EIGHTHS = " ▏▎▍▌▋▊▉"

FormsOpt = Annotated[
    Form, typer.Option("--forms", "-f", help=f"Which spellings count: {choices(Form)}.")
]
CaseOpt = Annotated[
    Case, typer.Option("--case", help=f"Letter case: {choices(Case)} (smart: a capital in the "
                       "term makes it case-sensitive).")
]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV with a header line on stdout.")]
DocOpt = Annotated[str | None, typer.Option("--doc", help="Filter: one document (file name).")]


def register(app: typer.Typer) -> None:
    """Add the `mentions` and `trend` commands to `app`."""
    app.command(name="mentions")(cli_errors(mentions))
    app.command(name="trend")(cli_errors(trend_cmd))


def mentions(
    term: Annotated[str, typer.Argument(help='Term, e.g. Balans-22, "Dnr 2022-00295", yttrande.')],
    forms: FormsOpt = DEFAULT_FORM,
    case: CaseOpt = DEFAULT_CASE,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    doc: DocOpt = None,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Every mention of TERM in the indexed texts (KWIC), with totals per document and year.

    Exempel: searcher mentions Balans-22 · searcher mentions yttrande --forms inflected ·
    searcher mentions placering --forms compound --json · searcher mentions KPMG --csv
    """
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir)
    filters = {"typ": doc_type, "organ": organ, "kommun": municipality, "year": year, "doc": doc}
    with open_index(settings.index_dir, settings=settings) as ix:
        found = list(find_mentions(ix, term, forms=forms, filters=filters, case=case))
    summary = totals(found)
    err = render.stderr_console(no_color)
    if json_out:
        render.emit_jsonl(m.to_dict() for m in found)
        err.print(_totals_line(term, summary), highlight=False)
        return
    if csv_out:
        fields = list(Mention.__dataclass_fields__)
        _write_csv(fields, ([m.to_dict()[f] for f in fields] for m in found))
        err.print(_totals_line(term, summary), highlight=False)
        return
    out = render.stdout_console(no_color)
    if not found:
        err.print(f"no mentions of {term!r} ({forms.value})", highlight=False)
        return
    for line in kwic_lines(found, out.width):
        out.print(line, crop=True, overflow="crop", no_wrap=True)
    out.print()
    out.print(totals_table(summary))


def trend_cmd(
    terms: Annotated[list[str], typer.Argument(help="One or more terms, e.g. Balans-22 KPMG.")],
    by: Annotated[Period, typer.Option("--by", help=f"Bucket: {choices(Period)}.")] = Period.year,
    forms: FormsOpt = DEFAULT_FORM,
    case: CaseOpt = DEFAULT_CASE,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
    png: Annotated[
        Path | None, typer.Option("--png", help="Also save the chart as a PNG image here.",
                                  dir_okay=False)
    ] = None,
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    doc: DocOpt = None,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    debug: DebugOpt = False,
) -> None:
    """How often TERMS are mentioned per year (or month): bar chart, --json, --csv, --png.

    Exempel: searcher trend Balans-22 KPMG · searcher trend yttrande --forms inflected --by month
    · searcher trend Brottsofferjouren --png trend.png
    """
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir)
    filters = {"typ": doc_type, "organ": organ, "kommun": municipality, "year": year, "doc": doc}
    with open_index(settings.index_dir, settings=settings) as ix:
        t = trend(ix, terms, by=by, forms=forms, filters=filters, case=case)
    err = render.stderr_console(no_color)
    if json_out:
        render.emit_jsonl(t.rows())
    elif csv_out:
        _write_csv(["period", *t.terms],
                   ([p, *(t.counts[i][j] for i in range(len(t.terms)))]
                    for j, p in enumerate(t.periods)))
    else:
        render.stdout_console(no_color).print(bar_chart(t))
    if png is not None:
        save_png(t, png)
        err.print(f"chart saved to {png}", highlight=False)


def kwic_lines(found: list[Mention], width: int) -> list[Text]:
    """Keyword-in-context lines fitted to `width`: doc, §/heading, page, left | match | right,
    with the matches aligned in one column."""
    where_w = min(WHERE_WIDTH, max((len(m.where) for m in found), default=0))
    doc_w = max((len(m.doc) for m in found), default=0)
    page_w = max((len(str(m.page)) for m in found if m.page), default=0)
    match_w = min(MATCH_WIDTH, max((len(m.match) for m in found), default=0))
    fixed = doc_w + 2 + where_w + 2 + (page_w + 4 if page_w else 0) + match_w + 2
    side = max(MIN_CONTEXT, (width - fixed) // 2)
    lines = []
    for m in found:
        line = Text(m.doc.ljust(doc_w), style="cyan")
        line.append("  " + _fit(m.where, where_w).ljust(where_w), style="dim")
        if page_w:
            line.append(f"  s.{str(m.page or '').rjust(page_w)}", style="dim")
        line.append("  " + m.left[-side:].rjust(side) + " ")
        line.append(_fit(m.match, match_w).ljust(match_w), style="bold yellow")
        line.append(" " + m.right[:side])
        lines.append(line)
    return lines


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def totals_table(summary: MentionTotals) -> Table:
    """Totals per document and per year, then the grand total."""
    table = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    table.add_column("per", style="dim")
    table.add_column("", no_wrap=True)
    table.add_column("antal", justify="right")
    for doc, n in summary.by_doc:
        table.add_row("dokument", doc, str(n))
    for year, n in summary.by_year:
        table.add_row("år", str(year) if year is not None else "okänt", str(n))
    table.add_row("totalt", "", str(summary.total), style="bold")
    return table


def bar_chart(t: Trend, width: int = BAR_WIDTH) -> Table:
    """Horizontal bars grouped by period, one colour per term (several terms side by side)."""
    top = max((n for row in t.counts for n in row), default=0) or 1
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("period", style="bold", no_wrap=True)
    table.add_column("term", no_wrap=True)
    table.add_column("bar", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    for j, period in enumerate(t.periods):
        for i, term in enumerate(t.terms):
            style = BAR_STYLES[i % len(BAR_STYLES)]
            n = t.counts[i][j]
            table.add_row(period if i == 0 else "", Text(term, style=style),
                          Text(_bar(n / top * width), style=style), str(n))
    return table


def _bar(cells: float) -> str:
    full, rest = int(cells), int((cells - int(cells)) * 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def _totals_line(term: str, summary: MentionTotals) -> str:
    docs = ", ".join(f"{d} {n}" for d, n in summary.by_doc) or "–"
    years = ", ".join(f"{y if y is not None else 'okänt'} {n}" for y, n in summary.by_year) or "–"
    return f"{summary.total} mentions of {term!r} · per document: {docs} · per year: {years}"


def _write_csv(header: list[str], rows: Iterable[list]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    sys.stdout.flush()
