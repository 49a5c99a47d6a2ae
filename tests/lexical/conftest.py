"""Fixtures of the lexical tests: the seed corpus's sections, read once per module."""

from __future__ import annotations

import pytest

from searcher.records import Section
from searcher.store import layout
from searcher.store.sections import SectionStore


@pytest.fixture(scope="module")
def seed_sections(lexical_index_dir) -> list[Section]:
    gen, _ = layout.require_current(lexical_index_dir)
    store = SectionStore(gen / "sections.sqlite", readonly=True)
    try:
        return list(store.iter_sections())
    finally:
        store.close()
