"""Same-size damage to each kind of index file (issue 19): found on first use and by
`searcher index --check`, reported as one line naming the file, and repaired by a plain
`searcher index`, after which every answer equals a clean build's.

The index has two generations (the second adds a document), so the damaged whoosh segment
files are hard links shared by both: the repair must not fall back on the older copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import searcher.semantic.encoder as encoder_module
from searcher.cli import app
from searcher.engine import open_index
from searcher.errors import IndexNotBuiltError
from searcher.store import layout
from searcher.store.build import build_index
from tests.store.test_build import FakeEncoder
from tests.swedish_docs import write_corpus

runner = CliRunner()
QUERIES = ["dokument3", "detaljplan Lärkan", "Balans-22", "simhallen", "kommunen beslutar",
           "extradokument"]
#: Kinds of index file → (glob in the live generation, byte offset of the damage: "middle",
#: or a number for a header).
KINDS = {
    "section store": ("sections.sqlite", "middle"),
    "whoosh TOC": ("lexical/_MAIN_*.toc", "middle"),
    "whoosh terms": ("lexical/*.trm", "middle"),
    "whoosh postings": ("lexical/*.pst", "middle"),
    "whoosh stored fields": ("lexical/*._stored.col", "middle"),
    "whoosh field lengths": ("lexical/*._text_len.col", "middle"),
    "vectors": ("semantic/vectors.npy", "middle"),
    "vectors header": ("semantic/vectors.npy", 20),
    "section ids": ("semantic/section_ids.npy", "middle"),
    "passage starts header": ("semantic/starts.npy", 30),
}
MODEL = "fake"


class Encoder(FakeEncoder):
    """FakeEncoder that also encodes queries, so semantic answers can be compared."""

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_passages([text])[0]


@pytest.fixture(scope="module")
def fake_model():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(encoder_module, "Encoder", Encoder)
        yield


@pytest.fixture(scope="module")
def built(tmp_path_factory, fake_model) -> dict:
    root = tmp_path_factory.mktemp("checksums")
    corpus = root / "corpus"
    write_corpus(corpus, 6)
    ix = root / "ix"
    build_index([corpus], ix, semantic=True, model=MODEL)
    (corpus / "extra.txt").write_text("Kommunen beslutar om extradokument och simhallen.\n",
                                      encoding="utf-8")
    build_index([corpus], ix, semantic=True, model=MODEL)
    clean = root / "clean"
    build_index([corpus], clean, semantic=True, model=MODEL)
    return {"corpus": corpus, "ix": ix, "clean": _answers(clean)}


def _answers(ix: Path) -> dict:
    with open_index(ix) as x:
        out = {"docs": sorted(d["doc"] for d in x.documents()),
               "sections": {s.section_id: s.text for s in x.store.iter_sections()}}
        for mode in ("lexical", "semantic"):
            out[mode] = {q: [(r.section.section_id, round(r.score, 9))
                             for r in x.search(q, mode=mode, limit=10)] for q in QUERIES}
    return out


def _target(ix: Path, kind: str) -> Path:
    pattern, _ = KINDS[kind]
    gen = layout.require_current(ix)[0]
    files = sorted(gen.glob(pattern), key=lambda p: (-p.stat().st_nlink, p.name))
    assert files, f"no {pattern} in {gen}"
    return files[0]  # a hard-linked (shared) one first


def _damage(path: Path, where: str | int) -> None:
    """Flip 16 bytes in place: same size, same inode (so every hard link sees it)."""
    size = path.stat().st_size
    at = size // 2 if where == "middle" else min(int(where), size - 16)
    with open(path, "r+b") as f:
        f.seek(at)
        chunk = f.read(16)
        f.seek(at)
        f.write(bytes(b ^ 0xFF for b in chunk))


@pytest.fixture
def damaged(built, tmp_path, request):
    kind = request.param
    ix = tmp_path / "ix"
    shutil.copytree(built["ix"], ix)  # copies keep hard links within the tree? no: re-link
    _relink(built["ix"], ix)
    target = _target(ix, kind)
    _damage(target, KINDS[kind][1])
    return ix, target, kind


def _relink(src: Path, dst: Path) -> None:
    """copytree copies hard links as separate files; link them again as the writer did."""
    by_inode: dict[int, Path] = {}
    for path in sorted(src.rglob("*")):
        if path.is_file():
            twin = by_inode.setdefault(path.stat().st_ino, path)
            if twin != path:
                copy = dst / path.relative_to(src)
                copy.unlink()
                copy.hardlink_to(dst / twin.relative_to(src))


def _mode(kind: str) -> str:
    return "semantic" if KINDS[kind][0].startswith("semantic") else "lexical"


@pytest.mark.parametrize("damaged", KINDS, indirect=True)
def test_damage_is_found_and_named_in_one_line(damaged, fake_model):
    ix, target, kind = damaged
    rel = target.relative_to(ix).as_posix().split("/", 1)[1]
    with pytest.raises(IndexNotBuiltError, match="run `searcher index` to repair") as e:
        with open_index(ix) as x:
            x.search("kommunen", mode=_mode(kind), limit=5)
    assert rel in str(e.value)
    r = runner.invoke(app, ["search", "kommunen", "--index-dir", str(ix), "--mode", _mode(kind)])
    assert r.exit_code == IndexNotBuiltError.exit_code, r.output
    assert rel in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    check = runner.invoke(app, ["index", "--check", "--index-dir", str(ix)])
    assert check.exit_code == IndexNotBuiltError.exit_code, check.output
    assert rel in check.stderr and "Traceback" not in check.stderr


@pytest.mark.parametrize("damaged", KINDS, indirect=True)
def test_searcher_index_repairs_only_the_damage_and_equals_a_clean_build(damaged, built):
    ix, target, kind = damaged
    before = layout.require_current(ix)[0].name
    FakeEncoder.calls.clear()
    report = build_index([built["corpus"]], ix, semantic=True, model=MODEL)
    encoded = list(FakeEncoder.calls)
    assert any("damaged" in n and target.name in n for n in report.notes), report.notes
    assert report.generation != before  # repaired into a new generation, never in place
    check = runner.invoke(app, ["index", "--check", "--index-dir", str(ix)])
    assert check.exit_code == 0, check.output
    assert _answers(ix) == built["clean"]
    if KINDS[kind][0].startswith("lexical"):
        assert encoded == []  # nothing re-encoded when the vectors are intact
    else:  # only the document added after gen-000001 (whose vectors and store are intact)
        assert encoded == [1], encoded
    assert NOTHING in build_index([built["corpus"]], ix, semantic=True, model=MODEL).notes


NOTHING = "nothing changed: no encoding work done"


def test_the_manifest_records_a_checksum_of_every_file(built):
    gen, manifest = layout.require_current(built["ix"])
    on_disk = set(layout.file_sizes(gen))
    assert set(manifest["files"]) == on_disk
    assert manifest["checksum"] == layout.CHECKSUM
    assert not layout.damaged_files(gen, manifest)


@pytest.mark.parametrize("rel", ["../../etc/passwd", "/etc/passwd", "lexical/../../x", "", "a//b"])
def test_a_manifest_naming_paths_outside_the_index_reveals_nothing(built, tmp_path, rel):
    ix = tmp_path / "ix"
    shutil.copytree(built["ix"], ix)
    gen, manifest = layout.require_current(ix)
    manifest["files"] = {**manifest["files"], rel: {"bytes": 0}}
    (gen / layout.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexNotBuiltError, match="not a file of the index") as e:
        open_index(ix)
    assert "bytes" not in str(e.value) and "missing" not in str(e.value)


def test_a_later_open_trusts_the_record_but_never_for_a_file_written_since(built, tmp_path,
                                                                           monkeypatch):
    ix = tmp_path / "ix"
    shutil.copytree(built["ix"], ix)
    hashed: list[str] = []
    real = layout.file_checksum
    monkeypatch.setattr(layout, "file_checksum", lambda p: hashed.append(p.name) or real(p))
    open_index(ix).close()
    first = len(hashed)
    assert first > 0 and (layout.require_current(ix)[0] / layout.VERIFIED).is_file()
    hashed.clear()
    open_index(ix).close()
    assert hashed == []  # recorded as checked, files untouched: no hashing
    target = _target(ix, "whoosh postings")
    _damage(target, "middle")
    with pytest.raises(IndexNotBuiltError, match=target.name):
        open_index(ix)
    assert target.name in hashed
    r = runner.invoke(app, ["index", "--check", "--index-dir", str(ix)])
    assert r.exit_code == IndexNotBuiltError.exit_code and target.name in r.stderr
