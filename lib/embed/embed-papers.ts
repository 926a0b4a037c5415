// Embeds papers and stores their vectors: the work of the embed queue and of `npm run embed`.
// Papers whose stored vector is already for their latest version and the current model are
// skipped (unless forced), so running it again after a crash or twice at once stores nothing twice.
import { countPapersToEmbed, listPapersToEmbed, saveEmbeddings, type EmbedSelection } from "../queries/embeddings";
import { paperText, type Embedder } from "./embedder";

export interface EmbedProgress {
  done: number;
  total: number;
}

export interface EmbedPapersOptions {
  /** Only these papers (default: every paper). */
  paperIds?: string[];
  /** Re-embed papers whose vector is already current. */
  force?: boolean;
  /** Papers read, embedded and stored per round (the embedder batches within it). */
  chunk?: number;
  onProgress?: (progress: EmbedProgress) => Promise<void> | void;
  /** Stops between rounds (what is stored stays stored). */
  signal?: AbortSignal;
}

export async function embedPapers(embedder: Embedder, options: EmbedPapersOptions = {}): Promise<EmbedProgress> {
  const selection: EmbedSelection = { model: embedder.modelId, paperIds: options.paperIds, force: options.force };
  const total = await countPapersToEmbed(selection);
  const progress = { done: 0, total };
  await options.onProgress?.(progress);
  let after: string | null = null;
  while (progress.done < total) {
    options.signal?.throwIfAborted();
    const papers = await listPapersToEmbed(selection, after, options.chunk ?? 64);
    if (papers.length === 0) break;
    const vectors = await embedder.embed(papers.map((p) => paperText(p.title, p.abstract)));
    await saveEmbeddings(papers.map((p, i) => ({ paperId: p.id, version: p.version, model: embedder.modelId, vector: vectors[i]! })));
    after = papers.at(-1)!.id;
    progress.done = Math.min(total, progress.done + papers.length);
    await options.onProgress?.({ ...progress });
  }
  return progress;
}
