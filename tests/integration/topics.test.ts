// Topic scoring against the real PostgreSQL (pgvector's sparsevec and vector, full-text search):
// papers with real text and synthetic vectors (small integer components, exact in pgvector's float4)
// are ranked the way lib/topics/blend.ts says once the topic's model is trained (trainTopic, what the
// train job runs): every number is recomputed here from the stored model (topic_models: weights,
// bias, embedding weights, background margins) and the stored paper vectors (paper_features,
// paper_embeddings), blended with the keyword part computed by hand from the texts; explanations name the paper's terms the model weighs most, the labelled paper
// it is most like, and the keywords that really occur; a page is a fixed number of statements;
// readers are isolated.
import { randomBytes } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { parseListingSpec } from "../../lib/arxiv/categories";
import { EMBEDDING_DIMENSIONS, toPgVector } from "../../lib/embed/embedder";
import { db, disconnectDb } from "../../lib/db";
import { PrismaClient } from "../../lib/generated/prisma/client";
import {
  createTopic,
  deleteTopic,
  getTopic,
  labelPaper,
  listScoredPapersForDay,
  listTopicPapers,
  listTopics,
  updateTopic,
  type Relevance,
  type ScoredPaper,
} from "../../lib/queries/topics";
import { FEATURE_DIM } from "../../lib/relevance/features";
import { EXPLAIN_TERMS } from "../../lib/relevance/explain";
import { trainTopic } from "../../lib/relevance/train";
import { TEXT_WEIGHT } from "../../lib/topics/blend";
import { explanationHtml, relevanceHtml } from "../../lib/topics/card-html";
import { topicFormSchema } from "../../lib/topics/input";
import { randomDay, randomPaperId, seedPapers } from "../helpers/seed";
import {
  blendByHand,
  checkedMargins,
  expectStoredModel,
  pct,
  similarCandidates,
  storedEmbeddings,
  storedFeatures as readStoredFeatures,
  storeEmbedding,
  termContributions,
} from "../helpers/topic-models";

const tag = randomBytes(4).toString("hex");
const userIds: string[] = [];
/** The synthetic vectors' model: this file's own, so no other file's vectors meet these weights. */
const MODEL = `synthetic-${tag}`;
const embedder = { modelId: MODEL };
let sql: pg.Client;

/** A 384-d vector with the given components on the first axes, zero elsewhere. */
function vec(...components: number[]): Float32Array {
  const v = new Float32Array(EMBEDDING_DIMENSIONS);
  components.forEach((c, i) => (v[i] = c));
  return v;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function makeUser(name: string): Promise<string> {
  const id = `topics-${tag}-${name}`;
  await db().user.create({ data: { id, name, email: `${name}-${tag}@topics.test` } });
  userIds.push(id);
  return id;
}

const setVector = (paperId: string, v: Float32Array) => storeEmbedding(sql, paperId, MODEL, toPgVector(v));

// The papers of the day, their texts (what the keywords are matched against) and vectors.
const KEYWORDS = ["sparse attention", "retrieval", "tokenizer"];
const description = vec(1, 0, 0, 0);
// The topic's vector, of the same (synthetic) model as the papers' vectors.
const descriptionVector = { vector: description, model: MODEL };

interface Fixture {
  key: string;
  title: string;
  abstract: string;
  vector: Float32Array | null;
  /** Per keyword: 1 in the title, TEXT_WEIGHT in the abstract only, 0 absent (what the test expects). */
  hits: number[];
  matched: string[];
}

const fixtures: Fixture[] = [
  {
    key: "a",
    title: "Sparse attention for long documents",
    abstract: "We add a retrieval step before decoding and measure memory.",
    vector: vec(4, 3, 0, 0),
    hits: [1, TEXT_WEIGHT, 0],
    matched: ["sparse attention", "retrieval"],
  },
  {
    key: "b",
    title: "Tokenizers and their discontents",
    abstract: "Subword units change what models can learn; attention is not sparse here.",
    vector: vec(1, 0, 0, 3),
    // "attention" and "sparse" both occur, but not as the phrase "sparse attention".
    hits: [0, 0, 1],
    matched: ["tokenizer"],
  },
  {
    key: "c",
    title: "Graph neural networks for molecules",
    abstract: "Message passing over atoms, with no text at all.",
    vector: vec(2, 1, 4, 0),
    hits: [0, 0, 0],
    matched: [],
  },
  {
    key: "d",
    title: "A retrieval benchmark without vectors yet",
    abstract: "This paper has not been embedded, so its words alone count.",
    vector: null,
    hits: [0, 1, 0],
    matched: ["retrieval"],
  },
  {
    key: "e",
    title: "Dense retrieval with sparse attention and a new tokenizer",
    abstract: "Everything at once.",
    vector: vec(1, 1, 1, 1),
    hits: [1, 1, 1],
    matched: ["sparse attention", "retrieval", "tokenizer"],
  },
];
// Labelled papers (another day): two the reader added, one marked not interested.
const labelled = {
  p1: { title: "Sparse attention over long contexts", abstract: "Attention with sparse patterns keeps memory linear in the context length.", vector: vec(0, 1, 0, 0) },
  p2: { title: "Retrieval for long documents", abstract: "A retriever selects the passages of a long document that a reader model needs.", vector: vec(0, 0, 0, 1) },
  n: { title: "Molecular property prediction with graph networks", abstract: "Message passing over the atoms of molecules predicts their properties.", vector: vec(0, 0, 1, 0) },
};

const day = randomDay();
const spec = parseListingSpec("cs.IR");
const ids: Record<string, string> = {};
let alice: string;
let bob: string;
let topicId: string;

beforeAll(async () => {
  sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  for (const f of fixtures) ids[f.key] = randomPaperId();
  for (const k of Object.keys(labelled)) ids[k] = randomPaperId();
  await seedPapers(fixtures.map((f) => ({ ...f, id: ids[f.key]! })), "cs.IR", day);
  // The labelled papers are not in the day's listing (stored some other day).
  await seedPapers(Object.entries(labelled).map(([k, p]) => ({ ...p, id: ids[k]! })), "cs.IR", randomDay());
  for (const f of fixtures) if (f.vector) await setVector(ids[f.key]!, f.vector);
  for (const [k, p] of Object.entries(labelled)) await setVector(ids[k]!, p.vector);

  // A seed paper that is not stored (a random id: a fixed one may be stored by another test file).
  const notStored = randomPaperId();
  const created = await createTopic(
    alice,
    { name: "Long context", description: "Efficient attention over long inputs.", keywords: KEYWORDS },
    [ids.p1!, ids.p2!, notStored],
    descriptionVector,
  );
  topicId = created.id;
  expect(created.missing).toEqual([notStored]);
  expect(await labelPaper(alice, topicId, ids.n!, "negative")).toBe("ok");
});

afterAll(async () => {
  await db().user.deleteMany({ where: { id: { in: userIds } } });
  await db().paper.deleteMany({ where: { id: { in: Object.values(ids) } } });
  await sql.end();
  await disconnectDb();
});

// ---------------------------------------------------------------------------------------------
// The stored model and vectors, read back and parsed by the test (tests/helpers/topic-models.ts).

const storedModel = (id: string) => expectStoredModel(sql, id, { dim: FEATURE_DIM });
const storedFeatures = (paperIds: string[]) => readStoredFeatures(sql, paperIds, FEATURE_DIM);

/** What lib/topics/blend.ts says for each fixture, from the stored rows and the texts above. */
async function expectedScores(id: string, parts: { model: boolean; keywords: boolean }) {
  const model = parts.model ? await storedModel(id) : null;
  const features = await storedFeatures(fixtures.map((f) => ids[f.key]!));
  const vectors = await storedEmbeddings(sql, fixtures.map((f) => ids[f.key]!));
  // The margin b + w·x + u·e (u·e only for a vector of the model the dense weights were trained
  // with), as the database sums it once checked against the arithmetic (checkedMargins).
  const margins = model ? await checkedMargins(sql, id, model, fixtures.map((f) => ({ id: ids[f.key]!, name: f.key })), features, vectors) : null;
  return fixtures.map((f) => {
    const keyword = parts.keywords ? mean(f.hits) : null;
    const margin = margins ? margins.get(ids[f.key]!)! : null;
    const modelPart = model && margin !== null ? pct(model.quantiles, margin) : null;
    const score = blendByHand(modelPart, keyword);
    return { id: ids[f.key]!, key: f.key, score, modelPart, keyword, margin };
  });
}

async function checkAgainstFormula(papers: ScoredPaper[], id: string, parts: { model: boolean; keywords: boolean }) {
  // Best first; equal scores (1 is the top of the scale) by margin.
  const want = (await expectedScores(id, parts)).sort((x, y) => y.score - x.score || (y.margin ?? 0) - (x.margin ?? 0));
  if (parts.model) expect(papers.map((p) => p.id)).toEqual(want.map((w) => w.id));
  for (const w of want) {
    const got = papers.find((p) => p.id === w.id)!.relevance;
    expect(got.score, `score of ${w.key}`).toBeCloseTo(w.score, 5);
    if (w.modelPart === null) expect(got.modelPart, `model part of ${w.key}`).toBeNull();
    else expect(got.modelPart, `model part of ${w.key}`).toBeCloseTo(w.modelPart, 5);
    if (w.keyword === null) expect(got.keywordPart).toBeNull();
    else expect(got.keywordPart, `keyword part of ${w.key}`).toBeCloseTo(w.keyword, 5);
  }
  return want;
}

// ---------------------------------------------------------------------------------------------

test("until the topic is trained its papers score by keywords; once trained every number is the stored model's blend", async () => {
  const untrained = await listScoredPapersForDay(alice, topicId, spec, day);
  expect(untrained.total).toBe(fixtures.length);
  await checkAgainstFormula(untrained.papers, topicId, { model: false, keywords: true });
  for (const p of untrained.papers) {
    expect(p.relevance.terms).toEqual([]);
    expect(p.relevance.similar).toBeNull();
    expect(explanationHtml(p.relevance)).toContain("keywords only until the topic is trained");
  }
  expect((await getTopic(alice, topicId))!.model.state).toBe("training");

  const result = await trainTopic(topicId, { embedder });
  // Positives: the topic's text and its two papers.
  expect(result).toMatchObject({ trained: true, positives: 3, negatives: 1, embeddingModel: MODEL });
  const summary = (await getTopic(alice, topicId))!;
  expect(summary.model).toMatchObject({ state: "ready", positives: 3, negatives: 1, embeddingModel: MODEL, note: null });
  expect(summary.model.trainedAt).toBeInstanceOf(Date);

  const { papers, total } = await listScoredPapersForDay(alice, topicId, spec, day);
  expect(total).toBe(fixtures.length);
  const want = await checkAgainstFormula(papers, topicId, { model: true, keywords: true });
  // The dense weights are of the synthetic model, and they count: the paper without a vector is
  // scored by its terms alone, the others by terms and vector.
  const model = await storedModel(topicId);
  expect(model.embeddingModel).toBe(MODEL);
  expect(model.dense).toHaveLength(EMBEDDING_DIMENSIONS);
  expect(model.dense!.slice(0, 4).some((u) => Math.abs(u) > 1e-3)).toBe(true);
  // Sanity on the fixtures themselves: the blend really reorders the day (arXiv order is a..e).
  expect(papers.map((p) => p.id)).not.toEqual(fixtures.map((f) => ids[f.key]));
  // The learned part is not degenerate: it varies across the day.
  const parts = want.map((w) => w.modelPart!);
  expect(Math.max(...parts) - Math.min(...parts)).toBeGreaterThan(0.01);
  // The paper about molecules (like the one marked not interested) has the lowest margin.
  const margins = want.map((w) => w.margin!);
  expect(want.find((w) => w.key === "c")!.margin).toBe(Math.min(...margins));
});

test("explanations: the paper's most weighted terms, the labelled paper it is most like, the keywords that occur", async () => {
  const { papers } = await listScoredPapersForDay(alice, topicId, spec, day);
  const model = await storedModel(topicId);
  const positives = await storedFeatures([ids.p1!, ids.p2!]);
  for (const f of fixtures) {
    const r = papers.find((p) => p.id === ids[f.key])!.relevance;
    expect(r.matched, `matched keywords of ${f.key}`).toEqual(f.matched);
    const html = explanationHtml(r);
    for (const k of KEYWORDS) expect(html.includes(`<mark>${k}</mark>`), `${k} in the explanation of ${f.key}`).toBe(f.matched.includes(k));

    // Terms: the paper's terms by weight × value, positive only, largest first.
    const contributions = termContributions(model.weights, f);
    expect(r.terms, `terms of ${f.key}`).toEqual(contributions.slice(0, EXPLAIN_TERMS).map((t) => t.term));
    if (r.terms.length) expect(html).toContain(`Learned: ${r.terms.map((t) => `<mark>${t}</mark>`).join(", ")}`);
    else expect(html).not.toContain("Learned:");

    // Similar: the positive paper whose vector shares the most positively weighted terms (Σ w·x·x').
    const candidates = similarCandidates(contributions, (["p1", "p2"] as const).map((k) => ({ key: k, x: positives.get(ids[k]!)! })));
    if (!candidates.length) {
      expect(r.similar, `similar of ${f.key}`).toBeNull();
      expect(html).not.toContain("Like:");
      continue;
    }
    const best = candidates[0]!;
    if (candidates[1] && Math.abs(candidates[1].score - best.score) < 1e-6) continue; // a tie: either is right
    expect(r.similar, `similar of ${f.key}`).toEqual({ id: ids[best.k], title: labelled[best.k].title, shared: best.shared });
    expect(html).toContain(`Like: <a href="/papers/${ids[best.k]}">${labelled[best.k].title}</a> (shared: ${best.shared.join(", ")})`);
  }
  // At least one card of each kind, or the checks above checked nothing.
  const a = papers.find((p) => p.id === ids.a)!.relevance;
  expect(a.terms.length).toBeGreaterThan(0);
  // Only p2 says "retrieval", only p1 "attention": d is like p2, b like p1.
  expect(papers.find((p) => p.id === ids.d)!.relevance.similar?.id).toBe(ids.p2);
  expect(papers.find((p) => p.id === ids.b)!.relevance.similar?.id).toBe(ids.p1);
});

test("a threshold keeps only papers at or above it, paging follows the score order", async () => {
  const all = (await listScoredPapersForDay(alice, topicId, spec, day)).papers;
  // The cut falls between the second paper and the next lower score (papers above the whole scale
  // tie at 1, so the next paper may share the second one's score).
  const k = all.findIndex((p, i) => i >= 2 && p.relevance.score < all[1]!.relevance.score);
  expect(k, "a score below the second paper's").toBeGreaterThanOrEqual(2);
  const min = (all[k - 1]!.relevance.score + all[k]!.relevance.score) / 2;
  const above = await listScoredPapersForDay(alice, topicId, spec, day, { min });
  expect(above.total).toBe(k);
  expect(above.papers.map((p) => p.id)).toEqual(all.slice(0, k).map((p) => p.id));
  const page2 = await listScoredPapersForDay(alice, topicId, spec, day, { offset: 2, limit: 2 });
  expect(page2.papers.map((p) => p.id)).toEqual(all.slice(2, 4).map((p) => p.id));
  expect(page2.total).toBe(fixtures.length);
  // Explanations on a later page too.
  expect(page2.papers.map((p) => p.relevance.terms)).toEqual(all.slice(2, 4).map((p) => p.relevance.terms));
  expect((await listScoredPapersForDay(alice, topicId, spec, day, { types: ["cross"] })).total).toBe(0);
  // Past the end: empty.
  expect(await listScoredPapersForDay(alice, topicId, spec, day, { offset: 10 })).toEqual({ papers: [], total: 0 });
});

test("without a model the score is the keyword part; without keywords it is the model part", async () => {
  const noModel = await createTopic(alice, { name: `Keywords only ${tag}`, description: "Not trained yet.", keywords: KEYWORDS }, [], null);
  await checkAgainstFormula((await listScoredPapersForDay(alice, noModel.id, spec, day)).papers, noModel.id, { model: false, keywords: true });
  const noKeywords = await createTopic(alice, { name: `Model only ${tag}`, description: "Sparse attention over long inputs.", keywords: [] }, [ids.p1!], descriptionVector);
  expect(await trainTopic(noKeywords.id, { embedder })).toMatchObject({ trained: true, positives: 2 });
  const modelOnly = (await listScoredPapersForDay(alice, noKeywords.id, spec, day)).papers;
  await checkAgainstFormula(modelOnly, noKeywords.id, { model: true, keywords: false });
  expect(modelOnly.every((p) => p.relevance.score === p.relevance.modelPart)).toBe(true);
  expect(explanationHtml(modelOnly[0]!.relevance)).not.toContain("keyword");
  // A keyword of stop words only matches nothing and is left out of the mean.
  const stop = await createTopic(alice, { name: `Stop words ${tag}`, description: "", keywords: ["the", "tokenizer"] }, [], null);
  const b = (await listScoredPapersForDay(alice, stop.id, spec, day)).papers.find((p) => p.id === ids.b)!;
  expect(b.relevance.keywordPart).toBeCloseTo(1, 5);
  expect(b.relevance.matched).toEqual(["tokenizer"]);
});

test("marking a paper not interested sets its score to 0 and pushes it down; clearing restores it", async () => {
  const before = (await listScoredPapersForDay(alice, topicId, spec, day)).papers;
  const top = before[0]!;
  expect(top.relevance.score).toBeGreaterThan(0);
  expect(await labelPaper(alice, topicId, top.id, "negative")).toBe("ok");
  const after = (await listScoredPapersForDay(alice, topicId, spec, day)).papers;
  const at = after.findIndex((p) => p.id === top.id);
  expect(after[at]!.relevance.score).toBe(0);
  expect(after[at]!.relevance.label).toBe("negative");
  // Below every paper that still scores; among the zeros, arXiv's order.
  expect(after.slice(0, at).every((p) => p.relevance.score > 0)).toBe(true);
  expect(after.slice(at).every((p) => p.relevance.score === 0)).toBe(true);
  // Until the topic is retrained the model is the same: every other paper keeps its score exactly.
  for (const p of after.filter((q) => q.id !== top.id)) expect(p.relevance.score).toBe(before.find((q) => q.id === p.id)!.relevance.score);
  expect((await getTopic(alice, topicId))!.model.state).toBe("training");
  expect(await labelPaper(alice, topicId, top.id, null)).toBe("ok");
  const again = (await listScoredPapersForDay(alice, topicId, spec, day)).papers;
  expect(again[0]!.id).toBe(top.id);
  expect(again[0]!.relevance.score).toBe(top.relevance.score);
  expect(again[0]!.relevance.label).toBeNull();
  // An id no test stores (a fixed one such as 0704.0002 is stored by the Kaggle import test).
  expect(await labelPaper(alice, topicId, randomPaperId(), "positive")).toBe("no-paper");
  // Trained again for the same labels as before: the same numbers.
  expect(await trainTopic(topicId, { embedder })).toMatchObject({ trained: true, negatives: 1 });
  await checkAgainstFormula((await listScoredPapersForDay(alice, topicId, spec, day)).papers, topicId, { model: true, keywords: true });
});

test("a page of scores is a fixed number of statements, whatever its size", async () => {
  const untrained = await createTopic(alice, { name: `Counted ${tag}`, description: "", keywords: KEYWORDS }, [], null);
  // Once, so the explanation's copy of the model is loaded before counting.
  await listScoredPapersForDay(alice, topicId, spec, day);
  await disconnectDb();
  const counting = new PrismaClient({
    adapter: new PrismaPg({ connectionString: inject("databaseUrl") }),
    log: [{ emit: "event", level: "query" }],
  });
  const statements: string[] = [];
  counting.$on("query", (e) => statements.push(e.query));
  (globalThis as { prisma?: PrismaClient }).prisma = counting;
  try {
    // A topic without a model: the page is one statement (scores, explanation, total).
    await listScoredPapersForDay(alice, untrained.id, spec, day, { limit: 1 });
    expect(statements).toHaveLength(1);
    await listScoredPapersForDay(alice, untrained.id, spec, day, { limit: 50 });
    expect(statements).toHaveLength(2);
    // A trained topic: the scores are one statement; the explanations add a check that the model
    // read for them is still the current one — the same for 1 paper as for 50.
    statements.length = 0;
    const one = await listScoredPapersForDay(alice, topicId, spec, day, { limit: 1 });
    const perPage = statements.length;
    expect(one.papers[0]!.relevance.terms.length).toBeGreaterThan(0);
    expect(perPage).toBeLessThanOrEqual(2);
    statements.length = 0;
    const fifty = await listScoredPapersForDay(alice, topicId, spec, day, { limit: 50 });
    expect(fifty.papers).toHaveLength(fixtures.length);
    expect(statements).toHaveLength(perPage);
    expect(statements.filter((s) => s.includes("topic_models m JOIN topic"))).toHaveLength(1);
  } finally {
    await disconnectDb();
  }
});

test("one reader can neither read, change nor train another's topic", async () => {
  const { rows: modelBefore } = await sql.query(`SELECT weights::text, bias, trained_at FROM topic_models WHERE topic_id = $1::uuid`, [topicId]);
  const { rows: changedBefore } = await sql.query(`SELECT labels_changed_at FROM topics WHERE id = $1::uuid`, [topicId]);
  expect(await getTopic(bob, topicId)).toBeNull();
  expect((await listTopics(bob)).map((t) => t.id)).not.toContain(topicId);
  expect(await listScoredPapersForDay(bob, topicId, spec, day)).toEqual({ papers: [], total: 0 });
  expect(await listTopicPapers(bob, topicId)).toEqual([]);
  expect(await updateTopic(bob, topicId, { name: "Mine now", description: "", keywords: [], includeStarred: true }, null)).toBe(false);
  expect(await labelPaper(bob, topicId, ids.a!, "negative")).toBe("no-topic");
  expect(await deleteTopic(bob, topicId)).toBe(false);
  const still = await getTopic(alice, topicId);
  expect(still?.name).toBe("Long context");
  expect(still?.keywords).toEqual(KEYWORDS);
  expect(still?.hasEmbedding).toBe(true);
  expect(still?.includeStarred).toBe(false);
  expect(still?.model.state).toBe("ready");
  expect((await listTopicPapers(alice, topicId)).map((p) => [p.id, p.label]).sort()).toEqual(
    [
      [ids.p1, "positive"],
      [ids.p2, "positive"],
      [ids.n, "negative"],
    ].sort(),
  );
  // Nothing changed what trains it, nor its model.
  expect((await sql.query(`SELECT labels_changed_at FROM topics WHERE id = $1::uuid`, [topicId])).rows).toEqual(changedBefore);
  expect((await sql.query(`SELECT weights::text, bias, trained_at FROM topic_models WHERE topic_id = $1::uuid`, [topicId])).rows).toEqual(modelBefore);
  // Not a topic id at all: nothing, not an error.
  expect(await getTopic(alice, "'; DROP TABLE topics; --")).toBeNull();
  expect(await listScoredPapersForDay(alice, "'; DROP TABLE topics; --", spec, day)).toEqual({ papers: [], total: 0 });
});

test("editing: the text without a model clears the stale vector, a change to what trains it makes the model stale; deleting removes labels and model", async () => {
  const t = await createTopic(alice, { name: `Edit me ${tag}`, description: "First.", keywords: ["x"] }, [ids.p1!], descriptionVector);
  expect((await getTopic(alice, t.id))?.hasEmbedding).toBe(true);
  expect(await trainTopic(t.id, { embedder: null })).toMatchObject({ trained: true });
  expect((await getTopic(alice, t.id))?.model.state).toBe("ready");
  // The same text and keywords saved again: nothing to retrain.
  expect(await updateTopic(alice, t.id, { name: `Edit me ${tag}`, description: "First.", keywords: ["x"] }, null)).toBe(true);
  expect((await getTopic(alice, t.id))?.model.state).toBe("ready");
  // A keyword more: the model is stale (keywords are part of the text it trains on); the vector stays.
  expect(await updateTopic(alice, t.id, { name: `Edit me ${tag}`, description: "First.", keywords: ["x", "y"] }, null)).toBe(true);
  expect(await getTopic(alice, t.id)).toMatchObject({ hasEmbedding: true, model: { state: "training" } });
  expect(await trainTopic(t.id, { embedder: null })).toMatchObject({ trained: true });
  expect(await updateTopic(alice, t.id, { name: `Edit me ${tag}`, description: "Second.", keywords: ["y"] }, null)).toBe(true);
  const edited = await getTopic(alice, t.id);
  expect(edited).toMatchObject({ description: "Second.", keywords: ["y"], hasEmbedding: false, positives: 1, model: { state: "training" } });
  expect(await deleteTopic(alice, t.id)).toBe(true);
  expect(await getTopic(alice, t.id)).toBeNull();
  expect(await db().topicPaper.count({ where: { topicId: t.id } })).toBe(0);
  expect((await sql.query(`SELECT 1 FROM topic_models WHERE topic_id = $1::uuid`, [t.id])).rowCount).toBe(0);
});

test("topic forms: keywords split and deduplicated, bad seeds and empty names refused in words", () => {
  const ok = topicFormSchema.parse({ name: "  LLMs ", description: "", keywords: "RAG, rag\nlong  context;;", seeds: "arXiv:2104.12255v2 hep-th/9711200" });
  expect(ok).toMatchObject({ name: "LLMs", description: "", keywords: ["RAG", "long context"], seeds: ["2104.12255", "hep-th/9711200"] });
  const noName = topicFormSchema.safeParse({ name: "  ", description: "", keywords: "", seeds: "" });
  expect(noName.success).toBe(false);
  expect(noName.error?.issues[0]?.message).toBe("Give the topic a name.");
  const badSeed = topicFormSchema.safeParse({ name: "x", description: "", keywords: "", seeds: "2104.12255 not-an-id" });
  expect(badSeed.error?.issues[0]?.message).toContain('"not-an-id" is not an arXiv id');
});

test("hostile topic names, terms, titles and keywords are rendered as text on cards", () => {
  const hostile: Relevance = {
    score: 0.5,
    modelPart: 0.4,
    keywordPart: 0.5,
    matched: ['<img src=x onerror="alert(1)">'],
    terms: ["<b>bold</b>", "a&b"],
    similar: { id: '2104.12255"><script>', title: "<script>x</script>", shared: ["<i>x</i>"] },
    label: null,
  };
  const html = relevanceHtml(hostile, { name: '"><script>alert(1)</script>' });
  expect(html).not.toContain("<script>");
  expect(html).not.toContain("<img");
  expect(html).not.toContain("<b>");
  expect(html).not.toContain("<i>");
  expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
  expect(html).toContain("<mark>&lt;b&gt;bold&lt;/b&gt;</mark>");
  expect(html).toContain("a&amp;b");
  expect(html).toContain('href="/papers/2104.12255&quot;&gt;&lt;script&gt;"');
  expect(html).toContain("shared: &lt;i&gt;x&lt;/i&gt;");
  expect(html).toContain('data-score="0.5000"');
});
