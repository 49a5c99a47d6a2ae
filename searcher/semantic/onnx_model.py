"""The default model on ONNX Runtime: piece ids → one session → normalised vectors.

No torch here: a query costs importing onnxruntime, one ~75 MB session, and the few pieces of
its words read from the piece table (unigram.py; README, "Performance"). Which file and which
execution provider is a pure decision (`runtime_for_index`, `plan_runtime`, tested as tables):
unless SEARCHER_RUNTIME names one, a GPU gets the fp32 file and the CPU the 4-bit one, and an
index's updates stay in the runtime family of its vectors (an index made with int8 keeps it).
On the CPU each text runs alone (`rows_per_run`), on a GPU in batches.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path

import numpy as np

from searcher.errors import ModelSetupError
from searcher.semantic.onnx_export import SETUP_HINT, Precision, onnx_file, pieces_file
from searcher.semantic.unigram import UnigramTokenizer

RUNTIME_ENV = "SEARCHER_RUNTIME"
CPU = "CPUExecutionProvider"
#: GPU execution providers in order of preference (onnxruntime-gpu ships CUDA's).
GPU_PROVIDERS = ("CUDAExecutionProvider", "ROCMExecutionProvider")
MAX_TOKENS = 512  # the model's window, special tokens included
BATCH_TOKENS = 4096  # padded tokens per batch at most (memory; throughput is flat above ~2k)
CLS_ID, PAD_ID, SEP_ID = 0, 1, 2  # <s>, <pad>, </s> of tokenizer.json (pinned by its sha256)


class Runtime(str, Enum):
    """How the default model runs (SEARCHER_RUNTIME); `auto` picks by the hardware found."""

    auto = "auto"
    onnx_q4 = "onnx-q4"
    onnx_int8 = "onnx-int8"
    onnx_fp32 = "onnx-fp32"
    torch = "torch"


PRECISION_OF = {Runtime.onnx_q4: Precision.q4, Runtime.onnx_int8: Precision.int8,
                Runtime.onnx_fp32: Precision.fp32}

#: Runtimes whose vectors are interchangeable (cosine to torch ≥ 0.999: README, "The default
#: model's runtimes"; int8's are 0.993–0.996). An index's passage vectors come from one
#: family; its queries, under auto, from the float one (`runtime_for_index`).
FAMILY: dict[Runtime, str] = {Runtime.torch: "float", Runtime.onnx_fp32: "float",
                              Runtime.onnx_q4: "float", Runtime.onnx_int8: "int8"}


def family(runtime: str | None) -> str:
    """The family of a runtime named in a manifest (none: an index made before runtimes were
    recorded, by torch); a name that is no runtime of the default model is its own family."""
    try:
        return FAMILY[Runtime(runtime or Runtime.torch.value)]
    except (ValueError, KeyError):
        return str(runtime)


class Use(StrEnum):
    """What a text is encoded for: `auto` picks the runtime of passages and of queries apart."""

    query = "query"
    passages = "passages"


def recorded_runtime(sem: Mapping | None) -> str | None:
    """The runtime that made an index's vectors, from its manifest entry `sem`: None when it
    has none yet, "torch" for vectors made before runtimes were recorded."""
    return (sem.get("runtime") or Runtime.torch.value) if sem else None


def runtime_for_index(requested: Runtime, built_with: str | None, use: Use, *,
                      gpu: bool) -> Runtime:
    """The runtime that encodes `use` texts for an index whose vectors `built_with` made (None:
    a new index); `gpu` whether a GPU provider is present. A runtime asked for by name is used.

    `auto` (README, "The default model's runtimes"): a query runs in the float family (q4 on
    the CPU, fp32 on a GPU) whatever made the index, since one query vector nearer torch ranks
    better against either family's passages (public.json semantic nDCG@10 on an int8 index:
    0.719 with q4 queries, 0.708 with int8 ones; dev.json 0.769 vs 0.752). Passages keep the
    family of the index's vectors; a new index gets the float family too. int8 passages are
    2–2.7× faster to encode, but what they cost in ranking depends on the CPU's integer
    kernels: public.json semantic nDCG@10 −0.008 against torch on an AVX2 CPU, −0.037 on an
    AVX-512 VNNI one (README); so int8 is used only when asked for (or by an index made so).
    """
    if requested is not Runtime.auto:
        return requested
    kind = "float" if use is Use.query or built_with is None else family(built_with)
    if kind == "int8":
        return Runtime.onnx_int8
    if kind == "float":
        return Runtime.onnx_fp32 if gpu else Runtime.onnx_q4
    return requested  # another model's runtime: not ours to choose


def encoding_family(built_with: str) -> str:
    """The family of the passage vectors an update of an index whose vectors `built_with` made
    would encode now (a GPU or not does not change it: auto keeps the index's family)."""
    runtime = runtime_for_index(requested_runtime(), built_with, Use.passages, gpu=False)
    return FAMILY.get(runtime, "float")


@dataclass(frozen=True, slots=True)
class Plan:
    """What to load: the runtime, the ONNX precision (None for torch), providers, in words."""

    runtime: Runtime
    precision: Precision | None
    providers: tuple[str, ...]
    device: str


def requested_runtime(value: str | None = None) -> Runtime:
    """The runtime asked for: `value`, else $SEARCHER_RUNTIME, else auto."""
    raw = (value if value is not None else os.environ.get(RUNTIME_ENV, "")).strip() or "auto"
    try:
        return Runtime(raw)
    except ValueError:
        raise ModelSetupError(f"unknown {RUNTIME_ENV} {raw!r}; choose from "
                              f"{', '.join(r.value for r in Runtime)}") from None


def plan_runtime(requested: Runtime, available: Sequence[str]) -> Plan:
    """Pick file and providers: fp32 on a GPU provider when there is one, else 4-bit on CPU.

    Quantised files run on the CPU provider only (their integer kernels are CPU kernels).
    """
    gpu = next((p for p in GPU_PROVIDERS if p in available), None)
    if requested is Runtime.torch:
        return Plan(Runtime.torch, None, (), "torch")
    if requested is Runtime.auto:
        requested = Runtime.onnx_fp32 if gpu else Runtime.onnx_q4
    precision = PRECISION_OF[requested]
    if precision is Precision.fp32 and gpu:
        return Plan(requested, precision, (gpu, CPU), f"GPU ({gpu})")
    return Plan(requested, precision, (CPU,), "CPU")


class OnnxModel:
    """The default model as onnxruntime sessions with the piece-table tokenizer.

    Every text runs on a one-thread session: waking sleeping threads for each of a short
    input's hundreds of small operators costs more than they save (and spinning ones would
    slow everyone on a shared machine). On the CPU many texts run `threads` at a time on that
    session (`runs_at_once`); a GPU gets batches on a second session with `threads` threads,
    made on the first batch, so a search process never pays for it.
    """

    def __init__(self, model_dir: Path, plan: Plan, threads: int) -> None:
        self.path = onnx_file(model_dir, plan.precision)  # type: ignore[arg-type]
        table = pieces_file(model_dir)
        if not self.path.is_file() or not table.is_file():
            raise ModelSetupError(f"the ONNX form of the default model is missing "
                                  f"({self.path.parent}); {SETUP_HINT}")
        self.plan, self.threads = plan, max(1, threads)
        self.model = self._session(1)
        self._batch_model = self.model if self.threads == 1 else None
        self._pool: ThreadPoolExecutor | None = None
        self.tokenizer = UnigramTokenizer(table)
        self.cls, self.sep, self.pad = CLS_ID, SEP_ID, PAD_ID
        self.own_prompts: dict[str, str] = {}
        self.dim = int(self.model.get_outputs()[0].shape[-1])
        self.max_seq_length = MAX_TOKENS
        used = self.model.get_providers()[0]
        self.device = (f"{plan.device if used != CPU else 'CPU'} · onnxruntime "
                       f"{plan.precision.value}, {self.threads} thread{'s' * (self.threads > 1)}")
        self.runtime = plan.runtime.value

    def _session(self, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Threads that spin while waiting slow everyone on a shared 2-core machine.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return ort.InferenceSession(str(self.path), options, providers=list(self.plan.providers))

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids without special tokens, exactly as tokenizer.json gives them."""
        return self.tokenizer.encode(texts)

    def count(self, text: str) -> int:
        return len(self.ids([text])[0])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """(n, dim) float32, normalised; batches of similar token length pad little."""
        window = MAX_TOKENS - 2
        seqs = [[self.cls, *ids[:window], self.sep] for ids in self.ids(texts)]
        order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
        out = np.zeros((len(seqs), self.dim), dtype=np.float32)
        batch_size = rows_per_run(self.plan, batch_size)
        at_once = min(runs_at_once(self.plan, self.threads), len(seqs))
        session = self.model
        if len(seqs) > 1 and at_once == 1:
            if self._batch_model is None:
                self._batch_model = self._session(self.threads)
            session = self._batch_model

        def run(rows: list[int]) -> None:
            width = len(seqs[rows[0]])
            ids = np.full((len(rows), width), self.pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, : len(seqs[i])] = seqs[i]
                mask[r, : len(seqs[i])] = 1
            out[rows] = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

        batches = _batches(order, [len(x) for x in seqs], batch_size)
        if at_once == 1:
            for rows in batches:
                run(rows)
            return out
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="onnx-run")
        for _ in self._pool.map(run, batches):  # longest first: the last runs are short
            pass
        return out


def rows_per_run(plan: Plan, batch_size: int) -> int:
    """Texts per session run: one on the CPU, `batch_size` on a GPU.

    On the CPU a text alone pads nothing: 1.19× the passages/s of batches of 16 for q4 and
    1.38× for int8 (the seeds' 124 passages, scripts/bench_encode.py). And int8's activations
    get one scale per tensor at run time, which a batch would share (its padding widening
    it): alone, a text's vector does not depend on the texts encoded with it.
    """
    return 1 if plan.providers == (CPU,) else batch_size


def runs_at_once(plan: Plan, threads: int) -> int:
    """Session runs in flight together: on the CPU one per thread, each on one thread, on a
    GPU one (its batch fills the device).

    Texts side by side beat one text split over the threads, whose hundreds of small
    operators each wait for the slower thread: on 2 cores 1.14× the passages/s of q4 with a
    two-thread session (scripts/bench_encode.py). Each text still runs alone, so its vector
    is the same whichever thread runs it.
    """
    return max(1, threads) if plan.providers == (CPU,) else 1


def _batches(order: list[int], lengths: list[int], batch_size: int) -> Iterator[list[int]]:
    """Rows in `order` (longest first) cut into batches of at most `batch_size` rows and
    BATCH_TOKENS padded tokens: attention memory grows with rows × length², so a batch of
    long passages is smaller (16 × 512 tokens held ~900 MB of activations)."""
    rows: list[int] = []
    for i in order:
        if rows and (len(rows) >= batch_size or (len(rows) + 1) * lengths[rows[0]] > BATCH_TOKENS):
            yield rows
            rows = []
        rows.append(i)
    if rows:
        yield rows


def available_providers() -> list[str]:
    """The execution providers of the installed onnxruntime (CPU only for the CPU build)."""
    import onnxruntime as ort

    return list(ort.get_available_providers())
