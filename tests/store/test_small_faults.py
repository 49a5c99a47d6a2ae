"""The smaller faults of issue 19, each as the user meets it: a full disk while the section
store is written, a DOCX zip bomb, a damaged model file, NaN scores,
and hybrid search without a usable model."""

from __future__ import annotations

import errno
import json
import math
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from searcher.engine import SearchIndex
from searcher.errors import ModelSetupError, SearcherError
from searcher.ingest.decoding import UndecodableError
from searcher.ingest.markup import MAX_DOCX_XML_BYTES, read_docx
from searcher.records import Hit
from searcher.semantic import model_rebuild
from searcher.store import layout
from searcher.store.build import build_index
from searcher.store.sections import SectionStore

runner = CliRunner()


# -- a full disk is not damage ---------------------------------------------------------------
class _FullDisk:
    """A connection whose writes fail as SQLite's do on a full disk (SQLITE_FULL)."""

    def __init__(self, db):
        self._db = db

    def __getattr__(self, name):
        return getattr(self._db, name)

    def __enter__(self):
        return self._db.__enter__()

    def __exit__(self, *exc):
        return self._db.__exit__(*exc)

    def execute(self, sql, *args):
        if sql.lstrip().upper().startswith(("INSERT", "DELETE")):
            e = sqlite3.OperationalError("database or disk is full")
            e.sqlite_errorcode = 13
            raise e
        return self._db.execute(sql, *args)


def test_a_full_disk_while_writing_sections_says_so_not_damaged(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Kommunen beslutar om simhallen.\n", encoding="utf-8")
    original = SectionStore.__init__

    def init(self, path, *, readonly=False):
        original(self, path, readonly=readonly)
        if not readonly:
            self._db = _FullDisk(self._db)

    monkeypatch.setattr(SectionStore, "__init__", init)
    with pytest.raises(SearcherError) as e:
        build_index([corpus], tmp_path / "ix", semantic=False)
    assert "No space left on device" in str(e.value) and "sections.sqlite" in str(e.value)
    assert "damaged" not in str(e.value) and "--rebuild" not in str(e.value)
    assert layout.current_generation(tmp_path / "ix") is None  # nothing half-published


# -- readers ---------------------------------------------------------------------------------
# An AES-encrypted PDF: pdfium (searcher.ingest.pdf) decrypts AES itself, so pypdf's missing
# `cryptography` error cannot happen any more; a password-protected PDF of any algorithm is
# a clear skip (tests/ingest/test_loading.py::test_encrypted_pdf).


def _docx(path: Path, xml_bytes: int) -> Path:
    """A DOCX whose document.xml is `xml_bytes` of markup, streamed (never in memory)."""
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/' \
           b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(head)
            left = xml_bytes - len(head) - len(tail)
            chunk = b" " * (1 << 20)
            while left > 0:
                f.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            f.write(tail)
    return path


def test_a_docx_zip_bomb_is_refused_before_extraction(tmp_path):
    bomb = _docx(tmp_path / "bomb.docx", MAX_DOCX_XML_BYTES + (1 << 20))
    assert bomb.stat().st_size < 1 << 20  # under a megabyte on disk
    with pytest.raises(UndecodableError, match="too large uncompressed"):
        read_docx(bomb.read_bytes())
    ok = _docx(tmp_path / "ok.docx", 4096)
    text, _ = read_docx(ok.read_bytes())
    assert not text.strip()  # only spaces: read, not refused


# -- the model cache -------------------------------------------------------------------------
def _model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(bytes(range(256)) * 4096)
    marker = {"model_safetensors": {"bytes": weights.stat().st_size,
                                    "sha256": model_rebuild.sha256_of(weights)}}
    (folder / model_rebuild.MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return folder


def test_a_damaged_model_file_of_the_same_size_is_found(tmp_path):
    folder = _model_folder(tmp_path)
    assert model_rebuild.is_intact(folder)
    assert (folder / model_rebuild.VERIFIED_STAMP).is_file()  # later processes skip hashing
    assert model_rebuild.is_intact(folder)
    weights = folder / "model.safetensors"
    with open(weights, "r+b") as f:  # 64 KB overwritten in place, as in the issue
        f.seek(100_000)
        f.write(b"\xff" * 65536)
    assert not model_rebuild.is_intact(folder)


def test_a_stamp_does_not_vouch_for_another_file(tmp_path):
    folder = _model_folder(tmp_path)
    assert model_rebuild.is_intact(folder)
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[5] ^= 0xFF
    weights.unlink()
    weights.write_bytes(bytes(data))  # same size, a new file
    assert not model_rebuild.is_intact(folder)


# -- scores and the model at search time -------------------------------------------------------
class _Lexical:
    def __init__(self, hits):
        self.hits = hits

    def search(self, query, *, limit, filters=None):
        return self.hits[:limit]

    def expand_typos(self, query):
        from searcher.query.typo import TypoResult

        return TypoResult(query, query, ())

    def matching_ids(self, filters):
        return None

    def doc_frequencies(self, terms):
        return dict.fromkeys(terms, 1)

    def query_terms(self, query):
        return [("text", w) for w in query.split()]

    def doc_count(self):
        return 3

    def close(self):
        pass


class _Store:
    def get_many(self, ids):
        from searcher.records import Section

        return {i: Section(section_id=i, doc="d.txt", ordinal=n, kind="generic", title="",
                           text="text")
                for n, i in enumerate(ids)}

    def close(self):
        pass


def _index(hits, *, semantic: bool, open_vectors=None) -> SearchIndex:
    manifest = {"format": layout.FORMAT_VERSION, "sections": 3,
                "analyzer_version": __import__("searcher.analysis").analysis.ANALYZER_VERSION,
                "semantic": {"model": "m", "sections": 3, "dim": 2} if semantic else None}
    return SearchIndex(manifest=manifest, store=_Store(), lexical=_Lexical(hits),
                       open_vectors=open_vectors or (lambda: None), where="test/")


def test_non_finite_scores_never_leave_the_engine():
    ix = _index([Hit("a", float("nan")), Hit("b", 1.5), Hit("c", float("inf"))],
                semantic=False)
    results = ix.search("kommunen", mode="lexical")
    assert [r.section.section_id for r in results] == ["b"]
    assert all(math.isfinite(r.score) for r in results)


def test_hybrid_search_falls_back_to_lexical_when_the_model_is_unavailable(monkeypatch):
    ix = _index([Hit("b", 1.5)], semantic=True)

    def unavailable():
        raise ModelSetupError("cannot write the model into /read-only/cache: Permission denied")

    monkeypatch.setattr(ix, "encoder", unavailable)
    response = ix.respond("kommunen", mode="hybrid")
    assert response.mode == "lexical" and [r.section.section_id for r in response.results] == ["b"]
    assert any("searching lexically" in n and "Permission denied" in n for n in response.notes)
    with pytest.raises(ModelSetupError):
        ix.respond("kommunen", mode="semantic")


def test_a_model_giving_nan_vectors_is_an_error_not_nan_scores(monkeypatch):
    import numpy as np

    ix = _index([Hit("b", 1.5)], semantic=True)

    class NanModel:
        def encode_query(self, text):
            return np.array([float("nan"), 0.0], dtype=np.float32)

    monkeypatch.setattr(ix, "encoder", lambda: NanModel())
    with pytest.raises(ModelSetupError, match="not finite"):
        ix.respond("kommunen", mode="semantic")
    response = ix.respond("kommunen", mode="hybrid")  # hybrid still answers, lexically
    assert response.mode == "lexical"


def test_disk_full_error_code_is_not_reported_as_damage(tmp_path):
    store = SectionStore(tmp_path / "s.sqlite")
    try:
        with pytest.raises(OSError) as e, store._guard():
            err = sqlite3.OperationalError("database or disk is full")
            err.sqlite_errorcode = 13
            raise err
        assert e.value.errno == errno.ENOSPC
    finally:
        store.close()
