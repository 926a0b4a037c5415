// The embedder a JavaScript user would pick instead of ours: @huggingface/transformers'
// feature-extraction pipeline (mean pooling + normalise), on the SAME ONNX file and tokenizer as
// ours, for `npm run bench:embed` and the test that the two agree
// (tests/unit/embed-transformers-agree.test.ts). A devDependency: the app never loads it.
//
// transformers.js reads a model from `<env.localModelPath>/<model id>/` laid out as on the Hub
// (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx for dtype fp32 or
// onnx/model_quantized.onnx for q8). That layout is built in a temporary directory with links to
// the given files, so nothing is copied or downloaded (remote models are switched off). Its one
// change: tokenizer_config.json's model_max_length is set to our token limit, which is where
// transformers.js truncates (ours: EMBEDDING_MAX_TOKENS).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface TransformersJsOptions {
  /** Directory with config.json, tokenizer.json and tokenizer_config.json. */
  dir: string;
  /** The ONNX file to run (the same one our embedder runs). */
  onnxFile: string;
  /** "q8" for an int8 (dynamically quantised) export, "fp32" for a float one: only picks the file name in the layout. */
  dtype: "q8" | "fp32";
  threads: number;
  /** Truncation limit in tokens, [CLS] and [SEP] included. */
  maxTokens: number;
}

export interface TransformersJsEmbedder {
  /** One L2-normalised vector per text, in input order: the pipeline called on consecutive chunks of `batchSize` texts. */
  embed(texts: string[], batchSize: number): Promise<Float32Array[]>;
  /** transformers.js's own tokenizer ids for one text, as its pipeline feeds them (truncation on). */
  tokenIds(text: string): number[];
  release(): Promise<void>;
}

const MODEL_ID = "model";

export async function loadTransformersJs(options: TransformersJsOptions): Promise<TransformersJsEmbedder> {
  const { env, pipeline } = await import("@huggingface/transformers");
  const root = mkdtempSync(path.join(os.tmpdir(), "transformers-js-"));
  try {
    const dir = path.join(root, MODEL_ID);
    mkdirSync(path.join(dir, "onnx"), { recursive: true });
    for (const file of ["config.json", "tokenizer.json"]) symlinkSync(path.resolve(options.dir, file), path.join(dir, file));
    const tokenizerConfig = JSON.parse(readFileSync(path.join(options.dir, "tokenizer_config.json"), "utf8")) as object;
    writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ ...tokenizerConfig, model_max_length: options.maxTokens }));
    symlinkSync(path.resolve(options.onnxFile), path.join(dir, "onnx", options.dtype === "q8" ? "model_quantized.onnx" : "model.onnx"));

    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = root;
    const extractor = await pipeline("feature-extraction", MODEL_ID, {
      dtype: options.dtype,
      device: "cpu",
      // The same session settings as ours (lib/embed/onnx-embedder.ts openSession).
      session_options: { intraOpNumThreads: options.threads, interOpNumThreads: 1, graphOptimizationLevel: "all" },
    });
    return {
      async embed(texts, batchSize) {
        const vectors: Float32Array[] = [];
        for (let i = 0; i < texts.length; i += batchSize) {
          const output = await extractor(texts.slice(i, i + batchSize), { pooling: "mean", normalize: true });
          const [rows, dim] = output.dims as [number, number];
          const data = output.data as Float32Array;
          for (let r = 0; r < rows; r++) vectors.push(data.subarray(r * dim, (r + 1) * dim));
        }
        return vectors;
      },
      tokenIds(text) {
        const encoded = extractor.tokenizer(text, { padding: true, truncation: true }) as unknown as { input_ids: { data: BigInt64Array } };
        return Array.from(encoded.input_ids.data, Number);
      },
      async release() {
        await extractor.dispose();
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** 1 − cosine of two vectors, computed in float64 (both pipelines normalise, but the norms are not assumed). */
export function cosineGap(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d]! * b[d]!;
    na += a[d]! * a[d]!;
    nb += b[d]! * b[d]!;
  }
  return 1 - dot / Math.sqrt(na * nb);
}
