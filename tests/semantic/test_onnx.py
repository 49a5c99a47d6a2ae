"""The ONNX runtime's decisions, without the model: which file and provider, which device for
torch, which runtime was asked for, which set-up files get made and in what order."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.errors import ModelSetupError
from searcher.semantic import onnx_export
from searcher.semantic.encoder import torch_device
from searcher.semantic.onnx_export import Precision, ensure_onnx, onnx_file, pieces_file
from searcher.semantic.onnx_model import (
    CPU,
    PRECISION_OF,
    Plan,
    Runtime,
    Use,
    encoding_family,
    family,
    plan_runtime,
    recorded_runtime,
    requested_runtime,
    rows_per_run,
    runs_at_once,
    runtime_for_index,
)

CUDA = "CUDAExecutionProvider"
ROCM = "ROCMExecutionProvider"
TRT = "TensorrtExecutionProvider"

# (asked for, providers onnxruntime offers) → the plan
PLANS = [
    (Runtime.auto, [CPU], Plan(Runtime.onnx_q4, Precision.q4, (CPU,), "CPU")),
    (Runtime.auto, [CUDA, CPU], Plan(Runtime.onnx_fp32, Precision.fp32, (CUDA, CPU),
                                     f"GPU ({CUDA})")),
    (Runtime.auto, [TRT, CUDA, CPU], Plan(Runtime.onnx_fp32, Precision.fp32, (CUDA, CPU),
                                          f"GPU ({CUDA})")),
    (Runtime.auto, [ROCM, CPU], Plan(Runtime.onnx_fp32, Precision.fp32, (ROCM, CPU),
                                     f"GPU ({ROCM})")),
    (Runtime.auto, [ROCM, CUDA, CPU], Plan(Runtime.onnx_fp32, Precision.fp32, (CUDA, CPU),
                                           f"GPU ({CUDA})")),
    # quantised files run on the CPU even where a GPU is present
    (Runtime.onnx_q4, [CUDA, CPU], Plan(Runtime.onnx_q4, Precision.q4, (CPU,), "CPU")),
    (Runtime.onnx_int8, [CUDA, CPU], Plan(Runtime.onnx_int8, Precision.int8, (CPU,), "CPU")),
    (Runtime.onnx_int8, [CPU], Plan(Runtime.onnx_int8, Precision.int8, (CPU,), "CPU")),
    (Runtime.onnx_fp32, [CPU], Plan(Runtime.onnx_fp32, Precision.fp32, (CPU,), "CPU")),
    (Runtime.onnx_fp32, [CUDA, CPU], Plan(Runtime.onnx_fp32, Precision.fp32, (CUDA, CPU),
                                          f"GPU ({CUDA})")),
    (Runtime.torch, [CUDA, CPU], Plan(Runtime.torch, None, (), "torch")),
    (Runtime.torch, [CPU], Plan(Runtime.torch, None, (), "torch")),
]


@pytest.mark.parametrize(("asked", "available", "expected"), PLANS)
def test_plan_runtime_table(asked, available, expected):
    assert plan_runtime(asked, available) == expected


@pytest.mark.parametrize(("cuda", "mps", "expected"), [
    (False, False, "cpu"), (True, False, "cuda"), (False, True, "mps"), (True, True, "cuda"),
])
def test_torch_device_table(cuda, mps, expected):
    assert torch_device(cuda, mps) == expected


@pytest.mark.parametrize(("env", "expected"), [
    (None, Runtime.auto), ("", Runtime.auto), ("  ", Runtime.auto), ("auto", Runtime.auto),
    ("torch", Runtime.torch), ("onnx-int8", Runtime.onnx_int8), (" onnx-fp32 ", Runtime.onnx_fp32),
    ("onnx-q4", Runtime.onnx_q4),
])
def test_requested_runtime_from_the_environment(monkeypatch, env, expected):
    if env is None:
        monkeypatch.delenv("SEARCHER_RUNTIME", raising=False)
    else:
        monkeypatch.setenv("SEARCHER_RUNTIME", env)
    assert requested_runtime() is expected


def test_unknown_runtime_names_the_choices(monkeypatch):
    monkeypatch.setenv("SEARCHER_RUNTIME", "openvino")
    with pytest.raises(ModelSetupError, match="unknown SEARCHER_RUNTIME 'openvino'; choose from "
                       "auto, onnx-q4, onnx-int8, onnx-fp32, torch"):
        requested_runtime()


# (asked for, runtime that made the index's vectors (None: a new index), use, GPU) → runtime
Q, P = Use.query, Use.passages
FOLLOW = [
    # auto, a new index: the float family, q4 on the CPU, fp32 on a GPU, for both uses
    (Runtime.auto, None, P, False, Runtime.onnx_q4),
    (Runtime.auto, None, P, True, Runtime.onnx_fp32),
    (Runtime.auto, None, Q, False, Runtime.onnx_q4),
    (Runtime.auto, None, Q, True, Runtime.onnx_fp32),
    # auto, an existing index: passages keep its family, on whichever hardware
    (Runtime.auto, "torch", P, False, Runtime.onnx_q4),
    (Runtime.auto, "onnx-q4", P, False, Runtime.onnx_q4),
    (Runtime.auto, "onnx-fp32", P, False, Runtime.onnx_q4),
    (Runtime.auto, "onnx-q4", P, True, Runtime.onnx_fp32),
    (Runtime.auto, "onnx-int8", P, False, Runtime.onnx_int8),
    (Runtime.auto, "onnx-int8", P, True, Runtime.onnx_int8),  # int8 runs on the CPU anyway
    # auto, queries: the float family whatever made the index
    (Runtime.auto, "onnx-int8", Q, False, Runtime.onnx_q4),
    (Runtime.auto, "onnx-int8", Q, True, Runtime.onnx_fp32),
    (Runtime.auto, "torch", Q, False, Runtime.onnx_q4),
    # not the default model's runtime: nothing to follow
    (Runtime.auto, "model2vec", P, False, Runtime.auto),
    (Runtime.auto, "onnx-int9", P, False, Runtime.auto),
    # asked for by name: that one, for both uses
    (Runtime.onnx_q4, "onnx-int8", P, False, Runtime.onnx_q4),
    (Runtime.onnx_int8, "onnx-q4", Q, False, Runtime.onnx_int8),
    (Runtime.torch, "onnx-int8", Q, True, Runtime.torch),
    (Runtime.onnx_fp32, None, P, False, Runtime.onnx_fp32),
]


@pytest.mark.parametrize(("asked", "built_with", "use", "gpu", "expected"), FOLLOW)
def test_runtime_by_use_and_by_the_family_of_the_index(asked, built_with, use, gpu, expected):
    got = runtime_for_index(asked, built_with, use, gpu=gpu)
    assert got is expected
    if asked is Runtime.auto and use is P and built_with in {r.value for r in Runtime}:
        assert family(got.value) == family(built_with)  # an update never changes the family
    if asked is Runtime.auto and use is Q and got is not Runtime.auto:
        assert family(got.value) == "float"


@pytest.mark.parametrize(("sem", "expected"), [
    (None, None), ({}, None), ({"model": "m"}, "torch"), ({"model": "m", "runtime": "onnx-int8"},
                                                           "onnx-int8"),
])
def test_recorded_runtime(sem, expected):
    assert recorded_runtime(sem) == expected


@pytest.mark.parametrize(("env", "built_with", "expected"), [
    (None, "onnx-int8", "int8"), (None, "onnx-q4", "float"), (None, "torch", "float"),
    ("onnx-int8", "torch", "int8"), ("torch", "onnx-int8", "float"),
])
def test_encoding_family_of_an_update(monkeypatch, env, built_with, expected):
    if env is None:
        monkeypatch.delenv("SEARCHER_RUNTIME", raising=False)
    else:
        monkeypatch.setenv("SEARCHER_RUNTIME", env)
    assert encoding_family(built_with) == expected


def test_every_runtime_has_a_family():
    assert {family(r.value) for r in Runtime if r is not Runtime.auto} == {"float", "int8"}
    assert family(None) == "float" and family("model2vec") == "model2vec"
    assert all(family(r.value) in {"float", "int8"} for r in PRECISION_OF)


@pytest.mark.parametrize(("asked", "available", "batch_size", "rows"), [
    (Runtime.auto, [CPU], 16, 1),  # q4 on the CPU: one text per run, nothing padded
    (Runtime.onnx_int8, [CUDA, CPU], 16, 1),  # int8 runs on the CPU, one scale per text
    (Runtime.onnx_fp32, [CPU], 8, 1),
    (Runtime.auto, [CUDA, CPU], 16, 16),  # a GPU wants batches
    (Runtime.onnx_fp32, [ROCM, CPU], 4, 4),
])
def test_rows_per_run_one_text_on_the_cpu_batches_on_a_gpu(asked, available, batch_size, rows):
    assert rows_per_run(plan_runtime(asked, available), batch_size) == rows


@pytest.mark.parametrize(("asked", "available", "threads", "at_once"), [
    (Runtime.auto, [CPU], 2, 2),  # the CPU: one run per thread, each on one thread
    (Runtime.onnx_int8, [CUDA, CPU], 4, 4),  # int8 runs on the CPU even beside a GPU
    (Runtime.onnx_q4, [CPU], 1, 1),
    (Runtime.onnx_q4, [CPU], 0, 1),
    (Runtime.auto, [CUDA, CPU], 8, 1),  # a GPU: one batch at a time on a many-thread session
])
def test_runs_at_once_one_per_thread_on_the_cpu(asked, available, threads, at_once):
    assert runs_at_once(plan_runtime(asked, available), threads) == at_once


# --------------------------------------------------------------------------- set-up files


@pytest.fixture
def fake_makers(monkeypatch):
    """Replace the torch export and the quantisers by writers that log what they made from."""
    made: list[str] = []

    def export(model_dir: Path, out: Path) -> None:
        made.append("fp32")
        out.write_bytes(b"fp32")

    def quantizer(name: str):
        def make(src: Path, out: Path) -> None:
            made.append(f"{name}<-{src.read_bytes().decode()}")
            out.write_bytes(name.encode())
        return make

    def pieces(tokenizer_json: Path, out: Path) -> None:
        made.append("pieces")
        out.write_bytes(b"pieces")

    monkeypatch.setattr(onnx_export, "export_fp32", export)
    monkeypatch.setattr(onnx_export, "quantize_q4", quantizer("q4"))
    monkeypatch.setattr(onnx_export, "quantize_int8", quantizer("int8"))
    monkeypatch.setattr(onnx_export, "write_pieces", pieces)
    return made


def test_ensure_onnx_makes_sources_first_and_only_once(tmp_path, fake_makers):
    lines: list[str] = []
    ensure_onnx(tmp_path, (Precision.q4,), progress=lines.append)
    assert fake_makers == ["pieces", "fp32", "q4<-fp32"]
    assert onnx_file(tmp_path, Precision.q4).read_bytes() == b"q4"
    assert pieces_file(tmp_path).read_bytes() == b"pieces"
    assert [line.split("(")[1].split(";")[0] for line in lines] == ["fp32", "q4"]
    ensure_onnx(tmp_path, (Precision.q4,))
    ensure_onnx(tmp_path, (Precision.int8, Precision.fp32))
    assert fake_makers == ["pieces", "fp32", "q4<-fp32", "int8<-fp32"]
    names = sorted(p.name for p in (tmp_path / "onnx").iterdir() if not p.name.startswith("."))
    onnx = [onnx_file(tmp_path, p).name for p in (Precision.fp32, Precision.int8, Precision.q4)]
    assert names == [*onnx, pieces_file(tmp_path).name]


def test_a_file_of_an_older_version_is_made_again_and_removed(tmp_path, fake_makers,
                                                              monkeypatch):
    """A cache from before a precision's version bump: that file alone is made again."""
    ensure_onnx(tmp_path, (Precision.q4,))
    old_q4 = onnx_file(tmp_path, Precision.q4)
    monkeypatch.setitem(onnx_export.VERSIONS, Precision.q4, onnx_export.VERSIONS[Precision.q4] + 1)
    new_q4 = onnx_file(tmp_path, Precision.q4)
    assert new_q4 != old_q4 and old_q4.is_file()
    ensure_onnx(tmp_path, (Precision.q4,))
    assert fake_makers == ["pieces", "fp32", "q4<-fp32", "q4<-fp32"]  # not fp32 again
    assert new_q4.is_file() and not old_q4.exists()
    assert onnx_file(tmp_path, Precision.fp32).is_file()


def test_a_failed_export_leaves_no_file_and_says_what_to_do(tmp_path, fake_makers, monkeypatch):
    def broken(model_dir: Path, out: Path) -> None:
        out.write_bytes(b"half")
        raise RuntimeError("exporter crashed\nwith a long trace")

    monkeypatch.setattr(onnx_export, "export_fp32", broken)
    with pytest.raises(ModelSetupError, match=r"cannot make .*model-fp32.*RuntimeError: "
                       r"exporter crashed$"):
        ensure_onnx(tmp_path, (Precision.q4,))
    assert not onnx_file(tmp_path, Precision.fp32).exists()
    assert not onnx_file(tmp_path, Precision.q4).exists()
    assert [p.name for p in (tmp_path / "onnx").iterdir() if ".tmp-" in p.name] == []


def test_a_missing_setup_package_names_the_setup_script(tmp_path, fake_makers, monkeypatch):
    def needs_torch(model_dir: Path, out: Path) -> None:
        raise ImportError("No module named 'torch'")

    monkeypatch.setattr(onnx_export, "export_fp32", needs_torch)
    with pytest.raises(ModelSetupError, match="No module named 'torch'; run `bash scripts/setup"):
        ensure_onnx(tmp_path, (Precision.fp32,))


@pytest.mark.parametrize(("lengths", "batch_size", "expected"), [
    ([10, 10, 10], 16, [[0, 1, 2]]),
    ([10, 10, 10], 2, [[0, 1], [2]]),
    ([512] * 10, 16, [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9]]),  # 8 × 512 = 4096 tokens
    ([3000, 5, 5], 16, [[0], [1, 2]]),  # one row always fits, however long
    ([300, 300, 200, 100, 20], 16, [[0, 1, 2, 3, 4]]),
    ([], 16, []),
])
def test_batches_keep_rows_and_padded_tokens_bounded(lengths, batch_size, expected):
    from searcher.semantic.onnx_model import BATCH_TOKENS, _batches

    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    got = list(_batches(order, lengths, batch_size))
    assert got == expected
    assert sorted(i for b in got for i in b) == list(range(len(lengths)))
    for b in got:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= BATCH_TOKENS


def test_usearch_then_onnxruntime_in_one_process_does_not_crash():
    """onnxruntime imported after usearch segfaults; vectors._usearch() imports it first."""
    import subprocess
    import sys

    code = ("from searcher.semantic import vectors\n"
            "assert vectors._usearch() is not None\n"
            "import onnxruntime\n"
            "print('alive', onnxruntime.get_available_providers())\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "alive" in p.stdout, (p.returncode, p.stderr[-500:])
