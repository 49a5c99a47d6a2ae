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
