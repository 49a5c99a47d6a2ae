"""`searcher mentions` (every occurrence, a Korp-style concordance) and `searcher trend` (counts
per year/month, raw or relative).

Call `register(app)` on the Typer app. Results go to stdout (the concordance or chart, or
--json lines, or --csv); totals and diagnostics to stderr. The lexical arm only: these commands
never load the embedding model. Exit status as grep: 0 found, 1 none, 2 usage/query error.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from enum import Enum
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
    exclusive,
    found_or_none,
)
from searcher.messages import t
from searcher.query.filters import parse_filters
from searcher.settings import Settings, choices
from searcher.tools.mentions import CONTEXT_CHARS, Mention, MentionTotals, find_mentions, totals
from searcher.tools.trend import Per, Period, Trend, save_png, trend, unit_label

BAR_WIDTH = 40  # characters of the longest bar in the terminal chart
MATCH_WIDTH = 30  # the match column's widest (longer matches end in …)
REF_WIDTH = 12  # the narrow reference column: § 259 s. 4, s055, innehåll…
WIDE_DOC_WIDTH = 28
WIDE_WHERE_WIDTH = 28
MIN_CONTEXT = 10  # characters of context on each side, however narrow the terminal
BAR_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red")
_EIGHTHS = " ▏▎▍▌▋▊▉"


class SortBy(str, Enum):
    """Orders of the concordance (Korp's): by the words left or right of the match, by
    document (reading order), by date."""

    doc = "doc"
    left = "left"
    right = "right"
    date = "date"


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
    sort: Annotated[SortBy, typer.Option(
        "--sort", help=f"Order of the lines: {choices(SortBy)}.")] = SortBy.doc,
    limit: Annotated[int | None, typer.Option(
        "--limit", "-n", min=1, help="Show the first N lines (the totals count all).")] = None,
    context: Annotated[int | None, typer.Option(
        "--context", min=1, help="Characters of context each side (default: fill the "
        "terminal).")] = None,
    wide: Annotated[bool, typer.Option(
        "--wide", help="Document, §/heading and page in full columns.")] = False,
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
    """Every mention of TERM (a concordance: left context, the match in one column, right
    context), with totals per document and year.

    Exit status: 0 found, 1 none, 2 usage or query error.

    Examples: searcher mentions Balans-22 · searcher mentions yttrande --forms inflected
    --sort left · searcher mentions placering --forms compound --json · searcher mentions
    KPMG --csv · searcher mentions Balans-22 --wide --limit 5
    """
    from searcher.engine import open_index
    from searcher.tools.facets import check_values

    exclusive(**{"--json": json_out, "--csv": csv_out})
    settings = Settings.resolve(index_dir=index_dir)
    filters = {"typ": doc_type, "organ": organ, "kommun": municipality, "year": year, "doc": doc}
    flt = parse_filters(filters)
    with open_index(settings.index_dir, settings=settings) as ix:
        check_values(ix, filters)
        found = [m for m in find_mentions(ix, term, forms=forms, filters=filters, case=case)
                 if flt.admits_date(m.date)]
        if context and context > CONTEXT_CHARS and not (json_out or csv_out):
            found = widen(ix, found, context)
    summary = totals(found)
    err = render.stderr_console(no_color)
    if json_out:
        render.emit_jsonl(m.to_dict() for m in found)
        err.print(_totals_line(term, summary), highlight=False)
        found_or_none(bool(found))
        return
    if csv_out:
        fields = list(Mention.__dataclass_fields__)
        _write_csv(fields, ([m.to_dict()[f] for f in fields] for m in found))
        err.print(_totals_line(term, summary), highlight=False)
        found_or_none(bool(found))
        return
    if not found:
        err.print(t("no_mentions", term=term, forms=forms.value), highlight=False)
        found_or_none(False)
    out = render.stdout_console(no_color)
    shown = sort_mentions(found, sort)[:limit]
    for line in concordance(shown, out.width, wide=wide, context=context):
        out.print(line, crop=True, overflow="crop", no_wrap=True)
    out.print()
    out.print(totals_table(summary))
    err.print(t("mentions_of", shown=len(shown), total=summary.total, term=term,
                docs=len(summary.by_doc)), highlight=False)


def widen(ix, found: list[Mention], n: int) -> list[Mention]:
    """Mentions with `n` characters of context each side, re-read from their texts."""
    import re
    from dataclasses import replace

    spaces = re.compile(r"\s+")
    texts = ix.store.get_many({m.section_id for m in found if m.section_id})
    out = []
    for m in found:
        text = texts[m.section_id].text if m.section_id in texts else ix.store.toc_of(m.doc)
        left = spaces.sub(" ", text[max(0, m.start - 3 * n):m.start]).lstrip()[-n:]
        right = spaces.sub(" ", text[m.end:m.end + 3 * n]).rstrip()[:n]
        out.append(replace(m, left=left, right=right))
    return out


def sort_mentions(found: list[Mention], by: SortBy) -> list[Mention]:
    """The concordance order: `left` sorts by the words nearest the match, leftwards."""
    if by is SortBy.left:
        return sorted(found, key=lambda m: [w.lower() for w in reversed(m.left.split())])
    if by is SortBy.right:
        return sorted(found, key=lambda m: m.right.lower().split())
    if by is SortBy.date:
        return sorted(found, key=lambda m: m.date or "9999")  # stable: reading order within
    return list(found)


def reference(m: Mention) -> str:
    """The narrow reference: `§ 259 s.4`, a section's own id (`s055`), or the table of
    contents (`contents`/`innehåll`)."""
    if m.section_id is None:
        ref = t("toc")
    elif m.paragraph:
        ref = f"§ {m.paragraph}"
    else:
        ref = m.section_id.rsplit("/", 1)[-1]
    return f"{ref} s.{m.page}" if m.page else ref


def concordance(found: list[Mention], width: int, *, wide: bool = False,
                context: int | None = None) -> list[Text]:
    """Concordance lines of at most `width` characters: reference column(s), left context
    right-aligned, the match left-aligned in one fixed column, right context. A document
    heading line precedes each run of lines from one document (not on --wide, which has a
    document column)."""
    match_w = min(MATCH_WIDTH, max(4, width // 4), max((len(m.match) for m in found), default=0))
    if wide:  # the columns give way to the context on a narrow terminal
        page_w = max((len(str(m.page)) for m in found if m.page), default=0)
        budget = width - match_w - 4 - 2 * MIN_CONTEXT - (page_w + 4 if page_w else 0) - 2
        where_w = min(WIDE_WHERE_WIDTH, max((len(m.where) for m in found), default=0),
                      max(4, budget // 2))
        doc_w = min(WIDE_DOC_WIDTH, max((len(m.doc) for m in found), default=0),
                    max(4, budget - where_w))
        ref_w = doc_w + 2 + where_w + (page_w + 4 if page_w else 0)
    else:
        ref_w = min(REF_WIDTH, max((len(reference(m)) for m in found), default=0))
    room = width - ref_w - 2 - match_w - 2
    side = max(MIN_CONTEXT, room // 2)
    if context:
        side = min(side, context)
    left_w, right_w = side, max(MIN_CONTEXT, room - side) if not context else side
    lines: list[Text] = []
    last_doc = None
    for m in found:
        if not wide and m.doc != last_doc:
            lines.append(Text(_fit(m.doc, width), style="bold cyan"))
            last_doc = m.doc
        if wide:
            line = Text(_fit(m.doc, doc_w).ljust(doc_w), style="cyan")
            line.append("  " + _fit(m.where, where_w).ljust(where_w), style="dim")
            if page_w:
                line.append(f"  s.{str(m.page or '').rjust(page_w)}", style="dim")
        else:
            line = Text(_fit(reference(m), ref_w).ljust(ref_w), style="dim")
        line.append("  " + _tail(m.left, left_w).rjust(left_w) + " ")
        line.append(_fit(m.match, match_w).ljust(match_w), style="bold yellow")
        line.append(" " + _fit(m.right, right_w))
        line.truncate(width)
        lines.append(line)
    return lines


def kwic_lines(found: list[Mention], width: int) -> list[Text]:
    """The concordance in its wide form (kept for callers of the earlier name)."""
    return concordance(found, width, wide=True)


def trend_cmd(
    terms: Annotated[list[str], typer.Argument(help="One or more terms, e.g. Balans-22 KPMG.")],
    by: Annotated[Period, typer.Option("--by", help=f"Bucket: {choices(Period)}.")] = Period.year,
    per: Annotated[Per, typer.Option(
        "--per", help=f"Counts relative to: {choices(Per)} (auto: per 10,000 words when the "
        "periods differ more than 2× in size, else raw; --json/--csv stay raw unless --per is "
        "given).")] = Per.auto,
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

    Examples: searcher trend Balans-22 KPMG · searcher trend yttrande --forms inflected --by month
    · searcher trend Brottsofferjouren --per sections --png trend.png
    """
    from searcher.engine import open_index
    from searcher.tools.facets import check_values

    exclusive(**{"--json": json_out, "--csv": csv_out})
    settings = Settings.resolve(index_dir=index_dir)
    filters = {"typ": doc_type, "organ": organ, "kommun": municipality, "year": year, "doc": doc}
    machine = json_out or csv_out
    chosen = Per.raw if machine and per is Per.auto else per
    with open_index(settings.index_dir, settings=settings) as ix:
        check_values(ix, filters)
        tr = trend(ix, terms, by=by, forms=forms, filters=filters, case=case, per=chosen)
    err = render.stderr_console(no_color)
    if json_out:
        render.emit_jsonl(tr.rows())
    elif csv_out:
        relative = tr.per != Per.raw.value
        header = ["period", *tr.terms] + ([f"{x} ({tr.per})" for x in tr.terms]
                                         if relative else [])
        _write_csv(header, ([p, *(tr.counts[i][j] for i in range(len(tr.terms))),
                             *((_num(tr.value(i, j)) for i in range(len(tr.terms)))
                               if relative else ())]
                            for j, p in enumerate(tr.periods)))
    else:
        render.stdout_console(no_color).print(bar_chart(tr))
        if per is Per.auto and tr.per != Per.raw.value:
            err.print(t("per_auto", unit=unit_label(tr), ratio=2), highlight=False)
    if png is not None:
        save_png(tr, png)
        err.print(t("chart_saved", path=png), highlight=False)
    found_or_none(any(n for row in tr.counts for n in row))


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.3f}"


def _fit(text: str, width: int) -> str:
    """The start of `text` in `width` characters, ending in … when cut."""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…" if width > 1 else text[:width]


def _tail(text: str, width: int) -> str:
    """The end of `text` in `width` characters, starting with … when cut."""
    if len(text) <= width:
        return text
    return "…" + text[len(text) - width + 1:] if width > 1 else text[len(text) - width:]


def totals_table(summary: MentionTotals) -> Table:
    """Totals per document and per year, then the grand total."""
    table = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    table.add_column(t("per"), style="dim")
    table.add_column("", no_wrap=True)
    table.add_column(t("count"), justify="right")
    for doc, n in summary.by_doc:
        table.add_row(t("f_doc"), doc, str(n))
    for year, n in summary.by_year:
        table.add_row(t("f_year"), str(year) if year is not None else t("unknown"), str(n))
    table.add_row(t("total"), "", str(summary.total), style="bold")
    return table


def bar_chart(tr: Trend, width: int = BAR_WIDTH) -> Table:
    """Horizontal bars grouped by period, one colour per term (several terms side by side);
    a run of periods without any mention is one line (`1988–2012  0`). Relative trends show
    the value per unit; a period without text shows –."""
    values = [[tr.value(i, j) for j in range(len(tr.periods))] for i in range(len(tr.terms))]
    top = max((v or 0 for row in values for v in row), default=0) or 1
    table = Table(box=None, pad_edge=False, show_header=False,
                  title=unit_label(tr) if tr.per != Per.raw.value else None,
                  title_justify="left", title_style="dim")
    table.add_column("period", style="bold", no_wrap=True)
    table.add_column("term", no_wrap=True)
    table.add_column("bar", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    for first, last in _runs(tr):
        if first != last:  # an empty run, collapsed
            table.add_row(f"{tr.periods[first]}–{tr.periods[last]}", "", "", "0")
            continue
        j = first
        for i, term in enumerate(tr.terms):
            style = BAR_STYLES[i % len(BAR_STYLES)]
            v = values[i][j]
            shown = "–" if v is None else (str(tr.counts[i][j]) if tr.per == Per.raw.value
                                          else f"{v:.1f}")
            table.add_row(tr.periods[j] if i == 0 else "", Text(term, style=style),
                          Text(_bar((v or 0) / top * width), style=style), shown)
    return table


def _runs(tr: Trend) -> list[tuple[int, int]]:
    """(first, last) period indexes: single periods with mentions, and runs of 2+ without."""
    empty = [not any(row[j] for row in tr.counts) for j in range(len(tr.periods))]
    out: list[tuple[int, int]] = []
    j = 0
    while j < len(empty):
        k = j
        while empty[j] and k + 1 < len(empty) and empty[k + 1]:
            k += 1
        out.append((j, k) if k > j else (j, j))
        j = k + 1
    return out


def _bar(cells: float) -> str:
    full, rest = int(cells), int((cells - int(cells)) * 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def _totals_line(term: str, summary: MentionTotals) -> str:
    docs = ", ".join(f"{d} {n}" for d, n in summary.by_doc) or "–"
    years = ", ".join(f"{y if y is not None else t('unknown')} {n}"
                      for y, n in summary.by_year) or "–"
    return t("mentions_line", total=summary.total, term=term, docs=docs, years=years)


def _write_csv(header: list[str], rows: Iterable[list]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    sys.stdout.flush()
