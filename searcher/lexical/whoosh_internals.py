"""Every use of whoosh's private attributes and on-disk formats, in one place.

Pinned to whoosh-reloaded 2.7.5 (pyproject.toml). What this file assumes, and where each
assumption is checked against whoosh itself (tests/lexical/test_whoosh_internals.py and
tests/lexical/test_scorer.py):

- The W3 codec's per-document length column: `reader._perdoc._cached_reader(_lenfield(f),
  LENGTHS_COLUMN)` is a fixed-width column whose bytes start at `_basepos` of `_dbfile`
  (one byte per document, whoosh's `length_to_byte` encoding).
- A W3 posting list (`W3LeafMatcher`) is `b"W3Bl"` then blocks of: a signed 4-byte length
  (negative on the last block), a pickled info tuple `(…, max_id, …, compressed, …)`, and the
  block's pickled (zlib-compressed when flagged) `(delta ids, weights)` and values. The
  matcher's `_postfile`, `_startoffset`, `_length`, `_maxid`, `_read_data`, `_read_values`,
  `_data`, `_values`, `_lastblock`, `_goto` and `_nextoffset` read it block by block.
- The term index (`reader._terms._tindex`, an OrderedHashReader) has `indexlen`, `indexbase`,
  `indexsize`, `key_at` and `_get_pos`, and searches it with `closest_key_pos`.
- A W3 TermInfo of postings not inlined ends with their offset in the postings file (8 bytes)
  and length (4), and a row of the terms table (OrderedHashWriter) is `_lengths` (key and
  value sizes), key and value, its position kept in `index` and `buckets`: the commit moves
  offsets and adds rows a batch at a time (files compared byte for byte with whoosh's own in
  tests/lexical/test_prepared.py, rows in test_whoosh_internals.py).
- whoosh unpickles its TOC (the schema, the segment list), compound-file directories, posting
  block headers and blocks, stored fields and position values through `whoosh.index.pickle`,
  `whoosh.filedb.structfile.load_pickle` and the `loads` of `whoosh.codec.whoosh3`,
  `whoosh.columns` and `whoosh.formats`; `restrict_unpickling()` replaces those with
  `restricted_loads`, and whoosh's loaders of older TOC formats are dropped.

Anything that is not the layout described falls back to whoosh's public interface.
"""

from __future__ import annotations

import functools
import heapq
import importlib
import io
import operator
import pickle
import struct
import tempfile
import types
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import whoosh.codec.whoosh3
import whoosh.columns
import whoosh.filedb.structfile
import whoosh.formats
import whoosh.index
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.codec.whoosh3 import dumps as w3_dumps
from whoosh.filedb.filetables import OrderedHashWriter, _lengths
from whoosh.filedb.structfile import StructFile
from whoosh.system import _INT_SIZE, _LONG_SIZE, pack_int, pack_long, pack_ushort, unpack_long
from whoosh.util.numeric import byte_to_length, length_to_byte

# -- no code from an index: the only objects whoosh's pickles may name ------------------------
#: Plain values (and the helpers pickle uses to rebuild them).
SAFE_GLOBALS = frozenset(
    [(m, n) for m in ("builtins", "__builtin__") for n in (
        "bool", "bytearray", "bytes", "complex", "dict", "float", "frozenset", "int", "list",
        "long", "object", "set", "str", "tuple", "unicode")]
    + [("_codecs", "encode"), ("copyreg", "_reconstructor"), ("copy_reg", "_reconstructor"),
       ("collections", "defaultdict"), ("collections", "OrderedDict"), ("re", "_compile"),
       ("array", "array"), ("array", "_array_reconstructor"),
       ("whoosh.codec.whoosh3", "W3Codec"), ("whoosh.codec.whoosh3", "W3Segment")]
)
#: Modules whose classes (classes only, never functions) a schema is made of: fields, formats,
#: columns, analyzers and stemmers, ours included. Their constructors only store settings.
SCHEMA_MODULES = ("whoosh.fields", "whoosh.formats", "whoosh.columns", "whoosh.analysis.",
                  "whoosh.lang.", "searcher.analysis.")


def _schema_module(module: str) -> bool:
    return any(module == m or (m.endswith(".") and module.startswith(m)) for m in SCHEMA_MODULES)


class ForbiddenObject(pickle.UnpicklingError):
    """A pickle in the index names something outside the allow-list (it would run code)."""


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in SAFE_GLOBALS:
            return super().find_class(module, name)
        if _schema_module(module) and name.isidentifier() and not name.startswith("_"):
            try:
                obj = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                obj = None
            if isinstance(obj, type) and _schema_module(obj.__module__):
                return obj
        raise ForbiddenObject(f"{module}.{name}")


def restricted_load(file, **_kwargs):
    """pickle.load allowing only SAFE_GLOBALS and the classes of SCHEMA_MODULES."""
    return _Restricted(file).load()


def restricted_loads(data, **_kwargs):
    """pickle.loads allowing only SAFE_GLOBALS and the classes of SCHEMA_MODULES."""
    return _Restricted(io.BytesIO(data)).load()


_PICKLE_SHIM = types.SimpleNamespace(loads=restricted_loads, load=restricted_load,
                                     dumps=pickle.dumps, dump=pickle.dump,
                                     PicklingError=pickle.PicklingError,
                                     UnpicklingError=pickle.UnpicklingError)


def restrict_unpickling() -> None:
    """Make every pickle whoosh reads from an index go through the allow-list (idempotent).

    whoosh stores its schema, segment list and posting blocks as pickles, and a pickle can
    name any callable: an index from someone else would otherwise run their code on open."""
    whoosh.index.pickle = _PICKLE_SHIM
    whoosh.index.toc_loaders = {}  # older TOC formats use a renaming, unrestricted unpickler
    whoosh.filedb.structfile.load_pickle = restricted_load
    for module in (whoosh.codec.whoosh3, whoosh.columns, whoosh.formats):
        module.loads = restricted_loads


@dataclass(slots=True)
class Postings:
    """One token's postings in one segment, as arrays."""

    ids: np.ndarray  # int64 segment docnums of live documents, ascending
    weights: np.ndarray  # float64 (occurrences × token and field boosts, as whoosh stores)
    values: list | None  # encoded positions per posting, when asked for (phrases)


def length_bytes(reader, field: str, size: int) -> np.ndarray | None:
    """Every document's one-byte length in `field`, the column read in one call; None when the
    reader is not the W3 codec's (the caller then asks document by document)."""
    out = np.zeros(size, np.uint8)
    try:
        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is not None:
            raw = column._dbfile.get(column._basepos, min(column._count, size))
            out[: len(raw)] = np.frombuffer(raw, np.uint8)
        return out
    except AttributeError:
        return None


def read_postings(m, values: bool, within: np.ndarray | None = None) -> Postings:
    """A leaf matcher's postings: block by block for the W3 codec, else through the public
    matcher interface."""
    if isinstance(m, W3LeafMatcher) and hasattr(m, "_read_data"):
        return _read_blocks(m, values, within)
    return _read_matcher(m, values)


def _read_blocks(m, values: bool, within: np.ndarray | None = None) -> Postings:
    """The postings of a W3 leaf matcher, a block (≤128 postings) per unpickle, no per-posting
    Python calls: ids are delta-coded within a block, the first absolute. With `within`, a
    block whose docnum range holds none of those documents is skipped undecoded."""
    deltas: list[int] = []
    starts: list[int] = []
    last_ids: list[int] = []
    weights: list[tuple[int, object]] = []
    vals: list | None = [] if values else None
    uniform = True
    previous_max = -1
    for max_id, load in _blocks(m):
        lo, previous_max = previous_max + 1, max_id
        if within is not None:
            i = np.searchsorted(within, lo)
            if i >= len(within) or within[i] > max_id:
                continue
        ids_t, w, v = load()
        starts.append(len(deltas))
        deltas.extend(ids_t)
        last_ids.append(max_id)
        weights.append((len(ids_t), w))
        uniform = uniform and w is None
        if vals is not None:
            vals.extend(v)
    if not deltas:
        return Postings(np.zeros(0, np.int64), np.zeros(0), vals)
    flat = np.array(deltas, dtype=np.int64)
    if len(starts) > 1:
        flat[np.array(starts[1:])] -= np.array(last_ids[:-1], dtype=np.int64)
    ids = np.cumsum(flat)
    if uniform:
        wts = np.ones(len(ids))
    else:
        wts = np.concatenate([
            np.ones(n) if w is None else np.full(n, w) if isinstance(w, float) else
            np.asarray(w, dtype=np.float64)
            for n, w in weights
        ])
    return Postings(ids, wts, vals)


def _blocks(m):
    """(last docnum, loader of (delta ids, weights, values)) per block of a W3 leaf matcher.

    The term's whole posting list is read in one call and its block headers (length, pickled
    info) parsed in memory: whoosh's own matcher seeks and reads three times per block, which
    dominates when most blocks are skipped. Anything unexpected falls back to whoosh's reads.
    """
    fixed = m.format.fixed_value_size()
    if fixed is None or fixed < 0:  # values are kept as whoosh stores them (positions)
        try:  # whoosh reads the extent's length back as a 1-tuple
            size = m._length[0] if isinstance(m._length, tuple) else m._length
            buf = m._postfile.get(m._startoffset, size)
        except (AttributeError, OSError, TypeError):
            buf = b""
        if buf[:4] == b"W3Bl":
            f = io.BytesIO(buf)
            infos = _Restricted(f)  # one unpickler for every block header (cheaper)
            pos, blocks = 4, []
            try:
                while True:
                    (length,) = struct.unpack_from("!i", buf, pos)
                    f.seek(pos + 4)
                    info = infos.load()
                    blocks.append((info[1], f.tell(), pos + 4 + abs(length), info[3]))
                    pos += 4 + abs(length)
                    if length < 0:
                        break
            except ForbiddenObject:
                raise
            except Exception:  # noqa: BLE001 - not the layout we know: whoosh reads it
                blocks = []
            if blocks and pos == len(buf):
                for max_id, start, end, compressed in blocks:
                    yield max_id, lambda s=start, e=end, c=compressed: restricted_loads(
                        zlib.decompress(buf[s:e]) if c else buf[s:e])
                return
    yield from whoosh_blocks(m)


def whoosh_blocks(m):
    """_blocks() through whoosh's matcher: a seek and three reads per block header."""
    while True:
        max_id = m._maxid

        def load():
            m._read_data()
            m._read_values()
            return m._data[0], m._data[1], m._values

        yield max_id, load
        if m._lastblock:
            return
        m._goto(m._nextoffset)


def _read_matcher(m, values: bool) -> Postings:
    """Postings through the public matcher interface (inlined or other formats)."""
    ids, wts, vals = [], [], []
    while m.is_active():
        ids.append(m.id())
        wts.append(m.weight())
        if values:
            vals.append(m.value())
        m.next()
    return Postings(np.asarray(ids, np.int64), np.asarray(wts, np.float64),
                     vals if values else None)


PIVOT_MEMO = 200_000  # term-index pivots remembered per segment (~50 bytes each)


class _PivotMemo:
    """whoosh's term-index binary search (OrderedHashReader.closest_key_pos) with the pivot
    keys remembered. whoosh reads every pivot from disk; typo expansion walks a Levenshtein
    automaton over the terms with ~2,000 such searches per word, whose upper pivots are all the
    same and lower ones mostly shared, so remembering them makes it several times faster. A
    generation never changes, so the keys never go stale."""

    def __init__(self, table):
        self.table = table
        self.keys: dict[int, bytes] = {}

    def __call__(self, key: bytes) -> int | None:
        t, keys = self.table, self.keys
        lo, hi = 0, t.indexlen
        while lo < hi:
            mid = (lo + hi) // 2
            midkey = keys.get(mid)
            if midkey is None:
                midkey = t.key_at(t._get_pos(t.indexbase + mid * t.indexsize))
                if len(keys) < PIVOT_MEMO:
                    keys[mid] = midkey
            if midkey < key:
                lo = mid + 1
            else:
                hi = mid
        if lo == t.indexlen:
            return None
        return t._get_pos(t.indexbase + lo * t.indexsize)


def remember_pivots(reader) -> None:
    """Give a segment reader's term index a _PivotMemo (whoosh-reloaded 2.7's W3 codec; other
    readers are left as they are)."""
    table = getattr(getattr(reader, "_terms", None), "_tindex", None)
    needed = ("indexlen", "indexbase", "indexsize", "key_at", "_get_pos")
    if table is not None and all(hasattr(table, a) for a in needed) \
            and not isinstance(table.__dict__.get("closest_key_pos"), _PivotMemo):
        table.closest_key_pos = _PivotMemo(table)


# -- adding documents whose postings were computed beforehand (searcher.lexical.prepared) ------
# SegmentWriter.add_document and update_document as whoosh-reloaded 2.7.5 writes them, with the
# analysis taken out (`prepared[field]` holds the field's (term bytes, frequency, weight, value)
# items and length, as `field.index` would yield them), and whoosh's posting pool replaced for
# these documents by TermPool: postings grouped by term as they come (a document's docnum is
# the largest so far, so each term's list stays in docnum order), spilled to temporary files a
# run of sorted terms at a time, and merged term by term at commit. whoosh's pool sorts and
# spills one 5-tuple per posting, which at 10,000 documents costs more than the rest of the
# commit. What whoosh's merge policy adds to its own pool at commit (older segments' postings,
# numbered after ours) is merged in after ours, term by term.
#
# At commit, the terms' posting blocks are encoded by whoosh's own W3PostingsWriter (ids
# delta-coded, pickled, zlib-compressed: most of the commit's time) a batch of consecutive
# terms at a time into a buffer, by `encode_terms`: in worker processes when the caller gives
# a Runner that has some, so the commit no longer runs on one core. This process writes the
# buffers in term order and each term's TermInfo, its offset moved from the buffer to the
# postings file.

SPILL_POSTINGS = 4_000_000  # postings held in memory before a run is written (~25 bytes each)
#: Postings (and at most ENCODE_TERMS terms) encoded per batch at commit: enough work per batch
#: (~0.1 s) that sending it to a worker costs little.
ENCODE_POSTINGS = 30_000
ENCODE_TERMS = 3_000
#: The end of a W3 TermInfo of postings not inlined: the offset in the postings file, the length.
_EXTENT_SIZE = _LONG_SIZE + _INT_SIZE

#: One term's postings as the commit encodes them: (field, term bytes, docnums, weights, encoded
#: values, quantised field lengths).
TermRow = tuple[str, bytes, list, list, list, list]
#: Runs a function on each batch, in order, yielding (batch, result): in this process, or in
#: worker processes (searcher.lexical.writer).
Runner = Callable[[Callable, Iterable], Iterator[tuple]]


def run_here(fn: Callable, batches: Iterable) -> Iterator[tuple]:
    """A Runner without worker processes."""
    for batch in batches:
        yield batch, fn(batch)


@dataclass(frozen=True, slots=True)
class PostingsCodec:
    """What encoding posting blocks needs, picklable for worker processes: each field's
    format and the W3 codec's block settings."""

    formats: dict
    blocklimit: int
    compression: int
    inlinelimit: int

    @classmethod
    def of(cls, writer) -> PostingsCodec:
        pw = writer.codec.postings_writer(io.BytesIO())
        formats = {name: field.format for name, field in writer.schema.items() if field.indexed}
        return cls(formats, pw._blocklimit, pw._compression, pw._inlinelimit)


def encode_terms(codec: PostingsCodec, rows: list[TermRow]) -> tuple[bytes, list[bytes]]:
    """Consecutive terms' posting blocks, written by whoosh's W3PostingsWriter into one
    buffer, and each term's TermInfo bytes (as the terms table stores them) with its offset
    in that buffer."""
    buf = io.BytesIO()
    pw = W3PostingsWriter(StructFile(buf), codec.blocklimit, compression=codec.compression,
                          inlinelimit=codec.inlinelimit)
    infos = []
    for fieldname, _btext, ids, weights, values, lens in rows:
        pw.start_postings(codec.formats[fieldname], W3TermInfo())
        if ids and codec.inlinelimit <= 1:  # never inlined: written here, as whoosh writes
            _write_blocks(pw, buf, ids, weights, values, lens)
            infos.append(pw._terminfo.to_bytes())
            pw._terminfo = None
            continue
        _fill_blocks(pw, ids, weights, values, lens)
        infos.append(pw.finish_postings().to_bytes())
    return buf.getvalue(), infos


def _moved(info: bytes, base: int) -> bytes:
    """TermInfo bytes whose postings start `base` bytes later (inlined ones: unchanged)."""
    if info[0]:  # the flag of inlined postings
        return info
    at = len(info) - _EXTENT_SIZE
    (offset,) = unpack_long(info[at:at + _LONG_SIZE])
    return info[:at] + pack_long(base + offset) + info[at + _LONG_SIZE:]


def fast_adding_supported(schema) -> bool:
    """No field asks for what FastSegment leaves out (spelling words, term vectors)."""
    return all(not f.separate_spelling() and not f.vector for _, f in schema.items())


class TermPool:
    """Postings grouped by (field, term), each term's docnums ascending; see above."""

    def __init__(self, spill: int | None = None) -> None:
        self.fields: dict[str, dict[bytes, tuple[list, list, list]]] = {}
        self.count = 0
        self.spill = spill or SPILL_POSTINGS
        self.runs: list = []
        self._shared: dict = {}  # equal weights and values share one object

    def add(self, fieldname: str, docnum: int, items) -> None:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        shared = self._shared
        for tbytes, _freq, weight, vbytes in items:
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = ([], [], [])
            entry[0].append(docnum)
            if type(weight) is float and weight > 0:  # not 1 for 1.0, nor 0.0 for -0.0
                weight = shared.setdefault(weight, weight)
            entry[1].append(weight)
            entry[2].append(shared.setdefault(vbytes, vbytes) if len(vbytes) < 12 else vbytes)
        self.count += len(items)

    def maybe_spill(self) -> None:
        if self.count >= self.spill:
            run = tempfile.TemporaryFile()
            for row in self._sorted():
                pickle.dump(row, run, pickle.HIGHEST_PROTOCOL)
            run.seek(0)
            self.runs.append(run)
            self.fields, self.count, self._shared = {}, 0, {}

    def _sorted(self):
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                yield (fieldname, tbytes, *terms[tbytes])

    @staticmethod
    def _read(run):
        try:
            while True:
                yield pickle.load(run)
        except EOFError:
            return
        finally:
            run.close()

    def terms(self, more=()):
        """(field, term, docnums, weights, values) in (field, term) order: the runs, what is
        in memory, then `more` (whoosh's pool, grouped the same way), each term's lists joined
        in that order."""
        streams = [self._read(run) for run in self.runs] + [self._sorted(), more]
        self.runs = []
        last = None
        for row in heapq.merge(*streams, key=_term_key):  # stable: earlier streams first
            if last is not None and last[0] == row[0] and last[1] == row[1]:
                last[2].extend(row[2])
                last[3].extend(row[3])
                last[4].extend(row[4])
                continue
            if last is not None:
                yield last
            last = (row[0], row[1], list(row[2]), list(row[3]), list(row[4]))
        if last is not None:
            yield last

    def close(self) -> None:
        for run in self.runs:
            run.close()
        self.runs = []


def _term_key(row) -> tuple:
    return row[0], row[1]


def _grouped(items):
    """whoosh's pool postings (field, term, docnum, weight, value), grouped by term."""
    last = None
    for fieldname, btext, docnum, weight, value in items:
        if docnum == -1:  # whoosh's spelling-word marker: no posting
            continue
        if last is None or last[1] != btext or last[0] != fieldname:
            if last is not None:
                yield last
            last = (fieldname, btext, [], [], [])
        last[2].append(docnum)
        last[3].append(weight)
        last[4].append(b"" if value is None else value)
    if last is not None:
        yield last


class FastSegment:
    """What one writer needs to take prepared documents: its term pool and the field lengths
    of the documents added (as whoosh's per-document reader returns them: one-byte quantised,
    None for none; whoosh's commit asks the reader once per posting, through several layers)."""

    def __init__(self, writer, run: Runner = run_here) -> None:
        self.writer = writer
        self.run = run  # where the commit encodes posting blocks
        self.pool = TermPool()
        self.known: dict[str, dict[int, int | None]] = {}
        self.reader = None
        fw = writer.fieldwriter
        if type(fw) is not W3FieldWriter or type(fw._tindex) is not OrderedHashWriter or type(
                writer.codec.postings_writer(io.BytesIO())) is not W3PostingsWriter:
            raise TypeError(f"not the W3 codec's field writer: {type(fw).__name__}")
        own = writer.per_document_reader

        def per_document_reader():
            self.reader = own()
            return self

        writer.per_document_reader = per_document_reader
        fw.add_postings = lambda schema, lengths, items: self.write_postings(fw, schema, items)
        own_close = writer._close_segment

        def close_segment():
            self.pool.close()
            own_close()

        writer._close_segment = close_segment

    def add(self, fields: dict, prepared: dict, *, update: bool = False) -> None:
        """writer.add_document(**fields) (update_document with `update`), postings given."""
        writer = self.writer
        writer._check_state()
        if update:
            unique = writer._unique_fields(fields)
            if unique:
                with writer.searcher() as s:
                    for docnum in s._find_unique([(name, fields[name]) for name in unique]):
                        writer.delete_document(docnum)
        perdoc, schema, pool = writer.perdocwriter, writer.schema, self.pool
        docnum = writer.docnum
        docboost = writer._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        writer._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields.get(name)
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    boost = writer._field_boost(fields, name, docboost)
                    found = prepared[name]
                    items = found.items
                    if boost != 1.0:
                        items = [(t, f, w * boost, v) for t, f, w, v in items]
                    pool.add(name, docnum, items)
                    length = found.length
                lb = length_to_byte(length) if length else 0
                self.known.setdefault(name, {})[docnum] = byte_to_length(lb) if lb else None
                customval = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdoc.add_column_value(name, column, field.to_column_value(customval))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        writer._added = True
        writer.docnum += 1
        pool.maybe_spill()

    # whoosh's per-document reader, as the commit sees it
    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        known = self.known.get(fieldname)
        if known is not None and docnum in known:
            return known[docnum]
        return self.reader.doc_field_length(docnum, fieldname, default)

    def __getattr__(self, name: str):
        return getattr(self.reader, name)

    def write_postings(self, fw, schema, items) -> None:
        """whoosh's FieldWriter.add_postings: each term's blocks filled the way
        W3PostingsWriter.add_posting fills them and written by whoosh's own _write_block and
        finish_postings (see encode_terms), so the files are the same byte for byte."""
        postfile, tindex = fw._postfile, fw._tindex
        encode = functools.partial(encode_terms, PostingsCodec.of(self.writer))
        lastfn = None
        for batch, (blob, infos) in self.run(encode, self._term_batches(items)):
            base = postfile.tell()
            postfile.write(blob)
            records = []
            for row, info in zip(batch, infos, strict=True):
                fieldname = row[0]
                if fieldname != lastfn:
                    if lastfn is not None:
                        fw.finish_field()
                    fw.start_field(fieldname, schema[fieldname])
                    prefix = pack_ushort(fw._fieldid)
                    lastfn = fieldname
                records.append((prefix + row[1], _moved(info, base)))
            _add_terms(tindex, records)
        if lastfn is not None:
            fw.finish_field()

    def _term_batches(self, items) -> Iterator[list[TermRow]]:
        """The pool's terms with their documents' field lengths, in batches to encode."""
        batch: list[TermRow] = []
        postings = 0
        lastfn = None
        known: dict = {}
        for fieldname, btext, ids, weights, values in self.pool.terms(_grouped(items)):
            if fieldname != lastfn:
                known = self.known.get(fieldname, {})
                lastfn = fieldname
            lens = [known[d] if d in known else self.doc_field_length(d, fieldname)
                    for d in ids]
            batch.append((fieldname, btext, ids, weights, values, lens))
            postings += len(ids)
            if postings >= ENCODE_POSTINGS or len(batch) >= ENCODE_TERMS:
                yield batch
                batch, postings = [], 0
        if batch:
            yield batch


def _add_terms(tindex, records: list[tuple[bytes, bytes]]) -> None:
    """tindex.add(key, value) for each record, as whoosh's OrderedHashWriter.add does it, with
    the file position counted instead of asked for twice per term, and one write."""
    pos = tindex.dbfile.tell()
    index_append, buckets, hashfn = tindex.index.append, tindex.buckets, tindex.hashfn
    last = tindex.lastkey
    out = []
    for key, value in records:
        if key <= last:
            raise ValueError(f"Keys must increase: {last!r}..{key!r}")
        index_append(pos)
        out += (_lengths.pack(len(key), len(value)), key, value)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        pos += _lengths.size + len(key) + len(value)
        last = key
    tindex.lastkey = last
    tindex.dbfile.write(b"".join(out))


def _write_blocks(pw, buf, ids: list, weights: list, values: list, lens: list) -> None:
    """One term's postings (at least one) given to a started W3PostingsWriter and written
    into `buf` (its file) block by block, and its TermInfo's extent set: what _fill_blocks
    and finish_postings do, whoosh's _write_block inlined with its per-posting generators
    (`delta_encode`, `all(...)`) done by list operations. The bytes are whoosh's own (tests
    compare the files with whoosh's)."""
    limit, comp, info = pw._blocklimit, pw._compression, pw._terminfo
    fixed = pw._format.fixed_value_size()
    n = len(ids)
    write = buf.write
    for start in range(0, n, limit):
        end = start + limit
        chunk_ids, chunk = ids[start:end], weights[start:end]
        pw._ids = array("I", chunk_ids)
        pw._weights = fweights = array("f", chunk)
        pw._maxweight = max(0, max(chunk))
        vals = [v for v in values[start:end] if v]
        given = [x for x in lens[start:end] if x]
        pw._minlength = min(given) if given else None
        pw._maxlength = max(given) if given else 0
        if not start:
            write(WHOOSH3_HEADER_MAGIC)
        info.add_block(pw)
        # W3PostingsWriter._mini_ids, _mini_weights and _mini_values
        mini_ids = tuple(map(operator.sub, chunk_ids, [0, *chunk_ids[:-1]]))
        floats = fweights.tolist()
        first = floats[0]
        if first == 1.0 and floats.count(1.0) == len(floats):
            mini_weights = None
        elif first == first and floats.count(first) == len(floats):  # (NaN: never equal)
            mini_weights = first
        else:
            mini_weights = tuple(floats)
        if fixed is None or fixed < 0:
            mini_values = tuple(vals)
        elif fixed == 0:
            mini_values = None
        else:
            mini_values = b"".join(vals)
        data = w3_dumps((mini_ids, mini_weights, mini_values), 2)
        if comp:
            data = zlib.compress(data, comp)
        head = w3_dumps((len(chunk_ids), chunk_ids[-1], pw._maxweight, comp,
                         length_to_byte(pw._minlength), length_to_byte(pw._maxlength)), 2)
        size = len(head) + len(data)
        write(pack_int(-size if end >= n else size))
        write(head)
        write(data)
        pw._blockcount += 1
    startoffset = pw._startoffset
    info.set_extent(startoffset, buf.tell() - startoffset)


def _fill_blocks(pw, ids: list, weights: list, values: list, lens: list) -> None:
    """Give a started W3PostingsWriter one term's postings, block by block, as its
    add_posting would (it writes a full block when the next posting comes). The values must
    be separate objects, as whoosh's are: pickle writes an object met twice in a block as a
    back-reference, so sharing equal values would change the bytes."""
    limit = pw._blocklimit
    for start in range(0, len(ids), limit):
        if start:
            pw._write_block()
        end = start + limit
        chunk = weights[start:end]
        pw._ids = array("I", ids[start:end])
        pw._weights = array("f", chunk)
        pw._maxweight = max(0, max(chunk))
        pw._values = [v for v in values[start:end] if v]
        given = [n for n in lens[start:end] if n]
        pw._minlength = min(given) if given else None
        pw._maxlength = max(given) if given else 0
