// Queue operations for the admin Queues page, on BullMQ's Queue API (the same on Redis and on the
// PostgreSQL backend): counts per state, failed jobs with their error and attempts, retry one or
// all, remove, pause and resume. A retried crawl job reopens its crawl run, so the run shows as in
// progress again instead of staying "failed" while it runs.
import type { Job } from "bullmq";
import { payloadSchemas, QUEUE_NAMES, type QueueConnection, type QueueName } from "../queue";
import { reopenCrawlRun } from "../queries/crawl-runs";

export interface QueueSummary {
  name: QueueName;
  paused: boolean;
  counts: { waiting: number; active: number; delayed: number; failed: number; completed: number; prioritized: number };
}

export interface FailedJob {
  id: string;
  queue: QueueName;
  name: string;
  /** Short description of what the job was for (a crawl run id, an FAQ id, how many papers). */
  about: string;
  runId?: string;
  error: string;
  attemptsMade: number;
  attempts: number;
  failedAt: Date | null;
  createdAt: Date;
}

export async function queueSummaries(connection: QueueConnection): Promise<QueueSummary[]> {
  return Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const queue = connection.queue(name);
      const [counts, paused] = await Promise.all([
        queue.getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized"),
        queue.isPaused(),
      ]);
      return {
        name,
        paused,
        counts: {
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          completed: counts.completed ?? 0,
          prioritized: counts.prioritized ?? 0,
        },
      };
    }),
  );
}

function describe(queue: QueueName, job: Job): { about: string; runId?: string } {
  const parsed = payloadSchemas[queue].safeParse(job.data);
  if (!parsed.success) return { about: "payload not understood" };
  const data = parsed.data as Record<string, unknown>;
  if (queue === "crawl") {
    if (data.kind === "run") return { about: `crawl run ${String(data.runId)}${data.start ? ` from entry ${String(data.start)}` : ""}`, runId: String(data.runId) };
    return { about: data.final ? "daily check (final)" : "daily check" };
  }
  if (queue === "summarize") return { about: `FAQ ${String(data.faqId)}` };
  if (queue === "embed") {
    return "scope" in data
      ? { about: data.scope === "all" ? "re-embed every paper" : "embed every paper without a current vector" }
      : { about: `${(data.paperIds as string[]).length} paper(s)` };
  }
  if (queue === "train") {
    return "topicId" in data ? { about: `train topic ${String(data.topicId)}` } : { about: "term vectors backfill, then stale topics" };
  }
  return { about: "" };
}

export async function failedJobs(connection: QueueConnection, name: QueueName, limit = 50): Promise<FailedJob[]> {
  const jobs = await connection.queue(name).getFailed(0, limit - 1);
  return jobs
    .filter((job): job is Job => Boolean(job))
    .map((job) => ({
      id: String(job.id),
      queue: name,
      name: job.name,
      ...describe(name, job),
      error: job.failedReason || "(no error text)",
      attemptsMade: job.attemptsMade,
      attempts: job.opts.attempts ?? 1,
      failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
      createdAt: new Date(job.timestamp),
    }));
}

export class JobNotFoundError extends Error {
  constructor(queue: string, id: string) {
    super(`There is no job ${id} in the ${queue} queue (it may have been retried or removed already).`);
    this.name = "JobNotFoundError";
  }
}

async function findJob(connection: QueueConnection, name: QueueName, id: string): Promise<Job> {
  const job = await connection.queue(name).getJob(id);
  if (!job) throw new JobNotFoundError(name, id);
  return job as Job;
}

async function reopenRunOf(name: QueueName, job: Job): Promise<void> {
  if (name !== "crawl") return;
  const parsed = payloadSchemas.crawl.safeParse(job.data);
  if (parsed.success && parsed.data.kind === "run") await reopenCrawlRun(parsed.data.runId);
}

/** Retries one failed job (fresh attempts); a crawl job's run goes back to queued. */
export async function retryJob(connection: QueueConnection, name: QueueName, id: string): Promise<void> {
  const job = await findJob(connection, name, id);
  const state = await job.getState();
  if (state !== "failed") throw new Error(`Job ${id} is ${state}, not failed: only failed jobs can be retried.`);
  await reopenRunOf(name, job);
  await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
}

/** Retries every failed job of a queue; returns how many. */
export async function retryAllFailed(connection: QueueConnection, name: QueueName): Promise<number> {
  const queue = connection.queue(name);
  const failed = await queue.getFailed(0, -1);
  for (const job of failed) if (job) await reopenRunOf(name, job as Job);
  for (const job of failed) if (job) await (job as Job).retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
  return failed.filter(Boolean).length;
}

/** Removes a job that is not running (an active job is owned by its worker). */
export async function removeJob(connection: QueueConnection, name: QueueName, id: string): Promise<void> {
  const job = await findJob(connection, name, id);
  const state = await job.getState();
  if (state === "active") throw new Error(`Job ${id} is running; it can be removed once it has finished or failed.`);
  await job.remove();
}

export async function setQueuePaused(connection: QueueConnection, name: QueueName, paused: boolean): Promise<void> {
  const queue = connection.queue(name);
  if (paused) await queue.pause();
  else await queue.resume();
}
