"""The learned fusion end to end on the seed index with the real model (slow)."""

from __future__ import annotations

import pytest

from tests.conftest import PROTOCOL

pytestmark = pytest.mark.slow


def test_english_query_naming_a_swedish_body_keeps_the_lexical_arm(full_index):
    [first, *_] = full_index.search("What did Brottsofferjouren ask for?", mode="hybrid", limit=3)
    assert first.section.doc == PROTOCOL and first.section.paragraph == "262"
    assert first.lexical_rank == 1
    features = dict(first.features)
    assert features["lexical"] == 1.0 and features["lexical_x_english"] == 1.0


def test_every_hybrid_hit_has_both_arms_scores_and_its_features(full_index):
    results = full_index.search("Hur mycket pengar blev över 2020?", mode="hybrid", limit=10)
    assert len(results) == 10
    for r in results:
        assert r.semantic_score is not None and r.semantic_rank is not None
        assert r.lexical_score is not None
        assert len(r.features) == 10
        d = r.to_dict()
        assert set(d["features"]) == {name for name, _ in r.features}


def test_alpha_overrides_the_learned_combiner(full_index):
    r = full_index.respond("Balans-22", mode="hybrid", limit=3, alpha=0.0)
    assert r.weights == (1.0, 0.0)
    assert all("Balans-22" in x.section.text for x in r.results)
