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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class QueryWords:
    """The query's analyzed words and each one's sections, whole (`text`) or as a compound
    part (`parts`): "temperatur" is present in "temperaturmätaren". Read once per query for
    both the query's coverage and its candidates'."""

    words: tuple[str, ...]
    dfs: Mapping[str, int]
    n_docs: int


def query_words(query: str, lexical) -> QueryWords:
    terms = lexical.query_terms(query)
    words = sorted({t for f, t in terms if f == "text"})
    dfs = lexical.doc_frequencies([(f, w) for w in words for f in ("text", "parts")])
    return QueryWords(tuple(words), {w: max(dfs[("text", w)], dfs[("parts", w)]) for w in words},
                      lexical.doc_count())


def query_coverage(query: str, lexical, *, words: QueryWords | None = None) -> float:
    """idf_coverage of the query's words, whole or as compound parts."""
    qw = words or query_words(query, lexical)
    return idf_coverage([qw.dfs[w] for w in qw.words], qw.n_docs)


COVERAGE_FIELDS = ("text", "title", "parts")


class CandidateCoverage:
    """candidate_coverage in two steps: the query's part (its words' IDF and, where the lexical
    backend offers `term_holders`, the sections holding each word) is read once; then any
    candidates, in as many calls as the engine has groups of them (the lexical arm's while the
    semantic arm still runs, the semantic arm's after)."""

    def __init__(self, query: str, lexical, *, words: QueryWords | None = None):
        qw = words or query_words(query, lexical)
        self.words = qw.words
        self.weight = {w: idf(qw.dfs[w], qw.n_docs) for w in qw.words}
        self.total = sum(self.weight.values())
        self.terms = [(f, w) for w in qw.words for f in COVERAGE_FIELDS]
        self.lexical = lexical
        holders = getattr(lexical, "term_holders", None)
        self.holders = holders(self.terms) if holders and self.total > 0 else None

    def __call__(self, section_ids: Sequence[str]) -> dict[str, float]:
        if self.total <= 0:
            return dict.fromkeys(section_ids, 0.0)
        having = (self.holders.among(section_ids) if self.holders is not None else
                  self.lexical.sections_with_terms(self.terms, section_ids))
        out = {}
        for sid in section_ids:
            got = sum(self.weight[w] for w in self.words
                      if any(sid in having[(f, w)] for f in COVERAGE_FIELDS))
            out[sid] = got / self.total
        return out


def candidate_coverage(query: str, lexical, section_ids: Sequence[str]) -> dict[str, float]:
    """Per section: the share of the query's IDF mass it contains (its words whole, in the
    title, or as compound parts). A paraphrase's lexical hits often match only its common
    words, an exact query's hit matches all of them; the BM25 score alone mixes the two."""
    return CandidateCoverage(query, lexical)(section_ids)


def query_signals(query: str, lexical, *, language_of: str | None = None,
                  words: QueryWords | None = None) -> QuerySignals:
    """The QuerySignals of `query` against this lexical index. `language_of`: the text to
    detect the language on (the query as typed, before typo correction), default `query`;
    `words`: query_words(query, lexical) when the caller has read them already."""
    return QuerySignals(
        coverage=query_coverage(query, lexical, words=words) if query.strip() else 0.0,
        english=query_language(language_of or query) == Language.english,
        identifier=has_identifier(query),
        words=content_words(query),
    )
