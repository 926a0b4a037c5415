// The FAQ end to end with real servers: the production web server (POST /api/faq, the SSE stream),
// BullMQ on Redis, a summarize worker built here with the real LLM client, and the fake
// OpenAI-compatible LLM (tests/helpers/fake-llm.ts). Streamed text reaches an SSE client; a cached
// FAQ makes no LLM call; 50 simultaneous requests make one generation; a worker stopped mid-way is
// continued by another; every failure mode ends in the right state, and a failed FAQ can be retried.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { DEFAULT_QUESTIONS } from "../../lib/faq/questions";
import { LlmClient } from "../../lib/llm/client";
import { getFaqById, type FaqRecord } from "../../lib/queries/faqs";
import { QueueConnection } from "../../lib/queue";
import { createSummarizeProcessor } from "../../workers/summarize";
import { readSse, type SseEvent } from "../helpers/sse";
import { startFakeLlm, type FakeLlm, type FakeLlmBehaviour, type FakeLlmCall } from "../helpers/fake-llm";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";
import { waitFor as waitUntil } from "../helpers/wait";

const redisUrl = inject("redisUrl");
// The web server queues on its REDIS_URL without a key prefix: a Redis database of this file's own
// keeps its jobs away from other test files' workers (the e2e FAQ test uses another one).
const REDIS_DB = 11;
const QUESTIONS = DEFAULT_QUESTIONS.length;

let fake: FakeLlm;
let web: WebServer;
let connection: QueueConnection;
/**
 * Per-paper scripts: the fake answers a call from the paper its prompt names, taking that paper's
 * next scripted behaviour; an answer's text defaults to `answerFor` the question asked.
 */
const scripts = new Map<string, Partial<FakeLlmBehaviour>[]>();

function paperOf(call: FakeLlmCall): string {
  return /arXiv:(\S+?)v\d+/.exec(call.lastUserMessage)?.[1] ?? "";
}
function questionOf(call: FakeLlmCall): string {
  return /Question: (.*)/.exec(call.lastUserMessage)?.[1] ?? "";
}
/** The full answer the fake gives for a question about a paper. */
function answerFor(paperId: string, question: string): string {
  return `**${paperId}** answers “${question}” with $x^2$ and a long enough tail to stream in pieces.`;
}
const callsFor = (paperId: string) => fake.completionCalls().filter((c) => paperOf(c) === paperId);

function llm(signal?: AbortSignal) {
  return new LlmClient({
    baseUrl: fake.url,
    apiKey: "test-key",
    model: "fake-model",
    timeoutMs: 5_000,
    maxTokens: 400,
    signal,
    retry: { retries: 2, minTimeout: 10, maxTimeout: 30, randomize: false, maxRetryAfterMs: 50 },
  });
}

function startWorker(shutdown?: AbortController) {
  return connection.worker("summarize", createSummarizeProcessor({ llm: llm(shutdown?.signal), shutdown: shutdown?.signal, saveIntervalMs: 50 }), {
    concurrency: 2,
  });
}

async function seedPaper(title = "A paper about FAQs"): Promise<string> {
  const id = randomPaperId();
  await seedListing([entry({ id, title, abstract: `We study ${id}.` })], ["cs.CL"], randomDay());
  return id;
}

async function post(paperId: string, body: Record<string, unknown> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${web.url}/api/faq`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ paperId, language: "en", ...body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function waitFor(faqId: string, statuses: string[], timeoutMs = 15_000): Promise<FaqRecord> {
  return waitUntil(`FAQ ${faqId} to reach ${statuses.join("/")}`, () => getFaqById(faqId), (faq) => Boolean(faq && statuses.includes(faq.status)), {
    timeoutMs,
    intervalMs: 25,
  }) as Promise<FaqRecord>;
}

function textsFrom(events: SseEvent[]): string[] {
  const texts: string[] = [];
  for (const e of events) {
    if (e.event !== "delta") continue;
    const d = e.data as { index: number; text: string; reset?: boolean };
    texts[d.index] = d.reset ? d.text : (texts[d.index] ?? "") + d.text;
  }
  return texts;
}

beforeAll(async () => {
  fake = await startFakeLlm({
    default: (call) => {
      const paperId = paperOf(call);
      const scripted = scripts.get(paperId)?.shift();
      const text = answerFor(paperId, questionOf(call));
      return (scripted ? { text, ...scripted } : { text, chunkSize: 6, chunkDelayMs: 5 }) as FakeLlmBehaviour;
    },
  });
  const url = new URL(redisUrl ?? "redis://127.0.0.1:6379");
  url.pathname = `/${REDIS_DB}`;
  connection = new QueueConnection({ redisUrl: url.toString() });
  web = await startWeb({
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: "test-key",
    LLM_MODEL: "fake-model",
    FAQ_OPEN: "true",
    REDIS_URL: url.toString(),
  });
}, 120_000);

afterAll(async () => {
  await connection?.close();
  await web?.stop();
  await fake?.close();
});

describe.skipIf(!redisUrl)("FAQ", () => {
  test("streamed text reaches an SSE client, and the cached FAQ then makes no LLM call", async () => {
    const worker = startWorker();
    try {
      const paperId = await seedPaper();
      // Slow answers so the client sees them grow.
      scripts.set(paperId, DEFAULT_QUESTIONS.map(() => ({ chunkSize: 4, chunkDelayMs: 15 })));
      const { status, json } = await post(paperId);
      expect(status).toBe(200);
      expect(["queued", "running"]).toContain(json.status);
      const events = await readSse(`${web.url}/api/faq/${String(json.faqId)}/stream`);
      expect(events[0]!.event).toBe("questions");
      expect(events.at(-1)!.event).toBe("done");
      const deltas = events.filter((e) => e.event === "delta");
      expect(deltas.length).toBeGreaterThan(QUESTIONS * 2); // progressive, not one block per answer
      expect(textsFrom(events)).toEqual(DEFAULT_QUESTIONS.map((q) => answerFor(paperId, q)));
      expect(callsFor(paperId)).toHaveLength(QUESTIONS);
      const faq = await getFaqById(String(json.faqId));
      expect(faq!.status).toBe("done");
      expect(faq!.answers.every((a) => a.done)).toBe(true);
      expect(faq!.completionTokens).toBeGreaterThan(0);

      // Cached: POST answers done at once, the stream replays everything and ends; no new call.
      const again = await post(paperId);
      expect(again.json).toMatchObject({ faqId: json.faqId, status: "done", position: null });
      const replay = await readSse(`${web.url}/api/faq/${String(json.faqId)}/stream`);
      expect(replay.map((e) => e.event)).toEqual(["questions", ...DEFAULT_QUESTIONS.map(() => "delta"), "done"]);
      expect(textsFrom(replay)).toEqual(DEFAULT_QUESTIONS.map((q) => answerFor(paperId, q)));
      expect(callsFor(paperId)).toHaveLength(QUESTIONS);
    } finally {
      await worker.close();
    }
  });

  test("50 simultaneous requests for one paper make one LLM call per question", async () => {
    const paperId = await seedPaper();
    scripts.set(paperId, DEFAULT_QUESTIONS.map(() => ({ chunkDelayMs: 10 })));
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(paperId)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const ids = new Set(answers.map((a) => a.json.faqId));
    expect(ids.size).toBe(1);
    // Queued before any worker runs: the line has a position.
    expect(answers[0]!.json.position).toBe(1);
    const worker = startWorker();
    try {
      const faq = await waitFor(String([...ids][0]), ["done", "failed"]);
      expect(faq.status).toBe("done");
      // More requests while and after it ran change nothing.
      await Promise.all(Array.from({ length: 10 }, () => post(paperId)));
      await new Promise((r) => setTimeout(r, 300));
      expect(callsFor(paperId)).toHaveLength(QUESTIONS);
      expect(new Set(callsFor(paperId).map(questionOf)).size).toBe(QUESTIONS);
    } finally {
      await worker.close();
    }
  });

  test("a worker stopped mid-generation leaves the FAQ as it is; a new worker finishes it", async () => {
    const paperId = await seedPaper();
    // Answers 1–2 quick, the rest slow (the stopped answer 3 is asked twice).
    scripts.set(paperId, [{ chunkDelayMs: 1 }, { chunkDelayMs: 1 }, ...Array.from({ length: 5 }, () => ({ chunkSize: 3, chunkDelayMs: 25 }))]);
    const shutdown = new AbortController();
    const first = startWorker(shutdown);
    const { json } = await post(paperId);
    const faqId = String(json.faqId);
    // Wait until answer 3 is partly written.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const faq = await getFaqById(faqId);
      if (faq && faq.answers[1]!.done && faq.answers[2]!.answer.length > 5) break;
      if (Date.now() > deadline) throw new Error(`no partial answer: ${JSON.stringify(faq)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    shutdown.abort(new Error("test shutdown"));
    await first.close();
    const stopped = await getFaqById(faqId);
    expect(stopped!.status).toBe("running");
    expect(stopped!.answers.slice(0, 2).every((a) => a.done)).toBe(true);
    expect(stopped!.answers[2]!.done).toBe(false);

    const second = startWorker();
    try {
      const faq = await waitFor(faqId, ["done", "failed"]);
      expect(faq.status).toBe("done");
      expect(faq.answers.map((a) => a.answer)).toEqual(DEFAULT_QUESTIONS.map((q) => answerFor(paperId, q)));
      const asked = callsFor(paperId).map(questionOf);
      // Answers 1–2 were not asked again; answer 3 was asked twice (stopped, then again).
      expect(asked.filter((q) => q === DEFAULT_QUESTIONS[0])).toHaveLength(1);
      expect(asked.filter((q) => q === DEFAULT_QUESTIONS[1])).toHaveLength(1);
      expect(asked.filter((q) => q === DEFAULT_QUESTIONS[2])).toHaveLength(2);
      expect(asked).toHaveLength(QUESTIONS + 1);
    } finally {
      await second.close();
    }
  });

  test("failure modes: 429 then success, 500 always, a cut stream, a truncated answer; retrying a failed FAQ", async () => {
    const worker = startWorker();
    try {
      // 429, then the answer: done.
      const limited = await seedPaper();
      scripts.set(limited, [{ status: 429, retryAfter: "0" }]);
      const a = await post(limited);
      const faqA = await waitFor(String(a.json.faqId), ["done", "failed"]);
      expect(faqA.status).toBe("done");
      expect(faqA.answers[0]!.answer).toBe(answerFor(limited, DEFAULT_QUESTIONS[0]!));

      // 500 every time: failed, with a message a person understands, and no half answer kept.
      const broken = await seedPaper();
      scripts.set(broken, [{}, ...Array.from({ length: 3 }, () => ({ status: 500, message: "upstream exploded" }))]);
      const b = await post(broken);
      const faqB = await waitFor(String(b.json.faqId), ["done", "failed"]);
      expect(faqB.status).toBe("failed");
      expect(faqB.error).toMatch(/^Question 2 .*LLM service had an error/);
      expect(faqB.answers[0]!.done).toBe(true);
      expect(faqB.answers.slice(1).every((x) => !x.done && x.answer === "")).toBe(true);
      const failedEvents = await readSse(`${web.url}/api/faq/${faqB.id}/stream`);
      expect(failedEvents.at(-1)).toMatchObject({ event: "failed", data: { error: faqB.error } });

      // Trying again: only the unanswered questions are asked; it ends done.
      const callsBefore = callsFor(broken).length;
      const retry = await post(broken);
      expect(retry.status).toBe(200);
      expect(retry.json.faqId).toBe(faqB.id);
      expect(retry.json.status).toBe("queued");
      const retried = await waitFor(faqB.id, ["done", "failed"]);
      expect(retried.status).toBe("done");
      expect(retried.error).toBeNull();
      expect(callsFor(broken).length - callsBefore).toBe(QUESTIONS - 1);

      // A stream cut in the middle: the client starts the answer again; the stored text is whole.
      const cut = await seedPaper();
      scripts.set(cut, [{ cut: true, afterChunks: 3, text: "Partial text that must not stay around." }]);
      const c = await post(cut);
      const faqC = await waitFor(String(c.json.faqId), ["done", "failed"]);
      expect(faqC.status).toBe("done");
      expect(faqC.answers[0]!.answer).toBe(answerFor(cut, DEFAULT_QUESTIONS[0]!));

      // An answer that hit the token limit: failed, saying so.
      const long = await seedPaper();
      scripts.set(long, [{ text: "An answer that goes on and on", finishReason: "length" }]);
      const d = await post(long);
      const faqD = await waitFor(String(d.json.faqId), ["done", "failed"]);
      expect(faqD.status).toBe("failed");
      expect(faqD.error).toMatch(/token limit/);
      expect(faqD.answers.every((x) => x.answer === "")).toBe(true);
    } finally {
      await worker.close();
    }
  });

  test("bad requests get { error } messages", async () => {
    expect(await post("not-an-id")).toMatchObject({ status: 400, json: { error: expect.stringMatching(/not an arXiv id/) } });
    expect(await post(randomPaperId())).toMatchObject({ status: 404, json: { error: expect.stringMatching(/not stored/) } });
    const paperId = await seedPaper();
    expect(await post(paperId, { language: "fr" })).toMatchObject({ status: 400, json: { error: expect.stringMatching(/English/) } });
    const missing = await fetch(`${web.url}/api/faq/00000000-0000-0000-0000-000000000000/stream`);
    expect(missing.status).toBe(404);
  });
});
