"""Reading many files in worker processes gives the same index as reading them one by one."""

from __future__ import annotations

import shutil

import pytest

from searcher.store import build
from searcher.store.build import build_index, reader_processes
from searcher.store.layout import require_current
from searcher.store.sections import SectionStore
from tests.conftest import CORPUS


@pytest.mark.parametrize(("files", "cores", "expected"), [
    (1, 8, 1), (23, 8, 1), (24, 1, 1), (24, 2, 2), (48, 2, 2), (48, 8, 3), (1000, 2, 2),
    (1000, 16, 8), (10_000, 4, 4),
])
def test_reader_processes_table(files, cores, expected):
    assert reader_processes(files, cores) == expected


def _sections(index_dir):
    gen, _ = require_current(index_dir)
    store = SectionStore(gen / "sections.sqlite", readonly=True)
    try:
        return [(s.section_id, s.title, s.text) for s in store.iter_sections()]
    finally:
        store.close()


def test_parallel_reading_equals_serial_reading_and_keeps_skips(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "tom.txt").write_text("", encoding="utf-8")  # skipped: no text
    (corpus / "binär.txt").write_bytes(bytes(range(256)) * 40)  # skipped: not text
    serial = build_index([corpus], tmp_path / "serial", semantic=False)
    monkeypatch.setattr(build, "PARALLEL_MIN_FILES", 1)
    assert reader_processes(4, 2) == 2
    parallel = build_index([corpus], tmp_path / "parallel", semantic=False)
    assert parallel.indexed == serial.indexed and len(parallel.indexed) == 2
    assert parallel.skipped == serial.skipped and len(parallel.skipped) == 2
    assert _sections(tmp_path / "parallel") == _sections(tmp_path / "serial")
