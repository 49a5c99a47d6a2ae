"""Incremental updates converge to a clean build's scores (issue 19): deleted sections stay in
whoosh's statistics until their segment is rewritten, so `searcher index --optimize` rewrites
the lexical index from the section store, and an update does so by itself once deleted
sections pass MERGE_DELETED_SHARE of the index."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from searcher.cli import app
from searcher.engine import open_index
from searcher.lexical import writer
from searcher.store import layout
from searcher.store.build import MERGE_DELETED_SHARE, build_index
from tests.swedish_docs import write_corpus

runner = CliRunner()
QUERIES = ["dokument3", "detaljplan Lärkan", "Balans-22", "simhallen", "beslut vindkraft"]


def _scores(ix: Path) -> dict:
    with open_index(ix) as x:
        return {q: [(r.section.section_id, round(r.score, 9))
                    for r in x.search(q, mode="lexical", limit=10)] for q in QUERIES}


def _edit(corpus: Path, names: list[str]) -> None:
    for name in names:
        p = corpus / name
        p.write_text(p.read_text(encoding="utf-8") + "\nTillägg om beslut och vindkraft.\n",
                     encoding="utf-8")


def test_optimize_makes_an_updated_index_score_like_a_clean_build(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12)
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    _edit(corpus, ["protokoll_003.txt"])  # one document of 12: under the automatic share
    build_index([corpus], ix, semantic=False)
    lexical = layout.require_current(ix)[0] / "lexical"
    assert 0 < writer.deleted_share(lexical) <= MERGE_DELETED_SHARE
    clean = tmp_path / "clean"
    build_index([corpus], clean, semantic=False)
    assert _scores(ix) != _scores(clean)  # the stale statistics the issue measured
    r = runner.invoke(app, ["index", str(corpus), "--index-dir", str(ix), "--no-semantic",
                            "--optimize"])
    assert r.exit_code == 0, r.output
    assert "optimizing" in r.stderr
    assert writer.deleted_share(layout.require_current(ix)[0] / "lexical") == 0
    assert _scores(ix) == _scores(clean)


def test_an_update_deleting_many_sections_rewrites_the_lexical_index_by_itself(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12)
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    _edit(corpus, [f"protokoll_{i:03d}.txt" for i in range(0, 12, 3)])  # 4 of 12 documents
    for name in ("protokoll_001.txt", "protokoll_002.txt"):
        (corpus / name).unlink()
    build_index([corpus], ix, semantic=False, prune=True)
    assert writer.deleted_share(layout.require_current(ix)[0] / "lexical") == 0
    clean = tmp_path / "clean"
    build_index([corpus], clean, semantic=False)
    assert _scores(ix) == _scores(clean)
