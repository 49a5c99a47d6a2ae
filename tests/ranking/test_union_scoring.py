"""Scoring given candidates in each arm (the union the fusion ranks) agrees with each arm's own
search: BM25F for named sections against the lexical top-k, cosines against exact search."""

from __future__ import annotations

import math

import numpy as np
import pytest

from searcher.semantic.vectors import VectorIndex, save


@pytest.mark.parametrize("query", ["Brottsofferjouren", "budget 2020", "Balans-22",
                                   "kompetens*", "temperatur mätare"])
def test_lexical_scores_of_named_sections_equal_the_arms_own_scores(lexical_index, query):
    lx = lexical_index.lexical
    top = lx.search(query, limit=200)
    some = [h.section_id for h in top[::3]]
    others = [s.section_id for s in lexical_index.sections("000_5ef240bb4f3b8a0b.txt")]
    got = lx.scores_of(query, some + others)
    want = {h.section_id: h.score for h in top}
    for sid, score in got.items():
        assert math.isclose(score, want.get(sid, 0.0), rel_tol=1e-9, abs_tol=1e-12), sid
    assert lx.scores_of(query, []) == {}


def test_sections_with_terms_matches_the_term_postings(lexical_index):
    lx = lexical_index.lexical
    [hit] = lx.search("Brottsofferjouren", limit=1)
    ids = [hit.section_id] + [h.section_id for h in lx.search("budget", limit=3)]
    having = lx.sections_with_terms([("exact", "brottsofferjouren")], ids)
    assert hit.section_id in having[("exact", "brottsofferjouren")]
    assert having[("exact", "brottsofferjouren")] <= set(ids)


def test_vector_scores_of_equal_exact_search(tmp_path):
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(40, 16)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    owners = [f"s{i // 3:02d}" for i in range(40)]  # 3 passages a section, the last has 1
    save(tmp_path, rows, owners, dtype="float32")
    vx = VectorIndex(tmp_path)
    q = rows[5] + 0.1 * rows[17]
    q /= np.linalg.norm(q)
    exact = {h.section_id: h.score for h in vx.search(q, limit=100, exact=True)}
    got = vx.scores_of(q, ["s13", "s01", "missing", "s05"])
    assert set(got) == {"s13", "s01", "s05"}
    for sid, score in got.items():
        assert math.isclose(score, exact[sid], rel_tol=1e-5)
