"""`searcher repl`: the terminal loop around a Repl session, with a readline history.

The index (and the model, once loaded) stays open for the whole session, so answers after the
first take milliseconds. The session itself is in cli/repl_session.py.
"""

from __future__ import annotations

from pathlib import Path

import typer

from searcher.cli import render
from searcher.cli.common import (
    DebugOpt,
    IndexDirOpt,
    KommunOpt,
    NoColorOpt,
    OrganOpt,
    TypeOpt,
    YearOpt,
    cli_errors,
    filters,
)
from searcher.cli.repl_session import Repl
from searcher.cli.search_cmds import LimitOpt, ModeOpt
from searcher.messages import t
from searcher.settings import SearchMode, Settings

app = typer.Typer()

HISTORY_FILE = "repl_history"
HISTORY_LENGTH = 2000


def history_path(settings: Settings) -> Path:
    return Path(settings.cache_dir or "~/.cache/searcher").expanduser() / HISTORY_FILE


def _readline(path: Path):
    """GNU readline with a persistent history; None where readline is missing."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return None
    readline.set_history_length(HISTORY_LENGTH)
    try:
        readline.read_history_file(path)
    except OSError:
        pass  # first session: no history yet
    return readline


@app.command()
@cli_errors
def repl(
    mode: ModeOpt = None,
    limit: LimitOpt = None,
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    debug: DebugOpt = False,
) -> None:
    """An interactive session: the index and model stay loaded, so answers are quick.

    Type a query and press Enter; :show 1 reads the first hit; :help lists the commands
    (:mode, :filter, :limit, :show, :similar, :export, :quit). History is kept in
    ~/.cache/searcher/repl_history.

    Examples:

        searcher repl
        searcher repl --mode lexical --organ "Kommunstyrelsens arbetsutskott"
    """
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir, mode=mode, limit=limit)
    start = {k: v for k, v in filters(doc_type, organ, municipality, year).items() if v}
    with open_index(settings.index_dir, settings=settings) as ix:
        session = Repl(ix, render.stdout_console(no_color),
                       render.stderr_console(no_color, wrap=True),
                       mode=SearchMode(settings.mode), limit=settings.limit, filters=start,
                       candidates=settings.candidates)
        path = history_path(settings)
        rl = _readline(path)
        session.err.print(t("repl_banner", n=len(ix.documents()), where=settings.index_dir),
                          highlight=False, markup=False)
        session.warm_up()
        try:
            while True:
                try:
                    line = input(session.prompt())
                except KeyboardInterrupt:
                    print()
                    continue
                except EOFError:
                    print()
                    break
                try:
                    if not session.handle(line):
                        break
                except KeyboardInterrupt:
                    session.err.print(t("repl_interrupted"), highlight=False)
        finally:
            if rl is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                rl.write_history_file(path)
