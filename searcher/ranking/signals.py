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

LEXICAL_WEIGHT_ENGLISH = 0.0  # an English query's lexical matches are accidents ("in", "2020")
LEXICAL_WEIGHT_FLOOR = 0.0  # a query none of whose words occur gets nothing from the lexical arm
IDENTIFIER_BOOST = 2.0  # Dnr, Balans-22, SAMSTART, "phrases": embeddings blur identifiers
SEMANTIC_WEIGHT = 1.0
# Chosen with scripts/tune_fusion.py: leave-one-out nDCG@10 0.890 on ../shared/eval/public.json
# (equal-weight RRF: 0.850); the identifier boost is flat between 1.5 and 3, 2 is its middle.

_IDENTIFIER = re.compile(
    r"""\w[-/:.]\d|\d[-/:]\w|"|(?<![^\W_])[A-ZÅÄÖ]{3,}(?![^\W_])|§""", re.UNICODE
)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def has_identifier(query: str) -> bool:
    """True for queries naming an identifier: Dnr/SFS-like numbers (2022-00295, 2001:453),
    names with numbers (Balans-22), acronyms in capitals (KPMG, SAMSTART), §, or a quoted
    phrase. A plain year is not an identifier: paraphrases mention years too."""
    return bool(_IDENTIFIER.search(query))


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


def query_coverage(query: str, lexical) -> float:
    """idf_coverage of the query's words, a word counting as present when it occurs whole
    (`text`) or as a compound part (`parts`): "temperatur" is present in "temperaturmätaren"."""
    terms = lexical.query_terms(query)
    words = sorted({t for f, t in terms if f == "text"})
    dfs = lexical.doc_frequencies([(f, w) for w in words for f in ("text", "parts")])
    best = [max(dfs[("text", w)], dfs[("parts", w)]) for w in words]
    return idf_coverage(best, lexical.doc_count())


def arm_weights(query: str, lexical, lexical_hits: Sequence[Hit]) -> tuple[float, float]:
    """(lexical, semantic) weights for RRF for this query."""
    if not lexical_hits:
        return (0.0, SEMANTIC_WEIGHT)
    coverage = query_coverage(query, lexical)
    return (lexical_weight(coverage, looks_english(query), has_identifier(query)), SEMANTIC_WEIGHT)


def lexical_weight(
    coverage: float,
    english: bool,
    identifier: bool,
    *,
    floor: float = LEXICAL_WEIGHT_FLOOR,
    english_weight: float = LEXICAL_WEIGHT_ENGLISH,
    identifier_boost: float = IDENTIFIER_BOOST,
) -> float:
    """The lexical arm's RRF weight from the query's signals (the semantic arm's is 1)."""
    w = max(floor, coverage)
    if identifier:
        return w * identifier_boost
    if english:
        return min(w, english_weight)
    return w
