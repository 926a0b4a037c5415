// The train queue end to end on both queue stores (Redis, and BullMQ's PostgreSQL backend): a label
// queued with enqueueTraining (as the web's actions queue it) is learned by the real worker
// processor (workers/train.ts, with the worker process's options); a burst of labels while a job runs
// is deduplicated into at most one more job and ends with a model trained for the last label (the
// in-job retrain loop); the backfill job computes the term vectors that listed, labelled and starred
// papers lack and queues every stale topic; a job for a deleted topic completes without error.
// A database of this file's own: the backfill works over every paper and every topic.
import { databaseUrl, ownDatabase } from "../helpers/own-database";
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { EMBEDDING_DIMENSIONS, toPgVector, type Embedder } from "../../lib/embed/embedder";
import { parseEnv } from "../../lib/env";
import { db, disconnectDb } from "../../lib/db";
import { upsertEntries } from "../../lib/queries/papers";
import { staleTopicIds } from "../../lib/queries/relevance";
import { starPaper } from "../../lib/queries/stars";
import { createTopic, deleteTopic, getTopic, labelPaper } from "../../lib/queries/topics";
import { enqueueFeatureBackfill, enqueueTraining, QueueConnection, type QueueConnectionConfig } from "../../lib/queue";
import { FEATURE_DIM, FEATURE_VERSION, featurize } from "../../lib/relevance/features";
import { createTrainProcessor } from "../../workers/train";
import { workerOptions } from "../../workers/options";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";

const tag = randomBytes(4).toString("hex");
const redisUrl = inject("redisUrl");
const embedded = inject("databaseKind") === "embedded";
let sql: pg.Client;

beforeAll(async () => {
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await disconnectDb();
  await ownDatabase?.drop();
});

const onTheme = [
  ["Protein folding with deep learning", "We predict the folded structure of a protein from its amino acid sequence."],
  ["Fast protein structure prediction", "A folding model predicts protein structures from sequences in seconds."],
  ["Energy landscapes of protein folding", "Folding pathways of small proteins explored with a coarse-grained energy model."],
];
const offTheme = [
  ["Dense retrieval for question answering", "We index passages with a dual encoder and rerank them."],
  ["Bird migration routes over Europe", "Satellite tags on storks over three winters."],
  ["Galaxy rotation curves and dark matter", "We fit rotation curves of spiral galaxies with halo models."],
  ["Reinforcement learning for robot grasping", "A robot arm learns to grasp objects from camera images."],
  ["Option pricing with stochastic volatility", "A Heston model calibrated to market prices of options."],
  ["Quantum error correction with surface codes", "Logical qubits encoded in a lattice of physical qubits."],
];

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The topic's stored model, as the listing reads it. */
async function storedModel(topicId: string) {
  const { rows } = await sql.query(
    `SELECT m.labels_at, t.labels_changed_at, m.positives, m.negatives, m.embedding_model, m.weights::text AS weights
     FROM topic_models m JOIN topics t ON t.id = m.topic_id WHERE m.topic_id = $1::uuid`,
    [topicId],
  );
  return rows[0] as { labels_at: Date; labels_changed_at: Date; positives: number; negatives: number; embedding_model: string | null; weights: string } | undefined;
}

const backends: { name: string; skip: boolean; config: () => QueueConnectionConfig }[] = [
  { name: "Redis", skip: !redisUrl, config: () => ({ redisUrl, prefix: `train-${tag}` }) },
  // The embedded engine keeps its queues in "public" (tests/setup/env.ts); a real server a schema of this file's own.
  { name: "PostgreSQL", skip: false, config: () => ({ databaseUrl, pgSchema: embedded ? "public" : `train_${tag}` }) },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`the train queue on ${backend.name}`, () => {
    const web = () => connections.web!;
    const connections: { web?: QueueConnection; worker?: QueueConnection } = {};
    const finished: { id: string; data: Record<string, unknown>; result: unknown; state: "completed" | "failed"; reason?: string }[] = [];
    let embedder: Embedder | null = null;
    let userId: string;
    const ids: string[] = [];
    const label = backend.name.toLowerCase();

    beforeAll(async () => {
      // Web and worker use connections of their own, as the web server and the worker process do.
      connections.web = new QueueConnection(backend.config());
      connections.worker = new QueueConnection(backend.config());
      const options = workerOptions(parseEnv({})).train;
      expect(options.concurrency).toBe(2);
      const worker = connections.worker.worker("train", createTrainProcessor({ connection: connections.worker, embedder: async () => embedder }), options);
      worker.on("completed", (job: Job, result: unknown) => finished.push({ id: job.id!, data: job.data, result, state: "completed" }));
      worker.on("failed", (job: Job | undefined, error: Error) => finished.push({ id: job?.id ?? "?", data: job?.data, result: null, state: "failed", reason: error.message }));
      await worker.waitUntilReady();
      userId = `train-job-${tag}-${label}`;
      await db().user.create({ data: { id: userId, name: "Trainer", email: `trainer-${tag}-${label}@train.test` } });
      for (let i = 0; i < onTheme.length + offTheme.length + 12; i++) ids.push(randomPaperId());
      const texts = [...onTheme, ...offTheme, ...Array.from({ length: 12 }, (_, i) => [`Protein misfolding study ${i}`, `Aggregation of misfolded protein variant ${i}.`])];
      await seedListing(
        texts.map(([title, abstract], i) => entry({ id: ids[i]!, title: title!, abstract: abstract!, primaryCategory: "cs.LG", categories: ["cs.LG"] })),
        ["cs.LG"],
        randomDay(),
      );
    });

    afterAll(async () => {
      await connections.worker?.close();
      if (connections.web?.kind === "redis") await connections.web.queue("train").obliterate({ force: true }).catch(() => undefined);
      await connections.web?.close();
      await db().user.deleteMany({ where: { id: userId } });
    });

    const jobsFor = (topicId: string) => finished.filter((f) => f.data?.topicId === topicId);
    const openJobs = async () => {
      const counts = await web().queue("train").getJobCounts("active", "waiting", "prioritized", "delayed");
      return Object.values(counts).reduce((a, b) => a + b, 0);
    };

    test("a label queued for training: the worker stores a model for the new labels, with the process's embedding model", async () => {
      const topic = await createTopic(userId, { name: "Protein folding", description: "How proteins fold.", keywords: [] });
      expect(await labelPaper(userId, topic.id, ids[0]!, "positive")).toBe("ok");
      const { trainingLabels, topicForTraining } = await import("../../lib/queries/relevance");
      console.log("LABELS", JSON.stringify(await trainingLabels((await topicForTraining(topic.id))!)), ids[0], JSON.stringify((await sql.query("select * from topic_papers where topic_id=$1", [topic.id])).rows), JSON.stringify((await sql.query("select * from stars")).rows));
      await enqueueTraining(web(), topic.id);
      const first = await waitFor("the first training", async () => jobsFor(topic.id)[0]);
      console.log("FIRST", JSON.stringify(first), JSON.stringify(finished));
      const { trainTopic } = await import("../../lib/relevance/train");
      console.log("DIRECT", JSON.stringify(await trainTopic(topic.id, { embedder: null })));
      // Positives: the topic's text and the paper.
      expect(first).toMatchObject({ state: "completed", result: { trained: true, positives: 2, negatives: 0, rounds: 1, embeddingModel: null } });
      let model = (await storedModel(topic.id))!;
      expect(model.labels_at).toEqual(model.labels_changed_at);
      expect(model.positives).toBe(2);
      expect(await getTopic(userId, topic.id)).toMatchObject({ positives: 1, model: { state: "ready" } });

      // Another label, another job: the model follows.
      expect(await labelPaper(userId, topic.id, ids[onTheme.length]!, "negative")).toBe("ok");
      expect((await getTopic(userId, topic.id))!.model.state).toBe("training");
      await enqueueTraining(web(), topic.id);
      const second = await waitFor("the second training", async () => jobsFor(topic.id)[1]);
      expect(second).toMatchObject({ state: "completed", result: { trained: true, positives: 2, negatives: 1 } });
      model = (await storedModel(topic.id))!;
      expect(model.labels_at).toEqual(model.labels_changed_at);
      expect(model.negatives).toBe(1);

      // With an embedding model loaded in the worker, papers' vectors of that model train the dense weights.
      embedder = { modelId: `job-model-${tag}`, embed: async () => Promise.reject(new Error("not used by training")) };
      try {
        for (const [i, id] of ids.entries()) {
          const v = new Float32Array(EMBEDDING_DIMENSIONS);
          v[i < onTheme.length ? 0 : 1] = 1;
          await sql.query(`INSERT INTO paper_embeddings (paper_id, version, model, embedding) VALUES ($1, 1, $2, $3::vector) ON CONFLICT (paper_id) DO UPDATE SET model = EXCLUDED.model, embedding = EXCLUDED.embedding`, [id, embedder.modelId, toPgVector(v)]);
        }
        expect(await labelPaper(userId, topic.id, ids[1]!, "positive")).toBe("ok");
        await enqueueTraining(web(), topic.id);
        const third = await waitFor("the third training", async () => jobsFor(topic.id)[2]);
        expect(third).toMatchObject({ state: "completed", result: { trained: true, positives: 3, embeddingModel: embedder.modelId } });
        expect((await storedModel(topic.id))!.embedding_model).toBe(embedder.modelId);
      } finally {
        embedder = null;
        await sql.query(`DELETE FROM paper_embeddings WHERE paper_id = ANY($1)`, [ids]);
      }
      expect(finished.filter((f) => f.state === "failed")).toEqual([]);
    });

    // The running job is held by a row lock on its model; on the embedded engine an open transaction
    // holds the whole database (lib/pglite-server.ts), so the job could never get that far there.
    test.skipIf(embedded)("a burst of 10 labels while a job runs: never more than 2 jobs at once, and the last label is learned", async () => {
      const topic = await createTopic(userId, { name: "Protein misfolding", description: "Misfolded proteins and their aggregation.", keywords: [] }, [ids[0]!]);
      await enqueueTraining(web(), topic.id);
      await waitFor("the topic's first model", async () => jobsFor(topic.id)[0]);
      expect(await storedModel(topic.id)).toBeDefined();
      const before = jobsFor(topic.id).length;

      // Hold the topic's model row: the next job computes its model, then waits to store it, while
      // the reader goes on labelling.
      const lock = new pg.Client({ connectionString: databaseUrl });
      await lock.connect();
      const burst = ids.slice(onTheme.length + offTheme.length, onTheme.length + offTheme.length + 10);
      const open: number[] = [];
      try {
        await lock.query("BEGIN");
        await lock.query(`SELECT 1 FROM topic_models WHERE topic_id = $1::uuid FOR UPDATE`, [topic.id]);
        expect(await labelPaper(userId, topic.id, burst[0]!, "positive")).toBe("ok");
        await enqueueTraining(web(), topic.id);
        open.push(await openJobs());
        // The job is running: its model is computed and waits for the row.
        await waitFor("the job to wait on the model row", async () => {
          const { rows } = await sql.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO topic_models%'`,
          );
          return rows[0].n > 0;
        });
        for (const id of burst.slice(1)) {
          expect(await labelPaper(userId, topic.id, id, "positive")).toBe("ok");
          await enqueueTraining(web(), topic.id);
          open.push(await openJobs());
        }
      } finally {
        await lock.query("ROLLBACK");
        await lock.end();
      }
      // Everything runs out: the queue empties and the model is current.
      await waitFor("the queue to empty and the model to be current", async () => {
        const model = await storedModel(topic.id);
        return (await openJobs()) === 0 && model && model.labels_at.getTime() === model.labels_changed_at.getTime() && jobsFor(topic.id).length >= before + 2;
      });
      // A moment more: no other job follows.
      await new Promise((r) => setTimeout(r, 500));
      expect(Math.max(...open), `jobs open during the burst: ${open.join(",")}`).toBeLessThanOrEqual(2);
      const jobs = jobsFor(topic.id).slice(before);
      // The running job, and the one kept for after it: two, for ten labels.
      expect(jobs.map((j) => j.state)).toEqual(["completed", "completed"]);
      // The running one saw the labels change under it and trained again with all of them.
      // Positives: the topic's text, its first paper and the burst.
      expect(jobs[0]!.result).toMatchObject({ trained: true, rounds: 2, positives: 2 + burst.length });
      expect(jobs[1]!.result).toMatchObject({ trained: true, rounds: 1, positives: 2 + burst.length });
      const model = (await storedModel(topic.id))!;
      expect(model.positives).toBe(2 + burst.length);
      expect(model.labels_at).toEqual(model.labels_changed_at);
      expect(await getTopic(userId, topic.id)).toMatchObject({ positives: 1 + burst.length, model: { state: "ready" } });
      expect(await staleTopicIds()).not.toContain(topic.id);
    });

    // It works over every paper and topic of the database: only on one of this file's own (the
    // embedded engine has no second one, and other files' topics are not this test's to train).
    test.skipIf(!ownDatabase)("the backfill computes the vectors listed, labelled and starred papers lack, then trains every stale topic", async () => {
      const make = () => ({ id: randomPaperId(), version: 1, title: `Protein folding funnels ${randomBytes(3).toString("hex")}`, abstract: "Folding funnels guide a protein to its native structure." });
      // Listed before term vectors existed: stored, listed, no vector.
      const listed = [make(), make(), make()];
      await upsertEntries(listed.map((p) => entry(p)));
      const listingDay = randomDay();
      for (const [position, p] of listed.entries()) {
        await sql.query(`INSERT INTO listings (category, date, paper_id, version, announce_type, position) VALUES ('cs.LG', $1::date, $2, 1, 'new', $3)`, [listingDay, p.id, position]);
      }
      // A vector of an older recipe.
      const stale = make();
      await seedListing([entry({ ...stale, primaryCategory: "cs.LG", categories: ["cs.LG"] })], ["cs.LG"], listingDay);
      await sql.query(`UPDATE paper_features SET feature_version = $2, vector = $3::sparsevec WHERE paper_id = $1`, [stale.id, FEATURE_VERSION - 1, `{1:1}/${FEATURE_DIM}`]);
      // History (never listed), labelled for a topic; another starred; another neither: that one waits.
      const labelled = make();
      const starred = make();
      const untouched = make();
      await upsertEntries([labelled, starred, untouched].map((p) => entry(p)));
      const topic = await createTopic(userId, { name: "Folding funnels", description: "", keywords: [] });
      expect(await labelPaper(userId, topic.id, labelled.id, "positive")).toBe("ok");
      expect(await starPaper(userId, starred.id)).toBe(true);
      const neverTrained = await createTopic(userId, { name: "Native structures", description: "Proteins in their native state.", keywords: [] });

      const { rows: dfBefore } = await sql.query<{ df: number }>(`SELECT df FROM term_df WHERE dim = 0`);
      const staleTopics = await staleTopicIds();
      expect(staleTopics).toEqual(expect.arrayContaining([topic.id, neverTrained.id]));
      const before = finished.length;

      const job = await enqueueFeatureBackfill(web());
      const done = await waitFor("the backfill", async () => finished.slice(before).find((f) => f.id === job.id));
      expect(done).toMatchObject({ state: "completed", result: { papers: 6, topics: staleTopics.length } });
      for (const p of [...listed, stale, labelled, starred]) {
        const { rows } = await sql.query(`SELECT version, feature_version, vector::text AS v FROM paper_features WHERE paper_id = $1`, [p.id]);
        expect(rows, `vector of ${p.id}`).toHaveLength(1);
        expect(rows[0].feature_version).toBe(FEATURE_VERSION);
        const f = featurize(p);
        expect(rows[0].v.slice(1, rows[0].v.indexOf("}")).split(",").map((pair: string) => Number(pair.split(":")[0]))).toEqual([...f.indices]);
      }
      expect((await sql.query(`SELECT 1 FROM paper_features WHERE paper_id = $1`, [untouched.id])).rowCount).toBe(0);
      // Papers counted once each: the five new vectors; the recomputed one was counted already.
      const { rows: dfAfter } = await sql.query<{ df: number }>(`SELECT df FROM term_df WHERE dim = 0`);
      expect(dfAfter[0]!.df - dfBefore[0]!.df).toBe(5);

      // Every stale topic was queued, and trained.
      await waitFor("the stale topics' trainings", async () => staleTopics.every((id) => finished.slice(before).some((f) => f.data?.topicId === id)) && (await openJobs()) === 0);
      expect(await staleTopicIds()).toEqual([]);
      expect((await storedModel(topic.id))!.positives).toBe(2);
      expect(await getTopic(userId, neverTrained.id)).toMatchObject({ model: { state: "ready" } });
      // Nothing left: a second backfill computes nothing and queues nothing.
      const again = await enqueueFeatureBackfill(web());
      expect(await waitFor("the second backfill", async () => finished.find((f) => f.id === again.id))).toMatchObject({ state: "completed", result: { papers: 0, topics: 0 } });
      expect(finished.filter((f) => f.state === "failed")).toEqual([]);
    });

    test("a job for a deleted topic, or one that never was, completes without error and stores nothing", async () => {
      const topic = await createTopic(userId, { name: "Soon gone", description: "Protein folding.", keywords: [] }, [ids[0]!]);
      expect(await deleteTopic(userId, topic.id)).toBe(true);
      await enqueueTraining(web(), topic.id);
      const never = randomUUID();
      await enqueueTraining(web(), never);
      const gone = await waitFor("the deleted topic's job", async () => jobsFor(topic.id)[0]);
      const none = await waitFor("the unknown topic's job", async () => jobsFor(never)[0]);
      for (const f of [gone, none]) expect(f).toMatchObject({ state: "completed", result: { trained: false, reason: "no such topic" } });
      expect((await sql.query(`SELECT 1 FROM topic_models WHERE topic_id = ANY($1::uuid[])`, [[topic.id, never]])).rowCount).toBe(0);
      expect(finished.filter((f) => f.state === "failed")).toEqual([]);
    });
  });
}
