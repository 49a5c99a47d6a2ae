"""The settings table: precedence and documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.settings import SETTINGS, SearchMode, Settings, choices

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text(encoding="utf-8")
    for s in SETTINGS:
        row = f"| {s.name} | `{s.env}` | `{s.default}` | {s.help} |"
        assert row in text, f"README settings table lacks or misstates: {row}"


def test_precedence_cli_over_env_over_default(monkeypatch):
    assert Settings.resolve().index_dir == Path("index")
    monkeypatch.setenv("SEARCHER_INDEX_DIR", "/tmp/from-env")
    assert Settings.resolve().index_dir == Path("/tmp/from-env")
    assert Settings.resolve(index_dir=Path("/tmp/cli")).index_dir == Path("/tmp/cli")


def test_integer_settings_are_validated(monkeypatch):
    monkeypatch.setenv("SEARCHER_LIMIT", "many")
    with pytest.raises(ValueError, match="limit"):
        Settings.resolve()


def test_choices_are_generated_from_the_enum():
    assert choices(SearchMode) == "hybrid, lexical, semantic"
