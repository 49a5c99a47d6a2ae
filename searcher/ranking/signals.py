"""Per-query signals the fusion weighs the lexical arm by, computed the same way for any query.

Equal-weight fusion lets the lexical arm drown the semantic one when it only matches leftover
words ("2020", "nämnd", English words no Swedish stop list removes), and lets the semantic arm's
near misses dilute an exact identifier hit. The signals: how much of the query's information
(IDF mass) the index contains at all, whether the query is English (dictionaries, not word
lists written from eval queries: searcher.query.language), whether the analyzer finds an
identifier in it, and how many content words it has. How much each one counts is fitted
(searcher.ranking.learned), not written here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from searcher.analysis import SWEDISH_STOP_WORDS, IdentifierTokenizer, TokenKind
from searcher.query.language import Language, query_language
from searcher.ranking.features import QuerySignals

#: Token kinds the analyzer gives identifiers: the written form (Balans-22, 2003:778, § 12)
#: and the normalised Dnr key (2022/295).
IDENTIFIER_KINDS = frozenset({TokenKind.WHOLE.value, TokenKind.KEY.value})

_TOKENIZER = IdentifierTokenizer()
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def has_identifier(query: str) -> bool:
    """True when the analyzer reads an identifier in the query: a Dnr or SFS number, a name
    with a number (Balans-22), a § number, a hyphenated or slashed compound name."""
    return any(t.kind in IDENTIFIER_KINDS for t in _TOKENIZER(query))


def content_words(query: str) -> int:
    """Words (letters or digits) that are not Swedish stop words."""
    return sum(w.lower() not in SWEDISH_STOP_WORDS for w in _WORD.findall(query))


def idf(df: int, n_docs: int) -> float:
    """log(1 + N/df); a term absent from the index (df 0) gets the largest IDF, as if df = ½."""
    n = max(n_docs, 1)
    return math.log(1 + n / (df if df > 0 else 0.5))


def idf_coverage(doc_freqs: Sequence[int], n_docs: int) -> float:
    """Share of the query's IDF mass that the index contains (1.0 = every term occurs).

    A term absent from the index carries the largest possible IDF, so a query whose rare
    words are all missing scores near 0 even when its common words match.
    """
    if not doc_freqs:
        return 0.0
    total = sum(idf(df, n_docs) for df in doc_freqs)
    present = sum(idf(df, n_docs) for df in doc_freqs if df > 0)
    return present / total if total > 0 else 0.0


def _query_words(query: str, lexical) -> tuple[list[str], dict[str, int]]:
    """The query's analyzed words and each one's sections, whole (`text`) or as a compound
    part (`parts`): "temperatur" is present in "temperaturmätaren"."""
    terms = lexical.query_terms(query)
    words = sorted({t for f, t in terms if f == "text"})
    dfs = lexical.doc_frequencies([(f, w) for w in words for f in ("text", "parts")])
    return words, {w: max(dfs[("text", w)], dfs[("parts", w)]) for w in words}


def query_coverage(query: str, lexical) -> float:
    """idf_coverage of the query's words, whole or as compound parts."""
    words, dfs = _query_words(query, lexical)
    return idf_coverage([dfs[w] for w in words], lexical.doc_count())


COVERAGE_FIELDS = ("text", "title", "parts")


def candidate_coverage(query: str, lexical, section_ids: Sequence[str]) -> dict[str, float]:
    """Per section: the share of the query's IDF mass it contains (its words whole, in the
    title, or as compound parts). A paraphrase's lexical hits often match only its common
    words, an exact query's hit matches all of them; the BM25 score alone mixes the two."""
    words, dfs = _query_words(query, lexical)
    n = lexical.doc_count()
    weight = {w: idf(dfs[w], n) for w in words}
    total = sum(weight.values())
    if total <= 0:
        return dict.fromkeys(section_ids, 0.0)
    having = lexical.sections_with_terms([(f, w) for w in words for f in COVERAGE_FIELDS],
                                         section_ids)
    out = {}
    for sid in section_ids:
        got = sum(weight[w] for w in words if any(sid in having[(f, w)] for f in COVERAGE_FIELDS))
        out[sid] = got / total
    return out


def query_signals(query: str, lexical, *, language_of: str | None = None) -> QuerySignals:
    """The QuerySignals of `query` against this lexical index. `language_of`: the text to
    detect the language on (the query as typed, before typo correction), default `query`."""
    return QuerySignals(
        coverage=query_coverage(query, lexical) if query.strip() else 0.0,
        english=query_language(language_of or query) == Language.english,
        identifier=has_identifier(query),
        words=content_words(query),
    )
