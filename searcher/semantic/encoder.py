"""Text → embedding vectors, with the query/passage asymmetry explicit.

The only module that imports torch and sentence_transformers, and only inside Encoder, so
lexical commands never pay for them. Vectors leave as numpy float32 arrays, L2-normalised.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from searcher.errors import ModelSetupError

#: Prompts by model family. e5 models were trained with these prefixes; a model without an
#: entry here uses the prompts its own sentence-transformers config declares (often none).
KNOWN_PROMPTS: dict[str, dict[str, str]] = {
    "multilingual-e5-small-rebuilt": {"query": "query: ", "passage": "passage: "},
    "intfloat/multilingual-e5-small": {"query": "query: ", "passage": "passage: "},
    "intfloat/multilingual-e5-base": {"query": "query: ", "passage": "passage: "},
    "intfloat/multilingual-e5-large": {"query": "query: ", "passage": "passage: "},
}

ENCODE_CHUNK = 256  # texts per encode() call, so progress can be reported between calls


def _offline() -> None:
    # The hub is unreachable here; without these a load waits on network time-outs.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # keep stderr for our own bar
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class Encoder:
    """A sentence-transformers model with its prompts; `model` is our default or any ST name."""

    def __init__(
        self,
        model: str,
        *,
        cache_dir: str | None = None,
        progress: Callable[[str], None] | None = None,
    ):
        _offline()
        self.name = model
        path = model
        if model == "multilingual-e5-small-rebuilt":
            from pathlib import Path

            from searcher.semantic.model_rebuild import ensure_default_model

            path = str(
                ensure_default_model(Path(cache_dir) if cache_dir else None, progress=progress)
            )
        t0 = time.perf_counter()
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        try:
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as e:  # ST/transformers/hub raise many types; one clear line instead
            raise ModelSetupError(
                f"cannot load embedding model {model!r}: {type(e).__name__}: {e}".splitlines()[0]
            ) from None
        self.load_seconds = time.perf_counter() - t0
        own = dict(getattr(self._model, "prompts", {}) or {})
        prompts = KNOWN_PROMPTS.get(model) or {
            "query": own.get("query", ""),
            "passage": own.get("passage", own.get("document", own.get("corpus", ""))),
        }
        self.prompts = {"query": prompts.get("query", ""), "passage": prompts.get("passage", "")}
        dim_of = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension"
        )
        self.dim = int(dim_of())
        self.max_seq_length = int(self._model.max_seq_length or 512)
        self._tokenizer = self._model.tokenizer
        self._query_cache = lru_cache(maxsize=1024)(self._encode_query_uncached)

    def describe(self) -> dict:
        """What the manifest records so a later query can check it uses the same model."""
        return {
            "model": self.name,
            "prompts": self.prompts,
            "dim": self.dim,
            "normalize": True,
            "max_seq_length": self.max_seq_length,
        }

    def passage_token_budget(self) -> int:
        """Tokens a passage may have so that prompt + specials still fit the window."""
        return min(self.max_seq_length, 512) - self.count_tokens(self.prompts["passage"]) - 4

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, without special tokens."""
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode_passages(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 16,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """(n, dim) float32, normalised; longest first within chunks so batches pad little."""
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        order = np.argsort([-len(t) for t in texts], kind="stable")
        prompt = self.prompts["passage"]
        done = 0
        for start in range(0, n, ENCODE_CHUNK):
            idx = order[start : start + ENCODE_CHUNK]
            vecs = self._model.encode(
                [prompt + texts[i] for i in idx],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out[idx] = vecs.astype(np.float32, copy=False)
            done += len(idx)
            if progress:
                progress(done, n)
        return out

    def _encode_query_uncached(self, text: str) -> bytes:
        vec = self._model.encode(
            [self.prompts["query"] + text],
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )[0]
        return vec.astype(np.float32).tobytes()

    def encode_query(self, text: str) -> np.ndarray:
        """(dim,) float32, normalised; repeated queries come from a cache."""
        return np.frombuffer(self._query_cache(text), dtype=np.float32)
