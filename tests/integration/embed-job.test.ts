// Embeddings end to end on the real PostgreSQL (pgvector) and a real BullMQ queue, with the real
// tokenizer and the random-weight test model (tests/fixtures/models): the embed job stores vectors
// and skips current ones, a crawl queues embedding of what it stored, kNN returns the nearest
// stored vectors in order, related papers and hybrid search use them.
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { fixture } from "../helpers/fixtures";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";

// Before any module reads the configuration: the test model is the app's model in this file.
process.env.EMBEDDING_MODEL_DIR = path.resolve(import.meta.dirname, "../fixtures/models/all-MiniLM-L6-v2");
process.env.EMBEDDING_BATCH_SIZE = "4";
const { getEmbedder, paperText } = await import("../../lib/embed/embedder");
const { nearestPapers, relatedPapers, RELATED_PAPERS_SQL, saveEmbeddings } = await import("../../lib/queries/embeddings");
const { searchPapers } = await import("../../lib/queries/search");
const { QueueConnection, enqueue, enqueueCrawl } = await import("../../lib/queue");
const { createEmbedProcessor } = await import("../../workers/embed");
const { createCrawlProcessor } = await import("../../workers/crawl");
const { createCrawlRun, getCrawlRun } = await import("../../lib/queries/crawl-runs");
const { standInArxivClient } = await import("../helpers/arxiv-client");

let sql: pg.Client;
let server: TestHttpServer;
beforeAll(async () => {
  sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  server = await startHttpServer();
});
afterAll(async () => {
  await sql.end();
  await server.close();
});

function connect() {
  const redisUrl = inject("redisUrl");
  return redisUrl
    ? new QueueConnection({ redisUrl, prefix: `test-${randomBytes(4).toString("hex")}` })
    : new QueueConnection({ databaseUrl: inject("databaseUrl"), pgSchema: process.env.QUEUE_PG_SCHEMA });
}

async function stored(ids: string[]) {
  const rows = await sql.query<{ paper_id: string; version: number; model: string; norm: number; embedding: string }>(
    `SELECT paper_id, version, model, vector_norm(embedding) AS norm, embedding::text AS embedding
       FROM paper_embeddings WHERE paper_id = ANY($1) ORDER BY paper_id`,
    [ids],
  );
  return rows.rows;
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
};

test("the embed job stores a vector per paper, skips current ones, and re-embeds a new version", async () => {
  const embedder = (await getEmbedder())!;
  expect(embedder).not.toBeNull();
  const ids = [randomPaperId(), randomPaperId(), randomPaperId()].sort();
  const day = randomDay();
  await seedListing(
    ids.map((id, i) => entry({ id, title: `Sparse attention study ${i}`, abstract: `We study ${"sparse attention ".repeat(i * 20 + 1)}in transformers.` })),
    ["cs.CL"],
    day,
  );

  const connection = connect();
  try {
    const progress: unknown[] = [];
    const worker = connection.worker("embed", createEmbedProcessor(), { concurrency: 1 });
    worker.on("progress", (_job, value) => progress.push(value));
    const run = async (paperIds: string[]) => {
      const job = await enqueue(connection, "embed", { paperIds });
      for (const deadline = Date.now() + 20_000; ; ) {
        const state = await job.getState();
        if (state === "completed") return (await connection.queue("embed").getJob(job.id!))!.returnvalue;
        if (state === "failed") throw new Error(`embed job failed: ${(await connection.queue("embed").getJob(job.id!))?.failedReason}`);
        if (Date.now() > deadline) throw new Error(`embed job still ${state}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    expect(await run(ids)).toEqual({ done: 3, total: 3, model: embedder.modelId });
    const rows = await stored(ids);
    expect(rows.map((r) => [r.paper_id, r.version, r.model])).toEqual(ids.map((id) => [id, 1, embedder.modelId]));
    for (const row of rows) expect(row.norm).toBeCloseTo(1, 5);
    // The stored vector is the model's vector of title + abstract.
    const [direct] = await embedder.embed([paperText("Sparse attention study 0", `We study ${"sparse attention ".repeat(1)}in transformers.`)]);
    expect(cosine(JSON.parse(rows[0]!.embedding) as number[], direct!)).toBeGreaterThan(0.9999);
    expect(progress.at(-1)).toMatchObject({ done: 3, total: 3, percent: 100 });

    // Current vectors are skipped: nothing to do, nothing rewritten.
    expect(await run(ids)).toEqual({ done: 0, total: 0, model: embedder.modelId });
    expect((await stored(ids)).map((r) => r.embedding)).toEqual(rows.map((r) => r.embedding));

    // A new version of one paper gets a new vector; the others are left alone.
    await seedListing([entry({ id: ids[1]!, version: 2, title: "Dense retrieval at scale", abstract: "A different abstract entirely." })], ["cs.CL"], day);
    expect(await run(ids)).toEqual({ done: 1, total: 1, model: embedder.modelId });
    const after = await stored(ids);
    expect(after.map((r) => r.version)).toEqual([1, 2, 1]);
    expect(after[1]!.embedding).not.toEqual(rows[1]!.embedding);
    expect(after[0]!.embedding).toEqual(rows[0]!.embedding);
  } finally {
    await connection.close();
  }
});

test("a crawl that stores papers queues their embedding", async () => {
  const embedder = (await getEmbedder())!;
  const feed = fixture("rss/stat_2024-03-26.xml");
  const ids = [...feed.matchAll(/<link>https?:\/\/arxiv\.org\/abs\/([^<]+?)(?:v\d+)?<\/link>/g)].map((m) => m[1]!);
  expect(ids.length).toBeGreaterThan(10);
  server.script("/rss/stat", [{ status: 200, body: feed, headers: { "content-type": "application/rss+xml" } }]);
  const client = standInArxivClient(server, {
    timeoutMs: 2_000,
    retry: { minTimeout: 10, maxTimeout: 50, retries: 1 },
  });
  const connection = connect();
  try {
    connection.worker("crawl", createCrawlProcessor({ client, connection, pageSize: 50, retryDelayMs: 20 }), { concurrency: 1 });
    connection.worker("embed", createEmbedProcessor(), { concurrency: 1 });
    const crawl = await createCrawlRun({ trigger: "cli", source: "rss", categories: ["stat"] });
    await enqueueCrawl(connection, crawl.id, { retryDelayMs: 20 });
    for (const deadline = Date.now() + 60_000; ; ) {
      const run = await getCrawlRun(crawl.id);
      const rows = await stored(ids);
      if (run?.status === "succeeded" && rows.length === ids.length && rows.every((r) => r.model === embedder.modelId)) break;
      if (run?.status === "failed") throw new Error(`crawl failed: ${run.error}`);
      if (Date.now() > deadline) throw new Error(`after 60 s: run ${run?.status}, ${rows.length} of ${ids.length} papers embedded`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Another test file's embed worker (same model, shared database) may embed these papers first;
    // what this test owns is that the crawl queued an embed job, and that the job completes.
    const queued = async () => (await connection.queue("embed").getJobs(["completed"])).map((j) => j.data);
    for (const deadline = Date.now() + 30_000; !(await queued()).some((d) => "scope" in d && d.scope === "missing"); ) {
      if (Date.now() > deadline) throw new Error(`no completed embed job: ${JSON.stringify(await connection.queue("embed").getJobs())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await queued()).toContainEqual({ scope: "missing" });
  } finally {
    await connection.close();
  }
});

/** A unit vector at `degrees` from e0 in the (e0, e1) plane. */
function at(degrees: number): number[] {
  const v = new Array(384).fill(0);
  v[0] = Math.cos((degrees * Math.PI) / 180);
  v[1] = Math.sin((degrees * Math.PI) / 180);
  return v;
}

test("kNN returns the nearest stored vectors in order, for one model, with filters", async () => {
  const model = `knn-test-${randomBytes(4).toString("hex")}`;
  const day = randomDay();
  const ids = Array.from({ length: 6 }, () => randomPaperId());
  await seedListing(
    ids.map((id, i) => entry({ id, primaryCategory: i % 2 ? "math.NA" : "cs.CL", publishedAt: new Date(`${day}T00:00:00Z`) })),
    ["cs.CL"],
    day,
  );
  // Paper i sits at angles[i] degrees from e0 (no two at the same distance from the queries below);
  // stored in shuffled order.
  const angles = [0, 11, 25, 32, 47, 70];
  await saveEmbeddings([3, 0, 5, 1, 4, 2].map((i) => ({ paperId: ids[i]!, version: 1, model, vector: at(angles[i]!) })));

  const near = await nearestPapers(at(12), { model, limit: 4 });
  expect(near.map((n) => n.id)).toEqual([ids[1], ids[0], ids[2], ids[3]]);
  expect(near[0]!.similarity).toBeCloseTo(Math.cos((1 * Math.PI) / 180), 5);
  expect(near[1]!.similarity).toBeCloseTo(Math.cos((12 * Math.PI) / 180), 5);

  // Category filter while walking the index: only the math.NA papers (odd i).
  const filtered = await nearestPapers(at(0), { model, limit: 3, categories: ["math.NA"] });
  expect(filtered.map((n) => n.id)).toEqual([ids[1], ids[3], ids[5]]);
  // Other models' vectors never mix in.
  expect(await nearestPapers(at(0), { model: `${model}-other`, limit: 3 })).toEqual([]);

  const related = await relatedPapers(ids[2]!, 3);
  expect(related.embedded).toBe(true);
  // From 25°: 32° (7 away), 11° (14), 47° (22); the paper itself is left out.
  expect(related.papers.map((p) => p.id)).toEqual([ids[3], ids[1], ids[4]]);
  expect(related.papers[0]!.title).toBe(`Paper ${ids[3]}`);
  expect(related.papers[0]!.similarity).toBeCloseTo(Math.cos((7 * Math.PI) / 180), 5);
  expect(await relatedPapers(randomPaperId())).toEqual({ embedded: false, papers: [] });
  // More asked for than there are vectors of this model: the one statement comes back short and the
  // index walk answers, with every other paper of the model, nearest first.
  const all = await relatedPapers(ids[2]!, 10);
  expect(all.papers.map((p) => p.id)).toEqual([ids[3], ids[1], ids[4], ids[0], ids[5]]);
});

test("the kNN query walks the HNSW index", async () => {
  await sql.query("BEGIN");
  try {
    await sql.query("SET LOCAL enable_seqscan = off");
    const plan = await sql.query(
      `EXPLAIN SELECT paper_id FROM paper_embeddings ORDER BY embedding <=> $1::vector LIMIT 5`,
      [`[${at(0).join(",")}]`],
    );
    expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("paper_embeddings_embedding_hnsw_idx");
    // Related papers' one statement (its source vector a sub-select) walks it too.
    const related = await sql.query(`EXPLAIN ${RELATED_PAPERS_SQL}`, ["2501.00001", 8]);
    expect(related.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("paper_embeddings_embedding_hnsw_idx");
  } finally {
    await sql.query("ROLLBACK");
  }
});

test("search merges nearest papers by meaning into the full-text results", async () => {
  const embedder = (await getEmbedder())!;
  const day = randomDay();
  const word = `zq${randomBytes(4).toString("hex")}`;
  const [textMatch, meaningMatch] = [randomPaperId(), randomPaperId()];
  const publishedAt = new Date(`${day}T00:00:00Z`);
  await seedListing(
    [
      entry({ id: textMatch, title: `The ${word} method`, abstract: `We introduce ${word} for parsing.`, publishedAt }),
      entry({ id: meaningMatch, title: "Unrelated wording", abstract: "Nothing in common with the query words.", publishedAt }),
    ],
    ["cs.CL"],
    day,
  );
  // The second paper's vector is the query's own: by meaning it is the best possible match.
  const [queryVector] = await embedder.embed([word]);
  await saveEmbeddings([{ paperId: meaningMatch, version: 1, model: embedder.modelId, vector: queryVector! }]);

  const fullText = await searchPapers(word, { from: day, to: day, semantic: false });
  expect(fullText.hits.map((h) => h.id)).toEqual([textMatch]);
  expect(fullText.semantic).toBeUndefined();

  const hybrid = await searchPapers(word, { from: day, to: day });
  expect(hybrid.semantic).toBe(true);
  expect(hybrid.hits.map((h) => h.id).sort()).toEqual([textMatch, meaningMatch].sort());
  expect(hybrid.total).toBe(2);
  const found = hybrid.hits.find((h) => h.id === meaningMatch)!;
  expect(found.similarity).toBeCloseTo(1, 5);
  expect(found.snippet).toBe("Nothing in common with the query words.");
  // Reciprocal-rank fusion: each is first in one ranking, so both score 1/61 at least.
  for (const hit of hybrid.hits) expect(hit.rank).toBeGreaterThanOrEqual(1 / 61 - 1e-12);
});
