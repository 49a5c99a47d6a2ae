"""The exported encoder's self-attention as one MultiHeadAttention node per layer.

The torch export spells each layer's attention out: Q, K and V reshaped and transposed per
head, QKᵀ scaled, the padding mask added, Softmax, ×V, transposed back (13 nodes and their
shape arithmetic). onnxruntime's contrib `MultiHeadAttention` does the same in one kernel;
without a padding mask its CPU kernel runs flash attention (no L×L score matrix in memory).
That is 6–9 % less time per text of 100–500 tokens for the 4-bit file on the 2-core
machine (README, "The default model's runtimes"), with the same vectors to within float
rounding (a slow test compares the two graphs).

Without the mask the fused graph is for unpadded rows only: the CPU runs every text alone
(onnx_model.rows_per_run), and the quantised files run only there. The mask still weighs
the mean pooling. `fuse_attention` works on the graph of `onnx_export.export_fp32` and refuses
any other (a changed export fails loudly at set-up, not quietly at search time).
"""

from __future__ import annotations

import re

#: Tensor names of one layer's projections in the torch export, after its prefix
#: ("/inner/encoder/layer.N/attention/self/"); the rest is found by following the graph.
QUERY, KEY, VALUE = "query/Add_output_0", "key/Add_output_0", "value/Add_output_0"
SOFTMAX = re.compile(r"^(/inner/encoder/layer\.\d+/attention/self/)Softmax$")
MS_DOMAIN = "com.microsoft"


def fuse_attention(model) -> int:
    """Replace every layer's attention subgraph of `model` (an onnx ModelProto, changed in
    place) by a MultiHeadAttention node without a mask; returns the layers fused."""
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    produced = {out: node for node in graph.node for out in node.output}
    inits = {i.name: i for i in graph.initializer}
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def only(nodes: list, op: str, where: str):
        found = [n for n in nodes if n.op_type == op]
        if len(found) != 1:
            raise ValueError(f"{where}: expected one {op}, found {len(found)}")
        return found[0]

    fused: dict[str, object] = {}
    for softmax in (n for n in graph.node if n.op_type == "Softmax" and SOFTMAX.match(n.name)):
        prefix = SOFTMAX.match(softmax.name).group(1)  # type: ignore[union-attr]
        for name in (QUERY, KEY, VALUE):
            if prefix + name not in produced:
                raise ValueError(f"the export has no {prefix + name}")
        # Q → Reshape([batch, tokens, -1, head size]); scores → Mul(scale) → Add(mask) → Softmax
        shape = produced[only(consumers[prefix + QUERY], "Reshape", prefix).input[1]]
        size = int(_constant(produced[shape.input[-1]], numpy_helper).reshape(()))
        add = produced[softmax.input[0]]
        mul = next(produced[x] for x in add.input if x in produced and
                   produced[x].op_type == "Mul")
        scale = float(_constant(produced[mul.input[1]], numpy_helper).reshape(()))
        hidden = _width(produced[prefix + QUERY], inits, numpy_helper)
        if hidden % size or not np.isclose(scale, 1 / np.sqrt(size)):
            raise ValueError(f"{prefix}: hidden {hidden}, head size {size}, scale {scale}")
        context = softmax.output[0]
        for op in ("MatMul", "Transpose", "Reshape"):  # ×V, heads back, merged: the context
            context = only(consumers[context], op, prefix).output[0]
        fused[context] = helper.make_node(
            "MultiHeadAttention", [prefix + QUERY, prefix + KEY, prefix + VALUE], [context],
            name=prefix + "MultiHeadAttention", domain=MS_DOMAIN, num_heads=hidden // size,
            scale=scale)
    if not fused:
        raise ValueError("no self-attention Softmax of the expected export found")
    nodes = [fused.get(node.output[0], node) if node.output else node for node in graph.node]
    needed = {out.name for out in graph.output}
    kept = []
    for node in reversed(nodes):  # what no output depends on any more goes
        if any(out in needed for out in node.output):
            kept.append(node)
            needed.update(name for name in node.input if name)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    if not any(op.domain == MS_DOMAIN for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return len(fused)


def _constant(node, numpy_helper):
    if node.op_type != "Constant":
        raise ValueError(f"{node.name} is a {node.op_type}, not a Constant")
    return numpy_helper.to_array(node.attribute[0].t)


def _width(node, inits: dict, numpy_helper) -> int:
    """The last dimension of a projection's output: that of the bias `node` adds."""
    for name in node.input:
        if name in inits:
            return int(numpy_helper.to_array(inits[name]).shape[-1])
    raise ValueError(f"no bias makes {node.output[0]}")
