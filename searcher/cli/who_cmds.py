"""`searcher case DNR` (one case through organs and meetings) and the who-said-what options of
`searcher search` (--person, --party, --part). The lexical index and the store only: these never
load the embedding model unless a query is searched in hybrid or semantic mode.

Call `register(app)` on the Typer app; `search_who` answers a search with those options.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer
from rich.table import Table

from searcher.cli import render
from searcher.cli.common import (
    DebugOpt,
    IndexDirOpt,
    JsonOpt,
    NoColorOpt,
    NoPagerOpt,
    cli_errors,
    emit,
    found_or_none,
)
from searcher.messages import t
from searcher.records import Result
from searcher.settings import Settings, choices
from searcher.tools.case import CaseHit, follow_case
from searcher.tools.who import Part, WhoFilter, filter_results, sections_by

PersonOpt = Annotated[str | None, typer.Option(
    "--person", help="Only sections where this person made a yrkande or reservation.")]
PartyOpt = Annotated[str | None, typer.Option(
    "--party", help="Only sections where this party (SD, Moderaterna …) made a yrkande or "
                    "reservation.")]
PartOpt = Annotated[Part | None, typer.Option(
    "--part", help=f"Match only inside this part of a §: {choices(Part)}.")]
#: Hits fetched before --person/--party/--part thin them out (then cut to --limit).
WHO_FETCH = 500
DECISION_WIDTH = 90


def register(app: typer.Typer) -> None:
    """Add the `case` command to `app`."""
    app.command(name="case")(cli_errors(case))


def case(
    dnr: Annotated[str, typer.Argument(
        help="Diarienummer in any written form: \"KS 2024/123\", 2026.016 KS, Bun/2025:532.")],
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Every section that handles one case, in date order, across organs and meetings.

    Each line: date, organ, §, title, the decision's first sentence, and how the section
    belongs to the case (dnr: its own Dnr; cited: its text cites it; related: the same matter
    under another Dnr).

    Examples: searcher case "Dnr 2022-00295" · searcher case "KS 2024/123" --json
    """
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir)
    with open_index(settings.index_dir, settings=settings) as ix:
        hits = follow_case(ix, dnr)
    if json_out:
        render.emit_jsonl(h.to_dict() for h in hits)
    elif not hits:
        render.note(t("case_none", dnr=dnr), no_color)
    else:
        emit(case_table(hits), no_color=no_color, no_pager=no_pager)
        render.note(t("case_total", n=len(hits), dnr=dnr), no_color)
    found_or_none(bool(hits))


def case_table(hits: list[CaseHit]) -> Table:
    """One row per section: date, organ, §, title over the decision's first sentence, how."""
    table = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    for key in ("case_col_date", "case_col_organ", "case_col_paragraph", "case_col_title",
                "case_col_how"):
        table.add_column(t(key), overflow="fold", no_wrap=key != "case_col_title")
    for h in hits:
        s = h.section
        decision = h.decision if len(h.decision) <= DECISION_WIDTH else \
            h.decision[: DECISION_WIDTH - 1] + "…"
        cell = s.title + (f"\n[dim]{decision}[/dim]" if decision else "")
        table.add_row(s.date or "", s.organ or "", s.paragraph or "", cell, h.how.value)
    return table


def search_who(ix, query: str | None, who: WhoFilter, flt: dict, settings: Settings,
               **respond):
    """A search thinned to what --person/--party/--part admit; without a query every admitted
    section in date order. Returns an engine Response."""
    from searcher.engine import Response

    if query is None or not query.strip():
        sections = sections_by(ix, who, flt)
        results = tuple(Result(rank=i, score=0.0, section=s, mode="filter")
                        for i, s in enumerate(sections, 1))
        return Response(results=results, mode="filter")
    fetch = max(settings.limit, min(WHO_FETCH, settings.limit * 50))
    response = ix.respond(query, mode=settings.mode, limit=fetch, filters=flt,
                          candidates=max(settings.candidates, fetch), **respond)
    return replace(response,
                   results=filter_results(response.results, who, query, settings.limit))
