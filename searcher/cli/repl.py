"""`searcher repl`: an interactive session that keeps the index (and the model) loaded.

Plain lines are queries; lines starting with ':' are commands (ReplCommand). The session state
(mode, filters, limit, last results) lives in one Repl object, not in module globals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

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
from searcher.cli.search_cmds import LimitOpt, ModeOpt
from searcher.errors import BadQueryError, SearcherError
from searcher.records import Result
from searcher.settings import SearchMode, Settings, choices

if TYPE_CHECKING:
    from searcher.engine import SearchIndex

app = typer.Typer()

HISTORY_FILE = "repl_history"
HISTORY_LENGTH = 2000


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
    ReplCommand.filter: ("[KEY=VALUE]", "add a filter (typ, organ, kommun, year, …); "
                         "KEY= drops one, no argument clears all"),
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
    stems: list[str] = field(default_factory=list)
    _warm: threading.Thread | None = field(default=None, init=False, repr=False)

    def prompt(self) -> str:
        flt = "".join(f" {k}={v}" for k, v in self.filters.items())
        return f"searcher {self.mode.value}{flt}> "

    def warm_up(self) -> None:
        """Load the embedding model in the background so the first answer is quick too."""
        if self.ix.has_semantic and self.mode is not SearchMode.lexical:
            self._warm = threading.Thread(target=self._load_model, daemon=True)
            self._warm.start()

    def _load_model(self) -> None:
        try:
            self.ix.encoder()
        except SearcherError:
            pass  # the first semantic query loads it again and reports the error

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
        self.stems = [t for _f, t in self.ix.lexical.query_terms(text)]
        self._results(response.results, f"{response.mode}, {time.perf_counter() - t0:.2f} s",
                      response.notes)

    def _results(self, results: tuple[Result, ...], how: str, notes: tuple[str, ...] = ()) -> None:
        for n in notes:
            self.err.print(f"note: {n}", highlight=False, markup=False)
        self.results = tuple(results)
        if not results:
            self.err.print(f"no hits ({how})", highlight=False, markup=False)
            return
        patterns = render.highlight_patterns(self.stems)
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
            raise BadQueryError(f"unknown mode {arg!r}; choose from {choices(SearchMode)}") from None
        self.err.print(f"mode {self.mode.value}", highlight=False)

    def _set_filter(self, arg: str) -> None:
        from searcher.engine import parse_filters

        if not arg:
            self.filters = {}
        else:
            key, sep, value = arg.partition("=")
            if not sep:
                raise BadQueryError(f"write :filter KEY=VALUE, e.g. :filter typ=protokoll; got {arg!r}")
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
        from searcher.explore import section_context

        hit = self._hit(arg)
        ctx = section_context(self.ix, hit.section.section_id, 0)
        self.out.print(render.section_view(ctx, render.highlight_patterns(self.stems)))

    def _similar(self, arg: str) -> None:
        hit = self._hit(arg)
        similar = getattr(self.ix, "similar", None)
        if similar is None:
            self.err.print(":similar is not available yet (this index has no similar())",
                           highlight=False, markup=False)
            return
        self._results(tuple(similar(hit.section.section_id, self.limit)),
                      f"similar to {hit.section.section_id}")

    def _export(self, arg: str) -> None:
        from searcher.export import choose_format, write_records

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
    names = ", ".join(f":{c.value}" for c in ReplCommand)
    raise BadQueryError(f"unknown command ':{name}'; choose from {names} (:help explains them)")


def render_error(err: Console, e: BaseException) -> None:
    from rich.text import Text

    err.print(Text.assemble(("error:", "red"), " ", str(e)))


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

    Exempel:

        searcher repl
        searcher repl --mode lexical --organ "Kommunstyrelsens arbetsutskott"
    """
    from searcher.engine import open_index

    settings = Settings.resolve(index_dir=index_dir, mode=mode, limit=limit)
    start = {k: v for k, v in filters(doc_type, organ, municipality, year).items() if v}
    with open_index(settings.index_dir, settings=settings) as ix:
        session = Repl(ix, render.stdout_console(no_color), render.stderr_console(no_color),
                       mode=SearchMode(settings.mode), limit=settings.limit, filters=start,
                       candidates=settings.candidates)
        path = history_path(settings)
        rl = _readline(path)
        session.err.print(f"searcher repl · {len(ix.documents())} documents in "
                          f"{settings.index_dir}/ · :help for commands, :quit to leave",
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
                    session.err.print("interrupted", highlight=False)
        finally:
            if rl is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                rl.write_history_file(path)
