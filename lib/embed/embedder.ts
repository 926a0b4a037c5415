// The sentence-embedding model used for relevance, related papers and semantic search.
// Until a model is loaded the app ranks by keywords only; callers treat `null` as "no model".

/** Width of the vectors stored in pgvector columns (all-MiniLM-L6-v2). */
export const EMBEDDING_DIMENSIONS = 384;

export interface Embedder {
  /** Identifies the model the vectors came from (stored beside each vector). */
  readonly modelId: string;
  /** One L2-normalised vector per text, in input order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** The process's embedder, loaded once; null when no model is available. */
export async function getEmbedder(): Promise<Embedder | null> {
  return null;
}

/** pgvector's text form of a vector: "[0.1,0.2,...]". */
export function toPgVector(vector: ArrayLike<number>): string {
  return `[${Array.from(vector).join(",")}]`;
}
