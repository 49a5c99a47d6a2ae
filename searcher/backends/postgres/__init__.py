"""The PostgreSQL + pgvector backend: the same engine API, the index kept in a database.

    from searcher.backends.postgres import build_pg_index, migrate, open_pg_index
    build_pg_index([Path("corpus")], "postgresql://…/searcher")      # or migrate("index", …)
    open_pg_index("postgresql://…/searcher").search("Balans-22")

Layout: schema (versioned migrations), db (pool), partitions, lexemes + rows + batch + writer +
vector_store (writing), bm25 + lexical, store, vectors, filters (reading), index (opening),
build (files or an embedded index in), local (a throwaway server for tests). See
docs/postgres.md. Re-exports are lazy so that `import searcher.engine` pays for none of it.
"""

from __future__ import annotations

_EXPORTS = {
    "open_pg_index": "searcher.backends.postgres.index",
    "build_pg_index": "searcher.backends.postgres.build",
    "migrate": "searcher.backends.postgres.build",
    "postgres_dsn": "searcher.backends.postgres.dsn",
    "LocalServer": "searcher.backends.postgres.local",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
