"""A handle keeps its last few parsed queries: the same query string parses to an equal query
whether it comes from the cache or is parsed afresh, and the cache stays small."""

from __future__ import annotations

from searcher.lexical import index as lexical_index_module
from searcher.lexical.index import LexicalIndex

QUERIES = ["Brottsofferjourens arbete", "Balans-22", "vem förde anteckningar?",
           "kommunstyrelsen 2022-00295", '"extra ärende"', "kompetens*"]


def test_cached_parses_equal_fresh_ones(lexical_index):
    lx = lexical_index.lexical
    path = lexical_index.generation / "lexical"
    fresh = LexicalIndex(path)
    try:
        for _ in range(2):
            for q in QUERIES:
                assert lx.parse(q) == fresh.parse(q)
                assert lx.parse(q) is lx.parse(q)  # asked again at once: the same object
                assert len(lx._parsed) <= lexical_index_module.PARSE_CACHE
    finally:
        fresh.close()


def test_a_query_searched_after_other_queries_gives_the_same_hits(lexical_index):
    lx = lexical_index.lexical
    first = {q: lx.search(q, limit=10) for q in QUERIES}
    for q in reversed(QUERIES):
        assert lx.search(q, limit=10) == first[q]
        assert lx.count(q) == lx.count(q)
