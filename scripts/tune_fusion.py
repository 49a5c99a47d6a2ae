#!/usr/bin/env python3
"""Tune the hybrid fusion's few parameters on an eval file, with leave-one-out validation.

    python scripts/tune_fusion.py ../shared/eval/public.json --index-dir index

Both arms are run once per query (top-50 candidates each, as the engine does); every fusion
variant is then scored offline with the shared score.py. For each query, the parameters are
chosen on the *other* queries (leave-one-out) and scored on the held-out one, so the figure
printed is an honest estimate for unseen queries, not a fit to these 30.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import sys
from pathlib import Path

from searcher.engine import open_index
from searcher.ranking.fusion import RRF_K, convex_combination, reciprocal_rank_fusion
from searcher.ranking.signals import has_identifier, lexical_weight, looks_english, query_coverage
from searcher.settings import SearchMode

CANDIDATES = 50


def load_scorer(eval_path: Path):
    spec = importlib.util.spec_from_file_location("score", eval_path.parent / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def collect(eval_path: Path, index_dir: Path | None) -> tuple[list[dict], dict]:
    queries = json.loads(eval_path.read_text(encoding="utf-8"))["queries"]
    runs = {}
    with open_index(index_dir) as ix:
        texts = {}
        for q in queries:
            # The same candidates the engine fuses: parsed, typo-corrected, both arms.
            c = ix.candidates(q["query"], mode=SearchMode.hybrid, filters=None, fetch=CANDIDATES)
            lex, sem = c.lexical, c.semantic
            cov = query_coverage(c.signal_query, ix.lexical)
            runs[q["id"]] = {"lex": lex, "sem": sem, "coverage": cov,
                             "english": looks_english(c.signal_query),
                             "identifier": has_identifier(c.signal_query)}
            for h in lex + sem:
                texts.setdefault(h.section_id, None)
        sections = ix.store.get_many(texts)
    return queries, {"runs": runs, "sections": sections}


def variants():
    """(name, params, fuse(run) -> [section_id]) for every point of the small grids."""
    for eps, floor, boost in itertools.product([0.0, 0.1, 0.25, 0.5], [0.0, 0.2], [1.0, 1.5, 2.0, 3.0]):
        def fuse(run, eps=eps, floor=floor, boost=boost):
            w = 0.0
            if run["lex"]:
                w = lexical_weight(run["coverage"], run["english"], run["identifier"],
                                   floor=floor, english_weight=eps, identifier_boost=boost)
            return reciprocal_rank_fusion(run["lex"], run["sem"], k=RRF_K, weights=(w, 1.0))
        yield "rrf", {"english": eps, "floor": floor, "identifier_boost": boost}, fuse
    for alpha, eps in itertools.product([0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [0.8, 0.9, 1.0]):
        def fuse(run, alpha=alpha, eps=eps):
            a = eps if run["english"] else alpha
            a = a if run["lex"] else 1.0
            return convex_combination(run["lex"], run["sem"], alpha=a)
        yield "convex", {"alpha": alpha, "english": eps}, fuse
    def fuse_plain(run):
        return reciprocal_rank_fusion(run["lex"], run["sem"], k=RRF_K)
    yield "rrf-equal", {}, fuse_plain


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("eval", type=Path)
    ap.add_argument("--index-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    score = load_scorer(args.eval)
    queries = score.load_eval(str(args.eval))
    _, data = collect(args.eval, args.index_dir)
    runs, sections = data["runs"], data["sections"]

    table = []  # (name, params, {qid: ndcg})
    for name, params, fuse in variants():
        results = {}
        for qid, run in runs.items():
            fused = fuse(run)[:10]
            results[qid] = [(sections[h.section_id].doc, score.norm(sections[h.section_id].text))
                            for h in fused]
        rep = score.evaluate(queries, results, 10)
        table.append((name, params, {q: s["ndcg"] for q, s in rep["per_query"].items()}, rep))

    def mean(per):
        return sum(per.values()) / len(per)

    table.sort(key=lambda row: -mean(row[2]))
    print("best 8 variants on all queries (in-sample nDCG@10):")
    for name, params, per, rep in table[:8]:
        kinds = " ".join(f"{k}={v['ndcg']:.3f}" for k, v in rep["by_kind"].items())
        print(f"  {mean(per):.4f}  {name:9s} {params}  {kinds}")
    for name in ("rrf-equal",):
        row = next(r for r in table if r[0] == name)
        print(f"  {mean(row[2]):.4f}  {name} (reference)")

    ids = list(runs)
    loo = {}
    for qid in ids:
        best = max(table, key=lambda row: sum(v for q, v in row[2].items() if q != qid))
        loo[qid] = (best[2][qid], best[0], best[1])
    picks = {json.dumps([p[1], p[2]]) for p in loo.values()}
    print(f"\nleave-one-out nDCG@10: {sum(v[0] for v in loo.values()) / len(loo):.4f} "
          f"({len(picks)} distinct parameter choices across folds)")
    for p in sorted(picks):
        print("  chosen:", p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
