"""Text → embedding vectors, with the query/passage asymmetry explicit.

Three kinds of model are loaded here (MODEL_LOADERS): the default rebuilt e5 on ONNX Runtime
(onnx_model.py: no torch at all, 4-bit weights on the CPU, fp32 on a GPU; SEARCHER_RUNTIME=torch
runs it through sentence-transformers instead); any other sentence-transformers name or path
(torch, imported only inside _SentenceTransformerModel, on CUDA when torch has it); and
STATIC_MODEL, a static token-vector table distilled from the default by
scripts/distill_static.py (model2vec; numpy only), hundreds of times faster to encode and
measurably worse (README, "The fast model"). Vectors leave as numpy float32 arrays,
L2-normalised.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import lru_cache
from pathlib import Path

import numpy as np

from searcher.errors import ModelSetupError
from searcher.semantic import onnx_model
from searcher.semantic.onnx_model import Use

DEFAULT_MODEL = "multilingual-e5-small-rebuilt"
STATIC_MODEL = "static-e5"

#: Prompts by model family. e5 models were trained with these prefixes; a model without an
#: entry here uses the prompts its own sentence-transformers config declares (often none).
#: The static model averages token vectors: a prompt would only add a constant to every text.
KNOWN_PROMPTS: dict[str, dict[str, str]] = {
    DEFAULT_MODEL: {"query": "query: ", "passage": "passage: "},
    "intfloat/multilingual-e5-small": {"query": "query: ", "passage": "passage: "},
    "intfloat/multilingual-e5-base": {"query": "query: ", "passage": "passage: "},
    "intfloat/multilingual-e5-large": {"query": "query: ", "passage": "passage: "},
    STATIC_MODEL: {"query": "", "passage": ""},
}

ENCODE_CHUNK = 256  # texts per encode() call, so progress can be reported between calls
STATIC_WINDOW = 512  # tokens; the static model has no window, but passages keep e5's split


def _offline() -> None:
    # The hub is unreachable here; without these a load waits on network time-outs.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # keep stderr for our own bar
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def static_model_dir(cache_dir: str | Path | None = None) -> Path:
    """Where scripts/distill_static.py puts the static model: <cache>/models/static-e5/."""
    from searcher.semantic.model_rebuild import model_cache_dir

    root = Path(cache_dir) if cache_dir else model_cache_dir()
    return root / "models" / STATIC_MODEL


def batch_threads(own: float = 1.0) -> int:
    """Torch threads for batch encoding: the cores other processes leave free (at least one).

    torch's threads spin-wait for each other, so a thread on a core that another process
    holds slows the whole batch: 3.1 passages/s with 2 threads vs 4.3 with 1 on 2 cores at
    load 4 (idle, 2 threads are faster). `own` is this process's share of the load average
    (its current thread count while encoding). Read at each batch, so a long run follows.
    """
    cores = os.cpu_count() or 1
    try:
        others = max(0.0, os.getloadavg()[0] - own)
    except OSError:  # pragma: no cover - no load average on this platform
        others = 0.0
    return max(1, min(cores, int(cores - others + 0.5)))


def torch_device(cuda: bool, mps: bool) -> str:
    """Where a sentence-transformers model runs: CUDA, else Apple's MPS, else the CPU."""
    return "cuda" if cuda else "mps" if mps else "cpu"


class _SentenceTransformerModel:
    """A sentence-transformers model: on a GPU when torch sees one, else all free CPU cores."""

    def __init__(self, name: str, cache_dir: str | None, progress) -> None:
        path = name
        if name == DEFAULT_MODEL:
            from searcher.semantic.model_rebuild import ensure_default_model

            path = str(
                ensure_default_model(Path(cache_dir) if cache_dir else None, progress=progress)
            )
        import torch
        from sentence_transformers import SentenceTransformer

        self.torch = torch
        torch.set_num_threads(batch_threads())
        mps = getattr(torch.backends, "mps", None)
        device = torch_device(torch.cuda.is_available(), bool(mps and mps.is_available()))
        self.model = SentenceTransformer(path, device=device)
        self.device = f"{device.upper() if device != 'cpu' else 'CPU'} · torch"
        self.runtime = "torch"
        self.own_prompts = dict(getattr(self.model, "prompts", {}) or {})
        dim_of = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self.max_seq_length = int(self.model.max_seq_length or 512)
        tokenizer = self.model.tokenizer
        self.count = lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        # One text (a query) runs on one thread: two threads cost 50x more when the other core
        # is busy (18 ms vs ~1 s on this 2-core machine under load; scripts/bench.py).
        threads = 1 if len(texts) == 1 else batch_threads(self.torch.get_num_threads())
        if self.torch.get_num_threads() != threads:
            self.torch.set_num_threads(threads)
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)


class _StaticModel:
    """The distilled static model (model2vec): a token-vector lookup and a mean, numpy only."""

    def __init__(self, name: str, cache_dir: str | None, progress) -> None:
        path = static_model_dir(cache_dir)
        if not (path / "searcher_model.json").is_file():
            raise ModelSetupError(
                f"the static model is not built yet ({path}); run "
                "`python scripts/distill_static.py` once (offline, from the default model)"
            )
        try:
            from model2vec import StaticModel
        except ImportError:
            raise ModelSetupError("the static model needs model2vec: pip install model2vec") from None
        self.model = StaticModel.from_pretrained(str(path), normalize=True)
        self.own_prompts: dict[str, str] = {}
        self.dim = int(self.model.dim)
        self.max_seq_length = STATIC_WINDOW
        tokenizer = self.model.tokenizer
        self.count = lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)
        self.device = "CPU · model2vec"
        self.runtime = "model2vec"

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        # The whole text counts (no truncation): passages are cut to the window already.
        return self.model.encode(texts, max_length=None, batch_size=max(batch_size, 1024),
                                 use_multiprocessing=False, show_progress_bar=False)


def _default_model(name: str, cache_dir: str | None, progress, index_runtime: str | None = None,
                   use: Use = Use.query):
    """The default model on ONNX Runtime (made once from the checkpoint), or torch if asked;
    `index_runtime` is the runtime that made the vectors of the index this one encodes `use`
    texts for (None: a new index)."""
    from searcher.semantic.model_rebuild import ensure_default_model
    from searcher.semantic.onnx_export import ensure_onnx

    requested = onnx_model.requested_runtime()
    if requested is onnx_model.Runtime.torch:
        return _SentenceTransformerModel(name, cache_dir, progress)
    available = onnx_model.available_providers()
    gpu = any(p in available for p in onnx_model.GPU_PROVIDERS)
    runtime = onnx_model.runtime_for_index(requested, index_runtime, use, gpu=gpu)
    plan = onnx_model.plan_runtime(runtime, available)
    folder = ensure_default_model(Path(cache_dir) if cache_dir else None, progress=progress)
    ensure_onnx(folder, (plan.precision,), progress=progress)
    # Every core: onnxruntime's threads sleep instead of spinning while they wait (see
    # OnnxModel), so a core another process holds costs a share, not the whole batch.
    return onnx_model.OnnxModel(folder, plan, threads=os.cpu_count() or 1)


#: Model name → loader; anything not named here is a sentence-transformers name or path.
MODEL_LOADERS: dict[str, Callable] = {DEFAULT_MODEL: _default_model, STATIC_MODEL: _StaticModel}


class Encoder:
    """An embedding model with its prompts; `model` is ours (default, static) or any ST name."""

    def __init__(
        self,
        model: str,
        *,
        cache_dir: str | None = None,
        progress: Callable[[str], None] | None = None,
        index_runtime: str | None = None,
        use: Use = Use.query,
    ):
        """`index_runtime`: the runtime that made the vectors of the index encoded for (None: a
        new index); `use`: what this encoder mostly encodes, queries or passages, which may
        pick another runtime of the default model (onnx_model.runtime_for_index)."""
        _offline()
        self.name = model
        t0 = time.perf_counter()
        loader = MODEL_LOADERS.get(model, _SentenceTransformerModel)
        extra = {"index_runtime": index_runtime, "use": Use(use)} if loader is _default_model \
            else {}
        try:
            self._backend = loader(model, cache_dir, progress, **extra)
        except ModelSetupError:
            raise
        except Exception as e:  # ST/transformers/hub raise many types; one clear line instead
            raise ModelSetupError(
                f"cannot load embedding model {model!r}: {type(e).__name__}: {e}".splitlines()[0]
            ) from None
        self._model = self._backend.model
        self.load_seconds = time.perf_counter() - t0
        own = self._backend.own_prompts
        prompts = KNOWN_PROMPTS.get(model) or {
            "query": own.get("query", ""),
            "passage": own.get("passage", own.get("document", own.get("corpus", ""))),
        }
        self.prompts = {"query": prompts.get("query", ""), "passage": prompts.get("passage", "")}
        self.dim = self._backend.dim
        self.max_seq_length = self._backend.max_seq_length
        self.device = self._backend.device  # where and how it runs, in words (build notes)
        self.runtime = self._backend.runtime
        self._query_cache = lru_cache(maxsize=1024)(self._encode_query_uncached)

    def describe(self) -> dict:
        """What the manifest records so a later query can check it uses the same model."""
        return {
            "model": self.name,
            "prompts": self.prompts,
            "dim": self.dim,
            "normalize": True,
            "max_seq_length": self.max_seq_length,
            "runtime": self.runtime,
        }

    def passage_token_budget(self) -> int:
        """Tokens a passage may have so that prompt + specials still fit the window."""
        return min(self.max_seq_length, 512) - self.count_tokens(self.prompts["passage"]) - 4

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, without special tokens."""
        return self._backend.count(text)

    def encode_passages(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 16,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """(n, dim) float32, normalised; longest first so batches pad little."""
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        order = np.argsort([-len(t) for t in texts], kind="stable")
        prompt = self.prompts["passage"]
        done = 0
        for start in range(0, n, ENCODE_CHUNK):
            idx = order[start : start + ENCODE_CHUNK]
            vecs = self._backend.encode([prompt + texts[i] for i in idx], batch_size)
            out[idx] = np.asarray(vecs, dtype=np.float32)
            done += len(idx)
            if progress:
                progress(done, n)
        return out

    def _encode_query_uncached(self, text: str) -> bytes:
        vec = self._backend.encode([self.prompts["query"] + text], 1)[0]
        return np.asarray(vec, dtype=np.float32).tobytes()

    def clear_cache(self) -> None:
        """Forget cached query vectors (benchmarks measure encoding too)."""
        self._query_cache.cache_clear()

    def encode_query(self, text: str) -> np.ndarray:
        """(dim,) float32, normalised; repeated queries come from a cache."""
        return np.frombuffer(self._query_cache(text), dtype=np.float32)


#: Encoders loaded ahead of need (`load_ahead`), by the arguments that made them.
_AHEAD: dict[tuple, Future] = {}
_AHEAD_LOCK = threading.Lock()


def _ahead_key(model: str, cache_dir: str | None, index_runtime: str | None, use: Use) -> tuple:
    return (model, cache_dir or None, index_runtime, Use(use))


def load_ahead(model: str, *, cache_dir: str | None = None, index_runtime: str | None = None,
               use: Use = Use.query) -> None:
    """Load an encoder now, in the calling (background) thread, for a later `open_encoder` with
    the same arguments: a search process starts the model while its CLI is still importing."""
    key = _ahead_key(model, cache_dir, index_runtime, use)
    future: Future = Future()
    with _AHEAD_LOCK:
        if key in _AHEAD:
            return
        _AHEAD[key] = future
    try:
        future.set_result(Encoder(model, cache_dir=cache_dir, index_runtime=index_runtime,
                                  use=use))
    except BaseException as e:  # noqa: BLE001 - handed to open_encoder, which loads again
        future.set_exception(e)


def open_encoder(model: str, *, cache_dir: str | None = None, index_runtime: str | None = None,
                 use: Use = Use.query) -> Encoder:
    """The encoder loaded ahead with these arguments (waiting for it), else a new one. A load
    ahead that failed is tried again here, so its error is raised where the caller expects."""
    with _AHEAD_LOCK:
        future = _AHEAD.pop(_ahead_key(model, cache_dir, index_runtime, use), None)
    if future is not None:
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - loaded again below, which raises it properly
            pass
    return Encoder(model, cache_dir=cache_dir, index_runtime=index_runtime, use=use)
