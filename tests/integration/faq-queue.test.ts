// Cost control on the summarize queue, with real BullMQ on Redis, the real worker options and
// processor, and the fake OpenAI-compatible LLM:
// - interactive requests (a reader waiting) are served before background ones queued earlier;
// - SUMMARIZE_RATE_PER_MINUTE: the worker starts no more FAQ jobs per window than allowed, even with
//   free concurrency (the window is shortened here; production uses one minute);
// - the tokens the endpoint reports are summed per FAQ.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { questionSetHash } from "../../lib/faq/questions";
import { BACKGROUND_PRIORITY, ensureJob, INTERACTIVE_PRIORITY, queuePosition } from "../../lib/faq/request";
import { LlmClient } from "../../lib/llm/client";
import { getFaqById, getOrCreateFaq, type FaqRecord } from "../../lib/queries/faqs";
import { QueueConnection } from "../../lib/queue";
import { createSummarizeProcessor, summarizeWorkerOptions } from "../../workers/summarize";
import { startFakeLlm, type FakeLlm, type FakeLlmCall } from "../helpers/fake-llm";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";

const redisUrl = inject("redisUrl");
const QUESTIONS = ["What is new?", "What are the limits?"];
const USAGE = { promptTokens: 120, completionTokens: 9 };

let fake: FakeLlm;
const connections: QueueConnection[] = [];

const paperOf = (call: FakeLlmCall) => /arXiv:(\S+?)v\d+/.exec(call.lastUserMessage)?.[1] ?? "";

beforeAll(async () => {
  fake = await startFakeLlm({ default: { text: "A short answer.", chunkSize: 8, usage: USAGE } });
});

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await fake?.close();
});

function connect(): QueueConnection {
  const connection = new QueueConnection({ redisUrl, prefix: `faq-queue-${randomBytes(4).toString("hex")}` });
  connections.push(connection);
  return connection;
}

const llm = () => new LlmClient({ baseUrl: fake.url, apiKey: "test-key", model: "fake-model", timeoutMs: 5_000, maxTokens: 200 });

async function newFaq(): Promise<FaqRecord> {
  const paperId = randomPaperId();
  await seedListing([entry({ id: paperId })], ["cs.CL"], randomDay());
  const { faq } = await getOrCreateFaq(
    { paperId, version: 1, questionSet: questionSetHash(QUESTIONS), language: "en", model: "fake-model" },
    QUESTIONS,
  );
  return faq;
}

async function waitDone(faqId: string, timeoutMs = 20_000): Promise<FaqRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const faq = await getFaqById(faqId);
    if (faq && (faq.status === "done" || faq.status === "failed")) return faq;
    if (Date.now() > deadline) throw new Error(`FAQ ${faqId} not finished: ${JSON.stringify(faq)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!redisUrl)("summarize queue", () => {
  test("an interactive request is served before background ones queued earlier; tokens are summed per FAQ", async () => {
    const connection = connect();
    const [first, second, urgent] = [await newFaq(), await newFaq(), await newFaq()];
    await ensureJob(connection, first.id, BACKGROUND_PRIORITY);
    await ensureJob(connection, second.id, BACKGROUND_PRIORITY);
    await ensureJob(connection, urgent.id, INTERACTIVE_PRIORITY);
    expect(await queuePosition(connection, urgent.id)).toBe(1);
    expect(await queuePosition(connection, first.id)).toBe(2);
    expect(await queuePosition(connection, second.id)).toBe(3);

    connection.worker("summarize", createSummarizeProcessor({ llm: llm() }), { concurrency: 1 });
    await waitDone(second.id);
    const order = fake
      .completionCalls()
      .map(paperOf)
      .filter((id) => [first.paperId, second.paperId, urgent.paperId].includes(id));
    expect(order).toEqual([urgent.paperId, urgent.paperId, first.paperId, first.paperId, second.paperId, second.paperId]);

    const done = await getFaqById(urgent.id);
    expect(done!.promptTokens).toBe(USAGE.promptTokens * QUESTIONS.length);
    expect(done!.completionTokens).toBe(USAGE.completionTokens * QUESTIONS.length);
  });

  test("SUMMARIZE_RATE_PER_MINUTE caps the jobs started per window, whatever the concurrency", async () => {
    expect(summarizeWorkerOptions({ SUMMARIZE_CONCURRENCY: 3, SUMMARIZE_RATE_PER_MINUTE: 0 })).toEqual({ concurrency: 3 });
    expect(summarizeWorkerOptions({ SUMMARIZE_CONCURRENCY: 3, SUMMARIZE_RATE_PER_MINUTE: 20 })).toEqual({
      concurrency: 3,
      limiter: { max: 20, duration: 60_000 },
    });

    const connection = connect();
    const faqs = [await newFaq(), await newFaq(), await newFaq()];
    for (const faq of faqs) await ensureJob(connection, faq.id, INTERACTIVE_PRIORITY);
    const windowMs = 5_000;
    connection.worker(
      "summarize",
      createSummarizeProcessor({ llm: llm() }),
      summarizeWorkerOptions({ SUMMARIZE_CONCURRENCY: 3, SUMMARIZE_RATE_PER_MINUTE: 2 }, windowMs),
    );
    // Two start at once; the third waits for the next window though a slot is free.
    const deadline = Date.now() + windowMs;
    let done: FaqRecord[] = [];
    while (done.length < 2 && Date.now() < deadline) {
      done = (await Promise.all(faqs.map((f) => getFaqById(f.id)))).filter((f): f is FaqRecord => f?.status === "done");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(done).toHaveLength(2);
    const waiting = faqs.find((f) => !done.some((d) => d.id === f.id))!;
    expect((await getFaqById(waiting.id))!.status).toBe("queued");
    expect(fake.completionCalls().filter((c) => paperOf(c) === waiting.paperId)).toHaveLength(0);
    // It runs once the window has passed.
    expect((await waitDone(waiting.id, windowMs * 3)).status).toBe("done");
  });
});
