"""A Progress (searcher.progress) that draws rich progress bars with an ETA on stderr.

Bars are drawn only on a terminal (rich draws nothing live elsewhere, and the bars are
transient); `quiet` (`searcher index -q`) keeps bars and messages off, warnings still show.
"""

from __future__ import annotations

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichBar

from searcher.cli.render import stderr_console


class RichProgress:
    """Progress bar and messages on stderr; a context manager around one indexing run."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.console = stderr_console()
        self.quiet = quiet
        self._bar = RichBar(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
            console=self.console, transient=True, disable=quiet,
        )
        self._task = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def message(self, text: str) -> None:
        if self.quiet:
            return
        self.console.print(text, highlight=False, markup=False)

    def warn(self, text: str) -> None:
        # File names are data, not markup: "[/]" in a name must print as written.
        self.console.print(f"[yellow]skipped:[/yellow] {escape(text)}", highlight=False)

    def start(self, stage: str, total: int) -> None:
        self.finish()
        self._task = self._bar.add_task(stage, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)

    def finish(self) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)
            self._task = None
