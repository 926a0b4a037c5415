// The embed job processor: embeds the given papers (after a crawl) or every paper whose vector is
// missing or stale, in rounds, reporting progress; a run over every paper ("missing" or "all") also
// gives every reader's topics a vector of the current model (after a model change their old vectors
// are stale). Without a model it does nothing and says so: relevance then stays on keyword scoring.
import type { Job, Processor } from "bullmq";
import { getEmbedder, type Embedder } from "../lib/embed/embedder";
import { embedPapers } from "../lib/embed/embed-papers";
import { childLogger } from "../lib/logger";
import { embedStaleTopics } from "../lib/topics/embedding";
import { payloadSchemas } from "../lib/queue";

const log = childLogger("embed");

export interface EmbedProcessorDeps {
  /** The model; default the process's (getEmbedder). */
  embedder?: () => Promise<Embedder | null>;
  shutdown?: AbortSignal;
}

export function createEmbedProcessor(deps: EmbedProcessorDeps = {}): Processor {
  return async (job: Job) => {
    const payload = payloadSchemas.embed.parse(job.data);
    const embedder = await (deps.embedder ?? getEmbedder)();
    if (!embedder) return { skipped: "no embedding model (see the health page); relevance uses keyword scoring" };
    const started = Date.now();
    const result = await embedPapers(embedder, {
      paperIds: "paperIds" in payload ? payload.paperIds : undefined,
      force: "scope" in payload && payload.scope === "all",
      onProgress: (p) => job.updateProgress({ ...p, percent: p.total ? Math.round((p.done / p.total) * 100) : 100 }),
      signal: deps.shutdown,
    });
    if (!("scope" in payload)) {
      log.info({ ...result, model: embedder.modelId, ms: Date.now() - started }, "papers embedded");
      return { ...result, model: embedder.modelId };
    }
    const topics = await embedStaleTopics(embedder, { signal: deps.shutdown });
    log.info({ ...result, topics, model: embedder.modelId, ms: Date.now() - started }, "papers and topics embedded");
    return { ...result, topics, model: embedder.modelId };
  };
}
