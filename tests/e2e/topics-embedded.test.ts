// Topics through the web process with an embedding model configured (the committed random-weight
// test model, real tokenizer): a topic created and edited in a real Chromium gets the model's vector
// of its text (read back from Postgres), and a listing ranked by it compares papers with that vector:
// the badge's score is the blend recomputed here from the stored vectors. A topic saved before the
// model was there gets its vector when the reader ranks by it; one whose vector another model made
// gets the current model's when its RSS feed is read (a feed may be its only reader).
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, onTestFailed, test } from "vitest";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

const MODEL_DIR = path.resolve(import.meta.dirname, "../fixtures/models/all-MiniLM-L6-v2");
// Before any module reads the configuration: this process embeds with the same model as the server.
process.env.EMBEDDING_MODEL_DIR = MODEL_DIR;
const { getEmbedder } = await import("../../lib/embed/embedder");
const { embedPapers } = await import("../../lib/embed/embed-papers");
const { EMBEDDING_WEIGHT, KEYWORD_WEIGHT } = await import("../../lib/topics/blend");
const { topicText } = await import("../../lib/topics/embedding");

const tag = randomBytes(4).toString("hex");
const day = randomDay();
const papers = [
  { id: randomPaperId(), title: `Dense retrieval for long documents ${tag}`, abstract: "Dual encoders over passages." },
  { id: randomPaperId(), title: `Bird migration routes ${tag}`, abstract: "Satellite tags on storks." },
];
let sql: pg.Client;
let web: WebServer;
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
  sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  await seedListing(
    papers.map((p) => entry({ id: p.id, title: p.title, abstract: p.abstract, primaryCategory: "cs.IR", categories: ["cs.IR"] })),
    ["cs.IR"],
    day,
  );
  // The day's papers embedded by the same code the embed job runs.
  const embedder = (await getEmbedder())!;
  expect(await embedPapers(embedder, { paperIds: papers.map((p) => p.id) })).toEqual({ done: 2, total: 2 });
  web = await startWeb({ EMBEDDING_MODEL_DIR: MODEL_DIR, LISTING_CACHE_SECONDS: "0" });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  if (sql) {
    await sql.query(`DELETE FROM users WHERE email = $1`, [`embedded-${tag}@example.org`]);
    await sql.query(`DELETE FROM papers WHERE id = ANY($1)`, [papers.map((p) => p.id)]);
    await sql.end();
  }
});

test.skipIf(!hasChromium)("a topic made in the browser gets the model's vector, refreshed on edit, and ranks a listing with it", { timeout: 120_000 }, async () => {
  onTestFailed(() => console.log(`[topics-embedded e2e] server output:\n${web.output()}`));
  const embedder = (await getEmbedder())!;
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${web.url}/sign-up`);
  await page.getByLabel("E-mail address").fill(`embedded-${tag}@example.org`);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${web.url}/`);

  await page.goto(`${web.url}/topics`);
  await page.getByText("No topics yet").waitFor();
  await expect(page.getByText("No embedding model is loaded").count()).resolves.toBe(0);
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

  // Ranked by the topic: similarity part = cosine with the topic's vector (no labelled papers yet).
  await page.goto(`${web.url}/list/cs.IR?date=${day}&topic=${topicId}`);
  await page.locator(".relevance").first().waitFor();
  await expect(page.getByText("No embedding model is loaded").count()).resolves.toBe(0);
  await expect(page.getByText("keywords only").count()).resolves.toBe(0);
  const keywordPart = [1, 0]; // "retrieval" in the first title, in neither text of the second
  for (const [i, p] of papers.entries()) {
    const paperVector = (await vectorOf("paper_embeddings", "paper_id", p.id))!;
    const similarity = Math.max(0, Math.min(1, cos(paperVector, after)));
    const expected = (EMBEDDING_WEIGHT * similarity + KEYWORD_WEIGHT * keywordPart[i]!) / (EMBEDDING_WEIGHT + KEYWORD_WEIGHT);
    const shown = Number(await page.locator(`article[data-paper-id="${p.id}"] .relevance`).getAttribute("data-score"));
    expect(shown, `score of paper ${i}`).toBeCloseTo(expected, 3);
  }

  // A topic saved while no model was loaded (no vector, as such a save stores it) gets its vector
  // when the reader next ranks by it, and the ranking uses it at once.
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
  for (const p of papers) {
    const paperVector = (await vectorOf("paper_embeddings", "paper_id", p.id))!;
    // No keywords, no labelled papers: the score is the similarity with the description.
    const shown = Number(await page.locator(`article[data-paper-id="${p.id}"] .relevance`).getAttribute("data-score"));
    expect(shown).toBeCloseTo(Math.max(0, Math.min(1, cos(paperVector, backfilled))), 3);
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
});
