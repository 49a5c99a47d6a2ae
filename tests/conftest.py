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


def peak_rss_kib() -> int:
    """This process's own peak resident memory in KiB. Linux's ru_maxrss is not it: a child
    started by fork + exec inherits the parent's peak (a test session holding the model reads
    2–3 GB in a child that used 0.2), so read the address space's VmHWM instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """Tests never see a developer's SEARCHER_* settings; the interface speaks English unless a
    test asks for Swedish (SEARCHER_LANG=sv), whatever the developer's locale."""
    for key in list(os.environ):
        if key.startswith("SEARCHER_") and key != "SEARCHER_CACHE_DIR":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SEARCHER_LANG", "en")


@pytest.fixture(scope="session")
def lexical_index_dir(tmp_path_factory) -> Path:
    """The seed corpus indexed lexically (no model), built once per session."""
    from searcher.store.build import build_index

    path = tmp_path_factory.mktemp("lexical") / "index"
    build_index([CORPUS], path, semantic=False)
    return path


@pytest.fixture(scope="session")
def full_index_dir(tmp_path_factory) -> Path:
    """The seed corpus with embeddings from the real default model, built once per session."""
    from searcher.store.build import build_index

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
