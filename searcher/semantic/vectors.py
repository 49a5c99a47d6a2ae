"""The semantic arm's storage and search: a passage matrix scored back to sections.

Files (no pickles): vectors.npy (passages × dim, L2-normalised, float16 by default: half the
disk and page cache of float32 for ~1e-3 score error), section_ids.npy (one per section, in
matrix order), starts.npy (first passage row of each section) and, from ANN_MIN_ROWS passages
on, ann.usearch: an HNSW graph over int8-quantised vectors (usearch) that is memory-mapped, not
loaded. A section's score is its best passage's cosine (max-pooling over passages).

Search is exact below ANN_MIN_ROWS (one matrix-vector product, argpartition top-k). Above it,
the graph proposes ANN_OVERFETCH × limit passages, and their sections are re-scored exactly
from vectors.npy, so the int8 error never reaches a returned score; tests/semantic measure the
recall@10 against exact search.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from searcher.records import Hit

STORE_DTYPES = ("float16", "float32")
DEFAULT_DTYPE = "float16"
ANN_FILE = "ann.usearch"
#: Below this many passages exact search takes a few ms on 2 cores; above it, the graph.
ANN_MIN_ROWS = 20_000
ANN_CONNECTIVITY = 16  # HNSW links per node (usearch default)
ANN_EXPANSION_ADD = 128  # build-time beam (64 lost 6 points of recall on tiled e5 vectors)
#: Query-time beam. Recall@10 against exact search at 100,000 vectors (2026-12-02, README
#: "Performance"): clustered vectors 1.000 from 256 on; scripts/bench.py's held-out-like probes
#: (stored e5 vectors + noise, among thousands of near-duplicates) 0.962 / 0.984 / 0.995 / 0.997
#: at 256 / 512 / 1024 / 2048; its 30 real queries, whose top 10 are ordered by the tiling noise
#: alone, 0.53 / 0.63 / 0.79 / 0.88, a mean top-10 cosine 0.0024 / 0.0016 / 0.0007 / 0.0004
#: below the exact one. 1024 is the least beam with recall ≥ 0.99 on the probes; the graph
#: search takes half of 2048's time.
ANN_EXPANSION_SEARCH = 1024
ANN_OVERFETCH = 4  # passages proposed per wanted section, before exact re-scoring
ANN_MIN_CANDIDATES = 100
EXACT_CACHE_ROWS = 100_000  # exact search keeps a float32 copy in memory up to this many rows
DOT_CHUNK = 512  # rows cast and multiplied per step (dot_rows)


def save(directory: Path, vectors: np.ndarray, passage_sections: list[str], *,
         dtype: str = DEFAULT_DTYPE, ann_min_rows: int = ANN_MIN_ROWS,
         ann_threads: int | None = None) -> None:
    """Write the matrix; passages of one section must be contiguous, in section order.

    `dtype` is the stored precision (float16 or float32); an ANN graph is built from
    `ann_min_rows` passages on when usearch is installed (exact search otherwise), with
    `ann_threads` threads (build_ann).
    """
    if dtype not in STORE_DTYPES:
        raise ValueError(f"unknown vector dtype {dtype!r}; choose from {', '.join(STORE_DTYPES)}")
    directory.mkdir(parents=True, exist_ok=True)
    if len(passage_sections) != len(vectors):
        raise ValueError("one section id per passage row is required")
    section_ids: list[str] = []
    starts: list[int] = []
    for row, sid in enumerate(passage_sections):
        if not section_ids or section_ids[-1] != sid:
            section_ids.append(sid)
            starts.append(row)
    if len(set(section_ids)) != len(section_ids):
        raise ValueError("passages of one section must be contiguous")
    for name, arr in (
        ("vectors.npy", np.ascontiguousarray(vectors, dtype=dtype)),
        ("section_ids.npy", np.array(section_ids, dtype=str)),
        ("starts.npy", np.array(starts, dtype=np.int64)),
    ):
        with open(directory / name, "wb") as f:
            np.save(f, arr, allow_pickle=False)
            f.flush()
    (directory / ANN_FILE).unlink(missing_ok=True)
    if len(vectors) >= ann_min_rows and len(vectors) > 0:
        build_ann(directory / ANN_FILE, np.asarray(vectors, dtype=np.float32), threads=ann_threads)


def _native(module: str):
    """An optional native module (usearch's, numkong), or None when it is not installed.

    onnxruntime is imported first when it is installed: loaded after usearch (2.26.6, with
    numkong), onnxruntime 1.31.1's native module crashes the process at import (SIGSEGV), and
    a process that searches vectors usually encodes a query next.
    """
    with contextlib.suppress(ImportError):
        import onnxruntime  # noqa: F401  (load order: see the docstring)
    try:
        return importlib.import_module(module)
    except ImportError:  # pragma: no cover - optional accelerators, installed with usearch
        return None


def _usearch():
    """usearch's Index class, or None without usearch (exact search then)."""
    index = _native("usearch.index")
    return None if index is None else index.Index


def _numkong():
    """numkong (usearch's SIMD kernels, installed with it), or None."""
    return _native("numkong")


def as_float32(rows: np.ndarray) -> np.ndarray:
    """float16 rows as float32, exactly (every float16 is a float32): numkong's F16C cast, since
    numpy's scalar one took ~25 ms per 10,000 × 384 rows on the 2-core machine, 3–5× numkong's
    (re-scoring 200 candidate sections of 50 passages spent most of its time here)."""
    if rows.dtype == np.float32:
        return np.asarray(rows)
    nk = _numkong() if rows.dtype == np.float16 else None
    if nk is None or rows.size == 0:
        return np.asarray(rows, dtype=np.float32)
    return np.asarray(nk.astype(np.ascontiguousarray(rows), "float32"))


def dot_rows(rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """rows @ query in float32, DOT_CHUNK rows at a time: the float32 block stays in the core's
    cache, and each product is small enough for OpenBLAS to run on one thread (its two threads
    took 5–10× longer for 10,000 rows on a loaded 2-core machine). Each row's dot product is
    the same wherever it lies, so exact search and re-scoring give the same score bit for bit."""
    out = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), DOT_CHUNK):
        out[start : start + DOT_CHUNK] = as_float32(rows[start : start + DOT_CHUNK]) @ query
    return out


def build_ann(path: Path, vectors: np.ndarray, *, threads: int | None = None) -> bool:
    """An int8 HNSW graph over normalised rows (key = row number); False without usearch.
    `threads` (default: every core) builds it; one thread inserts in row order, so the graph
    is the same on every run (the threads' interleaving otherwise shifts a few edges)."""
    index_cls = _usearch()
    if index_cls is None:
        return False
    index = index_cls(ndim=vectors.shape[1], metric="cos", dtype="i8",
                      connectivity=ANN_CONNECTIVITY, expansion_add=ANN_EXPANSION_ADD,
                      expansion_search=ANN_EXPANSION_SEARCH)
    index.add(np.arange(len(vectors), dtype=np.uint64), vectors,
              threads=threads or os.cpu_count() or 1)
    tmp = path.with_name(path.name + ".tmp")
    index.save(str(tmp))
    os.replace(tmp, path)
    return True


def section_vector(passages: np.ndarray) -> np.ndarray:
    """One vector for a section: the mean of its passage vectors, L2-normalised."""
    v = passages.mean(axis=0)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


class VectorIndex:
    """Memory-mapped passage vectors; exact top-k over sections, or ANN + exact re-score."""

    def __init__(self, directory: Path):
        self.vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
        self.section_ids = np.load(directory / "section_ids.npy", allow_pickle=False)
        self.starts = np.load(directory / "starts.npy", allow_pickle=False)
        self._row_of = {str(s): i for i, s in enumerate(self.section_ids)}
        self._ends = np.append(self.starts[1:], len(self.vectors)).astype(np.int64)
        self._dense: np.ndarray | None = None
        self._ann = None
        ann_path = directory / ANN_FILE
        if ann_path.is_file() and len(self.vectors) and _usearch() is not None:
            self._ann = _usearch().restore(str(ann_path), view=True)
            self._ann.expansion_search = ANN_EXPANSION_SEARCH

    def __len__(self) -> int:
        return len(self.section_ids)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    @property
    def dtype(self) -> str:
        """Stored precision of vectors.npy (float16 or float32)."""
        return str(self.vectors.dtype)

    @property
    def backend(self) -> str:
        """How search() finds candidates: 'exact' or 'hnsw-int8' (usearch)."""
        return "hnsw-int8" if self._ann is not None else "exact"

    # -- exact scoring -------------------------------------------------------------------------
    def _passage_scores(self, query: np.ndarray) -> np.ndarray:
        if self.vectors.dtype == np.float16 and len(self.vectors) <= EXACT_CACHE_ROWS:
            if self._dense is None:  # one conversion; BLAS has no float16 product
                self._dense = as_float32(self.vectors)
            return dot_rows(self._dense, query)
        return dot_rows(self.vectors, query)

    def section_scores(self, query: np.ndarray) -> np.ndarray:
        """Best-passage cosine for every section, in section order."""
        if len(self.section_ids) == 0:
            return np.zeros(0, dtype=np.float32)
        passage_scores = self._passage_scores(np.asarray(query, dtype=np.float32))
        return np.maximum.reduceat(passage_scores, self.starts)

    def _rescore(self, query: np.ndarray, sections: np.ndarray) -> np.ndarray:
        """Exact best-passage cosine of the given section rows (float32 arithmetic)."""
        lengths = self._ends[sections] - self.starts[sections]
        rows = np.repeat(self.starts[sections] - np.cumsum(lengths) + lengths, lengths)
        rows += np.arange(int(lengths.sum()))
        source = self._dense if self._dense is not None else self.vectors
        scores = dot_rows(source[rows], query)
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        return np.maximum.reduceat(scores, offsets)

    def _top(self, sections: np.ndarray, scores: np.ndarray, limit: int) -> list[Hit]:
        k = min(limit, len(scores))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        hits = [Hit(str(self.section_ids[sections[i]]), float(scores[i])) for i in top]
        return sorted(hits, key=lambda h: (-h.score, h.section_id))[:limit]

    def _exact(self, query: np.ndarray, limit: int, allowed: set[str] | None) -> list[Hit]:
        if allowed is None:
            scores = self.section_scores(query)
            return self._top(np.arange(len(scores)), scores, limit)
        sections = np.array(sorted(self._row_of[s] for s in allowed if s in self._row_of),
                            dtype=np.int64)
        if len(sections) == 0:
            return []
        if len(sections) * 4 < len(self.section_ids):  # few allowed: score only their rows
            return self._top(sections, self._rescore(query, sections), limit)
        return self._top(sections, self.section_scores(query)[sections], limit)

    # -- the public search ---------------------------------------------------------------------
    def search(
        self, query: np.ndarray, *, limit: int, allowed: set[str] | None = None,
        exact: bool = False,
    ) -> list[Hit]:
        """Top-`limit` sections by cosine; `allowed` restricts to filtered sections first.

        With an ANN graph (and not `exact`), candidates come from the graph and are re-scored
        exactly; a filter that leaves too few candidates falls back to exact search.
        """
        if limit <= 0 or len(self.section_ids) == 0:
            return []
        query = np.asarray(query, dtype=np.float32)
        if self._ann is None or exact:
            return self._exact(query, limit, allowed)
        if allowed is not None and len(allowed) * 4 < len(self.section_ids):
            return self._exact(query, limit, allowed)  # a narrow filter: cheaper exactly
        k = min(len(self.vectors), max(ANN_OVERFETCH * limit, ANN_MIN_CANDIDATES))
        if allowed is not None:
            k = min(len(self.vectors), k * len(self.section_ids) // max(1, len(allowed)))
        rows = np.asarray(self._ann.search(query, k).keys, dtype=np.int64)
        sections = np.unique(np.searchsorted(self.starts, rows, side="right") - 1)
        if allowed is not None:
            keep = np.fromiter((str(self.section_ids[s]) in allowed for s in sections), bool,
                               count=len(sections))
            sections = sections[keep]
        if len(sections) < min(limit, len(allowed) if allowed is not None else limit):
            return self._exact(query, limit, allowed)
        return self._top(sections, self._rescore(query, sections), limit)

    def scores_of(self, query: np.ndarray, section_ids: Sequence[str]) -> dict[str, float]:
        """Exact best-passage cosine of `query` for these sections (those without vectors are
        left out), so the fusion sees a semantic score for every lexical candidate too."""
        known = [s for s in dict.fromkeys(section_ids) if s in self._row_of]
        if not known:
            return {}
        rows = np.array([self._row_of[s] for s in known], dtype=np.int64)
        scores = self._rescore(np.asarray(query, dtype=np.float32), rows)
        return {s: float(x) for s, x in zip(known, scores, strict=True)}

    def rows_of(self, section_id: str) -> np.ndarray | None:
        """The passage vectors of one section (a float32 copy), or None if it has none."""
        row = self._row_of.get(section_id)
        if row is None:
            return None
        return np.array(as_float32(self.vectors[self.starts[row] : self._ends[row]]))

    def vector_of(self, section_id: str) -> np.ndarray | None:
        """Mean of a section's passage vectors, normalised (for `similar`)."""
        block = self.rows_of(section_id)
        return None if block is None else section_vector(block)
