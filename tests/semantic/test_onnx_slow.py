"""The default model on ONNX Runtime against its torch original, with the real model files.

Oracles: tokenizer.json run by the `tokenizers` library (what sentence-transformers uses) for
the token ids, and SentenceTransformer over the rebuilt checkpoint for the vectors. The 4-bit
file re-quantises weights that are 4-bit blocks of 32 already, so what differs is the int8
rounding of activations at run time: cosine ≥ 0.999 per text (measured 0.9997–0.9999).
The int8 file rounds activations with one scale per tensor: 0.989–0.997.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from searcher.semantic.model_rebuild import ensure_default_model
from searcher.semantic.onnx_export import Precision, ensure_onnx
from searcher.semantic.onnx_model import CPU, OnnxModel, Runtime, plan_runtime

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


@pytest.mark.parametrize(("runtime", "floor"), [(Runtime.onnx_q4, 0.999),
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


@pytest.mark.parametrize("runtime", [Runtime.onnx_q4, Runtime.onnx_int8])
def test_a_vector_does_not_depend_on_its_batch(model_dir, runtime):
    """q4 scales activations per block of a row; int8, one scale per tensor, runs each text
    alone on the CPU (onnx_model.rows_per_run)."""
    model = OnnxModel(model_dir, plan_runtime(runtime, [CPU]), threads=1)
    texts = [PASSAGE + t for t in SWEDISH]
    together = model.encode(texts, batch_size=16)
    alone = np.stack([model.encode([t], batch_size=1)[0] for t in texts])
    assert np.abs(together - alone).max() < 1e-4


def test_hybrid_search_with_the_default_model_never_imports_torch(full_index_dir):
    """Cold start: the query path of a default-model index runs on onnxruntime alone."""
    code = (
        "import sys\n"
        "from searcher.cli import app\n"
        "try:\n"
        "    app(['search', 'sjukfrånvaro', '--json', '--index-dir', sys.argv[1]])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
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
