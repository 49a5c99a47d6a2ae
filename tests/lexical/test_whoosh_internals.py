"""searcher.lexical.whoosh_internals against whoosh itself, the oracle: remembered term-index
pivots and posting blocks parsed in memory give exactly what whoosh's own reads give."""

from __future__ import annotations

import io
import random

import pytest
from whoosh.codec.whoosh3 import W3PostingsWriter, W3TermInfo
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Existence, Frequency, Positions
from whoosh.system import pack_uint

from searcher.lexical.index import LexicalIndex
from searcher.lexical.whoosh_internals import (
    PostingsCodec,
    _add_terms,
    _PivotMemo,
    encode_terms,
)
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


def _whooshs_own_blocks(codec: PostingsCodec, rows) -> tuple[bytes, list[bytes]]:
    """encode_terms as whoosh writes it: add_posting for each posting, finish_postings."""
    buf = io.BytesIO()
    pw = W3PostingsWriter(StructFile(buf), codec.blocklimit, compression=codec.compression,
                          inlinelimit=codec.inlinelimit)
    infos = []
    for fieldname, _btext, ids, weights, values, lens in rows:
        pw.start_postings(codec.formats[fieldname], W3TermInfo())
        for docnum, weight, value, length in zip(ids, weights, values, lens, strict=True):
            pw.add_posting(docnum, weight, value, length)
        infos.append(pw.finish_postings().to_bytes())
    return buf.getvalue(), infos


@pytest.mark.parametrize("compression", [0, 3])
def test_encoded_terms_are_whooshs_own_blocks(compression):
    """Terms of one posting and of several blocks; weights all 1.0, all equal, mixed, NaN;
    lengths or none; values of positions, of a fixed size and none."""
    rng = random.Random(11)
    formats_ = {"text": Positions(), "freq": Frequency(), "ids": Existence()}
    codec = PostingsCodec(formats_, 128, compression, 1)
    rows = []
    for n in (1, 2, 127, 128, 129, 300, 513):
        for fieldname, fmt in formats_.items():
            ids = sorted(rng.sample(range(5_000), n))
            for weights in ([1.0] * n, [2.5] * n, [rng.choice([1.0, 2.0, 0.5]) for _ in ids],
                            [float("nan")] * n):
                values = [fmt.encode([rng.randrange(50) for _ in range(rng.randrange(1, 4))])
                          if fieldname == "text" else pack_uint(rng.randrange(1, 9))
                          if fieldname == "freq" else b"" for _ in ids]
                lens = ([None] * n if fieldname == "ids"  # not scorable: no lengths
                        else [rng.randrange(1, 200_000) for _ in ids])
                rows.append((fieldname, b"t", ids, weights, values, lens))
    assert encode_terms(codec, rows) == _whooshs_own_blocks(codec, rows)
