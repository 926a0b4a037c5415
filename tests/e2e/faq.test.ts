// The FAQ in a real Chromium: open a paper page, click FAQ, watch the answers stream in (the text
// grows between two moments), see Markdown and math rendered; reload and get it from the cache with
// no new LLM call. The worker reads the paper's PDF (FAQ_FULL_TEXT) from a local stand-in for
// arXiv, and the panel says so; the listing card then shows the TL;DR. Real web server, BullMQ on
// Redis, a summarize worker here, the fake LLM. Screenshots: test-artifacts/faq.png, faq-tldr.png.
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { DEFAULT_QUESTIONS } from "../../lib/faq/questions";
import { LlmClient } from "../../lib/llm/client";
import { QueueConnection } from "../../lib/queue";
import { createSummarizeProcessor } from "../../workers/summarize";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { startFakeLlm, type FakeLlm } from "../helpers/fake-llm";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";
import { standInArxivClient } from "../helpers/arxiv-client";
import { buildPdf } from "../helpers/pdf";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = "test-artifacts";
const redisUrl = inject("redisUrl");
// A Redis database of this file's own (the web server queues without a key prefix).
const REDIS_DB = 12;
const paperId = randomPaperId();
const day = randomDay();
const ANSWER =
  "The paper studies **neutron skins** with the asymmetry $A_{PV} = \\frac{\\sigma_R - \\sigma_L}{\\sigma_R + \\sigma_L}$.\n\n" +
  "- It measures parity violation in lead.\n- It compares the result with models.\n\n" +
  "Hostile <img src=x onerror=\"window.__xss = 1\"> text stays inert.";

let fake: FakeLlm;
let web: WebServer;
let connection: QueueConnection;
let browser: Browser;
let arxiv: TestHttpServer;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await seedListing(
    [entry({ id: paperId, title: "Neutron skins from parity violation", abstract: "We measure $A_{PV}$ in lead.", primaryCategory: "nucl-ex", categories: ["nucl-ex"] })],
    ["nucl-ex"],
    day,
  );
  const body = "We measure the parity-violating asymmetry in lead-208 at 953 MeV and extract the neutron skin. ".repeat(6);
  arxiv = await startHttpServer({ [`/pdf/${paperId}v1`]: [{ status: 200, body: buildPdf([body.replace(/(.{1,90})(\s|$)/g, "$1\n")]) }] });
  const pdfClient = standInArxivClient(arxiv, {
    userAgent: "faq-e2e-test",
    timeoutMs: 5_000,
  });
  // Slow enough to watch: ~60 chunks of 4 characters, 25 ms apart, per answer.
  fake = await startFakeLlm({ default: { text: ANSWER, chunkSize: 4, chunkDelayMs: 25 } });
  const url = new URL(redisUrl ?? "redis://127.0.0.1:6379");
  url.pathname = `/${REDIS_DB}`;
  connection = new QueueConnection({ redisUrl: url.toString() });
  const llm = new LlmClient({ baseUrl: fake.url, apiKey: "test-key", model: "fake-model", timeoutMs: 10_000, maxTokens: 400 });
  connection.worker(
    "summarize",
    createSummarizeProcessor({ llm, fullText: { fetchPdf: (id, version) => pdfClient.fetchPdf(id, version), maxInputTokens: 16_000 } }),
    { concurrency: 2 },
  );
  web = await startWeb({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "test-key", LLM_MODEL: "fake-model", FAQ_OPEN: "true", REDIS_URL: url.toString() });
  if (hasChromium) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await connection?.close();
  await web?.stop();
  await fake?.close();
  await arxiv?.close();
});

test.skipIf(!hasChromium || !redisUrl)("click FAQ, watch it stream in, reload from the cache", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1400 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("response", (r) => {
    if (r.status() >= 500) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${web.url}/papers/${paperId}`);
  const faq = page.getByRole("region", { name: "FAQ" });
  await faq.getByRole("button", { name: "FAQ" }).click();

  // Text appears, then grows: it streams rather than arriving at the end.
  const first = faq.locator(".faq-answer").first();
  await expect.poll(async () => (await first.textContent())?.replace("…", "").length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
  const early = (await first.textContent()) ?? "";
  await page.waitForTimeout(400);
  const later = (await first.textContent()) ?? "";
  expect(later.length).toBeGreaterThan(early.length);
  expect(fake.completionCalls().length).toBeLessThan(DEFAULT_QUESTIONS.length);

  // All done: every answer rendered as Markdown with math; the hostile HTML is not an element.
  await expect.poll(() => faq.locator(".faq-answer strong").count(), { timeout: 20_000 }).toBe(DEFAULT_QUESTIONS.length);
  // Answered: no button to ask again, until another language is chosen.
  await expect.poll(() => faq.getByRole("button", { name: "FAQ" }).count(), { timeout: 5_000 }).toBe(0);
  await faq.getByLabel("Language").selectOption("zh");
  await expect(faq.getByRole("button", { name: "FAQ" }).isEnabled()).resolves.toBe(true);
  await faq.getByLabel("Language").selectOption("en");
  await expect.poll(() => faq.getByRole("button", { name: "FAQ" }).count(), { timeout: 5_000 }).toBe(0);
  expect(await faq.locator(".faq-answer math").count()).toBe(DEFAULT_QUESTIONS.length);
  expect(await faq.locator(".faq-answer li").count()).toBe(DEFAULT_QUESTIONS.length * 2);
  expect(await faq.locator(".faq-answer img").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await faq.locator("dt").allTextContents()).toEqual([...DEFAULT_QUESTIONS]);
  expect(fake.completionCalls()).toHaveLength(DEFAULT_QUESTIONS.length);
  // The model read the PDF, and the panel says what the answers rest on.
  expect(fake.completionCalls().every((c) => c.lastUserMessage.includes("extract the neutron skin"))).toBe(true);
  await expect.poll(() => faq.locator(".faq-source").textContent(), { timeout: 5_000 }).toMatch(/^Made from the full text of the PDF \(1 page, ~\d+ tokens\)\.$/);

  // Reload: served from the database at once, no new LLM call.
  await page.reload();
  const reloaded = page.getByRole("region", { name: "FAQ" });
  await expect.poll(() => reloaded.locator(".faq-answer math").count(), { timeout: 5_000 }).toBe(DEFAULT_QUESTIONS.length);
  await page.waitForTimeout(300);
  expect(fake.completionCalls()).toHaveLength(DEFAULT_QUESTIONS.length);
  await reloaded.scrollIntoViewIfNeeded();
  expect(await reloaded.locator(".faq-source").textContent()).toMatch(/^Made from the full text of the PDF/);
  await page.screenshot({ path: `${ARTIFACTS}/faq.png`, fullPage: true });

  // The listing card now carries the one-line TL;DR (the summary answer's first sentence).
  await page.goto(`${web.url}/list/nucl-ex?date=${day}`);
  const card = page.locator(`article[data-paper-id="${paperId}"]`);
  const tldr = card.locator(".paper-tldr");
  await expect.poll(() => tldr.textContent(), { timeout: 5_000 }).toMatch(/^TL;DR The paper studies neutron skins with the asymmetry /);
  // The formula survives whole and is rendered as MathML; the Markdown bold marks are gone.
  expect(await tldr.locator("math").count()).toBe(1);
  expect(await tldr.locator("math mfrac").count()).toBe(1);
  expect(await tldr.textContent()).not.toMatch(/[$*]/);
  await card.screenshot({ path: `${ARTIFACTS}/faq-tldr.png` });
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);
