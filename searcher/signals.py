"""Per-query confidence of the lexical arm, turned into fusion weights.

Equal-weight fusion lets the lexical arm drown the semantic one when it only matches leftover
words ("2020", "nämnd", English words no Swedish stop list removes). Two cheap signals say when
the lexical arm has little to say: how much of the query's information (IDF mass) the index
contains at all, and whether the query is written in English.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from searcher.records import Hit

#: Common English function words; several of them hit in English, none is Swedish.
ENGLISH_MARKERS = frozenset(
    """the of and to in for is are was were be been does do did how what which who whom why
    when where with from about this that these those there their its it an by on at as or not
    any many much should would could can will has have had""".split()
)
SWEDISH_MARKERS = frozenset(
    """och att det som en ett är för på med av till den har de inte om var vad hur vem vilka
    vilken när där kommunen nämnden över under från efter""".split()
)

LEXICAL_WEIGHT_ENGLISH = 0.25  # an English query's lexical matches are mostly accidents
LEXICAL_WEIGHT_FLOOR = 0.2  # never silence the lexical arm completely
SEMANTIC_WEIGHT = 1.0

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def looks_english(query: str) -> bool:
    """True when the query has more English than Swedish function words (and at least two)."""
    words = [w.lower() for w in _WORD.findall(query)]
    en = sum(w in ENGLISH_MARKERS for w in words)
    sv = sum(w in SWEDISH_MARKERS for w in words)
    return en >= 2 and en > sv


def idf_coverage(doc_freqs: Sequence[int], n_docs: int) -> float:
    """Share of the query's IDF mass that the index contains (1.0 = every term occurs).

    A term absent from the index carries the largest possible IDF, so a query whose rare
    words are all missing scores near 0 even when its common words match.
    """
    if not doc_freqs:
        return 0.0
    n = max(n_docs, 1)
    max_idf = math.log(1 + n / 0.5)
    present = sum(math.log(1 + n / df) for df in doc_freqs if df > 0)
    total = present + max_idf * sum(1 for df in doc_freqs if df <= 0)
    return present / total if total > 0 else 0.0


def arm_weights(query: str, lexical, lexical_hits: Sequence[Hit]) -> tuple[float, float]:
    """(lexical, semantic) weights for RRF for this query."""
    if not lexical_hits:
        return (0.0, SEMANTIC_WEIGHT)
    terms = [t for t in lexical.query_terms(query) if t[0] == "text"]
    dfs = lexical.doc_frequencies(terms)
    coverage = idf_coverage([dfs[t] for t in terms], lexical.doc_count())
    w = max(LEXICAL_WEIGHT_FLOOR, coverage)
    if looks_english(query):
        w = min(w, LEXICAL_WEIGHT_ENGLISH)
    return (w, SEMANTIC_WEIGHT)
