"""The `searcher` process (the console script and `python -m searcher`): it starts the query
encoder before the command line is loaded.

Importing the CLI (Typer, whoosh, the engine) takes ~0.6 s of one core; loading the default
model's ONNX session takes ~0.3 s more, mostly outside the GIL. A command that will encode a
query (`searcher search` or `searcher repl`, not in lexical mode, on an index with
embeddings) therefore starts that load on a background thread first, from a guess read off
argv, the environment and the index's manifest; the engine then takes the loaded encoder
(`encoder.open_encoder`). A wrong guess never changes a result: a load nobody asks for is only
wasted work, and a command the guess missed loads the model as before. Nothing heavy is
imported here.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: Commands that encode the queries they are given (in any mode but lexical).
ENCODING_COMMANDS = frozenset({"search", "repl"})
#: Option spellings the guess reads (the Typer commands declare the same; a test compares).
MODE_OPTIONS = ("--mode", "-m")
INDEX_DIR_OPTIONS = ("--index-dir",)
#: Options after which the command encodes no query: grep-like counts and lists, a search
#: for sections like a stored one (its vector is in the index), another backend, help.
NO_ENCODING_OPTIONS = frozenset({"--count", "-c", "--files-with-matches", "-l", "--like",
                                 "--backend", "--help", "-h", "--version"})
#: How long the process waits at exit for a load still running (its C++ must not be torn
#: down under it); only a command that ended before it needed the model waits at all.
EXIT_WAIT_S = 10.0


@dataclass(frozen=True, slots=True)
class Guess:
    """What a command line says about the query encoder it will need."""

    index_dir: Path | None  # as given on the command line (None: the setting decides)
    mode: str | None


def guess(argv: Sequence[str]) -> Guess | None:
    """The index and mode of a command that will encode queries, or None (another command, a
    lexical or grep-like search, help). A value is read as `--opt value` or `--opt=value`;
    everything after `--` is an argument."""
    command: str | None = None
    values: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            break
        name, eq, value = token.partition("=")
        if name in NO_ENCODING_OPTIONS:
            return None
        if name in (*MODE_OPTIONS, *INDEX_DIR_OPTIONS):
            if not eq:
                if i + 1 >= len(argv):
                    return None
                value = argv[i + 1]
                i += 1
            values[MODE_OPTIONS[0] if name in MODE_OPTIONS else name] = value
        elif command is None and not token.startswith("-"):
            command = token
        i += 1
    if command not in ENCODING_COMMANDS:
        return None
    index_dir = values.get(INDEX_DIR_OPTIONS[0])
    return Guess(Path(index_dir) if index_dir is not None else None, values.get(MODE_OPTIONS[0]))


@dataclass(frozen=True, slots=True)
class Ahead:
    """The arguments of the encoder to load ahead (those the engine opens it with)."""

    model: str
    cache_dir: str | None
    index_runtime: str | None


def encoder_for(g: Guess) -> Ahead | None:
    """The encoder a guessed command will open: from the settings (CLI > env > default) and
    the live generation's manifest; None in lexical mode or for an index without vectors."""
    from searcher.settings import SearchMode, Settings
    from searcher.store import layout

    if g.mode is not None and g.mode not in {m.value for m in SearchMode}:
        return None  # the CLI reports the bad value
    settings = Settings.resolve(index_dir=g.index_dir, mode=g.mode)
    if settings.mode == SearchMode.lexical.value or os.environ.get("SEARCHER_BACKEND"):
        return None
    if "://" in str(settings.index_dir):
        return None
    generation = layout.current_generation(Path(settings.index_dir))
    if generation is None:
        return None
    try:
        sem = layout.read_manifest(generation).get("semantic")
    except Exception:  # noqa: BLE001 - the command itself reports a damaged index
        return None
    if not isinstance(sem, dict) or not sem.get("model"):
        return None
    return Ahead(str(sem["model"]), settings.cache_dir or None, sem.get("runtime"))


def start_encoder(argv: Sequence[str]) -> threading.Thread | None:
    """Start loading the encoder a command line will need, on a daemon thread (None: none)."""
    g = guess(argv)
    if g is None:
        return None

    def load() -> None:
        try:
            ahead = encoder_for(g)
            if ahead is None:
                return
            from searcher.semantic.encoder import load_ahead

            load_ahead(ahead.model, cache_dir=ahead.cache_dir, index_runtime=ahead.index_runtime)
        except Exception:  # noqa: BLE001 - a guess; the command loads and reports for itself
            pass

    thread = threading.Thread(target=load, name="encoder-ahead", daemon=True)
    thread.start()
    atexit.register(thread.join, EXIT_WAIT_S)
    return thread


def main() -> None:
    """The `searcher` console script and `python -m searcher`."""
    start_encoder(sys.argv[1:])
    from searcher.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
