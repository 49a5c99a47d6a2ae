"""`searcher migrate --to …` through a fresh Typer app, and reading commands given a URI."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from searcher.cli.pg_cmds import index_location, register
from searcher.engine import open_index


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test app."""

    register(app)
    return app


def test_migrate_command_copies_the_index(pg_server, lexical_index_dir):
    dsn = pg_server.create_database("cli_migrate")
    r = CliRunner().invoke(_app(), ["migrate", "--to", dsn, "--index-dir",
                                    str(lexical_index_dir)])
    assert r.exit_code == 0, r.output
    assert "copied 2 documents" in r.output
    with open_index(dsn) as ix:
        assert ix.search("Balans-22", mode="lexical", limit=1)
    again = CliRunner().invoke(_app(), ["migrate", "--to", dsn, "--index-dir",
                                        str(lexical_index_dir)])
    assert again.exit_code == 2 and "already holds an index" in again.output  # grep: error


def test_migrate_wants_a_postgresql_uri(lexical_index_dir):
    r = CliRunner().invoke(_app(), ["migrate", "--to", "index2/", "--index-dir",
                                    str(lexical_index_dir)])
    assert r.exit_code == 2 and "postgresql://" in r.output


def test_index_location_prefers_the_backend(tmp_path):
    assert index_location(None, tmp_path) == tmp_path
    assert index_location("postgresql://h/db", tmp_path) == "postgresql://h/db"
    with pytest.raises(typer.BadParameter):
        index_location("mysql://h/db", tmp_path)


def test_reading_commands_take_a_uri_for_the_index_dir(pg_lexical_dsn):
    from searcher.cli.app import app

    r = CliRunner().invoke(app, ["search", "Balans-22", "--mode", "lexical", "--json",
                                 "--index-dir", pg_lexical_dsn])
    assert r.exit_code == 0, r.output
    hits = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert hits and all("Balans-22" in h["text"] for h in hits[:3])
