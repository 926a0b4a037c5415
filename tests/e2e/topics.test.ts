// Topics in a real Chromium, with the real worker process training the topics' learned models: sign
// up, the empty Topics page, create a topic (a hostile name shown as text, a bad seed refused with
// what was typed kept, keywords, a seed paper); while the worker is held up, the listing ranked by
// the topic says "Updating <topic>'s model…" and ranks by keywords only; once the worker trains the
// model the list re-ranks itself: the on-topic papers first, explained by the terms the model learned
// ("Learned: … · Like: <seed> (shared: …) · Keywords: …"); a threshold; "not interested" by keyboard
// (the banner again, the list re-ranks, that paper scores 0 at the bottom, the reader is brought back
// to the next card); star-adds-to-topic (it re-ranks once more); the topic page's Model section (what
// it was trained on, what it learned); the private RSS feed; another reader who can neither see nor
// use the topic (page, listing, model state); the paper page's "Add to topic"; an edited keyword;
// delete. No page error along the way. Screenshots (light, dark, 375 px wide) go to test-artifacts/.
//
// No embedding model here: the models learn from the papers' words. The day's papers are written so
// that the ranking follows from their words: two share several words with the seed paper and the
// topic's text, two share none. Background: a real day of arXiv's stat listing (tests/fixtures). The
// papers are stored by SQL, as a crawl of another version would have left them: the worker's
// backfill at its start gives them their term vectors. Web server and worker share queues of their
// own (PostgreSQL backend, a schema of this file's own), in a database of this file's own when the
// server allows (else the shared one: the worker then also trains other files' stale topics).
import { randomBytes, randomInt } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, onTestFailed, test } from "vitest";
import { parseRss } from "../../lib/arxiv/parse-rss";
import { ROOT } from "../../lib/build";
import { startWorker, stopWorker, type AppProcess } from "../helpers/app-process";
import { createAccount, hasChromium, launchBrowser } from "../helpers/browser";
import { fixture } from "../helpers/fixtures";
import { createFreshDatabase, type FreshDatabase } from "../helpers/fresh-database";
import { readRankedCards, waitForRankedCards, type RankedCard as Card } from "../helpers/topic-models";
import { waitFor } from "../helpers/wait";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const tag = randomBytes(4).toString("hex");
const password = "a long enough password";
const CATEGORY = "q-bio.OT";
const BACKGROUND_CATEGORY = "stat.OT";
// Later than any day the other tests pick, so it is the latest day of the category.
const DAY = `2095-0${1 + randomInt(9)}-1${randomInt(10)}`;
const BACKGROUND_DAY = `2094-0${1 + randomInt(9)}-1${randomInt(10)}`;
const TOPIC_NAME = `<img src=x onerror="window.pwned=1"> Retrieval ${tag}`;
const DESCRIPTION = "Finding the passages that matter in long documents, with sparse attention or retrieval.";
const KEYWORDS = "sparse attention, retrieval";
const queueSchema = `topics_e2e_${tag}`;

const usedIds = new Set<string>();
function id(): string {
  for (;;) {
    const candidate = `${16 + randomInt(10)}${String(1 + randomInt(12)).padStart(2, "0")}.${String(randomInt(100_000)).padStart(5, "0")}`;
    if (!usedIds.has(candidate)) {
      usedIds.add(candidate);
      return candidate;
    }
  }
}

// The seed paper (announced another day) and the day's papers, in arXiv's order B, C, D, A. A and C
// share several words with the seed and the topic's text ("passages", "long documents", "retrieval";
// A also "sparse attention"); B and D share none. Keyword part: A 1 (both keywords in its title),
// C 0.5 ("retrieval" in its title), B and D 0.
const seed = {
  id: id(),
  title: "Sparse attention for passage retrieval in long documents",
  abstract:
    "We retrieve the passages that matter from long documents with a sparse attention reader, and compare it with dense retrieval baselines for question answering over long inputs.",
};
const papers = {
  B: {
    id: id(),
    title: "Bird migration routes tracked with satellite tags",
    abstract: "We follow white storks across three continents and map their stopover sites, flight altitudes and wintering grounds.",
  },
  C: {
    id: id(),
    title: "Passage retrieval for long documents",
    abstract: "Which passages of a long document answer a question? We rank passages with a learned retriever and read only the best ones.",
  },
  D: {
    id: id(),
    title: "Protein folding kinetics of small globular domains",
    abstract: "Molecular dynamics simulations reveal folding intermediates and transition states of small proteins.",
  },
  A: {
    id: id(),
    title: "Sparse attention kernels for retrieval over long documents",
    abstract:
      "Block-sparse attention lets a reader attend to the passages that matter in long documents; we pair it with passage retrieval and release GPU kernels.",
  },
};
const arxivOrder = [papers.B, papers.C, papers.D, papers.A];
/** Words of A that neither the seed nor the topic's text has: marked not interested, A teaches them as negative. */
const onlyInA = ["block", "kernels", "gpu", "attend", "release", "pair", "lets"];
/** A real day of arXiv's stat listing: the recent papers a topic learns what it is not from. */
const background = parseRss(fixture("rss/stat_2024-03-26.xml")).entries.map((e) => ({ ...e, id: id() }));

/** Lower-case words of a text (what the topic's vocabulary is checked against). */
const words = (text: string): string[] => text.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? [];
/** The words of the topic's text and seed paper, cut to 5 letters (a crude stem: "passages" ~ "passage"). */
const positiveVocabulary = new Set(words(`${TOPIC_NAME} ${DESCRIPTION} ${KEYWORDS} ${seed.title} ${seed.abstract}`).map((w) => w.slice(0, 5)));
/** Whether every word of a learned term ("long documents") is a word the topic's positives use. */
const fromPositives = (term: string) => words(term).every((w) => positiveVocabulary.has(w.slice(0, 5)));

let fresh: FreshDatabase | undefined;
let databaseUrl: string;
let web: WebServer;
let worker: AppProcess | undefined;
let browser: Browser;

/** Holds the worker (SIGSTOP to its group): jobs wait, as behind a long crawl. */
const pauseWorker = () => process.kill(-worker!.child.pid!, "SIGSTOP");
const resumeWorker = () => process.kill(-worker!.child.pid!, "SIGCONT");

beforeAll(async () => {
  if (!hasChromium) return;
  await mkdir(ARTIFACTS, { recursive: true });
  // A database of its own when the server allows, so the followed categories (the feed's day) and
  // the recent papers a topic trains against are known.
  fresh = await createFreshDatabase("papers_e2e_topics");
  databaseUrl = fresh?.url ?? inject("databaseUrl");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const insert = async (p: { id: string; title: string; abstract: string }, category: string) =>
      client.query(
        `INSERT INTO papers (id, latest_version, title, abstract, authors, primary_category, categories, published_at, updated_at)
         VALUES ($1, 1, $2, $3, '{Ada Lovelace}', $4, $5, now(), now())`,
        [p.id, p.title, p.abstract, category, [category]],
      );
    const list = (p: { id: string }, category: string, day: string, position: number) =>
      client.query(`INSERT INTO listings (category, date, paper_id, version, announce_type, position) VALUES ($1, $2, $3, 1, 'new', $4)`, [
        category,
        day,
        p.id,
        position,
      ]);
    // The seed paper was announced another day (not in any listing here).
    await insert(seed, CATEGORY);
    for (const [i, p] of arxivOrder.entries()) {
      await insert(p, CATEGORY);
      await list(p, CATEGORY, DAY, i);
    }
    for (const [i, p] of background.entries()) {
      await insert(p, BACKGROUND_CATEGORY);
      await list(p, BACKGROUND_CATEGORY, BACKGROUND_DAY, i);
    }
    if (fresh) {
      await client.query(`INSERT INTO settings (key, value, updated_at) VALUES ('followed_categories', $1::jsonb, now())`, [JSON.stringify([CATEGORY])]);
    }
  } finally {
    await client.end();
  }
  // This server's queues live in a schema of their own, worked by this file's worker only.
  web = await startWeb({ DATABASE_URL: databaseUrl, LISTING_CACHE_SECONDS: "0", REDIS_URL: "", QUEUE_PG_SCHEMA: queueSchema });
  // The worker process as `npm run worker` runs it, with the web server's database and queues.
  worker = await startWorker({ DATABASE_URL: databaseUrl, REDIS_URL: "", QUEUE_PG_SCHEMA: queueSchema });
  // At its start the worker computes the term vectors the listed papers lack (stored by SQL here).
  await worker.waitFor(/term vectors backfilled/, 90_000);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await stopWorker(worker);
  if (fresh) await fresh.drop();
  else if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`).catch(() => undefined);
    await client.query(`DELETE FROM users WHERE email LIKE $1`, [`%-${tag}@example.org`]);
    await client.query(`DELETE FROM papers WHERE id = ANY($1)`, [[...usedIds]]);
    await client.end();
  }
}, 60_000);

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
  await createAccount(page, web.url, `${who}-${tag}@example.org`, password);
  return page;
}

const cardIds = (page: Page) => page.locator("article.paper-card").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.paperId));

/** "Learned: a, b · Like: <title> (shared: c) · Keywords: d" → its parts. */
function explanation(why: string): { learned: string[]; like?: string; shared: string[]; keywords: string[]; rest: string[] } {
  const out = { learned: [] as string[], like: undefined as string | undefined, shared: [] as string[], keywords: [] as string[], rest: [] as string[] };
  for (const part of why.split(" · ")) {
    if (part.startsWith("Learned: ")) out.learned = part.slice("Learned: ".length).split(", ");
    else if (part.startsWith("Keywords: ")) out.keywords = part.slice("Keywords: ".length).split(", ");
    else if (part.startsWith("Like: ")) {
      const m = /^Like: (.*?)(?: \(shared: (.*)\))?$/.exec(part)!;
      out.like = m[1];
      out.shared = m[2]?.split(", ") ?? [];
    } else out.rest.push(part);
  }
  return out;
}

const at = (cards: Card[], p: { id: string }) => cards.findIndex((c) => c.id === p.id);
const of = (cards: Card[], p: { id: string }) => cards.find((c) => c.id === p.id)!;

async function screenshots(page: Page, name: string, options: { dark?: boolean; phone?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  if (options.dark !== false) {
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-dark.png`), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  }
  if (options.phone) {
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-375.png`), fullPage: true });
    await page.setViewportSize(size);
  }
}

test.skipIf(!hasChromium)(
  "create a topic, its model trained by the worker ranks a listing, threshold, not interested, star into it, the model, feed, privacy",
  { timeout: 300_000 },
  async () => {
    onTestFailed(() => console.log(`[topics e2e] server output:\n${web.output()}\n[topics e2e] worker output:\n${worker?.output().slice(-8000)}`));
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await signUp(context, "alice");
    const errors = watchErrors(page);
    const card = (p: { id: string }) => page.locator(`article[data-paper-id="${p.id}"]`);
    const banner = page.locator(".retrain-banner");
    const updating = `Updating ${TOPIC_NAME}'s model… the list re-ranks when it is done`;

    // ── the empty Topics page, then a new topic, while the worker is held up ──
    pauseWorker();
    await page.getByRole("link", { name: "Topics", exact: true }).click();
    await page.waitForURL(`${web.url}/topics`);
    await page.getByText("No topics yet").waitFor();
    await page.getByLabel("Name").fill(TOPIC_NAME);
    await page.getByLabel(/^Description/).fill(DESCRIPTION);
    await page.getByLabel(/^Keywords/).fill(KEYWORDS);
    // A bad seed id first: refused in words, and what was typed stays.
    await page.getByLabel(/^Seed papers/).fill(`${seed.id} nonsense`);
    await page.getByRole("button", { name: "Create topic" }).click();
    await page.getByRole("alert").filter({ hasText: '"nonsense" is not an arXiv id' }).waitFor();
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe(TOPIC_NAME);
    await expect(page.getByLabel(/^Description/).inputValue()).resolves.toBe(DESCRIPTION);
    await expect(page.getByLabel(/^Keywords/).inputValue()).resolves.toBe(KEYWORDS);
    await page.getByLabel(/^Seed papers/).fill(seed.id);
    await page.getByRole("button", { name: "Create topic" }).click();
    await page.waitForURL(/\/topics\?created=/);
    const item = page.locator(".topic-item");
    await expect(item.count()).resolves.toBe(1);
    // The hostile name is text, not markup.
    await expect(item.getByRole("heading", { level: 2 }).textContent()).resolves.toBe(TOPIC_NAME);
    await expect(page.evaluate(() => (window as { pwned?: number }).pwned)).resolves.toBeUndefined();
    await expect(item.textContent()).resolves.toContain("1 paper added, 0 marked not interested");
    // The worker has not trained it yet: the list says so, live.
    await expect(item.getByRole("status").textContent()).resolves.toBe("updating…");
    const topicId = (await item.getAttribute("data-topic-id"))!;
    const feedHref = (await item.getByRole("link", { name: "RSS" }).getAttribute("href"))!;
    await page.screenshot({ path: path.join(ARTIFACTS, "topics-list.png"), fullPage: true });

    // The topic page while the model is updated.
    await page.goto(`${web.url}/topics/${topicId}`);
    const model = page.locator("section.topic-model");
    await expect(model.getByRole("status").textContent()).resolves.toBe("Updating the model…");
    await expect(model.textContent()).resolves.toContain("Nothing yet: the terms it learns show here once the model is trained.");
    await page.screenshot({ path: path.join(ARTIFACTS, "topic-page-updating.png"), fullPage: true });

    // ── the listing in arXiv's order, then ranked by the topic: keywords only, and the banner ──
    const listing = `${web.url}/list/${CATEGORY}?date=${DAY}`;
    await page.goto(listing);
    await expect(cardIds(page)).resolves.toEqual(arxivOrder.map((p) => p.id));
    await expect(page.locator(".relevance").count()).resolves.toBe(0);
    await expect(banner.count()).resolves.toBe(0);
    await page.getByLabel("Rank by").selectOption(topicId);
    await page.waitForURL(new RegExp(`topic=${topicId}`));
    await page.locator(".relevance").first().waitFor();
    await expect(banner.textContent()).resolves.toBe(updating);
    // No model yet: the keyword part alone (A 1, C 0.5, B and D 0, these two in arXiv's order).
    await expect(cardIds(page)).resolves.toEqual([papers.A.id, papers.C.id, papers.B.id, papers.D.id]);
    await expect(page.locator(".score-badge").allTextContents()).resolves.toEqual(["100", "50", "0", "0"]);
    await expect(card(papers.A).locator(".relevance-why").textContent()).resolves.toBe(
      "Keywords: sparse attention, retrieval · keywords only until the topic is trained",
    );
    await expect(card(papers.B).locator(".relevance-why").textContent()).resolves.toBe("No keyword matched · keywords only until the topic is trained");
    await expect(page.getByText("No embedding model is loaded").count()).resolves.toBe(1);
    await screenshots(page, "topics-ranked-updating", { phone: true });

    // ── the worker trains the model: the list re-ranks itself ──
    resumeWorker();
    const ranked = await waitForRankedCards(page, "the listing re-ranked by the trained model", (cards) => cards.every((c) => !c.why.includes("keywords only")));
    // The on-topic papers first (A with both keywords above C with one), the two that share no word after.
    expect(ranked.map((c) => c.id).slice(0, 2)).toEqual([papers.A.id, papers.C.id]);
    expect(ranked.map((c) => c.id).slice(2).sort()).toEqual([papers.B.id, papers.D.id].sort());
    const scores = ranked.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // A: the model's part (the highest margin of the day, above any background paper) and both keywords.
    expect(of(ranked, papers.A).score).toBeGreaterThan(0.9);
    for (const p of [papers.A, papers.C]) {
      const why = explanation(of(ranked, p).why);
      // The terms that raised its score are the topic's own words, and it is most like the seed.
      expect(why.learned.length, of(ranked, p).why).toBeGreaterThan(0);
      expect(why.learned.filter((t) => !fromPositives(t)), `${of(ranked, p).why}: terms not of the topic's text or seed`).toEqual([]);
      expect(why.like).toBe(seed.title);
      expect(why.shared.length).toBeGreaterThan(0);
      expect(why.shared.filter((t) => !fromPositives(t))).toEqual([]);
      expect(why.rest).toEqual([]);
    }
    expect(explanation(of(ranked, papers.A).why).keywords).toEqual(["sparse attention", "retrieval"]);
    expect(explanation(of(ranked, papers.C).why).keywords).toEqual(["retrieval"]);
    // Nothing of B or D is in what the topic learned from: no term raised them, no keyword.
    expect(of(ranked, papers.B).why).toBe("No keyword matched");
    expect(of(ranked, papers.D).why).toBe("No keyword matched");
    await expect(card(papers.A).locator(`.relevance-why a[href="/papers/${seed.id}"]`).count()).resolves.toBe(1);
    await expect(card(papers.A).locator(".relevance-why mark").first().textContent()).resolves.toBe(explanation(of(ranked, papers.A).why).learned[0]);
    await expect(page.getByText("No embedding model is loaded").count()).resolves.toBe(1);
    await screenshots(page, "topics-ranked");

    // ── a threshold between the on-topic papers and the others: B and D are left out, A and C pass ──
    const offTopic = Math.max(of(ranked, papers.B).score, of(ranked, papers.D).score);
    // The picker takes steps of 5: the first step above B and D, which C (a keyword and shared words) must reach.
    const cut = (Math.floor((offTopic * 100) / 5) + 1) * 5;
    expect(Math.round(of(ranked, papers.C).score * 100), `C above ${cut}, B and D at most ${offTopic}`).toBeGreaterThanOrEqual(cut);
    await page.getByLabel("Minimum score").fill(String(cut));
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(new RegExp(`min=${cut}`));
    await expect(cardIds(page)).resolves.toEqual([papers.A.id, papers.C.id]);
    await expect(page.locator(".topic-picker [role=status]").textContent()).resolves.toBe("2 of 4 papers");

    // ── "not interested" from the keyboard: the banner, then the list re-ranks, the paper at the bottom with 0 ──
    await page.goto(`${listing}&topic=${topicId}`);
    await page.locator(".relevance").first().waitFor();
    await expect(banner.count()).resolves.toBe(0);
    await expect(cardIds(page).then((ids) => ids[0])).resolves.toBe(papers.A.id);
    await page.keyboard.press("j");
    await page.keyboard.press("n");
    await card(papers.A).getByRole("button", { name: "Marked not interested" }).waitFor();
    await expect(card(papers.A).getAttribute("class")).resolves.toContain("not-interested");
    await banner.filter({ hasText: updating }).waitFor();
    // No reload from here: the page reloads itself when the worker has retrained the model.
    const afterNo = await waitForRankedCards(page, "the listing re-ranked after 'not interested'", (cards) => cards.at(-1)?.id === papers.A.id);
    expect(afterNo.map((c) => c.id).slice(0, 1)).toEqual([papers.C.id]);
    expect(of(afterNo, papers.A).score).toBe(0);
    expect(of(afterNo, papers.A).badge).toBe("0");
    await expect(card(papers.A).getByRole("button", { name: "Marked not interested" }).getAttribute("aria-pressed")).resolves.toBe("true");
    // The reader is back where they were: the keyboard's card is the one after the paper marked.
    await waitFor("the keyboard's card after the re-rank", () => readRankedCards(page), (c) => c?.find((x) => x.current)?.id === papers.C.id, { timeoutMs: 10_000 });
    await page.keyboard.press("j");
    await expect(page.locator("article.paper-card.current").getAttribute("data-paper-id")).resolves.toBe(afterNo[1]!.id);

    // ── starring while ranked adds the paper to the topic, and the list re-ranks once more ──
    await card(papers.B).getByRole("button", { name: `Star ${papers.B.title}`, exact: true }).click();
    await card(papers.B).getByRole("button", { name: `In ${TOPIC_NAME}` }).waitFor();
    await banner.filter({ hasText: updating }).waitFor();
    const afterStar = await waitForRankedCards(page, "the listing re-ranked after the star", (cards) => of(cards, papers.B).why.startsWith("Learned:"));
    // B is a positive now: its own words raise it, above D, which still shares nothing with the topic.
    expect(at(afterStar, papers.B)).toBeLessThan(at(afterStar, papers.D));
    expect(of(afterStar, papers.B).score).toBeGreaterThan(of(afterNo, papers.B).score);
    expect(explanation(of(afterStar, papers.B).why).learned.some((t) => words(papers.B.title).some((w) => t.includes(w)))).toBe(true);
    expect(afterStar.at(-1)!.id).toBe(papers.A.id);
    expect(of(afterStar, papers.D).why).toBe("No keyword matched");
    await expect(card(papers.B).getByRole("button", { name: `Unstar ${papers.B.title}`, exact: true }).getAttribute("aria-pressed")).resolves.toBe("true");

    // ── the topic page: the model's counts and what it learned ──
    await page.goto(`${web.url}/topics/${topicId}`);
    await model.getByText(/^Trained /).waitFor({ timeout: 60_000 });
    // Positives: the topic's text, the seed and B; background: every other paper stored (fewer than 1000).
    const backgroundCount = fresh ? 2 + background.length : undefined;
    await expect(model.locator("p").first().textContent()).resolves.toMatch(
      new RegExp(
        `^Trained just now on 3 positive examples \\(the topic's text and the papers added\\), 1 marked not interested and ` +
          `${backgroundCount ?? "\\d+"} other recent papers as background, from their words only \\(no embedding model was loaded\\)\\.$`,
      ),
    );
    await expect(model.locator("time").getAttribute("datetime")).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);
    const raises = await model.getByRole("list", { name: "Terms that raise a paper's score" }).getByRole("listitem").allTextContents();
    const lowers = await model.getByRole("list", { name: "Terms that lower a paper's score" }).getByRole("listitem").allTextContents();
    expect(raises.length).toBeGreaterThan(0);
    expect(lowers.length).toBeGreaterThan(0);
    // Raised: the positives' words (the topic's text, the seed, B); A's own words, marked not interested, lower.
    const positiveOrB = (t: string) => fromPositives(t) || words(t).every((w) => words(`${papers.B.title} ${papers.B.abstract}`).includes(w));
    expect(raises.filter((t) => !positiveOrB(t)), `raises: ${raises.join(", ")}`).toEqual([]);
    expect(raises.some((t) => words(t).some((w) => ["retrieval", "passages", "passage", "sparse", "attention"].includes(w)))).toBe(true);
    expect(lowers.some((t) => words(t).some((w) => onlyInA.includes(w))), `lowers: ${lowers.join(", ")}`).toBe(true);
    expect(lowers.filter((t) => raises.includes(t))).toEqual([]);
    await expect(page.locator("main li").allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining(papers.A.title), expect.stringContaining(papers.B.title), expect.stringContaining(seed.title)]),
    );
    await screenshots(page, "topic-page", { phone: true });

    // ── the private feed: the token opens it, anything else is a 404 ──
    const feed = await fetch(`${web.url}${feedHref}&min=10`);
    expect(feed.status).toBe(200);
    const xml = await feed.text();
    if (fresh) {
      // The followed category's latest day, best first: C (on topic, one keyword) and B (added) pass
      // 10; A (not interested) scores 0 and is left out.
      expect(xml).toContain(`<title>&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt; Retrieval ${tag} — ${DAY}</title>`);
      for (const p of [papers.C, papers.B]) expect(xml).toContain(p.title);
      expect(xml).not.toContain(papers.A.title);
      // Best first (B, added to the topic, may now lead C).
      const feedScores = [...xml.matchAll(/Score (\d+)/g)].map((m) => Number(m[1]));
      expect(feedScores.length).toBeGreaterThanOrEqual(2);
      expect(feedScores).toEqual([...feedScores].sort((a, b) => b - a));
      // Each with the cards' explanation as text (lib/topics/card-html.ts explanationText).
      expect(xml).toMatch(new RegExp(`Score \\d+ \\(Learned: [^·)]+ · Like: ${seed.title}(?: \\(shared: [^)]+\\))? · Keywords: retrieval\\)`));
      // B's: the words it taught the topic; no other positive shares them, and no keyword.
      expect(xml).toMatch(/Score \d+ \(Learned: [^·)]+ · No keyword matched\)/);
    } else {
      expect(xml).toContain("&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt; Retrieval");
    }
    expect((await fetch(`${web.url}/topics/${topicId}/feed?token=${"x".repeat(43)}`)).status).toBe(404);
    expect((await fetch(`${web.url}/topics/${topicId}/feed`)).status).toBe(404);

    // ── the model's state: the owner's alone ──
    const state = await page.request.get(`${web.url}/api/topics/${topicId}/model`);
    expect(state.status()).toBe(200);
    expect(await state.json()).toMatchObject({ state: "ready", positives: 3, negatives: 1, note: null });
    expect((await fetch(`${web.url}/api/topics/${topicId}/model`)).status).toBe(401);

    // ── another reader: no topic to see, none to rank by, no model state ──
    const other = await browser.newContext();
    const bob = await signUp(other, "bob");
    const response = await bob.goto(`${web.url}/topics/${topicId}`);
    expect(response?.status()).toBe(404);
    expect((await bob.request.get(`${web.url}/api/topics/${topicId}/model`)).status()).toBe(404);
    await bob.goto(`${listing}&topic=${topicId}`);
    await expect(bob.locator(".relevance").count()).resolves.toBe(0);
    await expect(bob.locator(".retrain-banner").count()).resolves.toBe(0);
    await expect(cardIds(bob)).resolves.toEqual(arxivOrder.map((p) => p.id));
    await bob.goto(`${web.url}/topics`);
    await bob.getByText("No topics yet").waitFor();
    await other.close();

    // ── the paper page's "Add to topic" menu: its items come from /api/topics when it is opened; a
    //    failed read says so, and opening it again tries again ──
    await page.goto(`${web.url}/papers/${papers.D.id}`);
    const refuse = (route: import("playwright-core").Route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: "stand-in outage" }) });
    await page.route(`${web.url}/api/topics`, refuse);
    await page.getByText("Add to topic").click();
    await page.locator(".topic-menu .topic-status").filter({ hasText: "Your topics could not be read (stand-in outage)" }).waitFor();
    await expect(page.locator(".topic-menu [data-action=topic-label]").count()).resolves.toBe(0);
    await page.unroute(`${web.url}/api/topics`, refuse);
    // The browser reports the refused read on its console: that one is this step's own.
    errors.splice(0, errors.length, ...errors.filter((e) => !/status of 503/.test(e)));
    await page.getByText("Add to topic").click(); // closes
    await page.getByText("Add to topic").click();
    await page.locator(".topic-menu").getByRole("button", { name: TOPIC_NAME }).click();
    await page.locator(".topic-menu .topic-status").filter({ hasText: `Added to ${TOPIC_NAME}` }).waitFor();
    await expect(page.locator(".topic-menu").getByRole("button", { name: TOPIC_NAME }).getAttribute("aria-pressed")).resolves.toBe("true");

    // ── edit: a new keyword retrains the model and shows in the explanation ──
    await page.goto(`${web.url}/topics/${topicId}`);
    await expect(page.locator("main li").allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining(papers.D.title)]));
    await model.getByText(/^Trained .* 4 positive examples/).waitFor({ timeout: 60_000 });
    await page.getByLabel(/^Keywords/).fill(`${KEYWORDS}, protein folding`);
    await page.getByRole("button", { name: "Save topic" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    await page.goto(`${listing}&topic=${topicId}`);
    const afterEdit = await waitForRankedCards(page, "the listing ranked by the retrained topic", (cards) => cards.length === 4);
    expect(of(afterEdit, papers.D).why).toMatch(/^Learned: .+ · Keywords: protein folding$/);
    expect(at(afterEdit, papers.D)).toBeLessThan(at(afterEdit, papers.A));

    // ── delete ──
    await page.goto(`${web.url}/topics`);
    await page.getByRole("button", { name: `Delete ${TOPIC_NAME}` }).click();
    await page.getByText("No topics yet").waitFor();

    expect(errors).toEqual([]);
    await context.close();
  },
);
