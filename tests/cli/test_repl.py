"""`searcher repl` through CliRunner (stdin lines), and the session object on its own."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from searcher.cli import app
from searcher.cli.repl_session import USAGE, Repl, ReplCommand
from searcher.records import Result
from searcher.settings import SearchMode
from tests.conftest import PROTOCOL, REPORT

runner = CliRunner()


def repl(index_dir, lines: list[str], *args: str, cache=None):
    env = {"SEARCHER_CACHE_DIR": str(cache)} if cache else {}
    return runner.invoke(app, ["repl", "--index-dir", str(index_dir), "--no-color", *args],
                         input="".join(line + "\n" for line in lines), env=env)


def test_queries_show_and_quit(lexical_index_dir, tmp_path):
    r = repl(lexical_index_dir, ["Balans-22", ":show 1", ":quit", "never read"], "--limit", "3",
             cache=tmp_path)
    assert r.exit_code == 0, r.output
    assert r.stdout.count(REPORT) >= 3  # the table of hits
    assert "3 of 10 hits (lexical" in r.stderr  # the total too (issue 18)
    assert "lexical mode: this index has no embeddings" in r.stderr
    assert "id: 004_01ff4cff245c5c24/s0" in r.stdout  # :show 1, the whole section
    assert "never read" not in r.output


def test_mode_filter_limit_and_errors_keep_the_session_alive(lexical_index_dir, tmp_path):
    lines = [":mode fuzzy", ":filter typ=protokoll", ":limit 2", "yttrande", ":show 7",
             ":filter farg=blå", ":limit x", ":s 1", ":frob", ":filter", ":help"]
    r = repl(lexical_index_dir, lines, cache=tmp_path)
    assert r.exit_code == 0, r.output  # Ctrl-D (end of input) ends the session cleanly
    err = r.stderr
    assert "unknown mode 'fuzzy'; choose from hybrid, lexical, semantic" in err
    assert "filters: typ=protokoll" in err and "2 of 2 hits (lexical" in err
    assert "write a hit number from 1 to 2; got '7'" in err
    assert "unknown filter 'farg'" in err and "write :limit N" in err
    assert "':s' could be :show, :similar" in err and "unknown command ':frob'" in err
    assert "filters: none" in err
    assert REPORT not in r.stdout.split("Type a query")[0]  # the filter held
    for command in ReplCommand:
        assert f":{command.value}" in r.stdout  # :help lists every command


def test_export_writes_the_last_results(lexical_index_dir, tmp_path):
    out = tmp_path / "hits.jsonl"
    r = repl(lexical_index_dir, [":export x.csv", "KPMG", f":export {out}"], cache=tmp_path)
    assert "no results yet" in r.stderr
    hits = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert hits and hits[0]["doc"] == PROTOCOL and "KPMG" in hits[0]["text"]


def test_help_table_covers_every_command():
    assert set(USAGE) == set(ReplCommand)


class _IndexWithoutSimilar:
    has_semantic = False


class _IndexWithSimilar:
    """Only what :similar needs, to check that the session uses similar() when there is one."""

    has_semantic = False

    def __init__(self, result: Result):
        self.result, self.calls = result, []

    def similar(self, section_id, *, limit, filters, mode, candidates):
        from searcher.engine import Response

        self.calls.append((section_id, limit, filters, mode))
        return Response((self.result,), "lexical")


def test_similar_uses_the_index_when_it_can(lexical_index):
    result = lexical_index.search("KPMG", mode="lexical", limit=1)[0]
    buf = io.StringIO()
    console = Console(file=buf, no_color=True, width=100)
    index = _IndexWithSimilar(result)
    session = Repl(index, console, console, mode=SearchMode.lexical, limit=4)
    session.results = (result,)
    session.handle(":similar 1")
    assert index.calls == [(result.section.section_id, 4, {}, SearchMode.lexical)]
    assert "1 hits (like 000_5ef240bb4f3b8a0b" in buf.getvalue()
    session = Repl(_IndexWithoutSimilar(), console, console)
    session.results = (result,)
    session.handle(":similar 1")
    assert ":similar is not available yet" in buf.getvalue()


@pytest.mark.parametrize("line", [":q", ":quit", ":exit", ":qu"])
def test_quit_spellings(line, lexical_index):
    console = Console(file=io.StringIO())
    assert Repl(lexical_index, console, console).handle(line) is False
