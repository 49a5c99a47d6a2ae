"""The "loading the embedding model …" note and the background load beside the lexical arm."""

from __future__ import annotations

import io
import threading

from searcher.cli.common import LOADING_MODEL, load_model_in_background, loading_note


class Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_a_slow_load_gets_a_note_on_a_terminal():
    term = Terminal(tty=True)
    note = loading_note("loading …", after=0.0, stream=term)
    note.join(5)
    assert term.getvalue() == "loading …\n"


def test_a_quick_load_gets_none():
    term = Terminal(tty=True)
    note = loading_note("loading …", after=60.0, stream=term)
    note.cancel()
    note.join(5)
    assert term.getvalue() == ""


def test_no_note_where_stderr_is_not_a_terminal():
    piped = Terminal(tty=False)
    note = loading_note("loading …", after=0.0, stream=piped)
    note.join(5)
    assert piped.getvalue() == ""


class FakeIndex:
    """Counts encoder() calls and the thread that made them."""

    def __init__(self, has_semantic: bool) -> None:
        self.has_semantic = has_semantic
        self.threads: list[str] = []

    def encoder(self):
        self.threads.append(threading.current_thread().name)
        return object()


def test_hybrid_and_semantic_load_the_model_in_the_background():
    for mode in ("hybrid", "semantic"):
        ix = FakeIndex(has_semantic=True)
        thread = load_model_in_background(ix, mode)
        assert thread is not None
        thread.join(5)
        assert ix.threads == ["load-model"]


def test_lexical_mode_or_an_index_without_vectors_loads_nothing():
    for mode, has in (("lexical", True), ("hybrid", False), ("semantic", False)):
        ix = FakeIndex(has_semantic=has)
        assert load_model_in_background(ix, mode) is None
        assert ix.threads == []


def test_the_note_text_says_what_is_happening():
    assert LOADING_MODEL.startswith("loading the embedding model")
