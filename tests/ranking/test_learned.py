"""The learned combiner and its features: tables of inputs with known columns, properties of the
fused order (pure, deterministic, invariant to what the normalisation removes), the numpy fit
against separable data, and one feature function shared by the fitting script and the engine."""

from __future__ import annotations

import importlib.util
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.ranking.features import (
    FEATURES,
    RANK_K,
    SEMANTIC_GAP,
    Candidate,
    QuerySignals,
    feature_matrix,
)
from searcher.ranking.fusion import convex_fusion, learned_fusion
from searcher.ranking.learned import COEFFICIENTS, fit_pairwise, learned_scores, pairs
from tests.conftest import ROOT

SIGNALS = QuerySignals(coverage=0.5, english=False, identifier=True, words=4)
COL = {name: i for i, name in enumerate(FEATURES)}


def _cv_script():
    spec = importlib.util.spec_from_file_location(
        "cross_validate", ROOT / "scripts" / "cross_validate.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_coefficients_name_every_feature_once():
    assert list(COEFFICIENTS) == list(FEATURES)
    assert all(math.isfinite(v) for v in COEFFICIENTS.values())


def test_feature_columns_on_a_small_table():
    cands = [
        Candidate("a", 10.0, 0.90, coverage=1.0),  # best in both arms
        Candidate("b", 5.0, 0.90 - SEMANTIC_GAP / 2, coverage=0.5),
        Candidate("c", 0.0, 0.50, coverage=0.0),  # far below the best cosine, no lexical match
        Candidate("d", 2.0, None, coverage=0.25),  # no vector
    ]
    x = feature_matrix(cands, SIGNALS)
    assert x.shape == (4, len(FEATURES))
    assert np.allclose(x[:, COL["lexical"]], [1.0, 0.5, 0.0, 0.2])
    assert np.allclose(x[:, COL["semantic"]], [1.0, 0.5, 0.0, 0.0])
    assert np.allclose(x[:, COL["lexical_rrf"]],
                       [RANK_K / (RANK_K + 1), RANK_K / (RANK_K + 2), 0.0, RANK_K / (RANK_K + 3)])
    assert np.allclose(x[:, COL["semantic_rrf"]],
                       [RANK_K / (RANK_K + 1), RANK_K / (RANK_K + 2), RANK_K / (RANK_K + 3), 0.0])
    assert np.allclose(x[:, COL["coverage"]], [1.0, 0.5, 0.0, 0.25])
    assert np.allclose(x[:, COL["coverage_x_query_coverage"]], [0.5, 0.25, 0.0, 0.125])
    assert np.allclose(x[:, COL["lexical_x_coverage"]], x[:, COL["lexical"]] * 0.5)
    assert np.allclose(x[:, COL["lexical_x_english"]], 0.0)
    assert np.allclose(x[:, COL["lexical_x_identifier"]], x[:, COL["lexical"]])
    assert np.allclose(x[:, COL["lexical_x_length"]], x[:, COL["lexical"]] * 4 / 8)


def test_no_candidates_and_no_lexical_match_are_not_errors():
    assert feature_matrix([], SIGNALS).shape == (0, len(FEATURES))
    assert learned_fusion([], SIGNALS) == []
    x = feature_matrix([Candidate("a", 0.0, 0.8), Candidate("b", 0.0, 0.7)], SIGNALS)
    assert np.all(np.isfinite(x)) and np.all(x[:, COL["lexical"]] == 0.0)


candidate_lists = st.lists(
    st.tuples(
        # BM25 is 0 (no match) or a normal float: a subnormal times 0.5 underflows to 0
        st.one_of(st.just(0.0), st.floats(1e-6, 40.0, allow_nan=False)),
        st.one_of(st.none(), st.floats(0.5, 1.0, allow_nan=False)),
        st.floats(0.0, 1.0, allow_nan=False),
    ),
    max_size=25,
).map(lambda rows: [Candidate(f"s{i:02d}", lex, sem, cov) for i, (lex, sem, cov) in
                    enumerate(rows)])
signals = st.builds(QuerySignals, st.floats(0.0, 1.0), st.booleans(), st.booleans(),
                    st.integers(0, 20))


@settings(max_examples=60, deadline=None)
@given(candidate_lists, signals, st.randoms())
def test_learned_fusion_is_a_deterministic_permutation(cands, sig, rng):
    fused = learned_fusion(cands, sig)
    assert sorted(h.section_id for h in fused) == sorted(c.section_id for c in cands)
    shuffled = list(cands)
    rng.shuffle(shuffled)
    assert learned_fusion(shuffled, sig) == fused
    keys = [(-h.score, h.section_id) for h in fused]
    assert keys == sorted(keys)  # score order, ties by section id


@settings(max_examples=60, deadline=None)
@given(candidate_lists, signals, st.floats(0.1, 10.0), st.floats(-0.3, 0.0))
def test_order_ignores_what_normalisation_removes(cands, sig, scale, shift):
    """BM25 × a constant and cosine + a constant leave the features, hence the order, alone."""
    moved = [Candidate(c.section_id, c.lexical_score * scale,
                       None if c.semantic_score is None else c.semantic_score + shift,
                       c.coverage) for c in cands]
    assert np.allclose(feature_matrix(moved, sig), feature_matrix(cands, sig))


def test_fused_hits_carry_the_features_they_were_ranked_by():
    cands = [Candidate("a", 3.0, 0.80, 0.5), Candidate("b", 0.0, 0.85, 0.0)]
    x = feature_matrix(cands, SIGNALS)
    for h in learned_fusion(cands, SIGNALS):
        i = [c.section_id for c in cands].index(h.section_id)
        assert [n for n, _ in h.features] == list(FEATURES)
        assert np.allclose([v for _, v in h.features], x[i])
        assert math.isclose(h.score, float(learned_scores(x[i:i + 1])[0]))


def test_every_hit_gets_both_arms_ranks_when_it_has_both_scores():
    cands = [Candidate("a", 3.0, 0.80), Candidate("b", 1.0, 0.85), Candidate("c", 0.0, 0.9)]
    fused = learned_fusion(cands, SIGNALS)
    ranks = {h.section_id: (h.lexical_rank, h.semantic_rank) for h in fused}
    assert ranks == {"a": (1, 3), "b": (2, 2), "c": (None, 1)}


def test_convex_fusion_endpoints_are_the_arms():
    cands = [Candidate("a", 9.0, 0.70), Candidate("b", 1.0, 0.90), Candidate("c", 5.0, 0.80)]
    assert [h.section_id for h in convex_fusion(cands, SIGNALS, alpha=0.0)] == ["a", "c", "b"]
    assert [h.section_id for h in convex_fusion(cands, SIGNALS, alpha=1.0)] == ["b", "c", "a"]
    with pytest.raises(ValueError, match="alpha"):
        convex_fusion(cands, SIGNALS, alpha=1.5)


def test_pairs_take_every_better_worse_pair_with_its_grade_gap():
    x = np.array([[1.0], [2.0], [3.0]])
    d, w = pairs(x, np.array([2.0, 0.0, 1.0]))
    got = sorted(zip(d[:, 0].tolist(), w.tolist(), strict=True))
    assert got == [(-2.0, 1.0), (-1.0, 2.0), (1.0, 1.0)]


def test_fit_recovers_the_feature_that_separates_relevant_candidates():
    rng = np.random.default_rng(0)
    queries = []
    for _ in range(20):
        x = rng.random((12, len(FEATURES)))
        gains = (x[:, COL["semantic"]] > 0.7).astype(float)  # only the semantic column matters
        queries.append((x, gains))
    w = fit_pairwise(queries, l2=1e-3)
    assert int(np.argmax(w)) == COL["semantic"]
    for x, gains in queries:
        if gains.any() and not gains.all():
            top = np.argsort(-(x @ w))[: int(gains.sum())]
            assert gains[top].mean() > 0.8


def test_fit_without_pairs_gives_zero_weights():
    x = np.ones((3, len(FEATURES)))
    assert np.all(fit_pairwise([(x, np.zeros(3))]) == 0.0)


def test_fitting_script_ranks_with_the_engines_function():
    """scripts/cross_validate.py scores the same features as learned_fusion, so a table fitted
    there means the same thing at query time."""
    cv = _cv_script()
    cands = (Candidate("a", 3.0, 0.80, 0.5), Candidate("b", 0.0, 0.86, 0.0),
             Candidate("c", 7.0, 0.70, 1.0))
    run = cv.Run("q", "set", "exact", (), (), cands, SIGNALS, (0.0, 0.0, 1.0), {})
    table = dict(COEFFICIENTS)
    assert cv.rank_learned(run, table) == [h.section_id for h in learned_fusion(cands, SIGNALS)]
    fitted = cv.fit_learned([run])
    assert list(fitted) == list(FEATURES)
