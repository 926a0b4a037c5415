// Popularity in a real Chromium against the production server: a signed-in reader opens two papers
// and stars one; once the opens' batch is written, the counts show on the listing's cards (for
// everyone, signed out too) and on "Popular this week"; ?sort=popular orders the listing and the
// cards it loads while scrolling; a bad sort is a 400 page in words; an open made just before the
// server stops is still written. Screenshots (light, dark, 375 px) go to test-artifacts/.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "../../lib/db";
import { FLUSH_MS } from "../../lib/popularity/opens";
import { createAccount, hasChromium, launchBrowser } from "../helpers/browser";
import { entry, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = "test-artifacts";
const tag = randomBytes(4).toString("hex");
const email = `popular-${tag}@example.org`;
const today = new Date().toISOString().slice(0, 10);
/** A category no other test lists today. */
const CATEGORY = "physics.ed-ph";
const LISTING = `/list/${CATEGORY}?date=${today}`;
const [a, b, c] = [randomPaperId(), randomPaperId(), randomPaperId()];
const title = (id: string) => `Popular ${tag} ${id}`;

let web: WebServer;
let browser: Browser;
let reader: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await seedListing(
    [a, b, c].map((id) => entry({ id, title: title(id), abstract: `Why ${id} matters to readers.`, primaryCategory: CATEGORY, categories: [CATEGORY] })),
    [CATEGORY],
    today,
  );
  // Without the listing cache: counts written by the test show at the next request.
  web = await startWeb({ LISTING_CACHE_SECONDS: "0" });
  if (hasChromium) {
    browser = await launchBrowser();
    reader = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await createAccount(reader, web.url, email, "a long enough password");
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await db().user.deleteMany({ where: { email } });
  await db().paper.deleteMany({ where: { id: { in: [a, b, c] } } });
});

/** The listing's cards as [paper id, counts text] in page order (a signed-out reader's page). */
async function cards(pathAndQuery: string): Promise<[string, string][]> {
  const html = await (await fetch(`${web.url}${pathAndQuery}`)).text();
  return [...html.matchAll(/<article class="paper-card" data-paper-id="([^"]+)"[\s\S]*?<\/article>/g)]
    .map((m): [string, string] => [m[1]!, /<span class="pop">([^<]*)<\/span>/.exec(m[0])?.[1] ?? ""])
    .filter(([id]) => [a, b, c].includes(id));
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = FLUSH_MS * 5): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test.skipIf(!hasChromium)("opens and a star show as counts on the cards and on Popular this week, in popular order", { timeout: 120_000 }, async () => {
  // Nothing yet: arXiv's order, no counts.
  expect(await cards(LISTING)).toEqual([[a, ""], [b, ""], [c, ""]]);
  // Popular this week has none of them: nobody touched them yet. (Other files' papers may be on
  // it; a week without any is tests/integration/popularity.test.ts's.)
  expect(await cards("/popular")).toEqual([]);
  // The reader opens c, then opens b and stars it there.
  await reader.goto(`${web.url}/papers/${c}`);
  await reader.goto(`${web.url}/papers/${b}`);
  await reader.getByRole("button", { name: `Star ${title(b)}`, exact: true }).click();
  await reader.waitForFunction(() => !document.querySelector(".star-button[data-pending]"));
  await expect(reader.getByRole("button", { name: `Unstar ${title(b)}`, exact: true }).getAttribute("aria-pressed")).resolves.toBe("true");

  // The opens are written within a flush; counts then show for everyone.
  const expected: [string, string][] = [[a, ""], [b, "★ 1 · 1 open"], [c, "1 open"]];
  expect(await until(() => cards(LISTING), (v) => JSON.stringify(v) === JSON.stringify(expected))).toEqual(expected);
  // Most readers first; b and c have one each, b has the star; a (nobody) last.
  expect(await cards(`${LISTING}&sort=popular`)).toEqual([expected[1], expected[2], expected[0]]);
  // The cards loaded while scrolling follow the same order, page after page.
  const cardsRoute = `/list/${CATEGORY}/cards?date=${today}&sort=popular`;
  expect((await cards(`${cardsRoute}&offset=0&limit=2`)).map(([id]) => id)).toEqual([b, c]);
  expect((await cards(`${cardsRoute}&offset=2&limit=2`)).map(([id]) => id)).toEqual([a]);

  // Popular this week, signed out: b then c with their counts, a absent.
  const popular = await cards("/popular");
  expect(popular).toEqual([expected[1], expected[2]]);

  // In the browser: the header's order control leads to the popular order and back.
  await reader.goto(`${web.url}${LISTING}`);
  await reader.getByRole("navigation", { name: "Order" }).getByRole("link", { name: "Popular" }).click();
  await reader.waitForURL(/sort=popular/);
  await expect(reader.getByRole("navigation", { name: "Order" }).locator("[aria-current=page]").textContent()).resolves.toBe("Popular");
  const ids = await reader.locator(".paper-card").evaluateAll((els) => els.map((e) => e.getAttribute("data-paper-id")));
  expect(ids.filter((id) => [a, b, c].includes(id!))).toEqual([b, c, a]);
  // The navigation's link leads to Popular this week.
  await reader.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Popular" }).click();
  await reader.waitForURL(`${web.url}/popular`);
  await expect(reader.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Popular this week");
  await expect(reader.locator(`[data-paper-id="${b}"] .pop`).textContent()).resolves.toBe("★ 1 · 1 open");

  for (const [name, theme, width] of [["light", "light", 1280], ["dark", "dark", 1280], ["375", "light", 375]] as const) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    await context.addCookies([{ name: "theme", value: theme, url: web.url }]);
    const shot = await context.newPage();
    await shot.goto(`${web.url}/popular`);
    await shot.screenshot({ path: path.join(ARTIFACTS, `popular-${name}.png`), fullPage: true });
    await shot.goto(`${web.url}${LISTING}&sort=popular`);
    await shot.screenshot({ path: path.join(ARTIFACTS, `popular-listing-${name}.png`), fullPage: true });
    // Nothing wider than the phone's screen.
    if (width === 375) expect(await shot.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
  }
});

test("a sort the listing does not know is a 400 page in words, not a 500", async () => {
  const page = await fetch(`${web.url}${LISTING}&sort=best`);
  expect(page.status).toBe(400);
  // The page's words (tags dropped, the entities React writes decoded).
  const text = (await page.text()).replace(/<[^>]+>/g, "").replaceAll("&quot;", '"');
  expect(text).toContain('The sort parameter of this address is wrong: "best" is not one of arxiv, popular.');
  const more = await fetch(`${web.url}/list/${CATEGORY}/cards?date=${today}&sort=${encodeURIComponent("<script>")}`);
  expect(more.status).toBe(400);
  expect(await more.text()).toContain('The "sort" parameter is wrong: "<script>" is not one of arxiv, popular.');
});

// Last: stops the server.
test.skipIf(!hasChromium)("an open made just before the server stops is written before it exits", { timeout: 60_000 }, async () => {
  const user = await db().user.findUniqueOrThrow({ where: { email }, select: { id: true } });
  await reader.goto(`${web.url}/papers/${a}`);
  await web.stop(); // SIGTERM, as scripts/web.ts and npm start stop it
  const mark = await db().seenMark.findUnique({ where: { userId_paperId: { userId: user.id, paperId: a } } });
  expect(mark?.openedAt).toBeInstanceOf(Date);
});
