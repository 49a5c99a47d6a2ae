"""searcher/__main__.py, the warm start: which command lines load the query encoder ahead,
and the hand-over to the engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import searcher.__main__ as launch
from searcher.__main__ import Ahead, Guess, encoder_for, guess

GUESSES = [
    # (argv, guess)
    (["search", "Balans-22"], Guess(None, None)),
    (["search", "sjukfrånvaro", "--mode", "semantic"], Guess(None, "semantic")),
    (["search", "sjukfrånvaro", "-m", "lexical"], Guess(None, "lexical")),
    (["search", "--mode=hybrid", "sjukfrånvaro"], Guess(None, "hybrid")),
    (["search", "x", "--index-dir", "/tmp/ix"], Guess(Path("/tmp/ix"), None)),
    (["search", "--index-dir=ix2", "x", "-m", "semantic"], Guess(Path("ix2"), "semantic")),
    (["search", "--limit", "5", "x", "--type", "protokoll"], Guess(None, None)),
    (["search", "--", "-c"], Guess(None, None)),  # a query "-c": not the option
    (["repl"], Guess(None, None)),
    (["repl", "-m", "semantic", "--index-dir", "a b"], Guess(Path("a b"), "semantic")),
    # commands that encode no query
    ([], None),
    (["index", "corpus"], None),
    (["show", "000_5ef240bb4f3b8a0b/p260"], None),
    (["mentions", "Balans-22"], None),
    (["similar", "000_5ef240bb4f3b8a0b/p260"], None),
    # searches that encode no query: grep-like, like a stored section, another backend, help
    (["search", "KPMG", "--count"], None),
    (["search", "KPMG", "-c"], None),
    (["search", "KPMG", "-l"], None),
    (["search", "KPMG", "--files-with-matches"], None),
    (["search", "--like", "000_5ef240bb4f3b8a0b/p260"], None),
    (["search", "x", "--backend", "postgresql://u@h/db"], None),
    (["search", "x", "--backend=postgresql://u@h/db"], None),
    (["search", "--help"], None),
    (["search", "-h"], None),
    (["--version"], None),
    (["search", "x", "--mode"], None),  # no value: the CLI reports it
]


@pytest.mark.parametrize(("argv", "expected"), GUESSES)
def test_guess(argv, expected):
    assert guess(argv) == expected


def _options(command) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}


def test_the_guess_reads_the_options_the_commands_declare():
    """The spellings `searcher.__main__` reads are the Typer commands' own (no drift)."""
    import typer.main

    from searcher.cli import app

    group = typer.main.get_command(app)
    helps = set(group.context_settings["help_option_names"])
    top = _options(group) | helps
    search = _options(group.commands["search"]) | helps
    assert launch.ENCODING_COMMANDS <= set(group.commands)
    for name in launch.ENCODING_COMMANDS:
        opts = _options(group.commands[name])
        assert set(launch.MODE_OPTIONS) <= opts and set(launch.INDEX_DIR_OPTIONS) <= opts
    assert launch.NO_ENCODING_OPTIONS <= search | top


def test_no_encoder_for_an_index_without_vectors_or_a_lexical_search(lexical_index_dir,
                                                                      monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert encoder_for(Guess(lexical_index_dir, None)) is None  # built with --no-semantic
    assert encoder_for(Guess(tmp_path / "nothing-here", None)) is None
    assert encoder_for(Guess(None, None)) is None  # ./index: absent here
    monkeypatch.setenv("SEARCHER_INDEX_DIR", str(lexical_index_dir))
    assert encoder_for(Guess(None, None)) is None
    assert encoder_for(Guess(None, "no-such-mode")) is None


@pytest.mark.slow
def test_encoder_for_reads_the_settings_and_the_manifest(full_index_dir, monkeypatch):
    from searcher.store import layout

    sem = layout.read_manifest(layout.current_generation(full_index_dir))["semantic"]
    want = Ahead(sem["model"], None, sem["runtime"])
    assert encoder_for(Guess(full_index_dir, None)) == want
    assert encoder_for(Guess(full_index_dir, "semantic")) == want
    assert encoder_for(Guess(full_index_dir, "lexical")) is None
    monkeypatch.setenv("SEARCHER_MODE", "lexical")  # CLI > env > default
    assert encoder_for(Guess(full_index_dir, None)) is None
    assert encoder_for(Guess(full_index_dir, "hybrid")) == want
    monkeypatch.delenv("SEARCHER_MODE")
    monkeypatch.setenv("SEARCHER_INDEX_DIR", str(full_index_dir))
    monkeypatch.setenv("SEARCHER_CACHE_DIR", "/elsewhere")
    assert encoder_for(Guess(None, None)) == Ahead(sem["model"], "/elsewhere", sem["runtime"])


def test_a_failed_load_ahead_fails_again_where_the_encoder_is_opened(tmp_path):
    """The background load swallows nothing: open_encoder loads again and raises there."""
    from searcher.errors import ModelSetupError
    from searcher.semantic import encoder

    encoder.load_ahead(encoder.STATIC_MODEL, cache_dir=str(tmp_path))  # not built there
    assert (encoder.STATIC_MODEL, str(tmp_path), None, encoder.Use.query) in encoder._AHEAD
    with pytest.raises(ModelSetupError, match="static model is not built"):
        encoder.open_encoder(encoder.STATIC_MODEL, cache_dir=str(tmp_path))
    assert not encoder._AHEAD


@pytest.mark.slow
def test_the_engine_takes_the_encoder_loaded_ahead(full_index_dir):
    from searcher.engine import open_index
    from searcher.semantic import encoder

    thread = launch.start_encoder(["search", "sjukfrånvaro", "--index-dir", str(full_index_dir)])
    assert thread is not None
    thread.join()
    (future,) = encoder._AHEAD.values()
    with open_index(full_index_dir) as ix:
        assert ix.encoder() is future.result()
        assert ix.search("sjukfrånvaro", limit=3)
    assert not encoder._AHEAD


@pytest.mark.slow
def test_a_command_that_fails_before_the_model_is_ready_exits_cleanly(full_index_dir):
    """The load ahead is still running when the query is refused: the process waits for it
    at exit (no crash in onnxruntime's teardown) and reports its own error and exit code."""
    env = {**os.environ, "SEARCHER_LANG": "en"}
    p = subprocess.run([sys.executable, "-m", "searcher", "search", "dnr:2022-00295",
                        "--index-dir", str(full_index_dir), "--year", "not-a-year"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "year" in p.stderr.lower()
