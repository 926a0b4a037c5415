// The worker process: starts one BullMQ worker per queue that has a processor, and on SIGTERM or
// SIGINT lets active jobs finish (BullMQ's close waits for them) before closing every connection.
import { writeFileSync } from "node:fs";
import type { Processor } from "bullmq";
import { disconnectDb } from "../lib/db";
import { env, loadDotEnv } from "../lib/env";
import { childLogger } from "../lib/logger";
import { QueueConnection, type QueueName } from "../lib/queue";

loadDotEnv();
const log = childLogger("workers");

/** Processors by queue; each is idempotent and parses its own payload. */
const processors: Partial<Record<QueueName, Processor>> = {};

async function main(): Promise<void> {
  const config = env();
  const connection = new QueueConnection({
    redisUrl: config.REDIS_URL,
    databaseUrl: config.DATABASE_URL,
    pgSchema: config.QUEUE_PG_SCHEMA,
  });
  await connection.ping(10_000);
  for (const [name, processor] of Object.entries(processors)) {
    const worker = connection.worker(name, processor, { concurrency: config.WORKER_CONCURRENCY });
    worker.on("failed", (job, error) =>
      log.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, "job failed"),
    );
    worker.on("error", (error) => log.error({ queue: name, err: error.message }, "worker error"));
  }
  log.info({ queues: Object.keys(processors), backend: connection.description }, "workers started");

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
    log.info({ signal }, "stopping workers: waiting for active jobs to finish");
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
