"""The fused attention (onnx_attention.py): the export's graph with one MultiHeadAttention node
per layer gives the same vectors for unpadded texts; any other graph is refused."""

from __future__ import annotations

import numpy as np
import pytest

from searcher.semantic.onnx_attention import fuse_attention


def test_a_graph_without_the_exports_attention_is_refused():
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    graph = helper.make_graph([helper.make_node("Softmax", ["x"], ["y"], name="/other/Softmax")],
                              "g", [x], [y])
    with pytest.raises(ValueError, match="no self-attention"):
        fuse_attention(helper.make_model(graph))


@pytest.mark.slow
def test_the_fused_graph_gives_the_exports_vectors_for_unpadded_texts(tmp_path):
    import onnx
    import onnxruntime as ort

    from searcher.semantic.model_rebuild import ensure_default_model
    from searcher.semantic.onnx_export import Precision, ensure_onnx, onnx_file

    folder = ensure_default_model()
    ensure_onnx(folder, (Precision.fp32,))
    model = onnx.load(str(onnx_file(folder, Precision.fp32)))
    assert fuse_attention(model) == 12
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("MultiHeadAttention") == 12 and "Softmax" not in ops
    assert any("attention_mask" in n.input for n in model.graph.node)  # the pooling's weights
    fused = tmp_path / "fused.onnx"
    onnx.save(model, str(fused))

    def session(path):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.log_severity_level = 3
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    before, after = session(onnx_file(folder, Precision.fp32)), session(fused)
    rng = np.random.default_rng(7)
    for length in (3, 40, 301, 512):
        ids = rng.integers(5, 250_000, size=(1, length))
        ids[0, 0], ids[0, -1] = 0, 2
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        a, b = before.run(None, feed)[0], after.run(None, feed)[0]
        assert np.abs(a - b).max() < 2e-5, length
