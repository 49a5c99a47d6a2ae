#!/usr/bin/env python3
"""Run every query of an eval file against an index and score the results.

    python scripts/evaluate.py ../shared/eval/public.json --mode hybrid --out results.jsonl
    python scripts/evaluate.py ../shared/eval/public.json --mode all
    python scripts/evaluate.py ../shared/eval/dev.json --coefficients tables/fit-on-public.json

Writes one line per query {"id", "hits": [{doc, text, section_id, …}]} (top 10, whole section
texts), then prints nDCG@10 / MRR@10 / recall@10 per query kind by running the score.py that
lies beside the eval file (the shared scorer), so our figures are the judges' figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from searcher.engine import open_index
from searcher.settings import SearchMode


def run_queries(eval_path: Path, index_dir: Path | str | None, mode: str, k: int,
                coefficients: dict[str, float] | None = None) -> list[dict]:
    queries = json.loads(eval_path.read_text(encoding="utf-8"))["queries"]
    rows = []
    with open_index(index_dir) as ix:
        for q in queries:
            results = ix.search(q["query"], mode=mode, limit=k, coefficients=coefficients)
            rows.append({"id": q["id"], "hits": [r.to_dict() for r in results]})
    return rows


def score(eval_path: Path, results_path: Path, per_query: bool) -> int:
    scorer = eval_path.parent / "score.py"
    if not scorer.exists():
        print(f"(no score.py beside {eval_path}; results written to {results_path})")
        return 0
    cmd = [sys.executable, str(scorer), str(eval_path), str(results_path)]
    if per_query:
        cmd.append("--per-query")
    return subprocess.call(cmd)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("eval", type=Path, help="eval JSON (format of ../shared/eval/public.json)")
    modes = [m.value for m in SearchMode] + ["all"]
    ap.add_argument("--mode", default="hybrid", choices=modes)
    ap.add_argument("--index-dir", type=Path, default=None)
    ap.add_argument("--backend", default=None,
                    help="a postgresql://… URI: evaluate that database instead of --index-dir")
    ap.add_argument("--out", type=Path, default=None, help="results JSONL (default: results/)")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--per-query", action="store_true")
    ap.add_argument("--coefficients", type=Path, default=None,
                    help="JSON table for the learned fusion instead of the shipped one, e.g. one "
                         "that scripts/cross_validate.py --write-tables fitted without this set "
                         "(an out-of-sample run)")
    args = ap.parse_args(argv)
    table = (json.loads(args.coefficients.read_text(encoding="utf-8"))
             if args.coefficients else None)

    run_modes = [m.value for m in SearchMode] if args.mode == "all" else [args.mode]
    status = 0
    for mode in run_modes:
        out = args.out or Path("results") / f"{args.eval.stem}-{mode}.jsonl"
        if args.mode == "all" and args.out:
            out = args.out.with_name(f"{args.out.stem}-{mode}{args.out.suffix}")
        out.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        rows = run_queries(args.eval, args.backend or args.index_dir, mode, args.k, table)
        secs = time.perf_counter() - t0
        with open(out, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"\n== mode {mode}: {len(rows)} queries in {secs:.1f} s → {out}", flush=True)
        status |= score(args.eval, out, args.per_query)
    return status


if __name__ == "__main__":
    sys.exit(main())
