"""The `searcher` Typer app: the root options, assembled from one module per command group.

- search_cmds: index, search, similar, show, sections, export, values
- explore_cmds: docs, stats
- repl: repl (the session itself: repl_session)
- mentions_cmds: mentions, trend
- pg_cmds: migrate (PostgreSQL backend)
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from searcher import __version__
from searcher.cli import explore_cmds, mentions_cmds, pg_cmds, repl, search_cmds, who_cmds
from searcher.cli.common import cli_errors
from searcher.messages import t

app = typer.Typer(
    name="searcher",
    help=t("app_help") + "\n\n"
    "searcher index corpus/ · searcher search \"Balans-22\" · "
    "searcher search \"dnr:2022-00295\" · "
    "searcher search \"hur mycket pengar blev över?\" --mode semantic --year 2019-2020 · "
    "searcher show 000_5ef240bb4f3b8a0b/p261 · searcher mentions Balans-22 · "
    "searcher values kommun · searcher docs · "
    "searcher stats --organ \"Kommunstyrelsens arbetsutskott\" · "
    "searcher export \"Balans-22\" --out balans.xlsx · searcher repl",
    epilog=t("exit_codes"),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,
)
for group in (search_cmds, explore_cmds, repl):
    app.add_typer(group.app)
mentions_cmds.register(app)
who_cmds.register(app)
pg_cmds.register(app)


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
    """Search Swedish municipal protocols and reports."""


def run() -> None:  # pragma: no cover - console entry point alias
    app(prog_name="searcher")


__all__ = ["app", "cli_errors", "run"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
