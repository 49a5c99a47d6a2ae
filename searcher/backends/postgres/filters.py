"""Search filters as SQL over the partitioned `sections` table, for both arms.

A Filters record (searcher.lexical.index) becomes one `WHERE` over ordinary indexes: equality on the
lowercased metadata columns, GIN containment on the Dnr array, and a year range, which also
prunes the year partitions (and a municipality filter the municipality partitions).
`FilterSet` is what the lexical arm's `matching_ids` hands the engine: a set of section ids that
the PostgreSQL vector arm turns back into the same SQL instead of shipping ids around.
"""

from __future__ import annotations

from collections.abc import Iterator, Set

from searcher.errors import BadQueryError
from searcher.query.filters import Filters

#: Filter field (searcher.lexical.index.FILTER_FIELDS values) → column of `sections`.
COLUMNS: dict[str, str] = {
    "doc": "doc",
    "municipality": "municipality",
    "organ": "organ",
    "doc_type": "doc_type",
    "arende": "arende",
    "paragraph": "paragraph",
    "kind": "kind",
}
MIN_YEAR, MAX_YEAR = 1, 9999  # year 0 means "no date": never inside a year range


def where_clause(filters: Filters, alias: str = "s") -> tuple[str, dict]:
    """(SQL condition on `sections AS alias`, named parameters); ("TRUE", {}) without filters."""
    parts: list[str] = []
    params: dict = {}
    for i, (field, value) in enumerate(filters.terms):
        name = f"flt{i}"
        if field == "dnr":
            parts.append(f"{alias}.dnr @> ARRAY[%({name})s]::text[]")
        elif field in COLUMNS:
            parts.append(f"{alias}.{COLUMNS[field]} = %({name})s")
        else:
            raise BadQueryError(f"unknown filter field {field!r}")
        params[name] = value
    if filters.year_from is not None or filters.year_to is not None:
        parts.append(f"{alias}.year BETWEEN %(flt_from)s AND %(flt_to)s")
        params["flt_from"] = max(MIN_YEAR, filters.year_from or MIN_YEAR)
        params["flt_to"] = filters.year_to or MAX_YEAR
    return (" AND ".join(parts) or "TRUE"), params


def sids_sql(filters: Filters) -> tuple[str, dict]:
    """A subquery of the sids passing the filters, and its named parameters."""
    cond, params = where_clause(filters)
    return f"SELECT s.sid FROM sections s WHERE {cond}", params


class FilterSet(Set):
    """The section ids passing some filters, fetched only if someone iterates them."""

    def __init__(self, db, filters: Filters):
        self.db = db
        self.filters = filters
        self._ids: frozenset[str] | None = None

    def _load(self) -> frozenset[str]:
        if self._ids is None:
            cond, params = where_clause(self.filters)
            with self.db.read() as conn:
                rows = conn.execute(f"SELECT s.section_id FROM sections s WHERE {cond}",
                                    params).fetchall()
            self._ids = frozenset(r[0] for r in rows)
        return self._ids

    def __contains__(self, section_id: object) -> bool:
        return section_id in self._load()

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())
