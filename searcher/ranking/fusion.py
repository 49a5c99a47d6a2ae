"""Pure functions that fuse the lexical and the semantic ranking into one.

Two kinds of input: each arm's own list of Hits in rank order (RRF, convex_combination), or the
pooled candidates scored in both arms (learned_fusion, the default, and convex_fusion; see
searcher.ranking.features). Fusion never sees engine objects. Ties are broken by section_id so
the same inputs always give the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum

import numpy as np

from searcher.ranking.features import (
    FEATURES,
    Candidate,
    QuerySignals,
    arm_ranks,
    feature_matrix,
)
from searcher.ranking.learned import COEFFICIENTS, learned_scores
from searcher.records import FusedHit, Hit

RRF_K = 60
"""Reciprocal rank fusion constant: Cormack, Clarke & Büttcher, "Reciprocal rank fusion
outperforms Condorcet and individual rank learning methods", SIGIR 2009. This k dampens the
weight of top ranks; it is not the k of top-k retrieval."""

class FusionMethod(str, Enum):
    """How the two arms are combined."""

    learned = "learned"  # the fitted linear combiner over both arms' scores (the default)
    rrf = "rrf"  # reciprocal rank fusion: ranks only, robust to score scales
    convex = "convex"  # convex combination of normalised scores


DEFAULT_ALPHA = 0.5
"""Weight of the semantic arm in the convex combination (1 - alpha goes to the lexical arm)."""


def _evidence(lexical: Sequence[Hit], semantic: Sequence[Hit]) -> dict[str, dict]:
    ev: dict[str, dict] = {}
    for rank, hit in enumerate(lexical, start=1):
        ev.setdefault(hit.section_id, {}).setdefault("lexical", (rank, hit.score))
    for rank, hit in enumerate(semantic, start=1):
        ev.setdefault(hit.section_id, {}).setdefault("semantic", (rank, hit.score))
    return ev


def _fused(section_id: str, score: float, ev: dict) -> FusedHit:
    lex = ev.get("lexical")
    sem = ev.get("semantic")
    return FusedHit(
        section_id=section_id,
        score=score,
        lexical_rank=lex[0] if lex else None,
        lexical_score=lex[1] if lex else None,
        semantic_rank=sem[0] if sem else None,
        semantic_score=sem[1] if sem else None,
    )


def _ranked(scores: dict[str, float], ev: dict, limit: int | None) -> list[FusedHit]:
    order = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if limit is not None:
        order = order[: max(limit, 0)]
    return [_fused(sid, score, ev[sid]) for sid, score in order]


def reciprocal_rank_fusion(
    lexical: Sequence[Hit],
    semantic: Sequence[Hit],
    *,
    k: int = RRF_K,
    weights: tuple[float, float] = (1.0, 1.0),
    limit: int | None = None,
) -> list[FusedHit]:
    """Weighted RRF: score(d) = Σ_arm w_arm / (k + rank_arm(d)), ranks 1-based.

    An empty arm is valid input; a section listed twice in one arm counts at its best rank.
    """
    if k < 0:
        raise ValueError(f"RRF k must be non-negative, got {k}")
    ev = _evidence(lexical, semantic)
    scores: dict[str, float] = {}
    for sid, arms in ev.items():
        s = 0.0
        if "lexical" in arms:
            s += weights[0] / (k + arms["lexical"][0])
        if "semantic" in arms:
            s += weights[1] / (k + arms["semantic"][0])
        scores[sid] = s
    return _ranked(scores, ev, limit)


def min_max(values: Sequence[float]) -> list[float]:
    """Scale to [0, 1]; all-equal input (including a single value) maps to 1.0, not NaN."""
    if not values:
        return []
    lo, hi = min(values), max(values)
    if hi - lo <= 1e-12:
        return [1.0] * len(values)
    return [(v - lo) / (hi - lo) for v in values]


def convex_combination(
    lexical: Sequence[Hit],
    semantic: Sequence[Hit],
    *,
    alpha: float = DEFAULT_ALPHA,
    limit: int | None = None,
) -> list[FusedHit]:
    """score(d) = (1 - alpha)·norm_lex(d) + alpha·norm_sem(d), min-max normalised per arm.

    A section missing from an arm gets 0 from it (Bruch et al., TOIS 2023, "An analysis of
    fusion functions for hybrid retrieval").
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    ev = _evidence(lexical, semantic)
    scores: dict[str, float] = dict.fromkeys(ev, 0.0)
    for hits, w in ((lexical, 1.0 - alpha), (semantic, alpha)):
        best: dict[str, float] = {}
        for h in hits:
            best.setdefault(h.section_id, h.score)
        for sid, norm in zip(best, min_max(list(best.values())), strict=True):
            scores[sid] += w * norm
    return _ranked(scores, ev, limit)


def _from_candidates(candidates: Sequence[Candidate], scores: Sequence[float],
                     x: np.ndarray | None, limit: int | None) -> list[FusedHit]:
    """FusedHits in score order (ties by section id), each with its arm evidence and features."""
    order = sorted(range(len(candidates)),
                   key=lambda i: (-float(scores[i]), candidates[i].section_id))
    if limit is not None:
        order = order[: max(limit, 0)]
    lex_ranks, sem_ranks = arm_ranks(candidates)
    out = []
    for i in order:
        c = candidates[i]
        feats = () if x is None else tuple(zip(FEATURES, map(float, x[i]), strict=True))
        out.append(FusedHit(
            section_id=c.section_id, score=float(scores[i]),
            lexical_rank=int(lex_ranks[i]) or None, lexical_score=c.lexical_score,
            semantic_rank=int(sem_ranks[i]) or None, semantic_score=c.semantic_score,
            features=feats,
        ))
    return out


def learned_fusion(
    candidates: Sequence[Candidate], signals: QuerySignals, *,
    coefficients: Mapping[str, float] = COEFFICIENTS, limit: int | None = None,
) -> list[FusedHit]:
    """Rank candidates scored in both arms by the learned linear combiner
    (searcher.ranking.learned); each FusedHit carries its features."""
    x = feature_matrix(candidates, signals)
    return _from_candidates(candidates, learned_scores(x, coefficients), x, limit)


def convex_fusion(
    candidates: Sequence[Candidate], signals: QuerySignals, *, alpha: float = DEFAULT_ALPHA,
    limit: int | None = None,
) -> list[FusedHit]:
    """(1 − alpha)·lexical + alpha·semantic over candidates scored in both arms, with the
    features' normalisation (BM25 / max, cosine min-max; Bruch et al. 2023)."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    x = feature_matrix(candidates, signals)
    if len(x) == 0:
        return []
    col = {name: i for i, name in enumerate(FEATURES)}
    scores = (1.0 - alpha) * x[:, col["lexical"]] + alpha * x[:, col["semantic"]]
    return _from_candidates(candidates, scores, x, limit)
