"""Reading many files in worker processes gives the same index as reading them one by one."""

from __future__ import annotations

import shutil

import pytest

from searcher.store import build
from searcher.store.build import build_index, lexical_processes, reader_processes
from searcher.store.layout import require_current
from searcher.store.sections import SectionStore
from tests.conftest import CORPUS

MB = 1_000_000


@pytest.mark.parametrize(("files", "nbytes", "cores", "expected"), [
    (1, 100 * MB, 8, 1),  # one file: nothing to share
    (60, 7 * MB, 8, 1),  # a few MB read faster than workers start
    (60, 8 * MB, 1, 1),  # one core
    (60, 8 * MB, 2, 2),
    (3, 50 * MB, 8, 3),  # at most one worker per file
    (1000, 90 * MB, 16, 8),  # at most MAX_READERS
    (10_000, 900 * MB, 4, 4),
])
def test_reader_processes_table(files, nbytes, cores, expected):
    assert reader_processes(files, nbytes, cores) == expected


@pytest.mark.parametrize(("sections", "cores", "expected"), [
    (2_999, 8, 0),  # analysing them here is quicker than starting workers
    (3_000, 1, 0),  # one core
    (3_000, 2, 2),
    (75_000, 16, 8),  # at most MAX_READERS
])
def test_lexical_processes_table(sections, cores, expected):
    assert lexical_processes(sections, cores) == expected


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
    monkeypatch.setattr(build, "PARALLEL_MIN_BYTES", 1)
    assert reader_processes(4, 1000, 2) == 2
    parallel = build_index([corpus], tmp_path / "parallel", semantic=False)
    assert parallel.indexed == serial.indexed and len(parallel.indexed) == 2
    assert parallel.skipped == serial.skipped and len(parallel.skipped) == 2
    assert _sections(tmp_path / "parallel") == _sections(tmp_path / "serial")
