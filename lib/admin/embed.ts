// Embedding every paper from the admin overview: start a run ("missing": papers without a current
// vector; "all": every paper again), refused while another one is queued or running, audited; and a
// run's progress as the embed worker reports it (job.updateProgress: done, total, percent).
import { randomUUID } from "node:crypto";
import type { Job } from "bullmq";
import { z } from "zod";
import type { CurrentUser } from "../auth";
import { db } from "../db";
import { listAudit } from "../queries/audit";
import { enqueueEmbedAll, payloadSchemas, type QueueConnection } from "../queue";

export const EMBED_ALL_ACTION = "embed.all";

export const embedAllInput = z.object({
  scope: z.enum(["missing", "all"], {
    error: 'The scope is "missing" (papers without a current vector) or "all" (every paper again).',
  }),
});
export type EmbedScope = z.infer<typeof embedAllInput>["scope"];

/** Ids of runs started here: `embed-all-<uuid>` (checked by the progress route before any lookup). */
export const embedRunId = z
  .string()
  .trim()
  .regex(/^embed-all-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "The id must be an embedding run id (embed-all-<uuid>).");

export interface EmbedRunView {
  jobId: string;
  scope: EmbedScope;
  state: "queued" | "running" | "retrying" | "done" | "skipped" | "failed";
  finished: boolean;
  done: number;
  total: number;
  percent: number;
  /** Why it failed or was skipped; the last error while retrying. */
  message: string | null;
  createdAt: string;
}

const progressSchema = z.object({ done: z.number(), total: z.number(), percent: z.number().optional() });
const skippedSchema = z.object({ skipped: z.string() });
const countsSchema = z.object({ done: z.number(), total: z.number() });

/** States of a job that is not finished yet. */
const OPEN_STATES = ["active", "waiting", "delayed", "prioritized", "waiting-children"] as const;

function scopeOf(job: Job): EmbedScope | null {
  const parsed = payloadSchemas.embed.safeParse(job.data);
  return parsed.success && "scope" in parsed.data ? parsed.data.scope : null;
}

/** `state`: read before `job` was (see getEmbedRun); read now when not given. */
export async function toEmbedRunView(job: Job, knownState?: string): Promise<EmbedRunView | null> {
  const scope = scopeOf(job);
  if (!scope) return null;
  const state = knownState ?? (await job.getState());
  const progress = progressSchema.safeParse(job.progress);
  let done = progress.success ? progress.data.done : 0;
  let total = progress.success ? progress.data.total : 0;
  let view: Pick<EmbedRunView, "state" | "message">;
  if (state === "completed") {
    const skipped = skippedSchema.safeParse(job.returnvalue);
    const counts = countsSchema.safeParse(job.returnvalue);
    if (skipped.success) view = { state: "skipped", message: skipped.data.skipped };
    else {
      if (counts.success) ({ done, total } = counts.data);
      view = { state: "done", message: total === 0 ? "Every paper already had a current vector: nothing to embed." : null };
    }
  } else if (state === "failed") {
    view = { state: "failed", message: job.failedReason || "(no error text)" };
  } else if (state === "active") {
    view = { state: "running", message: null };
  } else {
    // Waiting again after a failed attempt: say why, the next attempt follows on its own.
    view = job.attemptsMade > 0 ? { state: "retrying", message: job.failedReason || null } : { state: "queued", message: null };
  }
  const finished = view.state === "done" || view.state === "skipped" || view.state === "failed";
  const percent = view.state === "done" ? 100 : total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return { jobId: String(job.id), scope, ...view, finished, done, total, percent, createdAt: new Date(job.timestamp).toISOString() };
}

/** An embed-every-paper job that is queued or running (started here or anywhere else), if any. */
export async function openEmbedRun(connection: QueueConnection): Promise<EmbedRunView | null> {
  const jobs = (await connection.queue("embed").getJobs([...OPEN_STATES], 0, 999)) as (Job | undefined)[];
  for (const job of jobs) {
    if (!job || !scopeOf(job)) continue;
    const view = await toEmbedRunView(job);
    if (view && !view.finished) return view;
  }
  return null;
}

export async function getEmbedRun(connection: QueueConnection, jobId: string): Promise<EmbedRunView | null> {
  const queue = connection.queue("embed");
  // The state first, then the job: a job read just before it completed and its state just after
  // would look finished without its result (a skipped run would read as done).
  const state = await queue.getJobState(jobId);
  const job = (await queue.getJob(jobId)) as Job | undefined;
  return job ? toEmbedRunView(job, state) : null;
}

/** What the overview shows: the open run, else the last one an administrator started (while its job is kept). */
export async function currentEmbedRun(connection: QueueConnection): Promise<EmbedRunView | null> {
  const open = await openEmbedRun(connection);
  if (open) return open;
  const [last] = await listAudit({ action: EMBED_ALL_ACTION, limit: 1 });
  const jobId = embedRunId.safeParse(last?.details.jobId);
  return jobId.success ? getEmbedRun(connection, jobId.data) : null;
}

export class EmbedRunOpenError extends Error {
  constructor(readonly run: EmbedRunView) {
    super(
      run.state === "running"
        ? `An embedding run is already running (${run.done.toLocaleString("en")} of ${run.total.toLocaleString("en")} papers); start another once it has finished.`
        : "An embedding run is already queued; start another once it has finished.",
    );
    this.name = "EmbedRunOpenError";
  }
}

/**
 * Queues one embed-every-paper job and its audit entry, unless one is already open (EmbedRunOpenError).
 * The check and the enqueue happen under a lock, so two quick clicks (or two administrators) start one run.
 */
export async function startEmbedRun(admin: CurrentUser, scope: EmbedScope, connection: QueueConnection): Promise<EmbedRunView> {
  const jobId = `embed-all-${randomUUID()}`;
  const job = await db().$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, "paper-triage:embed-all");
      const open = await openEmbedRun(connection);
      if (open) throw new EmbedRunOpenError(open);
      const added = await enqueueEmbedAll(connection, scope, { jobId });
      await tx.auditLog.create({ data: { actorId: admin.id, action: EMBED_ALL_ACTION, target: scope, details: { jobId } } });
      return added as Job;
    },
    { timeout: 20_000 },
  );
  return (await toEmbedRunView(job))!;
}
