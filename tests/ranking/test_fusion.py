"""Fusion against naive reference implementations, on random and degenerate rankings."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.ranking.fusion import RRF_K, convex_combination, min_max, reciprocal_rank_fusion
from searcher.records import Hit


def naive_rrf(lex, sem, k, weights):
    """Textbook RRF, written independently: dict of best ranks, then the sum."""
    best: list[dict[str, int]] = []
    for arm in (lex, sem):
        ranks: dict[str, int] = {}
        for i, h in enumerate(arm):
            ranks.setdefault(h.section_id, i + 1)
        best.append(ranks)
    ids = set(best[0]) | set(best[1])
    scores = {
        d: sum(w / (k + r[d]) for w, r in zip(weights, best, strict=True) if d in r) for d in ids
    }
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def ranking(ids, rng):
    picked = rng.sample(ids, rng.randint(0, len(ids)))
    return [Hit(i, rng.random()) for i in picked]


@pytest.mark.parametrize("seed", range(50))
def test_rrf_matches_naive_reference_on_random_rankings(seed):
    rng = random.Random(seed)
    ids = [f"d{i:02d}" for i in range(rng.randint(0, 30))]
    lex, sem = ranking(ids, rng), ranking(ids, rng)
    weights = (rng.choice([0.0, 0.2, 1.0]), rng.choice([0.5, 1.0]))
    got = reciprocal_rank_fusion(lex, sem, k=RRF_K, weights=weights)
    want = naive_rrf(lex, sem, RRF_K, weights)
    assert [h.section_id for h in got] == [d for d, _ in want]
    for h, (_, s) in zip(got, want, strict=True):
        assert math.isclose(h.score, s)


def test_rrf_empty_arms_and_single_hit():
    assert reciprocal_rank_fusion([], []) == []
    [only] = reciprocal_rank_fusion([Hit("a", 3.0)], [])
    assert only.section_id == "a" and only.lexical_rank == 1 and only.semantic_rank is None
    assert math.isclose(only.score, 1 / (RRF_K + 1))


def test_rrf_ties_are_broken_by_section_id_whatever_the_input_order():
    a = reciprocal_rank_fusion([Hit("b", 1), Hit("a", 1)], [Hit("a", 1), Hit("b", 1)])
    b = reciprocal_rank_fusion([Hit("a", 1), Hit("b", 1)], [Hit("b", 1), Hit("a", 1)])
    assert [h.section_id for h in a] == [h.section_id for h in b] == ["a", "b"]


def test_rrf_keeps_evidence_and_limit():
    fused = reciprocal_rank_fusion(
        [Hit("x", 9.0), Hit("y", 5.0)], [Hit("y", 0.9), Hit("z", 0.8)], limit=2
    )
    assert [h.section_id for h in fused] == ["y", "x"]
    y = fused[0]
    assert (y.lexical_rank, y.semantic_rank, y.lexical_score, y.semantic_score) == (2, 1, 5.0, 0.9)


def test_rrf_duplicate_in_one_arm_counts_at_best_rank():
    fused = reciprocal_rank_fusion([Hit("a", 2), Hit("a", 1)], [])
    assert len(fused) == 1 and math.isclose(fused[0].score, 1 / (RRF_K + 1))


def test_min_max_is_guarded():
    assert min_max([]) == []
    assert min_max([3.0]) == [1.0]
    assert min_max([2.0, 2.0]) == [1.0, 1.0]
    assert min_max([1.0, 3.0, 2.0]) == [0.0, 1.0, 0.5]


def naive_convex(lex, sem, alpha):
    def norm(arm):
        first = {}
        for h in arm:
            first.setdefault(h.section_id, h.score)
        if not first:
            return {}
        lo, hi = min(first.values()), max(first.values())
        return {d: (1.0 if hi - lo <= 1e-12 else (s - lo) / (hi - lo)) for d, s in first.items()}

    nl, ns = norm(lex), norm(sem)
    scores = {d: (1 - alpha) * nl.get(d, 0) + alpha * ns.get(d, 0) for d in set(nl) | set(ns)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


@given(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.floats(-5, 5)), max_size=8),
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.floats(-1, 1)), max_size=8),
    st.floats(0, 1),
)
def test_convex_combination_matches_naive_reference(lex, sem, alpha):
    lex_hits = [Hit(d, s) for d, s in lex]
    sem_hits = [Hit(d, s) for d, s in sem]
    got = convex_combination(lex_hits, sem_hits, alpha=alpha)
    want = naive_convex(lex_hits, sem_hits, alpha)
    assert len(got) == len(want)
    for h, (_d, s) in zip(got, want, strict=True):
        assert math.isclose(h.score, s, abs_tol=1e-9)
    assert [h.score for h in got] == sorted((h.score for h in got), reverse=True)


def test_convex_rejects_bad_alpha():
    with pytest.raises(ValueError):
        convex_combination([], [], alpha=1.5)
