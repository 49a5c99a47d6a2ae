"""Typer commands. Each one: parse options, call one library function, render."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from searcher import __version__
from searcher.cli import render
from searcher.errors import SearcherError
from searcher.settings import SearchMode, Settings, choices

app = typer.Typer(
    name="searcher",
    help="Sök i svenska kommunala protokoll och rapporter (hybrid: BM25 + embeddings).\n\n"
    "Exempel: searcher index corpus/ · searcher search \"Balans-22\" · "
    "searcher search \"hur mycket pengar blev över?\" --mode semantic",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,
)

IndexDirOpt = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Index directory [env SEARCHER_INDEX_DIR; default index/]."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one record per line.")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colours (also: NO_COLOR=1).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]


def _version(value: bool) -> None:
    if value:
        print(f"searcher {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """Sök i svenska kommunala protokoll och rapporter."""


def cli_errors(fn: Callable) -> Callable:
    """Turn library errors into one stderr line and their exit code (the only place we do)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug", False)
        try:
            return fn(*args, **kwargs)
        except SearcherError as e:
            if debug:
                traceback.print_exc()
            render.stderr_console().print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(code=e.exit_code) from None
        except KeyboardInterrupt:
            render.stderr_console().print("interrupted; the previous index is unchanged")
            raise typer.Exit(code=130) from None
        except ValueError as e:
            if debug:
                traceback.print_exc()
            render.stderr_console().print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(code=2) from None

    return wrapper


@app.command()
@cli_errors
def index(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to index [default: corpus/].")
    ] = None,
    index_dir: IndexDirOpt = None,
    no_semantic: Annotated[
        bool, typer.Option("--no-semantic", help="Lexical index only (fast; add embeddings later).")
    ] = False,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Embedding model: default or any sentence-transformers "
                     "name/path [env SEARCHER_MODEL]."),
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove documents whose files are gone.")
    ] = False,
    set_meta: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override metadata, e.g. --set municipality=Växjö."),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Index files (.txt, .md, .pdf, .html, .docx): new and changed files only."""
    from searcher.cli.progress import RichProgress
    from searcher.indexing import build_index

    settings = Settings.resolve(index_dir=index_dir, model=model)
    overrides = {}
    for item in set_meta or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--set takes KEY=VALUE, got {item!r}")
        overrides[key.strip()] = value.strip()
    with RichProgress() as progress:
        report = build_index(
            paths or [settings.corpus_dir], settings.index_dir, semantic=not no_semantic,
            model=settings.model, rebuild=rebuild, prune=prune, overrides=overrides,
            cache_dir=settings.cache_dir or None, batch_size=settings.batch_size,
            progress=progress,
        )
    err = render.stderr_console()
    err.print(
        f"indexed {len(report.indexed)}, unchanged {len(report.unchanged)}, "
        f"removed {len(report.removed)}, skipped {len(report.skipped)} documents; "
        f"{report.sections} sections, {report.passages_encoded} passages encoded, "
        f"embeddings {report.semantic}; {report.generation} in {settings.index_dir}/ "
        f"({report.seconds:.1f} s)",
        highlight=False,
    )
    if not report.indexed and not report.removed and report.unchanged:
        err.print("nothing changed: no encoding work done")
    if report.skipped:
        raise typer.Exit(code=1)


@app.command()
@cli_errors
def search(
    query: Annotated[str, typer.Argument(help="Query, e.g. \"Balans-22\" or \"Dnr 2022-00295\".")],
    mode: Annotated[
        SearchMode | None, typer.Option("--mode", "-m", help=f"One of: {choices(SearchMode)}.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Number of hits.")] = None,
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show each arm's rank and score.")
    ] = False,
    doc_type: Annotated[str | None, typer.Option("--type", help="Filter: document type.")] = None,
    organ: Annotated[str | None, typer.Option("--organ", help="Filter: organ.")] = None,
    municipality: Annotated[
        str | None, typer.Option("--kommun", help="Filter: municipality.")
    ] = None,
    year: Annotated[str | None, typer.Option("--year", help="Filter: 2020 or 2020..2022.")] = None,
    no_color: NoColorOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Search the index (hybrid by default)."""
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir, mode=mode, limit=limit)
    filters = {"typ": doc_type, "organ": organ, "kommun": municipality, "year": year}
    with open_index(settings.index_dir, settings=settings) as ix:
        response = ix.respond(query, mode=settings.mode, limit=settings.limit, filters=filters,
                              candidates=settings.candidates)
        stems = [t for _f, t in ix.lexical.query_terms(query)] if response.results else []
    err = render.stderr_console(no_color)
    for note in response.notes:
        err.print(f"note: {note}", highlight=False)
    if json_out:
        render.emit_jsonl(r.to_dict() for r in response.results)
        return
    if not response.results:
        err.print(f"no hits for {query!r} ({response.mode})", highlight=False)
        return
    out = render.stdout_console(no_color)
    out.print(render.results_table(response.results, render.highlight_patterns(stems), explain))
    err.print(f"{len(response.results)} hits ({response.mode})", highlight=False)


@app.command()
@cli_errors
def show(
    section_id: Annotated[str, typer.Argument(help="A section id from search results.")],
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show one whole section with its metadata."""
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir)
    with open_index(settings.index_dir, settings=settings) as ix:
        section = ix.show(section_id)
    if json_out:
        render.emit_jsonl([section.to_dict()])
        return
    render.stdout_console(no_color).print(render.section_text(section))


@app.command()
@cli_errors
def sections(
    doc: Annotated[str, typer.Argument(help="Document file name, e.g. 000_5ef240bb4f3b8a0b.txt.")],
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    debug: DebugOpt = False,
) -> None:
    """List the sections of one indexed document, in order."""
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir)
    with open_index(settings.index_dir, settings=settings) as ix:
        items = ix.sections(doc)
    if json_out:
        render.emit_jsonl(s.to_dict() for s in items)
        return
    render.stdout_console(no_color).print(render.sections_table(items))


def run() -> None:  # pragma: no cover - console entry point alias
    app(prog_name="searcher")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
