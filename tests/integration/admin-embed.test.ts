// Embedding every paper from the admin area, on Redis and on the PostgreSQL queue backend, with the
// real embed worker and the committed random-weight test model (tests/fixtures/models): a run is
// queued and audited, a second request is refused while the first is queued and while it runs, the
// progress read by the admin page goes from "running 0 of N" to 100 %, every paper then has a fresh
// vector, and "Embed missing" afterwards finds nothing to do. (A plain reader's refusal of the action
// and of the progress route is in tests/e2e/admin-security.test.ts, which finds both on its own.)
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { createFreshDatabase } from "../helpers/fresh-database";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { waitFor as waitUntil } from "../helpers/wait";

// A database of this file's own: a "re-embed everything" run rewrites every paper's vector, which must
// not touch other test files' rows (nor may theirs change this file's counts).
const fresh = await createFreshDatabase("papers_admin_embed");
const databaseUrl = fresh?.url ?? inject("databaseUrl");
process.env.DATABASE_URL = databaseUrl;

// Before any module reads the configuration: the test model is the app's model in this file.
process.env.EMBEDDING_MODEL_DIR = path.resolve(import.meta.dirname, "../fixtures/models/all-MiniLM-L6-v2");
process.env.EMBEDDING_BATCH_SIZE = "8";
const { getEmbedder } = await import("../../lib/embed/embedder");
const { currentEmbedRun, EmbedRunOpenError, getEmbedRun, startEmbedRun } = await import("../../lib/admin/embed");
const { queueSummaries, failedJobs } = await import("../../lib/admin/queues");
const { db, disconnectDb } = await import("../../lib/db");
const { QueueConnection } = await import("../../lib/queue");
const { createEmbedProcessor } = await import("../../workers/embed");

const tag = randomBytes(4).toString("hex");
let sql: pg.Client;

beforeAll(async () => {
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql.query(`DROP SCHEMA IF EXISTS admin_embed_${tag} CASCADE`).catch(() => undefined);
  await sql.query(`DROP SCHEMA IF EXISTS admin_embed_skip_${tag} CASCADE`).catch(() => undefined);
  await sql.end();
  await disconnectDb();
  await fresh?.drop();
});

/** Embedding runs wait on a worker running the model: a minute before giving up. */
function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  return waitUntil(what, read, done, { timeoutMs: 60_000 });
}

const auditFor = async (actorId: string) =>
  (await sql.query(`SELECT action, target, details FROM audit_log WHERE actor_id = $1 ORDER BY created_at`, [actorId])).rows as {
    action: string;
    target: string;
    details: { jobId: string };
  }[];

describe.each(["redis", "postgres"] as const)("embedding every paper on %s", (backend) => {
  test.skipIf(backend === "redis" && !inject("redisUrl"))(
    "one run at a time, audited; progress reaches 100 % and every paper gets a fresh vector",
    { timeout: 120_000 },
    async () => {
      const connection =
        backend === "redis"
          ? new QueueConnection({ redisUrl: inject("redisUrl"), prefix: `test-admin-embed-${tag}` })
          : new QueueConnection({ databaseUrl, pgSchema: `admin_embed_${tag}` });
      try {
        const model = (await getEmbedder())!;
        expect(model, "the test model loads").not.toBeNull();
        const ids = [randomPaperId(), randomPaperId(), randomPaperId()];
        await seedListing(ids.map((id, i) => entry({ id, title: `Admin embedding study ${i} ${tag}` })), ["cs.CL"], randomDay());
        const userId = `admin-${randomBytes(6).toString("hex")}`;
        const row = await db().user.create({ data: { id: userId, email: `${userId}@example.org`, name: userId, role: "admin" } });
        const admin = { id: row.id, email: row.email, name: row.name, role: "admin" as const };

        // The real model behind a gate: the first batch waits until the test has seen the run "running".
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const gated = { modelId: model.modelId, embed: async (texts: string[]) => (await gate, model.embed(texts)) };

        const startedAt = new Date();
        const papers = (await sql.query(`SELECT count(*)::int AS n FROM papers`)).rows[0].n as number;
        const run = await startEmbedRun(admin, "all", connection);
        expect(run).toMatchObject({ scope: "all", state: "queued", finished: false, percent: 0 });
        expect(run.jobId).toMatch(/^embed-all-[0-9a-f-]{36}$/);
        expect(await auditFor(userId)).toEqual([{ action: "embed.all", target: "all", details: { jobId: run.jobId } }]);
        const summary = (await queueSummaries(connection)).find((q) => q.name === "embed")!;
        expect(summary.counts.waiting + summary.counts.prioritized).toBe(1);

        // Refused while queued, in words, and nothing more is queued or audited.
        const queued = await startEmbedRun(admin, "missing", connection).catch((e: unknown) => e);
        expect(queued).toBeInstanceOf(EmbedRunOpenError);
        expect((queued as Error).message).toBe("An embedding run is already queued; start another once it has finished.");

        const progress: { done: number; total: number; percent: number }[] = [];
        const worker = connection.worker("embed", createEmbedProcessor({ embedder: async () => gated }), { concurrency: 1 });
        worker.on("progress", (_job, value) => progress.push(value as (typeof progress)[number]));
        const running = await waitFor("the run to start", () => getEmbedRun(connection, run.jobId), (v) => Boolean(v?.finished) || (v?.state === "running" && v.total > 0));
        expect(running).toMatchObject({ done: 0, total: papers, percent: 0, finished: false });
        expect(await currentEmbedRun(connection)).toMatchObject({ jobId: run.jobId, state: "running" });

        // Refused while running, by any administrator.
        const other = await db().user.create({ data: { id: `${userId}-2`, email: `${userId}-2@example.org`, name: "other", role: "admin" } });
        const busy = await startEmbedRun({ ...admin, id: other.id, email: other.email }, "all", connection).catch((e: unknown) => e);
        expect(busy).toBeInstanceOf(EmbedRunOpenError);
        expect((busy as Error).message).toBe(`An embedding run is already running (0 of ${papers.toLocaleString("en")} papers); start another once it has finished.`);
        expect(await auditFor(userId)).toHaveLength(1);
        expect(await auditFor(other.id)).toHaveLength(0);

        release();
        const finished = await waitFor("the run to finish", () => getEmbedRun(connection, run.jobId), (v) => Boolean(v?.finished));
        expect(finished).toMatchObject({ state: "done", done: papers, total: papers, percent: 100, message: null });
        expect(progress.at(-1)).toEqual({ done: papers, total: papers, percent: 100 });
        expect(progress[0]).toEqual({ done: 0, total: papers, percent: 0 });

        // Every paper now has a vector from this run, for its latest version and this model.
        const stale = await sql.query(
          `SELECT p.id FROM papers p LEFT JOIN paper_embeddings e ON e.paper_id = p.id
            WHERE e.paper_id IS NULL OR e.version <> p.latest_version OR e.model <> $1 OR e.created_at < $2`,
          [model.modelId, startedAt],
        );
        expect(stale.rows).toEqual([]);
        const mine = await sql.query(`SELECT paper_id, vector_norm(embedding) AS norm FROM paper_embeddings WHERE paper_id = ANY($1)`, [ids]);
        expect(mine.rows).toHaveLength(3);
        for (const r of mine.rows) expect(r.norm).toBeCloseTo(1, 5);
        // The overview shows the finished run (found through the audit log once it left the open states).
        expect(await currentEmbedRun(connection)).toMatchObject({ jobId: run.jobId, state: "done", percent: 100 });

        // Now a new run is accepted; "Embed missing" finds every vector current.
        const again = await startEmbedRun(admin, "missing", connection);
        const nothing = await waitFor("the second run to finish", () => getEmbedRun(connection, again.jobId), (v) => Boolean(v?.finished));
        expect(nothing).toMatchObject({ state: "done", done: 0, total: 0, percent: 100, message: "Every paper already had a current vector: nothing to embed." });
        expect((await auditFor(userId)).map((a) => a.target)).toEqual(["all", "missing"]);
        expect(await failedJobs(connection, "embed")).toEqual([]);
      } finally {
        await connection.close();
      }
    },
  );
});

test("without a model the run ends as skipped, with the reason, instead of failing", { timeout: 30_000 }, async () => {
  // A queue of its own: a worker of the test above (with a model) must not be the one that takes the job.
  const connection = new QueueConnection({ databaseUrl, pgSchema: `admin_embed_skip_${tag}` });
  try {
    const userId = `admin-${randomBytes(6).toString("hex")}`;
    const row = await db().user.create({ data: { id: userId, email: `${userId}@example.org`, name: userId, role: "admin" } });
    connection.worker("embed", createEmbedProcessor({ embedder: async () => null }), { concurrency: 1 });
    const run = await startEmbedRun({ id: row.id, email: row.email, name: row.name, role: "admin" }, "missing", connection);
    const finished = await waitFor("the run to finish", () => getEmbedRun(connection, run.jobId), (v) => Boolean(v?.finished));
    expect(finished).toMatchObject({ state: "skipped", percent: 0, finished: true });
    expect(finished!.message).toMatch(/^no embedding model/);
  } finally {
    await connection.close();
  }
});
