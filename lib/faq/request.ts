// Asking for a paper's FAQ from the web side: finds or creates the FAQ row for the paper's current
// version and, when it still has to be generated, puts one `summarize` job in the queue. The job id
// is derived from the FAQ id, so any number of simultaneous requests make one job (one LLM call per
// question). Never calls the LLM itself: generation happens only in the worker.
import { env, type Env } from "../env";
import {
  attachFaqRequest,
  findFaq,
  getOrCreateFaq,
  getPaperForFaq,
  resetFaq,
  type FaqKey,
  takeFaqRequest,
  type FaqRecord,
} from "../queries/faqs";
import { appQueue, enqueue, type QueueConnection } from "../queue";
import { isFaqLanguage, questionSetHash, questionsFrom, type FaqLanguage } from "./questions";

export const INTERACTIVE_PRIORITY = 1;
export const BACKGROUND_PRIORITY = 10;

/** Which questions, question set and model a new FAQ gets under this configuration. */
export function faqSettings(config: Env = env()): { questions: readonly string[]; questionSet: string; model: string } {
  const questions = questionsFrom(config.FAQ_QUESTIONS);
  return { questions, questionSet: questionSetHash(questions), model: config.LLM_MODEL };
}

/** Whether an LLM endpoint is configured (the same test as the health page's). */
export function llmConfigured(config: Env = env()): boolean {
  return Boolean(config.OPENAI_API_KEY || config.OPENAI_BASE_URL);
}

export const NOT_CONFIGURED_MESSAGE =
  "No LLM is configured on this server: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint, LLM_MODEL for the model) and restart it.";

/** The one job id of an FAQ's generation. BullMQ ignores an add whose id exists. */
export function faqJobId(faqId: string): string {
  return `faq-${faqId}`;
}

export interface FaqRequest {
  paperId: string;
  language: string;
  /** The signed-in reader, or null. */
  userId: string | null;
  /** A reader is waiting (priority 1) or not (background, priority 10). */
  interactive: boolean;
  /** Clear a finished FAQ and generate it again. */
  regenerate?: boolean;
}

export type FaqRequestResult =
  | { faq: FaqRecord; position: number | null }
  | { error: string; status: 400 | 401 | 404 | 429 | 503; retryAfterSeconds?: number };

export async function requestFaq(
  request: FaqRequest,
  deps: { connection?: QueueConnection; config?: Env } = {},
): Promise<FaqRequestResult> {
  const config = deps.config ?? env();
  if (!isFaqLanguage(request.language)) return { error: `FAQs are available in English (en) and Chinese (zh), not "${request.language}".`, status: 400 };
  const language: FaqLanguage = request.language;
  const paper = await getPaperForFaq(request.paperId);
  if (!paper) return { error: `Paper ${request.paperId} is not stored here.`, status: 404 };
  const settings = faqSettings(config);
  const key: FaqKey = { paperId: paper.id, version: paper.version, questionSet: settings.questionSet, language, model: settings.model };

  // A cached FAQ is free for everyone, signed in or not, configured LLM or not.
  const existing = await findFaq(key.paperId, key.version, key.questionSet, key.language, key.model);
  if (existing?.status === "done" && !request.regenerate) return { faq: existing, position: null };

  const connection = deps.connection ?? appQueue();
  if (existing && (existing.status === "queued" || existing.status === "running") && !request.regenerate) {
    // Someone already asked: join the wait (and make sure the job exists: a crash between the
    // insert and the enqueue would otherwise leave the row queued forever).
    if (existing.status === "queued") await ensureJob(connection, existing.id, priorityOf(request));
    return { faq: existing, position: await queuePosition(connection, existing.id) };
  }

  // From here on a new generation starts.
  if (!llmConfigured(config)) return { error: NOT_CONFIGURED_MESSAGE, status: 503 };
  if (!request.userId && !config.FAQ_OPEN) return { error: "Sign in to generate an FAQ (reading FAQs made already needs no account).", status: 401 };
  // Signed-in readers: counted in the database (faq_requests), so the limit holds across web
  // processes and restarts. Signed-out readers (FAQ_OPEN) have no identity to count; the worker's
  // global rate limit (SUMMARIZE_RATE_PER_MINUTE) bounds what they can cost.
  let counted: string | undefined;
  if (request.userId) {
    const taken = await takeFaqRequest(request.userId, paper.id, config.FAQ_USER_HOURLY_LIMIT);
    if ("refused" in taken) {
      const retryAfterSeconds = Math.max(1, Math.ceil((taken.retryAt.getTime() - Date.now()) / 1000));
      return {
        retryAfterSeconds,
        error: `You have started ${taken.count} FAQ generation${taken.count === 1 ? "" : "s"} in the past hour; the most allowed per hour is ${config.FAQ_USER_HOURLY_LIMIT}. FAQs made already still open; you can start another in ${waitText(retryAfterSeconds)}.`,
        status: 429,
      };
    }
    counted = taken.id;
  }

  let faq: FaqRecord;
  if (!existing) {
    faq = (await getOrCreateFaq(key, settings.questions)).faq;
  } else {
    // Failed (try again) or done with `regenerate`: only one of simultaneous requests flips it.
    await resetFaq(existing.id, { regenerate: request.regenerate });
    faq = (await findFaq(key.paperId, key.version, key.questionSet, key.language, key.model)) ?? existing;
  }
  if (counted) await attachFaqRequest(counted, faq.id);
  if (faq.status === "queued") await ensureJob(connection, faq.id, priorityOf(request));
  return { faq, position: faq.status === "queued" ? await queuePosition(connection, faq.id) : null };
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

function priorityOf(request: FaqRequest): number {
  return request.interactive ? INTERACTIVE_PRIORITY : BACKGROUND_PRIORITY;
}

/**
 * Adds the FAQ's job unless one is waiting or running. A finished job of the same id (a failed
 * generation being tried again) is removed first, as BullMQ would otherwise ignore the add.
 */
export async function ensureJob(connection: QueueConnection, faqId: string, priority: number): Promise<void> {
  const queue = connection.queue("summarize");
  const jobId = faqJobId(faqId);
  const job = await queue.getJob(jobId);
  if (job) {
    const state = await job.getState();
    if (state !== "completed" && state !== "failed" && state !== "unknown") return;
    await job.remove().catch(() => undefined);
  }
  await enqueue(connection, "summarize", { faqId }, { jobId, priority });
}

/**
 * The FAQ's place in the line (1: next to start), 0 while a worker runs it, null when it has no
 * waiting job. Ordered as BullMQ serves them: by priority, then by arrival.
 */
export async function queuePosition(connection: QueueConnection, faqId: string): Promise<number | null> {
  const queue = connection.queue("summarize");
  const jobId = faqJobId(faqId);
  const job = await queue.getJob(jobId);
  if (!job) return null;
  const state = await job.getState();
  if (state === "active") return 0;
  if (state !== "waiting" && state !== "prioritized" && state !== "delayed") return null;
  const waiting = await queue.getJobs(["prioritized", "waiting"], 0, 999);
  const line = waiting
    .filter((j) => j.id !== undefined)
    .sort((a, b) => (a.opts.priority ?? 0) - (b.opts.priority ?? 0) || a.timestamp - b.timestamp);
  const index = line.findIndex((j) => j.id === jobId);
  return index < 0 ? line.length + 1 : index + 1;
}
