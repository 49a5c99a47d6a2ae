"""A missing, half-written or foreign index: one clear line, an exit code, no traceback
(`--debug` shows it); `searcher index` repairs what can be repaired."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from searcher.cli import app
from searcher.engine import open_index
from searcher.errors import IndexMismatchError, IndexNotBuiltError
from searcher.store import layout
from searcher.store.build import build_index
from tests.conftest import CORPUS, PROTOCOL

runner = CliRunner()


@pytest.fixture(scope="module")
def two_generations(tmp_path_factory) -> Path:
    """An index with two published generations (the second adds one document)."""
    root = tmp_path_factory.mktemp("damage")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index([corpus], root / "ix", semantic=False)
    (corpus / "extra.txt").write_text("Kommunen beslutar om extradokument.\n", encoding="utf-8")
    build_index([corpus], root / "ix", semantic=False)
    return root


@pytest.fixture
def index(two_generations, tmp_path) -> Path:
    ix = tmp_path / "ix"
    shutil.copytree(two_generations / "ix", ix)
    return ix


def _live(ix: Path) -> Path:
    return ix / (ix / layout.CURRENT).read_text().strip()


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _largest(folder: Path) -> Path:
    return max(folder.iterdir(), key=lambda p: p.stat().st_size)


def _junk_same_size(path: Path) -> None:
    path.write_bytes(b"\x00junk" * (path.stat().st_size // 5) + b"j" * (path.stat().st_size % 5))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "current names a generation without manifest": (
        lambda ix: (_live(ix) / layout.MANIFEST).unlink(), "which has no manifest"),
    "current names a missing generation": (
        lambda ix: (ix / layout.CURRENT).write_text("gen-000042\n"), "which does not exist"),
    "current is garbage": (
        lambda ix: (ix / layout.CURRENT).write_bytes(b"\xff\xfe garbage"), "CURRENT"),
    "current is missing": (lambda ix: (ix / layout.CURRENT).unlink(), "no CURRENT file"),
    "manifest is not json": (
        lambda ix: (_live(ix) / layout.MANIFEST).write_text("{half"), "unreadable manifest"),
    "truncated sections.sqlite": (
        lambda ix: _truncate(_live(ix) / "sections.sqlite"), "sections.sqlite has"),
    "sections.sqlite is junk of the same size": (
        lambda ix: _junk_same_size(_live(ix) / "sections.sqlite"), "sections.sqlite is damaged"),
    "missing lexical folder": (
        lambda ix: shutil.rmtree(_live(ix) / "lexical"), "is missing"),
    "truncated lexical segment": (lambda ix: _truncate(_largest(_live(ix) / "lexical")),
                                  "bytes, the manifest says"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_gives_one_clear_line_and_no_traceback(index, damage):
    harm, message = DAMAGE[damage]
    harm(index)
    with pytest.raises(IndexNotBuiltError, match="run `searcher index"):
        open_index(index)
    r = runner.invoke(app, ["search", "kommunen", "--index-dir", str(index), "--mode",
                            "lexical"])
    assert r.exit_code == IndexNotBuiltError.exit_code, r.output
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    debug = runner.invoke(app, ["search", "kommunen", "--index-dir", str(index), "--mode",
                                "lexical", "--debug"])
    assert "Traceback" in debug.stderr


@pytest.mark.parametrize("damage", DAMAGE)
def test_searcher_index_repairs_a_damaged_index(index, two_generations, damage):
    DAMAGE[damage][0](index)
    report = build_index([two_generations / "corpus"], index, semantic=False)
    with open_index(index) as ix:
        docs = {d["doc"] for d in ix.documents()}
        assert docs == {PROTOCOL, "004_01ff4cff245c5c24.txt", "extra.txt"}
        assert ix.search("extradokument", mode="lexical", limit=1)
        assert ix.lexical.doc_count() == ix.store.section_count()
    assert report.notes and ("damaged" in report.notes[0] or "no usable" in report.notes[0])


def _edit_manifest(ix: Path, **changes) -> None:
    gen, manifest = layout.require_current(ix)
    manifest.update(changes)
    (gen / layout.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(("changes", "message"), [
    ({"format": 99}, "has format 99"),
    ({"analyzer_version": "sv-0"}, "analyzer sv-0"),
])
def test_an_index_of_another_format_or_analyzer_is_refused_clearly(index, changes, message):
    _edit_manifest(index, **changes)
    r = runner.invoke(app, ["search", "kommunen", "--index-dir", str(index), "--mode",
                            "lexical"])
    assert r.exit_code == IndexMismatchError.exit_code
    assert message in r.stderr and "Traceback" not in r.stderr


def test_an_index_of_another_model_is_refused_for_that_model(index):
    _edit_manifest(index, semantic={"model": "some/other-model", "dim": 8, "sections": 1})
    with pytest.raises(IndexMismatchError, match="made with 'some/other-model'"):
        open_index(index, model="multilingual-e5-small-rebuilt")


def test_indexing_into_a_path_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    r = runner.invoke(app, ["index", str(CORPUS), "--index-dir", str(tmp_path / "file"),
                            "--no-semantic"])
    assert r.exit_code == 2, r.output  # an error; 1 is grep's "none found" (issue 18)
    assert f"cannot write the index in {tmp_path / 'file'}/: File exists" in r.stderr
