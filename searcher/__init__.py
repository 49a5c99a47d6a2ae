"""Search engine for Swedish municipal texts: protocols and reports, lexical + semantic.

    import searcher
    ix = searcher.open_index("index")
    ix.search("Balans-22", mode="hybrid", limit=10)  # -> [Result, …]
"""

from __future__ import annotations

__version__ = "0.1.0"

_EXPORTS = {
    "open_index": "searcher.engine",
    "SearchIndex": "searcher.engine",
    "build_index": "searcher.store.build",
    "Document": "searcher.records",
    "DocumentMeta": "searcher.records",
    "Result": "searcher.records",
    "Section": "searcher.records",
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str):
    """Lazy re-exports: `import searcher.store.layout` does not pay for whoosh or numpy."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'searcher' has no attribute {name!r}")
