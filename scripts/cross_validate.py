#!/usr/bin/env python3
"""Compare hybrid fusion methods out of sample on several eval sets, and fit the learned one.

    python scripts/cross_validate.py ../shared/eval/public.json ../shared/eval/dev.json \
        --index-dir /tmp/seed-index --index-dir /tmp/dev-index [--fit] [--per-kind]

Each eval file is run against its own index (the --index-dir given in the same position). Both
arms run once per query, exactly as the engine does (`SearchIndex.candidates`: parse, typo
correction, top-50 per arm, the union scored in both arms, the query signals); every method is
then fitted and scored offline with the shared score.py. Methods:

  lexical, semantic   each arm alone (its own ranking)
  rrf                 equal-weight RRF, k = 60 (no parameter)
  rrf-weighted        RRF with the lexical arm's weight chosen on the training queries
  convex              (1 − α)·BM25/max + α·cosine min-max over the union; α chosen on training
  learned             pairwise logistic regression on searcher.ranking.features (numpy)

Protocols: leave one set out (fit on the other sets, score this one), k-fold by query over all
sets pooled (each query scored by a model that never saw it), and, for reference only,
in-sample (fit and score on everything). `--fit` prints the coefficients fitted on all queries
in the form of searcher.ranking.learned.COEFFICIENTS.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from searcher.engine import open_index
from searcher.ranking.features import FEATURES, Candidate, QuerySignals, feature_matrix
from searcher.ranking.fusion import RRF_K, reciprocal_rank_fusion
from searcher.ranking.learned import L2_PENALTY, as_table, fit_pairwise, learned_scores
from searcher.records import Hit
from searcher.settings import SearchMode

CANDIDATES = 50
FOLDS = 6
SEED = 15
RRF_WEIGHTS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
ALPHAS = tuple(round(a * 0.05, 2) for a in range(21))
KIND_ORDER = ("exact", "morph", "compound", "paraphrase", "english", "typo")


@dataclass(frozen=True)
class Run:
    """One query's candidates and what is needed to score a ranking of them."""

    qid: str
    set_name: str
    kind: str
    lexical: tuple[Hit, ...]
    semantic: tuple[Hit, ...]
    union: tuple[Candidate, ...]
    signals: QuerySignals
    gains: tuple[float, ...]  # per union candidate: summed grades of the anchors it holds
    texts: dict  # section_id -> (doc, normalised text), for the scorer


def load_scorer(eval_path: Path):
    spec = importlib.util.spec_from_file_location("score", eval_path.parent / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def collect(eval_path: Path, index_dir: Path, scorer) -> list[Run]:
    """Run both arms for every query of one eval file against its index."""
    queries = json.loads(eval_path.read_text(encoding="utf-8"))["queries"]
    runs = []
    with open_index(index_dir) as ix:
        for q in queries:
            c = ix.candidates(q["query"], mode=SearchMode.hybrid, filters=None, fetch=CANDIDATES)
            ids = {h.section_id for h in c.lexical} | {h.section_id for h in c.semantic}
            ids |= {u.section_id for u in c.union}
            sections = ix.store.get_many(ids)
            texts = {s: (sec.doc, scorer.norm(sec.text)) for s, sec in sections.items()}
            gains = []
            for u in c.union:
                doc, text = texts[u.section_id]
                gains.append(float(sum(
                    r["grade"] for r in q["relevant"]
                    if r.get("grade", 0) > 0 and scorer.norm(r["anchor"]) in text
                    and scorer.doc_matches(doc, r["doc"]))))
            runs.append(Run(q["id"], eval_path.stem, q["kind"], tuple(c.lexical),
                            tuple(c.semantic), c.union, c.signals, tuple(gains), texts))
    return runs


# -- methods: fit(train runs) -> params; rank(run, params) -> section ids --------------------------
def _by_score(run: Run, scores) -> list[str]:
    order = sorted(range(len(run.union)),
                   key=lambda i: (-float(scores[i]), run.union[i].section_id))
    return [run.union[i].section_id for i in order]


def rank_lexical(run: Run, _params) -> list[str]:
    return [h.section_id for h in run.lexical]


def rank_semantic(run: Run, _params) -> list[str]:
    return [h.section_id for h in run.semantic]


def rank_rrf(run: Run, weight) -> list[str]:
    w = 1.0 if weight is None else weight
    fused = reciprocal_rank_fusion(run.lexical, run.semantic, k=RRF_K, weights=(w, 1.0))
    return [h.section_id for h in fused]


def rank_convex(run: Run, alpha) -> list[str]:
    x = feature_matrix(run.union, run.signals)
    col = {n: i for i, n in enumerate(FEATURES)}
    return _by_score(run, (1 - alpha) * x[:, col["lexical"]] + alpha * x[:, col["semantic"]])


def rank_learned(run: Run, table) -> list[str]:
    return _by_score(run, learned_scores(feature_matrix(run.union, run.signals), table))


def fit_learned(train: list[Run], l2: float = L2_PENALTY) -> dict[str, float]:
    data = [(feature_matrix(r.union, r.signals), np.array(r.gains)) for r in train]
    return as_table(fit_pairwise(data, l2=l2))


@dataclass(frozen=True)
class Method:
    name: str
    fit: Callable[[list[Run]], object]
    rank: Callable[[Run, object], list[str]]


def grid_fit(rank, grid, evaluate) -> Callable[[list[Run]], object]:
    """A fit that picks the grid value with the best mean nDCG@10 on the training runs (the
    first of equals, so the choice is deterministic)."""
    def fit(train: list[Run]):
        return max(grid, key=lambda p: (evaluate(train, rank, p), -grid.index(p)))
    return fit


class Evaluator:
    """nDCG@10 per query with the shared scorer, one eval file per set."""

    def __init__(self, evals: dict[str, tuple[object, list[dict]]]):
        self.evals = evals  # set name -> (scorer module, queries)

    def per_query(self, runs: list[Run], ranked: dict[str, list[str]]) -> dict[str, float]:
        out = {}
        for set_name in {r.set_name for r in runs}:
            scorer, queries = self.evals[set_name]
            mine = [r for r in runs if r.set_name == set_name]
            ids = {r.qid for r in mine}
            results = {r.qid: [r.texts[s] for s in ranked[r.qid][:10]] for r in mine}
            rep = scorer.evaluate([q for q in queries if q["id"] in ids], results, 10)
            out.update({(set_name, q): v["ndcg"] for q, v in rep["per_query"].items()})
        return out

    def mean(self, runs: list[Run], rank, params) -> float:
        per = self.per_query(runs, {r.qid: rank(r, params) for r in runs})
        return sum(per.values()) / max(len(per), 1)


def protocols(runs: list[Run], method: Method, ev: Evaluator) -> dict[str, dict]:
    """Per protocol: {(set, qid): nDCG@10} with every query scored once."""
    out: dict[str, dict] = {}
    sets = sorted({r.set_name for r in runs})
    params = method.fit(runs)
    out["in-sample"] = ev.per_query(runs, {r.qid: method.rank(r, params) for r in runs})
    loso: dict = {}
    for s in sets:
        test = [r for r in runs if r.set_name == s]
        p = method.fit([r for r in runs if r.set_name != s])
        loso.update(ev.per_query(test, {r.qid: method.rank(r, p) for r in test}))
    out["leave-one-set-out"] = loso
    order = list(range(len(runs)))
    random.Random(SEED).shuffle(order)
    kfold: dict = {}
    for f in range(FOLDS):
        test_idx = set(order[f::FOLDS])
        test = [runs[i] for i in sorted(test_idx)]
        p = method.fit([runs[i] for i in range(len(runs)) if i not in test_idx])
        kfold.update(ev.per_query(test, {r.qid: method.rank(r, p) for r in test}))
    out[f"{FOLDS}-fold"] = kfold
    return out


def methods(ev: Evaluator, extra_l2: tuple[float, ...] = ()) -> list[Method]:
    return [
        Method("lexical", lambda _t: None, rank_lexical),
        Method("semantic", lambda _t: None, rank_semantic),
        Method("rrf", lambda _t: None, rank_rrf),
        Method("rrf-weighted", grid_fit(rank_rrf, list(RRF_WEIGHTS), ev.mean), rank_rrf),
        Method("convex", grid_fit(rank_convex, list(ALPHAS), ev.mean), rank_convex),
        Method("learned", fit_learned, rank_learned),
        *(Method(f"learned-l2={l2:g}", lambda t, l2=l2: fit_learned(t, l2), rank_learned)
          for l2 in extra_l2),
    ]


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def report(runs: list[Run], results: dict[str, dict[str, dict]], per_kind: bool) -> None:
    sets = sorted({r.set_name for r in runs})
    kind_of = {(r.set_name, r.qid): r.kind for r in runs}
    protos = list(next(iter(results.values())))
    print("\nnDCG@10 by method, protocol and set (every query scored once per protocol)")
    print("| method | protocol | " + " | ".join(sets) + " | all |")
    print("|---|---|" + "---:|" * (len(sets) + 1))
    for name, by_proto in results.items():
        for proto in protos:
            per = by_proto[proto]
            cells = [f"{_mean(v for k, v in per.items() if k[0] == s):.3f}" for s in sets]
            print(f"| {name} | {proto} | " + " | ".join(cells) + f" | {_mean(per.values()):.3f} |")
    if not per_kind:
        return
    for proto in protos:
        for s in sets:
            kinds = [k for k in KIND_ORDER if any(kind_of[q] == k for q in kind_of if q[0] == s)]
            print(f"\nby kind, {s}, {proto}")
            print("| method | " + " | ".join(kinds) + " |")
            print("|---|" + "---:|" * len(kinds))
            for name, by_proto in results.items():
                per = by_proto[proto]
                cells = [f"{_mean(v for q, v in per.items() if q[0] == s and kind_of[q] == k):.3f}"
                         for k in kinds]
                print(f"| {name} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("evals", type=Path, nargs="+", help="eval JSON files")
    ap.add_argument("--index-dir", type=Path, action="append", required=True,
                    help="one per eval file, in the same order")
    ap.add_argument("--cache", type=Path, default=None,
                    help="pickle of the collected runs: read if present, else written")
    ap.add_argument("--fit", action="store_true", help="print coefficients fitted on all queries")
    ap.add_argument("--per-kind", action="store_true")
    ap.add_argument("--write-tables", type=Path, default=None,
                    help="write fit-on-SET.json (the learned table fitted on that set alone) "
                         "and fit-on-all.json here, for scripts/evaluate.py --coefficients")
    ap.add_argument("--only", default=None, help="comma-separated method names")
    ap.add_argument("--l2", type=float, action="append", default=[],
                    help="also compare the learned combiner with this L2 penalty")
    args = ap.parse_args(argv)
    if len(args.index_dir) != len(args.evals):
        ap.error("give one --index-dir per eval file")
    scorers = {e.stem: load_scorer(e) for e in args.evals}
    evals = {e.stem: (scorers[e.stem], scorers[e.stem].load_eval(str(e))) for e in args.evals}
    if args.cache and args.cache.is_file():
        runs = pickle.loads(args.cache.read_bytes())
    else:
        runs = [r for e, ix in zip(args.evals, args.index_dir, strict=True)
                for r in collect(e, ix, scorers[e.stem])]
        if args.cache:
            args.cache.write_bytes(pickle.dumps(runs))
    ev = Evaluator(evals)
    chosen = methods(ev, tuple(args.l2))
    if args.only:
        keep = set(args.only.split(","))
        chosen = [m for m in chosen if m.name in keep]
    results = {m.name: protocols(runs, m, ev) for m in chosen}
    report(runs, results, args.per_kind)
    if args.write_tables:
        args.write_tables.mkdir(parents=True, exist_ok=True)
        for s in sorted({r.set_name for r in runs}) + ["all"]:
            train = runs if s == "all" else [r for r in runs if r.set_name == s]
            (args.write_tables / f"fit-on-{s}.json").write_text(
                json.dumps(fit_learned(train), indent=1) + "\n", encoding="utf-8")
    if args.fit:
        table = fit_learned(runs)
        print("\nCOEFFICIENTS fitted on all queries:")
        for name, v in table.items():
            print(f'    "{name}": {v:.4f},')
    return 0


if __name__ == "__main__":
    sys.exit(main())
