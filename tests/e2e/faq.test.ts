// The FAQ in a real Chromium: open a paper page, click FAQ, watch the answers stream in (the text
// grows between two moments), see Markdown and math rendered; reload and get it from the cache with
// no new LLM call. Real web server, BullMQ on Redis, a summarize worker here, the fake LLM.
// Screenshot: test-artifacts/faq.png.
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { DEFAULT_QUESTIONS } from "../../lib/faq/questions";
import { LlmClient } from "../../lib/llm/client";
import { QueueConnection } from "../../lib/queue";
import { createSummarizeProcessor } from "../../workers/summarize";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { startFakeLlm, type FakeLlm } from "../helpers/fake-llm";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = "test-artifacts";
const redisUrl = inject("redisUrl");
// A Redis database of this file's own (the web server queues without a key prefix).
const REDIS_DB = 12;
const paperId = randomPaperId();
const ANSWER =
  "The paper studies **neutron skins** with the asymmetry $A_{PV} = \\frac{\\sigma_R - \\sigma_L}{\\sigma_R + \\sigma_L}$.\n\n" +
  "- It measures parity violation in lead.\n- It compares the result with models.\n\n" +
  "Hostile <img src=x onerror=\"window.__xss = 1\"> text stays inert.";

let fake: FakeLlm;
let web: WebServer;
let connection: QueueConnection;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await seedListing(
    [entry({ id: paperId, title: "Neutron skins from parity violation", abstract: "We measure $A_{PV}$ in lead.", primaryCategory: "nucl-ex", categories: ["nucl-ex"] })],
    ["nucl-ex"],
    randomDay(),
  );
  // Slow enough to watch: ~60 chunks of 4 characters, 25 ms apart, per answer.
  fake = await startFakeLlm({ default: { text: ANSWER, chunkSize: 4, chunkDelayMs: 25 } });
  const url = new URL(redisUrl ?? "redis://127.0.0.1:6379");
  url.pathname = `/${REDIS_DB}`;
  connection = new QueueConnection({ redisUrl: url.toString() });
  const llm = new LlmClient({ baseUrl: fake.url, apiKey: "test-key", model: "fake-model", timeoutMs: 10_000, maxTokens: 400 });
  connection.worker("summarize", createSummarizeProcessor({ llm }), { concurrency: 2 });
  web = await startWeb({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "test-key", LLM_MODEL: "fake-model", FAQ_OPEN: "true", REDIS_URL: url.toString() });
  if (hasChromium) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await connection?.close();
  await web?.stop();
  await fake?.close();
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
  await expect.poll(() => faq.getByRole("button", { name: "FAQ" }).isEnabled(), { timeout: 5_000 }).toBe(true);
  expect(await faq.locator(".faq-answer .katex").count()).toBe(DEFAULT_QUESTIONS.length);
  expect(await faq.locator(".faq-answer li").count()).toBe(DEFAULT_QUESTIONS.length * 2);
  expect(await faq.locator(".faq-answer img").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await faq.locator("dt").allTextContents()).toEqual([...DEFAULT_QUESTIONS]);
  expect(fake.completionCalls()).toHaveLength(DEFAULT_QUESTIONS.length);

  // Reload: served from the database at once, no new LLM call.
  await page.reload();
  const reloaded = page.getByRole("region", { name: "FAQ" });
  await expect.poll(() => reloaded.locator(".faq-answer .katex").count(), { timeout: 5_000 }).toBe(DEFAULT_QUESTIONS.length);
  await page.waitForTimeout(300);
  expect(fake.completionCalls()).toHaveLength(DEFAULT_QUESTIONS.length);
  await reloaded.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${ARTIFACTS}/faq.png`, fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
});
