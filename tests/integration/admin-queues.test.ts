// Admin operations on the real stores: queue counts, failed jobs with error and attempts, retry one
// (the crawl run reopens and then succeeds) and all, remove, pause/resume, on Redis and on the
// PostgreSQL backend, with the real crawl worker against a local arXiv stand-in; the re-crawl rate
// limit and audit entries; an RSS re-crawl without dates run to done; role changes and disabling that
// never leave the instance without an admin.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { failedJobs, JobNotFoundError, queueSummaries, removeJob, retryAllFailed, retryJob, setQueuePaused } from "../../lib/admin/queues";
import { RateLimitError, recrawlInput, RECRAWL_REQUESTS_PER_MINUTE, startRecrawl } from "../../lib/admin/recrawl";
import { db } from "../../lib/db";
import { listAudit } from "../../lib/queries/audit";
import { createCrawlRun, getCrawlRun } from "../../lib/queries/crawl-runs";
import { setUserDisabled, setUserRole } from "../../lib/queries/users";
import { enqueue, enqueueCrawl, QueueConnection } from "../../lib/queue";
import { createCrawlProcessor } from "../../workers/crawl";
import { fixture } from "../helpers/fixtures";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";
import { standInArxivClient } from "../helpers/arxiv-client";
import { waitFor } from "../helpers/wait";

const STAT = fixture("rss/stat_2024-03-26.xml");
const tag = randomBytes(4).toString("hex");
let arxiv: TestHttpServer;

beforeAll(async () => {
  arxiv = await startHttpServer();
});
afterAll(async () => {
  await arxiv.close();
  await db().$executeRawUnsafe(`DROP SCHEMA IF EXISTS admin_q_${tag} CASCADE`).catch(() => undefined);
});

function client() {
  return standInArxivClient(arxiv, {
    timeoutMs: 2_000,
    retry: { minTimeout: 5, maxTimeout: 10, retries: 0 },
  });
}


const runStatus = (id: string) => async () => (await getCrawlRun(id))?.status;

async function newUser(role: "admin" | "user" = "admin") {
  const id = `user-${randomBytes(6).toString("hex")}`;
  return db().user.create({ data: { id, email: `${id}@example.org`, name: id, role } });
}

describe.each(["redis", "postgres"] as const)("queue operations on %s", (backend) => {
  let connection: QueueConnection;
  beforeAll(() => {
    connection =
      backend === "redis"
        ? new QueueConnection({ redisUrl: inject("redisUrl"), prefix: `test-admin-${tag}` })
        : new QueueConnection({ databaseUrl: inject("databaseUrl"), pgSchema: `admin_q_${tag}` });
    connection.worker("crawl", createCrawlProcessor({ client: client(), connection, pageSize: 50, retryDelayMs: 10 }), { concurrency: 1 });
  });
  afterAll(() => connection.close());

  test.skipIf(backend === "redis" && !inject("redisUrl"))("a failed crawl job is listed with its error and attempts; retried, its run succeeds", { timeout: 60_000 }, async () => {
    arxiv.script("/rss/stat", [{ status: 503, body: "unavailable" }]);
    const run = await createCrawlRun({ trigger: "admin", triggeredBy: "test", source: "rss", categories: ["stat"] });
    await enqueueCrawl(connection, run.id, { retryDelayMs: 10 });
    await waitFor("the run to fail", runStatus(run.id), (s) => s === "failed");
    const failed = await waitFor("the failed job", () => failedJobs(connection, "crawl"), (jobs) => jobs.some((j) => j.runId === run.id));
    const job = failed.find((j) => j.runId === run.id)!;
    expect(job).toMatchObject({ queue: "crawl", attemptsMade: 3, attempts: 3, id: `run-${run.id}-0` });
    expect(job.error).toMatch(/HTTP 503/);
    expect(job.about).toBe(`crawl run ${run.id}`);
    const summary = (await queueSummaries(connection)).find((q) => q.name === "crawl")!;
    expect(summary.counts.failed).toBeGreaterThanOrEqual(1);
    expect(summary.paused).toBe(false);

    arxiv.script("/rss/stat", [{ status: 200, body: STAT }]);
    await retryJob(connection, "crawl", job.id);
    // Reopened at once: it shows as in progress, not failed, while it runs again.
    expect(["queued", "running", "succeeded"]).toContain(await runStatus(run.id)());
    await waitFor("the retried run to succeed", runStatus(run.id), (s) => s === "succeeded");
    expect((await getCrawlRun(run.id))!.error).toBeNull();
    expect((await failedJobs(connection, "crawl")).some((j) => j.runId === run.id)).toBe(false);
    await expect(retryJob(connection, "crawl", job.id)).rejects.toThrow(/only failed jobs can be retried/);
  });

  test.skipIf(backend === "redis" && !inject("redisUrl"))("retry all, remove, pause and resume", { timeout: 60_000 }, async () => {
    arxiv.script("/rss/stat", [{ status: 503, body: "unavailable" }]);
    const runs = await Promise.all([0, 1].map(() => createCrawlRun({ trigger: "admin", source: "rss", categories: ["stat"] })));
    for (const run of runs) await enqueueCrawl(connection, run.id, { retryDelayMs: 10 });
    for (const run of runs) await waitFor("the run to fail", runStatus(run.id), (s) => s === "failed");
    // The run is marked failed inside the last attempt, a moment before BullMQ moves its job to the failed set.
    const inFailedSet = async () => (await failedJobs(connection, "crawl")).filter((j) => runs.some((r) => r.id === j.runId)).length;
    await waitFor("both jobs in the failed set", inFailedSet, (n) => n === 2);
    arxiv.script("/rss/stat", [{ status: 200, body: STAT }]);
    expect(await retryAllFailed(connection, "crawl")).toBeGreaterThanOrEqual(2);
    for (const run of runs) await waitFor("the run to succeed", runStatus(run.id), (s) => s === "succeeded");
    expect(await retryAllFailed(connection, "crawl")).toBe(0);

    const waiting = await enqueue(connection, "embed", { paperIds: ["2104.12255"] }, { delay: 60_000 });
    expect((await queueSummaries(connection)).find((q) => q.name === "embed")!.counts.delayed).toBe(1);
    await removeJob(connection, "embed", waiting.id!);
    expect((await queueSummaries(connection)).find((q) => q.name === "embed")!.counts.delayed).toBe(0);
    await expect(removeJob(connection, "embed", waiting.id!)).rejects.toBeInstanceOf(JobNotFoundError);

    await setQueuePaused(connection, "summarize", true);
    expect((await queueSummaries(connection)).find((q) => q.name === "summarize")!.paused).toBe(true);
    await setQueuePaused(connection, "summarize", false);
    expect((await queueSummaries(connection)).find((q) => q.name === "summarize")!.paused).toBe(false);
  });

  test.skipIf(backend === "redis" && !inject("redisUrl"))("an RSS re-crawl takes no date: accepted, it runs to done and takes the day the feed announces", { timeout: 60_000 }, async () => {
    // The stand-in's feed holds the announcement of 2024-03-26, not today's.
    arxiv.script("/rss/stat", [{ status: 200, body: STAT }]);
    const admin = await newUser("admin");
    const me = { id: admin.id, email: admin.email, name: admin.name, role: "admin" as const };
    const request = recrawlInput.parse({ categories: ["stat"], source: "rss", from: "", to: "" });
    expect(request).toEqual({ categories: ["stat"], source: "rss" });
    const runs = await startRecrawl(me, request, connection);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ source: "rss", categories: ["stat"], dateFrom: null, dateTo: null, status: "queued" });
    const status = await waitFor("the RSS re-crawl to finish", runStatus(runs[0]!.id), (s) => s === "succeeded" || s === "failed");
    const run = (await getCrawlRun(runs[0]!.id))!;
    expect({ status, error: run.error }).toEqual({ status: "succeeded", error: null });
    expect(run.dateFrom?.toISOString().slice(0, 10)).toBe("2024-03-26");
    expect(run.dateTo?.toISOString().slice(0, 10)).toBe("2024-03-26");
    expect((run.counts as { stored: number }).stored).toBeGreaterThan(0);
    const audit = await db().auditLog.findFirstOrThrow({ where: { actorId: admin.id, action: "crawl.recrawl" } });
    expect(audit.details).toEqual({ source: "rss", runs: [run.id] });
  });
});

test("re-crawls: one run per day, audited, and at most RECRAWL_REQUESTS_PER_MINUTE a minute per administrator", { timeout: 30_000 }, async () => {
  const connection = new QueueConnection({ databaseUrl: inject("databaseUrl"), pgSchema: `admin_q_${tag}` });
  try {
    const admin = await newUser("admin");
    const me = { id: admin.id, email: admin.email, name: admin.name, role: "admin" as const };
    const request = recrawlInput.parse({ categories: ["cs.CL", "stat.ML"], source: "api", from: "2003-02-27", to: "2003-03-02" });
    const runs = await startRecrawl(me, request, connection);
    expect(runs.map((r) => r.dateFrom?.toISOString().slice(0, 10))).toEqual(["2003-02-27", "2003-02-28", "2003-03-01", "2003-03-02"]);
    expect(runs.every((r) => r.trigger === "admin" && r.triggeredBy === admin.email && r.status === "queued")).toBe(true);
    for (const run of runs) expect(await connection.queue("crawl").getJob(`run-${run.id}-0`)).toBeDefined();
    const [entry] = await listAudit({ limit: 1 });
    expect(entry).toMatchObject({ actorEmail: admin.email, action: "crawl.recrawl", target: "cs.CL,stat.ML" });
    expect(entry!.details).toMatchObject({ source: "api", from: "2003-02-27", to: "2003-03-02" });

    const single = recrawlInput.parse({ categories: ["cs.CL"], source: "api", from: "2003-02-27" });
    for (let i = 1; i < RECRAWL_REQUESTS_PER_MINUTE; i++) await startRecrawl(me, single, connection);
    const before = await db().crawlRun.count({ where: { triggeredBy: admin.email } });
    const refused = await startRecrawl(me, single, connection).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as Error).message).toMatch(/^Too many re-crawls: at most 3 per minute\. Try again in \d+ s/);
    expect(await db().crawlRun.count({ where: { triggeredBy: admin.email } })).toBe(before);
    // Another administrator is not held back by this one's clicks.
    const other = await newUser("admin");
    await expect(startRecrawl({ id: other.id, email: other.email, name: other.name, role: "admin" }, single, connection)).resolves.toHaveLength(1);
  } finally {
    await connection.close();
  }
});

test("disabling ends sessions and can be undone; role changes", async () => {
  const admin = await newUser("admin");
  const reader = await newUser("user");
  await db().session.create({ data: { id: `s-${tag}`, token: `t-${tag}-${randomBytes(4).toString("hex")}`, userId: reader.id, expiresAt: new Date(Date.now() + 3_600_000) } });
  expect(await setUserDisabled(reader.id, true)).toBe("ok");
  expect(await db().session.count({ where: { userId: reader.id } })).toBe(0);
  expect((await db().user.findUnique({ where: { id: reader.id } }))!.banned).toBe(true);
  expect(await setUserDisabled(reader.id, false)).toBe("ok");
  expect((await db().user.findUnique({ where: { id: reader.id } }))!.banned).toBe(false);
  expect(await setUserRole(reader.id, "admin")).toBe("ok");
  expect(await setUserRole(reader.id, "user")).toBe("ok");
  expect(await setUserRole("no-such-user", "admin")).toBe("not-found");

  // The last-administrator refusal needs a database whose every admin the test knows: it is checked
  // in tests/e2e/admin-security.test.ts on a database of its own.
  expect(await setUserRole(admin.id, "admin")).toBe("ok");
});
