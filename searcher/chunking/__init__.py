"""Document → sections: one § of a protocol, one heading of a report, or a generic block.

`split_document` picks the chunker by the document's type (`DocType`); every chunker first removes
page furniture and the table of contents (see `assemble.prepare`). Protocol extracts bundled at
the end of a report are split as a protocol. `split_passages` cuts a section into pieces that fit
the embedding model's window.

The names are loaded on first use, so that a module needing one helper of this stage's
vocabulary (the Dnr key of searcher.chunking.protocol.dnr, read by query filters) does not import
every chunker.
"""

from __future__ import annotations

import importlib

CHUNKER_VERSION = "c-4"
"""Bump on any change of section boundaries or texts: indexes re-read their files on update."""

_EXPORTS = {
    "CHUNKERS": "searcher.chunking.document",
    "split_document": "searcher.chunking.document",
    "table_of_contents": "searcher.chunking.document",
    "split_passages": "searcher.chunking.passages",
}
__all__ = ["CHUNKER_VERSION", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'searcher.chunking' has no attribute {name!r}")
