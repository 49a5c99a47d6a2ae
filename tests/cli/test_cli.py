"""The CLI through its wiring (Typer's CliRunner) and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from searcher.cli import app
from tests.conftest import CORPUS, PROTOCOL, REPORT

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_search_json_lines(lexical_index_dir):
    r = invoke("search", "Balans-22", "--json", "--mode", "lexical", "--limit", "5",
               "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    hits = [json.loads(line) for line in r.stdout.splitlines()]
    assert [h["rank"] for h in hits] == [1, 2, 3, 4, 5]
    assert all("Balans-22" in h["text"] and h["doc"] == REPORT for h in hits)
    assert {"score", "section_id", "title", "breadcrumb", "municipality"} <= set(hits[0])


def test_search_table_and_notes(lexical_index_dir):
    r = invoke("search", "Balans-22", "--index-dir", str(lexical_index_dir), "--no-color")
    assert r.exit_code == 0, r.output
    assert REPORT in r.stdout and "Balans-22" in r.stdout
    assert "no embeddings" in r.stderr  # hybrid asked, lexical answered, and it says so


def test_env_sets_the_index_dir(lexical_index_dir, monkeypatch):
    monkeypatch.setenv("SEARCHER_INDEX_DIR", str(lexical_index_dir))
    r = invoke("search", "KPMG", "--json", "--mode", "lexical")
    assert r.exit_code == 0 and PROTOCOL in r.stdout


def test_sections_lists_paragraphs_with_dnr(lexical_index_dir):
    r = invoke("sections", PROTOCOL, "--json", "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    paragraphs = [(s["paragraph"], s["dnr"]) for s in rows if s["paragraph"]]
    assert paragraphs == [
        ("257", "302917"), ("258", "297093"), ("259", "2022-00295"), ("260", "2022-00284"),
        ("261", "2022-00285"), ("262", "2020-00385"), ("263", "2022-00001"), ("264", "297092"),
    ]


def test_show_prints_the_whole_section(lexical_index_dir):
    r = invoke("sections", PROTOCOL, "--json", "--index-dir", str(lexical_index_dir))
    sid = next(json.loads(x)["section_id"] for x in r.stdout.splitlines() if '"261"' in x)
    r = invoke("show", sid, "--index-dir", str(lexical_index_dir), "--no-color")
    assert r.exit_code == 0 and "göra. Det är dock först när svensk lagstiftning" in r.stdout
    r = invoke("show", sid, "--json", "--index-dir", str(lexical_index_dir))
    assert json.loads(r.stdout)["paragraph"] == "261"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["search", "", "--mode", "lexical"], 2, "empty query"),
        (["search", "x", "--mode", "fuzzy"], 2, "fuzzy"),
        (["show", "no/such"], 2, "no section 'no/such'"),
        (["sections", "nope.txt"], 2, "no document 'nope.txt'"),
    ],
)
def test_errors_are_one_line_with_exit_codes(lexical_index_dir, args, code, message):
    r = invoke(*args, "--index-dir", str(lexical_index_dir))
    assert r.exit_code == code
    assert message in r.output and "Traceback" not in r.output


def test_missing_index_tells_what_to_run(tmp_path):
    r = invoke("search", "Balans-22", "--index-dir", str(tmp_path / "none"))
    assert r.exit_code == 3 and "run `searcher index`" in r.stderr


def test_index_command_reports_and_skips(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / PROTOCOL).write_bytes((CORPUS / PROTOCOL).read_bytes())
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02" * 500)
    r = invoke("index", str(corpus), "--no-semantic", "--index-dir", str(tmp_path / "ix"))
    assert r.exit_code == 1  # some files were skipped
    assert "broken.txt" in r.stderr and "indexed 1" in r.stderr
    r = invoke("index", str(corpus / PROTOCOL), "--no-semantic", "--index-dir",
               str(tmp_path / "ix"))
    assert r.exit_code == 0 and "nothing changed" in r.stderr


def test_version():
    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout.startswith("searcher ")


def test_lexical_search_does_not_import_torch(lexical_index_dir):
    """Start-up stays fast: the lexical path never imports torch or sentence_transformers."""
    code = (
        "import sys\n"
        "from searcher.cli import app\n"
        "try:\n"
        "    app(['search', 'Balans-22', '--mode', 'lexical', '--json', '--index-dir', sys.argv[1]])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    p = subprocess.run([sys.executable, "-c", code, str(lexical_index_dir)],
                       capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert p.returncode == 0, p.stderr
    assert "HEAVY []" in p.stderr and "Balans-22" in p.stdout


def test_python_dash_m_runs_the_cli():
    p = subprocess.run([sys.executable, "-m", "searcher", "--help"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0 and "index" in p.stdout and "search" in p.stdout


def test_similar_and_search_like_agree(lexical_index_dir):
    sid = "000_5ef240bb4f3b8a0b/p260"
    a = invoke("similar", sid, "--json", "--index-dir", str(lexical_index_dir))
    b = invoke("search", "--like", sid, "--json", "--index-dir", str(lexical_index_dir))
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    ids = [json.loads(x)["section_id"] for x in a.stdout.splitlines()]
    assert ids == [json.loads(x)["section_id"] for x in b.stdout.splitlines()]
    assert ids[0] == "000_5ef240bb4f3b8a0b/p259" and sid not in ids
    typed = invoke("similar", sid, "--type", "yttrande", "--json", "--index-dir",
                   str(lexical_index_dir))
    # § 259 and § 261: a remiss the arbetsutskott answers ("tillstyrker") is a remissvar (issue 16)
    rows = [json.loads(x) for x in typed.stdout.splitlines()]
    assert [(r["paragraph"], r["arende"]) for r in rows] == [("259", "yttrande"),
                                                             ("261", "yttrande")]


def test_search_needs_a_query_or_like(lexical_index_dir):
    r = invoke("search", "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 2 and "QUERY or --like" in r.output


def test_query_language_filters_and_typo_note(lexical_index_dir):
    r = invoke("search", "yttrande typ:protokoll", "--mode", "lexical", "--json",
               "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    assert {json.loads(x)["doc_type"] for x in r.stdout.splitlines()} == {"protokoll"}
    r = invoke("search", "Brottsofferjoruen", "--mode", "lexical", "--index-dir",
               str(lexical_index_dir), "--no-color")
    assert r.exit_code == 0 and "brottsofferjouren" in r.stderr.lower()
    assert "Brottsofferjouren" in r.stdout


def test_mentions_is_wired(lexical_index_dir):
    r = invoke("mentions", "Balans-22", "--json", "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) == 15


def test_search_parses_the_query_once(lexical_index_dir, monkeypatch):
    """The table marks the words the engine searched (Response.parsed); nothing re-parses."""
    import searcher.query.parse as parse_module
    import searcher.tools.highlight as highlight_module

    calls = []
    real = parse_module.parse_query

    def counted(query):
        calls.append(query)
        return real(query)

    monkeypatch.setattr("searcher.engine.parse_query", counted)
    monkeypatch.setattr(highlight_module, "parse_query", counted)
    r = invoke("search", "Brottsofferjoruen", "--mode", "lexical", "--index-dir",
               str(lexical_index_dir), "--no-color", "--no-pager")
    assert r.exit_code == 0, r.output
    assert "Brottsofferjouren" in r.stdout
    assert calls == ["Brottsofferjoruen"]
    assert parse_module.parse_query is real
