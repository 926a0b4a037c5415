// Topics through the web process and the worker process with an embedding model configured (the
// committed random-weight test model, real tokenizer): a topic created and edited in a real Chromium
// gets the model's vector of its text (read back from Postgres); the worker trains the topic's model
// with that model's vectors (its dense weights, recorded as that model's); a listing ranked by the
// topic scores each paper with them: the badge's score is recomputed here from what is stored (the
// model's weights, bias and background margins, the paper's term vector and embedding, the keyword
// part). A topic saved before the model was there gets its vector when the reader ranks by it, and is
// trained then: the listing says so and re-ranks itself; one whose vector another model made gets
// the current model's when its RSS feed is read (a feed may be its only reader).
//
// In a database of this file's own when the server allows (the worker trains every stale topic of
// its database), with queues of its own (PostgreSQL backend, a schema of this file's own).
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, onTestFailed, test } from "vitest";
import { parseRss } from "../../lib/arxiv/parse-rss";
import { disconnectDb, useDatabaseUrl } from "../../lib/db";
import { fromSparsevec } from "../../lib/relevance/features";
import { margin, percentile } from "../../lib/relevance/model";
import { startWorker, stopWorker, type AppProcess } from "../helpers/app-process";
import { createAccount, hasChromium, launchBrowser } from "../helpers/browser";
import { fixture } from "../helpers/fixtures";
import { createFreshDatabase, type FreshDatabase } from "../helpers/fresh-database";
import { randomDay, randomPaperId, seedListing, seedPapers } from "../helpers/seed";
import { waitForRankedCards } from "../helpers/topic-models";
import { startWeb, type WebServer } from "../helpers/web";

const MODEL_DIR = path.resolve(import.meta.dirname, "../fixtures/models/all-MiniLM-L6-v2");
// Before any module reads the configuration: this process embeds with the same model as the server.
process.env.EMBEDDING_MODEL_DIR = MODEL_DIR;
// Before the first query: this process's queries go to the database of this file's own.
const fresh: FreshDatabase | undefined = hasChromium ? await createFreshDatabase("papers_e2e_topics_emb") : undefined;
const databaseUrl = fresh?.url ?? inject("databaseUrl");
if (fresh) useDatabaseUrl(fresh.url);
const { getEmbedder } = await import("../../lib/embed/embedder");
const { embedPapers } = await import("../../lib/embed/embed-papers");
const { KEYWORD_BOOST } = await import("../../lib/topics/blend");
const { topicText } = await import("../../lib/topics/embedding");

const tag = randomBytes(4).toString("hex");
const queueSchema = `topics_emb_e2e_${tag}`;
const day = randomDay();
const papers = [
  { id: randomPaperId(), title: `Dense retrieval for long documents ${tag}`, abstract: "Dual encoders over passages." },
  { id: randomPaperId(), title: `Bird migration routes ${tag}`, abstract: "Satellite tags on storks." },
];
/** Recent papers a topic learns what it is not from: part of a real day of arXiv's quant-ph listing. */
const background = parseRss(fixture("rss/quant-ph_2025-04-28.xml"))
  .entries.slice(0, 40)
  .map((e) => ({ ...e, id: randomPaperId(), announceType: "new" as const }));
let sql: pg.Client;
let web: WebServer;
let worker: AppProcess | undefined;
let browser: Browser;

type Vector = number[];
const dot = (a: Vector, b: Vector) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const cos = (a: Vector, b: Vector) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

async function vectorOf(table: "topics" | "paper_embeddings", idColumn: string, id: string): Promise<Vector | null> {
  const { rows } = await sql.query<{ v: string | null }>(`SELECT embedding::text AS v FROM ${table} WHERE ${idColumn}::text = $1`, [id]);
  return rows[0]?.v ? (JSON.parse(rows[0].v) as Vector) : null;
}

beforeAll(async () => {
  if (!hasChromium) return;
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  await seedPapers(papers, "cs.IR", day);
  await seedListing(background, ["quant-ph"], randomDay());
  // The papers embedded by the same code the embed job runs.
  const embedder = (await getEmbedder())!;
  const ids = [...papers, ...background].map((p) => p.id);
  expect(await embedPapers(embedder, { paperIds: ids })).toEqual({ done: ids.length, total: ids.length });
  web = await startWeb({ DATABASE_URL: databaseUrl, EMBEDDING_MODEL_DIR: MODEL_DIR, LISTING_CACHE_SECONDS: "0", REDIS_URL: "", QUEUE_PG_SCHEMA: queueSchema });
  // The worker process as `npm run worker` runs it, with the web server's database, queues and model.
  worker = await startWorker({ DATABASE_URL: databaseUrl, REDIS_URL: "", QUEUE_PG_SCHEMA: queueSchema, EMBEDDING_MODEL_DIR: MODEL_DIR });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await stopWorker(worker);
  if (sql) {
    if (!fresh) {
      await sql.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`).catch(() => undefined);
      await sql.query(`DELETE FROM users WHERE email = $1`, [`embedded-${tag}@example.org`]);
      await sql.query(`DELETE FROM papers WHERE id = ANY($1)`, [[...papers, ...background].map((p) => p.id)]);
    }
    await sql.end();
  }
  await disconnectDb();
  await fresh?.drop();
}, 60_000);

/** The score of each paper's card, once the page shows a ranking of a trained model (no banner). */
async function shownScores(page: Page): Promise<Map<string, { score: number; why: string }>> {
  const cards = await waitForRankedCards(page, "the listing ranked by the trained model (the banner gone)", (c) => c.length > 0, { timeoutMs: 60_000, intervalMs: 250 });
  return new Map(cards.map((c) => [c.id, c]));
}

/** What the listing's score of `paperId` for the topic must be, from the stored model and vectors. */
async function expectedScore(topicId: string, paperId: string, keywordPart: number | null): Promise<number> {
  const { rows } = await sql.query<{ weights: string; dense: string | null; bias: number; quantiles: number[]; embedding_model: string | null }>(
    `SELECT weights::text AS weights, dense::text AS dense, bias, quantiles, embedding_model FROM topic_models WHERE topic_id = $1::uuid`,
    [topicId],
  );
  const m = rows[0]!;
  const weights = fromSparsevec(m.weights);
  const features = await sql.query<{ v: string }>(`SELECT vector::text AS v FROM paper_features WHERE paper_id = $1`, [paperId]);
  const embedding = await sql.query<{ v: string }>(`SELECT embedding::text AS v FROM paper_embeddings WHERE paper_id = $1 AND model = $2`, [
    paperId,
    m.embedding_model,
  ]);
  const z = margin(
    { dims: weights.indices, weights: weights.values, dense: m.dense ? Float32Array.from(JSON.parse(m.dense) as number[]) : null, bias: m.bias },
    fromSparsevec(features.rows[0]!.v),
    embedding.rows[0] ? Float32Array.from(JSON.parse(embedding.rows[0].v) as number[]) : null,
  );
  const learned = percentile(m.quantiles, z);
  return keywordPart === null ? learned : 1 - (1 - learned) * (1 - KEYWORD_BOOST * keywordPart);
}

async function trainedModel(topicId: string) {
  const { rows } = await sql.query<{ embedding_model: string | null; dims: number | null; positives: number; background: number }>(
    `SELECT embedding_model, vector_dims(dense) AS dims, positives, background FROM topic_models WHERE topic_id = $1::uuid`,
    [topicId],
  );
  return rows[0];
}

test.skipIf(!hasChromium)(
  "a topic made in the browser gets the model's vector, the worker trains it with the model's vectors, and a listing ranked by it scores with them",
  { timeout: 180_000 },
  async () => {
    onTestFailed(() => console.log(`[topics-embedded e2e] server output:\n${web.output()}\n[topics-embedded e2e] worker output:\n${worker?.output().slice(-8000)}`));
    const embedder = (await getEmbedder())!;
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    await createAccount(page, web.url, `embedded-${tag}@example.org`, "a long enough password");

    await page.goto(`${web.url}/topics`);
    await page.getByText("No topics yet").waitFor();
    await expect(page.getByText("No embedding model is loaded").count()).resolves.toBe(0);
    await expect(page.getByText("The model reads the papers' words and their embedding vectors.").count()).resolves.toBe(1);
    const name = `Neural retrieval ${tag}`;
    const description = "Finding the passages that answer a question.";
    await page.getByLabel("Name").fill(name);
    await page.getByLabel(/^Description/).fill(description);
    await page.getByLabel(/^Keywords/).fill("retrieval");
    await page.getByRole("button", { name: "Create topic" }).click();
    await page.waitForURL(/\/topics\?created=/);
    const item = page.locator(".topic-item");
    await expect(item.textContent()).resolves.toContain("description embedded");
    const topicId = (await item.getAttribute("data-topic-id"))!;

    // The server stored the model's vector of the topic's text.
    const stored = (await vectorOf("topics", "id", topicId))!;
    expect(stored).toHaveLength(384);
    expect(Math.sqrt(dot(stored, stored))).toBeCloseTo(1, 5);
    const [direct] = await embedder.embed([topicText(name, description)]);
    expect(cos(stored, Array.from(direct!))).toBeGreaterThan(0.9999);

    // Edited in the browser: the new description's vector replaces it.
    await page.goto(`${web.url}/topics/${topicId}`);
    const edited = "Bird migration and the routes storks take.";
    await page.getByLabel(/^Description/).fill(edited);
    await page.getByRole("button", { name: "Save topic" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    const after = (await vectorOf("topics", "id", topicId))!;
    const [editedDirect] = await embedder.embed([topicText(name, edited)]);
    expect(cos(after, Array.from(editedDirect!))).toBeGreaterThan(0.9999);
    expect(cos(after, stored)).toBeLessThan(0.9999);

    // Ranked by the topic once the worker has trained it (the listing re-ranks itself when it has).
    await page.goto(`${web.url}/list/cs.IR?date=${day}&topic=${topicId}`);
    await page.locator(".relevance").first().waitFor();
    const shown = await shownScores(page);
    await expect(page.getByText("No embedding model is loaded").count()).resolves.toBe(0);
    await expect(page.getByText("keywords only").count()).resolves.toBe(0);
    // Trained with the loaded model's vectors: dense weights of its dimension, recorded as its.
    expect(await trainedModel(topicId)).toMatchObject({ embedding_model: embedder.modelId, dims: 384, positives: 1 });
    // Each score is the blend of the learned part (margin = bias + terms + embedding, as a percentile
    // of the background's margins) and the keyword part ("retrieval" in the first title, not the second).
    const keywordPart = [1, 0];
    for (const [i, p] of papers.entries()) {
      const expected = await expectedScore(topicId, p.id, keywordPart[i]!);
      expect(shown.get(p.id)?.score, `score of paper ${i}`).toBeCloseTo(expected, 3);
    }
    // The edited text is about birds: the second paper's words are what the model learned.
    expect(shown.get(papers[1]!.id)?.why).toMatch(/^Learned: .*(bird|migration|routes|storks).* · No keyword matched$/);
    expect(shown.get(papers[0]!.id)?.why).toMatch(/Keywords: retrieval$/);
    // The topic page says what it was trained with.
    await page.goto(`${web.url}/topics/${topicId}`);
    await page.locator("section.topic-model").getByText(/^Trained /).waitFor({ timeout: 60_000 });
    await expect(page.locator("section.topic-model p").first().textContent()).resolves.toMatch(
      new RegExp(`^Trained just now on 1 positive example \\(the topic's text and the papers added\\), 0 marked not interested and \\d+ other recent papers as background, with the vectors of ${embedder.modelId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.$`),
    );

    // A topic saved while no model was loaded (no vector, as such a save stores it, and no trained
    // model) gets its vector when the reader next ranks by it, and is trained: the listing says so,
    // then re-ranks itself.
    const early = { name: `Saved before the model ${tag}`, description: "Storks and their routes." };
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO topics (id, user_id, name, description, keywords, created_at, updated_at)
       SELECT gen_random_uuid(), u.id, $2, $3, '{}', now(), now() FROM users u WHERE u.email = $1 RETURNING id::text`,
      [`embedded-${tag}@example.org`, early.name, early.description],
    );
    const earlyId = rows[0]!.id;
    expect(await vectorOf("topics", "id", earlyId)).toBeNull();
    await page.goto(`${web.url}/list/cs.IR?date=${day}&topic=${earlyId}`);
    await page.locator(".relevance").first().waitFor();
    const backfilled = (await vectorOf("topics", "id", earlyId))!;
    expect(backfilled).not.toBeNull();
    const [earlyDirect] = await embedder.embed([topicText(early.name, early.description)]);
    expect(cos(backfilled, Array.from(earlyDirect!))).toBeGreaterThan(0.9999);
    // Rendered before the worker could train it: no keywords and no model, so nothing scores yet.
    await expect(page.locator(".retrain-banner").textContent()).resolves.toBe(`Updating ${early.name}'s model… the list re-ranks when it is done`);
    await expect(page.locator(".relevance-why").first().textContent()).resolves.toBe("not scored yet: the topic is being trained");
    const earlyShown = await shownScores(page);
    expect(await trainedModel(earlyId)).toMatchObject({ embedding_model: embedder.modelId, dims: 384, positives: 1 });
    for (const p of papers) {
      // No keywords: the score is the learned part alone.
      expect(earlyShown.get(p.id)?.score).toBeCloseTo(await expectedScore(earlyId, p.id, null), 3);
    }

    // The model changed since the topic was embedded (a vector of another text, recorded as another
    // model's): reading the topic's feed, with no visit to the app, re-embeds it with the current model.
    const [oldVector] = await embedder.embed(["Medieval trade networks in the Baltic."]);
    await sql.query(`UPDATE topics SET embedding = $1::vector, embedding_model = 'old-model' WHERE id = $2::uuid`, [
      `[${Array.from(oldVector!).join(",")}]`,
      topicId,
    ]);
    await page.goto(`${web.url}/topics/${topicId}`);
    const feedPath = (await page.getByRole("link", { name: /RSS of this topic/ }).getAttribute("href"))!;
    // The feed reader: no session, only the address.
    const feed = await fetch(`${web.url}${feedPath}`);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain("<rss");
    const { rows: model } = await sql.query<{ m: string | null }>(`SELECT embedding_model AS m FROM topics WHERE id = $1::uuid`, [topicId]);
    expect(model[0]!.m).toBe(embedder.modelId);
    const refreshed = (await vectorOf("topics", "id", topicId))!;
    expect(cos(refreshed, Array.from(editedDirect!))).toBeGreaterThan(0.9999);
    expect(cos(refreshed, Array.from(oldVector!))).toBeLessThan(0.9999);
    expect(errors).toEqual([]);
  },
);
