// The train job processor: trains one topic's model (lib/relevance/train.ts) with the process's
// embedding model when one is loaded, or runs the backfill: term vectors for listed, labelled and
// starred papers that lack one (stored before the learned models existed, or of an older recipe), in
// rounds with progress, then every topic whose model is missing or stale (older than its labels or
// the latest papers, or trained without the loaded embedding model's vectors).
import type { Job, Processor } from "bullmq";
import { getEmbedder, type Embedder } from "../lib/embed/embedder";
import { childLogger } from "../lib/logger";
import { listPapersNeedingFeatures, staleTopicIds, storePaperFeatures } from "../lib/queries/relevance";
import { enqueueTraining, payloadSchemas, type QueueConnection } from "../lib/queue";
import { trainTopic } from "../lib/relevance/train";

const log = childLogger("train");

export interface TrainProcessorDeps {
  connection: QueueConnection;
  /** The embedding model; default the process's (getEmbedder). */
  embedder?: () => Promise<Embedder | null>;
  shutdown?: AbortSignal;
}

/** Computes missing term vectors in rounds of `chunk`; returns how many were stored. */
export async function backfillFeatures(options: { chunk?: number; signal?: AbortSignal; onProgress?: (done: number) => void } = {}): Promise<number> {
  let done = 0;
  let after: string | null = null;
  for (;;) {
    options.signal?.throwIfAborted();
    const papers = await listPapersNeedingFeatures(after, options.chunk ?? 500);
    if (!papers.length) return done;
    done += await storePaperFeatures(papers);
    after = papers.at(-1)!.id;
    options.onProgress?.(done);
  }
}

export function createTrainProcessor(deps: TrainProcessorDeps): Processor {
  return async (job: Job) => {
    const payload = payloadSchemas.train.parse(job.data);
    if ("backfill" in payload) {
      const started = Date.now();
      const papers = await backfillFeatures({ signal: deps.shutdown, onProgress: (done) => void job.updateProgress({ papers: done }) });
      const embedder = await (deps.embedder ?? getEmbedder)();
      const topics = await staleTopicIds(embedder?.modelId ?? null);
      for (const id of topics) await enqueueTraining(deps.connection, id);
      log.info({ papers, topics: topics.length, ms: Date.now() - started }, "term vectors backfilled; stale topics queued for training");
      return { papers, topics: topics.length };
    }
    const embedder = await (deps.embedder ?? getEmbedder)();
    const result = await trainTopic(payload.topicId, { embedder });
    if (result.trained) log.info({ topicId: payload.topicId, ...result }, "topic trained");
    else log.info({ topicId: payload.topicId, reason: result.reason }, "topic not trained");
    return result;
  };
}
