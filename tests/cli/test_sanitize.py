"""Terminal hygiene (issue 19): escape sequences in documents, titles and file names are shown,
never obeyed, in every command's terminal output; JSON keeps the exact text."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.testing import CliRunner

from searcher.cli import app
from searcher.cli.sanitize import UNSAFE, for_terminal, for_terminal_stream, sanitizing
from searcher.store.build import build_index

runner = CliRunner()

CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
LINK = "\x1b]8;;http://evil.example/\x1b\\klicka här\x1b]8;;\x1b\\"
CSI_8BIT = "\x9b31m"
BIDI = "\u202egnp.exe"


@pytest.mark.parametrize(("raw", "shown"), [
    ("Kommunen beslutar.", "Kommunen beslutar."),
    ("rad ett\nrad två\tflik", "rad ett\nrad två\tflik"),
    (CLEAR, "\\x1b[2J\\x1b[H"),
    (TITLE, "\\x1b]0;pwned\\x07"),
    (LINK, "\\x1b]8;;http://evil.example/\\x1b\\klicka här\\x1b]8;;\\x1b\\"),
    (CSI_8BIT, "\\x9b31m"),
    ("back\rspace\b", "back\\x0dspace\\x08"),
    (BIDI, "\\u202egnp.exe"),
    ("noll\x00bredd\u200b", "noll\\x00bredd\\u200b"),
    ("Växjö § 12 – Dnr 2024/123 «citat» €", "Växjö § 12 – Dnr 2024/123 «citat» €"),
])
def test_unsafe_characters_are_shown_as_escapes(raw, shown):
    assert for_terminal(raw) == shown


@given(st.text())
def test_nothing_unsafe_survives_and_safe_text_is_unchanged(text):
    out = for_terminal(text)
    assert not UNSAFE.search(out)
    assert for_terminal(out) == out  # escapes are printable: sanitising twice changes nothing
    if not UNSAFE.search(text):
        assert out == text


def test_a_sanitising_console_escapes_document_text_but_keeps_its_own_styles():
    buf = io.StringIO()
    console = sanitizing(Console(file=buf, force_terminal=True, color_system="standard",
                                 width=200))
    table = Table()
    table.add_column("träff")
    table.add_row(Text("Rubrik " + TITLE + " text", style="bold"))
    console.print(table)
    console.print(Text(CLEAR + "slut", style="red"))
    out = buf.getvalue()
    assert "\x1b]0;" not in out and "\x1b[2J" not in out and "\x07" not in out
    assert "\\x1b]0;pwned" in out and "\\x1b[2J" in out  # (rich itself drops BEL)
    assert "\x1b[1m" in out or "\x1b[31m" in out  # rich's own styling still reaches the terminal


def test_markdown_to_a_terminal_is_sanitised_but_to_a_file_it_is_exact(tmp_path):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    for_terminal_stream(tty).write("# " + CLEAR + "\n")
    assert tty.getvalue() == "# \\x1b[2J\\x1b[H\n"
    plain = io.StringIO()
    assert for_terminal_stream(plain) is plain


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    body = (f"Rubrik {TITLE}om simhallen\n\nKommunen beslutar {CLEAR}om simhallen och "
            f"badhuset. {LINK} Mer text om simhallen och beslut i nämnden. {CSI_8BIT}{BIDI}\n")
    (corpus / f"ond{CLEAR}.txt").write_text(body, encoding="utf-8")
    (corpus / "snall.txt").write_text("Nämnden beslutar om biblioteket.\n", encoding="utf-8")
    ix = root / "ix"
    build_index([corpus], ix, semantic=False)
    return ix


def _hostile(text: str) -> list[str]:
    return [c for c in ("\x1b", "\x07", "\x9b", "\u202e") if c in text]


@pytest.mark.parametrize("command", [
    ["search", "simhallen", "--mode", "lexical", "--no-color"],
    ["search", "simhallen", "--mode", "lexical", "--no-color", "--explain"],
    ["docs", "--no-color"],
    ["mentions", "simhallen", "--no-color"],
    ["export", "simhallen", "--mode", "lexical", "--format", "md"],
])
def test_no_command_sends_a_documents_escapes_to_the_terminal(hostile_index, command):
    r = runner.invoke(app, [*command, "--index-dir", str(hostile_index)])
    assert r.exit_code == 0, r.output
    assert "simhallen" in r.stdout or "ond" in r.stdout
    if command[0] != "export":  # export to a pipe stays exact (a file); to a terminal: above
        assert not _hostile(r.stdout + r.stderr), (r.stdout + r.stderr)[:500]
        assert "\\x1b" in r.stdout


def test_show_and_sections_escape_too(hostile_index):
    found = runner.invoke(app, ["search", "simhallen", "--mode", "lexical", "--json",
                                "--index-dir", str(hostile_index)])
    first = json.loads(found.stdout.splitlines()[0])
    for command in (["show", first["section_id"]], ["sections", first["doc"]]):
        r = runner.invoke(app, [*command, "--index-dir", str(hostile_index), "--no-color"])
        assert r.exit_code == 0, r.output
        assert not _hostile(r.stdout + r.stderr) and "\\x1b" in r.stdout


def test_json_keeps_the_exact_text(hostile_index):
    r = runner.invoke(app, ["search", "simhallen", "--mode", "lexical", "--json",
                            "--index-dir", str(hostile_index)])
    records = [json.loads(line) for line in r.stdout.splitlines()]
    text = " ".join(json.dumps(rec, ensure_ascii=False) for rec in records)
    assert "\\u001b[2J" in text or CLEAR in " ".join(str(v) for rec in records
                                                      for v in rec.values())
    assert any(CLEAR in str(v) for rec in records for v in rec.values())
