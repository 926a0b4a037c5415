// Who may generate FAQs, and the whole flow on the PostgreSQL queue backend (no Redis), with real
// servers: the production web server (REDIS_URL unset, so its queues live in PostgreSQL), a
// summarize worker on the same backend, the fake OpenAI-compatible LLM, real accounts (sign-up).
// - signed out and FAQ_OPEN=false: cached FAQs are readable, generating is refused (401 + message);
// - signed in: queued, streamed, stored, counted in faq_requests; the TL;DR then shows on the
//   listing card;
// - FAQ_USER_HOURLY_LIMIT: counted in the database (any process sees it), 429 + message over it,
//   requests older than an hour do not count, simultaneous requests cannot slip past it;
// - no LLM configured: 503 + message, and the paper page says what to set.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { db } from "../../lib/db";
import { parseEnv } from "../../lib/env";
import { DEFAULT_QUESTIONS, questionSetHash } from "../../lib/faq/questions";
import { requestFaq } from "../../lib/faq/request";
import { LlmClient } from "../../lib/llm/client";
import { finishFaq, getFaqById, getOrCreateFaq, saveAnswerProgress } from "../../lib/queries/faqs";
import { QueueConnection } from "../../lib/queue";
import { createSummarizeProcessor } from "../../workers/summarize";
import { startFakeLlm, type FakeLlm, type FakeLlmCall } from "../helpers/fake-llm";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { readSse } from "../helpers/sse";
import { startWeb, type WebServer } from "../helpers/web";
import { signUpOverHttp } from "../helpers/sign-up";

const LIMIT = 2;
const pgSchema = inject("databaseKind") === "embedded" ? "public" : "bullmq";
const tag = randomBytes(4).toString("hex");

let fake: FakeLlm;
let web: WebServer;
let offline: WebServer;
let queue: QueueConnection;

const paperOf = (call: FakeLlmCall) => /arXiv:(\S+?)v\d+/.exec(call.lastUserMessage)?.[1] ?? "";
/** The fake's answer: its first sentence becomes the TL;DR. */
const answerFor = (paperId: string) => `Paper ${paperId} shows that small models suffice. More details follow here.`;

async function seedPaper(day = randomDay()): Promise<string> {
  const id = randomPaperId();
  await seedListing([entry({ id, title: `Access paper ${id}` })], ["cs.CL"], day);
  return id;
}

async function signUp(name: string): Promise<{ cookie: string; userId: string }> {
  const email = `${name}-${tag}@example.org`;
  const { cookie } = await signUpOverHttp(web.url, email, { password: "correct horse battery staple", name });
  const user = await db().user.findUniqueOrThrow({ where: { email } });
  return { cookie, userId: user.id };
}

async function post(server: WebServer, paperId: string, cookie?: string): Promise<{ status: number; json: Record<string, unknown>; retryAfter: string | null }> {
  const response = await fetch(`${server.url}/api/faq`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ paperId, language: "en" }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, retryAfter: response.headers.get("retry-after") };
}

/** A finished FAQ for `paperId` v1 under the web server's settings (default questions, fake-model). */
async function seedDoneFaq(paperId: string): Promise<string> {
  const { faq } = await getOrCreateFaq(
    { paperId, version: 1, questionSet: questionSetHash(DEFAULT_QUESTIONS), language: "en", model: "fake-model" },
    DEFAULT_QUESTIONS,
  );
  for (const index of DEFAULT_QUESTIONS.keys()) await saveAnswerProgress(faq.id, index, `Stored answer ${index}.`, true);
  await finishFaq(faq.id, "A stored one-line summary.");
  return faq.id;
}

beforeAll(async () => {
  fake = await startFakeLlm({ default: (call) => ({ text: answerFor(paperOf(call)), chunkSize: 12, chunkDelayMs: 2 }) });
  queue = new QueueConnection({ databaseUrl: inject("databaseUrl"), pgSchema });
  const common = { REDIS_URL: "", FAQ_OPEN: "false", LISTING_CACHE_SECONDS: "0", LLM_MODEL: "fake-model" };
  [web, offline] = await Promise.all([
    startWeb({ ...common, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "test-key", FAQ_USER_HOURLY_LIMIT: String(LIMIT) }),
    startWeb({ ...common, OPENAI_BASE_URL: "", OPENAI_API_KEY: "" }),
  ]);
}, 180_000);

afterAll(async () => {
  await queue?.close();
  await web?.stop();
  await offline?.stop();
  await fake?.close();
});

describe("FAQ access", () => {
  test("signed out, FAQ_OPEN=false: cached FAQs open, generating is refused with 401", async () => {
    const fresh = await seedPaper();
    const refused = await post(web, fresh);
    expect(refused.status).toBe(401);
    expect(refused.json.error).toMatch(/^Sign in to generate an FAQ/);
    expect(await db().faq.count({ where: { paperId: fresh } })).toBe(0); // nothing queued

    const cached = await seedPaper();
    const faqId = await seedDoneFaq(cached);
    expect(await post(web, cached)).toMatchObject({ status: 200, json: { faqId, status: "done", position: null } });

    // The page offers signing in instead of the button.
    const html = await (await fetch(`${web.url}/papers/${fresh}`)).text();
    expect(html).toContain("Sign in to generate the FAQ");
  });

  test("signed in, on the PostgreSQL queue backend: queued, streamed, stored, counted; the TL;DR reaches the listing card", async () => {
    const day = randomDay();
    const paperId = await seedPaper(day);
    const neighbour = await seedPaper(day); // same listing, no FAQ
    const reader = await signUp("reader");
    const { status, json } = await post(web, paperId, reader.cookie);
    expect(status).toBe(200);
    expect(json.status).toBe("queued");
    const faqId = String(json.faqId);
    const llm = new LlmClient({ baseUrl: fake.url, apiKey: "test-key", model: "fake-model", timeoutMs: 10_000, maxTokens: 200 });
    queue.worker("summarize", createSummarizeProcessor({ llm, saveIntervalMs: 50 }), { concurrency: 1 });

    const events = await readSse(`${web.url}/api/faq/${faqId}/stream`, { timeoutMs: 60_000 });
    expect(events[0]!.event).toBe("questions");
    expect(events.at(-1)).toMatchObject({ event: "done", data: { tldr: `Paper ${paperId} shows that small models suffice.` } });
    const faq = await getFaqById(faqId);
    expect(faq!.answers.map((a) => a.answer)).toEqual(DEFAULT_QUESTIONS.map(() => answerFor(paperId)));
    expect(faq!.promptTokens).toBeGreaterThan(0);
    expect(faq!.completionTokens).toBeGreaterThan(0);
    expect(fake.completionCalls().filter((c) => paperOf(c) === paperId)).toHaveLength(DEFAULT_QUESTIONS.length);
    // Who asked, in the database.
    expect(await db().faqRequest.findMany({ where: { userId: reader.userId }, select: { paperId: true, faqId: true } })).toEqual([
      { paperId, faqId },
    ]);

    // The listing shows the TL;DR on this paper's card only.
    const listing = await (await fetch(`${web.url}/list/cs.CL?date=${day}`)).text();
    const card = (id: string) => listing.slice(listing.indexOf(`data-paper-id="${id}"`), listing.indexOf("</article>", listing.indexOf(`data-paper-id="${id}"`)));
    expect(card(paperId)).toContain(`<p class="paper-tldr"><strong>TL;DR</strong> Paper ${paperId} shows that small models suffice.</p>`);
    expect(card(neighbour)).toContain(`data-paper-id="${neighbour}"`);
    expect(card(neighbour)).not.toContain("paper-tldr");
  });

  test(`over FAQ_USER_HOURLY_LIMIT (${LIMIT}) a reader gets 429; the count lives in the database`, async () => {
    const reader = await signUp("busy");
    // Two generations more than an hour ago do not count.
    const old = new Date(Date.now() - 61 * 60_000);
    await db().faqRequest.createMany({ data: [0, 1].map(() => ({ userId: reader.userId, paperId: "0000.00000", createdAt: old })) });
    const [a, b, c] = [await seedPaper(), await seedPaper(), await seedPaper()];
    expect((await post(web, a, reader.cookie)).status).toBe(200);
    expect((await post(web, b, reader.cookie)).status).toBe(200);
    const refused = await post(web, c, reader.cookie);
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(
      new RegExp(`^You have started ${LIMIT} FAQ generations in the past hour; the most allowed per hour is ${LIMIT}\\. FAQs made already still open; you can start another in (59|60) minutes\\.$`),
    );
    // The first counted request (just now) leaves the hour in about 3600 s.
    expect(Number(refused.retryAfter)).toBeGreaterThan(3_500);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(3_600);
    expect(await db().faq.count({ where: { paperId: c } })).toBe(0);
    expect(await db().faqRequest.count({ where: { userId: reader.userId } })).toBe(LIMIT + 2);

    // Another process (this test's, not the web server's) sees the same count.
    const config = parseEnv({ ...process.env, OPENAI_API_KEY: "test-key", LLM_MODEL: "fake-model", FAQ_USER_HOURLY_LIMIT: String(LIMIT) });
    const here = await requestFaq({ paperId: c, language: "en", userId: reader.userId, interactive: true }, { config, connection: queue });
    expect(here).toMatchObject({ status: 429 });

    // Joining a generation someone else started is not a new one: a reader at the limit may.
    const other = await signUp("other");
    expect((await post(web, a, other.cookie)).status).toBe(200);
    expect(await db().faqRequest.count({ where: { userId: other.userId } })).toBe(0);
  });

  test("simultaneous requests cannot slip past the limit", async () => {
    const reader = await signUp("eager");
    const papers = await Promise.all(Array.from({ length: 6 }, () => seedPaper()));
    const answers = await Promise.all(papers.map((p) => post(web, p, reader.cookie)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(LIMIT);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(papers.length - LIMIT);
    expect(await db().faqRequest.count({ where: { userId: reader.userId } })).toBe(LIMIT);
  });

  test("no LLM configured: 503 saying what to set, the page explains it, cached FAQs still open", async () => {
    const paperId = await seedPaper();
    const refused = await post(offline, paperId);
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatch(/No LLM is configured on this server: set OPENAI_API_KEY/);
    const html = await (await fetch(`${offline.url}/papers/${paperId}`)).text();
    expect(html).toContain("none is configured on this server");
    expect(html).toMatch(/set <code>OPENAI_API_KEY<\/code>/);

    const cached = await seedPaper();
    const faqId = await seedDoneFaq(cached);
    expect(await post(offline, cached)).toMatchObject({ status: 200, json: { faqId, status: "done" } });
  });
});
