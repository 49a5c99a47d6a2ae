"""The index directory: atomic publication, generations, the single-writer lock."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from searcher import layout
from searcher.errors import IndexLockedError, IndexNotBuiltError


def test_publish_makes_a_generation_current(tmp_path):
    assert layout.current_generation(tmp_path) is None
    with pytest.raises(IndexNotBuiltError, match="run `searcher index`"):
        layout.require_current(tmp_path)
    gen = layout.new_generation(tmp_path, None)
    (gen / "data").write_text("one")
    # Not published yet: readers must not see it.
    assert layout.current_generation(tmp_path) is None
    layout.publish(tmp_path, gen, {"generation": 1})
    assert layout.current_generation(tmp_path) == gen
    gen2 = layout.new_generation(tmp_path, gen)
    assert (gen2 / "data").read_text() == "one" and not (gen2 / layout.MANIFEST).exists()
    layout.publish(tmp_path, gen2, {"generation": 2})
    gen3 = layout.new_generation(tmp_path, gen2)
    layout.publish(tmp_path, gen3, {"generation": 3})
    layout.collect_garbage(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == [gen2.name, gen3.name]


def test_unpublished_leftovers_are_collected(tmp_path):
    gen = layout.new_generation(tmp_path, None)
    layout.publish(tmp_path, gen, {})
    crashed = layout.new_generation(tmp_path, gen)  # a writer died before publishing
    layout.collect_garbage(tmp_path)
    assert layout.current_generation(tmp_path) == gen and not crashed.exists()


def _hold_lock(root, ready, release):
    with layout.writer_lock(root):
        ready.set()
        release.wait(10)


def test_second_writer_gets_a_clear_message_naming_the_holder(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold_lock, args=(tmp_path, ready, release))
    p.start()
    try:
        assert ready.wait(10)
        with pytest.raises(IndexLockedError, match=f"being updated by process {p.pid}"):
            with layout.writer_lock(tmp_path):
                pass
    finally:
        release.set()
        p.join(10)
    with layout.writer_lock(tmp_path):  # free again once the holder is gone
        pass


def test_lock_of_a_killed_process_is_free(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold_lock, args=(tmp_path, ready, release))
    p.start()
    assert ready.wait(10)
    os.kill(p.pid, 9)
    p.join(10)
    with layout.writer_lock(tmp_path):
        pass
