// The sentence-embedding model used for relevance, related papers and semantic search.
// Until a model is loaded the app ranks by keywords only; callers treat `null` as "no model".
// The model (lib/embed/onnx-embedder.ts) is loaded on first use, once per process.
import { env } from "../env";
import { embeddingModelDir, locateModel } from "./model-files";
import type { EmbeddingDevice, OnnxEmbedder } from "./onnx-embedder";

/** Width of the vectors stored in pgvector columns (all-MiniLM-L6-v2). */
export const EMBEDDING_DIMENSIONS = 384;

export interface Embedder {
  /** Identifies the model the vectors came from (stored beside each vector). */
  readonly modelId: string;
  /** One L2-normalised vector per text, in input order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** What the process's embedder is doing, for the health page. */
export type EmbedderStatus =
  | { state: "not-loaded"; dir: string }
  | { state: "loaded"; dir: string; modelId: string; device: EmbeddingDevice; requestedDevice: EmbeddingDevice; fallbackReason?: string }
  | { state: "keyword-fallback"; dir: string; reason: string };

/** A missing or broken model is looked for again after this long (a download while running is picked up). */
const RETRY_MS = 60_000;

const globalForEmbedder = globalThis as unknown as {
  embedder?: { promise: Promise<OnnxEmbedder | null>; at: number; status: EmbedderStatus };
};

/** The process's embedder, loaded once; null when no model is available. */
export async function getEmbedder(): Promise<Embedder | null> {
  const cached = globalForEmbedder.embedder;
  if (cached && (cached.status.state !== "keyword-fallback" || Date.now() - cached.at < RETRY_MS)) return cached.promise;
  const dir = embeddingModelDir();
  const entry = { at: Date.now(), status: { state: "not-loaded", dir } as EmbedderStatus, promise: Promise.resolve<OnnxEmbedder | null>(null) };
  entry.promise = loadConfigured(dir, (status) => (entry.status = status), cached?.status.state === "keyword-fallback" ? cached.status.reason : undefined);
  globalForEmbedder.embedder = entry;
  return entry.promise;
}

/** The state of the process's embedder without loading it. */
export function embedderStatus(): EmbedderStatus {
  return globalForEmbedder.embedder?.status ?? { state: "not-loaded", dir: embeddingModelDir() };
}

async function loadConfigured(
  dir: string,
  setStatus: (status: EmbedderStatus) => void,
  previousReason: string | undefined,
): Promise<OnnxEmbedder | null> {
  const { childLogger } = await import("../logger");
  const log = childLogger("embed");
  const location = locateModel(dir);
  const fallback = (reason: string) => {
    // Said once, not every minute while the model stays missing.
    if (reason !== previousReason) log.warn(reason);
    setStatus({ state: "keyword-fallback", dir, reason });
    return null;
  };
  if (!location.ok) return fallback(location.message);
  const config = env();
  try {
    const { loadOnnxEmbedder } = await import("./onnx-embedder");
    const embedder = await loadOnnxEmbedder({
      dir,
      onnxFile: location.onnxFile,
      device: config.EMBEDDING_DEVICE,
      threads: config.EMBEDDING_THREADS,
      batchSize: config.EMBEDDING_BATCH_SIZE,
      maxTokens: config.EMBEDDING_MAX_TOKENS,
      dimensions: EMBEDDING_DIMENSIONS,
      warn: (message) => log.warn(message),
    });
    setStatus({
      state: "loaded",
      dir,
      modelId: embedder.modelId,
      device: embedder.device,
      requestedDevice: embedder.requestedDevice,
      fallbackReason: embedder.fallbackReason,
    });
    log.info({ modelId: embedder.modelId, device: embedder.device }, "embedding model loaded");
    return embedder;
  } catch (error) {
    return fallback(
      `The embedding model in ${dir} could not be loaded (${(error as Error).message}); topics learn from the papers' words only. ` +
        "Run `npm run model:download` to fetch it again.",
    );
  }
}

/** pgvector's text form of a vector: "[0.1,0.2,...]". */
export function toPgVector(vector: ArrayLike<number>): string {
  return `[${Array.from(vector).join(",")}]`;
}

/** The text embedded for a paper: title and abstract, as one passage. */
export function paperText(title: string, abstract: string): string {
  return `${title.trim()}. ${abstract.trim()}`;
}
