"""This backend's entry in the engine's registry (entry point `searcher.backends`)."""

from __future__ import annotations

from searcher.backends.postgres.dsn import postgres_dsn
from searcher.engine import Backend, SearchIndex
from searcher.settings import Settings


def _open(dsn: str, *, model: str | None, settings: Settings) -> SearchIndex:
    from searcher.backends.postgres.index import open_pg_index  # psycopg only when used

    return open_pg_index(dsn, model=model, cache_dir=settings.cache_dir or None)


BACKEND = Backend(name="postgresql", recognise=postgres_dsn, open=_open)
