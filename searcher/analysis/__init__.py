"""Swedish text analysis: identifier-aware tokenizer, Swedish stop words, Snowball 3, compounds."""

from __future__ import annotations

from searcher.analysis.analyzer import (
    ANALYZER_VERSION,
    AnalyzerName,
    analyze,
    compound_analyzer,
    exact_analyzer,
    get_analyzer,
    swedish_analyzer,
)
from searcher.analysis.compounds import compound_parts, split_compound
from searcher.analysis.stopwords import SWEDISH_STOP_WORDS
from searcher.analysis.tokenizer import IdentifierTokenizer, TokenKind, dnr_key

__all__ = [
    "ANALYZER_VERSION",
    "SWEDISH_STOP_WORDS",
    "AnalyzerName",
    "IdentifierTokenizer",
    "TokenKind",
    "analyze",
    "compound_analyzer",
    "compound_parts",
    "dnr_key",
    "exact_analyzer",
    "get_analyzer",
    "split_compound",
    "swedish_analyzer",
]
