"""The Swedish analyzers, defined once and used for both indexing and querying.

| analyzer              | chain                                              | field use           |
| --------------------- | -------------------------------------------------- | ------------------- |
| `swedish_analyzer()`  | identifiers, lowercase, Swedish stop list, Snowball | main BM25F field   |
| `compound_analyzer()` | same, plus compound parts on the word's position   | part matches        |
| `exact_analyzer()`    | identifiers, lowercase                             | phrases, ids, typos |

Every analyzer is picklable (whoosh pickles the schema into the index) and holds no lexicon.
Bump ANALYZER_VERSION whenever any output changes: the index stores it and refuses a mismatch.
"""

from __future__ import annotations

from enum import Enum

from whoosh.analysis import Analyzer, LowercaseFilter

from searcher.analysis.stemming import SwedishStemFilter
from searcher.analysis.stopwords import SwedishStopFilter
from searcher.analysis.tokenizer import IdentifierTokenizer

ANALYZER_VERSION = "sv-3"  # bump on any output change, including a new hunspell-sv pin
# sv-3: the dnr filter field holds normalised Dnr keys (searcher.chunking.protocol.dnr)


class AnalyzerName(str, Enum):
    """Names accepted by analyze() and the CLI/debug helpers."""

    swedish = "swedish"
    compound = "compound"
    exact = "exact"


def swedish_analyzer() -> Analyzer:
    """Tokenize identifiers, lowercase, drop Swedish stop words, Snowball-stem; no compounds."""
    return IdentifierTokenizer() | LowercaseFilter() | SwedishStopFilter() | SwedishStemFilter()


def compound_analyzer() -> Analyzer:
    """swedish_analyzer() plus compound parts (placeringskostnader → placering, kostnad).

    Index mode stacks the stemmed parts on the word's position. Query mode splits a lone query word
    that is itself a compound into its parts (so `serveringstillstånd` finds `tillstånd för
    servering`); words inside a phrase stay whole. Give the field multitoken_query="and".
    """
    from searcher.analysis.compounds import CompoundFilter

    return (IdentifierTokenizer() | LowercaseFilter() | SwedishStopFilter() | CompoundFilter()
            | SwedishStemFilter())


def exact_analyzer() -> Analyzer:
    """Tokenize identifiers and lowercase only: no stop words, no stemming."""
    return IdentifierTokenizer() | LowercaseFilter()


_FACTORIES = {
    AnalyzerName.swedish: swedish_analyzer,
    AnalyzerName.compound: compound_analyzer,
    AnalyzerName.exact: exact_analyzer,
}
_CACHE: dict[AnalyzerName, Analyzer] = {}


def get_analyzer(name: str | AnalyzerName) -> Analyzer:
    """A shared instance of the named analyzer (built once per process)."""
    try:
        key = AnalyzerName(name)
    except ValueError:
        choices = ", ".join(a.value for a in AnalyzerName)
        raise ValueError(f"unknown analyzer {name!r}; choose from {choices}") from None
    if key not in _CACHE:
        _CACHE[key] = _FACTORIES[key]()
    return _CACHE[key]


def analyze(text: str, analyzer: str = "swedish", mode: str = "index") -> list[str]:
    """Token texts of `text` in `mode` ("index"/"query"), in position order (tests, debugging)."""
    if mode not in ("index", "query"):
        raise ValueError(f"unknown mode {mode!r}; choose from index, query")
    ana = get_analyzer(analyzer)
    return [t.text for t in ana(text, mode=mode, positions=True, chars=True)]
