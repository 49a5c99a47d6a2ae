"""`searcher migrate --to postgresql://…`: copy an embedded index into PostgreSQL; and the two
helpers through which `--backend` (common.BackendOpt, env SEARCHER_BACKEND) reaches it.

- Reading commands open a `postgresql://…` URI wherever an index directory is accepted
  (`open_index(uri)`); `index_location(backend, index_dir)` picks which.
- `searcher index --backend URI` calls `index_into(…)`, which runs
  `searcher.backends.postgres.build_pg_index` with the same options as `build_index`; its
  BuildReport renders the same way (generation is "postgresql").
- The URI stays a string: a Path collapses `postgresql://` to `postgresql:/` (open_index
  repairs that, but messages would show the mangled form).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from searcher.backends.postgres.dsn import postgres_dsn, redact
from searcher.cli import render
from searcher.cli.common import DebugOpt, IndexDirOpt, cli_errors
from searcher.settings import Settings


def register(app: typer.Typer) -> None:
    """Add the `migrate` command to `app`."""
    app.command(name="migrate")(cli_errors(migrate_cmd))


def index_location(backend: str | None, index_dir: Path | None) -> str | Path | None:
    """What to open: the PostgreSQL URI when one is given, else the index directory."""
    if backend:
        dsn = postgres_dsn(backend)
        if dsn is None:
            raise typer.BadParameter(f"--backend takes a postgresql://… URI, got {backend!r}")
        return dsn
    return index_dir


def index_into(backend: str, paths: Sequence[Path], **options):
    """`searcher index --backend URI …`: build_pg_index with build_index's keyword options."""
    from searcher.backends.postgres import build_pg_index

    return build_pg_index(paths, str(index_location(backend, None)), **options)


def migrate_cmd(
    to: Annotated[str, typer.Option("--to", help="Target database: postgresql://user@host/db.")],
    index_dir: IndexDirOpt = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite an index already in the database.")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Copy the embedded index (sections, metadata, embeddings) into PostgreSQL.

    Nothing is encoded again; the lexicon is rebuilt by the same Swedish analyzers.

    Examples:

        searcher migrate --to postgresql://searcher@db.example/kommuner
        searcher migrate --index-dir index/ --to postgresql://localhost/test --replace
    """
    from searcher.backends.postgres import migrate
    from searcher.cli.progress import RichProgress

    dsn = postgres_dsn(to)
    if dsn is None:
        raise typer.BadParameter(f"--to takes a postgresql://… URI, got {to!r}")
    settings = Settings.resolve(index_dir=index_dir)
    with RichProgress() as progress:
        report = migrate(settings.index_dir, dsn, replace=replace, progress=progress)
    render.note(f"copied {len(report.indexed)} documents, {report.sections} sections "
                f"(embeddings {report.semantic}) from {settings.index_dir}/ to {redact(dsn)} "
                f"({report.seconds:.1f} s)")
