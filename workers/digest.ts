// The digest job processor: sends the daily digests of an announced day (lib/digest/send.ts). It is
// queued when a crawl stores a day, before the day's embeddings and the topics' retraining are done;
// while a topic's scores are not final it sends the topics that are ready and comes back every
// `recheckMs` (the job waits as delayed, using no attempt), until `waitForScoresMs` after it was
// queued, when the rest are sent with the scores there are (an embed job that keeps failing must not
// hold digests back for ever). Deliveries already made are never made again (claims in the database).
import type { Job, Processor } from "bullmq";
import { delayJob, HAND_BACK_MS } from "./delay-job";
import { sendDigestsForDay, type DigestDeps } from "../lib/digest/send";
import { childLogger } from "../lib/logger";
import { payloadSchemas } from "../lib/queue";

const log = childLogger("digest");

export interface DigestProcessorDeps extends DigestDeps {
  /** How long after the job was queued the digests wait for final scores (default 3 hours). */
  waitForScoresMs?: number;
  /** How often a waiting job looks again (default 1 minute). */
  recheckMs?: number;
}

export function createDigestProcessor(deps: DigestProcessorDeps): Processor {
  const waitForScoresMs = deps.waitForScoresMs ?? 3 * 3600_000;
  const recheckMs = deps.recheckMs ?? 60_000;
  return async (job: Job, token?: string) => {
    const { date } = payloadSchemas.digest.parse(job.data);
    const sendUnready = Date.now() - job.timestamp >= waitForScoresMs;
    let outcome;
    try {
      outcome = await sendDigestsForDay(date, deps, { sendUnready });
    } catch (error) {
      // Stopping: the claims were given back; hand the job back without using an attempt.
      if (deps.shutdown?.aborted && token) await delayJob(job, token, HAND_BACK_MS);
      throw error;
    }
    const sent = outcome.deliveries.filter((d) => d.status !== "taken");
    if (sent.length || outcome.skipped) log.info({ date, deliveries: sent.length, waiting: outcome.waiting.length, skipped: outcome.skipped }, "digests");
    if (outcome.waiting.length && token) {
      await job.updateProgress({ date, delivered: sent.length, waiting: outcome.waiting.length });
      await delayJob(job, token, recheckMs);
    }
    return { date, skipped: outcome.skipped, deliveries: outcome.deliveries.length, byStatus: countBy(outcome.deliveries.map((d) => d.status)) };
  };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
