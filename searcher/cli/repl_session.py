"""One interactive session: its state (mode, filters, limit, last results) and its commands.

Plain lines are queries; lines starting with ':' are commands (ReplCommand), resolved by name
or unique prefix. `Repl.handle(line)` runs one line; the terminal loop lives in cli/repl.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from searcher.cli import render
from searcher.cli.common import LOADING_MODEL, MODEL_READY, loading_note
from searcher.errors import BadQueryError, SearcherError
from searcher.records import Result
from searcher.settings import SearchMode, choices

if TYPE_CHECKING:
    from searcher.engine import SearchIndex


class ReplCommand(str, Enum):
    """Commands of the session; `:help` and the errors are generated from this table."""

    mode = "mode"
    filter = "filter"
    limit = "limit"
    show = "show"
    similar = "similar"
    export = "export"
    help = "help"
    quit = "quit"


USAGE: dict[ReplCommand, tuple[str, str]] = {
    ReplCommand.mode: ("MODE", f"search mode: {choices(SearchMode)}"),
    ReplCommand.filter: ("[KEY=VALUE]", "filter by typ, organ, kommun, year, …; "
                         "KEY= drops one, :filter alone clears"),
    ReplCommand.limit: ("N", "number of hits"),
    ReplCommand.show: ("N", "the whole section of hit N of the last results"),
    ReplCommand.similar: ("N", "sections similar to hit N"),
    ReplCommand.export: ("FILE", "write the last results to FILE (.csv, .jsonl or .md)"),
    ReplCommand.help: ("", "this help"),
    ReplCommand.quit: ("", "leave (also Ctrl-D)"),
}


@dataclass
class Repl:
    """One interactive session over an open index."""

    ix: SearchIndex
    out: Console
    err: Console
    mode: SearchMode = SearchMode.hybrid
    limit: int = 10
    filters: dict[str, str] = field(default_factory=dict)
    candidates: int = 50
    results: tuple[Result, ...] = ()
    last_query: str = ""  # the last query as searched (typos corrected), for highlighting
    _warm: threading.Thread | None = field(default=None, init=False, repr=False)

    def prompt(self) -> str:
        flt = "".join(f" {k}={v}" for k, v in self.filters.items())
        return f"searcher {self.mode.value}{flt}> "

    def warm_up(self) -> None:
        """Load the embedding model in the background so the first answer is quick too.

        An index without embeddings starts in lexical mode instead (and says so once).
        """
        if not self.ix.has_semantic:
            if self.mode is SearchMode.hybrid:
                self.mode = SearchMode.lexical
                self.err.print("lexical mode: this index has no embeddings yet (run `searcher "
                               "index` to add them)", highlight=False, markup=False)
            return
        if self.mode is not SearchMode.lexical:
            self._warm = threading.Thread(target=self._load_model, daemon=True)
            self._warm.start()

    def _load_model(self) -> None:
        t0 = time.perf_counter()
        note = loading_note(LOADING_MODEL)
        try:
            self.ix.encoder()
        except SearcherError:
            return  # the first semantic query loads it again and reports the error
        finally:
            note.cancel()
        self.err.print(MODEL_READY.format(seconds=time.perf_counter() - t0), style="dim",
                       highlight=False)

    def handle(self, line: str) -> bool:
        """Run one input line; False when the session should end."""
        line = line.strip()
        if not line:
            return True
        try:
            if line.startswith(":"):
                return self._command(line[1:])
            self.query(line)
        except SearcherError as e:
            render_error(self.err, e)
        return True

    def query(self, text: str) -> None:
        if self._warm is not None and self.mode is not SearchMode.lexical:
            if self._warm.is_alive():
                self.err.print("loading the embedding model …", style="dim")
            self._warm.join()
        t0 = time.perf_counter()
        response = self.ix.respond(text, mode=self.mode, limit=self.limit,
                                   filters=self.filters, candidates=self.candidates)
        self.last_query = response.corrected_query or text
        self._results(response.results, f"{response.mode}, {time.perf_counter() - t0:.2f} s",
                      response.notes)

    def _results(self, results: tuple[Result, ...], how: str, notes: tuple[str, ...] = ()) -> None:
        for n in notes:
            self.err.print(f"note: {n}", highlight=False, markup=False)
        self.results = tuple(results)
        if not results:
            self.err.print(f"no hits ({how})", highlight=False, markup=False)
            return
        patterns = render.query_patterns(self.last_query, [r.section.text for r in results])
        self.out.print(render.results_table(results, patterns, explain=False))
        self.err.print(f"{len(results)} hits ({how}) · :show N to read one", highlight=False,
                       markup=False)

    def _command(self, text: str) -> bool:
        name, _sep, arg = text.strip().partition(" ")
        command = _resolve(name)
        arg = arg.strip()
        if command is ReplCommand.quit:
            return False
        handlers: dict[ReplCommand, Callable[[str], None]] = {
            ReplCommand.mode: self._set_mode, ReplCommand.filter: self._set_filter,
            ReplCommand.limit: self._set_limit, ReplCommand.show: self._show,
            ReplCommand.similar: self._similar, ReplCommand.export: self._export,
            ReplCommand.help: self._help,
        }
        handlers[command](arg)
        return True

    def _set_mode(self, arg: str) -> None:
        try:
            self.mode = SearchMode(arg)
        except ValueError:
            raise BadQueryError(
                f"unknown mode {arg!r}; choose from {choices(SearchMode)}") from None
        self.err.print(f"mode {self.mode.value}", highlight=False)

    def _set_filter(self, arg: str) -> None:
        from searcher.query.filters import parse_filters

        if not arg:
            self.filters = {}
        else:
            key, sep, value = arg.partition("=")
            if not sep:
                raise BadQueryError(
                    f"write :filter KEY=VALUE, e.g. :filter typ=protokoll; got {arg!r}")
            updated = {**self.filters, key.strip(): value.strip()}
            updated = {k: v for k, v in updated.items() if v}
            parse_filters(updated)  # unknown keys and bad years are refused here, not later
            self.filters = updated
        shown = ", ".join(f"{k}={v}" for k, v in self.filters.items()) or "none"
        self.err.print(f"filters: {shown}", highlight=False, markup=False)

    def _set_limit(self, arg: str) -> None:
        if not arg.isdigit() or not 1 <= int(arg) <= 1000:
            raise BadQueryError(f"write :limit N with N from 1 to 1000; got {arg!r}")
        self.limit = int(arg)
        self.err.print(f"limit {self.limit}", highlight=False)

    def _hit(self, arg: str) -> Result:
        if not self.results:
            raise BadQueryError("no results yet: type a query first")
        if not arg.isdigit() or not 1 <= int(arg) <= len(self.results):
            raise BadQueryError(f"write a hit number from 1 to {len(self.results)}; got {arg!r}")
        return self.results[int(arg) - 1]

    def _show(self, arg: str) -> None:
        from searcher.tools.explore import section_context

        hit = self._hit(arg)
        ctx = section_context(self.ix, hit.section.section_id, 0)
        patterns = (render.query_patterns(self.last_query, [ctx.section.text])
                    if self.last_query else [])
        self.out.print(render.section_view(ctx, patterns))

    def _similar(self, arg: str) -> None:
        hit = self._hit(arg)
        similar = getattr(self.ix, "similar", None)
        if similar is None:
            self.err.print(":similar is not available yet (this index has no similar())",
                           highlight=False, markup=False)
            return
        sid = hit.section.section_id
        t0 = time.perf_counter()
        response = similar(sid, limit=self.limit, filters=self.filters, mode=self.mode,
                           candidates=self.candidates)
        self.last_query = ""
        self._results(response.results, f"like {sid}, {response.mode}, "
                      f"{time.perf_counter() - t0:.2f} s", response.notes)

    def _export(self, arg: str) -> None:
        from searcher.tools.export import choose_format, write_records

        if not arg:
            raise BadQueryError("write :export FILE, e.g. :export hits.csv")
        if not self.results:
            raise BadQueryError("no results yet: type a query first")
        path = Path(arg).expanduser()
        fmt = choose_format(None, path)
        try:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                n = write_records([r.to_dict() for r in self.results], fmt, fh)
        except OSError as e:
            raise BadQueryError(f"cannot write {str(path)!r}: {e.strerror}") from None
        self.err.print(f"wrote {n} hits as {fmt.value} to {path}", highlight=False, markup=False)

    def _help(self, _arg: str) -> None:
        self.out.print("Type a query, or a command:", highlight=False)
        for command, (args, what) in USAGE.items():
            self.out.print(f"  :{command.value} {args}".ljust(24) + what, highlight=False,
                           markup=False)


def _resolve(name: str) -> ReplCommand:
    """A command by name or unique prefix (`:q`, `:sh`)."""
    if name in ("exit", "q"):
        return ReplCommand.quit
    found = [c for c in ReplCommand if c.value.startswith(name)] if name else []
    exact = [c for c in found if c.value == name]
    if exact or len(found) == 1:
        return (exact or found)[0]
    if len(found) > 1:
        raise BadQueryError(f"':{name}' could be {', '.join(f':{c.value}' for c in found)}")
    names = ", ".join(f":{c.value}" for c in ReplCommand)
    raise BadQueryError(f"unknown command ':{name}'; choose from {names} (:help explains them)")


def render_error(err: Console, e: BaseException) -> None:
    err.print(Text.assemble(("error:", "red"), " ", str(e)))
