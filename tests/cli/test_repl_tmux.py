"""`searcher repl` end to end in a real terminal: tmux send-keys in, capture-pane out.

Needs the `tmux` binary (Debian/Ubuntu: `apt-get install -y tmux`). Without it the test fails
on purpose rather than skipping, so CI cannot pass without having run it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT

WAIT_S = 60  # the first start imports whoosh and opens the index: seconds on a slow runner


class Tmux:
    """One tmux server on a private socket, with one pane running a command."""

    def __init__(self, socket: str, config: Path):
        self.base = ["tmux", "-L", socket, "-f", str(config)]

    def __call__(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], check=True, capture_output=True,
                              text=True, timeout=30).stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-J", "-t", "repl", "-S", "-")

    def wait_for(self, what: str, ok: Callable[[], object]) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if ok():
                return
            time.sleep(0.1)
        try:
            shown = self.screen()
        except subprocess.CalledProcessError as e:
            shown = f"(no pane: {e.stderr.strip()})"
        pytest.fail(f"timed out waiting for {what}; the terminal shows:\n{shown}")

    def wait_for_screen(self, what: str, ok: Callable[[str], bool]) -> str:
        self.wait_for(what, lambda: ok(self.screen()))
        return self.screen()

    def send(self, *keys: str) -> None:
        self("send-keys", "-t", "repl", *keys)


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed; the repl's terminal test needs it: "
                    "apt-get install -y tmux")
    config = tmp_path / "tmux.conf"
    config.write_text("set -g history-limit 5000\n")
    t = Tmux(f"searcher-test-{os.getpid()}-{time.monotonic_ns()}", config)
    yield t
    subprocess.run([*t.base, "kill-server"], capture_output=True, timeout=30)


def test_repl_answers_shows_a_hit_and_quits_in_a_terminal(tmux, lexical_index_dir, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    status = tmp_path / "exit-status"
    # The shell records the exit status: tmux itself may leave an exited pane unreaped.
    command = shlex.join([
        "env", "-u", "SEARCHER_CACHE_DIR", "-u", "SEARCHER_INDEX_DIR", "-u", "COLUMNS",
        f"HOME={home}", "NO_COLOR=1", "TERM=xterm", "SEARCHER_LANG=sv",
        sys.executable, "-m", "searcher", "repl",
        "--index-dir", str(lexical_index_dir), "--limit", "3",
    ]) + f"; echo $? > {shlex.quote(str(status))}"
    tmux("new-session", "-d", "-s", "repl", "-x", "120", "-y", "50", "-c", str(ROOT), command)
    tmux.wait_for_screen("the prompt", lambda s: "searcher lexical> " in s)

    tmux.send("Balans-22", "Enter")
    screen = tmux.wait_for_screen("the hits", lambda s: "3 av 10 träffar (lexical" in s)
    assert screen.count("004_01ff4cff245c5c24.txt") >= 3 and "Balans-22" in screen

    tmux.send(":show 1", "Enter")
    screen = tmux.wait_for_screen("the section", lambda s: "id: 004_01ff4cff245c5c24/s0" in s)
    shown = screen.split(":show 1", 1)[1]
    assert "dokument: 004_01ff4cff245c5c24.txt" in shown and "Balans-22" in shown

    tmux.send("Up", "Up", "Enter")  # readline: the query again from the history
    tmux.wait_for_screen("the repeated query", lambda s: s.count("3 av 10 träffar (lexical") == 2)

    tmux.send(":quit", "Enter")
    tmux.wait_for("the process to end", lambda: status.exists() and status.read_text())
    assert status.read_text().strip() == "0"  # a clean exit, no traceback
    history = (home / ".cache" / "searcher" / "repl_history").read_text(encoding="utf-8")
    assert "Balans-22" in history and ":show 1" in history
