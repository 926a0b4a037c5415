// In a real Chromium against the production server: the paper page's "Related papers" lists stored
// nearest neighbours in order with links, and says what is missing when the paper has no vector;
// search with the model loaded (the random-weight test model) says it ranks by words and meaning.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { saveEmbeddings } from "../../lib/queries/embeddings";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

const ids = Array.from({ length: 4 }, randomPaperId);
const lonely = randomPaperId();
const word = `qv${Math.random().toString(36).slice(2, 7)}`;
let web: WebServer;
let browser: Browser;

/** A unit vector at `degrees` from e0 in the (e0, e1) plane. */
function at(degrees: number): number[] {
  const v = new Array(384).fill(0);
  v[0] = Math.cos((degrees * Math.PI) / 180);
  v[1] = Math.sin((degrees * Math.PI) / 180);
  return v;
}

beforeAll(async () => {
  await seedListing(
    [...ids, lonely].map((id, i) => entry({ id, title: `Related study ${i} of ${word}`, primaryCategory: "cs.IR", categories: ["cs.IR"] })),
    ["cs.IR"],
    randomDay(),
  );
  const model = `e2e-${word}`;
  await saveEmbeddings([0, 40, 10, 25].map((deg, i) => ({ paperId: ids[i]!, version: 1, model, vector: at(deg) })));
  web = await startWeb({ EMBEDDING_MODEL_DIR: path.resolve(import.meta.dirname, "../fixtures/models/all-MiniLM-L6-v2") });
  if (hasChromium) browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

test.skipIf(!hasChromium)("related papers: nearest first, linked; an unembedded paper explains why the list is empty", async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${web.url}/papers/${ids[0]}`);
  // The paper's title is the page's one h1.
  expect(await page.locator("h1").allTextContents()).toEqual([`Related study 0 of ${word}`]);
  const section = page.locator(".related-papers");
  await expect.poll(() => section.locator("h2").textContent()).toBe("Related papers");
  // From 0°: 10° (ids[2]), 25° (ids[3]), 40° (ids[1]).
  const links = section.locator("li a");
  expect(await links.allTextContents()).toEqual([`Related study 2 of ${word}`, `Related study 3 of ${word}`, `Related study 1 of ${word}`]);
  expect(await section.locator("li").first().textContent()).toContain("98% similar");
  await links.first().click();
  await page.waitForURL(`**/papers/${ids[2]}`);
  expect(await page.locator(".related-papers li a").first().textContent()).toBe(`Related study 0 of ${word}`);

  await page.goto(`${web.url}/papers/${lonely}`);
  expect(await page.locator(".related-papers [role=status]").textContent()).toMatch(/appear once this paper has been embedded/);
});

test.skipIf(!hasChromium)("search with a model loaded ranks by words and meaning", async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${web.url}/search?q=${word}`);
  const status = page.locator("[role=status]").first();
  await expect.poll(() => status.textContent()).toContain("Ranked by words and meaning.");
  expect(await page.locator("#papers li").count()).toBeGreaterThanOrEqual(5);
});
