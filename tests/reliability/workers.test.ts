// Fault matrix items 1 and 10, and scale-out: real worker processes (as docker-compose.yml runs them) on a Redis of
// the test's own, crawling an arXiv API stand-in into the real PostgreSQL.
// - A worker SIGKILLed in the middle of a crawl: the stalled job is picked up by another worker, the
//   run completes, every paper is stored once.
// - SIGTERM while a job is active: the worker stops within seconds, the job goes back to the queue
//   (the run is not marked failed), and the next worker finishes it with nothing written twice.
// - Two workers draining one queue: both work at once, and no page is fetched or stored twice.
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { createCrawlRun } from "../../lib/queries/crawl-runs";
import { enqueueCrawl, QueueConnection } from "../../lib/queue";
import { processesInGroup, type AppProcess } from "../helpers/app-process";
import type { TestHttpServer } from "../helpers/http-server";
import {
  atomPage,
  killHard,
  startArxivStandIn,
  startPrivateRedis,
  startWorker,
  storedRows,
  syntheticEntries,
  waitForRun,
  withSql,
  type PrivateRedis,
} from "./support";

const PAGE = 20;
let redis: PrivateRedis;
let queue: QueueConnection;
const workers: AppProcess[] = [];
const servers: TestHttpServer[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  queue = new QueueConnection({ redisUrl: redis.url });
});

// Each test starts its own workers; none outlives its test, even one that failed.
afterEach(async () => {
  for (const worker of workers.splice(0)) await killHard(worker);
});

afterAll(async () => {
  await queue?.close();
  await redis?.stop();
  for (const server of servers) await server.close();
});

function workerEnv(server: TestHttpServer): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    ARXIV_API_URL: `${server.url}/api/query`,
    ARXIV_API_PAGE_SIZE: String(PAGE),
    ARXIV_API_MIN_INTERVAL_MS: "50",
    CRAWL_RETRY_DELAY_MS: "500",
  };
}

/**
 * The jobs of crawl run `runId` waiting, delayed or active, each as "id: state (attempts made)", so
 * that a failure names them. (Only this run's: the tests share the queue.)
 */
async function pendingRunJobs(runId: string): Promise<string[]> {
  const jobs = await queue.queue("crawl").getJobs(["active", "wait", "delayed", "prioritized", "waiting-children"]);
  const pending = jobs.filter((job) => job?.data?.kind === "run" && job.data.runId === runId);
  return Promise.all(pending.map(async (job) => `${job.id}: ${await job.getState()} (${job.attemptsMade} attempts made)`));
}

async function apiRun(from: string) {
  const run = await createCrawlRun({ trigger: "cli", source: "api", categories: ["cs.LG"], dateFrom: from, dateTo: from });
  await enqueueCrawl(queue, run.id, { retryDelayMs: 500 });
  return run;
}

/**
 * An arXiv stand-in serving `entries` PAGE at a time that leaves the FIRST request for page two
 * unanswered, a worker on it, and an API crawl of `day` queued; returns once page two is asked for.
 */
async function runHeldAtPageTwo(entries: ReturnType<typeof syntheticEntries>, day: string) {
  let heldOnce = false;
  const server = await startArxivStandIn(entries, PAGE, (start) => {
    if (start === PAGE && !heldOnce) {
      heldOnce = true;
      return "hang";
    }
    return undefined;
  });
  servers.push(server);
  const first = await startWorker(workerEnv(server));
  workers.push(first);
  const run = await apiRun(day);
  await expect.poll(() => server.requestsTo("/api/query").length, { timeout: 30_000 }).toBe(2);
  return { server, first, run };
}

test("a worker SIGKILLed in the middle of a crawl: the stalled job is picked up again, the run completes, no duplicate or missing rows", { timeout: 180_000 }, async () => {
  const entries = syntheticEntries(3 * PAGE, "Killed-worker");
  // The second page's first request never gets an answer: the worker is killed while waiting for it.
  const { server, first, run } = await runHeldAtPageTwo(entries, "2024-01-15");
  // Page one is stored; page two is in flight.
  expect((await storedRows(entries.map((e) => e.id))).papers).toHaveLength(PAGE);
  await killHard(first);
  expect(await withSql(async (sql) => (await sql.query(`SELECT status FROM crawl_runs WHERE id = $1`, [run.id])).rows[0].status)).toBe("running");

  // Another worker finds the job stalled once its lock has expired (BullMQ: lockDuration 30 s).
  const second = await startWorker(workerEnv(server));
  workers.push(second);
  const done = await waitForRun(run.id, 120_000);
  expect(done.status, String(done.error)).toBe("succeeded");
  expect(done.counts).toMatchObject({ fetched: 3 * PAGE, stored: 3 * PAGE, skipped: 0 });

  const rows = await storedRows(entries.map((e) => e.id));
  expect(rows.papers.map((p) => p.id)).toEqual(entries.map((e) => e.id).sort());
  expect(rows.versions).toHaveLength(3 * PAGE);
  // Page two was asked for twice (the killed attempt and the recovered one), the others once.
  expect(server.requestsTo("/api/query").map((r) => r.query.get("start"))).toEqual(["0", "20", "20", "40"]);
  // The run is marked succeeded inside its last job, which completes just after: not killed before
  // (a job killed while active would stay active, under its lock, into the next test).
  await expect.poll(() => pendingRunJobs(run.id), { timeout: 30_000 }).toEqual([]);
  await killHard(second);
});

test("SIGTERM with a job active: the worker stops promptly, the job returns to the queue, the next worker finishes the run, nothing written twice", { timeout: 120_000 }, async () => {
  const entries = syntheticEntries(2 * PAGE, "Stopped-worker");
  const { server, first, run } = await runHeldAtPageTwo(entries, "2024-01-16");
  // SIGTERM to the worker process, as `docker compose stop` sends it to the container's first process.
  process.kill(first.child.pid!, "SIGTERM");
  await expect.poll(() => first.output(), { timeout: 20_000 }).toMatch(/workers stopped/);
  // Every process of the worker has exited (20 s is well inside docker-compose's stop_grace_period of 60 s).
  await expect.poll(() => processesInGroup(first.child.pid!), { timeout: 20_000 }).toEqual([]);
  expect(first.output()).not.toMatch(/"level":50|"level":60/);
  // Not failed: the interrupted step is waiting to be run again.
  const state = await withSql(async (sql) => (await sql.query(`SELECT status, error FROM crawl_runs WHERE id = $1`, [run.id])).rows[0]);
  expect(state.status).not.toBe("failed");
  expect((await storedRows(entries.map((e) => e.id))).papers).toHaveLength(PAGE);

  const second = await startWorker(workerEnv(server));
  workers.push(second);
  const done = await waitForRun(run.id, 60_000);
  expect(done.status, String(done.error)).toBe("succeeded");
  const rows = await storedRows(entries.map((e) => e.id));
  expect(rows.papers).toHaveLength(2 * PAGE);
  expect(rows.versions).toHaveLength(2 * PAGE);
  expect(done.counts).toMatchObject({ fetched: 2 * PAGE, stored: 2 * PAGE });
  expect(server.requestsTo("/api/query").map((r) => r.query.get("start"))).toEqual(["0", "20", "20"]);
  // The run is marked succeeded inside the job's last step; the job completes just after (on a busy machine, seconds after).
  await expect.poll(() => pendingRunJobs(run.id), { timeout: 30_000 }).toEqual([]);
  await killHard(second);
});

test("two workers drain one queue together without processing anything twice", { timeout: 120_000 }, async () => {
  // Ten one-page runs, one per day; the stand-in answers each after 1 s and records how many
  // requests were in flight at once.
  const days = Array.from({ length: 10 }, (_, i) => `2024-02-${String(i + 1).padStart(2, "0")}`);
  const byDay = new Map(days.map((d) => [d.replaceAll("-", ""), syntheticEntries(PAGE, `Drain ${d}`)]));
  let inFlight = 0;
  let maxInFlight = 0;
  const server = await startArxivStandIn([], PAGE, () => (request) => {
    const day = /submittedDate:\[(\d{8})/.exec(request.query.get("search_query") ?? "")?.[1] ?? "";
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => (inFlight -= 1), 1_000);
    return { status: 200, delayMs: 1_000, body: atomPage(byDay.get(day) ?? [], 0, PAGE) };
  });
  servers.push(server);
  const pair = await Promise.all([startWorker(workerEnv(server)), startWorker({ ...workerEnv(server), WORKER_NICE: "3" })]);
  workers.push(...pair);

  const runs = [];
  for (const day of days) runs.push(await apiRun(day));
  const results = await Promise.all(runs.map((r) => waitForRun(r.id, 90_000)));
  expect(results.map((r) => r.status)).toEqual(days.map(() => "succeeded"));

  const requested = server.requestsTo("/api/query").map((r) => /submittedDate:\[(\d{8})/.exec(r.query.get("search_query") ?? "")?.[1]);
  expect(requested.sort()).toEqual([...byDay.keys()].sort());
  expect(maxInFlight).toBe(2);
  const ids = [...byDay.values()].flat().map((e) => e.id);
  const rows = await storedRows(ids);
  expect(rows.papers).toHaveLength(ids.length);
  expect(rows.versions).toHaveLength(ids.length);
  // Readers first: every thread of a worker runs at the lower priority (WORKER_NICE, default 10),
  // threads started after the change (the pool that did the work above) included.
  expect(new Set(threadNiceValues(pair[0]!.child.pid!))).toEqual(new Set([10]));
  expect(new Set(threadNiceValues(pair[1]!.child.pid!))).toEqual(new Set([3]));
  expect(threadNiceValues(pair[0]!.child.pid!).length).toBeGreaterThan(4);
  for (const worker of pair) await killHard(worker);
});

/** The nice value of each thread of a process (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceValues(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
  });
}


