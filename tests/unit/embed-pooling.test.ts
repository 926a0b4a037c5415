// Mean pooling over the attention mask and L2 normalisation, checked numerically: on hand-made
// arrays, and end to end through onnxruntime on a tiny model of KNOWN weights
// (tests/fixtures/models/known-mean.onnx, from scripts/make-test-model.py): its output for a token
// id is row (id mod 64) of table[i][j] = ((7i + 3j) mod 11) − 5 + 0.25, so the expected sentence
// vector is computed here.
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadOnnxEmbedder, type OnnxEmbedder } from "../../lib/embed/onnx-embedder";
import { meanPoolNormalize } from "../../lib/embed/pooling";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/models");
const dir = path.join(fixtures, "all-MiniLM-L6-v2");

test("mean over unmasked tokens, then unit length", () => {
  // batch 2, seq 3, dim 2; the second row's last token is padding and must not count.
  const hidden = new Float32Array([1, 0, 3, 0, 2, 6, /* row 2 */ 3, 4, 3, 4, 100, -100]);
  const [a, b] = meanPoolNormalize(hidden, [1, 1, 1, 1, 1, 0], 2, 3, 2);
  // row 1: mean (2, 2) -> (1/√2, 1/√2); row 2: mean (3, 4) -> (0.6, 0.8)
  expect(a![0]).toBeCloseTo(Math.SQRT1_2, 6);
  expect(a![1]).toBeCloseTo(Math.SQRT1_2, 6);
  expect(b![0]).toBeCloseTo(0.6, 6);
  expect(b![1]).toBeCloseTo(0.8, 6);
});

test("a zero vector stays zero and a wrong output size is refused", () => {
  expect(Array.from(meanPoolNormalize(new Float32Array(4), [1, 1], 1, 2, 2)[0]!)).toEqual([0, 0]);
  expect(() => meanPoolNormalize(new Float32Array(5), [1, 1], 1, 2, 2)).toThrow(/expected 1×2×2/);
});

let known: OnnxEmbedder;
beforeAll(async () => {
  known = await loadOnnxEmbedder({ dir, onnxFile: path.join(fixtures, "known-mean.onnx"), batchSize: 4, threads: 1 });
});
afterAll(() => known?.release());

function expected(ids: number[]): number[] {
  const sum = new Array(384).fill(0);
  for (const id of ids) for (let j = 0; j < 384; j++) sum[j] += ((7 * (id % 64) + 3 * j) % 11) - 5 + 0.25;
  const mean = sum.map((s) => s / ids.length);
  const norm = Math.hypot(...mean);
  return mean.map((m) => m / norm);
}

test("the pipeline's vector equals the hand-computed mean-pooled, normalised one", async () => {
  const texts = ["Hello, World!", "unbelievably tokenization", "a"];
  const vectors = await known.embed(texts);
  texts.forEach((text, i) => {
    const want = expected(known.tokenizer.encode(text).ids);
    const got = Array.from(vectors[i]!);
    expect(got).toHaveLength(384);
    for (let j = 0; j < 384; j++) expect(got[j]).toBeCloseTo(want[j]!, 5);
  });
});

test("padding in a batch changes nothing, and results come back in input order", async () => {
  // Lengths differ, so the batch is sorted and padded: every text must still get its own vector.
  const texts = ["world " .repeat(40), "Hello", "Transformers are all you need.", "Hello"];
  const together = await known.embed(texts);
  for (const [i, text] of texts.entries()) {
    const [alone] = await known.embed([text]);
    expect(Array.from(together[i]!)).toEqual(Array.from(alone!));
  }
  expect(Array.from(together[1]!)).toEqual(Array.from(together[3]!));
  expect(Array.from(together[0]!)).not.toEqual(Array.from(together[1]!));
});

test("the model's identity names the directory, the file and its content", () => {
  expect(known.modelId).toMatch(/^all-MiniLM-L6-v2\/known-mean@[0-9a-f]{12}$/);
});
