"""The commands in a real terminal at 80 and 120 columns (tmux): no line wider than the
terminal, the concordance's matches in one column, totals shown, the repl paging long output.

Needs the `tmux` binary (Debian/Ubuntu: `apt-get install -y tmux`); without it the tests fail
on purpose, as tests/cli/test_repl_tmux.py does. capture-pane -J joins a line the terminal had
to wrap, so a line that overflowed shows up longer than the terminal.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.cli.test_repl_tmux import Tmux
from tests.conftest import PROTOCOL, REPORT, ROOT

WIDTHS = (80, 120)
HEIGHT = 60
DONE = "EXIT-STATUS:"


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed; the layout tests need it: apt-get install -y tmux")
    config = tmp_path / "tmux.conf"
    config.write_text("set -g history-limit 5000\n")
    t = Tmux(f"searcher-layout-{os.getpid()}-{uuid.uuid4().hex[:8]}", config)
    yield t
    subprocess.run([*t.base, "kill-server"], capture_output=True, timeout=30)


def _command(index_dir, *args: str, home=None, pager: str = "cat") -> list[str]:
    env = ["env", "-u", "SEARCHER_CACHE_DIR", "-u", "SEARCHER_INDEX_DIR", "-u", "COLUMNS",
           "-u", "LINES", "NO_COLOR=1",
           "TERM=xterm", "SEARCHER_LANG=en", f"PAGER={pager}"]
    if home is not None:
        env.append(f"HOME={home}")
    return [*env, sys.executable, "-m", "searcher", *args, "--index-dir", str(index_dir)]


def run_in_terminal(tmux: Tmux, width: int, command: list[str],
                    stderr: Path) -> tuple[list[str], str]:
    """Run a command in a width-column pane, its stderr (one-line diagnostics, which a
    terminal may wrap like any tool's) to a file; its stdout lines (trailing blanks cut) and
    exit status."""
    shell = shlex.join(command) + f" 2>{shlex.quote(str(stderr))}; echo {DONE}$?"
    tmux("new-session", "-d", "-s", "repl", "-x", str(width), "-y", str(HEIGHT), "-c",
         str(ROOT), shell + "; sleep 600")
    screen = tmux.wait_for_screen("the command to finish", lambda s: DONE in s)
    lines = [line.rstrip() for line in screen.splitlines()]
    status = next(line for line in lines if line.startswith(DONE))
    return lines[: lines.index(status)], status.removeprefix(DONE)


def assert_fits(lines: list[str], width: int) -> None:
    wide = [line for line in lines if len(line) > width]
    assert not wide, f"{len(wide)} lines wider than {width} columns, e.g. {wide[0]!r}"


@pytest.mark.parametrize("width", WIDTHS)
def test_search_fits_and_says_the_total(tmux, lexical_index_dir, tmp_path, width):
    err = tmp_path / "err"
    lines, status = run_in_terminal(tmux, width, _command(
        lexical_index_dir, "search", "Balans-22", "--mode", "lexical", "-n", "4"), err)
    assert status == "0"
    assert_fits(lines, width)
    assert "4 of 10 hits (lexical)" in err.read_text()
    heads = [line for line in lines if line.startswith(("   1 ", "   2 ", "   3 ", "   4 "))]
    assert len(heads) == 4 and all(REPORT in line for line in heads)
    assert sum("Balans-22" in line for line in lines) >= 4  # every hit's snippet shows it
    assert len(lines) <= 4 * (5 if width < 100 else 6)  # compact: a hit is a few lines


@pytest.mark.parametrize("width", WIDTHS)
def test_mentions_concordance_aligns_the_matches(tmux, lexical_index_dir, tmp_path, width):
    err = tmp_path / "err"
    lines, status = run_in_terminal(tmux, width, _command(
        lexical_index_dir, "mentions", "Balans-22"), err)
    assert status == "0"
    assert_fits(lines, width)
    kwic = [line for line in lines if "Balans-22" in line]
    assert len(kwic) == 15
    assert len({line.index("Balans-22") for line in kwic}) == 1  # one match column
    column = kwic[0].index("Balans-22")
    assert abs(column - width // 2) < width // 4  # left context fills the left half
    assert max(map(len, kwic)) >= width - 2  # the context fills the terminal
    assert "15 of 15 mentions of 'Balans-22' in 1 documents" in err.read_text()
    assert "total" in lines[-1] and lines[-1].endswith("15")  # the totals table ends it


@pytest.mark.parametrize("width", WIDTHS)
def test_show_fits(tmux, lexical_index_dir, tmp_path, width):
    lines, status = run_in_terminal(tmux, width, _command(
        lexical_index_dir, "show", "000_5ef240bb4f3b8a0b/p259", "--context", "1"),
        tmp_path / "err")
    assert status == "0"
    assert_fits(lines, width)
    text = "\n".join(lines)
    assert "id: 000_5ef240bb4f3b8a0b/p259" in text and f"document: {PROTOCOL}" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_trend_fits(tmux, lexical_index_dir, tmp_path, width):
    err = tmp_path / "err"
    lines, status = run_in_terminal(tmux, width, _command(
        lexical_index_dir, "trend", "Balans-22", "KPMG"), err)
    assert status == "0"
    assert_fits(lines, width)
    text = "\n".join(lines)
    assert "mentions per 10,000 words" in text and "█" in text
    assert "counts are relative" in err.read_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_repl_fits_says_totals_and_pages(tmux, lexical_index_dir, tmp_path, width):
    home = tmp_path / "home"
    home.mkdir()
    command = shlex.join(_command(lexical_index_dir, "repl", "--limit", "3", home=home,
                                  pager="less")) + f"; echo {DONE}$?"
    tmux("new-session", "-d", "-s", "repl", "-x", str(width), "-y", "24", "-c", str(ROOT),
         command + "; sleep 600")
    tmux.wait_for_screen("the prompt", lambda s: "searcher lexical> " in s)
    tmux.send("Balans-22", "Enter")
    screen = tmux.wait_for_screen("the hits", lambda s: "3 of 10 hits (lexical" in s)
    assert_fits([line.rstrip() for line in screen.splitlines()], width)  # notes wrap too
    tmux.send(":show 1", "Enter")  # a long section: taller than 24 rows, so it is paged
    screen = tmux.wait_for_screen("the pager", lambda s: "(END)" in s or s.rstrip().endswith(":"))
    assert "searcher lexical> " not in screen.splitlines()[-1]
    tmux.send("q")
    tmux.wait_for_screen("the prompt again", lambda s: s.rstrip().endswith("searcher lexical>"))
    tmux.send(":quit", "Enter")
    screen = tmux.wait_for_screen("the exit", lambda s: DONE in s)
    assert f"{DONE}0" in screen
