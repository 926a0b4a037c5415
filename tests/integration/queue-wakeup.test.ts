// Every kind of job the web server queues starts within seconds on every queue store: a worker
// blocked waiting for work (as the worker process is, most of the time) must be woken by a job
// that another process adds, right after the worker starts and again after it has sat idle.
// Producer and worker use separate connections, as the web server and the worker process do.
// A queue that holds a delayed job (the crawl queue always does: the daily check's scheduler keeps
// its next run there; other queues while a retry waits) makes BullMQ's worker block until that
// job is due, up to an hour on the PostgreSQL backend, counting on NOTIFY to wake it for new work.
// On the embedded database NOTIFY went to the connection that sent it, not to the worker's LISTEN
// connection, so re-crawls sat "queued" for up to an hour; lib/pglite-server.ts now routes it.
import { randomBytes, randomUUID } from "node:crypto";
import { afterEach, expect, inject, test } from "vitest";
import type { Job } from "bullmq";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../lib/embedded-postgres";
import { parseEnv } from "../../lib/env";
import { enqueue, enqueueCrawl, enqueueEmbedAll, QUEUE_NAMES, QueueConnection, type QueueConnectionConfig } from "../../lib/queue";
import { workerOptions } from "../../workers/options";

/** How long a queued job may wait for an idle worker before the test calls it stuck. */
const START_WITHIN_MS = 5_000;
/** Long enough for the worker to finish its last job and block waiting for the next. */
const IDLE_MS = 1_500;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The jobs the web server adds, as it adds them (lib/admin, app/papers, lib/faq, lib/admin/embed). */
const webJobs: { kind: string; add: (web: QueueConnection) => Promise<Job | undefined> }[] = [
  { kind: "admin re-crawl", add: (web) => enqueueCrawl(web, randomUUID(), { retryDelayMs: 100 }) },
  { kind: "fetch of a missing paper", add: (web) => enqueueCrawl(web, randomUUID(), { priority: 1 }) },
  { kind: "FAQ", add: (web) => enqueue(web, "summarize", { faqId: randomUUID() }, { jobId: `faq-${randomUUID()}`, priority: 1 }) },
  { kind: "embed run", add: (web) => enqueueEmbedAll(web, "missing", { jobId: `embed-${randomUUID()}` }) },
];

async function checkWakeUps(config: QueueConnectionConfig) {
  const web = new QueueConnection(config);
  const worker = new QueueConnection(config);
  cleanups.push(() => web.close(), () => worker.close());
  // The worker process's options (limiter windows included), with a 1 s arXiv spacing so the test
  // does not wait out the default 3 s between crawl jobs.
  const options = workerOptions(parseEnv({ ARXIV_API_MIN_INTERVAL_MS: "1000" }));
  const started = new Map<string, number>();
  // Each queue holds a job due in an hour, as the worker process's crawl queue holds the next daily check.
  for (const name of QUEUE_NAMES) await web.queue(name).add("later", {}, { delay: 3_600_000 });
  for (const name of QUEUE_NAMES) {
    const w = worker.worker(name, async (job) => void started.set(job.id!, Date.now()), options[name]);
    await w.waitUntilReady();
  }
  const delays: { kind: string; round: number; ms: number | "not started" }[] = [];
  for (let round = 1; round <= 3; round++) {
    for (const { kind, add } of webJobs) {
      // Round 1's first job comes right after the worker started; every other after an idle spell.
      if (round > 1 || kind !== webJobs[0]!.kind) await new Promise((r) => setTimeout(r, IDLE_MS));
      const added = Date.now();
      const job = await add(web);
      const deadline = added + START_WITHIN_MS;
      while (!started.has(job!.id!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      delays.push({ kind, round, ms: started.has(job!.id!) ? started.get(job!.id!)! - added : "not started" });
    }
  }
  const late = delays.filter((d) => d.ms === "not started" || d.ms > START_WITHIN_MS);
  expect(late, `jobs not started within ${START_WITHIN_MS} ms: ${JSON.stringify(late)}`).toEqual([]);
}

test("on the embedded database, every job kind the web queues starts within seconds, repeatedly", { timeout: 120_000 }, async () => {
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({});
  cleanups.push(() => embedded.stop());
  await checkWakeUps({ databaseUrl: embedded.url, pgSchema: "public" });
});

test.skipIf(inject("databaseKind") !== "postgres")(
  "on PostgreSQL, every job kind the web queues starts within seconds, repeatedly",
  { timeout: 120_000 },
  async () => {
    await checkWakeUps({ databaseUrl: inject("databaseUrl"), pgSchema: `wake_${randomBytes(4).toString("hex")}` });
  },
);

const redisUrl = inject("redisUrl");
test.skipIf(!redisUrl)("on Redis, every job kind the web queues starts within seconds, repeatedly", { timeout: 120_000 }, async () => {
  await checkWakeUps({ redisUrl, prefix: `wake-${randomBytes(4).toString("hex")}` });
});
