"""The learned combiner: a linear ranking function over searcher.ranking.features, fitted as a
pairwise logistic regression (RankNet with a linear scorer; Burges et al., ICML 2005) with numpy
alone, and the fitted coefficients as a table of named constants.

    score(d) = Σ_f w_f · x_f(d)        P(d above e) = σ(score(d) − score(e))

Pairs are (a more relevant, a less relevant) candidate of the same query, weighted by their grade
difference and by 1/pairs-of-that-query so every query counts once; an L2 penalty keeps the
weights small. Only the order of score(d) within a query matters, so there is no intercept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from searcher.ranking.features import FEATURES

# Fitted with (indexes: the seeds in corpus/, and dev.json's 15 files, each built with
# `searcher index … --index-dir DIR`):
#   python scripts/cross_validate.py ../shared/eval/public.json ../shared/eval/dev.json \
#       --index-dir SEED_INDEX --index-dir DEV_INDEX --fit
# on all 78 queries of both sets (public.json: 30 on the Växjö seeds; dev.json: 48 on three
# kommun risk analyses and twelve Riksdag/regeringen texts), L2 = L2_PENALTY. Out of sample
# (fit on one set, score the other; 6-fold by query over both) the same fit scores nDCG@10
# 0.908 / 0.899 (public / dev, leave one set out): README, Evaluation.
#
# How to read them: only differences between candidates of one query matter. The lexical
# arm's effective weight is lexical + Σ lexical_x_* · signal, e.g. −2.22 + 2.47·coverage
# + 2.70·english + 0.36·identifier + 1.07·length: BM25 counts for a query whose words the
# index holds (coverage 1: +0.5 … +1.3) and against one whose rare words it lacks (a
# paraphrase, coverage 0.2: about −1.0, i.e. its lexical hits are leftover-word accidents);
# an English query's few lexical matches are names and loan words, so they count. A
# candidate's own IDF coverage (coverage, coverage_x_query_coverage) rewards sections that
# contain the query's informative words, which BM25 alone mixes up with repeated common ones.
COEFFICIENTS: Mapping[str, float] = {
    "lexical": -2.2222,  # BM25 / best BM25 among the candidates
    "semantic": 11.3300,  # cosine closeness to the best candidate's (SEMANTIC_GAP scale)
    "lexical_rrf": -0.0221,  # rank by BM25 as an RRF term: adds nothing beyond the score
    "semantic_rrf": 11.2835,  # rank by cosine as an RRF term: the semantic arm's order
    "coverage": 2.6115,  # share of the query's IDF mass the section contains
    "coverage_x_query_coverage": 5.2694,  # … counting more when the index has the words
    "lexical_x_coverage": 2.4694,  # lexical weight grows with the query's coverage
    "lexical_x_english": 2.7009,  # English query: its lexical matches are names
    "lexical_x_identifier": 0.3572,  # an identifier in the query: a little more lexical
    "lexical_x_length": 1.0662,  # longer queries: BM25 sums more evidence
}
L2_PENALTY = 0.001  # on the summed, per-query-weighted pair loss


def weights(coefficients: Mapping[str, float] = COEFFICIENTS) -> np.ndarray:
    """The coefficient vector in FEATURES order (a missing name is an error, not a zero)."""
    return np.array([coefficients[name] for name in FEATURES], dtype=np.float64)


def learned_scores(x: np.ndarray, coefficients: Mapping[str, float] = COEFFICIENTS) -> np.ndarray:
    """score = x · w for a feature matrix from feature_matrix()."""
    if len(x) == 0:
        return np.zeros(0)
    # Row by row, the same additions whatever the other rows (a BLAS product may round a row
    # differently in another batch, and equal scores must stay equal for the id tie-break).
    return (x * weights(coefficients)).sum(axis=1)


def pairs(x: np.ndarray, gains: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Difference rows x_i − x_j for every gains_i > gains_j, and their weights (grade gap)."""
    better = gains[:, None] > gains[None, :]
    i, j = np.nonzero(better)
    return x[i] - x[j], (gains[i] - gains[j]).astype(np.float64)


def fit_pairwise(
    queries: Sequence[tuple[np.ndarray, np.ndarray]], *, l2: float = L2_PENALTY,
    iterations: int = 50,
) -> np.ndarray:
    """Weights minimising Σ_q (1/|P_q|) Σ_{(i,j)∈P_q} g_ij·log(1 + e^{−w·(x_i − x_j)}) + l2·|w|²,
    by Newton's method. `queries`: (feature matrix, gains) per query."""
    rows, wts = [], []
    for x, gains in queries:
        d, g = pairs(x, np.asarray(gains, dtype=np.float64))
        if len(d):
            rows.append(d)
            wts.append(g / g.sum())
    dim = len(FEATURES)
    w = np.zeros(dim)
    if not rows:
        return w
    d = np.vstack(rows)
    g = np.concatenate(wts)
    for _ in range(iterations):
        margin = d @ w
        p = 1.0 / (1.0 + np.exp(np.clip(margin, -50, 50)))  # σ(−margin)
        grad = -(d * (g * p)[:, None]).sum(axis=0) + 2 * l2 * w
        hess = (d * (g * p * (1 - p))[:, None]).T @ d + 2 * l2 * np.eye(dim)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def as_table(w: np.ndarray) -> dict[str, float]:
    """Weights as a name → value table (the shape of COEFFICIENTS)."""
    return {name: float(v) for name, v in zip(FEATURES, w, strict=True)}
