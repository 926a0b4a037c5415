// Topic scoring against the real PostgreSQL (pgvector, full-text search): papers with real text and
// synthetic vectors (small integer components, exact in pgvector's float4) are ranked the way the
// blend in lib/topics/blend.ts says, with the numbers recomputed here from the vectors and texts;
// explanations name the keywords that really occur; one statement per page; readers are isolated.
import { randomBytes } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
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
  type ScoredPaper,
} from "../../lib/queries/topics";
import { EMBEDDING_WEIGHT, KEYWORD_WEIGHT, NEGATIVE_WEIGHT, TEXT_WEIGHT } from "../../lib/topics/blend";
import { explanationHtml, relevanceHtml } from "../../lib/topics/card-html";
import { topicFormSchema } from "../../lib/topics/input";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";

const tag = randomBytes(4).toString("hex");
const userIds: string[] = [];

/** A 384-d vector with the given components on the first axes, zero elsewhere. */
function vec(...components: number[]): Float32Array {
  const v = new Float32Array(EMBEDDING_DIMENSIONS);
  components.forEach((c, i) => (v[i] = c));
  return v;
}

function cos(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

async function makeUser(name: string): Promise<string> {
  const id = `topics-${tag}-${name}`;
  await db().user.create({ data: { id, name, email: `${name}-${tag}@topics.test` } });
  userIds.push(id);
  return id;
}

async function setVector(paperId: string, v: Float32Array) {
  await db().$executeRawUnsafe(
    `INSERT INTO paper_embeddings (paper_id, version, model, embedding) VALUES ($1, 1, 'synthetic', $2::vector)
     ON CONFLICT (paper_id) DO UPDATE SET embedding = EXCLUDED.embedding`,
    paperId,
    toPgVector(v),
  );
}

// The papers of the day, their texts (what the keywords are matched against) and vectors.
const KEYWORDS = ["sparse attention", "retrieval", "tokenizer"];
const description = vec(1, 0, 0, 0);
// The topic's vector, of the same (synthetic) model as the papers' vectors.
const descriptionVector = { vector: description, model: "synthetic" };
const positives = { p1: vec(0, 1, 0, 0), p2: vec(0, 0, 0, 1) };
const negative = vec(0, 0, 1, 0);

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
    abstract: "This paper has not been embedded, so only its keywords count.",
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

const day = randomDay();
const spec = parseListingSpec("cs.IR");
const ids: Record<string, string> = {};
let alice: string;
let bob: string;
let topicId: string;

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  for (const f of fixtures) ids[f.key] = randomPaperId();
  for (const k of ["p1", "p2", "n"]) ids[k] = randomPaperId();
  await seedListing(
    fixtures.map((f) => entry({ id: ids[f.key]!, title: f.title, abstract: f.abstract, primaryCategory: "cs.IR", categories: ["cs.IR"] })),
    ["cs.IR"],
    day,
  );
  // The labelled papers are not in the day's listing (stored some other day).
  await seedListing(
    [
      entry({ id: ids.p1!, title: `Positive one ${tag}`, primaryCategory: "cs.IR", categories: ["cs.IR"] }),
      entry({ id: ids.p2!, title: `Positive two ${tag}`, primaryCategory: "cs.IR", categories: ["cs.IR"] }),
      entry({ id: ids.n!, title: `Unwanted ${tag}`, primaryCategory: "cs.IR", categories: ["cs.IR"] }),
    ],
    ["cs.IR"],
    randomDay(),
  );
  for (const f of fixtures) if (f.vector) await setVector(ids[f.key]!, f.vector);
  await setVector(ids.p1!, positives.p1);
  await setVector(ids.p2!, positives.p2);
  await setVector(ids.n!, negative);

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
  await disconnectDb();
});

/** What the README's formula gives for a fixture, from the vectors and texts above. */
function expected(f: Fixture, parts: { description: boolean; positives: boolean; negatives: boolean; keywords: boolean }) {
  const keyword = parts.keywords ? mean(f.hits) : null;
  let embedding: number | null = null;
  if (f.vector && (parts.description || parts.positives)) {
    const attract = [
      ...(parts.description ? [cos(f.vector, description)] : []),
      ...(parts.positives ? [mean([cos(f.vector, positives.p1), cos(f.vector, positives.p2)])] : []),
    ];
    embedding = clamp01(mean(attract) - NEGATIVE_WEIGHT * (parts.negatives ? cos(f.vector, negative) : 0));
  }
  const score =
    embedding !== null && keyword !== null
      ? (EMBEDDING_WEIGHT * embedding + KEYWORD_WEIGHT * keyword) / (EMBEDDING_WEIGHT + KEYWORD_WEIGHT)
      : (embedding ?? keyword ?? 0);
  return { score, embedding, keyword };
}

function checkAgainstFormula(papers: ScoredPaper[], parts: Parameters<typeof expected>[1]) {
  const want = fixtures
    .map((f) => ({ id: ids[f.key]!, key: f.key, ...expected(f, parts) }))
    .sort((x, y) => y.score - x.score);
  // The order is the formula's (no ties among these fixtures).
  expect(papers.map((p) => p.id)).toEqual(want.map((w) => w.id));
  for (const w of want) {
    const got = papers.find((p) => p.id === w.id)!.relevance;
    expect(got.score, `score of ${w.key}`).toBeCloseTo(w.score, 5);
    if (w.embedding === null) expect(got.embeddingPart, `embedding part of ${w.key}`).toBeNull();
    else expect(got.embeddingPart, `embedding part of ${w.key}`).toBeCloseTo(w.embedding, 5);
    if (w.keyword === null) expect(got.keywordPart).toBeNull();
    else expect(got.keywordPart, `keyword part of ${w.key}`).toBeCloseTo(w.keyword, 5);
  }
}

test("the listing is ordered by the blend, and every number is the formula's", async () => {
  const { papers, total } = await listScoredPapersForDay(alice, topicId, spec, day);
  expect(total).toBe(fixtures.length);
  checkAgainstFormula(papers, { description: true, positives: true, negatives: true, keywords: true });
  // Sanity on the fixtures themselves: the blend really reorders the day (arXiv order is a..e).
  expect(papers.map((p) => p.id)).not.toEqual(fixtures.map((f) => ids[f.key]));
  // The paper without a vector is scored by its keywords alone.
  const d = papers.find((p) => p.id === ids.d)!;
  expect(d.relevance.score).toBeCloseTo(1 / 3, 5);
});

test("explanations list the keywords that really occur, and the most similar positive paper", async () => {
  const { papers } = await listScoredPapersForDay(alice, topicId, spec, day);
  for (const f of fixtures) {
    const r = papers.find((p) => p.id === ids[f.key])!.relevance;
    expect(r.matched, `matched keywords of ${f.key}`).toEqual(f.matched);
    const html = explanationHtml(r);
    for (const k of KEYWORDS) expect(html.includes(`<mark>${k}</mark>`), `${k} in the explanation of ${f.key}`).toBe(f.matched.includes(k));
    if (!f.vector) {
      expect(r.similar).toBeNull();
      expect(html).toContain("keywords only");
      continue;
    }
    // The positive paper with the highest cosine, by the test's own arithmetic.
    const [best, other] = (["p1", "p2"] as const).map((k) => ({ k, c: cos(f.vector!, positives[k]) })).sort((x, y) => y.c - x.c);
    if (best!.c === other!.c) continue; // a tie (paper e): either is right
    expect(r.similar?.id, `most similar positive of ${f.key}`).toBe(ids[best!.k]);
    expect(r.similar?.title).toBe(best!.k === "p1" ? `Positive one ${tag}` : `Positive two ${tag}`);
    expect(r.similar?.cosine).toBeCloseTo(best!.c, 5);
    expect(html).toContain(`Most like: <a href="/papers/${ids[best!.k]}">`);
  }
});

test("a threshold keeps only papers at or above it, paging follows the score order", async () => {
  const all = (await listScoredPapersForDay(alice, topicId, spec, day)).papers;
  const min = (all[1]!.relevance.score + all[2]!.relevance.score) / 2;
  const above = await listScoredPapersForDay(alice, topicId, spec, day, { min });
  expect(above.total).toBe(2);
  expect(above.papers.map((p) => p.id)).toEqual(all.slice(0, 2).map((p) => p.id));
  const page2 = await listScoredPapersForDay(alice, topicId, spec, day, { offset: 2, limit: 2 });
  expect(page2.papers.map((p) => p.id)).toEqual(all.slice(2, 4).map((p) => p.id));
  expect(page2.total).toBe(fixtures.length);
  expect((await listScoredPapersForDay(alice, topicId, spec, day, { types: ["cross"] })).total).toBe(0);
});

test("without vectors the score is the keyword part; without keywords it is the embedding part", async () => {
  const noVectors = await createTopic(alice, { name: `Keywords only ${tag}`, description: "No model loaded.", keywords: KEYWORDS }, [], null);
  checkAgainstFormula((await listScoredPapersForDay(alice, noVectors.id, spec, day)).papers, {
    description: false,
    positives: false,
    negatives: false,
    keywords: true,
  });
  const noKeywords = await createTopic(alice, { name: `Vectors only ${tag}`, description: "Attention.", keywords: [] }, [], descriptionVector);
  checkAgainstFormula((await listScoredPapersForDay(alice, noKeywords.id, spec, day)).papers, {
    description: true,
    positives: false,
    negatives: false,
    keywords: false,
  });
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
  // (The marked paper is now a negative too, so the others' scores move: still best first.)
  const scores = after.map((p) => p.relevance.score);
  expect(scores).toEqual([...scores].sort((x, y) => y - x));
  const others = after.find((p) => p.id === ids.b)!;
  const bVector = fixtures.find((f) => f.key === "b")!.vector!;
  const topVector = fixtures.find((f) => ids[f.key] === top.id)!.vector!;
  const attract = mean([cos(bVector, description), mean([cos(bVector, positives.p1), cos(bVector, positives.p2)])]);
  const repel = mean([cos(bVector, negative), cos(bVector, topVector)]);
  expect(others.relevance.embeddingPart).toBeCloseTo(clamp01(attract - NEGATIVE_WEIGHT * repel), 5);
  expect(await labelPaper(alice, topicId, top.id, null)).toBe("ok");
  const again = (await listScoredPapersForDay(alice, topicId, spec, day)).papers;
  expect(again[0]!.id).toBe(top.id);
  expect(again[0]!.relevance.score).toBeCloseTo(top.relevance.score, 6);
  expect(await labelPaper(alice, topicId, "0704.0002", "positive")).toBe("no-paper");
});

test("a page of scores is one SQL statement, whatever its size", async () => {
  await disconnectDb();
  const counting = new PrismaClient({
    adapter: new PrismaPg({ connectionString: inject("databaseUrl") }),
    log: [{ emit: "event", level: "query" }],
  });
  const statements: string[] = [];
  counting.$on("query", (e) => statements.push(e.query));
  (globalThis as { prisma?: PrismaClient }).prisma = counting;
  try {
    await listScoredPapersForDay(alice, topicId, spec, day, { limit: 1 });
    expect(statements).toHaveLength(1);
    await listScoredPapersForDay(alice, topicId, spec, day, { limit: 50 });
    expect(statements).toHaveLength(2);
  } finally {
    await disconnectDb();
  }
});

test("one reader can neither read nor change another's topic", async () => {
  expect(await getTopic(bob, topicId)).toBeNull();
  expect((await listTopics(bob)).map((t) => t.id)).not.toContain(topicId);
  expect(await listScoredPapersForDay(bob, topicId, spec, day)).toEqual({ papers: [], total: 0 });
  expect(await listTopicPapers(bob, topicId)).toEqual([]);
  expect(await updateTopic(bob, topicId, { name: "Mine now", description: "", keywords: [] }, null)).toBe(false);
  expect(await labelPaper(bob, topicId, ids.a!, "negative")).toBe("no-topic");
  expect(await deleteTopic(bob, topicId)).toBe(false);
  const still = await getTopic(alice, topicId);
  expect(still?.name).toBe("Long context");
  expect(still?.keywords).toEqual(KEYWORDS);
  expect(still?.hasEmbedding).toBe(true);
  expect((await listTopicPapers(alice, topicId)).map((p) => [p.id, p.label]).sort()).toEqual(
    [
      [ids.p1, "positive"],
      [ids.p2, "positive"],
      [ids.n, "negative"],
    ].sort(),
  );
  // Not a topic id at all: nothing, not an error.
  expect(await getTopic(alice, "'; DROP TABLE topics; --")).toBeNull();
});

test("editing the text without a model clears the stale vector; deleting removes the labels", async () => {
  const t = await createTopic(alice, { name: `Edit me ${tag}`, description: "First.", keywords: ["x"] }, [ids.p1!], descriptionVector);
  expect((await getTopic(alice, t.id))?.hasEmbedding).toBe(true);
  expect(await updateTopic(alice, t.id, { name: `Edit me ${tag}`, description: "First.", keywords: ["x", "y"] }, null)).toBe(true);
  expect((await getTopic(alice, t.id))?.hasEmbedding).toBe(true);
  expect(await updateTopic(alice, t.id, { name: `Edit me ${tag}`, description: "Second.", keywords: ["y"] }, null)).toBe(true);
  const edited = await getTopic(alice, t.id);
  expect(edited).toMatchObject({ description: "Second.", keywords: ["y"], hasEmbedding: false, positives: 1 });
  expect(await deleteTopic(alice, t.id)).toBe(true);
  expect(await getTopic(alice, t.id)).toBeNull();
  expect(await db().topicPaper.count({ where: { topicId: t.id } })).toBe(0);
});

test("topic forms: keywords split and deduplicated, bad seeds and empty names refused in words", () => {
  const ok = topicFormSchema.parse({ name: "  LLMs ", description: "", keywords: "RAG, rag\nlong  context;;", seeds: "arXiv:2104.12255v2 hep-th/9711200" });
  expect(ok).toEqual({ name: "LLMs", description: "", keywords: ["RAG", "long context"], seeds: ["2104.12255", "hep-th/9711200"] });
  const noName = topicFormSchema.safeParse({ name: "  ", description: "", keywords: "", seeds: "" });
  expect(noName.success).toBe(false);
  expect(noName.error?.issues[0]?.message).toBe("Give the topic a name.");
  const badSeed = topicFormSchema.safeParse({ name: "x", description: "", keywords: "", seeds: "2104.12255 not-an-id" });
  expect(badSeed.error?.issues[0]?.message).toContain('"not-an-id" is not an arXiv id');
});

test("hostile topic names and keywords are rendered as text on cards", () => {
  const html = relevanceHtml(
    { score: 0.5, embeddingPart: null, keywordPart: 0.5, matched: ['<img src=x onerror="alert(1)">'], similar: { id: "2104.12255", title: "<script>x</script>", cosine: 0.5 }, label: null },
    { name: '"><script>alert(1)</script>' },
  );
  expect(html).not.toContain("<script>");
  expect(html).not.toContain("<img");
  expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
});
