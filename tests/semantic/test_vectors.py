"""The vector store: section max-pooling and top-k against a brute-force oracle, compact
storage round trips, and the ANN graph's recall@10 against exact search."""

from __future__ import annotations

import numpy as np
import pytest

from searcher.semantic import vectors as vector_store
from searcher.semantic.vectors import VectorIndex, save


def build(tmp_path, seed, n_sections=40, dim=8, dtype="float32"):
    rng = np.random.default_rng(seed)
    ids, rows = [], []
    for s in range(n_sections):
        for _ in range(rng.integers(1, 4)):
            v = rng.normal(size=dim)
            rows.append(v / np.linalg.norm(v))
            ids.append(f"s{s:03d}")
    matrix = np.array(rows, dtype=np.float32)
    save(tmp_path, matrix, ids, dtype=dtype)
    # The oracle sees what is stored: float16 rounding is the storage's, not the search's.
    return VectorIndex(tmp_path), matrix.astype(dtype).astype(np.float32), ids


def oracle(matrix, ids, q, allowed=None):
    best: dict[str, float] = {}
    for row, sid in zip(matrix, ids, strict=True):
        if allowed is not None and sid not in allowed:
            continue
        best[sid] = max(best.get(sid, -np.inf), float(row @ q))
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("limit", [1, 5, 40, 100])
def test_top_k_equals_brute_force(tmp_path, seed, limit, dtype):
    vi, matrix, ids = build(tmp_path, seed, dtype=dtype)
    q = np.random.default_rng(seed + 100).normal(size=matrix.shape[1]).astype(np.float32)
    got = vi.search(q, limit=limit)
    want = oracle(matrix, ids, q)[:limit]
    assert [h.section_id for h in got] == [sid for sid, _ in want]
    assert np.allclose([h.score for h in got], [s for _, s in want], atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_filtered_search_keeps_top_k_full(tmp_path, dtype):
    vi, matrix, ids = build(tmp_path, 7, dtype=dtype)
    allowed = {f"s{i:03d}" for i in range(0, 40, 3)}
    q = matrix[0]
    got = vi.search(q, limit=5, allowed=allowed)
    assert len(got) == 5 and all(h.section_id in allowed for h in got)
    assert [h.section_id for h in got] == [s for s, _ in oracle(matrix, ids, q, allowed)[:5]]
    assert vi.search(q, limit=5, allowed=set()) == []


def test_rows_and_mean_vector(tmp_path):
    vi, matrix, ids = build(tmp_path, 3)
    rows = vi.rows_of("s001")
    assert rows.shape[0] == ids.count("s001")
    v = vi.vector_of("s001")
    assert np.isclose(np.linalg.norm(v), 1.0) and vi.rows_of("nope") is None


def test_non_contiguous_passages_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="contiguous"):
        save(tmp_path, np.zeros((3, 2), np.float32), ["a", "b", "a"])


def test_float16_round_trip(tmp_path):
    """Stored float16 rows come back as float32 within float16 precision, half the bytes."""
    vi, _, ids = build(tmp_path, 5, n_sections=30, dim=384, dtype="float16")
    assert vi.dtype == "float16" and vi.vectors.dtype == np.float16 and vi.dim == 384
    first = ids[0]
    rows = vi.rows_of(first)
    assert rows.dtype == np.float32
    want = np.array(build(tmp_path / "f32", 5, n_sections=30, dim=384)[0].rows_of(first))
    assert np.abs(rows - want).max() < 1e-3
    half = (tmp_path / "f32" / "vectors.npy").stat().st_size * 0.55
    assert (tmp_path / "vectors.npy").stat().st_size < half


def test_unknown_dtype_is_refused(tmp_path):
    with pytest.raises(ValueError, match="float16"):
        save(tmp_path, np.zeros((1, 2), np.float32), ["a"], dtype="int4")


# -- the ANN graph ---------------------------------------------------------------------------


def clustered(n, dim, seed, *, clusters=64, passages_per_section=3):
    """Normalised vectors in clusters (as embeddings are), grouped into sections."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(clusters, dim))
    x = centers[rng.integers(0, clusters, n)] + rng.normal(0, 0.7, (n, dim))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    ids = [f"s{i // passages_per_section:06d}" for i in range(n)]
    return x, ids


def needs_usearch():
    """Skip without usearch; imported through the store, which loads onnxruntime first (in the
    other order onnxruntime's import crashes the process: vectors._usearch)."""
    if vector_store._usearch() is None:
        pytest.skip("usearch is not installed")


def recall_at_10(vi, queries, allowed=None):
    out = []
    for q in queries:
        want = {h.section_id for h in vi.search(q, limit=10, exact=True, allowed=allowed)}
        got = {h.section_id for h in vi.search(q, limit=10, allowed=allowed)}
        out.append(len(want & got) / max(1, len(want)))
    return float(np.mean(out))


@pytest.fixture(scope="module")
def ann_index(tmp_path_factory):
    needs_usearch()
    path = tmp_path_factory.mktemp("ann")
    x, ids = clustered(6000, 64, seed=1)
    save(path, x, ids, ann_min_rows=5000)
    return VectorIndex(path), x, ids


def test_ann_is_built_only_above_the_threshold(tmp_path):
    needs_usearch()
    x, ids = clustered(300, 16, seed=2)
    save(tmp_path / "small", x, ids, ann_min_rows=1000)
    save(tmp_path / "big", x, ids, ann_min_rows=100)
    assert VectorIndex(tmp_path / "small").backend == "exact"
    assert VectorIndex(tmp_path / "big").backend == "hnsw-int8"
    assert not (tmp_path / "small" / vector_store.ANN_FILE).exists()


def test_ann_recall_at_10_against_exact(ann_index):
    vi, x, _ = ann_index
    rng = np.random.default_rng(3)
    queries = x[rng.choice(len(x), 100, replace=False)] + rng.normal(0, 0.05, (100, x.shape[1]))
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    assert vi.backend == "hnsw-int8"
    assert recall_at_10(vi, queries.astype(np.float32)) >= 0.99


def test_ann_scores_are_exact_rescored(ann_index):
    """Whatever the graph proposes, the returned scores are the exact float scores."""
    vi, x, ids = ann_index
    q = x[17]
    got = vi.search(q, limit=10)
    stored = np.asarray(vi.vectors, dtype=np.float32)
    best = oracle(stored, ids, q)
    exact_of = dict(best)
    assert got[0].section_id == ids[17]
    assert np.allclose([h.score for h in got], [exact_of[h.section_id] for h in got], atol=1e-5)


def test_ann_filters_fall_back_to_exact(ann_index):
    vi, x, ids = ann_index
    sections = sorted(set(ids))
    narrow = set(sections[:50])
    broad = set(sections[::2])
    q = x[400]
    stored = np.asarray(vi.vectors, dtype=np.float32)
    for allowed in (narrow, broad):
        got = vi.search(q, limit=10, allowed=allowed)
        assert all(h.section_id in allowed for h in got) and len(got) == 10
    assert [h.section_id for h in vi.search(q, limit=10, allowed=narrow)] == [
        s for s, _ in oracle(stored, ids, q, narrow)[:10]]
    rng = np.random.default_rng(4)
    queries = x[rng.choice(len(x), 40, replace=False)]
    assert recall_at_10(vi, queries, allowed=broad) >= 0.99


@pytest.mark.slow
def test_ann_recall_at_100k_random_vectors(tmp_path):
    """The acceptance figure: recall@10 ≥ 0.99 at 100,000 random normalised 384-d vectors."""
    needs_usearch()
    rng = np.random.default_rng(0)
    x, ids = clustered(100_000, 384, seed=0, clusters=500)
    save(tmp_path, x, ids)
    vi = VectorIndex(tmp_path)
    assert vi.backend == "hnsw-int8" and vi.dtype == "float16"
    queries = rng.normal(size=(100, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    near = x[rng.choice(len(x), 100, replace=False)]
    assert recall_at_10(vi, queries) >= 0.99
    assert recall_at_10(vi, near) >= 0.99


def tiled(n, dim, seed, *, sources=36, sections=1975, noise=0.02):
    """scripts/bench.py's 100,000-vector set, synthesised: a few e5-like passage vectors (all
    near one common direction: unrelated e5 texts have cosines of 0.7–0.9) tiled to `n` rows
    with N(0, noise) per dimension, ~n/sections consecutive rows per section. Each source has
    thousands of near-duplicates whose order is set by the noise: HNSW's hardest case."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=dim)
    common /= np.linalg.norm(common)

    def e5_like(k):
        x = 2.0 * common + rng.normal(size=(k, dim)) / np.sqrt(dim)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    rows = e5_like(sources)[np.arange(n) % sources] + rng.normal(0, noise, (n, dim))
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    ids = [f"s{i * sections // n:05d}" for i in range(n)]
    probes = rows[rng.choice(n, 200, replace=False)] + rng.normal(0, 0.03, (200, dim))
    probes /= np.linalg.norm(probes, axis=1, keepdims=True)
    return rows, ids, e5_like(30).astype(np.float32), probes.astype(np.float32)


def cosine_shortfall(vi, queries):
    """Mean over queries of (exact top-10 mean cosine − returned top-10 mean cosine)."""
    gaps = []
    for q in queries:
        want = [h.score for h in vi.search(q, limit=10, exact=True)]
        got = [h.score for h in vi.search(q, limit=10)]
        gaps.append(np.mean(want) - np.mean(got))
    return float(np.mean(gaps))


@pytest.mark.slow
def test_ann_on_tiled_near_duplicates_at_100k(tmp_path):
    """The benchmark's hard case, at the default beam: held-out-like probes keep recall@10 ≥
    0.99 (0.988 at half the beam), and where the tiling noise alone orders the top 10 the
    returned ten are within 0.0006 of the exact ten's mean cosine (0.0008 at half the beam;
    recall@10 there is ~0.86, and no beam short of a full scan reaches 1). The graph is built
    on one thread, so it is the same on every run (0.00033 here; a build on two threads moved
    the figure between 0.00034 and 0.000604 from run to run)."""
    needs_usearch()
    rows, ids, queries, probes = tiled(100_000, 384, seed=5)
    save(tmp_path, rows, ids, ann_threads=1)
    vi = VectorIndex(tmp_path)
    assert vi.backend == "hnsw-int8"
    assert recall_at_10(vi, probes) >= 0.99
    assert cosine_shortfall(vi, queries) <= 0.0006


def test_a_one_thread_graph_is_the_same_on_every_build(tmp_path):
    """build_ann on one thread inserts in row order: two builds give the same file."""
    needs_usearch()
    rows, ids, _, _ = tiled(6_000, 32, seed=3, sections=300)
    for name in ("a", "b"):
        save(tmp_path / name, rows, ids, ann_min_rows=1, ann_threads=1)
    a, b = ((tmp_path / n / "ann.usearch").read_bytes() for n in ("a", "b"))
    assert a and a == b
