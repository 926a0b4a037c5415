#!/usr/bin/env python3
"""Random-weight ONNX models with the signature of all-MiniLM-L6-v2's ONNX export.

Trained weights are not part of this repository (download them with `npm run model:download`).
Tests and benchmarks need a model with the same inputs and outputs: inputs `input_ids`,
`attention_mask`, `token_type_ids` (int64 [batch, seq]); output `last_hidden_state`
[batch, seq, 384]. This script writes them with the `onnx` Python package only (Debian:
`apt-get install python3-onnx`); no PyTorch, no download. Weights come from a fixed seed, so the
output is the same on every run.

  python3 scripts/make-test-model.py tiny  tests/fixtures/models/all-MiniLM-L6-v2/onnx/model_quantized.onnx
      1 BERT layer, ids hashed into 256 rows with a Mod op, int8 weights (~1.5 MB; committed).
  python3 scripts/make-test-model.py known tests/fixtures/models/known-mean.onnx
      No layers: last_hidden_state[b, s, j] = ((id % 64) * 7 + j * 3) % 11 - 5 + 0.25, so a test
      can compute the mean-pooled, normalised vector by hand (committed).
  python3 scripts/make-test-model.py full  DIR
      The full MiniLM shape (30522 vocab, 6 layers, 384 hidden, 12 heads, 1536 FFN) in both
      DIR/onnx/model_quantized.onnx (int8, dynamic quantisation like Hugging Face's export, ~23 MB)
      and DIR/onnx/model.onnx (fp32, ~90 MB), for benchmarks.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class Graph:
    def __init__(self, seed):
        self.nodes = []
        self.inits = []
        self.count = 0
        self.rng = np.random.default_rng(seed)

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, array, prefix="c"):
        n = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def op(self, op_type, inputs, outputs=1, **attrs):
        outs = [self.name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, **attrs))
        return outs[0] if outputs == 1 else outs

    def weight(self, shape, scale=0.05):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)


def quantize(w):
    """Symmetric per-tensor int8, as onnxruntime's quantize_dynamic does for weights."""
    scale = float(np.abs(w).max() / 127.0) or 1.0
    return np.clip(np.round(w / scale), -127, 127).astype(np.int8), np.float32(scale)


def matmul(g, x, w, int8):
    """x @ w; int8: DynamicQuantizeLinear + MatMulInteger, the ops of a dynamically quantised model."""
    if not int8:
        return g.op("MatMul", [x, g.const(w, "w")])
    wq, ws = quantize(w)
    xq, xs, xz = g.op("DynamicQuantizeLinear", [x], outputs=3)
    acc = g.op("MatMulInteger", [xq, g.const(wq, "wq"), xz, g.const(np.int8(0), "wz")])
    scale = g.op("Mul", [xs, g.const(ws, "ws")])
    return g.op("Mul", [g.op("Cast", [acc], to=TensorProto.FLOAT), scale])


def dense(g, x, n_in, n_out, int8):
    return g.op("Add", [matmul(g, x, g.weight((n_in, n_out)), int8), g.const(g.weight((n_out,), 0.02), "b")])


def layer_norm(g, x, hidden):
    gamma = g.const(np.ones(hidden, np.float32) + g.weight((hidden,), 0.02), "gamma")
    beta = g.const(g.weight((hidden,), 0.02), "beta")
    return g.op("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=1e-12)


def embedding_table(g, rows, hidden, int8):
    table = g.weight((rows, hidden), 0.5)
    if not int8:
        return g.const(table, "table"), None
    q, s = quantize(table)
    return g.const(q, "tableq"), s


def gather_rows(g, table, scale, ids):
    rows = g.op("Gather", [table, ids], axis=0)
    if scale is None:
        return rows
    return g.op("DequantizeLinear", [rows, g.const(np.float32(scale), "s"), g.const(np.int8(0), "z")])


def bert(seed, vocab, id_buckets, layers, hidden, heads, ffn, positions, int8):
    g = Graph(seed)
    head_dim = hidden // heads
    ids = "input_ids"
    if id_buckets:
        ids = g.op("Mod", [ids, g.const(np.int64(id_buckets), "buckets")])
    word, word_scale = embedding_table(g, id_buckets or vocab, hidden, int8)
    x = gather_rows(g, word, word_scale, ids)
    seq_len = g.op("Gather", [g.op("Shape", ["input_ids"]), g.const(np.int64(1), "one")], axis=0)
    pos_ids = g.op("Range", [g.const(np.int64(0), "zero"), seq_len, g.const(np.int64(1), "step")])
    x = g.op("Add", [x, g.op("Gather", [g.const(g.weight((positions, hidden), 0.5), "pos"), pos_ids], axis=0)])
    x = g.op("Add", [x, g.op("Gather", [g.const(g.weight((2, hidden), 0.5), "type"), "token_type_ids"], axis=0)])
    x = layer_norm(g, x, hidden)

    # Additive mask: 0 where attention_mask is 1, -10000 on padding; [batch, 1, 1, seq].
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask = g.op("Mul", [g.op("Sub", [g.const(np.float32(1), "f1"), mask]), g.const(np.float32(-10000), "neg")])
    mask = g.op("Unsqueeze", [mask, g.const(np.array([1, 2], np.int64), "axes")])
    split_heads = g.const(np.array([0, 0, heads, head_dim], np.int64), "shape")
    merge_heads = g.const(np.array([0, 0, hidden], np.int64), "shape")
    inv_sqrt = g.const(np.float32(1 / np.sqrt(head_dim)), "scale")

    for _ in range(layers):
        def project(perm):
            return g.op("Transpose", [g.op("Reshape", [dense(g, x, hidden, hidden, int8), split_heads])], perm=perm)

        q = project([0, 2, 1, 3])  # [b, h, s, d]
        k = project([0, 2, 3, 1])  # [b, h, d, s]
        v = project([0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), inv_sqrt]), mask])
        ctx = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], perm=[0, 2, 1, 3]), merge_heads])
        x = layer_norm(g, g.op("Add", [x, dense(g, ctx, hidden, hidden, int8)]), hidden)
        h = dense(g, x, hidden, ffn, int8)
        # GELU(h) = 0.5 h (1 + erf(h / sqrt 2))
        erf = g.op("Erf", [g.op("Mul", [h, g.const(np.float32(1 / np.sqrt(2)), "r2")])])
        h = g.op("Mul", [g.op("Mul", [h, g.const(np.float32(0.5), "half")]), g.op("Add", [erf, g.const(np.float32(1), "f1")])])
        x = layer_norm(g, g.op("Add", [x, dense(g, h, ffn, hidden, int8)]), hidden)

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    return finish(g, hidden, f"random-bert-{layers}x{hidden}{'-int8' if int8 else ''}")


def known(buckets=64, hidden=384):
    """last_hidden_state[b, s, j] = table[id % buckets][j]; table[i][j] = ((7i + 3j) % 11) - 5 + 0.25."""
    g = Graph(0)
    i = np.arange(buckets)[:, None]
    j = np.arange(hidden)[None, :]
    table = (((7 * i + 3 * j) % 11) - 5 + 0.25).astype(np.float32)
    ids = g.op("Mod", ["input_ids", g.const(np.int64(buckets), "buckets")])
    x = g.op("Gather", [g.const(table, "table"), ids], axis=0)
    # token_type_ids takes part (times zero) so the model declares and uses all three inputs.
    t = g.op("Cast", [g.op("Unsqueeze", ["token_type_ids", g.const(np.array([2], np.int64), "axes")])], to=TensorProto.FLOAT)
    g.nodes.append(helper.make_node("Add", [x, g.op("Mul", [t, g.const(np.float32(0), "zero")])], ["last_hidden_state"]))
    return finish(g, hidden, "known-mean")


def finish(g, hidden, name):
    dims = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in ("input_ids", "attention_mask", "token_type_ids")]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [hidden])
    graph = helper.make_graph(g.nodes, name, inputs, [output], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="make-test-model.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def save(model, path):
    import os

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    onnx.save(model, path)
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


def main(argv):
    if len(argv) != 3 or argv[1] not in ("tiny", "known", "full"):
        sys.exit(__doc__)
    kind, out = argv[1], argv[2]
    if kind == "tiny":
        save(bert(1, 30522, 256, 1, 384, 12, 64, 512, True), out)
    elif kind == "known":
        save(known(), out)
    else:
        full = dict(vocab=30522, id_buckets=None, layers=6, hidden=384, heads=12, ffn=1536, positions=512)
        save(bert(2, int8=True, **full), f"{out}/onnx/model_quantized.onnx")
        save(bert(2, int8=False, **full), f"{out}/onnx/model.onnx")


if __name__ == "__main__":
    main(sys.argv)
