"""Commands that build the index and answer queries: index, search, show, sections, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from searcher.cli import render
from searcher.cli.common import (
    BackendOpt,
    DebugOpt,
    DocArg,
    IndexDirOpt,
    JsonOpt,
    KommunOpt,
    NoColorOpt,
    NoPagerOpt,
    OrganOpt,
    TypeOpt,
    YearOpt,
    cli_errors,
    emit,
    filters,
    load_model_in_background,
)
from searcher.ranking.fusion import FusionMethod
from searcher.settings import SearchMode, Settings, choices
from searcher.tools.export import ExportFormat

app = typer.Typer()

ModeOpt = Annotated[
    SearchMode | None, typer.Option("--mode", "-m", help=f"One of: {choices(SearchMode)}.")
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", help="Number of hits.")]
QueryArg = Annotated[str, typer.Argument(help="Query, e.g. \"Balans-22\" or \"Dnr 2022-00295\".")]


@app.command()
@cli_errors
def index(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to index (default: corpus/).")
    ] = None,
    index_dir: IndexDirOpt = None,
    backend: BackendOpt = None,
    no_semantic: Annotated[
        bool, typer.Option("--no-semantic", help="Lexical index only (fast; add embeddings later).")
    ] = False,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Embedding model: default or any sentence-transformers "
                     "name/path (env SEARCHER_MODEL)."),
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove documents whose files are gone.")
    ] = False,
    set_meta: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override metadata, e.g. --set municipality=Växjö."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or messages (warnings and "
                           "the summary still show).")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Index files (.txt, .md, .pdf, .html, .docx): new and changed files only.

    Exempel:

        searcher index corpus/
        searcher index protokoll/2023/ --set municipality=Växjö
        searcher index --no-semantic stora-mappen/
    """
    from searcher.cli.progress import RichProgress
    from searcher.store.build import build_index

    settings = Settings.resolve(index_dir=index_dir, model=model)
    overrides = {}
    for item in set_meta or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--set takes KEY=VALUE, got {item!r}")
        overrides[key.strip()] = value.strip()
    options = dict(semantic=not no_semantic, model=settings.model, rebuild=rebuild, prune=prune,
                   overrides=overrides, cache_dir=settings.cache_dir or None,
                   batch_size=settings.batch_size)
    with RichProgress(quiet=quiet) as progress:
        if backend:
            from searcher.cli.pg_cmds import index_into

            report = index_into(backend, paths or [settings.corpus_dir], progress=progress,
                                **options)
        else:
            report = build_index(paths or [settings.corpus_dir], settings.index_dir,
                                 progress=progress, **options)
    render.note(
        f"indexed {len(report.indexed)}, unchanged {len(report.unchanged)}, "
        f"removed {len(report.removed)}, skipped {len(report.skipped)} documents; "
        f"{report.sections} sections, {report.passages_encoded} passages encoded, "
        f"embeddings {report.semantic}; {report.generation} in {settings.index_dir}/ "
        f"({report.seconds:.1f} s)"
    )
    for line in report.notes:
        render.note(line)
    if report.skipped:
        raise typer.Exit(code=1)


@app.command()
@cli_errors
def search(
    query: Annotated[str | None, typer.Argument(
        help="Query, e.g. \"Balans-22\", \"Dnr 2022-00295\", \"placering OCH kostnad\", "
             "\"yttrande typ:protokoll datum:2020..2022\".")] = None,
    mode: ModeOpt = None,
    limit: LimitOpt = None,
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show each arm's rank and score and the weights.")
    ] = False,
    like: Annotated[str | None, typer.Option(
        "--like", help="Instead of a query: sections like this section id (= `similar`).")] = None,
    fusion: Annotated[FusionMethod, typer.Option(
        "--fusion", help=f"How hybrid combines the arms: {choices(FusionMethod)}.")
    ] = FusionMethod.rrf,
    alpha: Annotated[float | None, typer.Option(
        "--alpha", min=0.0, max=1.0,
        help="Semantic share 0–1; overrides the automatic per-query weighting.")] = None,
    backend: BackendOpt = None,
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Search the index (hybrid by default).

    Exempel:

        searcher search "Balans-22"
        searcher search "Dnr 2022-00295" --mode lexical --json
        searcher search "hur mycket pengar blev över?" --mode semantic --year 2020
        searcher search "yttrande INTE remiss" --type protokoll --explain
        searcher search --like 000_5ef240bb4f3b8a0b/p260 --type yttrande
    """
    from searcher.engine import open_index

    if (query is None) == (like is None):
        raise typer.BadParameter("give a QUERY or --like SECTION_ID (not both)")
    settings = Settings.resolve(index_dir=index_dir, mode=mode, limit=limit)
    flt = filters(doc_type, organ, municipality, year)
    with open_index(_location(backend, settings.index_dir), settings=settings) as ix:
        if like is None:
            load_model_in_background(ix, settings.mode)
        if like is not None:
            response = ix.similar(like, mode=settings.mode, limit=settings.limit, filters=flt,
                                  candidates=settings.candidates)
            marked = ""
        else:
            response = ix.respond(query, mode=settings.mode, limit=settings.limit, filters=flt,
                                  candidates=settings.candidates, fusion=fusion, alpha=alpha)
            marked = response.corrected_query or query
    render_response(response, marked, explain=explain, json_out=json_out, no_color=no_color,
                    no_pager=no_pager, what=query or f"like {like}")


def _location(backend: str | None, index_dir: Path):
    """A postgresql:// URI when --backend/SEARCHER_BACKEND names one, else the index directory."""
    if not backend:
        return index_dir
    from searcher.cli.pg_cmds import index_location

    return index_location(backend, index_dir)


def render_response(response, marked: str, *, explain: bool, json_out: bool, no_color: bool,
                    no_pager: bool, what: str) -> None:
    """Notes on stderr; hits as JSON Lines or a highlighted table on stdout."""
    for line in response.notes:
        render.note(f"note: {line}", no_color)
    if explain and response.weights:
        render.note(f"weights: lexical {response.weights[0]:.2f}, semantic "
                    f"{response.weights[1]:.2f} (RRF k=60)", no_color)
    if json_out:
        render.emit_jsonl(r.to_dict() for r in response.results)
        return
    if not response.results:
        render.note(f"no hits for {what!r} ({response.mode}); try other words, "
                    f"--mode semantic, or fewer filters", no_color)
        return
    patterns = render.query_patterns(marked, [r.section.text for r in response.results]) \
        if marked else []
    table = render.results_table(response.results, patterns, explain)
    emit(table, no_color=no_color, no_pager=no_pager)
    render.note(f"{len(response.results)} hits ({response.mode})", no_color)


@app.command()
@cli_errors
def similar(
    section_id: Annotated[str, typer.Argument(help="A section id, e.g. from search results.")],
    mode: ModeOpt = None,
    limit: LimitOpt = None,
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show each arm's rank.")] = False,
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Sections most like one section: by embedding and shared rare terms, same filters as
    search. --type also takes an ärende kind (yttrande, remiss, motion, …).

    Exempel:

        searcher similar 000_5ef240bb4f3b8a0b/p260 --type yttrande
        searcher similar 004_01ff4cff245c5c24/s005 -n 5 --json
    """
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir, mode=mode, limit=limit)
    with open_index(settings.index_dir, settings=settings) as ix:
        response = ix.similar(section_id, mode=settings.mode, limit=settings.limit,
                              filters=filters(doc_type, organ, municipality, year),
                              candidates=settings.candidates)
    render_response(response, "", explain=explain, json_out=json_out, no_color=no_color,
                    no_pager=no_pager, what=f"like {section_id}")


@app.command()
@cli_errors
def show(
    section_id: Annotated[str, typer.Argument(help="A section id from search results.")],
    json_out: Annotated[bool, typer.Option(
        "--json", help="The section record as one JSON line; with --context it has a key "
        "\"context\": {\"before\": [records], \"after\": [records]}.")] = False,
    context: Annotated[int, typer.Option(
        "--context", "-C", min=0, help="Also show N previous and N next sections.")] = 0,
    highlight: Annotated[str | None, typer.Option(
        "--highlight", help="Highlight the words of this query in the text.")] = None,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show one whole section with its metadata (and, with -C N, its neighbours).

    Exempel:

        searcher show 000_5ef240bb4f3b8a0b/p261
        searcher show 000_5ef240bb4f3b8a0b/p261 --context 1
        searcher show 004_01ff4cff245c5c24/s005 --highlight "budgetavvikelse"
        searcher show 000_5ef240bb4f3b8a0b/p261 --json | jq -r .text
    """
    from searcher.engine import open_index
    from searcher.tools.explore import section_context

    settings = Settings.resolve(index_dir=index_dir)
    with open_index(settings.index_dir, settings=settings) as ix:
        ctx = section_context(ix, section_id, context)
        patterns = render.query_patterns(highlight, [ctx.section.text]) if highlight else []
    if json_out:
        render.emit_jsonl([ctx.to_dict() if context else ctx.section.to_dict()])
        return
    emit(render.section_view(ctx, patterns), no_color=no_color,
         no_pager=no_pager)


@app.command()
@cli_errors
def sections(
    doc: DocArg,
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """List the sections of one indexed document, in order.

    Exempel:

        searcher sections 000_5ef240bb4f3b8a0b.txt
        searcher sections 000_5ef240bb4f3b8a0b --json | jq -r .section_id
    """
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir)
    with open_index(settings.index_dir, settings=settings) as ix:
        items = ix.sections(doc)
    if json_out:
        render.emit_jsonl(s.to_dict() for s in items)
        return
    emit(render.sections_table(items), no_color=no_color, no_pager=no_pager)


@app.command()
@cli_errors
def export(
    query: QueryArg,
    fmt: Annotated[ExportFormat | None, typer.Option(
        "--format", "-f", help=f"One of: {choices(ExportFormat)} (default: from the --out "
        "suffix, else csv).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", dir_okay=False, help="File to write (default: stdout).")] = None,
    mode: ModeOpt = None,
    limit: LimitOpt = None,
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    index_dir: IndexDirOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Export search hits with full text and metadata (CSV, JSON Lines or Markdown).

    One row/record per hit, the same fields as `search --json`; CSV lists are joined with " › ".

    Exempel:

        searcher export "Balans-22" --out balans.csv
        searcher export "placeringskostnader" -n 50 --format jsonl > placeringar.jsonl
        searcher export "hälsodata" --mode lexical --out halsodata.md

    In pandas: pd.read_csv("balans.csv") or pd.read_json("placeringar.jsonl", lines=True).
    """
    from searcher.engine import open_index
    from searcher.tools.export import choose_format, write_records

    chosen = choose_format(fmt, out)
    settings = Settings.resolve(index_dir=index_dir, mode=mode, limit=limit)
    with open_index(settings.index_dir, settings=settings) as ix:
        response = ix.respond(query, mode=settings.mode, limit=settings.limit,
                              filters=filters(doc_type, organ, municipality, year),
                              candidates=settings.candidates)
    for line in response.notes:
        render.note(f"note: {line}")
    records = [r.to_dict() for r in response.results]
    title = f"searcher: {query} ({response.mode})"
    if out is None or str(out) == "-":
        n = write_records(records, chosen, sys.stdout, title=title)
        sys.stdout.flush()
    else:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            n = write_records(records, chosen, fh, title=title)
    render.note(f"wrote {n} hits ({response.mode}) as {chosen.value} to {out or 'stdout'}")
