// The worker process: starts one BullMQ worker per queue that has a processor, and on SIGTERM or
// SIGINT lets active jobs finish (BullMQ's close waits for them) before closing every connection.
import { writeFileSync } from "node:fs";
import type { Processor } from "bullmq";
import { ArxivClient } from "../lib/arxiv/client";
import { disconnectDb } from "../lib/db";
import { env, loadDotEnv, setProcessEnv } from "../lib/env";
import { childLogger } from "../lib/logger";
import { createFirstRunIfNone } from "../lib/queries/crawl-runs";
import { getCrawlSchedule, getFollowedCategories } from "../lib/queries/settings";
import { enqueueCrawl, enqueueFeatureBackfill, QueueConnection, type QueueName } from "../lib/queue";
import { createCrawlProcessor } from "./crawl";
import { sweepOrphanedRuns } from "../lib/crawl";
import { LlmClient } from "../lib/llm/client";
import { createSummarizeProcessor } from "./summarize";
import { workerOptions } from "./options";
import { createEmbedProcessor } from "./embed";
import { createTrainProcessor } from "./train";
import { lowerPriority } from "../lib/priority";
import { createDigestProcessor } from "./digest";
import { Mailer } from "../lib/digest/mail";
import { WebhookSender } from "../lib/digest/webhook";
import { keptAuthSecret } from "../lib/auth-secret";
import path from "node:path";

loadDotEnv();
const log = childLogger("workers");

/** Aborted at shutdown: ends arXiv requests and retry waits at once. */
const shutdown = new AbortController();

async function main(): Promise<void> {
  // Digests' unsubscribe links are signed with the web's secret: without AUTH_SECRET, the one
  // `npm start` and `npm run web` keep in DATA_DIR (as they do for the web).
  if (!env().AUTH_SECRET) setProcessEnv({ AUTH_SECRET: keptAuthSecret(path.resolve(env().DATA_DIR)) });
  const config = env();
  // Readers first: crawls and embeddings take the CPU the web server and the database leave.
  if (config.WORKER_NICE > 0) lowerPriority(config.WORKER_NICE);
  const connection = new QueueConnection({
    redisUrl: config.REDIS_URL,
    databaseUrl: config.DATABASE_URL,
    pgSchema: config.QUEUE_PG_SCHEMA,
  });
  await connection.ping(10_000);
  // The admin's schedule (Settings) when one was saved, else CRAWL_SCHEDULE.
  const schedule = await getCrawlSchedule();

  const pdfClient = ArxivClient.fromEnv({ signal: shutdown.signal });
  /** Processors by queue; each is idempotent and parses its own payload. */
  const processors: Partial<Record<QueueName, Processor>> = {
    crawl: createCrawlProcessor({
      client: ArxivClient.fromEnv({ signal: shutdown.signal }),
      connection,
      pageSize: config.ARXIV_API_PAGE_SIZE,
      retryDelayMs: config.CRAWL_RETRY_DELAY_MS,
      shutdown: shutdown.signal,
    }),
    summarize: createSummarizeProcessor({
      llm: LlmClient.fromEnv({ signal: shutdown.signal }),
      shutdown: shutdown.signal,
      fullText: config.FAQ_FULL_TEXT
        ? { fetchPdf: pdfClient.fetchPdf.bind(pdfClient), maxInputTokens: config.FAQ_MAX_INPUT_TOKENS }
        : undefined,
    }),
    embed: createEmbedProcessor({ shutdown: shutdown.signal }),
    train: createTrainProcessor({ connection, shutdown: shutdown.signal }),
    digest: createDigestProcessor({
      mailer: Mailer.fromEnv(config, shutdown.signal),
      webhooks: new WebhookSender({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, signal: shutdown.signal }),
      shutdown: shutdown.signal,
    }),
  };
  const options = workerOptions(config);

  for (const [name, processor] of Object.entries(processors)) {
    const worker = connection.worker(name, processor, options[name as QueueName]);
    worker.on("failed", (job, error) =>
      log.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, "job failed"),
    );
    worker.on("error", (error) => log.error({ queue: name, err: error.message }, "worker error"));
  }
  log.info({ queues: Object.keys(processors), backend: connection.description }, "workers started");

  // The daily crawl: repeated checks for the announcement, then a final one that records a day
  // without announcement. Upserting keeps one scheduler however many workers start.
  const crawlQueue = connection.queue("crawl");
  await crawlQueue.upsertJobScheduler(
    "daily-check",
    { pattern: schedule.pattern, tz: "UTC" },
    { name: "daily-check", data: { kind: "daily-check", final: false } },
  );
  await crawlQueue.upsertJobScheduler(
    "daily-check-final",
    { pattern: config.CRAWL_FINAL_CHECK, tz: "UTC" },
    { name: "daily-check", data: { kind: "daily-check", final: true } },
  );

  // A new instance shows papers within a minute: crawl the followed categories at once.
  if (config.CRAWL_ON_FIRST_START) {
    const categories = await getFollowedCategories();
    const run = await createFirstRunIfNone({ trigger: "startup", source: "rss", categories });
    if (run) {
      await enqueueCrawl(connection, run.id, { retryDelayMs: config.CRAWL_RETRY_DELAY_MS });
      log.info({ runId: run.id, categories }, "first start: crawling the followed categories");
    }
  }

  // Term vectors for papers stored before the learned topic models (or by an older recipe), and
  // every topic whose model is missing or stale: nothing to do costs two queries.
  await enqueueFeatureBackfill(connection);

  // Runs that no job will finish (their last attempt failed while the database was down, so the
  // failure could not be written) are marked failed: at start and every 5 minutes.
  const sweep = () =>
    sweepOrphanedRuns(connection)
      .then((ids) => {
        if (ids.length > 0) log.warn({ runIds: ids }, "crawl runs without a live job marked failed");
      })
      .catch((error: Error) => log.warn({ err: error.message }, "sweep of orphaned crawl runs failed; next try in 5 minutes"));
  void sweep();
  const sweeper = setInterval(() => void sweep(), 5 * 60_000);

  // Stay up until told to stop, even while no worker holds a connection open; tell a container
  // healthcheck we are alive.
  const heartbeat = () => {
    if (config.WORKER_HEARTBEAT_FILE) writeFileSync(config.WORKER_HEARTBEAT_FILE, new Date().toISOString());
  };
  heartbeat();
  const keepAlive = setInterval(heartbeat, 10_000);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    clearInterval(sweeper);
    log.info({ signal }, "stopping workers");
    // arXiv requests and retry waits in progress end at once (a crawl step is idempotent: BullMQ
    // runs an interrupted one again later, and the run is not marked failed); database work in
    // progress finishes, as BullMQ's close waits for the active jobs.
    shutdown.abort(new Error(`worker shutting down (${signal})`));
    await connection.close();
    await disconnectDb();
    log.info("workers stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: Error) => {
  log.fatal({ err: error.message }, "workers could not start");
  process.exit(1);
});
