// The sweep of orphaned crawl runs, on both queue stores: a run left "running" after its job ended
// (failed or completed without recording the outcome, as when the database was down for the job's
// last write) is marked failed once the grace period is over; a run with a live job, or one that
// changed recently, is left alone.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Job } from "bullmq";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { ORPHANED_RUN_ERROR, sweepOrphanedRuns } from "../../lib/crawl";
import { createCrawlRun, getCrawlRun, markRunStarted } from "../../lib/queries/crawl-runs";
import { QueueConnection } from "../../lib/queue";

let sql: pg.Client;
beforeAll(async () => {
  sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
});

const newRun = () => createCrawlRun({ trigger: "admin", source: "rss", categories: ["cs.CL"] });

async function waitForState(connection: QueueConnection, jobId: string, state: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const job = await connection.queue("crawl").getJob(jobId);
    if (job && (await job.getState()) === state) return;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not reach ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sweepScenario(connection: QueueConnection) {
  // A worker whose jobs start their run and then end without recording the outcome: one fails (its
  // failure write did not happen), one completes (its success write did not happen).
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let heldRunId: string | undefined;
  const worker = connection.worker("crawl", async (job: Job<{ runId: string; outcome: string }>) => {
    if (job.data.outcome === "hold") {
      // Like the daily check: a job without a runId that creates a run, records itself on it and works on.
      const run = await createCrawlRun({ trigger: "schedule", source: "rss", categories: ["cs.CL"] }, "running");
      await markRunStarted(run.id, job.id);
      heldRunId = run.id;
      await held;
      return { ok: true };
    }
    await markRunStarted(job.data.runId, job.id);
    if (job.data.outcome === "fail") throw new Error("database unreachable (stand-in)");
    return { ok: true };
  });
  const failed = await newRun();
  const completed = await newRun();
  await connection.queue("crawl").add("crawl", { kind: "run", runId: failed.id, outcome: "fail" }, { jobId: `run-${failed.id}-0`, attempts: 1 });
  await connection.queue("crawl").add("crawl", { kind: "run", runId: completed.id, outcome: "ok" }, { jobId: `run-${completed.id}-0`, attempts: 1 });
  await waitForState(connection, `run-${failed.id}-0`, "failed");
  await waitForState(connection, `run-${completed.id}-0`, "completed");
  await connection.queue("crawl").add("daily-check", { kind: "daily-check", outcome: "hold" }, { jobId: "hold-1" });
  await waitForState(connection, "hold-1", "active");
  for (let i = 0; !heldRunId && i < 200; i++) await new Promise((r) => setTimeout(r, 25));
  expect(heldRunId).toBeDefined();
  // An active job's run is never touched, however old.
  expect(await sweepOrphanedRuns(connection, { runIds: [heldRunId!], now: new Date(Date.now() + 60 * 60_000) })).toEqual([]);
  expect((await getCrawlRun(heldRunId!))?.status).toBe("running");
  release();
  await waitForState(connection, "hold-1", "completed");
  await worker.close();
  expect((await getCrawlRun(failed.id))?.status).toBe("running");
  expect((await getCrawlRun(completed.id))?.status).toBe("running");

  // Runs whose jobs are still live: one waiting (no worker now), one delayed (a retry later).
  const waiting = await newRun();
  const delayed = await newRun();
  await connection.queue("crawl").add("crawl", { kind: "run", runId: waiting.id, start: 0 }, { jobId: `run-${waiting.id}-0` });
  await connection.queue("crawl").add("crawl", { kind: "run", runId: delayed.id, start: 0 }, { jobId: `run-${delayed.id}-0`, delay: 3_600_000 });
  await markRunStarted(delayed.id, `run-${delayed.id}-0`);
  // A queued run whose job was never added (the queue store was down), created long ago.
  const lost = await newRun();
  await sql.query(`UPDATE crawl_runs SET created_at = now() - interval '1 hour' WHERE id = $1`, [lost.id]);
  const ids = [failed.id, completed.id, waiting.id, delayed.id, lost.id];
  await expect(connection.queue("crawl").getJob(`run-${waiting.id}-0`).then((j) => j?.getState())).resolves.toBe("waiting");
  await expect(connection.queue("crawl").getJob(`run-${delayed.id}-0`).then((j) => j?.getState())).resolves.toBe("delayed");

  // Within the grace period (10 minutes by default) only the long-idle lost run is marked: the
  // ended jobs finished moments ago.
  expect(await sweepOrphanedRuns(connection, { runIds: ids })).toEqual([lost.id]);
  for (const run of [failed, completed, waiting, delayed]) expect((await getCrawlRun(run.id))?.status).not.toBe("failed");

  // Once the grace period is over, the runs whose job ended are marked; live jobs keep theirs.
  const marked = await sweepOrphanedRuns(connection, { runIds: ids, now: new Date(Date.now() + 11 * 60_000) });
  expect(marked.sort()).toEqual([failed.id, completed.id].sort());
  for (const run of [failed, completed, lost]) {
    const after = await getCrawlRun(run.id);
    expect(after?.status).toBe("failed");
    expect(after?.error).toBe(ORPHANED_RUN_ERROR);
    expect(after?.finishedAt).toBeInstanceOf(Date);
  }
  expect((await getCrawlRun(waiting.id))?.status).toBe("queued");
  expect((await getCrawlRun(delayed.id))?.status).toBe("running");
  expect((await getCrawlRun(delayed.id))?.error).toBeNull();
  // Nothing more to do: a second sweep marks nothing.
  expect(await sweepOrphanedRuns(connection, { runIds: ids, now: new Date(Date.now() + 11 * 60_000) })).toEqual([]);
}

test("Redis: runs whose job ended without recording the outcome are marked failed; live and recent ones are not", async () => {
  const connection = new QueueConnection({ redisUrl: inject("redisUrl"), prefix: `test-${randomBytes(4).toString("hex")}` });
  try {
    await sweepScenario(connection);
  } finally {
    await connection.close();
  }
});

test.skipIf(inject("databaseKind") !== "postgres")(
  "PostgreSQL queue: runs whose job ended without recording the outcome are marked failed; live and recent ones are not",
  async () => {
    const connection = new QueueConnection({ databaseUrl: inject("databaseUrl"), pgSchema: `sweep_${randomBytes(4).toString("hex")}` });
    try {
      await sweepScenario(connection);
    } finally {
      await connection.close();
    }
  },
);
