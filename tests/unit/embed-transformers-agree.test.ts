// Our embedder (lib/embed) and @huggingface/transformers' feature-extraction pipeline (mean pooling
// + normalise) give the same vectors, to 1e-4 in cosine, on the same ONNX file, tokenizer and texts:
// the guard that `npm run bench:embed` compares like with like (it loads transformers.js through
// bench/transformers-js.ts, as here). The two batch differently on purpose (ours sorts by length,
// transformers.js pads each batch to its longest text in input order), so padding must not count.
// Models: known-mean.onnx (no layers, float: exact) and the committed one-layer int8 test model.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cosineGap, loadTransformersJs, type TransformersJsEmbedder } from "../../bench/transformers-js";
import { paperText } from "../../lib/embed/embedder";
import { loadOnnxEmbedder, type OnnxEmbedder } from "../../lib/embed/onnx-embedder";

const fixtures = path.resolve(import.meta.dirname, "../fixtures");
const dir = path.join(fixtures, "models/all-MiniLM-L6-v2");
const MAX_TOKENS = 256;

// Eight real abstracts (title + abstract, as the app builds the text) of varied lengths, and two short texts.
const abstracts = readFileSync(path.join(fixtures, "arxiv/kaggle/wanng-ide_snapshot_first200.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .slice(0, 8)
  .map((line) => JSON.parse(line) as { title: string; abstract: string })
  .map((r) => paperText(r.title.replace(/\s+/g, " "), r.abstract.replace(/\s+/g, " ")));
const texts = [...abstracts, "Hello, World!", "Sparsity-certifying graph decompositions."];

function maxCosineGap(a: Float32Array[], b: Float32Array[]): number {
  expect(a).toHaveLength(b.length);
  let worst = 0;
  a.forEach((u, i) => {
    const v = b[i]!;
    expect(v).toHaveLength(u.length);
    worst = Math.max(worst, cosineGap(u, v));
  });
  return worst;
}

const models = [
  { name: "known-mean.onnx (exact float model)", onnxFile: path.join(fixtures, "models/known-mean.onnx"), dtype: "fp32" as const },
  { name: "the int8 test model", onnxFile: path.join(dir, "onnx/model_quantized.onnx"), dtype: "q8" as const },
];

describe.each(models)("$name", ({ onnxFile, dtype }) => {
  let ours: OnnxEmbedder;
  let oursOneByOne: OnnxEmbedder;
  let theirs: TransformersJsEmbedder;
  beforeAll(async () => {
    ours = await loadOnnxEmbedder({ dir, onnxFile, threads: 1, batchSize: 4, maxTokens: MAX_TOKENS });
    oursOneByOne = await loadOnnxEmbedder({ dir, onnxFile, threads: 1, batchSize: 1, maxTokens: MAX_TOKENS });
    theirs = await loadTransformersJs({ dir, onnxFile, dtype, threads: 1, maxTokens: MAX_TOKENS });
  }, 60_000);
  afterAll(async () => {
    await ours?.release();
    await oursOneByOne?.release();
    await theirs?.release();
  });

  test("the same token ids for every text that fits", () => {
    for (const text of texts) {
      const ids = ours.tokenizer.encode(text).ids;
      expect(ids.length).toBeLessThan(MAX_TOKENS);
      expect(theirs.tokenIds(text)).toEqual(ids);
    }
  });

  test("one text at a time: the same vectors", async () => {
    const gap = maxCosineGap(await oursOneByOne.embed(texts), await theirs.embed(texts, 1));
    expect(gap).toBeLessThanOrEqual(1e-4);
  });

  test("batched differently (ours sorted in 4s, theirs all ten padded together): within 1e-4", async () => {
    const gap = maxCosineGap(await ours.embed(texts), await theirs.embed(texts, texts.length));
    expect(gap).toBeLessThanOrEqual(1e-4);
  });

  test("a text over the limit: both cut it to the limit, ours keeps [SEP] last, transformers.js ends on a word piece", () => {
    // A known difference, not a fault of ours: Hugging Face's Python tokenizers and sentence-transformers
    // keep [SEP]; transformers.js 4.3 cuts the ids after the special tokens are added.
    const long = "world ".repeat(400);
    const ourIds = ours.tokenizer.encode(long).ids;
    const theirIds = theirs.tokenIds(long);
    expect(ourIds).toHaveLength(MAX_TOKENS);
    expect(theirIds).toHaveLength(MAX_TOKENS);
    expect(ourIds.at(-1)).toBe(102);
    expect(theirIds.slice(0, -1)).toEqual(ourIds.slice(0, -1));
    expect(theirIds.at(-1)).toBe(2088); // "world"
  });
});
