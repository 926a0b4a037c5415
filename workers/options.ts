// Each queue's BullMQ worker options, as the worker process runs them (workers/index.ts); the
// queue wake-up test starts its workers with the same ones.
import type { WorkerOptions } from "bullmq";
import type { Env } from "../lib/env";
import type { QueueName } from "../lib/queue";
import { summarizeWorkerOptions } from "./summarize";

export function workerOptions(config: Env): Record<QueueName, Pick<WorkerOptions, "concurrency" | "limiter">> {
  return {
    // Crawl jobs each make one arXiv request, so the limiter spaces requests across all workers.
    crawl: { concurrency: 1, limiter: { max: 1, duration: config.ARXIV_API_MIN_INTERVAL_MS } },
    // Cost control: SUMMARIZE_CONCURRENCY per process, SUMMARIZE_RATE_PER_MINUTE across all workers.
    summarize: summarizeWorkerOptions(config),
    // One model run at a time uses EMBEDDING_THREADS cores; parallel jobs would only contend.
    embed: { concurrency: 1 },
    // Training a topic takes a fraction of a second of one core; two at once keep labels responsive
    // while a backfill runs.
    train: { concurrency: 2 },
    // A day's digests are one job; its deliveries go one after another (mail servers and webhooks
    // prefer a steady sender).
    digest: { concurrency: 1 },
  };
}
