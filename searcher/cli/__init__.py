"""The `searcher` command line: thin Typer commands that parse, call the library, render.

Results go to stdout (a table, or JSON Lines with --json); progress and diagnostics to stderr.
Library errors (SearcherError) become one line on stderr and the error's exit code here only.
"""

from __future__ import annotations

from searcher.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
