// Fault matrix item 2: Redis restarts (SIGTERM, down for a second, started again on the same data,
// as `docker compose restart redis` does) while crawl jobs are queued and one is active. The worker
// reconnects by itself, and every job completes: nothing lost, nothing fetched or stored twice.
// The Redis here persists exactly as docker-compose.yml configures it (appendonly yes, fsync every
// second, noeviction); it is the test's own, never the shared one.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createCrawlRun } from "../../lib/queries/crawl-runs";
import { enqueueCrawl, QueueConnection } from "../../lib/queue";
import type { AppProcess } from "../helpers/app-process";
import type { TestHttpServer } from "../helpers/http-server";
import { atomPage, killHard, startArxivStandIn, startPrivateRedis, startWorker, storedRows, syntheticEntries, waitForRun, type PrivateRedis } from "./support";

const PAGE = 10;
let redis: PrivateRedis;
let queue: QueueConnection;
let server: TestHttpServer;
let worker: AppProcess | undefined;

beforeAll(async () => {
  redis = await startPrivateRedis();
  queue = new QueueConnection({ redisUrl: redis.url });
});

afterAll(async () => {
  if (worker) await killHard(worker);
  await queue?.close();
  await redis?.stop();
  await server?.close();
});

test("Redis restarting with jobs queued and active: the worker reconnects and every job completes once", { timeout: 120_000 }, async () => {
  // Six one-page runs, one per day; arXiv answers each after 1.5 s, so one is active and five are
  // waiting when Redis goes down.
  const days = Array.from({ length: 6 }, (_, i) => `2024-03-${String(i + 1).padStart(2, "0")}`);
  const byDay = new Map(days.map((d) => [d.replaceAll("-", ""), syntheticEntries(PAGE, `Redis-restart ${d}`)]));
  server = await startArxivStandIn([], PAGE, () => (request) => {
    const day = /submittedDate:\[(\d{8})/.exec(request.query.get("search_query") ?? "")?.[1] ?? "";
    return { status: 200, delayMs: 1_500, body: atomPage(byDay.get(day) ?? [], 0, PAGE) };
  });
  worker = await startWorker({
    REDIS_URL: redis.url,
    ARXIV_API_URL: `${server.url}/api/query`,
    ARXIV_API_PAGE_SIZE: String(PAGE),
    ARXIV_API_MIN_INTERVAL_MS: "50",
  });

  const runs = [];
  for (const day of days) {
    const run = await createCrawlRun({ trigger: "cli", source: "api", categories: ["cs.LG"], dateFrom: day, dateTo: day });
    await enqueueCrawl(queue, run.id, { retryDelayMs: 500 });
    runs.push(run);
  }
  await expect.poll(() => server.requestsTo("/api/query").length, { timeout: 20_000 }).toBe(1);
  const counts = await queue.queue("crawl").getJobCounts("active", "wait", "prioritized");
  expect(counts.active).toBe(1);
  expect((counts.wait ?? 0) + (counts.prioritized ?? 0)).toBe(5);

  await redis.restart(1_000);

  const results = await Promise.all(runs.map((r) => waitForRun(r.id, 90_000)));
  expect(results.map((r) => r.status)).toEqual(days.map(() => "succeeded"));
  const requested = server.requestsTo("/api/query").map((r) => /submittedDate:\[(\d{8})/.exec(r.query.get("search_query") ?? "")?.[1]);
  expect(requested.sort()).toEqual([...byDay.keys()].sort());
  const ids = [...byDay.values()].flat().map((e) => e.id);
  const rows = await storedRows(ids);
  expect(rows.papers).toHaveLength(ids.length);
  expect(rows.versions).toHaveLength(ids.length);
  // The worker noticed nothing it could not recover from.
  expect(worker.child.exitCode).toBeNull();
});
