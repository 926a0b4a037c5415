// FAQ_FULL_TEXT: the summarize worker downloads the paper's PDF from a local stand-in for arXiv
// (real HTTP server) through ArxivClient.fetchPdf (User-Agent, @retry), extracts its text with unpdf,
// fits it to the token budget and sends it with every question to the fake OpenAI-compatible LLM.
// A PDF that cannot be had falls back to title + abstract, and the FAQ says so. Real BullMQ on Redis.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { estimateTokens } from "../../lib/faq/full-text";
import { ensureJob } from "../../lib/faq/request";
import { questionSetHash } from "../../lib/faq/questions";
import { LlmClient } from "../../lib/llm/client";
import { getFaqById, getOrCreateFaq, type FaqRecord } from "../../lib/queries/faqs";
import { QueueConnection } from "../../lib/queue";
import { createSummarizeProcessor } from "../../workers/summarize";
import { startFakeLlm, type FakeLlm } from "../helpers/fake-llm";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";
import { standInArxivClient } from "../helpers/arxiv-client";
import { buildPdf } from "../helpers/pdf";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";

const redisUrl = inject("redisUrl");
const QUESTIONS = ["What problem does the paper try to solve?", "What experiments were run?"];
const USER_AGENT = "faq-full-text-test/1.0 (+mailto:test@example.org)";

let fake: FakeLlm;
let arxiv: TestHttpServer;

beforeAll(async () => {
  fake = await startFakeLlm({ default: { text: "An answer from the paper.", chunkSize: 10 } });
  arxiv = await startHttpServer();
});

afterAll(async () => {
  await arxiv?.close();
  await fake?.close();
});

/** Body text long enough to count as a real paper (more than a scan's stray characters). */
function paragraph(words: number, seed: string): string {
  return Array.from({ length: words }, (_, i) => `${seed}${i % 10}`).join(" ");
}

/** Lines of at most ~90 characters, as a PDF page draws them. */
function lines(text: string): string {
  return text.replace(/(.{1,90})(\s|$)/g, "$1\n").trim();
}

async function seedPaper(): Promise<string> {
  const id = randomPaperId();
  await seedListing([entry({ id, title: `Full text of ${id}`, abstract: `Abstract sentence ABSTRACTONLY of ${id}.` })], ["cs.CL"], randomDay());
  return id;
}

/** Generates the FAQ of `paperId` v1 with a real worker and the given token budget; returns the row. */
async function generate(paperId: string, maxInputTokens: number): Promise<FaqRecord> {
  const connection = new QueueConnection({ redisUrl, prefix: `faq-pdf-${randomBytes(4).toString("hex")}` });
  const client = standInArxivClient(arxiv, {
    userAgent: USER_AGENT,
    timeoutMs: 5_000,
    retry: { retries: 2, minTimeout: 10, maxTimeout: 20, randomize: false },
  });
  const llm = new LlmClient({ baseUrl: fake.url, apiKey: "test-key", model: "fake-model", timeoutMs: 5_000, maxTokens: 200 });
  try {
    connection.worker(
      "summarize",
      createSummarizeProcessor({ llm, fullText: { fetchPdf: (id, version) => client.fetchPdf(id, version), maxInputTokens } }),
      { concurrency: 1 },
    );
    const { faq } = await getOrCreateFaq(
      { paperId, version: 1, questionSet: questionSetHash(QUESTIONS), language: "en", model: "fake-model" },
      QUESTIONS,
    );
    await ensureJob(connection, faq.id, 1);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const row = await getFaqById(faq.id);
      if (row && (row.status === "done" || row.status === "failed")) return row;
      if (Date.now() > deadline) throw new Error(`FAQ not finished: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await connection.close();
  }
}

const promptsFor = (paperId: string) =>
  fake.completionCalls().filter((c) => c.lastUserMessage.includes(`arXiv:${paperId}v1`)).map((c) => c.lastUserMessage);

/** The full-text section of a prompt, or undefined when it has none. */
function fullTextOf(prompt: string): string | undefined {
  return /Full text \(extracted from the PDF; it may be cut short\):\n([\s\S]*?)\n\nQuestion: /.exec(prompt)?.[1];
}

describe.skipIf(!redisUrl)("FAQ from the full text", () => {
  test("text from inside the PDF reaches every LLM request; tokens are recorded", async () => {
    const paperId = await seedPaper();
    const pdf = buildPdf([
      lines(`Introduction. ${paragraph(80, "intro")}`),
      lines(`Experiments. The secret ingredient is XYZZY-42, found only on page two. ${paragraph(40, "exp")}`),
    ]);
    arxiv.script(`/pdf/${paperId}v1`, [{ status: 503 }, { status: 200, headers: { "content-type": "application/pdf" }, body: pdf }]);

    const faq = await generate(paperId, 16_000);
    expect(faq.status).toBe("done");
    // Retried through @retry after the 503, with the app's User-Agent.
    const requests = arxiv.requestsTo(`/pdf/${paperId}v1`);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.headers["user-agent"]).toBe(USER_AGENT);

    const prompts = promptsFor(paperId);
    expect(prompts).toHaveLength(QUESTIONS.length);
    for (const prompt of prompts) {
      const text = fullTextOf(prompt);
      expect(text).toBeDefined();
      expect(text).toContain("Introduction.");
      expect(text).toContain("The secret ingredient is XYZZY-42, found only on page two.");
      expect(prompt).toContain("ABSTRACTONLY"); // the abstract is still there
    }
    expect(faq.sourceNote).toMatch(/^Made from the full text of the PDF \(2 pages, ~[\d,]+ tokens\)\.$/);
    expect(faq.promptTokens).toBeGreaterThan(0);
    expect(faq.completionTokens).toBeGreaterThan(0);
    // The fake reports words in the prompt as prompt tokens: the PDF text was paid for.
    expect(faq.promptTokens).toBeGreaterThan(QUESTIONS.length * 120);
  });

  test("a long PDF is cut to FAQ_MAX_INPUT_TOKENS", async () => {
    const paperId = await seedPaper();
    const pdf = buildPdf([
      lines(`BEGINMARK opening words. ${paragraph(300, "alpha")}`),
      lines(paragraph(300, "beta")),
      lines(`${paragraph(300, "gamma")} ENDMARK closing words.`),
    ]);
    arxiv.script(`/pdf/${paperId}v1`, [{ status: 200, body: pdf }]);

    const budget = 300;
    const faq = await generate(paperId, budget);
    expect(faq.status).toBe("done");
    const prompts = promptsFor(paperId);
    expect(prompts).toHaveLength(QUESTIONS.length);
    for (const prompt of prompts) {
      const text = fullTextOf(prompt)!;
      expect(text).toContain("BEGINMARK opening words.");
      expect(text).not.toContain("ENDMARK");
      expect(text).not.toContain("beta");
      expect(estimateTokens(text)).toBeLessThanOrEqual(budget);
      expect(estimateTokens(text)).toBeGreaterThan(budget - 60); // cut near the budget, not far before
    }
    expect(faq.sourceNote).toMatch(/^Made from the full text of the PDF \(3 pages\), cut to its first ~\d+ tokens of ~[\d,]+ tokens/);
  });

  test("no PDF (404), or a body that is not a PDF: title and abstract, and the FAQ says why", async () => {
    const missing = await seedPaper();
    arxiv.script(`/pdf/${missing}v1`, [{ status: 404, body: "no such paper" }]);
    const a = await generate(missing, 16_000);
    expect(a.status).toBe("done");
    expect(a.sourceNote).toMatch(/^Made from the title and abstract only: the PDF could not be downloaded \(.*404/);
    expect(arxiv.requestsTo(`/pdf/${missing}v1`)).toHaveLength(1); // a 404 is not retried
    for (const prompt of promptsFor(missing)) {
      expect(fullTextOf(prompt)).toBeUndefined();
      expect(prompt).toContain("ABSTRACTONLY");
    }
    expect(promptsFor(missing)).toHaveLength(QUESTIONS.length);

    const garbled = await seedPaper();
    arxiv.script(`/pdf/${garbled}v1`, [{ status: 200, headers: { "content-type": "text/html" }, body: "<html>captcha page</html>" }]);
    const b = await generate(garbled, 16_000);
    expect(b.status).toBe("done");
    expect(b.sourceNote).toMatch(/^Made from the title and abstract only: the PDF could not be read/);
    expect(promptsFor(garbled).every((p) => fullTextOf(p) === undefined)).toBe(true);
  });
});
