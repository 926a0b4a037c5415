// The crawl job processor: one step of a crawl run (an RSS feed, or one API page that enqueues the
// next), or the scheduled announcement check. Idempotent: a job re-run after a crash or a stall
// stores nothing twice. Permanent failures (malformed or error feeds, 4xx) are not retried.
import { UnrecoverableError, type Job, type Processor } from "bullmq";
import type { ArxivClient } from "../lib/arxiv/client";
import { FeedError } from "../lib/arxiv/types";
import { crawlStep, dailyCheck, markRunStarted } from "../lib/crawl";
import { childLogger } from "../lib/logger";
import { finishRun, getCrawlRun, saveRunProgress, type CrawlCounts } from "../lib/queries/crawl-runs";
import { enqueueCrawl, enqueueEmbedAll, enqueueFeatureBackfill, payloadSchemas, type QueueConnection } from "../lib/queue";
import { HttpError } from "../lib/retry";
import { enqueueLatestDigest } from "../lib/digest/schedule";

const log = childLogger("crawl");

export interface CrawlProcessorDeps {
  client: ArxivClient;
  connection: QueueConnection;
  pageSize: number;
  retryDelayMs: number;
  /** Aborted at shutdown: a step cut short then is neither a failure nor progress; BullMQ runs it again. */
  shutdown?: AbortSignal;
}

/** Failures that trying again cannot fix. */
export function isPermanent(error: unknown): boolean {
  if (error instanceof FeedError || error instanceof UnrecoverableError) return true;
  return error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 429;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * After a crawl that stored papers: embed whatever lacks a vector for its latest version (new
 * papers and new versions; the job skips the rest). Counts of the last step alone may not show an
 * earlier page's new papers, so any stored paper is reason enough.
 */
async function enqueueEmbeddings(connection: QueueConnection, counts: CrawlCounts): Promise<void> {
  if (counts.stored > 0 || counts.newPapers + counts.newVersions > 0) {
    await enqueueEmbedAll(connection, "missing");
    // New papers: term vectors any step missed, and every topic retrained on the grown corpus.
    await enqueueFeatureBackfill(connection);
    await enqueueLatestDigest(connection);
  }
}

export function createCrawlProcessor(deps: CrawlProcessorDeps): Processor {
  return async (job: Job) => {
    const payload = payloadSchemas.crawl.parse(job.data);
    if (payload.kind === "daily-check") {
      const result = await dailyCheck({ client: deps.client, pageSize: deps.pageSize }, { final: payload.final, jobId: job.id });
      log.info({ result: result.outcome, ...("date" in result ? { date: result.date } : {}) }, "daily check");
      if (result.outcome === "stored") await enqueueEmbeddings(deps.connection, result.counts);
      return result;
    }

    const { runId } = payload;
    const start = payload.start ?? 0;
    await markRunStarted(runId, job.id);
    try {
      const step = await crawlStep(runId, start, {
        client: deps.client,
        pageSize: deps.pageSize,
        onProgress: (counts: CrawlCounts) => job.updateProgress({ runId, ...counts }),
      });
      if (!step.done) await enqueueCrawl(deps.connection, runId, { start: step.nextStart, retryDelayMs: deps.retryDelayMs });
      else await enqueueEmbeddings(deps.connection, step.counts);
      return { runId, done: step.done, counts: step.counts };
    } catch (error) {
      if (deps.shutdown?.aborted) throw error;
      const message = describeError(error);
      const attempts = job.opts.attempts ?? 1;
      const permanent = isPermanent(error);
      if (permanent || job.attemptsMade + 1 >= attempts) {
        const run = await getCrawlRun(runId);
        await finishRun(runId, {
          status: "failed",
          error: message,
          counts: run ? (run.counts as unknown as CrawlCounts) : undefined,
        });
        log.warn({ runId, err: message, permanent }, "crawl run failed");
        if (permanent && !(error instanceof UnrecoverableError)) throw new UnrecoverableError(message);
        throw error;
      }
      // Tried again by BullMQ later: say so on the run, keep its counts.
      const run = await getCrawlRun(runId);
      if (run) {
        await saveRunProgress(
          runId,
          run.counts as unknown as CrawlCounts,
          `attempt ${job.attemptsMade + 1} of ${attempts} failed: ${message}; retrying`,
        );
      }
      throw error;
    }
  };
}
