// The summarize (FAQ) job processor: answers a paper's FAQ questions one LLM call each, streaming
// every answer into the database as it arrives (the first piece at once, then every ~250 ms) so
// readers watch it grow. Resumable: questions answered already are skipped, so a worker restarted
// mid-generation continues where it stopped. An LLM failure marks the FAQ failed with a readable
// message; a shutdown leaves it as it is and puts the job back in the queue.
// With `fullText` (FAQ_FULL_TEXT=true) the prompts carry the paper's PDF text, fitted to the token
// budget; without a usable PDF the FAQ is made from the title and abstract and says so (sourceNote).
import { UnrecoverableError, type Job, type Processor, type WorkerOptions } from "bullmq";
import { delayJob, HAND_BACK_MS } from "./delay-job";
import type { Env } from "../lib/env";
import { loadPaperSource, type FullTextDeps } from "../lib/faq/full-text";
import { buildPrompt, isFaqLanguage } from "../lib/faq/questions";
import { LlmError, type ChatMessage, type ChatResult, type StreamOptions } from "../lib/llm/types";
import { childLogger } from "../lib/logger";
import {
  addTokens,
  failFaq,
  finishFaq,
  getFaqById,
  getPaperForFaq,
  markFaqRunning,
  saveAnswerProgress,
  setFaqSourceNote,
} from "../lib/queries/faqs";
import { payloadSchemas } from "../lib/queue";

const log = childLogger("summarize");

/** What the processor needs of the LLM client (lib/llm/client.ts's LlmClient has it). */
export interface FaqLlm {
  streamChat(messages: ChatMessage[], options: StreamOptions & { maxTokens?: number }): Promise<ChatResult>;
}

export interface SummarizeProcessorDeps {
  llm: FaqLlm;
  /** Aborted at shutdown: the answer in flight is dropped and the job goes back to the queue. */
  shutdown?: AbortSignal;
  /** How often partial text is written while an answer streams. Default 250 ms. */
  saveIntervalMs?: number;
  /** Answer from the PDF's text (FAQ_FULL_TEXT). Absent: title and abstract only. */
  fullText?: FullTextDeps;
}

/**
 * The summarize worker's options: SUMMARIZE_CONCURRENCY jobs at once per process, and at most
 * SUMMARIZE_RATE_PER_MINUTE jobs started per minute by all workers together (BullMQ's limiter is
 * kept in the queue store, so it holds across processes). `durationMs` is the limiter's window.
 */
export function summarizeWorkerOptions(
  config: Pick<Env, "SUMMARIZE_CONCURRENCY" | "SUMMARIZE_RATE_PER_MINUTE">,
  durationMs = 60_000,
): Pick<WorkerOptions, "concurrency" | "limiter"> {
  return {
    concurrency: config.SUMMARIZE_CONCURRENCY,
    ...(config.SUMMARIZE_RATE_PER_MINUTE > 0 ? { limiter: { max: config.SUMMARIZE_RATE_PER_MINUTE, duration: durationMs } } : {}),
  };
}

/** Messages for readers, by failure kind: what happened and what helps. No secrets, no stack. */
export function describeLlmError(error: LlmError): string {
  const detail = error.message ? ` (${error.message})` : "";
  switch (error.kind) {
    case "not_configured":
      return "No LLM is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL) for the worker.";
    case "rate_limited":
      return `The LLM service is rate-limiting requests${detail}. Try again in a few minutes.`;
    case "server":
      return `The LLM service had an error${detail}. Try again later.`;
    case "timeout":
      return `The LLM service did not answer in time${detail}. Try again later.`;
    case "cut":
      return `The LLM service kept cutting its answers off${detail}. Try again later.`;
    case "empty":
      return "The LLM service answered with no text. Try again, or use another model.";
    case "truncated":
      return "An answer was longer than the token limit (LLM_MAX_TOKENS) and was cut off; raise the limit or try again.";
    case "rejected":
      return `The LLM service refused the request${detail}. Check the key, the model name (LLM_MODEL) and the endpoint.`;
  }
}

/**
 * The first sentence of the summary answer, for a one-line TL;DR. Markdown marks (emphasis, code,
 * headings, quotes) are dropped outside $math$; the math is kept whole (the card renders it).
 */
export function tldrFrom(text: string): string | null {
  const plain = text
    .split(/(\$[^$\n]+\$)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/[*`]/g, "")
            .replace(/^\s*[#>]+\s*/gm, "")
            .replace(/(^|[^\p{L}\p{N}])_+|_+(?=[^\p{L}\p{N}]|$)/gu, "$1"),
    )
    .join("")
    .trim();
  if (!plain) return null;
  const match = /^(.{20,300}?[.!?。！？])(\s|$)/su.exec(plain);
  return (match?.[1] ?? plain.slice(0, 300)).trim();
}

export function createSummarizeProcessor(deps: SummarizeProcessorDeps): Processor {
  const saveInterval = deps.saveIntervalMs ?? 250;
  return async (job: Job, token?: string) => {
    const { faqId } = payloadSchemas.summarize.parse(job.data);
    const faq = await getFaqById(faqId);
    if (!faq) return { faqId, skipped: "no such FAQ" };
    if (!(await markFaqRunning(faqId))) return { faqId, skipped: `already ${faq.status}` };
    const paper = await getPaperForFaq(faq.paperId);
    if (!paper) {
      await failFaq(faqId, "The paper was removed from this server.");
      return { faqId, skipped: "no paper" };
    }
    const language = isFaqLanguage(faq.language) ? faq.language : "en";
    // The prompt uses the paper as stored; the FAQ row names the version it is for.
    const promptPaper = { ...paper, version: faq.version };
    let fullText: string | undefined;
    if (deps.fullText && faq.answers.some((a) => !a.done)) {
      let source: Awaited<ReturnType<typeof loadPaperSource>>;
      try {
        source = await loadPaperSource(faq.paperId, faq.version, { ...deps.fullText, signal: deps.shutdown });
      } catch (error) {
        // Only a shutdown gets here (other failures fall back to the abstract): hand the job back.
        if (deps.shutdown?.aborted && token) await delayJob(job, token, HAND_BACK_MS);
        throw error;
      }
      if (source.kind === "full-text") fullText = source.text;
      else log.warn({ faqId, paperId: faq.paperId, note: source.note }, "FAQ without full text");
      await setFaqSourceNote(faqId, source.note);
    }

    let calls = 0;
    for (const [index, entry] of faq.answers.entries()) {
      if (entry.done) continue; // answered before a restart
      let text = "";
      let saved = "";
      let lastSave = 0;
      let pending: Promise<void> = Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      // Writes go one after another, so an older text never lands after a newer one.
      const save = () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (text === saved) return;
        const snapshot = text;
        saved = snapshot;
        lastSave = Date.now();
        pending = pending.then(() => saveAnswerProgress(faqId, index, snapshot)).catch((error: Error) => {
          log.warn({ faqId, err: error.message }, "could not save partial answer");
        });
      };
      const onDelta = (piece: string) => {
        const first = text === "";
        text += piece;
        // The first token is written at once (a reader sees something fast); later ones at most
        // every `saveInterval` ms (one small UPDATE, not one per token).
        if (first || Date.now() - lastSave >= saveInterval) save();
        else timer ??= setTimeout(save, saveInterval - (Date.now() - lastSave));
      };
      const onRestart = () => {
        // The client starts the answer again from scratch: drop what the failed attempt sent.
        text = "";
        save();
      };
      let result: ChatResult;
      try {
        calls += 1;
        result = await deps.llm.streamChat(buildPrompt(promptPaper, entry.question, language, fullText), {
          onDelta,
          onRestart,
          signal: deps.shutdown,
        });
      } catch (error) {
        if (timer) clearTimeout(timer);
        await pending;
        if (deps.shutdown?.aborted) {
          // Stopping: leave the FAQ as it is (its partial answer is not `done`, so the next run asks
          // again) and hand the job back without using an attempt.
          log.info({ faqId, index }, "shutdown during generation; job goes back to the queue");
          if (token) await delayJob(job, token, HAND_BACK_MS);
          throw error;
        }
        if (error instanceof LlmError) {
          const message = `Question ${index + 1} (“${entry.question}”): ${describeLlmError(error)}`;
          await failFaq(faqId, message);
          log.warn({ faqId, index, kind: error.kind, err: error.message }, "FAQ failed");
          // The client retried already; BullMQ trying again would only repeat the failure.
          throw new UnrecoverableError(message);
        }
        const attempts = job.opts.attempts ?? 1;
        if (job.attemptsMade + 1 >= attempts) {
          await failFaq(faqId, `The FAQ could not be generated: ${(error as Error).message}`);
        }
        throw error;
      }
      if (timer) clearTimeout(timer);
      await pending;
      const answer = result.text || text;
      await saveAnswerProgress(faqId, index, answer, true);
      if (result.usage) await addTokens(faqId, result.usage.promptTokens, result.usage.completionTokens);
      entry.answer = answer;
      entry.done = true;
    }
    const summary = faq.answers.at(-1)?.answer ?? "";
    await finishFaq(faqId, tldrFrom(summary));
    log.info({ faqId, paperId: faq.paperId, version: faq.version, calls }, "FAQ done");
    return { faqId, calls };
  };
}
