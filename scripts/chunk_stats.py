#!/usr/bin/env python3
"""Chunk a sample of ../shared/corpus-sv and report how the sections and passages come out.

    python scripts/chunk_stats.py --sample 2000 --seed 1 [--tokenizer]

Prints: documents read/failed (by reason), section-length percentiles, the share of
one-section documents (overall and among documents over 3,000 characters), sections by kind,
and passages per section. With --tokenizer it counts every passage with the real e5 tokenizer
(prompt and special tokens included) and checks that none exceeds the model window: no section
reaches the encoder unsplit.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from searcher.chunking import split_document, split_passages
from searcher.errors import SearcherError
from searcher.ingest import is_supported, load_document

WINDOW = 512


def percentiles(values: list[int], points=(5, 25, 50, 75, 95, 99)) -> dict[str, int]:
    if not values:
        return {}
    ordered = sorted(values)
    return {f"p{p}": ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] for p in points}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus-sv"))
    ap.add_argument("--sample", type=int, default=2000, help="documents (0 = all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tokenizer", action="store_true", help="count with the real e5 tokenizer")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)

    files = sorted(p for p in args.corpus.rglob("*") if p.is_file() and is_supported(p)
                   and p.name not in ("README.md",))
    if args.sample and args.sample < len(files):
        files = random.Random(args.seed).sample(files, args.sample)
    count = None
    budget = 480
    if args.tokenizer:
        from tokenizers import Tokenizer

        from searcher.semantic.model_rebuild import ensure_default_model

        tok = Tokenizer.from_file(str(ensure_default_model() / "tokenizer.json"))

        def count(text: str) -> int:
            return len(tok.encode(text, add_special_tokens=False).ids)

        budget = WINDOW - count("passage: ") - 4

    t0 = time.perf_counter()
    failed: Counter[str] = Counter()
    lengths: list[int] = []
    per_doc: list[tuple[int, int]] = []
    kinds: Counter[str] = Counter()
    passages_per_section: list[int] = []
    max_passage = 0
    over = 0
    for f in files:
        try:
            doc = load_document(f)
            sections = split_document(doc)
        except SearcherError as e:
            failed[str(e).split(": ", 1)[-1][:60]] += 1
            continue
        per_doc.append((len(doc.text), len(sections)))
        for s in sections:
            lengths.append(len(s.text))
            kinds[s.kind] += 1
            ps = split_passages(s, max_tokens=budget, count_tokens=count)
            passages_per_section.append(len(ps))
            if count is not None:
                for p in ps:
                    n = count("passage: " + p.text) + 2
                    max_passage = max(max_passage, n)
                    over += n > WINDOW
    secs = time.perf_counter() - t0
    one = sum(1 for _, n in per_doc if n == 1)
    big = [(c, n) for c, n in per_doc if c > 3000]
    report = {
        "documents": len(files), "read": len(per_doc), "failed": dict(failed),
        "seconds": round(secs, 1), "sections": len(lengths),
        "section_chars": percentiles(lengths) | {"max": max(lengths, default=0),
                                                 "mean": round(statistics.fmean(lengths), 1)},
        "one_section_share": round(one / max(len(per_doc), 1), 3),
        "one_section_share_over_3000_chars": round(
            sum(1 for _, n in big if n == 1) / max(len(big), 1), 3),
        "kinds": dict(kinds),
        "passages": sum(passages_per_section),
        "sections_split_into_several_passages": sum(1 for n in passages_per_section if n > 1),
    }
    if count is not None:
        report["max_passage_tokens_with_prompt_and_specials"] = max_passage
        report["passages_over_window"] = over
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
