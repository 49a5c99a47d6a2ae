#!/usr/bin/env python3
"""Passage encoding of the default model's runtimes against bare torch, in one process.

    python scripts/bench_encode.py --index-dir /tmp/seeds-lex torch onnx-q4:16 onnx-q4 onnx-int8

Each candidate is `torch` (a bare sentence-transformers `model.encode`, batch 16, torch's
own threads: issue 17's yardstick) or a SEARCHER_RUNTIME value (OnnxModel.encode as indexing
calls it: one text per run, one run per core at once), with `:N` in batches of N on one
session of every thread instead (`:1`: one text at a time on that session). The
passages are those that indexing would encode for the index given (a lexical-only index is
enough). The candidates run interleaved, slice by slice of the passages (`--slices`),
`--rounds` times, and the median is reported: on a machine shared with other jobs only
ratios measured side by side mean anything. Each line gives passages/s, the ratio
to torch, achieved GFLOP/s and its share of the machine's fp32 peak (bench.py's estimate),
and with `--cosine` the minimum/mean cosine to torch over every passage of the index.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from bench import _passages, encoder_gflop, machine_peak_gflops  # noqa: E402


def _batched(om, model, texts: list[str], batch: int):
    """OnnxModel.encode in batches of `batch` on one session of every thread, even on the CPU
    (where it runs one text per run, `threads` runs at once: onnx_model.rows_per_run,
    runs_at_once): the encoding as it was (`:1` is session 4's), for comparison."""
    saved = om.rows_per_run, om.runs_at_once
    om.rows_per_run, om.runs_at_once = (lambda plan, size: size), (lambda plan, threads: 1)
    try:
        return model.encode(texts, batch)
    finally:
        om.rows_per_run, om.runs_at_once = saved


def _candidates(names: list[str], folder: Path) -> dict:
    """name → encode(texts) -> (n, dim) array."""
    from searcher.semantic import onnx_model as om

    out = {}
    for name in names:
        if name == "torch":
            from sentence_transformers import SentenceTransformer

            st = SentenceTransformer(str(folder), device="cpu")
            out[name] = lambda t, st=st: st.encode(t, batch_size=16, normalize_embeddings=True,
                                                   convert_to_numpy=True,
                                                   show_progress_bar=False)
            continue
        runtime, _, batch = name.partition(":")
        plan = om.plan_runtime(om.Runtime(runtime), [om.CPU])
        model = om.OnnxModel(folder, plan, threads=os.cpu_count() or 1)
        out[name] = (lambda t, m=model: m.encode(t, 16)) if not batch else (
            lambda t, m=model, b=int(batch): _batched(om, m, t, b))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("candidates", nargs="+", help="torch, or a runtime with optional :batch")
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--passages", type=int, default=24, help="timed passages (spread evenly)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--slices", type=int, default=6, help="turns each round takes per candidate")
    ap.add_argument("--cosine", action="store_true", help="cosine to torch over all passages")
    args = ap.parse_args(argv)
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(key, "1")
    from searcher.semantic.encoder import DEFAULT_MODEL, Encoder
    from searcher.semantic.model_rebuild import ensure_default_model

    enc = Encoder(DEFAULT_MODEL)
    texts = [enc.prompts["passage"] + p.text for p in _passages(args.index_dir, enc)]
    timed = texts[:: max(1, len(texts) // args.passages)][: args.passages]
    lengths = [min(512, enc.count_tokens(t) + 2) for t in timed]
    gflop, peak = encoder_gflop(lengths), machine_peak_gflops()
    encode = _candidates(args.candidates, ensure_default_model())
    cosine = {}
    if args.cosine:
        ref = (encode.get("torch") or _candidates(["torch"], ensure_default_model())
               ["torch"])(texts)
        for name, f in encode.items():
            c = (np.asarray(f(texts)) * ref).sum(axis=1)
            cosine[name] = f"{c.min():.5f} / {c.mean():.5f}"
    for f in encode.values():
        f(timed[:2])  # first-run allocations
    seconds: dict[str, list[float]] = {name: [] for name in encode}
    size = -(-len(timed) // max(1, args.slices))
    for _ in range(args.rounds):
        total = dict.fromkeys(encode, 0.0)
        for start in range(0, len(timed), size):
            for name, f in encode.items():
                t = time.perf_counter()
                f(timed[start : start + size])
                total[name] += time.perf_counter() - t
        for name in encode:
            seconds[name].append(total[name])
    print(f"{len(timed)} passages of {sum(lengths) / len(lengths):.0f} tokens (mean), "
          f"{gflop:.0f} GFLOP; fp32 peak {peak['peak_gflops']} GFLOP/s ({peak['cores']} cores, "
          f"VNNI {peak['vnni']}); load average {os.getloadavg()[0]:.1f}")
    base = statistics.median(seconds["torch"]) if "torch" in seconds else None
    print("| candidate | passages/s | × torch | GFLOP/s | % of peak | cosine to torch min / mean |")
    print("|---|---|---|---|---|---|")
    for name, runs in seconds.items():
        s = statistics.median(runs)
        ratio = f"{base / s:.2f}" if base else "–"
        print(f"| {name} | {len(timed) / s:.2f} | {ratio} | {gflop / s:.1f} | "
              f"{100 * gflop / s / peak['peak_gflops']:.1f} | {cosine.get(name, '–')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
