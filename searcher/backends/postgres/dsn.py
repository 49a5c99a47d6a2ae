"""Recognise a PostgreSQL connection URI where an index directory could be given.

Kept free of heavy imports: `searcher.engine.open_index` calls it on every open.
"""

from __future__ import annotations

import os
import re

SCHEMES = ("postgresql://", "postgres://")
# pathlib collapses "//" to "/": Path("postgresql://h/db") prints as "postgresql:/h/db".
_COLLAPSED = re.compile(r"^(postgres(?:ql)?):/(?!/)")


def postgres_dsn(value: str | os.PathLike | None) -> str | None:
    """The URI when `value` names a PostgreSQL database (also after a trip through Path)."""
    if value is None:
        return None
    text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    if text.startswith(SCHEMES):
        return text
    if _COLLAPSED.match(text):
        return _COLLAPSED.sub(r"\1://", text, count=1)
    return None


def redact(dsn: str) -> str:
    """The URI without its password, for messages and the index's `where`."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", dsn)
