"""What every command shares: option types, the error boundary, paged output, completion."""

from __future__ import annotations

import functools
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, RenderableType

from searcher.cli import render
from searcher.errors import SearcherError
from searcher.messages import t
from searcher.settings import Settings


class ExitCode(IntEnum):
    """Exit status as grep has it; the index/model errors keep their own (searcher.errors)."""

    found = 0
    none = 1
    usage = 2
    interrupted = 130

#: Pager options when $LESS is unset: keep colours (-R), quit when it fits (-F), no clear (-X).
LESS_DEFAULT = "-FRX"


def _complete_documents(ctx: typer.Context, incomplete: str) -> Iterator[tuple[str, str]]:
    for d in _documents(ctx):
        if d["doc"].startswith(incomplete):
            yield d["doc"], d.get("title") or ""


def _complete_field(field: str) -> Callable[[typer.Context, str], list[str]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        values = sorted({str(d[field]) for d in _documents(ctx) if d.get(field)})
        return [v for v in values if v.lower().startswith(incomplete.lower())]

    return complete


def _documents(ctx: typer.Context) -> list[dict]:
    """Documents of the index named on the command line (or the default) for completion."""
    from searcher.engine import open_index

    try:
        with open_index(Settings.resolve(index_dir=ctx.params.get("index_dir")).index_dir) as ix:
            return ix.documents()
    except (SearcherError, OSError):
        return []


IndexDirOpt = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Index directory (env SEARCHER_INDEX_DIR; default index/)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one record per line.")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colours (also: NO_COLOR=1).")]
NoPagerOpt = Annotated[
    bool, typer.Option("--no-pager", help="Never page long output (a pager is used only on a "
                       "terminal).")
]
BackendOpt = Annotated[
    str | None,
    typer.Option("--backend", envvar="SEARCHER_BACKEND",
                 help="Keep the index in PostgreSQL: a postgresql://user@host/db URI "
                      "(env SEARCHER_BACKEND; default: the index directory)."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
TypeOpt = Annotated[
    str | None,
    typer.Option("--type", help="Filter: document type, e.g. protokoll, rapport.",
                 autocompletion=_complete_field("doc_type")),
]
OrganOpt = Annotated[
    str | None,
    typer.Option("--organ", help="Filter: organ, e.g. \"Kommunstyrelsens arbetsutskott\".",
                 autocompletion=_complete_field("organ")),
]
KommunOpt = Annotated[
    str | None,
    typer.Option("--kommun", help="Filter: municipality, e.g. Växjö.",
                 autocompletion=_complete_field("municipality")),
]
YearOpt = Annotated[str | None, typer.Option(
    "--year", help="Filter: a year, date or range: 2020, 2019-2020, 2019..2020, 2019-, -2020, "
    "2022-08-16..2022-12-31.")]
DocArg = Annotated[
    str, typer.Argument(help="Document file name (or its stem), e.g. 000_5ef240bb4f3b8a0b.txt.",
                        autocompletion=_complete_documents),
]


def filters(doc_type: str | None, organ: str | None, municipality: str | None,
            year: str | None) -> dict[str, str | None]:
    """The filter dict the library takes (keys as `searcher.engine.parse_filters` knows them)."""
    return {"typ": doc_type, "organ": organ, "kommun": municipality, "year": year}


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
            render.error(e)
            raise typer.Exit(code=e.exit_code) from None
        except KeyboardInterrupt:
            render.stderr_console().print(t("interrupted"))
            raise typer.Exit(code=ExitCode.interrupted) from None
        except ValueError as e:
            if debug:
                traceback.print_exc()
            render.error(e)
            raise typer.Exit(code=ExitCode.usage) from None
        except BrokenPipeError:  # `searcher … | head`: the reader left, which is fine
            # Point stdout at /dev/null so that Python's last flush at exit stays quiet.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(code=0) from None

    return wrapper


def exclusive(**options: bool) -> None:
    """Refuse output options that exclude each other (`--json --csv`), naming them."""
    given = [name for name, on in options.items() if on]
    if len(given) > 1:
        raise typer.BadParameter(t("exclusive", options=", ".join(given)))


def found_or_none(found: bool) -> None:
    """End the command grep's way: exit 1 when nothing was found."""
    if not found:
        raise typer.Exit(code=ExitCode.none)


def emit(*renderables: RenderableType, no_color: bool = False, no_pager: bool = False) -> None:
    """Print to stdout; through a pager when stdout is a terminal and the output is long."""
    console = render.stdout_console(no_color)
    if no_pager or not sys.stdout.isatty():
        console.print(*renderables)
        return
    paged(console, *renderables)


def paged(console: Console, *renderables: RenderableType) -> None:
    """Print on `console`; through the pager ($PAGER, else less -FRX) when it is a terminal
    and the output is taller than it (the repl's :show and long result lists too)."""
    if not console.is_terminal:
        console.print(*renderables)
        return
    with console.capture() as capture:
        console.print(*renderables)
    if capture.get().count("\n") < console.size.height - 1:
        console.print(*renderables)
        return
    os.environ.setdefault("LESS", LESS_DEFAULT)
    with console.pager(styles=True):
        console.print(*renderables)


#: A model load longer than this gets a note on stderr, so the screen does not stay blank.
LOADING_NOTE_AFTER_S = 0.5
LOADING_MODEL = "loading the embedding model …"
MODEL_READY = "semantic search is ready ({seconds:.1f} s)"


def loading_note(text: str, *, after: float = LOADING_NOTE_AFTER_S,
                 stream=None) -> threading.Timer:
    """A started timer that writes `text` to stderr after `after` s unless cancelled first.

    Only on a terminal: a script or a test reading stderr sees no note.
    """
    stream = stream if stream is not None else sys.stderr

    def say() -> None:
        if stream.isatty():
            print(text, file=stream, flush=True)

    timer = threading.Timer(after, say)
    timer.daemon = True
    timer.start()
    return timer


def load_model_in_background(ix, mode) -> threading.Thread | None:
    """Start loading the embedding model beside the lexical arm (both cores, one wait).

    `searcher search` in hybrid or semantic mode calls this right after opening the index;
    the engine's own encoder() then waits for this load instead of starting another.
    """
    if str(getattr(mode, "value", mode)) == "lexical" or not ix.has_semantic:
        return None

    def load() -> None:
        note = loading_note(LOADING_MODEL)
        try:
            ix.encoder()
        except SearcherError:
            pass  # the search itself loads again and reports the error where it belongs
        finally:
            note.cancel()

    thread = threading.Thread(target=load, name="load-model", daemon=True)
    thread.start()
    return thread
