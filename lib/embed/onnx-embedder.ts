// Runs a sentence-embedding model in process with onnxruntime: tokenise, sort by length, run small
// batches, mean-pool over the attention mask, L2-normalise. CUDA when asked for and present,
// otherwise CPU (with one warning when CUDA was asked for but cannot load).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import type { Embedder } from "./embedder";
import { meanPoolNormalize } from "./pooling";
import { loadTokenizer, type TextTokenizer, type TokenizedText } from "./tokenize";

export const EXPECTED_INPUTS = ["input_ids", "attention_mask"] as const;
export const OUTPUT_NAME = "last_hidden_state";

export type EmbeddingDevice = "cpu" | "cuda";

export interface LoadOptions {
  /** Model directory (tokenizer.json, config.json). */
  dir: string;
  /** The ONNX file to run (usually dir/onnx/model_quantized.onnx). */
  onnxFile: string;
  device?: EmbeddingDevice;
  threads?: number;
  batchSize?: number;
  maxTokens?: number;
  dimensions?: number;
  /** Where the one CUDA fallback warning goes (default console.warn). */
  warn?: (message: string) => void;
}

export interface OnnxEmbedder extends Embedder {
  /** The device actually running the model (cpu after a CUDA fallback). */
  readonly device: EmbeddingDevice;
  readonly requestedDevice: EmbeddingDevice;
  /** Why the requested device is not used, when it is not. */
  readonly fallbackReason?: string;
  readonly tokenizer: TextTokenizer;
  readonly session: ort.InferenceSession;
  readonly batchSize: number;
  /** Runs one batch of already tokenised texts (padded here) and pools it. */
  embedTokenized(batch: TokenizedText[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

/** Opens the ONNX session on `device`, falling back from cuda to cpu when the CUDA provider cannot load. */
export async function openSession(
  onnxFile: string,
  device: EmbeddingDevice,
  threads: number,
  warn: (message: string) => void = (m) => console.warn(m),
): Promise<{ session: ort.InferenceSession; device: EmbeddingDevice; fallbackReason?: string }> {
  const options = (provider: EmbeddingDevice): ort.InferenceSession.SessionOptions => ({
    executionProviders: [provider],
    // onnxruntime logs a failed CUDA load itself, as an error; our one warning below says it better.
    logSeverityLevel: provider === "cuda" ? 4 : 2,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  if (device === "cuda") {
    // onnxruntime's process-wide logger (set up by the first session) prints the failed library
    // load as an error of its own; the warning below is the one message a person should see.
    ort.env.logLevel = "fatal";
    try {
      return { session: await ort.InferenceSession.create(onnxFile, options("cuda")), device: "cuda" };
    } catch (error) {
      const reason = (error as Error).message.split("\n")[0];
      warn(
        `EMBEDDING_DEVICE=cuda, but the CUDA execution provider could not load (${reason}); embedding on the CPU instead. ` +
          "A GPU needs CUDA 12 and cuDNN 9, and onnxruntime-node's CUDA provider libraries " +
          "(`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js`; see README).",
      );
      return { session: await ort.InferenceSession.create(onnxFile, options("cpu")), device: "cpu", fallbackReason: reason };
    }
  }
  return { session: await ort.InferenceSession.create(onnxFile, options("cpu")), device: "cpu" };
}

/** Throws unless the session has the inputs and output of a BERT-style sentence-embedding export. */
export function checkSignature(session: ort.InferenceSession, onnxFile: string): void {
  const missing = EXPECTED_INPUTS.filter((name) => !session.inputNames.includes(name));
  const unknown = session.inputNames.filter((name) => !["input_ids", "attention_mask", "token_type_ids"].includes(name));
  if (missing.length || unknown.length || !session.outputNames.includes(OUTPUT_NAME)) {
    throw new Error(
      `${onnxFile} is not a sentence-embedding model this app can run: inputs [${session.inputNames.join(", ")}], ` +
        `outputs [${session.outputNames.join(", ")}]; expected inputs input_ids, attention_mask (token_type_ids optional) ` +
        `and output ${OUTPUT_NAME}`,
    );
  }
}

/** First 12 hex digits of the file's sha256: stored vectors name the exact model file they came from. */
async function fileFingerprint(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex").slice(0, 12);
}

export async function loadOnnxEmbedder(options: LoadOptions): Promise<OnnxEmbedder> {
  const dimensions = options.dimensions ?? 384;
  const batchSize = options.batchSize ?? 8;
  const tokenizer = loadTokenizer(options.dir, options.maxTokens ?? 256);
  const opened = await openSession(options.onnxFile, options.device ?? "cpu", options.threads ?? 2, options.warn);
  const { session } = opened;
  try {
    checkSignature(session, options.onnxFile);
  } catch (error) {
    await session.release();
    throw error;
  }
  const wantsTypes = session.inputNames.includes("token_type_ids");
  const modelId = `${path.basename(options.dir)}/${path.basename(options.onnxFile, ".onnx")}@${await fileFingerprint(options.onnxFile)}`;

  async function embedTokenized(batch: TokenizedText[]): Promise<Float32Array[]> {
    if (batch.length === 0) return [];
    const seq = Math.max(...batch.map((t) => t.ids.length));
    const size = batch.length * seq;
    const ids = new BigInt64Array(size);
    const mask = new BigInt64Array(size);
    const types = new BigInt64Array(size);
    batch.forEach((t, b) => {
      for (let s = 0; s < t.ids.length; s++) {
        ids[b * seq + s] = BigInt(t.ids[s]!);
        mask[b * seq + s] = BigInt(t.attentionMask[s]!);
        types[b * seq + s] = BigInt(t.tokenTypeIds[s] ?? 0);
      }
    });
    const dims = [batch.length, seq];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", ids, dims),
      attention_mask: new ort.Tensor("int64", mask, dims),
    };
    if (wantsTypes) feeds.token_type_ids = new ort.Tensor("int64", types, dims);
    const result = await session.run(feeds, [OUTPUT_NAME]);
    const output = result[OUTPUT_NAME]!;
    try {
      const [, outSeq, dim] = output.dims;
      if (output.dims.length !== 3 || outSeq !== seq || dim !== dimensions) {
        throw new Error(`model output ${OUTPUT_NAME} has shape [${output.dims.join(", ")}], expected [${batch.length}, ${seq}, ${dimensions}]`);
      }
      return meanPoolNormalize(output.data as Float32Array, mask, batch.length, seq, dimensions);
    } finally {
      output.dispose();
    }
  }

  return {
    modelId,
    device: opened.device,
    requestedDevice: options.device ?? "cpu",
    fallbackReason: opened.fallbackReason,
    tokenizer,
    session,
    batchSize,
    embedTokenized,
    async embed(texts) {
      // Sorted by length so each batch pads little; results go back to the input order.
      const encoded = texts.map((text, index) => ({ index, tokens: tokenizer.encode(text) }));
      encoded.sort((a, b) => a.tokens.ids.length - b.tokens.ids.length);
      const vectors: Float32Array[] = new Array(texts.length);
      for (let i = 0; i < encoded.length; i += batchSize) {
        const batch = encoded.slice(i, i + batchSize);
        const pooled = await embedTokenized(batch.map((e) => e.tokens));
        batch.forEach((e, j) => (vectors[e.index] = pooled[j]!));
      }
      return vectors;
    },
    release: () => session.release(),
  };
}
