"""Declarative partitions of `sections`: one list partition per municipality, one range
partition per year inside it, created on demand before rows arrive.

    sections                         PARTITION BY LIST (municipality)
      sections_vaxjo_3f2a1c          FOR VALUES IN ('växjö')   PARTITION BY RANGE (year)
        sections_vaxjo_3f2a1c_y2022  FOR VALUES FROM (2022) TO (2023)
        sections_vaxjo_3f2a1c_y0     FOR VALUES FROM (0) TO (1)      -- no date
      sections_none_…                FOR VALUES IN ('')              -- no municipality

Creating a partition locks the parent table briefly, so the writer does it in its own short
transaction before the batch that needs it, never inside a long one (readers would queue).
`section_partitions` records what exists, so the writer need not read the catalog.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

NO_YEAR = 0  # the year key of sections without a date
_SLUG_CHARS = 20


def partition_names(municipality: str, year: int) -> tuple[str, str]:
    """(municipality partition, year partition) table names: ASCII slug + short hash."""
    ascii_name = unicodedata.normalize("NFKD", municipality).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:_SLUG_CHARS] or "none"
    digest = hashlib.sha1(municipality.encode("utf-8")).hexdigest()[:6]
    parent = f"sections_{slug}_{digest}"
    return parent, f"{parent}_y{year}"


def ensure_partitions(conn, keys: Iterable[tuple[str, int]]) -> int:
    """Create the partitions missing for these (municipality, year) keys; how many leaves."""
    from psycopg import sql

    wanted = sorted(set(keys))
    if not wanted:
        return 0
    have = {(m, y) for m, y in conn.execute(
        "SELECT municipality, year FROM section_partitions").fetchall()}
    parents = {m for m, _ in have}
    created = 0
    for municipality, year in wanted:
        if (municipality, year) in have:
            continue
        parent, leaf = partition_names(municipality, year)
        with conn.transaction():
            if municipality not in parents:
                conn.execute(sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} PARTITION OF sections FOR VALUES IN ({}) "
                    "PARTITION BY RANGE (year)"
                ).format(sql.Identifier(parent), sql.Literal(municipality)))
                parents.add(municipality)
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})"
            ).format(sql.Identifier(leaf), sql.Identifier(parent), sql.Literal(year),
                     sql.Literal(year + 1)))
            conn.execute("INSERT INTO section_partitions VALUES (%s, %s, %s, %s)",
                         (municipality, year, parent, leaf))
        created += 1
    return created
