"""Sections into the whoosh index: create it, add or replace sections, delete documents."""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path

from whoosh import index as whoosh_index

from searcher.errors import IndexNotBuiltError
from searcher.lexical.prepared import PreparedAnalyser
from searcher.lexical.schema import build_schema, section_fields
from searcher.lexical.whoosh_internals import (
    FastSegment,
    ForbiddenObject,
    Runner,
    fast_adding_supported,
    run_here,
)
from searcher.records import Section

#: Sections per batch sent to an analysing worker process, and batches in flight per worker.
BATCH = 200
AHEAD = 3
#: The oldest generation's threshold while postings pile up: a full collection never runs.
NO_FULL_COLLECTION = 1 << 30

# NOT_COMPOUND: segments stay separate files. whoosh reads a compound segment by copying each
# of its files into memory on every open (the whole postings file: ~0.5 s and its size in RAM
# for a cold `searcher search` at 1,000 documents); separate files are read where needed.


def create(path: Path) -> None:
    """Create an empty lexical index at path."""
    path.mkdir(parents=True, exist_ok=True)
    whoosh_index.create_in(str(path), build_schema())


def open_whoosh(path: Path):
    """whoosh's index at path; one clear error when it holds objects we do not unpickle, or is
    not a whoosh index we can read."""
    try:
        return whoosh_index.open_dir(str(path))
    except ForbiddenObject as e:
        raise IndexNotBuiltError(
            f"{path} contains objects searcher does not load ({e}); searcher opens only "
            f"indexes it built, so nothing was run — rebuild with `searcher index --rebuild`"
        ) from None
    except whoosh_index.EmptyIndexError:
        raise IndexNotBuiltError(f"no lexical index in {path}") from None
    except whoosh_index.IndexVersionError:
        raise IndexNotBuiltError(f"{path} is a whoosh index of a format searcher does not read; "
                                 f"rebuild with `searcher index --rebuild`") from None
    except Exception as e:  # a damaged TOC: struct, EOF, unpickling, index errors
        raise IndexNotBuiltError(
            f"damaged lexical index {path} ({type(e).__name__}); run `searcher index` to repair it"
        ) from None


def deleted_share(path: Path) -> float:
    """The share of the index's sections that are deleted but still counted in whoosh's
    statistics (until their segment is merged)."""
    ix = open_whoosh(path)
    try:
        total = ix.doc_count_all()
        return (total - ix.doc_count()) / total if total else 0.0
    finally:
        ix.close()


def add_sections(path: Path, sections: Iterable[Section], *, limitmb: int = 256,
                 workers: int = 0) -> int:
    """Add (or replace, by section_id) sections in one commit; returns how many.

    Postings are computed by searcher.lexical.prepared (equal to whoosh's own analysis, several
    times faster), in `workers` spawned processes when given (this one then only writes), and
    handed to the writer; the same workers encode the posting blocks at commit. A schema it
    does not cover goes through whoosh's own analysis."""
    ix = open_whoosh(path)
    writer = ix.writer(limitmb=limitmb, compound=False)  # see NOT_COMPOUND
    if not fast_adding_supported(writer.schema):
        return _add_through_whoosh(writer, sections)
    n = 0
    with _young_collections_only(), _runner(writer.schema, workers) as run:
        try:
            segment = FastSegment(writer, run)
            update = ix.doc_count_all() > 0  # nothing to replace in an empty index
            for fields, prepared in _prepared(writer.schema, sections, run):
                segment.add(fields, prepared, update=update)
                n += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return n


def _add_through_whoosh(writer, sections: Iterable[Section]) -> int:
    n = 0
    try:
        for section in sections:
            writer.update_document(**section_fields(section))
            n += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return n


@contextlib.contextmanager
def _young_collections_only() -> Iterator[None]:
    """Python's cyclic garbage collector without its full collections, which walk every
    object alive: the term pool's millions of posting lists made them ~15% of the write's
    CPU. Young objects are still collected; the pool is freed by reference counting. Writers
    in several threads share it: the first in sets the threshold, the last out restores it."""
    with _GC_LOCK:
        if not _GC_WRITERS:
            _GC_SAVED[:] = gc.get_threshold()
            gc.set_threshold(_GC_SAVED[0], _GC_SAVED[1], NO_FULL_COLLECTION)
        _GC_WRITERS.append(None)
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_WRITERS.pop()
            if not _GC_WRITERS:
                gc.set_threshold(*_GC_SAVED)


_GC_LOCK = threading.Lock()
_GC_WRITERS: list[None] = []  # one entry per write in progress in this process
_GC_SAVED: list[int] = []  # the threshold before the first of them


@contextlib.contextmanager
def _runner(schema, workers: int) -> Iterator[Runner]:
    """A Runner over `workers` spawned processes (this process when none), shut down after.

    Spawned, not forked: the parent may hold threads (a progress bar) whose locks a fork
    would copy mid-use."""
    if workers < 1:
        yield run_here
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(schema,))
    try:
        yield functools.partial(_in_order, pool, workers * AHEAD)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _in_order(pool: ProcessPoolExecutor, ahead: int, fn: Callable,
              batches: Iterable) -> Iterator[tuple]:
    """(batch, fn(batch)) for each batch, in order, with up to `ahead` batches in flight."""
    pending: deque = deque()
    for batch in batches:
        pending.append((batch, pool.submit(fn, batch)))
        if len(pending) >= ahead:
            batch, future = pending.popleft()
            yield batch, future.result()
    while pending:
        batch, future = pending.popleft()
        yield batch, future.result()


def _prepared(schema, sections: Iterable[Section], run: Runner) -> Iterator[tuple[dict, dict]]:
    """(whoosh fields, prepared postings) of each section, in order: analysed here, or in
    batches by the runner's workers."""
    if run is run_here:
        analyser = PreparedAnalyser(schema)
        for section in sections:
            fields = section_fields(section)
            yield fields, analyser.prepare(fields)
        return
    for batch, prepared in run(_prepare_batch, _batches(sections)):
        yield from zip(batch, prepared, strict=True)


def _batches(sections: Iterable[Section]) -> Iterator[list[dict]]:
    it = iter(sections)
    while batch := [section_fields(s) for s in islice(it, BATCH)]:
        yield batch


_WORKER: dict[str, PreparedAnalyser] = {}


def _start_worker(schema) -> None:
    threshold = gc.get_threshold()  # its analyser's memos grow old as the pool does
    gc.set_threshold(threshold[0], threshold[1], NO_FULL_COLLECTION)
    _WORKER["analyser"] = PreparedAnalyser(schema)


def _prepare_batch(batch: list[dict]) -> list[dict]:
    prepare = _WORKER["analyser"].prepare
    return [prepare(fields) for fields in batch]


def delete_docs(path: Path, docs: Iterable[str]) -> None:
    """Remove every section of the given documents in one commit."""
    ix = open_whoosh(path)
    writer = ix.writer(compound=False)
    for doc in docs:
        writer.delete_by_term("doc", doc)
    writer.commit()
