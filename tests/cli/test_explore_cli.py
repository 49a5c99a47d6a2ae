"""docs, show (readable, --context), stats and export through CliRunner on the seed index."""

from __future__ import annotations

import csv
import io
import json
import pydoc
import sys

import pytest
from typer.testing import CliRunner

from searcher.cli import app
from tests.conftest import PROTOCOL, REPORT

runner = CliRunner()
KSAU = "Kommunstyrelsens arbetsutskott"
P261 = "000_5ef240bb4f3b8a0b/p261"
TABLE_SECTION = "004_01ff4cff245c5c24/s005"  # Driftredovisning: two tab-separated tables


@pytest.fixture
def run(lexical_index_dir):
    def invoke(*args: str, env: dict | None = None):
        return runner.invoke(app, [*args, "--index-dir", str(lexical_index_dir)], env=env)

    return invoke


# -- docs ----------------------------------------------------------------------------------------
def test_docs_table(run):
    r = run("docs", "--no-color")
    assert r.exit_code == 0, r.output
    for text in (PROTOCOL, REPORT, "Växjö", "protokoll", "rapport", "2022-08-16", "88"):
        assert text in r.stdout
    assert "2 documents" in r.stderr


def test_docs_json_and_filters(run):
    r = run("docs", "--json")
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["doc"] for d in docs] == [PROTOCOL, REPORT]
    assert docs[0] == {**docs[0], "organ": KSAU, "doc_type": "protokoll", "n_sections": 9,
                       "municipality": "Växjö", "date": "2022-08-16"}
    r = run("docs", "--json", "--type", "rapport", "--year", "2020")
    assert [json.loads(line)["doc"] for line in r.stdout.splitlines()] == [REPORT]
    r = run("docs", "--json", "--organ", KSAU.lower(), "--kommun", "växjö")
    assert [json.loads(line)["doc"] for line in r.stdout.splitlines()] == [PROTOCOL]


def test_docs_without_matches_names_the_known_values(run):
    r = run("docs", "--organ", "Kommunstyrelsen")
    assert r.exit_code == 1 and r.stdout == ""  # none found: grep's exit status (issue 18)
    assert f"--organ is one of: {KSAU}" in r.stderr


# -- show ----------------------------------------------------------------------------------------
def test_show_is_readable_with_metadata_headings_and_tables(run):
    r = run("show", TABLE_SECTION, "--no-color", env={"COLUMNS": "100", "SEARCHER_LANG": "sv"})
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "Ekonomisk redovisning › Analys av årets utfall › Driftredovisning" in out
    assert "organ: Nämnden för Arbete och välfärd" in out and "datum: 2020" in out
    assert "\t" not in out  # tab-separated lines became table rows
    head = next(line for line in out.splitlines() if line.startswith("Verksamhet, tkr"))
    row = next(line for line in out.splitlines() if line.startswith("Avdelning vuxna"))
    assert row.split() == ["Avdelning", "vuxna", "31", "256", "-278", "161", "-246", "905",
                           "-245", "148", "-1", "757", "-246", "017"]
    assert len(row.rstrip()) == len(head.rstrip())  # numbers right-aligned under their header
    assert "─" * 20 in out  # the header rule


def test_show_context_shows_neighbours_as_headers(run):
    r = run("show", P261, "--context", "1", "--no-color")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    before = next(i for i, ln in enumerate(lines) if ln.startswith("↑ 000_5ef240bb4f3b8a0b/p260"))
    main = next(i for i, ln in enumerate(lines) if ln.startswith("§ 261"))
    after = next(i for i, ln in enumerate(lines) if ln.startswith("↓ 000_5ef240bb4f3b8a0b/p262"))
    assert before < main < after
    assert "§ 260" in lines[before] and "Dnr: 2022-00285" in r.stdout


def test_show_json_with_context_keeps_the_record_and_adds_neighbours(run):
    plain = json.loads(run("show", P261, "--json").stdout)
    r = run("show", P261, "--json", "-C", "2")
    d = json.loads(r.stdout)
    assert {k: v for k, v in d.items() if k != "context"} == plain
    assert [s["paragraph"] for s in d["context"]["before"]] == ["259", "260"]
    assert [s["paragraph"] for s in d["context"]["after"]] == ["262", "263"]
    assert "context" not in plain


def test_show_highlights_when_colours_are_on(run):
    r = run("show", P261, "--highlight", "hälsodata", env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[1;33mhälsodata" in r.stdout  # bold yellow, as in search
    r = run("show", P261, "--highlight", "hälsodata", "--no-color", env={"FORCE_COLOR": "1"})
    assert "\x1b[1;33m" not in r.stdout and "33m" not in r.stdout


def test_show_unknown_id_suggests_close_ones(run):
    r = run("show", "000_5ef240bb4f3b8a0b/p271")
    assert r.exit_code == 2
    assert "no section '000_5ef240bb4f3b8a0b/p271'" in r.stderr and "did you mean" in r.stderr


# -- stats ---------------------------------------------------------------------------------------
def test_stats_figures(run):
    r = run("stats", "--no-color", env={"SEARCHER_LANG": "sv"})
    assert r.exit_code == 0, r.output
    assert "Korpus: 2 dokument · 97 avsnitt" in r.stdout
    for text in ("protokoll", "rapport", KSAU, "2020", "2022"):
        assert text in r.stdout


def test_stats_key_terms_of_an_organ(run):
    r = run("stats", "--organ", KSAU, "--top", "5", "--no-color", env={"SEARCHER_LANG": "sv"})
    assert r.exit_code == 0, r.output
    assert "Utmärkande termer" in r.stdout and "G²" in r.stdout
    first = next(ln for ln in r.stdout.splitlines() if ln.startswith("kommunstyrelsen"))
    assert "kommunstyr" in first and "16" in first


def test_stats_json(run):
    r = run("stats", "--json", "--doc", PROTOCOL, "--top", "3")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["corpus"]["sections"] == 97 and len(d["by"]["year"]) == 2
    assert d["subset"]["filters"] == {"doc": PROTOCOL} and d["subset"]["sections"] == 9
    assert [k["term"] for k in d["subset"]["key_terms"]][:1] == ["kommunstyrelsen"]
    assert len(d["subset"]["key_terms"]) == 3
    assert set(d["subset"]["key_terms"][0]) >= {"stem", "subset_freq", "rest_freq", "g2",
                                                "log_ratio", "p"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organ", "nope"], "--organ is one of"),
        (["--doc", "nope.txt"], "no document 'nope.txt'"),
        (["--year", "20x"], "cannot read the date range"),
    ],
)
def test_stats_errors_say_what_to_do(run, args, message):
    r = run("stats", *args)
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.output


# -- export --------------------------------------------------------------------------------------
def test_export_csv_to_stdout_has_full_text(run, lexical_index):
    r = run("export", "Balans-22", "--mode", "lexical", "--limit", "3")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
    assert [int(x["rank"]) for x in rows] == [1, 2, 3]
    for row in rows:
        assert row["text"] == lexical_index.show(row["section_id"]).text
        assert "Balans-22" in row["text"] and row["doc"] == REPORT
    assert "wrote 3 hits" in r.stderr


def test_export_file_format_from_suffix_and_filters(run, tmp_path):
    out = tmp_path / "hits.jsonl"
    r = run("export", "yttrande", "--out", str(out), "--type", "protokoll", "-n", "20")
    assert r.exit_code == 0, r.output and r.stdout == ""
    hits = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert hits and all(h["doc"] == PROTOCOL for h in hits)
    assert {"rank", "score", "text", "section_id", "organ", "date"} <= set(hits[0])
    md = tmp_path / "hits.md"
    r = run("export", "Balans-22", "-o", str(md), "-n", "2")
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# searcher: Balans-22") and "## 1. " in text and "## 2. " in text


def test_export_refuses_an_unknown_suffix_before_searching(run, tmp_path):
    r = run("export", "Balans-22", "--out", str(tmp_path / "hits.ods"))
    assert r.exit_code == 2 and "--format (csv, jsonl, md, xlsx)" in r.stderr
    assert not (tmp_path / "hits.ods").exists()


# -- everywhere ----------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["index", "search", "show", "sections", "docs", "stats",
                                     "export", "repl"])
def test_every_command_has_swedish_examples_in_its_help(command):
    r = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
    assert r.exit_code == 0 and "Examples" in r.stdout and "searcher " + command in r.stdout


@pytest.mark.parametrize("command", ["search Balans-22", f"show {P261}", f"sections {PROTOCOL}",
                                     "docs", "stats"])
def test_every_read_command_has_json(run, command):
    r = run(*command.split(), "--json")
    assert r.exit_code == 0, r.output
    assert all(json.loads(line) for line in r.stdout.splitlines())


def test_pager_is_used_for_long_output_when_stdout_is_a_terminal(tmp_path, monkeypatch):
    from rich.text import Text

    from searcher.cli.common import emit

    paged = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"cat > {paged}")
    monkeypatch.delenv("MANPAGER", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(pydoc, "pager", pydoc.pager)  # pydoc caches its choice: undo it after
    for stream in (sys.stdin, sys.stdout):
        monkeypatch.setattr(stream, "isatty", lambda: True, raising=False)
    emit(Text("\n".join(f"rad {i}" for i in range(200))), no_color=True)
    assert paged.read_text().splitlines()[199] == "rad 199"
    paged.unlink()
    emit(Text("kort"), no_color=True)
    emit(Text("\n".join(f"rad {i}" for i in range(200))), no_color=True, no_pager=True)
    assert not paged.exists()


@pytest.mark.parametrize("command", ["docs", "stats", "export Balans-22", f"show {P261}",
                                     "repl"])
def test_a_missing_index_says_what_to_run(command, tmp_path):
    r = runner.invoke(app, [*command.split(), "--index-dir", str(tmp_path / "none")])
    assert r.exit_code == 3 and "run `searcher index`" in r.stderr
    assert "Traceback" not in r.output
