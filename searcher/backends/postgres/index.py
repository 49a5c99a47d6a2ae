"""Open a PostgreSQL database as a SearchIndex: the engine with our store, lexical and vectors.

    open_pg_index("postgresql://user@host/db").search("Balans-22")   # same records as embedded

Works the same against a primary or a streaming read replica (reads only, in snapshots).
"""

from __future__ import annotations

from searcher.backends.postgres.db import Database
from searcher.backends.postgres.lexical import PgLexical
from searcher.backends.postgres.schema import current_version, require_version
from searcher.backends.postgres.store import PgStore
from searcher.backends.postgres.vectors import EXACT_BELOW, PgVectors
from searcher.errors import IndexNotBuiltError


def read_manifest(db: Database) -> dict:
    """The index manifest stored in the database; a clear error when there is none."""
    with db.read() as conn:
        built = current_version(conn) > 0
        if built:
            require_version(conn, db.where)
            row = conn.execute("SELECT value FROM meta WHERE key = 'manifest'").fetchone()
    if not built or row is None:
        raise IndexNotBuiltError(
            f"no index in {db.where} — run `searcher index --backend {db.where}` or "
            f"`searcher migrate --to {db.where}`"
        )
    return row[0]


def open_pg_index(dsn: str, *, model: str | None = None, cache_dir: str | None = None,
                  pool_size: int | None = None, exact_below: int = EXACT_BELOW):
    """A SearchIndex reading `dsn`; close it to release the connection pool."""
    from searcher.engine import SearchIndex
    from searcher.errors import SearcherError

    db = Database(dsn, max_size=pool_size) if pool_size else Database(dsn)
    try:
        manifest = read_manifest(db)
    except SearcherError:
        db.close()
        raise
    except Exception as e:  # a database that is not ours: undefined tables and the like
        db.close()
        raise IndexNotBuiltError(f"no searcher index in {db.where} ({type(e).__name__}: "
                                 f"{str(e).splitlines()[0] if str(e) else ''})") from None
    semantic = manifest.get("semantic") or {}
    dim = int(semantic.get("dim") or 0)

    def open_vectors() -> PgVectors:
        return PgVectors(db, dim, exact_below=exact_below, passages=semantic.get("passages"))

    try:
        ix = SearchIndex(manifest=manifest, store=PgStore(db), lexical=PgLexical(db),
                         open_vectors=open_vectors, where=db.where, model=model,
                         cache_dir=cache_dir)
    except BaseException:
        db.close()
        raise
    ix.dsn = dsn
    return ix
