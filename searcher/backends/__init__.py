"""Storage backends other than the embedded one (whoosh + SQLite + numpy files).

Each backend supplies the duck-typed parts `searcher.engine.SearchIndex` takes (a store, a
lexical arm and a vector index); `postgres` keeps them in PostgreSQL with pgvector.
"""

from __future__ import annotations
