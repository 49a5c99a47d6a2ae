"""searcher.lexical.whoosh_internals against whoosh itself, the oracle: remembered term-index
pivots and posting blocks parsed in memory give exactly what whoosh's own reads give."""

from __future__ import annotations

import io
import random

import pytest
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter
from whoosh.filedb.structfile import StructFile

from searcher.lexical.index import LexicalIndex
from searcher.lexical.whoosh_internals import _add_terms, _PivotMemo
from searcher.store import layout


@pytest.fixture(scope="module")
def seed_path(lexical_index_dir):
    generation, _ = layout.require_current(lexical_index_dir)
    return generation / "lexical"


def test_remembered_pivots_find_what_whoosh_finds(seed_path):
    lx = LexicalIndex(seed_path)
    try:
        with lx._reading() as s:
            reader = s.reader()
            table = reader._terms._tindex
            assert isinstance(table.closest_key_pos, _PivotMemo)  # installed on first use
            keys = [k for k, _ in table.items()]
            rng = random.Random(5)
            probes = rng.sample(keys, min(400, len(keys)))
            probes += [k[:-1] for k in probes[:100]] + [k + b"\xff" for k in probes[:100]]
            probes += [b"", b"\x00", b"\xff\xff", keys[0], keys[-1]]
            for key in probes:
                assert table.closest_key_pos(key) == OrderedHashReader.closest_key_pos(table, key)
    finally:
        lx.close()


def test_near_terms_are_the_same_with_remembered_pivots(seed_path):
    lx = LexicalIndex(seed_path)
    try:
        with lx._reading() as s:
            table = s.reader()._terms._tindex
            words = ["brottsofferjoruen", "kommunstyrelsn", "budgett", "nämden"]
            got = [lx.near_terms("exact", w, 2) for w in words]
            del table.closest_key_pos  # back to whoosh's own method
            assert [lx.near_terms("exact", w, 2) for w in words] == got
            assert any(got)
    finally:
        lx.close()


@pytest.fixture(scope="module")
def seed_path_index(seed_path):
    lx = LexicalIndex(seed_path)
    yield lx
    lx.close()


def test_blocks_parsed_in_memory_are_whooshs_blocks(seed_path_index, monkeypatch):
    from whoosh.codec.whoosh3 import W3LeafMatcher

    from searcher.lexical import whoosh_internals
    from searcher.lexical.whoosh_internals import _blocks, whoosh_blocks

    def no_fallback(m):
        raise AssertionError("the in-memory parse fell back to whoosh's reads")
        yield

    monkeypatch.setattr(whoosh_internals, "whoosh_blocks", no_fallback)

    with seed_path_index._reading() as s:
        reader = s.reader()
        checked = 0
        for field in ("text", "parts", "exact"):
            for btext in list(reader.lexicon(field))[::25]:
                ours = reader.postings(field, btext)
                if not isinstance(ours, W3LeafMatcher):
                    continue  # inlined postings
                got = [(i, load()) for i, load in _blocks(ours)]
                ref = [(i, load()) for i, load in whoosh_blocks(reader.postings(field, btext))]
                assert got == ref, (field, btext)
                checked += 1
    assert checked > 20


def _term_table(records, batch: int | None) -> tuple[bytes, list, list]:
    table = OrderedHashWriter(StructFile(io.BytesIO()))
    if batch is None:
        for key, value in records:
            table.add(key, value)
    else:
        for i in range(0, len(records), batch):
            _add_terms(table, records[i:i + batch])
    return table.dbfile.file.getvalue(), list(table.index.array), table.buckets


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_batched_term_rows_equal_whooshs_own_adds(batch):
    """The commit adds a batch of terms at once: the same file bytes, key positions and hash
    buckets as whoosh's OrderedHashWriter.add one term at a time (keys of mixed lengths,
    values of any size, positions growing past 64 KiB so the position array widens)."""
    rng = random.Random(7)
    keys = sorted({bytes([0, rng.randrange(4)]) + rng.randbytes(rng.randrange(1, 40))
                   for _ in range(3000)})
    records = [(k, rng.randbytes(rng.randrange(0, 60))) for k in keys]
    assert _term_table(records, batch) == _term_table(records, None)


def test_batched_term_rows_refuse_keys_out_of_order():
    with pytest.raises(ValueError, match="Keys must increase"):
        _term_table([(b"\x00b", b"1"), (b"\x00a", b"2")], 7)
