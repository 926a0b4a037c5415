// Browsing in a real Chromium: a day's listing, switching day, category and tab, the keyword filter
// with highlights, keyboard shortcuts, search, dark mode, a 375 px phone, the paper page (stored and
// fetched), feeds, and bad input that gets a clear page. Screenshots go to test-artifacts/.
import { mkdirSync } from "node:fs";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { hasChromium, launchBrowser, pressUntil } from "../helpers/browser";
import { entry, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = "test-artifacts";
const D1 = "1987-06-17";
const D2 = "1987-06-16";
const word = `qz${Math.random().toString(36).slice(2, 7)}`;
const ids = Array.from({ length: 7 }, randomPaperId);
const HOSTILE = `<img src=x onerror="alert('xss')"> and <script>alert(1)</script> in a title`;

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await seedListing(
    [
      entry({ id: ids[0]!, title: `Neutron skins from $^{208}\\mathrm{Pb}$ parity violation`, abstract: `We measure the ${word} asymmetry with \\(A_{PV} = 550\\) ppb.`, primaryCategory: "nucl-ex", categories: ["nucl-ex", "nucl-th"], authors: ["Ana Núñez", "Jörg Müller"] }),
      entry({ id: ids[1]!, title: HOSTILE, abstract: `Hostile text <b onmouseover=alert(1)>bold</b> javascript:alert(1) ${word}`, primaryCategory: "nucl-ex", categories: ["nucl-ex"] }),
      entry({ id: ids[2]!, title: "Gamma spectroscopy of light nuclei", abstract: "A plain abstract.", primaryCategory: "nucl-ex", categories: ["nucl-ex"], authors: Array.from({ length: 55 }, (_, i) => `Member ${i}`) }),
      entry({ id: ids[3]!, title: "Cross-listed hadron physics", abstract: "Cross.", announceType: "cross", primaryCategory: "hep-ex", categories: ["hep-ex", "nucl-ex"] }),
      entry({ id: ids[4]!, title: "A replaced result", abstract: "Replaced.", announceType: "replace", version: 3, primaryCategory: "nucl-ex", categories: ["nucl-ex"] }),
    ],
    ["nucl-ex"],
    D1,
  );
  await seedListing(
    [
      entry({ id: ids[5]!, title: "Yesterday's first paper", primaryCategory: "nucl-ex", categories: ["nucl-ex"] }),
      entry({ id: ids[6]!, title: "Yesterday's second paper", primaryCategory: "nucl-ex", categories: ["nucl-ex"] }),
    ],
    ["nucl-ex"],
    D2,
  );
  web = await startWeb();
  if (hasChromium) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

async function page(width = 1280, theme?: string): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  if (theme) await context.addCookies([{ name: "theme", value: theme, url: web.url }]);
  const p = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  p.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  p.on("pageerror", (e) => errors.push(e.message));
  p.on("response", (r) => {
    if (r.status() >= 500) errors.push(`${r.status()} ${r.url()}`);
  });
  return { page: p, dialogs, errors };
}

test.skipIf(!hasChromium)("a day's listing: order, math, hostile text as text, tabs, days, category", async () => {
  const { page: p, dialogs, errors } = await page();
  await p.goto(`${web.url}/list/nucl-ex?date=${D1}`);
  await expect(p.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("nucl-ex — Nuclear Experiment");
  const titles = await p.locator(".paper-title").allTextContents();
  expect(titles).toHaveLength(5);
  expect(titles[1]).toBe(HOSTILE);
  expect(await p.locator(".paper-title math").count()).toBe(1);
  expect(await p.locator("[data-field=abstract] math").count()).toBeGreaterThan(0);
  expect(await p.locator(".paper-card img").count()).toBe(0);
  await expect(p.locator(".tab[aria-current=page]").textContent()).resolves.toBe("All 5");
  await expect(p.locator(".more-authors summary").textContent()).resolves.toBe("and 15 more");
  await p.screenshot({ path: `${ARTIFACTS}/listing.png`, fullPage: true });

  await p.getByRole("link", { name: "Cross-lists 1" }).click();
  await p.waitForURL(/type=cross/);
  expect(await p.locator(".paper-title").allTextContents()).toEqual(["Cross-listed hadron physics"]);

  await p.getByRole("link", { name: `← ${D2}` }).click();
  await p.waitForURL(new RegExp(`date=${D2}`));
  expect(await p.locator(".paper-title").count()).toBe(0); // no cross-lists that day: an empty state
  await expect(p.locator(".empty-state").textContent()).resolves.toContain(`on ${D2}`);
  await p.getByRole("link", { name: /^All 2$/ }).click();
  await p.waitForURL((url) => !url.search.includes("type="));
  expect(await p.locator(".paper-title").allTextContents()).toEqual(["Yesterday's first paper", "Yesterday's second paper"]);

  await p.goto(`${web.url}/list/nucl-ex?date=${D1}`);
  await p.locator(".paper-card").nth(3).getByRole("link", { name: "hep-ex" }).click();
  await p.waitForURL(/\/list\/hep-ex/);
  await expect(p.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("hep-ex");
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
});

test.skipIf(!hasChromium)("keyword filter: '/' opens it, matches are highlighted, others hidden, state in the URL; keys j/k/?", async () => {
  const { page: p, errors } = await page();
  await p.goto(`${web.url}/list/nucl-ex?date=${D1}`);
  // "/" focuses the keyword field (once the page is hydrated).
  const keywordsFocused = () => p.evaluate(() => document.activeElement?.closest("label")?.textContent?.trim().startsWith("Keywords") ?? false);
  await pressUntil(p, "/", keywordsFocused);
  await p.getByLabel("Keywords").fill(word);
  await expect(p.locator("mark.kw").first().textContent()).resolves.toBe(word);
  expect(await p.locator("article.paper-card:visible").count()).toBe(2);
  // The count follows the typing: wait for it (same text, same page), then check it once more.
  await p.locator(".filter-result", { hasText: "2 of 5 papers match" }).waitFor({ timeout: 5_000 });
  await expect(p.locator(".filter-result").textContent()).resolves.toBe("2 of 5 papers match");
  expect(p.url()).toContain(`kw=${word}`);
  await p.screenshot({ path: `${ARTIFACTS}/filter.png` });

  // The URL is shareable: a new page opens with the same filter applied.
  const shared = p.url();
  const second = await page();
  await second.page.goto(shared);
  await second.page.locator(".filter-result", { hasText: "2 of 5 papers match" }).waitFor({ timeout: 15_000 });
  await expect(second.page.locator(".filter-result").textContent()).resolves.toBe("2 of 5 papers match");

  await p.getByRole("button", { name: "Clear" }).click();
  expect(await p.locator("article.paper-card:visible").count()).toBe(5);
  await p.locator("body").click();
  await p.keyboard.press("j");
  await p.keyboard.press("j");
  const currentIndex = () => p.evaluate(() => [...document.querySelectorAll("article.paper-card")].findIndex((c) => c.classList.contains("current")));
  await expect(currentIndex()).resolves.toBe(1);
  await p.keyboard.press("k");
  await expect(currentIndex()).resolves.toBe(0);
  // The list of keys names what this page answers to.
  const listedKeys = () => p.locator(".keys-dialog dt").allTextContents();
  await p.keyboard.press("?");
  await expect(p.getByRole("dialog").isVisible()).resolves.toBe(true);
  await expect(listedKeys()).resolves.toEqual(expect.arrayContaining(["j / k", "s", "o", "a", "/ or Ctrl+F", "?"]));
  await p.screenshot({ path: `${ARTIFACTS}/keys.png` });
  await p.keyboard.press("Escape");
  await p.keyboard.press("o");
  await p.waitForURL(new RegExp(`/papers/${ids[0]}`));
  // The keys work on the page reached by a client-side navigation: j picks that page's card.
  await p.locator("h1").waitFor();
  await p.keyboard.press("j");
  await expect(currentIndex()).resolves.toBe(0);
  // A paper page has its card but no keyword filter: "/" is not offered there.
  await p.keyboard.press("?");
  await expect(listedKeys()).resolves.toContain("j / k");
  await expect(listedKeys()).resolves.not.toContain("/ or Ctrl+F");
  await p.keyboard.press("Escape");
  // The footer's "Press ? for keyboard shortcuts" holds on a page without papers too.
  await p.goto(`${web.url}/nothing/here`);
  await p.locator("body").click();
  await pressUntil(p, "?", () => p.getByRole("dialog").isVisible());
  await expect(listedKeys()).resolves.toEqual(["?"]);
  await expect(p.locator(".keys-dialog").textContent()).resolves.toContain("This page has no papers to move through");
  expect(errors).toEqual([]);
});

test.skipIf(!hasChromium)("search finds papers, marks the words, and treats hostile terms as text", async () => {
  const { page: p, dialogs, errors } = await page();
  await p.goto(`${web.url}/search`);
  await p.getByLabel("Search", { exact: true }).fill(`${word} asymmetry`);
  await p.getByRole("button", { name: "Search" }).click();
  await p.waitForURL(/\/search\?q=/);
  await expect(p.locator(".paper-title").first().textContent()).resolves.toContain("Neutron skins");
  await expect(p.locator("[data-field=abstract] mark").first().textContent()).resolves.toBe(word);
  await p.screenshot({ path: `${ARTIFACTS}/search.png` });
  await p.goto(`${web.url}/search?q=${encodeURIComponent('<script>alert("q")</script> "')}`);
  await expect(p.locator("[role=status]").first().textContent()).resolves.toContain('<script>alert("q")</script>');
  await p.goto(`${web.url}/search?q=${"x".repeat(400)}`);
  // (Next.js keeps a route announcer with role=alert too: look at the page's own.)
  await expect(p.locator("main [role=alert]").textContent()).resolves.toContain("too long");
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
});

test.skipIf(!hasChromium)("dark mode toggles, is remembered, and the page fits a 375 px phone, header in two lines", async () => {
  const { page: p } = await page();
  await p.goto(`${web.url}/list/nucl-ex?date=${D1}`);
  const toggle = p.locator(".theme-toggle");
  for (let i = 0; i < 3 && (await p.locator("html").getAttribute("data-theme")) !== "dark"; i++) await toggle.click();
  expect(await p.locator("html").getAttribute("data-theme")).toBe("dark");
  await p.reload();
  expect(await p.locator("html").getAttribute("data-theme")).toBe("dark");
  const background = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe("rgb(18, 19, 22)");
  await p.screenshot({ path: `${ARTIFACTS}/listing-dark.png` });

  const phone = await page(375, "light");
  await phone.page.goto(`${web.url}/list/nucl-ex?date=${D1}`);
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // The header takes two lines: the brand with the theme switch, then the navigation.
  const [brand, themeSwitch, nav, header] = await Promise.all(
    [".brand", ".site-header > .theme-toggle", ".site-header nav", ".site-header"].map((s) => phone.page.locator(s).boundingBox()),
  );
  expect(Math.abs(brand!.y + brand!.height / 2 - (themeSwitch!.y + themeSwitch!.height / 2))).toBeLessThan(6);
  expect(nav!.y).toBeGreaterThanOrEqual(brand!.y + brand!.height);
  expect(nav!.height).toBeLessThan(brand!.height * 1.6); // one line of links
  expect(header!.height).toBeLessThan(90);
  await phone.page.screenshot({ path: `${ARTIFACTS}/listing-375.png`, fullPage: false });
  expect(phone.errors).toEqual([]);
});

test.skipIf(!hasChromium)("paper pages: stored, old-style id, fetched through the queue, malformed", async () => {
  const { page: p, errors } = await page();
  await p.goto(`${web.url}/papers/${ids[4]}`);
  await expect(p.locator(".paper-title").textContent()).resolves.toBe("A replaced result");
  await expect(p.getByRole("heading", { name: "Versions" }).isVisible()).resolves.toBe(true);
  await p.screenshot({ path: `${ARTIFACTS}/paper.png` });

  // Not stored: the page asks the crawl queue (never arXiv itself) and says it is fetching.
  const missing = randomPaperId();
  await p.goto(`${web.url}/papers/${missing}v2`);
  await expect(p.getByRole("status").textContent()).resolves.toContain("Fetching this paper from arXiv");
  const sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  const runs = await sql.query(`SELECT trigger, source, status FROM crawl_runs WHERE $1 = ANY(paper_ids)`, [missing]);
  // Opening it again does not ask twice.
  await p.goto(`${web.url}/papers/${missing}`);
  const again = await sql.query(`SELECT count(*)::int AS n FROM crawl_runs WHERE $1 = ANY(paper_ids)`, [missing]);
  await sql.end();
  expect(runs.rows).toEqual([{ trigger: "reader", source: "api", status: "queued" }]);
  expect(again.rows[0].n).toBe(1);

  await p.goto(`${web.url}/papers/hep-th/9711200`);
  await expect(p.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("arXiv:hep-th/9711200");
  await p.goto(`${web.url}/papers/not-an-id`);
  await expect(p.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Not an arXiv id");
  expect(errors).toEqual([]);
});

test("bad input gets a clear page, never a 500; feeds escape hostile text", async () => {
  const cases: [string, string][] = [
    ["/list/cs.XX", "is not an arXiv category"],
    ["/list/nucl-ex?date=yesterday", "is not a date"],
    [`/list/${encodeURIComponent("<script>")}`, "is not an arXiv category"],
    ["/papers/%3Cscript%3E", "Not an arXiv id"],
    [`/search?q=${"y".repeat(1000)}`, "too long"],
    ["/search?cat=cs.XX&q=a", "is not an arXiv category"],
    ["/search?q=a&from=2024-05-01&to=2024-01-01", "starts (2024-05-01) after it ends"],
    ["/nothing/here", "Not found"],
  ];
  for (const [path, text] of cases) {
    const response = await fetch(`${web.url}${path}`);
    expect(response.status, path).toBeLessThan(500);
    const html = (await response.text()).replaceAll("<!-- -->", "");
    expect(html, path).toContain(text);
    expect(html, path).not.toContain("<script>alert");
  }
  const notFound = await (await fetch(`${web.url}/nothing/here`)).text();
  expect(notFound).toContain("<title>Not found · Paper Triage</title>");
  const feed = await fetch(`${web.url}/list/nucl-ex/feed?date=${D1}`);
  expect(feed.headers.get("content-type")).toContain("application/rss+xml");
  const xml = await feed.text();
  expect(xml.match(/<item>/g)).toHaveLength(5);
  expect(xml).toContain("&lt;img src=x onerror=&quot;alert(&#39;xss&#39;)&quot;&gt;");
  expect(xml).not.toContain("<img");
  const searchFeed = await fetch(`${web.url}/search/feed?q=${word}`);
  expect((await searchFeed.text()).match(/<item>/g)).toHaveLength(2);
  expect((await fetch(`${web.url}/list/cs.XX/feed`)).status).toBe(400);
});
