// Health of each part the app depends on: ok / not configured / failing, with the reason.
import path from "node:path";
import { db } from "./db";
import { embedderStatus, getEmbedder } from "./embed/embedder";
import { locateModel } from "./embed/model-files";
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

/** The embedding model as this process has it: loaded (on which device), or keyword fallback and why. */
async function checkEmbedding(): Promise<ComponentHealth> {
  // Loads the model on first use (once per process; a missing one is looked for again a minute later).
  await getEmbedder().catch(() => null);
  const status = embedderStatus();
  if (status.state === "loaded") {
    const device =
      status.device === status.requestedDevice
        ? `on ${status.device}`
        : `on cpu (EMBEDDING_DEVICE=${status.requestedDevice} could not load: ${status.fallbackReason})`;
    return { status: "ok", detail: `model ${status.modelId} loaded ${device}` };
  }
  if (status.state === "keyword-fallback") return { status: "not_configured", detail: `keyword fallback: ${status.reason}` };
  const location = locateModel(status.dir);
  if (!location.ok) return { status: "not_configured", detail: `keyword fallback: ${location.message}` };
  return {
    status: "ok",
    detail: `model files present in ${status.dir} (${path.relative(status.dir, location.onnxFile)}); not loaded in this process yet (device ${env().EMBEDDING_DEVICE})`,
  };
}

export async function checkHealth(): Promise<Health> {
  const [database, queue, arxiv, llm, embedding] = await Promise.all([checkDatabase(), checkQueue(), checkArxiv(), checkLlm(), checkEmbedding()]);
  const components = { database, queue, arxiv, llm, embedding };
  const status =
    database.status === "failing" || queue.status === "failing"
      ? "failing"
      : Object.values(components).some((c) => c.status === "failing")
        ? "degraded"
        : "ok";
  return { status, checkedAt: new Date().toISOString(), components };
}
