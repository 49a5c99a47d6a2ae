"""Hybrid and semantic search with the real rebuilt model (slow: loads e5, encodes the seeds)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROTOCOL, ROOT, SHARED

pytestmark = pytest.mark.slow

EU_QUERY = "Does the municipality support the EU proposal for a European health data space?"


def test_english_query_finds_paragraph_261_semantically(full_index):
    top3 = full_index.search(EU_QUERY, mode="semantic", limit=3)
    assert any(r.section.doc == PROTOCOL and r.section.paragraph == "261" for r in top3)


def test_english_query_ranks_paragraph_261_first_in_hybrid(full_index):
    [first, *_] = full_index.search(EU_QUERY, mode="hybrid", limit=3)
    assert first.section.paragraph == "261"


def test_hybrid_keeps_exact_identifier_hits_on_top(full_index):
    results = full_index.search("Balans-22", mode="hybrid", limit=5)
    assert all("Balans-22" in r.section.text for r in results)


def test_hybrid_results_explain_both_arms(full_index):
    [first, *_] = full_index.search("Brottsofferjourens arbete", mode="hybrid", limit=3)
    assert first.lexical_rank is not None and first.semantic_rank is not None


def test_index_refuses_another_query_model(full_index_dir):
    from searcher.engine import open_index
    from searcher.errors import IndexMismatchError

    with pytest.raises(IndexMismatchError, match="embeddings were made with"):
        open_index(full_index_dir, model="intfloat/multilingual-e5-base")


def test_manifest_records_the_model(full_index):
    sem = full_index.manifest["semantic"]
    assert sem["model"] == "multilingual-e5-small-rebuilt"
    assert sem["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert sem["dim"] == 384 and sem["normalize"] is True
    assert sem["sections"] == full_index.manifest["sections"]


@pytest.mark.skipif(not (SHARED / "eval" / "public.json").exists(), reason="no shared eval set")
def test_evaluation_script_scores_all_modes(full_index_dir, tmp_path):
    """scripts/evaluate.py end to end; hybrid must not fall below either arm or 0.75 nDCG@10."""
    out = tmp_path / "r.jsonl"
    p = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate.py"), str(SHARED / "eval" / "public.json"),
         "--mode", "all", "--index-dir", str(full_index_dir), "--out", str(out)],
        capture_output=True, text=True, timeout=900,
    )
    assert p.returncode == 0, p.stderr
    ndcg = {}
    for mode in ("hybrid", "lexical", "semantic"):
        rows = [json.loads(x) for x in (tmp_path / f"r-{mode}.jsonl").read_text().splitlines()]
        assert len(rows) == 30 and all(len(r["hits"]) <= 10 for r in rows)
        if mode != "lexical":  # the lexical arm may legitimately match nothing (typos)
            assert all(len(r["hits"]) == 10 for r in rows)
        s = subprocess.run(
            [sys.executable, str(SHARED / "eval" / "score.py"), str(SHARED / "eval" / "public.json"),
             str(tmp_path / f"r-{mode}.jsonl"), "--json", str(tmp_path / f"{mode}.json")],
            capture_output=True, text=True, timeout=60,
        )
        assert s.returncode == 0, s.stderr
        ndcg[mode] = _overall_ndcg(json.loads((tmp_path / f"{mode}.json").read_text()))
    assert ndcg["hybrid"] >= 0.75, ndcg
    assert ndcg["hybrid"] >= max(ndcg["lexical"], ndcg["semantic"]), ndcg


def _overall_ndcg(scores: dict) -> float:
    return float(scores["overall"]["ndcg"])


def test_similar_to_260_ranks_259_first_among_protocol_paragraphs(full_index):
    """§ 260 and § 259 are both yttranden over a revisors' granskning."""
    response = full_index.similar("000_5ef240bb4f3b8a0b/p260", limit=20)
    paragraphs = [r.section.paragraph for r in response.results if r.section.doc == PROTOCOL]
    assert paragraphs[0] == "259"
    with_type = full_index.similar("000_5ef240bb4f3b8a0b/p260", filters={"typ": "yttrande"})
    # § 261, a remiss the arbetsutskott answers ("tillstyrker"), is a remissvar too (issue 16)
    typed = [r.section.paragraph for r in with_type.results]
    assert typed[0] == "259" and sorted(typed) == ["259", "261"]


@pytest.mark.parametrize("fusion", ["rrf", "convex"])
def test_both_fusion_methods_answer(full_index, fusion):
    results = full_index.search("Brottsofferjourens arbete", fusion=fusion, limit=5)
    assert results[0].section.paragraph == "262"


def test_partial_embeddings_are_reported_and_completed(tmp_path):
    """--no-semantic after a semantic build: hybrid says what is missing; `index` completes it."""
    from searcher.engine import open_index
    from searcher.store.build import build_index
    from tests.conftest import CORPUS, REPORT

    build_index([CORPUS / PROTOCOL], tmp_path, semantic=True)
    build_index([CORPUS / PROTOCOL, CORPUS / REPORT], tmp_path, semantic=False)
    with open_index(tmp_path) as ix:
        response = ix.respond("Balans-22", mode="hybrid", limit=3)
        assert any("embeddings cover 9 of" in n for n in response.notes), response.notes
    report = build_index([CORPUS / PROTOCOL, CORPUS / REPORT], tmp_path, semantic=True)
    assert report.semantic == "complete" and report.indexed == ()
    with open_index(tmp_path) as ix:
        assert not ix.respond("Balans-22", mode="hybrid", limit=3).notes
