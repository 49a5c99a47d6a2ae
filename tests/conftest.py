"""Shared fixtures: the seed corpus and indexes built from it once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
PROTOCOL = "000_5ef240bb4f3b8a0b.txt"
REPORT = "004_01ff4cff245c5c24.txt"
SHARED = ROOT.parent / "shared"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """Tests never see a developer's SEARCHER_* settings."""
    for key in list(os.environ):
        if key.startswith("SEARCHER_") and key != "SEARCHER_CACHE_DIR":
            monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def lexical_index_dir(tmp_path_factory) -> Path:
    """The seed corpus indexed lexically (no model), built once per session."""
    from searcher.indexing import build_index

    path = tmp_path_factory.mktemp("lexical") / "index"
    build_index([CORPUS], path, semantic=False)
    return path


@pytest.fixture(scope="session")
def full_index_dir(tmp_path_factory) -> Path:
    """The seed corpus with embeddings from the real default model, built once per session."""
    from searcher.indexing import build_index

    path = tmp_path_factory.mktemp("full") / "index"
    build_index([CORPUS], path, semantic=True)
    return path


@pytest.fixture(scope="session")
def full_index(full_index_dir):
    from searcher.engine import open_index

    ix = open_index(full_index_dir)
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def lexical_index(lexical_index_dir):
    from searcher.engine import open_index

    ix = open_index(lexical_index_dir)
    yield ix
    ix.close()
