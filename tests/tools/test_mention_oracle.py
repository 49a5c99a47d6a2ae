"""The mention oracle: `find_mentions` at its default options against a naive regex per term,
written by hand (tests/data/mention_oracle.tsv, rule in its header), over the raw text of every
file of ../shared/protocols-dev/ and the seeds: the same count in every file. The raw text
includes what no section holds (page headers, footers, signature lines), so this also checks
that every character of a document is reachable by `mentions`."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from searcher.engine import open_index
from searcher.settings import Settings
from searcher.store.build import build_index
from searcher.tools.mentions import find_mentions
from tests.conftest import SHARED
from tests.tools.dev_corpus import DEV, dev_files

TABLE = Path(__file__).parents[1] / "data" / "mention_oracle.tsv"
pytestmark = pytest.mark.skipif(not DEV.is_dir(), reason="../shared/protocols-dev missing")


def _rows() -> list[tuple[str, str]]:
    lines = [ln for ln in TABLE.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return [tuple(ln.split("\t")) for ln in lines[1:] if ln.strip()]


def _naive(pattern: str) -> dict[str, int]:
    rx = re.compile(pattern, re.IGNORECASE)
    out = {}
    for f in dev_files():
        text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", f.read_text(encoding="utf-8")))
        out[f.name] = len(rx.findall(text))
    return out


@pytest.mark.parametrize(("term", "pattern"), _rows(), ids=[r[0] for r in _rows()])
def test_default_mentions_count_what_the_naive_regex_counts(dev_index, term, pattern):
    got = Counter(m.doc for m in find_mentions(dev_index, term))
    want = _naive(pattern)
    assert sum(want.values()) > 0, f"{term}: the oracle finds nothing; a useless row"
    assert {d: got.get(d, 0) for d in want} == want


def test_page_furniture_is_reachable(dev_index):
    """`Utdragsbestyrkande` stands only in page footers: every one is found, outside sections."""
    found = list(find_mentions(dev_index, "Utdragsbestyrkande"))
    assert found and all(m.section_id is None for m in found if m.doc.endswith(".txt")
                         and not m.doc.startswith("0"))


# -- the eval's mention terms, default options -----------------------------------------------

def _eval_terms(name: str) -> list[dict]:
    path = SHARED / "eval" / name
    return json.loads(path.read_text(encoding="utf-8"))["mentions"] if path.is_file() else []


@pytest.mark.parametrize("spec", _eval_terms("public.json"), ids=lambda s: s["term"])
def test_public_terms_at_default_options(lexical_index, spec):
    found = Counter(m.doc for m in find_mentions(lexical_index, spec["term"]))
    assert {d: found.get(d, 0) for d in spec["per_doc"]} == spec["per_doc"]


@pytest.fixture(scope="module")
def dev_eval_index(tmp_path_factory):
    spec = json.loads((SHARED / "eval" / "dev.json").read_text(encoding="utf-8"))
    src = tmp_path_factory.mktemp("dev-docs")
    for name, rel in spec["paths"].items():
        if not (SHARED / rel).is_file():
            pytest.skip(f"../shared/{rel} missing")
        shutil.copy(SHARED / rel, src / name)
    ix_dir = tmp_path_factory.mktemp("dev-index")
    build_index([src], ix_dir, semantic=False)
    with open_index(ix_dir, settings=Settings.resolve(index_dir=ix_dir)) as ix:
        yield ix


@pytest.mark.parametrize("spec", _eval_terms("dev.json"), ids=lambda s: s["term"])
def test_dev_terms_at_default_options(dev_eval_index, spec):
    found = Counter(m.doc for m in find_mentions(dev_eval_index, spec["term"]))
    assert {d: found.get(d, 0) for d in spec["per_doc"]} == spec["per_doc"]
    assert sum(found.values()) == spec["expected_count"]
