// The inbox in a real Chromium, through the web front as `npm start` runs it (scripts/web.ts, one
// Next.js process behind the page cache): "/" sends a reader with topics to /inbox (the front's 307,
// and app/page.tsx's own when Next.js renders "/" for them), a reader without topics keeps the
// listing and gets a pointer on /inbox; signed out, /inbox goes to sign-in and back. The inbox lists
// the latest day's papers above the threshold of the reader's (keyword-only) topics with their tags;
// j marks the card left seen (stored; a reload leaves it out, "Show seen" brings it back, dimmed),
// x marks it unseen again; a hostile title and topic name are text. POST /api/seen's refusals. The
// marks go one batch after another (a held answer holds the next batch; the last action wins); after
// a 401 the page says the reader was signed out and sends nothing more.
// Screenshots (light, dark, 375 px) go to test-artifacts/ (and to /tmp/h/shots when it exists).
// The server follows a category of this file's own (CATEGORY, listed by no other test file): the
// inbox's days and papers are that category's. A database of this file's own as well, where the
// server can have one: other files store an admin's followed categories, which would win over
// ARXIV_CATEGORIES.
import { databaseUrl, ownDatabase } from "../helpers/own-database";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ROOT } from "../../lib/build";
import { db, disconnectDb } from "../../lib/db";
import { createTopic } from "../../lib/queries/topics";
import { cookiesOf, hasChromium, launchBrowser, pressUntil } from "../helpers/browser";
import { entry, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";
import { signUpOverHttp } from "../helpers/sign-up";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const SHOTS = existsSync("/tmp/h/shots") ? "/tmp/h/shots" : ARTIFACTS;
const tag = randomBytes(4).toString("hex");
/** The server's followed category; no other test file lists it. */
const CATEGORY = "q-fin.PM";
/** A category the server does not follow; no other test file lists it either. */
const UNFOLLOWED = "q-fin.MF";
const DAY = "2099-06-15";
const HOSTILE = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> Graph neural networks ${tag}`;
const TOPIC = `<img src=x onerror="window.pwned=3"> Graphs ${tag}`;
// Ids in one order, so the inbox's order (equal scores: by id) is known: first, second, third.
const base = randomPaperId().slice(0, 4);
const ids = { first: `${base}.00001`, second: `${base}.00002`, third: `${base}.00003`, off: `${base}.00004`, elsewhere: `${base}.00005` };

let web: WebServer;
let browser: Browser | undefined;
let reader: { cookie: string; userId: string };
let plain: { cookie: string; userId: string };

async function signUp(name: string): Promise<{ cookie: string; userId: string }> {
  const email = `${name}-${tag}@example.org`;
  const { cookie } = await signUpOverHttp(web.url, email, { password: "correct horse battery staple", name });
  return { cookie, userId: (await db().user.findUniqueOrThrow({ where: { email } })).id };
}

beforeAll(async () => {
  await seedListing(
    [
      entry({ id: ids.first, title: HOSTILE, categories: [CATEGORY], primaryCategory: CATEGORY }),
      entry({ id: ids.second, title: `Graph neural networks for traffic ${tag}`, categories: [CATEGORY], primaryCategory: CATEGORY }),
      entry({ id: ids.third, title: `Scaling graph neural networks ${tag}`, categories: [CATEGORY], primaryCategory: CATEGORY }),
      entry({ id: ids.off, title: `Bird migration routes ${tag}`, categories: [CATEGORY], primaryCategory: CATEGORY }),
    ],
    [CATEGORY],
    DAY,
  );
  // A matching paper of a category the server does not follow (nor any other test file lists): never in the inbox.
  await seedListing([entry({ id: ids.elsewhere, title: `Graph neural networks elsewhere ${tag}`, categories: [UNFOLLOWED], primaryCategory: UNFOLLOWED })], [UNFOLLOWED], DAY);
  web = await startWeb({ DATABASE_URL: databaseUrl, WEB_PROCESSES: "1", LISTING_CACHE_SECONDS: "0", ARXIV_CATEGORIES: CATEGORY }, { front: true });
  reader = await signUp("inbox");
  plain = await signUp("plain");
  const { id } = await createTopic(reader.userId, { name: TOPIC, description: "", keywords: ["graph neural"] });
  // Keyword-only on purpose: no model to train, so nothing is queued for a worker this file does not run.
  await db().$executeRawUnsafe(`UPDATE topics SET train_note = 'keywords only (test)' WHERE id = $1::uuid`, id);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await disconnectDb();
  await ownDatabase?.drop();
});

const get = (url: string, cookie?: string) => fetch(`${web.url}${url}`, { redirect: "manual", headers: cookie ? { cookie } : {} });

test("'/' is the inbox of a reader with topics (front and Next.js alike); others keep the listing; signed out, /inbox asks to sign in", async () => {
  const front = await get("/", reader.cookie);
  expect(front.status).toBe(307);
  expect(front.headers.get("location")).toBe("/inbox");
  expect(front.headers.get("x-page-cache")).toBe("reader-redirect");
  // Another cookie: the front passes the request to Next.js, which renders "/" for the reader.
  const next = await get("/", `${reader.cookie}; other=1`);
  expect(next.status).toBe(307);
  expect(new URL(next.headers.get("location")!, web.url).pathname).toBe("/inbox");
  // The listing stays reachable, with the Inbox link in the account corner.
  const all = await get("/?all=1", reader.cookie);
  expect(all.status).toBe(200);
  expect(await all.text()).toMatch(/<a href="\/inbox">Inbox<\/a>/);
  expect((await get("/", plain.cookie)).status).toBe(200);
  const noTopics = await get("/inbox", plain.cookie);
  expect(noTopics.status).toBe(200);
  expect(noTopics.headers.get("x-page-cache")).toBe("bypass"); // one reader's page: never kept
  expect(await noTopics.text()).toContain('<a href="/topics">create one</a>');

  const out = await get("/inbox");
  expect(out.status).toBe(307);
  expect(out.headers.get("location")).toBe("/sign-in?next=%2Finbox");
  expect(out.headers.get("x-page-cache")).toBe("bypass");
});

test("POST /api/seen: signed out 401, other sites 403, bad bodies 400 in words, unknown ids ignored", async () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${web.url}/api/seen`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const good = JSON.stringify({ paperIds: ["9912.99999"], seen: true });
  expect((await post(good)).status).toBe(401);
  const evil = await post(good, { cookie: reader.cookie, origin: "https://evil.example" });
  expect(evil.status).toBe(403);
  expect((await post(good, { cookie: reader.cookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
  const bad = async (body: string, words: RegExp) => {
    const answer = await post(body, { cookie: reader.cookie, origin: web.url });
    expect(answer.status, body.slice(0, 60)).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toMatch(words);
  };
  await bad("{not json", /not JSON/);
  await bad(JSON.stringify({ paperIds: [], seen: true }), /at least one/);
  await bad(JSON.stringify({ paperIds: Array.from({ length: 201 }, (_, i) => `2101.${String(i).padStart(5, "0")}`), seen: true }), /At most 200/);
  await bad(JSON.stringify({ paperIds: ["2101.00001"] }), /seen must be true/);
  await bad(JSON.stringify({ paperIds: "2101.00001", seen: true }), /list of arXiv ids/);
  await bad(JSON.stringify([1, 2]), /paperIds/);
  const ok = await post(good, { cookie: reader.cookie, origin: web.url });
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ seen: true, changed: 0 });
});

const seenMark = (paperId: string) => db().seenMark.findUnique({ where: { userId_paperId: { userId: reader.userId, paperId } }, select: { version: true } });
/** The inbox's cards: paper id and whether shown as seen. */
const cards = (page: Page) =>
  page.$$eval("li.inbox-item", (items) => items.map((li) => ({ id: li.querySelector("article")?.getAttribute("data-paper-id"), seen: li.classList.contains("is-seen") })));

/** `j` onto the first card, pressed again until the page's keys work (see pressUntil). */
async function jOntoFirstCard(page: Page, id: string) {
  const onCard = async () => (await page.evaluate(() => document.activeElement?.closest("article")?.getAttribute("data-paper-id") ?? null)) === id;
  await pressUntil(page, "j", onCard, { timeout: 10_000, settle: 0 });
}

async function screenshots(page: Page, name: string) {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(SHOTS, `${name}-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 375, height: 812 });
  await page.screenshot({ path: path.join(SHOTS, `${name}-375.png`), fullPage: true });
  await page.setViewportSize(size);
}

test.skipIf(!hasChromium)("the inbox: papers above the threshold with their topic; j marks seen, show seen, x unseen; hostile text stays text", { timeout: 120_000 }, async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies(cookiesOf(reader.cookie, web.url));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // "/" in the browser lands on the inbox.
  await page.goto(`${web.url}/`);
  await page.waitForURL(`${web.url}/inbox`);
  // Not ids.elsewhere: it matches, on the same day, but in a category the server does not follow.
  expect(await cards(page)).toEqual([ids.first, ids.second, ids.third].map((id) => ({ id, seen: false })));
  const first = page.locator("li.inbox-item").first();
  await expect(first.locator(".paper-title").textContent()).resolves.toBe(HOSTILE);
  await expect(first.locator(".inbox-topic").textContent()).resolves.toBe(`${TOPIC} 100`);
  await expect(page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).resolves.toBeUndefined();
  await screenshots(page, "inbox");

  // j, j: the first card was left, and is marked seen (dimmed, then stored).
  await jOntoFirstCard(page, ids.first);
  await page.keyboard.press("j");
  await expect.poll(async () => (await cards(page))[0]!.seen).toBe(true);
  await expect.poll(() => seenMark(ids.first), { timeout: 10_000 }).toEqual({ version: 1 });
  // A reload keeps the visit's window and leaves the seen paper out; the switch says how many are hidden.
  await page.reload();
  expect((await cards(page)).map((c) => c.id)).not.toContain(ids.first);
  expect((await cards(page)).map((c) => c.id)).toContain(ids.second);
  const show = page.getByRole("switch", { name: "Show seen (1)" });
  await expect(show.getAttribute("aria-checked")).resolves.toBe("false");
  await show.click();
  await page.waitForURL(`${web.url}/inbox?seen=1`);
  expect((await cards(page))[0]).toEqual({ id: ids.first, seen: true });
  await expect(page.getByRole("switch", { name: "Show seen" }).getAttribute("aria-checked")).resolves.toBe("true");
  await screenshots(page, "inbox-seen");

  // j onto it, x: unseen again (stored), and it stays unseen after a reload.
  await jOntoFirstCard(page, ids.first);
  await page.keyboard.press("x");
  await expect.poll(async () => (await cards(page))[0]!.seen).toBe(false);
  await expect.poll(() => seenMark(ids.first), { timeout: 10_000 }).toBeNull();
  await page.goto(`${web.url}/inbox`);
  expect((await cards(page)).map((c) => c.id)).toContain(ids.first);
  expect(errors).toEqual([]);
});

test.skipIf(!hasChromium)("marks go one batch after another (the last action on a paper is the one stored); after a 401 nothing more is sent", { timeout: 120_000 }, async () => {
  browser ??= await launchBrowser();
  await db().seenMark.deleteMany({ where: { userId: reader.userId } });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies(cookiesOf(reader.cookie, web.url));
  const page = await context.newPage();
  // Every POST /api/seen as the page sends it; the first is held until `release`, as a slow server would.
  const sent: { paperIds: string[]; seen: boolean }[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/seen", async (route) => {
    sent.push(route.request().postDataJSON() as { paperIds: string[]; seen: boolean });
    if (sent.length === 1) await held;
    await route.continue();
  });
  await page.goto(`${web.url}/inbox?seen=1`);
  expect((await cards(page)).map((c) => c.id)).toEqual([ids.first, ids.second, ids.third]);

  // j, j: the first paper is left, marked seen; that batch is held at the "server".
  await jOntoFirstCard(page, ids.first);
  await page.keyboard.press("j");
  await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(1);
  expect(sent[0]).toEqual({ paperIds: [ids.first], seen: true });
  // k back onto it (the second is left: seen), x: unseen. The next batch waits for the held one's answer.
  await page.keyboard.press("k");
  await page.keyboard.press("x");
  await expect.poll(async () => (await cards(page))[0]!.seen).toBe(false);
  await page.waitForTimeout(3_000); // past the page's 2 s batching: sent in parallel, it would be out now
  expect(sent).toHaveLength(1);
  release();
  await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(3);
  expect(sent.slice(1)).toEqual([
    { paperIds: [ids.second], seen: true },
    { paperIds: [ids.first], seen: false },
  ]);
  // The reader's last action on the first paper (unseen) is the one stored: the third request goes out
  // only once the held one is stored (the first paper then seen), and it leaves the paper unseen.
  await expect.poll(() => seenMark(ids.first), { timeout: 10_000 }).toBeNull();
  expect(await seenMark(ids.second)).toEqual({ version: 1 });

  // Signed out meanwhile (no session cookie any more): the next batch gets a 401, which the page says,
  // and later marks are not sent at all (no retry every 2 s).
  await context.clearCookies();
  await page.keyboard.press("x");
  await expect.poll(() => page.locator(".inbox-problem").textContent(), { timeout: 10_000 }).toMatch(/signed out/);
  expect(sent).toHaveLength(4);
  await page.keyboard.press("x");
  await page.keyboard.press("j");
  await page.waitForTimeout(3_000); // past the batching: a retry or a new batch would be out now
  expect(sent).toHaveLength(4);
  expect(await seenMark(ids.first)).toBeNull();
  await context.close();
});
