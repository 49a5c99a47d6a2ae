"""Connections to one PostgreSQL database: a psycopg pool whose connections speak pgvector.

Readers get read-only REPEATABLE READ transactions, so the several statements of one call
(term statistics, then postings) see one snapshot even while a writer commits; that works on
a streaming replica too. Every psycopg error that means "cannot reach the database" becomes
one SearcherError line naming the (password-free) URI.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from searcher.backends.postgres.dsn import redact
from searcher.errors import SearcherError

POOL_MIN = 1
POOL_MAX = 8  # concurrent searches per process; the server's max_connections bounds the sum
CONNECT_TIMEOUT_S = 10.0


def unreachable(dsn: str, error: BaseException) -> SearcherError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return SearcherError(f"cannot use PostgreSQL at {redact(dsn)}: {first}")


def connect(dsn: str, *, autocommit: bool = False):
    """One plain connection (writers, migrations), with the vector types when installed."""
    import psycopg

    try:
        conn = psycopg.connect(dsn, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as e:
        raise unreachable(dsn, e) from None
    register_vector_types(conn)
    return conn


def register_vector_types(conn) -> bool:
    """halfvec ⇄ numpy adapters, when the database has the vector extension (False if not)."""
    from pgvector.psycopg import register_vector

    try:
        register_vector(conn)
    except Exception:  # psycopg.ProgrammingError: "vector type not found in the database"
        if not conn.autocommit:
            conn.rollback()
        return False
    return True


class Database:
    """A connection pool for the read side; `read()` is one read-only snapshot transaction."""

    def __init__(self, dsn: str, *, min_size: int = POOL_MIN, max_size: int = POOL_MAX):
        import psycopg
        from psycopg_pool import ConnectionPool, PoolTimeout

        self.dsn = dsn
        self.where = redact(dsn)
        self._psycopg = psycopg
        try:  # fail fast and clearly: a pool would keep retrying until its timeout
            psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S).close()
        except psycopg.Error as e:
            raise unreachable(dsn, e) from None
        self._pool = ConnectionPool(
            dsn, min_size=min_size, max_size=max(min_size, max_size), open=False,
            configure=self._configure, kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
            name=f"searcher {self.where}",
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except (PoolTimeout, psycopg.Error) as e:
            self._pool.close()
            raise unreachable(dsn, e) from None

    def _configure(self, conn) -> None:
        register_vector_types(conn)
        conn.isolation_level = self._psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        conn.commit()  # leave the connection idle, outside a transaction

    @contextlib.contextmanager
    def read(self) -> Iterator:
        """A connection inside one read-only snapshot; database errors become SearcherError."""
        try:
            with self._pool.connection(timeout=CONNECT_TIMEOUT_S * 3) as conn:
                yield conn
        except self._psycopg.OperationalError as e:
            raise unreachable(self.dsn, e) from None

    def close(self) -> None:
        self._pool.close()
