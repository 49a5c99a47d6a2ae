"""An index of ../shared/protocols-dev (every file) and the seeds, lexical only, built once."""

from __future__ import annotations

import shutil

import pytest

from searcher.engine import open_index
from searcher.settings import Settings
from searcher.store.build import build_index
from tests.tools.dev_corpus import DEV, dev_files


@pytest.fixture(scope="session")
def dev_index_dir(tmp_path_factory):
    if not DEV.is_dir():
        pytest.skip("../shared/protocols-dev missing")
    src = tmp_path_factory.mktemp("dev-docs")
    for f in dev_files():
        shutil.copy(f, src / f.name)
    ix_dir = tmp_path_factory.mktemp("dev-index")
    build_index([src], ix_dir, semantic=False)
    return ix_dir


@pytest.fixture(scope="session")
def dev_index(dev_index_dir):
    with open_index(dev_index_dir, settings=Settings.resolve(index_dir=dev_index_dir)) as ix:
        yield ix
