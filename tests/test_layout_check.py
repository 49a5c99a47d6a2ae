"""scripts/check_layout.py on the package itself, and on copies with one planted violation each
(so the check is known to fail when the layout breaks)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("check_layout", ROOT / "scripts" / "check_layout.py")
check_layout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_layout)


def test_the_package_layout_holds():
    assert check_layout.check(ROOT) == []


@pytest.fixture()
def tree(tmp_path):
    shutil.copytree(ROOT / "searcher", tmp_path / "searcher",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")


PLANTED = [
    # an import hidden in a function still closes a cycle (and points upward)
    ("searcher/records.py", "def f():\n    from searcher.engine import open_index\n",
     "imports must point to earlier stages"),
    ("searcher/query/typo.py", "from searcher.lexical.index import LexicalIndex",
     "imports must point to earlier stages"),
    ("searcher/tools/trend.py", "from whoosh import index", "imports whoosh outside"),
    ("searcher/lexical/index.py", "def g(reader):\n    return reader._terms\n",
     "private attribute ._terms"),
    ("searcher/ranking/fusion.py", "import searcher.ranking.signals", "import cycle"),
]


@pytest.mark.parametrize(("where", "code", "expected"), PLANTED)
def test_a_planted_violation_is_reported(tree, where, code, expected):
    if expected == "import cycle":
        _append(tree / "searcher/ranking/signals.py", "import searcher.ranking.fusion")
    _append(tree / where, code)
    problems = check_layout.check(tree)
    assert any(expected in p for p in problems), problems


def test_one_top_level_module_too_many_is_reported(tree):
    top = [f for f in (tree / "searcher").glob("*.py") if f.name != "__init__.py"]
    for i in range(check_layout.MAX_TOP_MODULES + 1 - len(top)):
        (tree / "searcher" / f"extra_{i}.py").write_text('"""x"""\n', encoding="utf-8")
    problems = check_layout.check(tree)
    assert any("modules directly in searcher/" in p for p in problems)
