// Health of each part the app depends on: ok / not configured / failing, with the reason.
import { existsSync } from "node:fs";
import path from "node:path";
import { db } from "./db";
import { latestCrawlRun } from "./queries/crawl-runs";
import { env } from "./env";
import { appQueue } from "./queue";

export type ComponentStatus = "ok" | "not_configured" | "failing";
export interface ComponentHealth {
  status: ComponentStatus;
  detail: string;
}
export interface Health {
  status: "ok" | "degraded" | "failing";
  checkedAt: string;
  components: {
    database: ComponentHealth;
    queue: ComponentHealth;
    arxiv: ComponentHealth;
    llm: ComponentHealth;
    embedding: ComponentHealth;
  };
}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)),
  ]);
}

async function checkDatabase(): Promise<ComponentHealth> {
  if (!env().DATABASE_URL) return { status: "not_configured", detail: "DATABASE_URL is not set" };
  try {
    await timeout(db().$queryRaw`SELECT 1`, 3_000, "PostgreSQL");
    return { status: "ok", detail: "PostgreSQL answers" };
  } catch (error) {
    return { status: "failing", detail: (error as Error).message.split("\n").at(-1) ?? "unknown error" };
  }
}

async function checkQueue(): Promise<ComponentHealth> {
  try {
    const queue = appQueue();
    await queue.ping(3_000);
    return { status: "ok", detail: queue.description };
  } catch (error) {
    return { status: "failing", detail: (error as Error).message };
  }
}

/** arXiv as the crawler last saw it: the latest crawl run's outcome. */
async function checkArxiv(): Promise<ComponentHealth> {
  try {
    const run = await latestCrawlRun();
    if (!run) return { status: "ok", detail: "no crawl has run yet" };
    const when = run.createdAt.toISOString();
    if (run.status === "failed") return { status: "failing", detail: `last crawl (${when}) failed: ${run.error}` };
    if (run.error) return { status: "failing", detail: `crawl in progress (${when}) is retrying: ${run.error}` };
    return { status: "ok", detail: `last crawl (${when}): ${run.status}` };
  } catch (error) {
    return { status: "failing", detail: (error as Error).message.split("\n").at(-1) ?? "unknown error" };
  }
}

let llmCache: { at: number; value: ComponentHealth } | undefined;

async function checkLlm(): Promise<ComponentHealth> {
  const config = env();
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    return { status: "not_configured", detail: "set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint)" };
  }
  if (llmCache && Date.now() - llmCache.at < 60_000) return llmCache.value;
  const base = (config.OPENAI_BASE_URL ?? "https://api.openai.com/v1").replace(/\/$/, "");
  let value: ComponentHealth;
  try {
    const response = await fetch(`${base}/models`, {
      headers: config.OPENAI_API_KEY ? { authorization: `Bearer ${config.OPENAI_API_KEY}` } : {},
      signal: AbortSignal.timeout(3_000),
    });
    value = response.ok
      ? { status: "ok", detail: `${base} answers; model ${config.LLM_MODEL}` }
      : { status: "failing", detail: `${base}/models answered HTTP ${response.status}` };
  } catch (error) {
    value = { status: "failing", detail: `${base}: ${(error as Error).message}` };
  }
  llmCache = { at: Date.now(), value };
  return value;
}

function checkEmbedding(): ComponentHealth {
  const dir = path.resolve(env().EMBEDDING_MODEL_DIR);
  const onnx = ["onnx/model_quantized.onnx", "onnx/model.onnx"].find((f) => existsSync(path.join(dir, f)));
  if (!existsSync(path.join(dir, "tokenizer.json")) || !onnx) {
    return {
      status: "not_configured",
      detail: `no model in ${dir} (needs tokenizer.json and onnx/model_quantized.onnx or onnx/model.onnx); relevance uses keyword scoring`,
    };
  }
  return { status: "ok", detail: `model files present in ${dir} (${onnx})` };
}

export async function checkHealth(): Promise<Health> {
  const [database, queue, arxiv, llm] = await Promise.all([checkDatabase(), checkQueue(), checkArxiv(), checkLlm()]);
  const components = { database, queue, arxiv, llm, embedding: checkEmbedding() };
  const status =
    database.status === "failing" || queue.status === "failing"
      ? "failing"
      : Object.values(components).some((c) => c.status === "failing")
        ? "degraded"
        : "ok";
  return { status, checkedAt: new Date().toISOString(), components };
}
