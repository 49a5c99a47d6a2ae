"""searcher.lexical's read-side helpers on the seed index."""

from __future__ import annotations

import random

import pytest
from whoosh.filedb.filetables import OrderedHashReader

from searcher import layout
from searcher.lexical import LexicalIndex, _PivotMemo


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
