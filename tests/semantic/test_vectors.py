"""The vector store: section max-pooling and top-k against a brute-force oracle."""

from __future__ import annotations

import numpy as np
import pytest

from searcher.semantic.vectors import VectorIndex, save


def build(tmp_path, seed, n_sections=40, dim=8):
    rng = np.random.default_rng(seed)
    ids, rows = [], []
    for s in range(n_sections):
        for _ in range(rng.integers(1, 4)):
            v = rng.normal(size=dim)
            rows.append(v / np.linalg.norm(v))
            ids.append(f"s{s:03d}")
    matrix = np.array(rows, dtype=np.float32)
    save(tmp_path, matrix, ids)
    return VectorIndex(tmp_path), matrix, ids


def oracle(matrix, ids, q, allowed=None):
    best: dict[str, float] = {}
    for row, sid in zip(matrix, ids, strict=True):
        if allowed is not None and sid not in allowed:
            continue
        best[sid] = max(best.get(sid, -np.inf), float(row @ q))
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("limit", [1, 5, 40, 100])
def test_top_k_equals_brute_force(tmp_path, seed, limit):
    vi, matrix, ids = build(tmp_path, seed)
    q = np.random.default_rng(seed + 100).normal(size=matrix.shape[1]).astype(np.float32)
    got = vi.search(q, limit=limit)
    want = oracle(matrix, ids, q)[:limit]
    assert [h.section_id for h in got] == [sid for sid, _ in want]
    assert np.allclose([h.score for h in got], [s for _, s in want], atol=1e-5)


def test_filtered_search_keeps_top_k_full(tmp_path):
    vi, matrix, ids = build(tmp_path, 7)
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
