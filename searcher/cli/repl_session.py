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
from searcher.cli.common import LOADING_MODEL, MODEL_READY, loading_note, paged
from searcher.errors import BadQueryError, SearcherError
from searcher.messages import t
from searcher.records import Result
from searcher.settings import SearchMode, choices

if TYPE_CHECKING:
    from searcher.engine import SearchIndex
    from searcher.query.parse import ParsedQuery


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


#: Command → (its argument, the message key of what it does).
USAGE: dict[ReplCommand, tuple[str, str]] = {
    ReplCommand.mode: ("MODE", "repl_u_mode"),
    ReplCommand.filter: ("[KEY=VALUE]", "repl_u_filter"),
    ReplCommand.limit: ("N", "repl_u_limit"),
    ReplCommand.show: ("N", "repl_u_show"),
    ReplCommand.similar: ("N", "repl_u_similar"),
    ReplCommand.export: ("FILE", "repl_u_export"),
    ReplCommand.help: ("", "repl_u_help"),
    ReplCommand.quit: ("", "repl_u_quit"),
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
    last_query: ParsedQuery | None = None  # the last query as searched, for highlighting
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
                self.err.print(t("repl_lexical_only"), highlight=False, markup=False)
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
                self.err.print(t("repl_loading"), style="dim")
            self._warm.join()
        t0 = time.perf_counter()
        response = self.ix.respond(text, mode=self.mode, limit=self.limit,
                                   filters=self.filters, candidates=self.candidates)
        self.last_query = response.parsed
        self._results(response, f"{response.mode}, {time.perf_counter() - t0:.2f} s")

    def _results(self, response, how: str) -> None:
        """The hits through the pager when long, then `10 of 465 hits (mode, 0.02 s)`."""
        for n in response.notes:
            self.err.print(f"{t('note')} {n}", highlight=False, markup=False)
        results = response.results
        self.results = tuple(results)
        if not results:
            self.err.print(t("repl_no_hits", how=how), highlight=False, markup=False)
            return
        patterns = (render.query_patterns(self.last_query, [r.section.text for r in results])
                    if self.last_query else [])
        paged(self.out, render.results_table(results, patterns, explain=False))
        summary = render.totals_line(response, hint=False).replace(f"({response.mode})", f"({how})")
        self.err.print(t("repl_hits", summary=summary), highlight=False, markup=False)

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
                t("repl_unknown_mode", arg=arg, choices=choices(SearchMode))) from None
        self.err.print(t("repl_mode", mode=self.mode.value), highlight=False)

    def _set_filter(self, arg: str) -> None:
        from searcher.query.filters import parse_filters
        from searcher.tools.facets import check_values

        if not arg:
            self.filters = {}
        else:
            key, sep, value = arg.partition("=")
            if not sep:
                raise BadQueryError(t("repl_filter_syntax", arg=arg))
            updated = {**self.filters, key.strip(): value.strip()}
            updated = {k: v for k, v in updated.items() if v}
            parse_filters(updated)  # unknown keys and bad years are refused here, not later
            check_values(self.ix, updated)  # and values no document has ("did you mean")
            self.filters = updated
        shown = ", ".join(f"{k}={v}" for k, v in self.filters.items()) or t("repl_none")
        self.err.print(t("repl_filters", shown=shown), highlight=False, markup=False)

    def _set_limit(self, arg: str) -> None:
        if not arg.isdigit() or not 1 <= int(arg) <= 1000:
            raise BadQueryError(t("repl_limit_syntax", arg=arg))
        self.limit = int(arg)
        self.err.print(t("repl_limit", n=self.limit), highlight=False)

    def _hit(self, arg: str) -> Result:
        if not self.results:
            raise BadQueryError(t("repl_no_results"))
        if not arg.isdigit() or not 1 <= int(arg) <= len(self.results):
            raise BadQueryError(t("repl_hit_number", n=len(self.results), arg=arg))
        return self.results[int(arg) - 1]

    def _show(self, arg: str) -> None:
        from searcher.tools.explore import section_context

        hit = self._hit(arg)
        ctx = section_context(self.ix, hit.section.section_id, 0)
        patterns = (render.query_patterns(self.last_query, [ctx.section.text])
                    if self.last_query else [])
        paged(self.out, render.section_view(ctx, patterns))

    def _similar(self, arg: str) -> None:
        hit = self._hit(arg)
        similar = getattr(self.ix, "similar", None)
        if similar is None:
            self.err.print(t("repl_no_similar"), highlight=False, markup=False)
            return
        sid = hit.section.section_id
        t0 = time.perf_counter()
        response = similar(sid, limit=self.limit, filters=self.filters, mode=self.mode,
                           candidates=self.candidates)
        self.last_query = None
        self._results(response, f"like {sid}, {response.mode}, "
                      f"{time.perf_counter() - t0:.2f} s")

    def _export(self, arg: str) -> None:
        from searcher.tools.export import ExportFormat, choose_format, write_records, write_xlsx

        if not arg:
            raise BadQueryError(t("repl_export_syntax"))
        if not self.results:
            raise BadQueryError(t("repl_no_results"))
        path = Path(arg).expanduser()
        fmt = choose_format(None, path)
        records = [r.to_dict() for r in self.results]
        try:
            if fmt is ExportFormat.xlsx:
                n = write_xlsx(records, path, title=self.last_query.query if self.last_query else None)
            else:
                with open(path, "w", encoding="utf-8", newline="") as fh:
                    n = write_records(records, fmt, fh)
        except OSError as e:
            raise BadQueryError(t("repl_cannot_write", path=str(path), why=e.strerror)) from None
        self.err.print(t("repl_wrote", n=n, fmt=fmt.value, path=path), highlight=False,
                       markup=False)

    def _help(self, _arg: str) -> None:
        self.out.print(t("repl_help_head"), highlight=False)
        for command, (args, what) in USAGE.items():
            text = t(what, choices=choices(SearchMode)) if command is ReplCommand.mode else t(what)
            self.out.print(f"  :{command.value} {args}".ljust(24) + text, highlight=False,
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
        raise BadQueryError(t("repl_ambiguous", name=name,
                              options=", ".join(f":{c.value}" for c in found)))
    names = ", ".join(f":{c.value}" for c in ReplCommand)
    raise BadQueryError(t("repl_unknown_command", name=name, names=names))


def render_error(err: Console, e: BaseException) -> None:
    err.print(Text.assemble((t("error"), "red"), " ", str(e)))
