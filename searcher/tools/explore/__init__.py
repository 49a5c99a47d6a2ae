"""Exploring an index beyond search: documents, neighbours, corpus figures and key terms.

    ix = searcher.open_index("index")
    list_documents(ix, {"typ": "protokoll"})            # -> [DocumentInfo, …]
    section_context(ix, "000_5ef240bb4f3b8a0b/p261", 1)  # -> SectionContext
    corpus_stats(ix, {"organ": "Kommunstyrelsens arbetsutskott"})  # -> CorpusStats

Every function returns plain records with `to_dict()` (the `--json` shapes of the CLI).
Modules: corpus.py (documents, figures), keyness.py (G² and term counts), reading.py
(neighbours, text blocks). The names below are loaded lazily, so importing
searcher.tools.explore.reading (the CLI's renderers) does not pay for the engine.
"""

from __future__ import annotations

_EXPORTS = {
    "CorpusStats": "corpus",
    "DocumentInfo": "corpus",
    "Figures": "corpus",
    "GroupBy": "corpus",
    "corpus_stats": "corpus",
    "count_words": "corpus",
    "list_documents": "corpus",
    "mismatch_hint": "corpus",
    "resolve_doc": "corpus",
    "KeyTerm": "keyness",
    "TermCounts": "keyness",
    "count_terms": "keyness",
    "key_terms": "keyness",
    "log_likelihood": "keyness",
    "Block": "reading",
    "BlockKind": "reading",
    "SectionContext": "reading",
    "section_context": "reading",
    "text_blocks": "reading",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"searcher.tools.explore.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'searcher.tools.explore' has no attribute {name!r}")
