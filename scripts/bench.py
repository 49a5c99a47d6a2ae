#!/usr/bin/env python3
"""Benchmark indexing, index size, query latency and memory over subsets of corpus-sv.

    python scripts/bench.py --docs 1000 10000 --json results/bench.json
    python scripts/bench.py --mb 20 --semantic-docs 50 --vectors 100000
    python scripts/bench.py --docs 20 --semantic-docs 0 --vectors 0      # smoke run

For every subset (a fixed-seed random sample of MANIFEST.tsv; smaller samples are prefixes of
larger ones) it builds our index lexically and a plain whoosh index (stock StemmingAnalyzer,
one field, default writer) over the same sections, then measures both: indexing throughput,
index size, warm in-process query latency (p50/p95 over bench_queries.txt, after a warm-up
pass) and cold command-line latency (a new process per query). Every build and measurement runs
in a child process so its peak memory (ru_maxrss) is its own.

Encoding is the expensive part on a CPU, so the semantic arm is indexed on a smaller subset
(`--semantic-docs`) and compared with a bare `model.encode` loop over the same passages. Query
latency at `--vectors` vectors uses that subset's real vectors tiled to size with small noise
(reported as such) attached to the largest subset's sections, so the lexical arm is real too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus-sv"
DEFAULT_QUERIES = Path(__file__).with_name("bench_queries.txt")
SEED = 13
LIMIT = 10  # hits per query, as the CLI default
TILE_NOISE = 0.02  # std-dev per dimension added to tiled vectors (cosine to the source ≈ 0.93)
MODES = ("lexical", "semantic", "hybrid")
STATIC_MODEL = "static-e5"  # searcher.semantic.encoder.STATIC_MODEL (not imported: stay light)


# --------------------------------------------------------------------------- helpers


def load_queries(path: Path) -> list[str]:
    """Non-empty lines that are not comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.lstrip().startswith("#")]


def manifest_rows(corpus: Path) -> list[tuple[str, int]]:
    """(relative file, bytes) for every document of MANIFEST.tsv, in file order."""
    if not (corpus / "MANIFEST.tsv").is_file():
        raise SystemExit(f"bench: no corpus at {corpus} (it has no MANIFEST.tsv); "
                         f"give one with --corpus DIR")
    rows = []
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        i_file, i_bytes = header.index("file"), header.index("bytes")
        for line in f:
            cols = line.rstrip("\n").split("\t")
            rows.append((cols[i_file], int(cols[i_bytes])))
    return rows


def sample_files(corpus: Path, *, docs: int | None = None, mb: float | None = None,
                 seed: int = SEED) -> list[Path]:
    """A fixed-seed sample: a prefix of one shuffle, so smaller samples nest in larger ones."""
    rows = manifest_rows(corpus)
    random.Random(seed).shuffle(rows)
    if mb is not None:
        out, total = [], 0
        for rel, size in rows:
            if total >= mb * 1e6:
                break
            out.append(rel)
            total += size
    else:
        out = [rel for rel, _ in rows[: docs or len(rows)]]
    return [corpus / rel for rel in out]


def pcts(ms: list[float]) -> dict:
    """p50/p95/mean in milliseconds (nearest-rank p95)."""
    if not ms:
        return {"n": 0}
    s = sorted(ms)
    p95 = s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]
    return {"n": len(s), "p50_ms": round(statistics.median(s), 3), "p95_ms": round(p95, 3),
            "mean_ms": round(statistics.fmean(s), 3)}


def du(path: Path) -> int:
    """Bytes of the files under path (or of the file)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_child(task: str, spec: dict, *, timeout: float | None = None,
              env: dict | None = None) -> dict:
    """Run `task` in a fresh interpreter; its JSON result plus wall time and peak RSS (MB)."""
    t0 = time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)  # a file: 10,000 paths exceed the argument list limit
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", task, "@" + f.name],
        stdout=subprocess.PIPE, text=True, env={**_child_env(), **(env or {})},
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    os.unlink(f.name)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {task!r} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["child_wall_s"] = round(wall, 3)
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return result


def timed_command(cmd: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of one command, output discarded."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=_child_env())
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, proc.returncode


def _child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def searcher_command() -> list[str]:
    """The installed `searcher` entry point beside this interpreter, else `python -m searcher`."""
    exe = Path(sys.executable).with_name("searcher")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "searcher"]


# --------------------------------------------------------------------------- child tasks


class TimedProgress:
    """A Progress that times each stage build_index reports (checking, reading, lexical, …)."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.stages: dict[str, float] = {}
        self.messages: list[tuple[float, str]] = []
        self._open: tuple[str, float] | None = None

    def now(self) -> float:
        return time.perf_counter() - self.t0

    def message(self, text: str) -> None:
        self.messages.append((self.now(), text))

    def warn(self, text: str) -> None:
        pass

    def start(self, stage: str, total: int) -> None:
        self._open = (stage, self.now())

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        if self._open:
            stage, t = self._open
            self.stages[stage] = self.stages.get(stage, 0.0) + self.now() - t
            self._open = None

    def message_at(self, prefix: str) -> float | None:
        return next((t for t, text in self.messages if text.startswith(prefix)), None)


def child_build(spec: dict) -> dict:
    """build_index over the given files; stage times from its progress reports."""
    import searcher.semantic.encoder as encoder_module
    from searcher.store.build import build_index

    loads: list[float] = []
    base = encoder_module.Encoder

    class LoadTimedEncoder(base):  # records model load time, to report encoding without it
        def __init__(self, *args, **kwargs):
            t = time.perf_counter()
            super().__init__(*args, **kwargs)
            loads.append(time.perf_counter() - t)

    encoder_module.Encoder = LoadTimedEncoder
    progress = TimedProgress()
    files = [Path(f) for f in spec["files"]]
    t0 = time.perf_counter()
    report = build_index(files, Path(spec["index_dir"]), semantic=spec["semantic"],
                         model=spec.get("model") or "multilingual-e5-small-rebuilt",
                         batch_size=spec.get("batch_size", 16), progress=progress)
    total = time.perf_counter() - t0
    phases = dict(progress.stages)
    sem_start = progress.message_at("loading embedding model")
    if sem_start is not None:
        phases["model_load"] = sum(loads)
        phases["semantic_without_load"] = total - sem_start - sum(loads)
    return {
        "seconds": round(total, 3),
        "docs": len(report.indexed) + len(report.unchanged),
        "sections": report.sections,
        "passages_encoded": report.passages_encoded,
        "skipped": len(report.skipped),
        "input_bytes": sum(f.stat().st_size for f in files),
        "phases": {k: round(v, 3) for k, v in phases.items()},
    }


def _passages(index_dir: Path, encoder):
    from searcher.chunking.passages import split_passages
    from searcher.store import layout
    from searcher.store.sections import SectionStore

    gen, _ = layout.require_current(index_dir)
    store = SectionStore(gen / "sections.sqlite", readonly=True)
    budget = encoder.passage_token_budget()
    out = [p for s in store.iter_sections()
           for p in split_passages(s, max_tokens=budget, count_tokens=encoder.count_tokens)]
    store.close()
    return out


def child_bare_encode(spec: dict) -> dict:
    """A bare sentence-transformers (torch) `model.encode` over the passages indexing encodes.

    The yardstick of issue 17: the library's own loop, default threads, nothing of ours in it.
    The passages are split with our encoder's token counts, exactly as indexing splits them.
    """
    from searcher.semantic.encoder import Encoder

    enc = Encoder(spec.get("model") or "multilingual-e5-small-rebuilt")
    t = time.perf_counter()
    texts = [enc.prompts["passage"] + p.text for p in _passages(Path(spec["index_dir"]), enc)]
    split_s = time.perf_counter() - t
    lengths = [min(512, enc.count_tokens(x) + 2) for x in texts]
    t = time.perf_counter()
    if enc.name == STATIC_MODEL:
        enc._model.encode(texts, max_length=None)
        load_s = enc.load_seconds
    else:
        from sentence_transformers import SentenceTransformer

        from searcher.semantic.model_rebuild import ensure_default_model

        name = enc.name
        path = str(ensure_default_model()) if name == "multilingual-e5-small-rebuilt" else name
        model = SentenceTransformer(path, device="cpu")
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        model.encode(texts, batch_size=spec.get("batch_size", 16), normalize_embeddings=True,
                     convert_to_numpy=True, show_progress_bar=False)
    secs = time.perf_counter() - t
    return {"seconds": round(secs, 3), "passages": len(texts),
            "passages_per_s": round(len(texts) / secs, 2),
            "passage_bytes": sum(len(x.encode()) for x in texts),
            "split_seconds": round(split_s, 3), "model_load_seconds": round(load_s, 3),
            "gflop": round(encoder_gflop(lengths), 1)}


#: e5-small's shape (BERT: hidden 384, feed-forward 1536, 12 layers), for the FLOP estimate.
E5_HIDDEN, E5_FF, E5_LAYERS = 384, 1536, 12


def encoder_gflop(lengths: list[int]) -> float:
    """Multiply-adds × 2 of one forward pass over passages of these token lengths: the dense
    layers (4·H² + 2·H·FF per token) and attention (2·n²·H per passage), per layer."""
    dense = sum(lengths) * (4 * E5_HIDDEN**2 + 2 * E5_HIDDEN * E5_FF)
    attention = sum(n * n for n in lengths) * 2 * E5_HIDDEN
    return 2 * E5_LAYERS * (dense + attention) / 1e9


def machine_peak_gflops() -> dict:
    """A rough fp32 peak: cores × clock × 32 FLOP/cycle (two AVX2 FMA units), and the flags."""
    mhz, flags = 0.0, set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("cpu MHz") and not mhz:
                mhz = float(line.split(":")[1])
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":")[1].split())
    except OSError:
        pass
    per_cycle = 64 if "avx512f" in flags else 32 if "fma" in flags else 8
    return {"cores": os.cpu_count(), "mhz": mhz, "flop_per_cycle": per_cycle,
            "peak_gflops": round((os.cpu_count() or 1) * mhz / 1000 * per_cycle, 1),
            "vnni": "avx512_vnni" in flags or "avx_vnni" in flags}


def own_peak_mb() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss of a child carries the
    parent's peak after fork + exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def child_runtime(spec: dict) -> dict:
    """One runtime of the default model (SEARCHER_RUNTIME in the child's environment): load
    time and memory, passages/s over a fixed sample, query encoding latency."""
    import numpy as np

    from searcher.semantic.encoder import Encoder

    t = time.perf_counter()
    enc = Encoder(spec.get("model") or "multilingual-e5-small-rebuilt")
    load_s = time.perf_counter() - t
    load_mb = own_peak_mb()
    texts = _passages(Path(spec["index_dir"]), enc)[: spec["passages"]]
    enc.encode_passages([p.text for p in texts[:4]])  # warm-up: first-run allocations
    t = time.perf_counter()
    vecs = enc.encode_passages([p.text for p in texts], batch_size=spec.get("batch_size", 16))
    secs = time.perf_counter() - t
    times = []
    for q in spec["queries"]:
        enc.clear_cache()
        t = time.perf_counter()
        enc.encode_query(q)
        times.append((time.perf_counter() - t) * 1000)
    return {"runtime": enc.runtime, "device": enc.device, "load_seconds": round(load_s, 3),
            "load_peak_mb": load_mb, "passages": len(texts),
            "passages_per_s": round(len(texts) / secs, 2), "encode_query": pcts(times),
            "peak_mb": own_peak_mb(), "vectors": np.asarray(vecs, dtype=float).round(5).tolist()}


def child_query(spec: dict) -> dict:
    """Warm in-process latency per mode: one warm-up pass, then `repeat` measured passes."""
    from searcher.engine import open_index

    queries, repeat = spec["queries"], spec["repeat"]
    out: dict = {}
    t = time.perf_counter()
    ix = open_index(Path(spec["index_dir"]))
    out["open_ms"] = round((time.perf_counter() - t) * 1000, 3)
    if spec.get("scoring"):  # "whoosh": our query scored by whoosh's matchers, for comparison
        ix.lexical.scoring = spec["scoring"]
    modes = [m for m in spec["modes"] if m == "lexical" or ix.has_semantic]
    for mode in modes:
        for q in queries:
            ix.search(q, mode=mode, limit=LIMIT)
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(repeat):  # the modes take turns, so a change of load falls on each alike
        for mode in modes:
            if mode != "lexical":
                ix.encoder().clear_cache()  # query encoding is part of what we measure
            for q in queries:
                t = time.perf_counter()
                ix.search(q, mode=mode, limit=LIMIT)
                times[mode].append((time.perf_counter() - t) * 1000)
    out.update((mode, pcts(ms)) for mode, ms in times.items())
    if ix.has_semantic and "semantic" in modes:
        enc = ix.encoder()
        vectors = ix._vectors()
        enc_ms, vec_ms = [], []
        for q in queries:
            enc.clear_cache()
            t = time.perf_counter()
            qv = enc.encode_query(q)
            enc_ms.append((time.perf_counter() - t) * 1000)
            for _ in range(repeat):
                t = time.perf_counter()
                vectors.search(qv, limit=50)
                vec_ms.append((time.perf_counter() - t) * 1000)
        out["encode_query"] = pcts(enc_ms)
        out["vector_search_top50"] = pcts(vec_ms)
        out["vectors"] = len(vectors.vectors)
        out["vector_backend"] = vectors.backend
    ix.close()
    return out


def _baseline_schema():
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    return Schema(section_id=ID(stored=True), text=TEXT(analyzer=StemmingAnalyzer()))


def child_baseline_build(spec: dict) -> dict:
    """Plain whoosh over our sections: stock StemmingAnalyzer, one field, default writer."""
    from whoosh import index

    from searcher.store import layout
    from searcher.store.sections import SectionStore

    gen, _ = layout.require_current(Path(spec["index_dir"]))
    store = SectionStore(gen / "sections.sqlite", readonly=True)
    docs = [(s.section_id, f"{s.title}\n{s.text}") for s in store.iter_sections()]
    store.close()
    out = Path(spec["out_dir"])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t = time.perf_counter()
    ix = index.create_in(str(out), _baseline_schema())
    writer = ix.writer()
    for sid, text in docs:
        writer.add_document(section_id=sid, text=text)
    writer.commit()
    secs = time.perf_counter() - t
    return {"seconds": round(secs, 3), "sections": len(docs),
            "section_bytes": sum(len(t.encode()) for _, t in docs)}


def _baseline_search(searcher, parser, query: str) -> list[str]:
    return [r["section_id"] for r in searcher.search(parser.parse(query), limit=LIMIT)]


def _baseline_parser(ix):
    from whoosh.qparser import OrGroup, QueryParser

    # OR semantics as ours (an AND parser would answer most questions with nothing).
    return QueryParser("text", ix.schema, group=OrGroup)


def child_baseline_query(spec: dict) -> dict:
    """Plain whoosh warm latency: one searcher and parser, BM25F defaults, top 10."""
    from whoosh import index

    ix = index.open_dir(spec["out_dir"])
    parser = _baseline_parser(ix)
    times = []
    with ix.searcher() as s:
        for q in spec["queries"]:
            _baseline_search(s, parser, q)
        for _ in range(spec["repeat"]):
            for q in spec["queries"]:
                t = time.perf_counter()
                _baseline_search(s, parser, q)
                times.append((time.perf_counter() - t) * 1000)
    return {"lexical": pcts(times)}


def child_baseline_cli(spec: dict) -> dict:
    """The plain-whoosh equivalent of one `searcher search` run (cold: a new process)."""
    from whoosh import index

    ix = index.open_dir(spec["out_dir"])
    with ix.searcher() as s:
        ids = _baseline_search(s, _baseline_parser(ix), spec["query"])
    print("\n".join(ids))
    return {"hits": len(ids)}


def child_vectors(spec: dict) -> dict:
    """Attach `target` tiled real vectors to an index's sections; time exact vs ANN search."""
    import numpy as np

    from searcher.semantic import vectors as vector_store
    from searcher.semantic.encoder import Encoder
    from searcher.store import layout
    from searcher.store.sections import SectionStore

    src_gen, src_manifest = layout.require_current(Path(spec["src_index"]))
    real = np.asarray(vector_store.VectorIndex(src_gen / "semantic").vectors, dtype=np.float32)
    dst = Path(spec["dst_index"])
    gen, manifest = layout.require_current(dst)
    store = SectionStore(gen / "sections.sqlite", readonly=True)
    sids = [s.section_id for s in store.iter_sections()]
    store.close()
    n, dim = spec["target"], real.shape[1]
    rng = np.random.default_rng(SEED)
    rows = real[np.arange(n) % len(real)] + rng.normal(0, spec["noise"], (n, dim))
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    passage_sections = [sids[i * len(sids) // n] for i in range(n)]
    save_s = None
    if spec.get("attach", True):  # else: the same rows attached by an earlier run (--reuse)
        shutil.rmtree(gen / "semantic", ignore_errors=True)
        t = time.perf_counter()
        vector_store.save(gen / "semantic", rows, passage_sections)
        save_s = round(time.perf_counter() - t, 3)
    sem = dict(src_manifest["semantic"])
    vi = vector_store.VectorIndex(gen / "semantic")
    sem.update({"sections": len(set(passage_sections)), "passages": n, "dtype": vi.dtype})
    if spec.get("attach", True):
        manifest["semantic"] = sem
        if "files" in manifest:  # the manifest lists every file with its size (crash safety)
            manifest["files"] = layout.file_sizes(gen)
        layout.atomic_write_text(gen / layout.MANIFEST, json.dumps(manifest, indent=2))

    enc = Encoder(sem["model"])
    queries = [enc.encode_query(q) for q in spec["queries"]]
    # Also held-out-like queries: perturbed stored vectors (near-duplicates are the hard case).
    picks = rng.choice(n, size=min(200, n), replace=False)
    probes = rows[picks] + rng.normal(0, 0.03, (len(picks), dim)).astype(np.float32)
    probes /= np.linalg.norm(probes, axis=1, keepdims=True)
    out = {"vectors": n, "source_vectors": len(real), "sections": len(set(passage_sections)),
           "save_seconds": save_s, "backend": vi.backend, "dtype": vi.dtype,
           "size_bytes": du(gen / "semantic"),
           "how": f"{len(real)} real e5 passage vectors tiled to {n} with N(0, {spec['noise']})"
                  " noise per dimension, renormalised"}
    for name, qs in (("queries", queries), ("probes", list(probes))):
        exact_ms, ann_ms, recalls = [], [], []
        for q in qs:
            vi.search(q, limit=LIMIT)
            t = time.perf_counter()
            want = vi.search(q, limit=LIMIT, exact=True)
            exact_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            got = vi.search(q, limit=LIMIT)
            ann_ms.append((time.perf_counter() - t) * 1000)
            w = {h.section_id for h in want}
            recalls.append(len(w & {h.section_id for h in got}) / max(1, len(w)))
        out[name] = {"exact_top10": pcts(exact_ms), "default_top10": pcts(ann_ms),
                     "recall_at_10": round(float(np.mean(recalls)), 4), "n": len(qs)}
    return out


#: Misspelled words of the query set: what typo expansion costs a user the first time.
TYPOS = ["arbetsmijö", "skyddsomubd", "äldreomsrog", "bostadsbirdag", "kommunstyrelsne",
         "vindkarft", "sjukförsäkirngen", "klimatanpasning"]


def child_typos(spec: dict) -> dict:
    """Each misspelled query searched once in a warm session (typo expansion included)."""
    from searcher.engine import open_index

    ix = open_index(Path(spec["index_dir"]))
    ix.search("arbetsmiljö", mode="lexical", limit=LIMIT)  # the session is warm, the words new
    times, corrected = [], 0
    for q in spec["queries"]:
        t = time.perf_counter()
        response = ix.respond(q, mode="lexical", limit=LIMIT)
        times.append((time.perf_counter() - t) * 1000)
        corrected += bool(response.notes)
    ix.close()
    return {"first_time": pcts(times), "corrected": corrected, "queries": len(times)}


CHILDREN = {
    "build": child_build,
    "bare_encode": child_bare_encode,
    "query": child_query,
    "baseline_build": child_baseline_build,
    "baseline_query": child_baseline_query,
    "baseline_cli": child_baseline_cli,
    "vectors": child_vectors,
    "typos": child_typos,
    "runtime": child_runtime,
}


# --------------------------------------------------------------------------- the run


#: `searcher search` exits as grep: 0 hits found, 1 none (a fixed query set may find nothing
#: in a small sample); anything else is a failure.
FOUND_OR_NONE = (0, 1)


def cold_runs(queries: list[str], index_dir: Path, baseline_dir: Path, runs: int) -> dict:
    """New-process latency of `searcher search --mode lexical` and of the plain-whoosh script."""
    ours, base, rss_ours, rss_base = [], [], [], []
    for q in (queries * (runs // max(1, len(queries)) + 1))[:runs]:
        secs, rss, rc = timed_command(
            [*searcher_command(), "search", q, "--mode", "lexical", "--index-dir",
             str(index_dir), "--json", "--limit", str(LIMIT)])
        if rc not in FOUND_OR_NONE:
            raise RuntimeError(f"searcher search {q!r} exited {rc}")
        ours.append(secs * 1000)
        rss_ours.append(rss)
        spec = json.dumps({"out_dir": str(baseline_dir), "query": q})
        secs, rss, rc = timed_command([sys.executable, __file__, "--child", "baseline_cli", spec])
        base.append(secs * 1000)
        rss_base.append(rss)
    return {"ours": {**pcts(ours), "peak_rss_mb": round(max(rss_ours), 1)},
            "whoosh": {**pcts(base), "peak_rss_mb": round(max(rss_base), 1)}}


def cold_modes(queries: list[str], index_dir: Path, runs: int) -> dict:
    """New-process `searcher search` per mode on one index, alternating modes run by run."""
    by_mode: dict[str, list[float]] = {"lexical": [], "hybrid": []}
    rss: dict[str, list[float]] = {"lexical": [], "hybrid": []}
    for q in (queries * (runs // max(1, len(queries)) + 1))[:runs]:
        for mode in by_mode:
            secs, peak, rc = timed_command(
                [*searcher_command(), "search", q, "--mode", mode, "--index-dir",
                 str(index_dir), "--json", "--limit", str(LIMIT)])
            if rc not in FOUND_OR_NONE:
                raise RuntimeError(f"searcher search {q!r} --mode {mode} exited {rc}")
            by_mode[mode].append(secs * 1000)
            rss[mode].append(peak)
    out = {m: {**pcts(v), "peak_rss_mb": round(max(rss[m]), 1)} for m, v in by_mode.items()}
    out["hybrid_over_lexical_p50"] = _ratio(out["hybrid"]["p50_ms"], out["lexical"]["p50_ms"])
    return out


def bench_runtimes(index_dir: Path, args, queries: list[str]) -> dict:
    """Each runtime of the default model on the same passages, one child each, side by side;
    cosine of each runtime's vectors to torch's."""
    import numpy as np

    out: dict = {}
    for runtime in args.runtimes:
        log(f"[runtimes] {runtime}")
        env = {"SEARCHER_RUNTIME": runtime}
        out[runtime] = run_child("runtime", {"index_dir": str(index_dir), "queries": queries,
                                             "passages": args.runtime_passages,
                                             "batch_size": args.batch_size}, env=env)
    vectors = {rt: np.asarray(r.pop("vectors")) for rt, r in out.items()}
    ref = vectors.get("torch")
    for rt, r in out.items():
        if ref is not None and len(vectors[rt]) == len(ref):
            cos = (vectors[rt] * ref).sum(axis=1)
            r["cosine_to_torch_min"] = round(float(cos.min()), 5)
            r["cosine_to_torch_mean"] = round(float(cos.mean()), 5)
    return out


def sizes(index_dir: Path, parts: tuple[str, ...] = ("lexical", "sections.sqlite", "semantic")
          ) -> dict:
    from_gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    out = {part: du(from_gen / part) for part in parts if (from_gen / part).exists()}
    out["total"] = sum(out.values())
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def bench_subset(label: str, files: list[Path], work: Path, args, queries: list[str]) -> dict:
    ix = work / f"ix-{label}"
    base_dir = work / f"whoosh-{label}"
    saved = work / f"builds-{label}.json"
    if args.reuse and saved.is_file() and ix.is_dir() and base_dir.is_dir():
        log(f"[{label}] reusing the indexes built earlier in {work} (and their build figures)")
        build, base = json.loads(saved.read_text())
    else:
        log(f"[{label}] {len(files)} documents: building our lexical index")
        shutil.rmtree(ix, ignore_errors=True)
        build = run_child("build", {"files": [str(f) for f in files], "index_dir": str(ix),
                                    "semantic": False})
        log(f"[{label}] {build['sections']} sections in {build['seconds']:.1f} s; plain whoosh")
        base = run_child("baseline_build", {"index_dir": str(ix), "out_dir": str(base_dir)})
        saved.write_text(json.dumps([build, base]))
    mb = build["input_bytes"] / 1e6
    build["mb_per_s"] = round(mb / build["seconds"], 3)
    build["sections_per_s"] = round(build["sections"] / build["seconds"], 1)
    base["mb_per_s"] = round(base["section_bytes"] / 1e6 / base["seconds"], 3)
    base["sections_per_s"] = round(base["sections"] / base["seconds"], 1)
    lex_write = build["phases"].get("lexical")
    build["lexical_write_mb_per_s"] = (round(base["section_bytes"] / 1e6 / lex_write, 3)
                                       if lex_write else None)
    if args.index_only:
        q_ours = q_whoosh_scored = q_base = {"lexical": {}}
        typos, cold = None, {"ours": {}, "whoosh": {}}
    else:
        log(f"[{label}] warm queries")
        q_ours = run_child("query", {"index_dir": str(ix), "queries": queries,
                                     "repeat": args.repeat, "modes": ["lexical"]})
        q_whoosh_scored = run_child("query", {"index_dir": str(ix), "queries": queries,
                                              "repeat": args.repeat, "modes": ["lexical"],
                                              "scoring": "whoosh"})
        q_base = run_child("baseline_query", {"out_dir": str(base_dir), "queries": queries,
                                              "repeat": args.repeat})
        typos = run_child("typos", {"index_dir": str(ix), "queries": TYPOS})
        cold = {"ours": {}, "whoosh": {}}  # --cold-runs 0: none
        if args.cold_runs:
            log(f"[{label}] cold command-line runs")
            cold = cold_runs(queries, ix, base_dir, args.cold_runs)
    size_ours, size_base = sizes(ix, ("lexical", "sections.sqlite")), du(base_dir)
    return {
        "label": label,
        "docs": len(files),
        "input_bytes": build["input_bytes"],
        "sections": build["sections"],
        "index_dir": str(ix),
        "ours": {"index": build, "size_bytes": size_ours, "query": q_ours,
                 "query_whoosh_scored": q_whoosh_scored, "typos": typos, "cold": cold["ours"]},
        "whoosh": {"index": base, "size_bytes": {"total": size_base},
                   "query": q_base, "cold": cold["whoosh"]},
        "ratios": {
            "index_sections_per_s_end_to_end": _ratio(build["sections_per_s"],
                                                      base["sections_per_s"]),
            "index_lexical_write_time": _ratio(lex_write, base["seconds"]),
            # issue 17: our whole build (input MB / build time, reading and splitting
            # included) against plain whoosh's writer over the same section text
            "index_mb_per_s_whole_build": _ratio(build["mb_per_s"], base["mb_per_s"]),
            "index_mb_per_s_lexical_write": _ratio(build["lexical_write_mb_per_s"],
                                                   base["mb_per_s"]),
            "size_lexical": _ratio(size_ours.get("lexical"), size_base),
            "query_p50": _ratio(q_ours["lexical"].get("p50_ms"), q_base["lexical"].get("p50_ms")),
            "query_p95": _ratio(q_ours["lexical"].get("p95_ms"), q_base["lexical"].get("p95_ms")),
            "query_p50_whoosh_scored": _ratio(q_whoosh_scored["lexical"].get("p50_ms"),
                                              q_base["lexical"].get("p50_ms")),
            "cold_p50": _ratio(cold["ours"].get("p50_ms"), cold["whoosh"].get("p50_ms")),
            "index_peak_rss": _ratio(build["peak_rss_mb"], base["peak_rss_mb"]),
        },
    }


def bench_semantic(files: list[Path], work: Path, args, queries: list[str]) -> dict:
    label = f"sem{len(files)}"
    ix = work / f"ix-{label}"
    saved = work / f"semantic-{label}.json"
    if args.reuse and saved.is_file() and ix.is_dir():
        log(f"[{label}] reusing the semantic index and figures left in {work}")
        return json.loads(saved.read_text())
    shutil.rmtree(ix, ignore_errors=True)
    spec = {"files": [str(f) for f in files], "index_dir": str(ix), "model": args.model,
            "batch_size": args.batch_size}
    log(f"[{label}] lexical build, then embeddings added to it")
    run_child("build", {**spec, "semantic": False})
    log(f"[{label}] bare model.encode over the same passages")
    bare = [run_child("bare_encode", spec)]
    log(f"[{label}] our semantic indexing")
    ours = run_child("build", {**spec, "semantic": True})
    bare.append(run_child("bare_encode", spec))
    n = ours["passages_encoded"]
    secs = ours["phases"]["semantic_without_load"]
    bare_s = statistics.fmean(b["seconds"] for b in bare)
    passage_bytes = bare[0]["passage_bytes"]
    log(f"[{label}] warm queries, all modes")
    q = run_child("query", {"index_dir": str(ix), "queries": queries, "repeat": 1,
                            "modes": list(MODES)})
    log(f"[{label}] cold command-line runs, lexical and hybrid side by side")
    cold = cold_modes(queries, ix, args.cold_mode_runs) if args.cold_mode_runs else None
    runtimes = bench_runtimes(ix, args, queries) if args.runtimes else None
    gflop = bare[0].get("gflop")
    result = {
        "label": label, "docs": len(files), "index_dir": str(ix), "passages": n,
        "ours": {**ours, "passages_per_s": round(n / secs, 2),
                 "mb_per_s": round(passage_bytes / 1e6 / secs, 4),
                 "sections_per_s": round(ours["sections"] / secs, 2)},
        "bare_encode": {"runs": bare, "seconds_mean": round(bare_s, 3),
                        "passages_per_s": round(n / bare_s, 2)},
        "throughput_vs_bare": round(bare_s / secs, 3),
        "size_bytes": sizes(ix),
        "query": q,
        "cold": cold,
        "runtimes": runtimes,
        "flops": {"gflop": gflop, **machine_peak_gflops(),
                  "ours_gflops": round(gflop / secs, 2) if gflop else None,
                  "bare_gflops": round(gflop / bare_s, 2) if gflop else None},
    }
    saved.write_text(json.dumps(result))
    return result


def bench_vectors(target: int, sem: dict, big: dict, args, queries: list[str]) -> dict:
    log(f"[vectors] {target} vectors on the {big['docs']}-document index")
    spec = {"src_index": sem["index_dir"], "dst_index": big["index_dir"],
            "target": target, "noise": TILE_NOISE, "queries": queries}
    attached = Path(big["index_dir"] + f".vectors-{target}.json")  # what is attached there now
    key = {k: spec[k] for k in ("src_index", "target", "noise")}
    reuse = args.reuse and attached.is_file() and json.loads(attached.read_text()) == key
    if reuse:
        log(f"[vectors] reusing the {target} vectors attached by an earlier run")
    attached.unlink(missing_ok=True)
    info = run_child("vectors", {**spec, "attach": not reuse})
    attached.write_text(json.dumps(key))
    q = run_child("query", {"index_dir": big["index_dir"], "queries": queries,
                            "repeat": args.repeat, "modes": list(MODES)})
    lex, hyb = q["lexical"].get("p50_ms"), q.get("hybrid", {}).get("p50_ms")
    return {**info, "docs": big["docs"], "query": q,
            "hybrid_minus_lexical_p50_ms": round(hyb - lex, 3) if lex and hyb else None}


def vectors_only(subsets: list[tuple[str, list[Path]]], work: Path, args,
                 queries: list[str]) -> dict:
    """bench_vectors on the largest subset's and the semantic subset's indexes, left in `work`
    by an earlier run with the same --docs/--mb and --semantic-docs."""
    label, files = max(subsets, key=lambda s: len(s[1]))
    big = {"index_dir": str(work / f"ix-{label}"), "docs": len(files)}
    sem = {"index_dir": str(work / f"ix-sem{args.semantic_docs}")}
    for ix in (big["index_dir"], sem["index_dir"]):
        if not Path(ix).is_dir():
            raise SystemExit(f"--vectors-only: no index {ix}; run the whole bench with "
                             f"--workdir {work} first")
    return bench_vectors(args.vectors, sem, big, args, queries)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def mb(n: int) -> str:
    return f"{n / 1e6:.1f}"


def render(result: dict) -> str:
    """The human-readable tables."""
    m = result["machine"]
    lines = [f"bench: {m['cpus']} CPUs, load {m['load_start']} → {m['load_end']}, "
             f"{result['queries']} queries, seed {result['seed']}, limit {LIMIT}", ""]
    head = (f"{'subset':>8} {'engine':<7} {'MB':>6} {'sect':>7} {'idx s':>7} {'MB/s':>6} "
            f"{'sect/s':>7} {'size MB':>7} {'RSS MB':>7} {'q p50':>7} {'q p95':>7} "
            f"{'cold p50':>8} {'cold p95':>8}")
    lines += [head, "-" * len(head)]
    for r in result["runs"]:
        for engine in ("ours", "whoosh"):
            e = r[engine]
            ix, q, c = e["index"], e["query"]["lexical"], e["cold"]
            mbs = ix["mb_per_s"]
            lines.append(
                f"{r['label']:>8} {engine:<7} {mb(r['input_bytes']):>6} {r['sections']:>7} "
                f"{ix['seconds']:>7.1f} {mbs:>6.2f} {ix['sections_per_s']:>7.0f} "
                f"{mb(e['size_bytes']['total']):>7} {ix['peak_rss_mb']:>7.0f} "
                f"{q.get('p50_ms', 0):>7.2f} {q.get('p95_ms', 0):>7.2f} "
                f"{c.get('p50_ms', 0):>8.0f} {c.get('p95_ms', 0):>8.0f}")
        ra = r["ratios"]
        lines.append(f"{'':>8} ratios ours/whoosh: query p50 {ra['query_p50']}, p95 "
                     f"{ra['query_p95']}, cold p50 {ra['cold_p50']}, lexical write time "
                     f"{ra['index_lexical_write_time']}, size {ra['size_lexical']}, "
                     f"index RSS {ra['index_peak_rss']}")
        lines.append(f"{'':>8} lexical indexing, ours/whoosh MB/s: whole build "
                     f"{ra['index_mb_per_s_whole_build']}× (issue 17: ≥ 0.6), lexical write "
                     f"alone {ra['index_mb_per_s_lexical_write']}×; peak RSS ours "
                     f"{r['ours']['index']['peak_rss_mb']:.0f} MB, whoosh "
                     f"{r['whoosh']['index']['peak_rss_mb']:.0f} MB")
        ws = r["ours"].get("query_whoosh_scored", {}).get("lexical")
        if ws:
            lines.append(f"{'':>8} our query scored by whoosh's matchers instead (before "
                         f"searcher.lexical.scorer): p50 {ws['p50_ms']} / p95 {ws['p95_ms']} ms, "
                         f"p50 ratio {ra.get('query_p50_whoosh_scored')}")
        ty = r["ours"].get("typos")
        if ty:
            lines.append(f"{'':>8} misspelled one-word queries, first time in a warm session: "
                         f"p50 {ty['first_time']['p50_ms']} / p95 {ty['first_time']['p95_ms']} ms"
                         f" ({ty['corrected']} of {ty['queries']} corrected)")
        ph = r["ours"]["index"]["phases"]
        lines.append(f"{'':>8} our build phases (s): "
                     + ", ".join(f"{k} {v}" for k, v in ph.items()))
    lines.append("(ours MB/s = input file MB / whole build; whoosh MB/s = section text MB / "
                 "writer time; q = warm in-process, cold = new process per query, ms)")
    s = result.get("semantic")
    if s:
        o = s["ours"]
        lines += ["", f"semantic indexing ({s['docs']} documents, {s['passages']} passages, "
                  f"model {result['model']}):",
                  f"  ours {o['passages_per_s']} passages/s, {o['sections_per_s']} sections/s, "
                  f"{o['mb_per_s']} MB/s (model load {o['phases'].get('model_load')} s not "
                  f"counted), peak RSS {o['peak_rss_mb']:.0f} MB",
                  f"  bare model.encode {s['bare_encode']['passages_per_s']} passages/s → ours "
                  f"= {s['throughput_vs_bare']:.0%} of bare",
                  "  phases (s): " + ", ".join(f"{k} {v}" for k, v in o["phases"].items())]
        lines.append("  warm queries: " + _modes_line(s["query"]))
        f = s.get("flops") or {}
        if f.get("gflop"):
            lines.append(f"  {f['gflop']} GFLOP of encoder work: ours {f['ours_gflops']} GFLOP/s,"
                         f" bare {f['bare_gflops']} GFLOP/s; machine fp32 peak ≈ "
                         f"{f['peak_gflops']} GFLOP/s ({f['cores']} cores × {f['mhz']:.0f} MHz "
                         f"× {f['flop_per_cycle']}; VNNI {f['vnni']})")
        c = s.get("cold")
        if c:
            lines.append(f"  cold `searcher search` on this index: lexical p50 "
                         f"{c['lexical']['p50_ms']:.0f} ms ({c['lexical']['peak_rss_mb']:.0f} MB),"
                         f" hybrid p50 {c['hybrid']['p50_ms']:.0f} ms "
                         f"({c['hybrid']['peak_rss_mb']:.0f} MB) → "
                         f"{c['hybrid_over_lexical_p50']}× lexical")
        for rt, r in (s.get("runtimes") or {}).items():
            lines.append(f"  runtime {rt:<9} {r['passages_per_s']:>6} passages/s, query p50 "
                         f"{r['encode_query']['p50_ms']} ms, load {r['load_seconds']} s "
                         f"({r['load_peak_mb']:.0f} MB), peak {r['peak_mb']:.0f} MB, cosine to "
                         f"torch min {r.get('cosine_to_torch_min')} · {r['device']}")
    v = result.get("vectors")
    if v:
        lines += ["", f"semantic at {v['vectors']} vectors ({v['how']}; {v['dtype']}, "
                  f"{v['backend']}, {mb(v['size_bytes'])} MB, "
                  f"saved in {v['save_seconds'] or '-'} s) "
                  f"on the {v['docs']}-document index:"]
        for name in ("queries", "probes"):
            x = v[name]
            lines.append(f"  {name} (n={x['n']}): exact top-10 p50 {x['exact_top10']['p50_ms']} "
                         f"ms, default top-10 p50 {x['default_top10']['p50_ms']} ms / p95 "
                         f"{x['default_top10']['p95_ms']} ms, recall@10 vs exact "
                         f"{x['recall_at_10']}")
        q = v["query"]
        lines.append(f"  query encoding p50 {q['encode_query']['p50_ms']} ms; "
                     f"vector search top-50 p50 {q['vector_search_top50']['p50_ms']} ms")
        lines.append("  warm queries: " + _modes_line(q)
                     + f"; hybrid − lexical p50 = {v['hybrid_minus_lexical_p50_ms']} ms")
    return "\n".join(lines)


def _modes_line(q: dict) -> str:
    return ", ".join(f"{m} p50 {q[m]['p50_ms']} / p95 {q[m]['p95_ms']} ms"
                     for m in MODES if m in q and q[m].get("n"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--docs", type=int, nargs="*", default=None, help="subset sizes (documents)")
    ap.add_argument("--mb", type=float, nargs="*", default=None, help="subset sizes (MB)")
    ap.add_argument("--semantic-docs", type=int, default=50,
                    help="documents indexed with embeddings (0: lexical only)")
    ap.add_argument("--vectors", type=int, default=100_000,
                    help="vectors for the semantic latency figures (0: skip)")
    ap.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    ap.add_argument("--max-queries", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="measured passes per warm query set")
    ap.add_argument("--cold-runs", type=int, default=10, help="new processes per engine")
    ap.add_argument("--model", default="multilingual-e5-small-rebuilt")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--cold-mode-runs", type=int, default=5,
                    help="new processes per mode (lexical, hybrid) on the semantic index")
    ap.add_argument("--runtimes", nargs="*", default=["torch", "onnx-q4", "onnx-int8",
                                                      "onnx-fp32"],
                    help="SEARCHER_RUNTIME values compared on the semantic index (none: skip)")
    ap.add_argument("--runtime-passages", type=int, default=64,
                    help="passages each runtime encodes for its passages/s")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--workdir", type=Path, default=None, help="keep indexes here")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse lexical indexes (and build figures) left in --workdir")
    ap.add_argument("--vectors-only", action="store_true",
                    help="only the --vectors figures, on the indexes an earlier run left in "
                         "--workdir (with --reuse, on the vectors it attached too)")
    ap.add_argument("--index-only", action="store_true",
                    help="build both lexical indexes and compare indexing only (no queries)")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    ap.add_argument("--child", nargs=2, metavar=("TASK", "SPEC"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        spec = args.child[1]
        if spec.startswith("@"):
            spec = Path(spec[1:]).read_text(encoding="utf-8")
        result = CHILDREN[args.child[0]](json.loads(spec))
        print(json.dumps(result), flush=True)
        return 0

    queries = load_queries(args.queries)[: args.max_queries]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="searcher-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    subsets: list[tuple[str, list[Path]]] = []
    for n in args.docs if args.docs is not None else ([] if args.mb else [1000]):
        subsets.append((f"{n}d", sample_files(args.corpus, docs=n, seed=args.seed)))
    for size in args.mb or []:
        subsets.append((f"{size:g}MB", sample_files(args.corpus, mb=size, seed=args.seed)))
    result: dict = {"seed": args.seed, "queries": len(queries), "model": args.model,
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform(),
                                "load_start": round(os.getloadavg()[0], 2)},
                    "runs": []}
    try:
        if args.vectors_only:
            result["vectors"] = vectors_only(subsets, work, args, queries)
            subsets = []
        for label, files in subsets:
            result["runs"].append(bench_subset(label, files, work, args, queries))
        if args.semantic_docs > 0 and subsets:
            files = sample_files(args.corpus, docs=args.semantic_docs, seed=args.seed)
            result["semantic"] = bench_semantic(files, work, args, queries)
            if args.vectors > 0 and result["runs"]:
                big = max(result["runs"], key=lambda r: r["sections"])
                result["vectors"] = bench_vectors(args.vectors, result["semantic"], big, args,
                                                  queries)
    finally:
        result["machine"]["load_end"] = round(os.getloadavg()[0], 2)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
