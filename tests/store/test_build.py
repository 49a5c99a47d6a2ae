"""Incremental indexing: new, changed, moved and gone files; both indexes change together;
unchanged corpora cost nothing; embeddings are carried over and only missing ones encoded."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from searcher.analysis import ANALYZER_VERSION
from searcher.engine import open_index
from searcher.errors import IndexMismatchError
from searcher.semantic import encoder as encoder_module
from searcher.semantic import onnx_model
from searcher.semantic.encoder import DEFAULT_MODEL
from searcher.semantic.vectors import VectorIndex
from searcher.store import layout
from searcher.store.build import NOTHING_CHANGED, build_index
from tests.conftest import CORPUS, PROTOCOL, REPORT
from tests.swedish_docs import write_corpus


def _state(index_dir: Path) -> dict:
    """Documents, sections (id → doc, title, text) and whoosh's document count."""
    with open_index(index_dir) as ix:
        docs = {d["doc"]: d["sha256"] for d in ix.documents()}
        sections = {s.section_id: (s.doc, s.title, s.text) for s in ix.store.iter_sections()}
        return {"docs": docs, "sections": sections, "lexical": ix.lexical.doc_count()}


def _consistent(index_dir: Path) -> dict:
    state = _state(index_dir)
    assert state["lexical"] == len(state["sections"]), "lexical and store disagree"
    return state


def _hits(index_dir: Path, query: str) -> list[str]:
    with open_index(index_dir) as ix:
        return [r.section.section_id for r in ix.search(query, mode="lexical", limit=10)]


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    write_corpus(folder, 12, seeds=False)
    return folder


def test_new_changed_and_pruned_files_both_indexes_change_together(corpus, tmp_path):
    ix = tmp_path / "ix"
    first = build_index([corpus], ix, semantic=False)
    assert len(first.indexed) == 12 and first.skipped == ()
    before = _consistent(ix)

    (corpus / "protokoll_003.txt").write_text(
        (corpus / "protokoll_003.txt").read_text(encoding="utf-8") + "\nTillägg om fjärrvärme.\n",
        encoding="utf-8")
    (corpus / "protokoll_005.txt").unlink()
    shutil.copyfile(corpus / "protokoll_001.txt", corpus / "kopia.txt")
    second = build_index([corpus], ix, semantic=False)
    assert sorted(second.indexed) == ["kopia.txt", "protokoll_003.txt"]
    assert second.removed == ()  # without --prune a gone file's document stays
    assert len(second.unchanged) == 10
    after = _consistent(ix)
    assert "protokoll_005.txt" in after["docs"]
    assert _hits(ix, "fjärrvärme") and _hits(ix, "fjärrvärme")[0].startswith("protokoll_003/")

    third = build_index([corpus], ix, semantic=False, prune=True)
    assert third.removed == ("protokoll_005.txt",) and third.indexed == ()
    pruned = _consistent(ix)
    assert "protokoll_005.txt" not in pruned["docs"]
    assert not any(d == "protokoll_005.txt" for d, _t, _x in pruned["sections"].values())
    assert not _hits(ix, "dokument5")
    assert len(before["docs"]) == len(pruned["docs"])


def test_prune_keeps_documents_of_other_folders_whose_files_exist(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_corpus(a, 3, seeds=False)
    write_corpus(b, 2, seed=9, seeds=False)
    for f in b.iterdir():
        f.rename(b / f"b_{f.name}")
    build_index([a], tmp_path / "ix", semantic=False)
    report = build_index([b], tmp_path / "ix", semantic=False, prune=True)
    assert report.removed == () and len(report.indexed) == 2
    assert len(_consistent(tmp_path / "ix")["docs"]) == 5


def test_unchanged_corpus_does_no_work_and_publishes_nothing(corpus, tmp_path):
    ix = tmp_path / "ix"
    first = build_index([corpus], ix, semantic=False)
    again = build_index([corpus], ix, semantic=False)
    assert again.indexed == () and len(again.unchanged) == 12
    assert again.generation == first.generation
    assert NOTHING_CHANGED in again.notes
    assert layout.generation_numbers(ix) == [1]


def test_rebuild_starts_over(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    other = tmp_path / "other"
    write_corpus(other, 2, seed=3, seeds=False)
    report = build_index([other], ix, semantic=False, rebuild=True)
    assert len(report.indexed) == 2
    assert set(_consistent(ix)["docs"]) == {"protokoll_000.txt", "protokoll_001.txt"}


def test_incremental_equals_clean_build(corpus, tmp_path):
    for seed_file in CORPUS.iterdir():
        shutil.copyfile(seed_file, corpus / seed_file.name)
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    (corpus / "protokoll_002.txt").write_text("Ny text om vindkraft.\n\n§ 1\n\nVindkraft.\n",
                                              encoding="utf-8")
    (corpus / "protokoll_007.txt").unlink()
    write_corpus(corpus / "ny", 3, seed=11, seeds=False)
    build_index([corpus], ix, semantic=False, prune=True)
    clean = tmp_path / "clean"
    build_index([corpus], clean, semantic=False)
    assert _consistent(ix)["sections"] == _consistent(clean)["sections"]
    for q in ("vindkraft", "detaljplan Lärkan", "Balans-22", "dokument3"):
        assert _hits(ix, q) == _hits(clean, q), q


def test_sidecar_and_overrides_count_as_changes(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    (corpus / "protokoll_004.txt.meta.json").write_text('{"organ": "Byggnadsnämnden"}',
                                                       encoding="utf-8")
    assert build_index([corpus], ix, semantic=False).indexed == ("protokoll_004.txt",)
    with_set = build_index([corpus], ix, semantic=False, overrides={"municipality": "Växjö"})
    assert len(with_set.indexed) == 12
    same_set = build_index([corpus], ix, semantic=False, overrides={"municipality": "Växjö"})
    assert same_set.indexed == ()


def test_same_file_names_in_two_folders_and_same_stems_get_distinct_ids(tmp_path):
    a, b = tmp_path / "c" / "a", tmp_path / "c" / "b"
    a.mkdir(parents=True)
    b.mkdir()
    (a / "x.txt").write_text("Kommunen beslutar om alfa.\n", encoding="utf-8")
    (b / "x.txt").write_text("Kommunen beslutar om beta.\n", encoding="utf-8")
    (a / "x.md").write_text("Kommunen beslutar om gamma.\n", encoding="utf-8")
    report = build_index([tmp_path / "c"], tmp_path / "ix", semantic=False)
    assert sorted(report.indexed) == ["b/x.txt", "x.md", "x.txt"]
    state = _consistent(tmp_path / "ix")
    assert len(state["sections"]) == 3  # no section lost to an id collision
    for word in ("alfa", "beta", "gamma"):
        assert len(_hits(tmp_path / "ix", word)) == 1
    # a later file with an existing name, while the first still exists, does not replace it
    c = tmp_path / "later"
    c.mkdir()
    (c / "x.txt").write_text("Kommunen beslutar om delta.\n", encoding="utf-8")
    report = build_index([c], tmp_path / "ix", semantic=False)
    assert report.indexed == ("later/x.txt",)
    assert len(_consistent(tmp_path / "ix")["docs"]) == 4


def test_a_moved_file_keeps_its_name_and_leaves_no_duplicate(tmp_path):
    c = tmp_path / "c"
    write_corpus(c, 2, seeds=False)
    build_index([c], tmp_path / "ix", semantic=False)
    (c / "sub").mkdir()
    (c / "protokoll_001.txt").rename(c / "sub" / "protokoll_001.txt")
    report = build_index([c], tmp_path / "ix", semantic=False, prune=True)
    assert report.indexed == ("protokoll_001.txt",) and report.removed == ()
    assert sorted(_consistent(tmp_path / "ix")["docs"]) == ["protokoll_000.txt",
                                                             "protokoll_001.txt"]


def _tree_hashes(path: Path) -> dict[str, str]:
    """The index files' hashes (not readers' record of checked files, layout.VERIFIED)."""
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and p.name != layout.VERIFIED}


def test_update_shares_segment_files_and_never_modifies_the_previous_generation(corpus,
                                                                              tmp_path):
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    gen1 = ix / "gen-000001"
    before = _tree_hashes(gen1)
    for i in range(3):  # adds, a change and a prune: whoosh merges, deletes, renames its TOC
        (corpus / f"extra_{i}.txt").write_text(f"Kommunen beslutar om extra{i}.\n",
                                               encoding="utf-8")
        if i == 1:
            (corpus / "protokoll_000.txt").write_text("Ändrad.\n\n§ 3\n\nÄndrad text.\n",
                                                      encoding="utf-8")
        if i == 2:
            (corpus / "protokoll_001.txt").unlink()
        with open_index(ix) as pinned:  # pin gen 1 so garbage collection keeps it
            if pinned.generation == gen1:
                build_index([corpus], ix, semantic=False, prune=True)
                assert _tree_hashes(gen1) == before
    gen2 = ix / "gen-000002"
    shared = [p for p in (gen2 / "lexical").iterdir()
              if (gen1 / "lexical" / p.name).exists()
              and p.stat().st_ino == (gen1 / "lexical" / p.name).stat().st_ino]
    assert shared, "segment files should be hard links, not copies"


def test_an_open_index_keeps_working_across_updates_and_is_collected_after(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    reader = open_index(ix)
    expected = [r.section.section_id for r in reader.search("detaljplan", mode="lexical")]
    for i in range(4):
        (corpus / f"more_{i}.txt").write_text(f"Kommunen beslutar om mer{i}.\n", encoding="utf-8")
        build_index([corpus], ix, semantic=False)
    assert (ix / "gen-000001").exists()  # pinned by the open reader
    assert expected
    assert [r.section.section_id for r in reader.search("detaljplan", mode="lexical")] == expected
    reader.close()
    (corpus / "last.txt").write_text("Kommunen beslutar om sist.\n", encoding="utf-8")
    build_index([corpus], ix, semantic=False)
    assert layout.generation_numbers(ix) == [5, 6]


def test_an_index_of_another_analyzer_is_reanalysed_keeping_every_document(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    other = tmp_path / "other"
    write_corpus(other, 2, seed=5, seeds=False)
    for f in other.iterdir():
        f.rename(other / f"o_{f.name}")
    gen, manifest = layout.require_current(ix)
    manifest["analyzer_version"] = "old-analyzer"
    (gen / layout.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="analyzer old-analyzer"):
        open_index(ix)
    report = build_index([other], ix, semantic=False)
    assert any("analysing all sections again" in n for n in report.notes)
    state = _consistent(ix)
    assert len(state["docs"]) == 14  # the 12 not given this time are kept
    assert layout.require_current(ix)[1]["analyzer_version"] == ANALYZER_VERSION


class FakeEncoder:
    """Deterministic stand-in for the model: token hashes into 16 dimensions."""

    calls: list[int] = []

    def __init__(self, model: str, *, cache_dir=None, progress=None, index_runtime=None,
                 use=None):
        self.name, self.dim, self.prompts = model, 16, {"query": "q: ", "passage": "p: "}

    def describe(self) -> dict:
        return {"model": self.name, "prompts": self.prompts, "dim": self.dim, "normalize": True}

    def passage_token_budget(self) -> int:
        return 200

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def encode_passages(self, texts, *, batch_size=16, progress=None) -> np.ndarray:
        FakeEncoder.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.split():
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        if progress:
            progress(len(texts), len(texts))
        return out


@pytest.fixture
def fake_encoder(monkeypatch):
    FakeEncoder.calls = []
    monkeypatch.setattr(encoder_module, "Encoder", FakeEncoder)
    return FakeEncoder


def test_no_semantic_then_plain_index_adds_only_the_missing_embeddings(corpus, tmp_path,
                                                                         fake_encoder):
    ix = tmp_path / "ix"
    first = build_index([corpus], ix, semantic=True, model="fake")
    assert first.semantic == "complete" and first.passages_encoded > 0
    vectors_before = VectorIndex(layout.require_current(ix)[0] / "semantic")
    old = {sid: vectors_before.rows_of(sid) for sid in map(str, vectors_before.section_ids)}

    (corpus / "ny.txt").write_text("Kommunen beslutar om en ny skola.\n", encoding="utf-8")
    lexical_only = build_index([corpus], ix, semantic=False)
    assert lexical_only.semantic == "partial" and lexical_only.passages_encoded == 0
    assert layout.require_current(ix)[1]["semantic"]["status"] == "partial"
    assert any("embeddings partial" in n for n in lexical_only.notes)

    fake_encoder.calls.clear()
    complete = build_index([corpus], ix, semantic=True, model="fake")
    assert complete.semantic == "complete" and complete.indexed == ()
    assert fake_encoder.calls == [1]  # only the new document's one passage
    vectors = VectorIndex(layout.require_current(ix)[0] / "semantic")
    for sid, rows in old.items():
        assert np.array_equal(vectors.rows_of(sid), rows)

    fake_encoder.calls.clear()
    assert NOTHING_CHANGED in build_index([corpus], ix, semantic=True, model="fake").notes
    assert fake_encoder.calls == []


def test_changed_document_reencodes_only_its_changed_sections(corpus, tmp_path, fake_encoder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=True, model="fake")
    path = corpus / "protokoll_002.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Bakgrund", "Bakgrund\n\nNytt.", 1),
                    encoding="utf-8")
    fake_encoder.calls.clear()
    report = build_index([corpus], ix, semantic=True, model="fake")
    assert report.indexed == ("protokoll_002.txt",)
    assert fake_encoder.calls == [1]


def test_another_model_encodes_everything_again_and_says_so(corpus, tmp_path, fake_encoder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=True, model="fake")
    report = build_index([corpus], ix, semantic=True, model="fake-2")
    assert any("encoding every section again" in n for n in report.notes)
    assert layout.require_current(ix)[1]["semantic"]["model"] == "fake-2"


class RuntimeFakeEncoder(FakeEncoder):
    """The fake as the default model: it records the runtime it would run on, chosen as the
    real one chooses (SEARCHER_RUNTIME, else the family of the index it encodes for)."""

    def __init__(self, model: str, *, cache_dir=None, progress=None, index_runtime=None,
                 use=onnx_model.Use.query):
        super().__init__(model, cache_dir=cache_dir, progress=progress)
        asked = onnx_model.runtime_for_index(onnx_model.requested_runtime(), index_runtime,
                                             use, gpu=False)
        self.runtime = asked.value

    def describe(self) -> dict:
        return {**super().describe(), "runtime": self.runtime}


def test_updates_stay_in_the_runtime_family_of_the_index(corpus, tmp_path, monkeypatch):
    FakeEncoder.calls = []
    monkeypatch.setattr(encoder_module, "Encoder", RuntimeFakeEncoder)
    monkeypatch.delenv("SEARCHER_RUNTIME", raising=False)
    ix = tmp_path / "ix"

    def runtime() -> str:
        return layout.require_current(ix)[1]["semantic"]["runtime"]

    first = build_index([corpus], ix, semantic=True, model=DEFAULT_MODEL)
    assert runtime() == "onnx-q4"  # auto, a new index on the CPU: the float family, q4
    monkeypatch.setenv("SEARCHER_RUNTIME", "onnx-int8")  # another family: all again
    again = build_index([corpus], ix, semantic=True, model=DEFAULT_MODEL)
    assert any("encoding every section again with onnx-int8" in n for n in again.notes)
    assert again.passages_encoded == first.passages_encoded and runtime() == "onnx-int8"

    monkeypatch.delenv("SEARCHER_RUNTIME")  # auto: a new document joins the index's family
    (corpus / "ny.txt").write_text("Kommunen beslutar om en ny skola.\n", encoding="utf-8")
    FakeEncoder.calls.clear()
    update = build_index([corpus], ix, semantic=True, model=DEFAULT_MODEL)
    assert FakeEncoder.calls == [1] and runtime() == "onnx-int8"
    assert not any("again" in n for n in update.notes)

    monkeypatch.setenv("SEARCHER_RUNTIME", "torch")  # the float family again: all again
    assert build_index([corpus], ix, semantic=True, model=DEFAULT_MODEL).passages_encoded == (
        first.passages_encoded + 1)
    assert runtime() == "torch"
    FakeEncoder.calls.clear()
    monkeypatch.setenv("SEARCHER_RUNTIME", "onnx-fp32")  # torch's family: nothing to encode
    assert NOTHING_CHANGED in build_index([corpus], ix, semantic=True, model=DEFAULT_MODEL).notes
    assert FakeEncoder.calls == [] and runtime() == "torch"
    monkeypatch.delenv("SEARCHER_RUNTIME")  # auto keeps a float index float: nothing again
    assert NOTHING_CHANGED in build_index([corpus], ix, semantic=True, model=DEFAULT_MODEL).notes
    monkeypatch.setenv("SEARCHER_RUNTIME", "onnx-int8")  # the int8 family again: all again
    assert build_index([corpus], ix, semantic=True, model=DEFAULT_MODEL).passages_encoded == (
        first.passages_encoded + 1)
    assert runtime() == "onnx-int8"


def test_index_directory_with_odd_characters(tmp_path):
    ix = tmp_path / "index #1 ?x=%20"
    report = build_index([CORPUS], ix, semantic=False)
    assert sorted(report.indexed) == [PROTOCOL, REPORT]
    assert _hits(ix, "Balans-22")
    assert os.path.isdir(ix)


def test_a_new_chunker_version_rereads_every_file(tmp_path, monkeypatch):
    from searcher.store import build as indexing
    from tests.conftest import CORPUS

    build_index([CORPUS], tmp_path, semantic=False)
    monkeypatch.setattr(indexing, "CHUNKER_VERSION", "c-test")
    report = build_index([CORPUS], tmp_path, semantic=False)
    assert len(report.indexed) == 2 and any("reading all files again" in n for n in report.notes)
    assert build_index([CORPUS], tmp_path, semantic=False).indexed == ()
