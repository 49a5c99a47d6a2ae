"""What the fusion knows about a query and its candidates, as numbers: one function for both the
fitting script and the engine, so a feature cannot mean one thing at fit time and another at
query time.

Every candidate carries both arms' scores (the engine scores the union of the two arms' top-k in
both arms), so "not in the other arm's top 50" no longer reads as "irrelevant". Scores are
normalised per query over the candidates: BM25 by its maximum (its theoretical minimum is 0,
Bruch et al. 2023's "TMM"); cosine by its distance below the best candidate's, in cosine units
(SEMANTIC_GAP), because e5 cosines live in a narrow band (~0.75–0.95) where an absolute gap of
0.01 means "as good" and 0.15 means "unrelated" for every query, while min-max would stretch
any spread to 0–1. (Min-max was measured too: scripts/cross_validate.py, README Evaluation.)
Ranks enter as RRF terms, K/(K + rank), within the candidates.
Query signals enter only multiplied with the lexical score: a linear ranking function gives a
query-level feature alone no say in the order, so each signal's coefficient reads as "how much
this signal raises or lowers the lexical arm's weight".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RANK_K = 60  # the RRF constant of Cormack et al. (SIGIR 2009) for the rank features
LONG_QUERY_WORDS = 8  # content words at which the length signal saturates at 1
SEMANTIC_GAP = 0.15  # cosine below the best candidate's at which the semantic feature is 0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A section proposed by either arm, with its score in both (higher is better)."""

    section_id: str
    lexical_score: float  # BM25F; 0.0 when no query term matches it
    semantic_score: float | None  # best-passage cosine; None when it has no vector
    coverage: float = 0.0  # share of the query's IDF mass this section contains (0–1)


@dataclass(frozen=True, slots=True)
class QuerySignals:
    """Per-query facts the fusion weighs the lexical arm by (searcher.ranking.signals)."""

    coverage: float  # share of the query's IDF mass the index contains (0–1)
    english: bool  # written in English (searcher.query.language), the corpus is Swedish
    identifier: bool  # the analyzer found an identifier (Dnr, SFS number, Balans-22, § 12)
    words: int  # content words (stop words excluded)

    @property
    def length(self) -> float:
        """Query length scaled to 0–1: 1/LONG_QUERY_WORDS per word, saturating."""
        return min(self.words, LONG_QUERY_WORDS) / LONG_QUERY_WORDS


#: Feature names, in column order.
FEATURES: tuple[str, ...] = (
    "lexical",  # BM25F / the best BM25F among the candidates (0–1)
    "semantic",  # 1 − (best cosine − cosine) / SEMANTIC_GAP, clipped to 0–1
    "lexical_rrf",  # K / (K + rank by BM25F among the candidates); 0 without a match
    "semantic_rrf",  # K / (K + rank by cosine among the candidates)
    "coverage",  # share of the query's IDF mass the candidate contains (0–1)
    "coverage_x_query_coverage",  # coverage × the query's coverage in the whole index
    "lexical_x_coverage",  # lexical × coverage
    "lexical_x_english",  # lexical × english
    "lexical_x_identifier",  # lexical × identifier
    "lexical_x_length",  # lexical × length
)


def max_scaled(values: np.ndarray) -> np.ndarray:
    """values / max(values) for non-negative scores; all zeros stay zeros."""
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def gap_scaled(values: np.ndarray, present: np.ndarray, gap: float = SEMANTIC_GAP) -> np.ndarray:
    """1 − (best − value)/gap, clipped to 0–1, over the present values; absent ones get 0."""
    out = np.zeros_like(values)
    if not present.any():
        return out
    best = float(values[present].max())
    out[present] = 1.0 - np.minimum(best - values[present], gap) / gap
    return out


def ranks_within(scores: np.ndarray, ids: Sequence[str], present: np.ndarray) -> np.ndarray:
    """1-based ranks by score (ties by section id); 0 where not present."""
    order = sorted((i for i in range(len(ids)) if present[i]), key=lambda i: (-scores[i], ids[i]))
    ranks = np.zeros(len(ids), dtype=np.int64)
    for r, i in enumerate(order, start=1):
        ranks[i] = r
    return ranks


def rank_term(ranks: np.ndarray) -> np.ndarray:
    """K / (K + rank), 0 for rank 0 (absent)."""
    return np.where(ranks > 0, RANK_K / (RANK_K + np.maximum(ranks, 1)), 0.0)


def _arms(candidates: Sequence[Candidate]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lex = np.array([max(c.lexical_score, 0.0) for c in candidates], dtype=np.float64)
    has_sem = np.array([c.semantic_score is not None for c in candidates], dtype=bool)
    sem = np.array([c.semantic_score or 0.0 for c in candidates], dtype=np.float64)
    return lex, sem, has_sem


def arm_ranks(candidates: Sequence[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's 1-based rank among the candidates by BM25F and by cosine (0: no
    lexical match / no vector); ties by section id."""
    ids = [c.section_id for c in candidates]
    lex, sem, has_sem = _arms(candidates)
    return ranks_within(lex, ids, lex > 0), ranks_within(sem, ids, has_sem)


def feature_matrix(candidates: Sequence[Candidate], signals: QuerySignals) -> np.ndarray:
    """One row per candidate, one column per FEATURES name."""
    if len(candidates) == 0:
        return np.zeros((0, len(FEATURES)))
    lex, sem, has_sem = _arms(candidates)
    lex_ranks, sem_ranks = arm_ranks(candidates)
    lex_n = max_scaled(lex)
    sem_n = gap_scaled(sem, has_sem)
    coverage = np.array([c.coverage for c in candidates], dtype=np.float64)
    lex_rrf = rank_term(lex_ranks)
    sem_rrf = rank_term(sem_ranks)
    columns = [
        lex_n, sem_n, lex_rrf, sem_rrf,
        coverage,
        coverage * signals.coverage,
        lex_n * signals.coverage,
        lex_n * float(signals.english),
        lex_n * float(signals.identifier),
        lex_n * signals.length,
    ]
    return np.column_stack(columns)
