"""Exploring an index beyond search: documents, neighbours, corpus figures and key terms.

    ix = searcher.open_index("index")
    list_documents(ix, {"typ": "protokoll"})            # -> [DocumentInfo, …]
    section_context(ix, "000_5ef240bb4f3b8a0b/p261", 1)  # -> SectionContext
    corpus_stats(ix, {"organ": "Kommunstyrelsens arbetsutskott"})  # -> CorpusStats

Every function returns plain records with `to_dict()` (the `--json` shapes of the CLI).
"""

from __future__ import annotations

from searcher.explore.corpus import (
    CorpusStats,
    DocumentInfo,
    Figures,
    GroupBy,
    corpus_stats,
    count_words,
    list_documents,
    mismatch_hint,
    resolve_doc,
)
from searcher.explore.keyness import KeyTerm, TermCounts, count_terms, key_terms, log_likelihood
from searcher.explore.reading import Block, BlockKind, SectionContext, section_context, text_blocks

__all__ = [
    "Block",
    "BlockKind",
    "CorpusStats",
    "DocumentInfo",
    "Figures",
    "GroupBy",
    "KeyTerm",
    "SectionContext",
    "TermCounts",
    "corpus_stats",
    "count_terms",
    "count_words",
    "key_terms",
    "list_documents",
    "log_likelihood",
    "mismatch_hint",
    "resolve_doc",
    "section_context",
    "text_blocks",
]
