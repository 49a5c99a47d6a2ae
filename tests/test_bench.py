"""scripts/bench.py: the query set, the fixed-seed sample, and a smoke run on a tiny subset."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "scripts" / "bench.py"
CORPUS_SV = ROOT.parent / "shared" / "corpus-sv"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_query_set_is_realistic_and_mixed():
    bench = _bench_module()
    queries = bench.load_queries(bench.DEFAULT_QUERIES)
    assert 25 <= len(queries) <= 40
    assert len(set(queries)) == len(queries)
    assert any(q.endswith("?") for q in queries)  # natural-language questions
    assert any(q.startswith('"') for q in queries)  # phrases
    assert any(any(c.isdigit() for c in q) for q in queries)  # identifiers
    assert any(" " not in q for q in queries)  # single words


def test_percentiles():
    bench = _bench_module()
    p = bench.pcts([float(x) for x in range(1, 101)])
    assert p["p50_ms"] == 50.5 and p["p95_ms"] == 95.0 and p["n"] == 100
    assert bench.pcts([]) == {"n": 0}


@pytest.mark.skipif(not CORPUS_SV.is_dir(), reason="needs ../shared/corpus-sv")
def test_sample_is_fixed_and_nested():
    bench = _bench_module()
    small = bench.sample_files(CORPUS_SV, docs=20, seed=13)
    large = bench.sample_files(CORPUS_SV, docs=50, seed=13)
    assert small == bench.sample_files(CORPUS_SV, docs=20, seed=13)
    assert large[:20] == small and all(f.is_file() for f in large)
    by_mb = bench.sample_files(CORPUS_SV, mb=0.5, seed=13)
    assert by_mb == bench.sample_files(CORPUS_SV, docs=len(by_mb), seed=13)


@pytest.mark.skipif(not CORPUS_SV.is_dir(), reason="needs ../shared/corpus-sv")
def test_bench_smoke_run_emits_the_json_keys(tmp_path):
    out = tmp_path / "bench.json"
    cmd = [sys.executable, str(BENCH), "--docs", "20", "--semantic-docs", "0", "--vectors", "0",
           "--max-queries", "4", "--repeat", "1", "--cold-runs", "2", "--json", str(out),
           "--workdir", str(tmp_path / "work")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert {"seed", "queries", "machine", "runs"} <= set(result)
    run = result["runs"][0]
    assert run["docs"] == 20 and run["sections"] > 0
    for engine in ("ours", "whoosh"):
        e = run[engine]
        assert e["index"]["seconds"] > 0 and e["index"]["peak_rss_mb"] > 0
        assert e["index"]["mb_per_s"] > 0 and e["index"]["sections_per_s"] > 0
        assert e["size_bytes"]["total"] > 0
        assert e["query"]["lexical"]["p50_ms"] > 0 and e["query"]["lexical"]["p95_ms"] > 0
        assert e["cold"]["p50_ms"] > 0 and e["cold"]["peak_rss_mb"] > 0
    assert {"query_p50", "cold_p50", "size_lexical", "index_lexical_write_time",
            "query_p50_whoosh_scored"} <= set(run["ratios"])
    assert run["ours"]["query_whoosh_scored"]["lexical"]["p50_ms"] > 0
    assert run["ours"]["typos"]["queries"] == 8 and run["ours"]["typos"]["first_time"]["n"] == 8
    assert "ratios ours/whoosh" in done.stdout and "20d" in done.stdout


def test_vectors_only_needs_an_earlier_runs_indexes(tmp_path):
    """--vectors-only measures on indexes left in --workdir; without them it says which run
    makes them instead of building anything."""
    corpus = tmp_path / "corpus"  # a manifest of its own: no need for ../shared/corpus-sv
    corpus.mkdir()
    (corpus / "MANIFEST.tsv").write_text(
        "file\tbytes\n" + "".join(f"d{i}.txt\t100\n" for i in range(30)), encoding="utf-8")
    cmd = [sys.executable, str(BENCH), "--corpus", str(corpus), "--docs", "20",
           "--semantic-docs", "5", "--vectors", "1000", "--vectors-only", "--reuse",
           "--workdir", str(tmp_path / "work")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode != 0
    assert "ix-20d" in done.stderr and "--workdir" in done.stderr
    assert not (tmp_path / "work" / "ix-20d").exists()


def test_a_missing_corpus_is_one_clear_line(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH), "--corpus", str(tmp_path / "none"),
                           "--docs", "5", "--index-only"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        f"bench: no corpus at {tmp_path / 'none'} (it has no MANIFEST.tsv); "
        f"give one with --corpus DIR"]
