"""Commands that build the index and answer queries: index, search, show, sections, export,
values. Exit status as grep: 0 found, 1 nothing found, 2 usage or query error (common.ExitCode),
higher for index and model errors (searcher.errors)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from searcher.cli import render, who_cmds
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
    exclusive,
    filters,
    found_or_none,
    load_model_in_background,
)
from searcher.cli.sanitize import for_terminal_stream
from searcher.messages import t
from searcher.ranking.fusion import FusionMethod
from searcher.settings import SearchMode, Settings, choices
from searcher.tools.export import ExportFormat
from searcher.tools.facets import Facet, label
from searcher.tools.who import WhoFilter

if TYPE_CHECKING:
    from searcher.query.parse import ParsedQuery

app = typer.Typer()

ModeOpt = Annotated[
    SearchMode | None, typer.Option("--mode", "-m", help=f"One of: {choices(SearchMode)}.")
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", help="Number of hits.")]
QueryArg = Annotated[str, typer.Argument(help="Query, e.g. \"Balans-22\" or \"Dnr 2022-00295\".")]
AllOpt = Annotated[bool, typer.Option(
    "--all", help="Every matching section (no limit, no 1,000 cap).")]
CountOpt = Annotated[bool, typer.Option(
    "--count", "-c", help="Print only how many sections hold the query's words (as grep -c).")]
FilesOpt = Annotated[bool, typer.Option(
    "--files-with-matches", "-l", help="Print only the documents that hold the query's words, "
    "one per line (as grep -l).")]


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
    check: Annotated[bool, typer.Option(
        "--check", help="Verify every index file against its checksum; change nothing.")] = False,
    optimize: Annotated[bool, typer.Option(
        "--optimize", help="Write the lexical index afresh (scores equal a clean build's).")
    ] = False,
    follow_symlinks: Annotated[bool, typer.Option(
        "--follow-symlinks", help="Index files reached through links that leave the folder.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or messages (warnings and "
                           "the summary still show).")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Index files (.txt, .md, .pdf, .html, .docx): new and changed files only.

    Examples:

        searcher index corpus/
        searcher index protokoll/2023/ --set municipality=Växjö
        searcher index --no-semantic stora-mappen/
        searcher index --check
    """
    from searcher.cli.progress import RichProgress
    from searcher.store.build import build_index

    settings = Settings.resolve(index_dir=index_dir, model=model)
    if check:
        _check(settings.index_dir)
        return
    for path in paths or [settings.corpus_dir]:
        if not path.exists():
            raise typer.BadParameter(t("no_corpus", path=path))
    if model is None and not backend:
        settings = _keep_index_model(settings)
    overrides = {}
    for item in set_meta or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(t("set_syntax", item=item))
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
                                 progress=progress, optimize=optimize,
                                 follow_symlinks=follow_symlinks, **options)
    render.note(t(
        "indexed", indexed=len(report.indexed), unchanged=len(report.unchanged),
        removed=len(report.removed), skipped=len(report.skipped), sections=report.sections,
        encoded=report.passages_encoded, semantic=report.semantic,
        generation=report.generation, where=settings.index_dir, seconds=report.seconds))
    for line in report.notes:
        render.note(line)
    if report.skipped:
        raise typer.Exit(code=1)


def _keep_index_model(settings: Settings) -> Settings:
    """The model the existing index was built with, unless --model or SEARCHER_MODEL chose."""
    import os
    from dataclasses import replace

    from searcher.errors import SearcherError
    from searcher.store import layout

    if os.environ.get("SEARCHER_MODEL"):
        return settings
    try:
        _generation, manifest = layout.require_current(settings.index_dir)
    except (SearcherError, OSError, ValueError):
        return settings  # no index yet: the default model
    built_with = (manifest.get("semantic") or {}).get("model")
    if not built_with or built_with == settings.model:
        return settings
    render.note(t("keeps_model", model=built_with))
    return replace(settings, model=built_with)


def _check(index_dir: Path) -> None:
    """`searcher index --check`: one line per damaged file; exit 3 when there is any."""
    from searcher.errors import IndexNotBuiltError
    from searcher.store.check import check_index

    report = check_index(index_dir)
    for line in report.damaged:
        render.note(t("check_damaged", line=line))
    if report.damaged:
        raise IndexNotBuiltError(t("check_failed", n=len(report.damaged), where=index_dir))
    how = t("check_how_sums") if report.checksummed else t("check_how_sizes")
    render.note(t("check_ok", generation=report.generation, where=index_dir, n=report.files,
                  how=how))


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
        bool, typer.Option("--explain", help="Show both arms' rank and score for every hit, "
                                             "the fusion's features and the final score.")
    ] = False,
    like: Annotated[str | None, typer.Option(
        "--like", help="Instead of a query: sections like this section id (= `similar`).")] = None,
    fusion: Annotated[FusionMethod, typer.Option(
        "--fusion", help=f"How hybrid combines the arms: {choices(FusionMethod)}.")
    ] = FusionMethod.learned,
    alpha: Annotated[float | None, typer.Option(
        "--alpha", min=0.0, max=1.0,
        help="Semantic share 0–1; overrides the automatic per-query weighting.")] = None,
    backend: BackendOpt = None,
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    every: AllOpt = False,
    count: CountOpt = False,
    files: FilesOpt = False,
    person: who_cmds.PersonOpt = None,
    party: who_cmds.PartyOpt = None,
    part: who_cmds.PartOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Search the index (hybrid by default). A query of only filters (dnr:2022-00295,
    paragraf:259) lists the matching sections in date order.

    Exit status: 0 hits found, 1 none, 2 usage or query error, 3+ index or model errors.

    Examples:

        searcher search "Balans-22"
        searcher search "Dnr 2022-00295" --mode lexical --json
        searcher search "dnr:2022-00295"
        searcher search "hur mycket pengar blev över?" --mode semantic --year 2019-2020
        searcher search "yttrande INTE remiss" --type protokoll --explain
        searcher search KPMG --count
        searcher search --like 000_5ef240bb4f3b8a0b/p260 --type yttrande
        searcher search --person "Andreas Olsson" · searcher search budget --party SD --part yrkande
    """
    from searcher.engine import open_index
    from searcher.tools.facets import check_values

    who = WhoFilter(person, party, part)
    if (query is None) == (like is None) and not (query is None and not who.is_empty()):
        raise typer.BadParameter(t("no_query"))
    exclusive(**{"--json": json_out, "--count": count, "--files-with-matches": files})
    exclusive(**{"--all": every, "--limit": limit is not None})
    settings = Settings.resolve(index_dir=index_dir, mode=mode, limit=limit)
    flt = filters(doc_type, organ, municipality, year)
    wanted = None if every or files else settings.limit
    # -c and -l are grep's: the sections that hold the words, not those near in meaning.
    run_mode = SearchMode.lexical if count or files else settings.mode
    with open_index(_location(backend, settings.index_dir), settings=settings) as ix:
        check_values(ix, {**flt, **(_query_filters(query) if query else {})})
        if like is None:
            load_model_in_background(ix, settings.mode)
        if like is None and not who.is_empty():
            response = who_cmds.search_who(ix, query, who, flt, settings, fusion=fusion,
                                           alpha=alpha)
            marked = response.parsed
        elif like is not None:
            response = ix.similar(like, mode=settings.mode, limit=settings.limit, filters=flt,
                                  candidates=settings.candidates)
            marked = None
        else:
            response = ix.respond(query, mode=run_mode, limit=wanted, filters=flt,
                                  candidates=settings.candidates, fusion=fusion, alpha=alpha)
            marked = response.parsed
    if count:
        n = response.total if response.total is not None else len(response.results)
        print(n)
        found_or_none(n > 0)
        return
    if files:
        render.emit_lines(dict.fromkeys(r.section.doc for r in response.results))
        found_or_none(bool(response.results))
        return
    render_response(response, marked, explain=explain, json_out=json_out, no_color=no_color,
                    no_pager=no_pager, what=query or (f"like {like}" if like else "filters"))
    found_or_none(bool(response.results))


def _query_filters(query: str) -> dict[str, str]:
    from searcher.query.parse import parse_query

    return parse_query(query).filters


def _location(backend: str | None, index_dir: Path):
    """A postgresql:// URI when --backend/SEARCHER_BACKEND names one, else the index directory."""
    if not backend:
        return index_dir
    from searcher.cli.pg_cmds import index_location

    return index_location(backend, index_dir)


def render_response(response, marked: ParsedQuery | None, *, explain: bool, json_out: bool,
                    no_color: bool, no_pager: bool, what: str) -> None:
    """Notes on stderr; hits as JSON Lines or a highlighted table on stdout."""
    for line in response.notes:
        render.note(f"{t('note')} {line}", no_color)
    if explain and response.weights:
        render.note(t("weights", lex=response.weights[0], sem=response.weights[1]), no_color)
    elif explain and response.mode == "hybrid":
        render.note(t("fusion_learned"), no_color)
    if json_out:
        render.emit_jsonl(r.to_dict() for r in response.results)
        return
    if not response.results:
        render.note(t("no_hits", what=what, mode=response.mode), no_color)
        return
    patterns = render.query_patterns(marked, [r.section.text for r in response.results]) \
        if marked else []
    table = render.results_table(response.results, patterns, explain)
    emit(table, no_color=no_color, no_pager=no_pager)
    render.note(render.totals_line(response), no_color)


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

    Examples:

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
    found_or_none(bool(response.results))


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

    Examples:

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

    Examples:

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
    excel: Annotated[bool, typer.Option(
        "--excel", help="CSV as Swedish Excel opens it: UTF-8 BOM, `;` between fields.")] = False,
    mode: ModeOpt = None,
    limit: LimitOpt = None,
    every: AllOpt = False,
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    index_dir: IndexDirOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Export search hits with full text and metadata (CSV, JSON Lines, Markdown or Excel).

    One row/record per hit, the same fields as `search --json`; CSV lists are joined with " › ".
    A query of only filters (kommun:Växjö, datum:2022) exports every section passing them.

    Examples:

        searcher export "Balans-22" --out balans.csv
        searcher export "kommun:Växjö" --all --out vaxjo.xlsx
        searcher export "placeringskostnader" -n 50 --format jsonl > placeringar.jsonl
        searcher export "hälsodata" --excel --out halsodata.csv

    In pandas: pd.read_csv("balans.csv") or pd.read_json("placeringar.jsonl", lines=True).
    """
    from searcher.engine import open_index
    from searcher.tools.export import choose_format, write_xlsx
    from searcher.tools.facets import check_values

    exclusive(**{"--all": every, "--limit": limit is not None})
    chosen = choose_format(fmt, out)
    if excel and chosen is not ExportFormat.csv:
        raise typer.BadParameter(t("exclusive", options=f"--excel, --format {chosen.value}"))
    if chosen is ExportFormat.xlsx and (out is None or str(out) == "-"):
        raise typer.BadParameter(t("xlsx_needs_file"))
    settings = Settings.resolve(index_dir=index_dir, mode=mode, limit=limit)
    flt = filters(doc_type, organ, municipality, year)
    with open_index(settings.index_dir, settings=settings) as ix:
        check_values(ix, {**flt, **_query_filters(query)})
        response = ix.respond(query, mode=settings.mode, limit=None if every else settings.limit,
                              filters=flt, candidates=settings.candidates)
    for line in response.notes:
        render.note(f"{t('note')} {line}")
    records = (r.to_dict() for r in response.results)
    columns = list(response.results[0].to_dict()) if response.results else []
    title = f"searcher: {query} ({response.mode})"
    if chosen is ExportFormat.xlsx:
        n = write_xlsx(records, out, columns=columns, title=query)
    elif out is None or str(out) == "-":
        exact = chosen.value in ("json", "jsonl")
        stream = sys.stdout if exact else for_terminal_stream(sys.stdout)
        n = _write_text(records, chosen, stream, columns, title, excel)
        sys.stdout.flush()
    else:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            n = _write_text(records, chosen, fh, columns, title, excel)
    render.note(t("wrote", n=n, mode=response.mode, fmt=chosen.value, where=out or t("stdout")))
    if response.total is not None and response.total > n:
        render.note(render.totals_line(response))
    found_or_none(n > 0)


def _write_text(records, chosen: ExportFormat, fh, columns: list[str], title: str,
                excel: bool) -> int:
    from searcher.tools.export import write_csv, write_records

    if chosen is ExportFormat.csv:
        return write_csv(records, fh, columns=columns, excel=excel)
    return write_records(records, chosen, fh, title=title)


@app.command()
@cli_errors
def values(
    facet: Annotated[Facet, typer.Argument(help=f"Which filter: {choices(Facet)}.")],
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """The values a filter can take in this index, with documents and sections for each.

    Examples:

        searcher values kommun
        searcher values type
        searcher values year --json
    """
    from searcher.engine import open_index
    from searcher.tools.facets import facet_values

    settings = Settings.resolve(index_dir=index_dir)
    with open_index(settings.index_dir, settings=settings) as ix:
        found = facet_values(ix, facet)
    if json_out:
        render.emit_jsonl(v.to_dict() for v in found)
    else:
        emit(render.values_table(found), no_color=no_color, no_pager=no_pager)
        render.note(t("n_values", n=len(found), label=label(facet)), no_color)
    found_or_none(bool(found))
