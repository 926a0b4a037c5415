// Topics in a real Chromium: sign up, the empty Topics page, create a topic (a hostile name shown as
// text, keywords, a seed paper), rank a day's listing by it (scores, explanations, order), a
// threshold, "not interested" by keyboard, star-adds-to-topic, the private RSS feed, and another
// reader who can neither see nor use the topic. Papers carry synthetic vectors (no model needed:
// the seed paper's vector is compared with theirs). Screenshots go to test-artifacts/.
import { randomBytes, randomInt } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, onTestFailed, test } from "vitest";
import { ROOT } from "../../lib/build";
import { EMBEDDING_DIMENSIONS, toPgVector } from "../../lib/embed/embedder";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { createFreshDatabase, type FreshDatabase } from "../helpers/fresh-database";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const tag = randomBytes(4).toString("hex");
const password = "a long enough password";
const CATEGORY = "q-bio.OT";
// Later than any day the other tests pick, so it is the latest day of the category.
const DAY = `2095-0${1 + randomInt(9)}-1${randomInt(10)}`;
const TOPIC_NAME = `<img src=x onerror="window.pwned=1"> Retrieval ${tag}`;

const id = () => `${16 + randomInt(10)}${String(1 + randomInt(12)).padStart(2, "0")}.${String(randomInt(100_000)).padStart(5, "0")}`;
function vec(...components: number[]): string {
  const v = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  components.forEach((c, i) => (v[i] = c));
  return toPgVector(v);
}

// In arXiv order A, B, C, D. Keywords "sparse attention, retrieval"; the seed paper's vector is (0, 1).
// Expected scores (0.7·similarity + 0.3·keywords): C 0.735, D 0.70, A 0.30, B 0.15 (badges 73, 70, 30, 15).
const papers = {
  A: { id: id(), title: `Sparse attention meets dense retrieval ${tag}`, abstract: "Kernels and indexes.", vector: vec(1, 0) },
  B: { id: id(), title: `Retrieval at scale ${tag}`, abstract: "Many documents.", vector: vec(1, 0) },
  C: { id: id(), title: `Sparse attention kernels ${tag}`, abstract: "We also study retrieval.", vector: vec(1, 1) },
  D: { id: id(), title: `Protein folding with language models ${tag}`, abstract: "Structures.", vector: vec(0, 1) },
};
const seed = { id: id(), title: `The seed paper ${tag}`, abstract: "On topic.", vector: vec(0, 1) };

let fresh: FreshDatabase | undefined;
let databaseUrl: string;
let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  await mkdir(ARTIFACTS, { recursive: true });
  // A database of its own when the server allows, so the followed categories (the feed's day) are known.
  fresh = await createFreshDatabase("papers_e2e_topics");
  databaseUrl = fresh?.url ?? inject("databaseUrl");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const [i, p] of [...Object.values(papers), seed].entries()) {
      await client.query(
        `INSERT INTO papers (id, latest_version, title, abstract, authors, primary_category, categories, published_at, updated_at)
         VALUES ($1, 1, $2, $3, '{Ada Lovelace}', $4, $5, now(), now())`,
        [p.id, p.title, p.abstract, CATEGORY, [CATEGORY]],
      );
      await client.query(`INSERT INTO paper_embeddings (paper_id, version, model, embedding) VALUES ($1, 1, 'synthetic', $2::vector)`, [p.id, p.vector]);
      // The seed paper was announced another day.
      if (p !== seed) {
        await client.query(`INSERT INTO listings (category, date, paper_id, version, announce_type, position) VALUES ($1, $2, $3, 1, 'new', $4)`, [
          CATEGORY,
          DAY,
          p.id,
          i,
        ]);
      }
    }
    if (fresh) {
      await client.query(`INSERT INTO settings (key, value, updated_at) VALUES ('followed_categories', $1::jsonb, now())`, [JSON.stringify([CATEGORY])]);
    }
  } finally {
    await client.end();
  }
  web = await startWeb({ DATABASE_URL: databaseUrl, LISTING_CACHE_SECONDS: "0" });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  if (fresh) await fresh.drop();
  else if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DELETE FROM users WHERE email LIKE $1`, [`%-${tag}@example.org`]);
    await client.query(`DELETE FROM papers WHERE id = ANY($1)`, [[...Object.values(papers), seed].map((p) => p.id)]);
    await client.end();
  }
});

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return errors;
}

async function signUp(context: BrowserContext, who: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${web.url}/sign-up`);
  await page.getByLabel("E-mail address").fill(`${who}-${tag}@example.org`);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${web.url}/`);
  return page;
}

const cardIds = (page: Page) => page.locator("article.paper-card").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.paperId));
const cardScores = (page: Page) => page.locator(".relevance").evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.score)));

test.skipIf(!hasChromium)("create a topic, rank a listing by it, threshold, not interested, star into it, feed, privacy", { timeout: 240_000 }, async () => {
  onTestFailed(() => console.log(`[topics e2e] server output:\n${web.output()}`));
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await signUp(context, "alice");
  const errors = watchErrors(page);

  // ── the empty Topics page, then a new topic ──
  await page.getByRole("link", { name: "Topics", exact: true }).click();
  await page.waitForURL(`${web.url}/topics`);
  await page.getByText("No topics yet").waitFor();
  await page.getByLabel("Name").fill(TOPIC_NAME);
  await page.getByLabel(/^Description/).fill("Finding the passages that matter in long inputs.");
  await page.getByLabel(/^Keywords/).fill("sparse attention, retrieval");
  // A bad seed id first: refused in words, and what was typed stays.
  await page.getByLabel(/^Seed papers/).fill(`${seed.id} nonsense`);
  await page.getByRole("button", { name: "Create topic" }).click();
  await page.getByRole("alert").filter({ hasText: '"nonsense" is not an arXiv id' }).waitFor();
  await expect(page.getByLabel("Name").inputValue()).resolves.toBe(TOPIC_NAME);
  await page.getByLabel(/^Seed papers/).fill(seed.id);
  await page.getByRole("button", { name: "Create topic" }).click();
  await page.waitForURL(/\/topics\?created=/);
  const item = page.locator(".topic-item");
  await expect(item.count()).resolves.toBe(1);
  // The hostile name is text, not markup.
  await expect(item.getByRole("heading", { level: 2 }).textContent()).resolves.toBe(TOPIC_NAME);
  await expect(page.evaluate(() => (window as { pwned?: number }).pwned)).resolves.toBeUndefined();
  await expect(item.textContent()).resolves.toContain("1 paper added, 0 marked not interested");
  const topicId = (await item.getAttribute("data-topic-id"))!;
  const feedHref = (await item.getByRole("link", { name: "RSS" }).getAttribute("href"))!;
  await page.screenshot({ path: path.join(ARTIFACTS, "topics-list.png"), fullPage: true });

  // ── the listing in arXiv's order, then ranked by the topic ──
  const listing = `${web.url}/list/${CATEGORY}?date=${DAY}`;
  await page.goto(listing);
  await expect(cardIds(page)).resolves.toEqual([papers.A.id, papers.B.id, papers.C.id, papers.D.id]);
  await expect(page.locator(".relevance").count()).resolves.toBe(0);
  await page.getByLabel("Rank by").selectOption(topicId);
  await page.waitForURL(new RegExp(`topic=${topicId}`));
  await page.locator(".relevance").first().waitFor();
  await expect(cardIds(page)).resolves.toEqual([papers.C.id, papers.D.id, papers.A.id, papers.B.id]);
  const scores = await cardScores(page);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  await expect(page.locator(".score-badge").allTextContents()).resolves.toEqual(["73", "70", "30", "15"]);
  const card = (p: { id: string }) => page.locator(`article[data-paper-id="${p.id}"]`);
  await expect(card(papers.C).locator(".score-badge").textContent()).resolves.toBe("73");
  await expect(card(papers.C).locator(".relevance-why").textContent()).resolves.toBe(
    `Matched: sparse attention, retrieval · Most like: ${seed.title} (similarity 0.71)`,
  );
  await expect(card(papers.D).locator(".relevance-why").textContent()).resolves.toBe(`No keyword matched · Most like: ${seed.title} (similarity 1.00)`);
  await expect(page.getByText("No embedding model is loaded").count()).resolves.toBe(1);
  await page.screenshot({ path: path.join(ARTIFACTS, "topics-ranked.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(ARTIFACTS, "topics-ranked-dark.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });

  // ── a threshold ──
  await page.getByLabel("Minimum score").fill("50");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/min=50/);
  await expect(cardIds(page)).resolves.toEqual([papers.C.id, papers.D.id]);
  await expect(page.locator(".topic-picker [role=status]").textContent()).resolves.toBe("2 of 4 papers");

  // ── "not interested" from the keyboard: the first paper drops to the bottom with 0 ──
  await page.goto(`${listing}&topic=${topicId}`);
  await page.locator(".relevance").first().waitFor();
  await page.keyboard.press("j");
  await page.keyboard.press("n");
  await card(papers.C).getByRole("button", { name: "Marked not interested" }).waitFor();
  await expect(card(papers.C).getAttribute("class")).resolves.toContain("not-interested");
  await page.reload();
  await expect(cardIds(page)).resolves.toEqual([papers.D.id, papers.A.id, papers.B.id, papers.C.id]);
  await expect(card(papers.C).locator(".score-badge").textContent()).resolves.toBe("0");

  // ── starring while ranked adds the paper to the topic ──
  await card(papers.A).getByRole("button", { name: `Star ${papers.A.title}`, exact: true }).click();
  await card(papers.A).getByRole("button", { name: `In ${TOPIC_NAME}` }).waitFor();
  await page.goto(`${web.url}/topics/${topicId}`);
  await expect(page.locator("main li").allTextContents()).resolves.toEqual(
    expect.arrayContaining([expect.stringContaining(papers.A.title), expect.stringContaining(papers.C.title), expect.stringContaining(seed.title)]),
  );

  // ── the private feed: the token opens it, anything else is a 404 ──
  const feed = await fetch(`${web.url}${feedHref}&min=10`);
  expect(feed.status).toBe(200);
  const xml = await feed.text();
  if (fresh) {
    // The followed category's latest day. With A a positive and C a negative now, the scores are
    // A 0.30, B 0.25, D 0.10 and C 0 (not interested): all but C pass 10.
    expect(xml).toContain(`<title>&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt; Retrieval ${tag} — ${DAY}</title>`);
    for (const p of [papers.A, papers.B, papers.D]) expect(xml).toContain(p.title);
    expect(xml).not.toContain(papers.C.title);
    expect(xml.indexOf(papers.A.title)).toBeLessThan(xml.indexOf(papers.B.title));
    // A's nearest positive (the seed) points away from it (cosine 0): not named.
    expect(xml).toContain("Score 30 (matched: sparse attention, retrieval)\n");
    expect(xml).toContain(`Score 10 (most like: ${seed.title})\n`);
  } else {
    expect(xml).toContain("&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt; Retrieval");
  }
  expect((await fetch(`${web.url}/topics/${topicId}/feed?token=${"x".repeat(43)}`)).status).toBe(404);
  expect((await fetch(`${web.url}/topics/${topicId}/feed`)).status).toBe(404);

  // ── another reader: no topic to see, none to rank by ──
  const other = await browser.newContext();
  const bob = await signUp(other, "bob");
  const response = await bob.goto(`${web.url}/topics/${topicId}`);
  expect(response?.status()).toBe(404);
  await bob.goto(`${listing}&topic=${topicId}`);
  await expect(bob.locator(".relevance").count()).resolves.toBe(0);
  await expect(cardIds(bob)).resolves.toEqual([papers.A.id, papers.B.id, papers.C.id, papers.D.id]);
  await bob.goto(`${web.url}/topics`);
  await bob.getByText("No topics yet").waitFor();
  await other.close();

  // ── the paper page's "Add to topic" menu ──
  await page.goto(`${web.url}/papers/${papers.B.id}`);
  await page.getByText("Add to topic").click();
  await page.locator(".topic-menu").getByRole("button", { name: TOPIC_NAME }).click();
  await page.locator(".topic-menu .topic-status").filter({ hasText: `Added to ${TOPIC_NAME}` }).waitFor();
  await expect(page.locator(".topic-menu").getByRole("button", { name: TOPIC_NAME }).getAttribute("aria-pressed")).resolves.toBe("true");

  // ── edit: a new keyword changes the explanation on the listing ──
  await page.goto(`${web.url}/topics/${topicId}`);
  await expect(page.locator("main li").allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining(papers.B.title)]));
  await page.getByLabel(/^Keywords/).fill("sparse attention, retrieval, protein folding");
  await page.getByRole("button", { name: "Save topic" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  await page.goto(`${listing}&topic=${topicId}`);
  await expect(card(papers.D).locator(".relevance-why").textContent()).resolves.toMatch(/^Matched: protein folding · Most like: /);

  // ── delete ──
  await page.goto(`${web.url}/topics`);
  await page.getByRole("button", { name: `Delete ${TOPIC_NAME}` }).click();
  await page.getByText("No topics yet").waitFor();

  expect(errors).toEqual([]);
  await context.close();
});
