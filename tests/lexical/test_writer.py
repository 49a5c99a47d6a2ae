"""searcher.lexical.writer: no full garbage collection while the postings pile up, in this
process and in the analysing workers, and the collector's settings given back afterwards."""

from __future__ import annotations

import gc

import pytest

from searcher.lexical import writer as lexical


@pytest.fixture
def eager_collector():
    """Collect every generation as often as Python allows, and record which ones ran."""
    before = gc.get_threshold()
    collected: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            collected.append(info["generation"])

    gc.set_threshold(50, 1, 1)
    gc.callbacks.append(record)
    try:
        yield collected
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*before)


def test_no_full_collection_while_writing(tmp_path, seed_sections, eager_collector):
    gc.collect()
    eager_collector.clear()
    lexical.create(tmp_path / "ix")
    lexical.add_sections(tmp_path / "ix", seed_sections)
    assert 0 in eager_collector  # young objects were collected
    assert 2 not in eager_collector
    assert gc.get_threshold() == (50, 1, 1)


def test_collector_settings_come_back_after_an_error(tmp_path, seed_sections,
                                                     eager_collector):
    def failing():
        yield from seed_sections[:5]
        raise RuntimeError("a section could not be read")

    lexical.create(tmp_path / "ix")
    with pytest.raises(RuntimeError):
        lexical.add_sections(tmp_path / "ix", failing())
    assert gc.get_threshold() == (50, 1, 1)


def test_analysing_workers_make_no_full_collections():
    before = gc.get_threshold()
    try:
        gc.set_threshold(50, 1, 1)
        lexical._start_worker(lexical.build_schema())  # as a worker process starts
        assert gc.get_threshold()[2] == lexical.NO_FULL_COLLECTION
    finally:
        gc.set_threshold(*before)
        lexical._WORKER.clear()


def test_overlapping_writes_in_threads_restore_the_settings_once_all_end(eager_collector):
    first, second = lexical._young_collections_only(), lexical._young_collections_only()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first ends while the second still writes
    assert gc.get_threshold()[2] == lexical.NO_FULL_COLLECTION
    second.__exit__(None, None, None)
    assert gc.get_threshold() == (50, 1, 1)
