"""Query size limits (issue 19): a pasted page or a 20,000-character word is refused at once
with a clear error, before analysis or typo expansion; real queries are untouched."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import searcher.lexical.index as lexical_index
from searcher.cli import app
from searcher.engine import MAX_QUERY_CHARS, MAX_QUERY_WORDS, MAX_WORD_CHARS, open_index
from searcher.errors import BadQueryError

runner = CliRunner()


@pytest.fixture
def no_work(monkeypatch):
    """Any analysis or typo expansion of a refused query fails the test."""

    def boom(*_a, **_k):
        raise AssertionError("the query was analysed before being refused")

    monkeypatch.setattr(lexical_index.LexicalIndex, "expand_typos", boom)
    monkeypatch.setattr(lexical_index.LexicalIndex, "parse", boom)


@pytest.mark.parametrize(("query", "message"), [
    ("a" * 20_000, "query too long"),
    ("kommun" * 3334, "query too long"),
    ("x" * (MAX_WORD_CHARS + 1), "query word too long"),
    ("kommunen " + "ö" * 500, "query word too long"),
    (" ".join(["ord"] * (MAX_QUERY_WORDS + 1)), "too many words"),
    ("beslut " * (MAX_QUERY_CHARS // 7 + 1), "query"),
])
def test_oversized_queries_are_refused_before_any_work(lexical_index_dir, no_work, query,
                                                       message):
    with open_index(lexical_index_dir) as ix:
        with pytest.raises(BadQueryError, match=message):
            ix.search(query, mode="lexical")


def test_the_limits_leave_real_queries_alone(lexical_index_dir):
    longest_compound = "arbetsmiljöledningssystemsrevisionsrapporten"  # 45 letters
    with open_index(lexical_index_dir) as ix:
        for query in ["kommunen", longest_compound, "x" * MAX_WORD_CHARS,
                      " ".join(["beslut"] * MAX_QUERY_WORDS), '"kommunen beslutar" Balans-22']:
            ix.search(query, mode="lexical")  # no error


def test_the_cli_says_so_in_one_line(lexical_index_dir):
    r = runner.invoke(app, ["search", "a" * 20_000, "--index-dir", str(lexical_index_dir),
                            "--mode", "lexical"])
    assert r.exit_code == BadQueryError.exit_code
    assert "query too long (20,000 characters" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and len(r.stderr) < 300


def test_very_long_words_get_no_typo_candidates(lexical_index_dir):
    """whoosh's Levenshtein automaton grows with the word; a 41-letter word is not a typo."""
    from searcher.lexical.index import NEAR_TERMS_MAX_CHARS

    with open_index(lexical_index_dir) as ix:
        near = ix.lexical.near_terms("text", "kommunen", 1)
        assert near  # the index has terms near a real word
        assert ix.lexical.near_terms("text", "kommunen" + "x" * NEAR_TERMS_MAX_CHARS, 1) == []
