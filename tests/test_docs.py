"""Examples in the README are executed, so they cannot rot."""

from __future__ import annotations

import contextlib
import io
import os
import re

from tests.conftest import ROOT

FENCE = re.compile(r"```python\n(.*?)```", re.S)


def test_readme_python_examples_run(lexical_index_dir, tmp_path):
    blocks = FENCE.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "README has no python example"
    (tmp_path / "index").symlink_to(lexical_index_dir)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for block in blocks:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, "README.md", "exec"), {})
            assert out.getvalue().strip(), f"example printed nothing:\n{block}"
    finally:
        os.chdir(cwd)


SH_FENCE = re.compile(r"```sh\n(.*?)```", re.S)


def test_readme_command_examples_run(lexical_index_dir, monkeypatch):
    """Every line of the README's `sh` examples runs against the seed index and finds
    something (exit 0): the command table's promises, executed."""
    import shlex

    from typer.testing import CliRunner

    from searcher.cli import app

    blocks = SH_FENCE.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    lines = [line for line in lines if line.startswith("searcher ")]
    assert len(lines) >= 10, "README has no command examples"
    monkeypatch.setenv("SEARCHER_INDEX_DIR", str(lexical_index_dir))
    runner = CliRunner()
    for line in lines:
        r = runner.invoke(app, shlex.split(line)[1:])
        assert r.exit_code == 0, f"{line}: exit {r.exit_code}\n{r.output}"
        assert r.stdout.strip(), f"{line} printed nothing"
