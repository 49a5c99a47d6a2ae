#!/usr/bin/env python3
"""Distil the static "fast" model (`static-e5`) from the rebuilt default e5, offline.

    python scripts/distill_static.py              # → <cache>/models/static-e5/
    python scripts/distill_static.py --pca-dims 256 --force

model2vec's distillation runs every token of e5's vocabulary through the transformer once,
reduces the outputs with PCA and weights them by Zipf rank (SIF), giving a token → vector
table: encoding is then a lookup and a mean, hundreds of times faster than e5 on a CPU, at a
measured loss of quality (see README, "The fast model"). Everything is read from the cache
(`ensure_default_model()`): no hub is contacted. Needs `model2vec` and `skeletoken` (the
`distill` extra without its transformers<5.4 pin, which the distillation does not need).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

STATIC_MODEL = "static-e5"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache-dir", type=Path, default=None, help="cache root (default: ours)")
    ap.add_argument("--pca-dims", type=int, default=256)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--force", action="store_true", help="distil again over an existing one")
    args = ap.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from searcher.semantic.model_rebuild import ensure_default_model, model_cache_dir

    root = args.cache_dir or model_cache_dir()
    target = root / "models" / STATIC_MODEL
    if target.is_dir() and (target / "searcher_model.json").is_file() and not args.force:
        print(f"{target} exists (use --force to distil again)")
        return 0
    source = ensure_default_model(root, progress=lambda m: print(m, file=sys.stderr))

    import torch
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    model = AutoModel.from_pretrained(str(source))
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    static = distill_from_model(model, tokenizer, device=args.device, pca_dims=args.pca_dims)
    seconds = time.perf_counter() - t0

    tmp = target.with_name(f".{STATIC_MODEL}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    static.save_pretrained(str(tmp))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    record = {
        "name": STATIC_MODEL,
        "distilled_from": str(source.name),
        "method": "model2vec.distill_from_model (token outputs, PCA, SIF weights)",
        "pca_dims": args.pca_dims,
        "prompts": {"query": "", "passage": ""},
        "seconds": round(seconds, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime),
        "peak_rss_mb": round(peak_mb),
        "threads": args.threads,
    }
    (tmp / "searcher_model.json").write_text(json.dumps(record, indent=2) + "\n")
    umask = os.umask(0)
    os.umask(umask)
    for f in tmp.iterdir():  # safetensors writes 0600; the cache is shared like the e5 folder
        f.chmod(0o666 & ~umask)
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)
    print(json.dumps(record, indent=2))
    print(f"→ {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
