// Topics with the real embedding pipeline, on the real PostgreSQL (pgvector) and a real BullMQ queue:
// a topic saved the way the server action saves it (lib/topics/embedding + lib/queries/topics) gets
// the model's vector of its text, refreshed when that text changes; a day's papers are embedded by
// the embed job (workers/embed.ts); the topic is trained with the loaded model (trainTopic, what the
// train job runs), so its learned model has weights for that model's vectors, and every number of
// the day ranked by the topic equals lib/topics/blend.ts recomputed here from the stored model
// (weights, embedding weights, background margins), term vectors and embeddings read back from
// Postgres. The model is the committed random-weight test
// model with the real tokenizer (tests/fixtures/models), so the vectors are the pipeline's, not
// hand-made.
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { createFreshDatabase } from "../helpers/fresh-database";
import { randomDay, randomPaperId, seedPapers } from "../helpers/seed";
import {
  checkScores as checkListedScores,
  expectStoredModel,
  similarCandidates,
  sparseDot,
  storedEmbeddings,
  storedFeatures,
  termContributions,
  type Sparse,
  type StoredEmbedding,
  type StoredModel,
} from "../helpers/topic-models";

// A database of this file's own: an embed run over every paper and topic (the last tests) must not
// touch other files' rows, nor theirs this file's (the embedded engine has no second database).
const fresh = await createFreshDatabase("papers_topics_embedded");
const databaseUrl = fresh?.url ?? inject("databaseUrl");
process.env.DATABASE_URL = databaseUrl;

// Before any module reads the configuration: the test model is the app's model in this file.
const MODEL_DIR = path.resolve(import.meta.dirname, "../fixtures/models/all-MiniLM-L6-v2");
process.env.EMBEDDING_MODEL_DIR = MODEL_DIR;
const { EMBEDDING_DIMENSIONS, getEmbedder } = await import("../../lib/embed/embedder");
const { parseListingSpec } = await import("../../lib/arxiv/categories");
const { db, disconnectDb } = await import("../../lib/db");
const { QueueConnection, enqueue } = await import("../../lib/queue");
const { createEmbedProcessor } = await import("../../workers/embed");
const { createTopic, getTopic, labelPaper, listScoredPapersForDay, listTopics, updateTopic } = await import("../../lib/queries/topics");
const { TEXT_WEIGHT } = await import("../../lib/topics/blend");
const { trainTopic } = await import("../../lib/relevance/train");
const { EXPLAIN_TERMS } = await import("../../lib/relevance/explain");
const { embedMissingTopics, embedTopic, embeddingsAvailable, topicText } = await import("../../lib/topics/embedding");
const { loadOnnxEmbedder } = await import("../../lib/embed/onnx-embedder");

const tag = randomBytes(4).toString("hex");
const userId = `topics-embedded-${tag}`;
const day = randomDay();
const spec = parseListingSpec("cs.IR");
const KEYWORDS = ["retrieval", "protein folding"];

// The day's papers (in arXiv's order) and, announced another day, the papers the reader labels.
const dayPapers = [
  { key: "a", title: "Dense retrieval for long documents", abstract: "We index passages with a dual encoder and rerank them." },
  { key: "b", title: "Protein folding with language models", abstract: "Structure prediction from sequences alone, no retrieval." },
  { key: "c", title: "A study of bird migration routes", abstract: "Satellite tags on storks over three winters." },
  { key: "d", title: "Sparse attention kernels on GPUs", abstract: "Block-sparse matrix products for transformers." },
  { key: "e", title: "Query expansion revisited", abstract: "Pseudo relevance feedback still helps dense retrieval." },
  // Labelled positive by the reader and in the day's listing: scored against the other positive only.
  { key: "s", title: "Learned sparse retrieval with term weights", abstract: "SPLADE-style expansions for inverted indexes." },
];
const otherPapers = [
  { key: "p", title: "Passage ranking with cross encoders", abstract: "A reranker over retrieved passages." },
  { key: "n", title: "Medieval trade networks in the Baltic", abstract: "Hanseatic ledgers as a graph." },
];
const ids: Record<string, string> = {};

let sql: pg.Client;
let topicId: string;

type Vector = number[];
const dot = (a: Vector, b: Vector) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const cos = (a: Vector, b: Vector) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
const norm = (a: Vector) => Math.sqrt(dot(a, a));
type Papers = Awaited<ReturnType<typeof listScoredPapersForDay>>["papers"];

// Keyword part by hand: "retrieval" in the title 1, in the abstract only TEXT_WEIGHT; "protein folding" likewise.
const keywordPart: Record<string, number> = {
  a: (1 + 0) / 2,
  b: (TEXT_WEIGHT + 1) / 2,
  c: 0,
  d: 0,
  e: (TEXT_WEIGHT + 0) / 2,
  s: (1 + 0) / 2,
};

/** The topic's trained model, read back from Postgres (tests/helpers/topic-models.ts). */
const storedModel = (id: string) => expectStoredModel(sql, id);
/** The papers' stored term vectors. */
const paperFeatures = (paperIds: string[]) => storedFeatures(sql, paperIds);
/** The papers' stored vectors and the model they came from. */
const paperVectors = (paperIds: string[]) => storedEmbeddings(sql, paperIds);

const vec = (vectors: Map<string, { model: string; v: Vector }>, key: string) => vectors.get(ids[key]!)!.v;

/**
 * Every day's paper against the stored model (checkScores in tests/helpers/topic-models.ts): the
 * margin b + w·x + u·e (u·e only for a vector of the model's embedding model), the model part its
 * percentile among the stored background margins, the keyword part, their blend, 0 for "not
 * interested"; best first, equal scores by margin.
 */
function checkScores(
  papers: Papers,
  model: StoredModel,
  topic: string,
  features: Map<string, Sparse>,
  vectors: Map<string, StoredEmbedding>,
  keywords: (key: string) => number,
): Promise<Map<string, number>> {
  return checkListedScores(sql, { topicId: topic, model, papers, ids, keys: dayPapers.map((p) => p.key), features, vectors, keywordPart: keywords });
}

/** Terms: the paper's by weight × value; similar: the positive sharing most weighted terms (not itself). */
function checkSimilar(papers: Papers, model: StoredModel, features: Map<string, Sparse>, positives: string[]) {
  for (const { key, title, abstract } of dayPapers) {
    const r = papers.find((p) => p.id === ids[key])!.relevance;
    const contributions = termContributions(model.weights, { title, abstract });
    expect(r.terms, `terms of ${key}`).toEqual(contributions.slice(0, EXPLAIN_TERMS).map((t) => t.term));
    const candidates = similarCandidates(contributions, positives.filter((k) => k !== key).map((k) => ({ key: k, x: features.get(ids[k]!)! })));
    if (!candidates.length) {
      expect(r.similar, `similar of ${key}`).toBeNull();
      continue;
    }
    if (candidates[1] && Math.abs(candidates[1].score - candidates[0]!.score) < 1e-6) continue;
    expect(r.similar, `similar of ${key}`).toMatchObject({ id: ids[candidates[0]!.k], shared: candidates[0]!.shared });
  }
}

/** The topic's stored vector, read back from Postgres (null when it has none). */
async function topicVector(id: string): Promise<Vector | null> {
  const { rows } = await sql.query<{ v: string | null }>(`SELECT embedding::text AS v FROM topics WHERE id = $1::uuid`, [id]);
  expect(rows).toHaveLength(1);
  return rows[0]!.v === null ? null : (JSON.parse(rows[0]!.v) as Vector);
}

/** The model the topic's stored vector came from. */
async function topicModel(id: string): Promise<string | null> {
  const { rows } = await sql.query<{ m: string | null }>(`SELECT embedding_model AS m FROM topics WHERE id = $1::uuid`, [id]);
  expect(rows).toHaveLength(1);
  return rows[0]!.m;
}

/** Stores a topic vector as if another model had written it. */
async function setTopicVector(id: string, v: ArrayLike<number>, model: string | null) {
  await sql.query(`UPDATE topics SET embedding = $1::vector, embedding_model = $2 WHERE id = $3::uuid`, [`[${Array.from(v).join(",")}]`, model, id]);
}

async function runEmbedJob(data: { paperIds: string[] } | { scope: "missing" | "all" }): Promise<unknown> {
  const redisUrl = inject("redisUrl");
  const connection = redisUrl
    ? new QueueConnection({ redisUrl, prefix: `test-${tag}-${randomBytes(2).toString("hex")}` })
    : new QueueConnection({ databaseUrl, pgSchema: process.env.QUEUE_PG_SCHEMA });
  try {
    connection.worker("embed", createEmbedProcessor(), { concurrency: 1 });
    const job = await enqueue(connection, "embed", data);
    for (const deadline = Date.now() + 60_000; ; ) {
      const state = await job.getState();
      if (state === "completed") break;
      if (state === "failed") throw new Error(`embed job failed: ${(await connection.queue("embed").getJob(job.id!))?.failedReason}`);
      if (Date.now() > deadline) throw new Error(`embed job still ${state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return (await connection.queue("embed").getJob(job.id!))!.returnvalue;
  } finally {
    await connection.close();
  }
}

beforeAll(async () => {
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  await db().user.create({ data: { id: userId, name: "Embedded", email: `embedded-${tag}@topics.test` } });
  for (const p of [...dayPapers, ...otherPapers]) ids[p.key] = randomPaperId();
  const asPaper = (p: { key: string; title: string; abstract: string }) => ({ ...p, id: ids[p.key]! });
  await seedPapers(dayPapers.map(asPaper), "cs.IR", day);
  await seedPapers(otherPapers.map(asPaper), "cs.IR", randomDay());
});

afterAll(async () => {
  await db().user.deleteMany({ where: { id: userId } });
  await db().paper.deleteMany({ where: { id: { in: Object.values(ids) } } });
  await sql.end();
  await disconnectDb();
  await fresh?.drop();
});

test("a topic saved with the model loaded stores the model's unit vector of its text, refreshed when the text changes", async () => {
  expect(await embeddingsAvailable()).toBe(true);
  const embedder = (await getEmbedder())!;
  const input = { name: "Neural retrieval", description: "Finding the passages that answer a question, with learned encoders.", keywords: KEYWORDS };
  // What saveTopic (app/topics/actions.ts) does: embed the text, then create.
  const created = await createTopic(userId, input, [], await embedTopic(input.name, input.description));
  const stored = (await topicVector(created.id))!;
  expect(stored).not.toBeNull();
  expect(stored).toHaveLength(EMBEDDING_DIMENSIONS);
  expect(norm(stored)).toBeCloseTo(1, 5);
  // It is the model's vector of name + description, not of something else.
  const [direct] = await embedder.embed([topicText(input.name, input.description)]);
  expect(cos(stored, Array.from(direct!))).toBeGreaterThan(0.9999);
  const [ofNameOnly] = await embedder.embed([input.name]);
  expect(cos(stored, Array.from(ofNameOnly!))).toBeLessThan(0.9999);
  expect((await getTopic(userId, created.id))?.hasEmbedding).toBe(true);

  // Only the keywords change: the text is the same, so is the vector.
  const keywordsOnly = { ...input, keywords: [...KEYWORDS, "reranking"] };
  expect(await updateTopic(userId, created.id, keywordsOnly, await embedTopic(keywordsOnly.name, keywordsOnly.description))).toBe(true);
  expect(await topicVector(created.id)).toEqual(stored);

  // The description changes: the vector is the new text's.
  const redescribed = { ...keywordsOnly, description: "Predicting how proteins fold from their sequences." };
  expect(await updateTopic(userId, created.id, redescribed, await embedTopic(redescribed.name, redescribed.description))).toBe(true);
  const afterDescription = (await topicVector(created.id))!;
  expect(afterDescription).not.toEqual(stored);
  expect(norm(afterDescription)).toBeCloseTo(1, 5);
  const [newDirect] = await embedder.embed([topicText(redescribed.name, redescribed.description)]);
  expect(cos(afterDescription, Array.from(newDirect!))).toBeGreaterThan(0.9999);

  // The name is part of the embedded text (topicText), so renaming refreshes the vector too.
  const renamed = { ...redescribed, name: "Protein structure" };
  expect(await updateTopic(userId, created.id, renamed, await embedTopic(renamed.name, renamed.description))).toBe(true);
  const afterName = (await topicVector(created.id))!;
  expect(afterName).not.toEqual(afterDescription);
  const [renamedDirect] = await embedder.embed([topicText(renamed.name, renamed.description)]);
  expect(cos(afterName, Array.from(renamedDirect!))).toBeGreaterThan(0.9999);
});

test("topics saved before a model was loaded get their vector once one is, unless their text changed meanwhile", async () => {
  const embedder = (await getEmbedder())!;
  // Saved without a model (what saveTopic stores when embedTopic gives null).
  const early = await createTopic(userId, { name: `Saved early ${tag}`, description: "Before the model download.", keywords: [] }, [], null);
  const raced = await createTopic(userId, { name: `Raced ${tag}`, description: "First text.", keywords: [] }, [], null);
  expect(await topicVector(early.id)).toBeNull();
  const seen = await listTopics(userId);
  // The reader saves new text for one of them (still no model in that save) after the list was read.
  expect(await updateTopic(userId, raced.id, { name: `Raced ${tag}`, description: "Second text.", keywords: [] }, null)).toBe(true);

  const result = await embedMissingTopics(userId, seen);
  expect(result.map((t) => t.id)).toEqual(seen.map((t) => t.id));
  expect(result.find((t) => t.id === early.id)?.hasEmbedding).toBe(true);
  const [direct] = await embedder.embed([topicText(`Saved early ${tag}`, "Before the model download.")]);
  const stored = (await topicVector(early.id))!;
  expect(norm(stored)).toBeCloseTo(1, 5);
  expect(cos(stored, Array.from(direct!))).toBeGreaterThan(0.9999);
  // The vector of the first text is not stored over the second: that topic waits for the next read.
  expect(result.find((t) => t.id === raced.id)?.hasEmbedding).toBe(false);
  expect(await topicVector(raced.id)).toBeNull();
  const again = await embedMissingTopics(userId, await listTopics(userId));
  expect(again.find((t) => t.id === raced.id)?.hasEmbedding).toBe(true);
  const [second] = await embedder.embed([topicText(`Raced ${tag}`, "Second text.")]);
  expect(cos((await topicVector(raced.id))!, Array.from(second!))).toBeGreaterThan(0.9999);
  // Topics that have a vector are left alone.
  expect(await embedMissingTopics(userId, again)).toEqual(again);
});

test("a day embedded by the embed job, ranked by a topic trained with the model: every number is the stored model's blend", async () => {
  const embedder = (await getEmbedder())!;
  const allIds = Object.values(ids);
  expect(await runEmbedJob({ paperIds: allIds })).toEqual({ done: allIds.length, total: allIds.length, model: embedder.modelId });

  const input = { name: "Neural retrieval", description: "Finding the passages that answer a question, with learned encoders.", keywords: KEYWORDS };
  const created = await createTopic(userId, input, [ids.p!, ids.s!], await embedTopic(input.name, input.description));
  topicId = created.id;
  expect(created.missing).toEqual([]);
  expect(await labelPaper(userId, topicId, ids.n!, "negative")).toBe("ok");

  // Everything the score depends on, as stored.
  const vectors = await paperVectors(allIds);
  expect(vectors.size).toBe(allIds.length);
  for (const { model, v } of vectors.values()) {
    expect(model).toBe(embedder.modelId);
    expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(norm(v)).toBeCloseTo(1, 5);
  }
  // Trained as the train job trains it, with the process's model: its weights are that model's.
  // Positives: the topic's text and its two papers.
  expect(await trainTopic(topicId, { embedder })).toMatchObject({ trained: true, positives: 3, negatives: 1, embeddingModel: embedder.modelId });
  const model = await storedModel(topicId);
  expect(model.embeddingModel).toBe(embedder.modelId);
  expect(model.dense).toHaveLength(EMBEDDING_DIMENSIONS);
  expect((await getTopic(userId, topicId))!.model).toMatchObject({ state: "ready", embeddingModel: embedder.modelId });

  const { papers, total } = await listScoredPapersForDay(userId, topicId, spec, day);
  expect(total).toBe(dayPapers.length);
  expect(papers.map((p) => p.id).sort()).toEqual(dayPapers.map((p) => ids[p.key]).sort());
  const features = await paperFeatures(allIds);
  const margins = await checkScores(papers, model, topicId, features, vectors, (key) => keywordPart[key]!);
  for (const { key } of dayPapers) expect(papers.find((p) => p.id === ids[key])!.relevance.label).toBe(key === "s" ? "positive" : null);
  // The embedding part is really in the sums (u·e differs from paper to paper).
  const denseParts = dayPapers.map(({ key }) => dot(vec(vectors, key), model.dense!));
  expect(Math.max(...denseParts) - Math.min(...denseParts)).toBeGreaterThan(1e-4);
  // The learned part is not degenerate: it varies across the day.
  const parts = papers.map((p) => p.relevance.modelPart!);
  expect(Math.max(...parts) - Math.min(...parts)).toBeGreaterThan(0.01);
  const spread = [...margins.values()];
  expect(Math.max(...spread) - Math.min(...spread)).toBeGreaterThan(0.1);
  // "Most like": the positive paper sharing the most weighted terms, never the paper itself.
  checkSimilar(papers, model, features, ["p", "s"]);
  expect(papers.find((p) => p.id === ids.s)!.relevance.similar?.id ?? ids.p).toBe(ids.p);
  expect(margins.size).toBe(dayPapers.length);

  // Marking a day's paper not interested: 0 for it at once, and after training it is a negative too.
  expect(await labelPaper(userId, topicId, ids.c!, "negative")).toBe("ok");
  const marked = (await listScoredPapersForDay(userId, topicId, spec, day)).papers;
  expect(marked.at(-1)!.id).toBe(ids.c);
  expect(marked.at(-1)!.relevance.score).toBe(0);
  expect(await trainTopic(topicId, { embedder })).toMatchObject({ trained: true, negatives: 2 });
  const after = (await listScoredPapersForDay(userId, topicId, spec, day)).papers;
  await checkScores(after, await storedModel(topicId), topicId, features, vectors, (key) => keywordPart[key]!);
  expect(after.at(-1)!.id).toBe(ids.c);
});

test("after a model change: a topic vector of the old model trains nothing, papers' old vectors are never multiplied, and the topic is re-embedded on the next read", async () => {
  const embedder = (await getEmbedder())!;
  const input = { name: `Model change ${tag}`, description: "Dense passage retrieval with dual encoders.", keywords: ["retrieval"] };
  const created = await createTopic(userId, input, [ids.p!], await embedTopic(input.name, input.description));
  expect(await topicModel(created.id)).toBe(embedder.modelId);
  // The vector an older model left: another direction, and recorded as that model's.
  const [oldVector] = await embedder.embed(["Medieval trade networks in the Baltic."]);
  await setTopicVector(created.id, oldVector!, "old-model");
  expect(await getTopic(userId, created.id)).toMatchObject({ hasEmbedding: true, embeddingModel: "old-model" });

  // Trained now: the old model's vector of the topic's text is not an example's vector; the model is
  // exactly the one trained with no topic vector at all (this file's database: the same examples).
  expect(await trainTopic(created.id, { embedder })).toMatchObject({ trained: true, embeddingModel: embedder.modelId });
  const withOld = await storedModel(created.id);
  await setTopicVector(created.id, oldVector!, embedder.modelId);
  expect(await trainTopic(created.id, { embedder })).toMatchObject({ trained: true });
  const withCurrent = await storedModel(created.id);
  await sql.query(`UPDATE topics SET embedding = NULL, embedding_model = NULL WHERE id = $1::uuid`, [created.id]);
  expect(await trainTopic(created.id, { embedder })).toMatchObject({ trained: true });
  const withNone = await storedModel(created.id);
  if (fresh) {
    expect(withOld.weightsText).toBe(withNone.weightsText);
    expect(withOld.denseText).toBe(withNone.denseText);
    expect(withOld.bias).toBe(withNone.bias);
    // The same vector recorded as the current model's is used: another model.
    expect(withCurrent.denseText).not.toBe(withNone.denseText);
  }

  // The next read (the Topics page, a listing, the feed) re-embeds it with the current model.
  await setTopicVector(created.id, oldVector!, "old-model");
  const listed = await embedMissingTopics(userId, await listTopics(userId));
  expect(listed.find((t) => t.id === created.id)).toMatchObject({ hasEmbedding: true, embeddingModel: embedder.modelId });
  expect(await topicModel(created.id)).toBe(embedder.modelId);
  const t = (await topicVector(created.id))!;
  const [direct] = await embedder.embed([topicText(input.name, input.description)]);
  expect(cos(t, Array.from(direct!))).toBeGreaterThan(0.9999);
  expect(cos(t, Array.from(oldVector!))).toBeLessThan(0.9999);
  expect(await trainTopic(created.id, { embedder })).toMatchObject({ trained: true, embeddingModel: embedder.modelId });
  const model = await storedModel(created.id);

  // A paper whose vector is of another model is scored by its terms alone; the others with u·e.
  const keywordOnly: Record<string, number> = { a: 1, b: TEXT_WEIGHT, c: 0, d: 0, e: TEXT_WEIGHT, s: 1 };
  await sql.query(`UPDATE paper_embeddings SET model = 'other-model' WHERE paper_id = ANY($1)`, [[ids.d]]);
  try {
    const vectors = await paperVectors(Object.values(ids));
    expect(vectors.get(ids.d!)!.model).toBe("other-model");
    const features = await paperFeatures(Object.values(ids));
    const papers = (await listScoredPapersForDay(userId, created.id, spec, day)).papers;
    const margins = await checkScores(papers, model, created.id, features, vectors, (key) => keywordOnly[key]!);
    const termsOnly = (key: string) => model.bias + sparseDot(features.get(ids[key]!)!, model.weights);
    expect(margins.get("d")).toBeCloseTo(termsOnly("d"), 5);
    // The others' sums do include their vectors (else this could not tell the cases apart).
    expect(Math.max(...["a", "b", "c", "e"].map((k) => Math.abs(margins.get(k)! - termsOnly(k))))).toBeGreaterThan(1e-5);
  } finally {
    await sql.query(`UPDATE paper_embeddings SET model = $2 WHERE paper_id = ANY($1)`, [[ids.d], embedder.modelId]);
  }
});

test("an \"all\" embed run gives every reader's topics a vector of the current model, feeds included", async () => {
  const embedder = (await getEmbedder())!;
  const other = `topics-embedded-other-${tag}`;
  await db().user.create({ data: { id: other, name: "Other", email: `other-${tag}@topics.test` } });
  try {
    const texts = [
      { name: `Stale ${tag}`, description: "Storks and their winter routes." },
      { name: `Unrecorded ${tag}`, description: "Block-sparse attention." },
      { name: `No vector ${tag}`, description: "" },
    ];
    const stale = await createTopic(other, { ...texts[0]!, keywords: [] }, [], null);
    const unrecorded = await createTopic(other, { ...texts[1]!, keywords: [] }, [], null);
    const none = await createTopic(other, { ...texts[2]!, keywords: [] }, [], null);
    const [elsewhere] = await embedder.embed(["Something else entirely."]);
    await setTopicVector(stale.id, elsewhere!, "old-model");
    // Stored before models were recorded: a vector, no model.
    await setTopicVector(unrecorded.id, elsewhere!, null);

    const result = (await runEmbedJob({ scope: "all" })) as { topics: number; model: string };
    expect(result.model).toBe(embedder.modelId);
    expect(result.topics).toBeGreaterThanOrEqual(3);
    for (const [i, id] of [stale.id, unrecorded.id, none.id].entries()) {
      expect(await topicModel(id)).toBe(embedder.modelId);
      const [direct] = await embedder.embed([topicText(texts[i]!.name, texts[i]!.description)]);
      expect(cos((await topicVector(id))!, Array.from(direct!))).toBeGreaterThan(0.9999);
    }
    // Nothing left stale: a second run stores no topic.
    expect(((await runEmbedJob({ scope: "missing" })) as { topics: number }).topics).toBe(0);
  } finally {
    await db().user.deleteMany({ where: { id: other } });
  }
});

test("a model that fails on the topic's text: the topic is saved without a vector and gets one later", async () => {
  // A real model whose output is not the width the app stores (as a 768-d model in
  // EMBEDDING_MODEL_DIR would be): it loads, then fails on every text.
  const wrongWidth = await loadOnnxEmbedder({ dir: MODEL_DIR, onnxFile: path.join(MODEL_DIR, "onnx/model_quantized.onnx"), dimensions: 256 });
  const input = { name: `Failing model ${tag}`, description: "Saved anyway.", keywords: ["x"] };
  try {
    await expect(wrongWidth.embed([topicText(input.name, input.description)])).rejects.toThrow(/shape/);
    // What saveTopic does: embed (null on failure, logged), then save.
    const embedding = await embedTopic(input.name, input.description, wrongWidth);
    expect(embedding).toBeNull();
    const created = await createTopic(userId, input, [], embedding);
    expect(await getTopic(userId, created.id)).toMatchObject({ name: input.name, hasEmbedding: false, embeddingModel: null });
    // The working model fills it in on the next read.
    const embedder = (await getEmbedder())!;
    const listed = await embedMissingTopics(userId, await listTopics(userId));
    expect(listed.find((t) => t.id === created.id)).toMatchObject({ hasEmbedding: true, embeddingModel: embedder.modelId });
  } finally {
    await wrongWidth.release();
  }

  // A corrupt ONNX file fails when the model is loaded, not on a text: the process then has no model
  // (keyword scoring, lib/embed/embedder.ts) and topics are saved without a vector as usual.
  const corrupt = mkdtempSync(path.join(os.tmpdir(), "corrupt-model-"));
  try {
    cpSync(MODEL_DIR, corrupt, { recursive: true });
    writeFileSync(path.join(corrupt, "onnx/model_quantized.onnx"), randomBytes(4096));
    await expect(loadOnnxEmbedder({ dir: corrupt, onnxFile: path.join(corrupt, "onnx/model_quantized.onnx") })).rejects.toThrow();
  } finally {
    rmSync(corrupt, { recursive: true, force: true });
  }
});
