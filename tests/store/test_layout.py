"""The index directory: atomic publication, generations, the single-writer lock."""

from __future__ import annotations

import multiprocessing
import os

import pytest
import xxhash

from searcher.errors import IndexLockedError, IndexNotBuiltError
from searcher.store import layout


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


def _published(root, n_files: int = 1):
    gen = layout.new_generation(root, layout.current_generation(root))
    for i in range(n_files):
        (gen / f"f{i}").write_text("x" * (i + 1))
    layout.publish(root, gen, {})
    return gen


def test_collection_spares_a_pinned_generation_until_it_is_unpinned(tmp_path):
    first = _published(tmp_path)
    pin = layout.pin(first)
    for _ in range(3):
        _published(tmp_path)
    assert layout.collect_garbage(tmp_path) == ["gen-000002"]
    assert first.exists()
    pin.close()
    assert layout.collect_garbage(tmp_path) == [first.name]
    assert layout.generation_numbers(tmp_path) == [3, 4]


def test_leftovers_of_interrupted_runs_are_removed(tmp_path):
    live = _published(tmp_path)
    (tmp_path / ".CURRENT.tmp-4242").write_text("gen-000009\n")
    (tmp_path / f"{layout.TRASH}gen-000000-1-2").mkdir()
    unpublished = layout.new_generation(tmp_path, live)
    complete_but_unpublished = _published(tmp_path)
    (tmp_path / layout.CURRENT).write_text(live.name + "\n")  # killed before CURRENT moved
    layout.collect_garbage(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [layout.CURRENT, live.name]
    assert not unpublished.exists() and not complete_but_unpublished.exists()


def test_the_manifest_lists_every_file_and_a_truncated_one_is_detected(tmp_path):
    gen = _published(tmp_path, n_files=3)
    (gen / "sections.sqlite").write_bytes(b"")
    (gen / "lexical").mkdir()
    layout.publish(tmp_path, gen, {"generation": 1})
    _, manifest = layout.require_current(tmp_path)
    # Each file's size and, since issue 19, its checksum (an oracle: xxhash over the bytes).
    assert {rel: e["bytes"] for rel, e in manifest["files"].items()} == {
        "f0": 1, "f1": 2, "f2": 3, "sections.sqlite": 0}
    assert all(e[layout.CHECKSUM] == xxhash.xxh3_128((gen / rel).read_bytes()).hexdigest()
               for rel, e in manifest["files"].items())
    (gen / "f2").write_text("x")
    with pytest.raises(IndexNotBuiltError, match=r"damaged \(gen-000001: f2 has 1 bytes"):
        layout.require_current(tmp_path)
    assert layout.latest_usable(tmp_path) is None


def test_a_damaged_current_falls_back_to_the_newest_sound_generation(tmp_path):
    for _ in range(2):
        gen = _published(tmp_path)
        (gen / "sections.sqlite").write_bytes(b"")
        (gen / "lexical").mkdir(exist_ok=True)
        layout.publish(tmp_path, gen, {})
    (tmp_path / layout.CURRENT).write_text("gen-000099\n")
    assert layout.latest_usable(tmp_path) == tmp_path / "gen-000002"
    layout.collect_garbage(tmp_path)
    assert (tmp_path / "gen-000002").exists()
