// `npm run bench:faq`: the FAQ's two latencies, through the production web server (`next start`),
// BullMQ on Redis, a summarize worker in this process, and the fake OpenAI-compatible LLM of the
// tests. Prints figures; asserts nothing.
//   cached   time from opening GET /api/faq/<id>/stream to its `done` event for a finished FAQ, p50/p90 of 50
//   first    time from POST /api/faq to the first streamed `delta` event, minus the fake LLM's own
//            first-token delay (what the app adds: queue, worker, write, poll), median of 10
//   pdf      FAQ_FULL_TEXT's own work per FAQ: extracting the text of a generated 30-page PDF (unpdf)
//            and fitting it to the default FAQ_MAX_INPUT_TOKENS, median of 10 (no network)
//
// Database: a scratch database on the server of DATABASE_URL (default the local PostgreSQL), dropped
// afterwards. Redis: REDIS_URL (default redis://127.0.0.1:6379), database 13 (its jobs stay there).
import { cpus } from "node:os";
import { readSse } from "../tests/helpers/sse";
import { applyMigrations } from "../lib/migrate";
import { startFakeLlm } from "../tests/helpers/fake-llm";
import { buildPdf } from "../tests/helpers/pdf";
import { extractPdfText, fitToBudget } from "../lib/faq/full-text";
import { createScratchDatabase, startNextServer, type BenchServer } from "./support";

const FIRST_TOKEN_DELAY_MS = 200;
const CACHED_RUNS = 50;
const FIRST_TOKEN_RUNS = 10;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

/** Reads an SSE response until `until` returns true for an event; returns when, from `t0`. */
async function sseUntil(url: string, until: (event: string) => boolean, t0: number): Promise<number> {
  const events = await readSse(url, { timeoutMs: 30_000, stop: (e) => until(e.event) });
  const last = events.at(-1);
  if (!last || !until(last.event)) throw new Error(`${url}: the stream ended first`);
  return last.at - t0;
}

const PDF_PAGES = 30;
const PDF_RUNS = 10;

/** Extract + fit of a PDF_PAGES-page PDF (55 lines of ~90 characters a page): ms per run. */
async function pdfFigures(): Promise<{ runs: number[]; bytes: number; chars: number; tokens: number; truncated: boolean }> {
  const line = (p: number, l: number) => `Page ${p} line ${l}: the method improves accuracy on held-out data by a wide margin.`;
  const pages = Array.from({ length: PDF_PAGES }, (_, p) => Array.from({ length: 55 }, (_, l) => line(p + 1, l + 1)).join("\n"));
  const pdf = buildPdf(pages);
  const runs: number[] = [];
  let chars = 0;
  let fitted = { tokens: 0, truncated: false };
  for (let i = 0; i < PDF_RUNS + 1; i++) {
    const t0 = performance.now();
    const { text } = await extractPdfText(pdf);
    fitted = fitToBudget(text, 16_000);
    if (i > 0) runs.push(performance.now() - t0); // the first run warms pdf.js up
    chars = text.length;
  }
  return { runs, bytes: pdf.length, chars, ...fitted };
}

async function main() {
  const pdf = await pdfFigures();
  const redis = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  redis.pathname = "/13";
  const scratch = await createScratchDatabase("bench_faq");
  const { server } = scratch;
  const databaseUrl = scratch.url;
  process.env.DATABASE_URL = databaseUrl;
  process.env.REDIS_URL = redis.toString();
  process.env.LOG_LEVEL ??= "warn";
  const fake = await startFakeLlm({ default: { text: "A short **answer** with $x^2$.", firstTokenDelayMs: FIRST_TOKEN_DELAY_MS } });
  let web: BenchServer | undefined;
  const { QueueConnection } = await import("../lib/queue");
  const connection = new QueueConnection({ redisUrl: redis.toString() });
  try {
    await applyMigrations(databaseUrl);
    const { upsertEntries } = await import("../lib/queries/papers");
    const { LlmClient } = await import("../lib/llm/client");
    const { createSummarizeProcessor } = await import("../workers/summarize");
    const ids = Array.from({ length: FIRST_TOKEN_RUNS + 1 }, (_, i) => `9901.${String(10000 + i)}`);
    await upsertEntries(
      ids.map((id) => ({ id, version: 1, announceType: "new" as const, title: `Bench paper ${id}`, abstract: "An abstract.", authors: ["A. Bench"], categories: ["cs.CL"], primaryCategory: "cs.CL" })),
      { categories: ["cs.CL"], date: "2099-01-05" },
    );
    const llm = new LlmClient({ baseUrl: fake.url, apiKey: "bench", model: "fake-model", timeoutMs: 10_000, maxTokens: 400 });
    connection.worker("summarize", createSummarizeProcessor({ llm }), { concurrency: 2 });

    web = startNextServer({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "bench", LLM_MODEL: "fake-model", FAQ_OPEN: "true" });
    const { base } = web;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/api/health`)).status < 600) break;
      } catch {
        if (i > 150) throw new Error("next start did not come up");
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const post = async (paperId: string) => {
      const response = await fetch(`${base}/api/faq`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ paperId, language: "en" }) });
      const body = (await response.json()) as { faqId?: string; error?: string };
      if (!body.faqId) throw new Error(`POST /api/faq: ${body.error ?? response.status}`);
      return body.faqId;
    };

    // Time from POST to the first streamed token, less the fake's own first-token delay.
    const first: number[] = [];
    for (const id of ids.slice(0, FIRST_TOKEN_RUNS)) {
      const t0 = performance.now();
      const faqId = await post(id);
      first.push((await sseUntil(`${base}/api/faq/${faqId}/stream`, (e) => e === "delta", t0)) - FIRST_TOKEN_DELAY_MS);
      // Let it finish, so the next paper meets an idle worker (no queueing behind this one).
      await sseUntil(`${base}/api/faq/${faqId}/stream`, (e) => e === "done", t0);
    }

    // A finished FAQ: time to `done` from the SSE route (warm-up first).
    const cachedId = await post(ids[0]!);
    await sseUntil(`${base}/api/faq/${cachedId}/stream`, (e) => e === "done", performance.now());
    const cached: number[] = [];
    for (let i = 0; i < CACHED_RUNS; i++) {
      const t0 = performance.now();
      cached.push(await sseUntil(`${base}/api/faq/${cachedId}/stream`, (e) => e === "done", t0));
    }

    console.log(`\nbench:faq — FAQ latencies through next start, BullMQ on Redis and the fake LLM`);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, PostgreSQL at ${server.host}, Redis at ${redis.host}`);
    console.log(`cached FAQ, GET stream → done event, ${CACHED_RUNS} requests: p50 ${pct(cached, 50).toFixed(1)} ms, p90 ${pct(cached, 90).toFixed(1)} ms, min ${sorted(cached)[0]!.toFixed(1)} ms`);
    console.log(`POST → first streamed token minus the LLM's ${FIRST_TOKEN_DELAY_MS} ms first-token delay, ${FIRST_TOKEN_RUNS} papers: median ${pct(first, 50).toFixed(1)} ms, min ${sorted(first)[0]!.toFixed(1)} ms, max ${sorted(first).at(-1)!.toFixed(1)} ms`);
    console.log(`full text: extract + fit a ${PDF_PAGES}-page PDF (${(pdf.bytes / 1024).toFixed(0)} KiB, ${pdf.chars} characters → ~${pdf.tokens} tokens${pdf.truncated ? ", cut" : ""}), ${PDF_RUNS} runs: median ${pct(pdf.runs, 50).toFixed(1)} ms, max ${sorted(pdf.runs).at(-1)!.toFixed(1)} ms`);
    console.log(`LLM calls: ${fake.completionCalls().length}`);
  } finally {
    await web?.stop();
    await connection.close();
    await fake.close();
    const { disconnectDb } = await import("../lib/db");
    await disconnectDb();
    await scratch.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
