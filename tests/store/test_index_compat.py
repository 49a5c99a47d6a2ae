"""Indexes on disk outlive code moves: whoosh pickles our analyzer classes by module path into
every index, so those paths are pinned here, and an index built before the package layout
changed (tests/data/index-before-layout, built by commit 38d2416) opens or is refused with the
"rebuild" message, never a traceback."""

from __future__ import annotations

import importlib
import io
import pickletools
import shutil
from pathlib import Path

from searcher.engine import open_index
from searcher.errors import IndexMismatchError
from searcher.store import layout

BEFORE = Path(__file__).resolve().parents[1] / "data" / "index-before-layout"

#: Every searcher class a lexical index's schema pickle names. Moving one of them breaks every
#: index built before: keep the old path importable, or bump layout.FORMAT_VERSION so that old
#: indexes are refused with "rebuild with `searcher index --rebuild`".
PICKLED_CLASSES = {
    "searcher.analysis.tokenizer IdentifierTokenizer",
    "searcher.analysis.stopwords SwedishStopFilter",
    "searcher.analysis.compounds CompoundFilter",
    "searcher.analysis.stemming SwedishStemFilter",
    "searcher.analysis.stemming SwedishStemmer",
}


def _pickled_globals(toc: Path) -> set[str]:
    """The `module name` pairs a whoosh TOC's schema pickle refers to (read, not loaded)."""
    data = toc.read_bytes()
    start = data.find(b"\x80")  # the pickle's PROTO opcode, after whoosh's binary header
    found: set[str] = set()
    for op, arg, _ in pickletools.genops(io.BytesIO(data[start:])):
        if op.name == "GLOBAL":
            found.add(arg)
        if op.name == "STOP":
            break
    return found


def _toc(index_dir: Path) -> Path:
    generation, _ = layout.require_current(index_dir)
    return next((generation / "lexical").glob("_MAIN_*.toc"))


def test_a_new_index_pickles_only_the_pinned_searcher_classes(lexical_index_dir):
    ours = {g for g in _pickled_globals(_toc(lexical_index_dir)) if g.startswith("searcher.")}
    assert ours == PICKLED_CLASSES, (
        "the analyzer classes whoosh pickles moved or changed: keep the old paths importable "
        "or bump FORMAT_VERSION")
    for entry in ours:
        module, name = entry.split()
        assert hasattr(importlib.import_module(module), name)


def test_the_index_built_before_the_layout_change_names_the_same_classes():
    old = {g for g in _pickled_globals(_toc(BEFORE)) if g.startswith("searcher.")}
    assert old == PICKLED_CLASSES


def test_an_index_built_before_the_layout_change_opens_or_asks_for_a_rebuild(tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(BEFORE, copy)
    try:
        ix = open_index(copy)
    except IndexMismatchError as e:  # a later format: refused, with what to do
        assert "searcher index" in str(e)
        return
    with ix:
        hits = ix.search("yttrande", mode="lexical", limit=3)
        assert hits and all("yttrande" in f"{h.section.title} {h.section.text}".lower()
                            for h in hits)
