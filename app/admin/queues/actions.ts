"use server";
// Queue server actions: retry one or all failed jobs, remove a job, pause or resume a queue.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { withAdmin, type ActionResult } from "@/lib/admin/guard";
import { JobNotFoundError, removeJob, retryAllFailed, retryJob, setQueuePaused } from "@/lib/admin/queues";
import { writeAudit } from "@/lib/queries/audit";
import { appQueue, QUEUE_NAMES } from "@/lib/queue";

const queueName = z.enum(QUEUE_NAMES, { error: `The queue is one of ${QUEUE_NAMES.join(", ")}.` });
const jobInput = z.object({ queue: queueName, jobId: z.string().trim().min(1, "Which job?").max(300) });

/** Runs a job operation; a missing job is a 404, a job in the wrong state (BullMQ's refusal) a 409. */
async function onJob(operation: () => Promise<unknown>): Promise<ActionResult | null> {
  try {
    await operation();
    return null;
  } catch (error) {
    if (error instanceof JobNotFoundError) return { ok: false, error: error.message, status: 404 };
    return { ok: false, error: (error as Error).message, status: 409 };
  }
}

export async function retryFailedJob(raw: unknown): Promise<ActionResult> {
  return withAdmin(jobInput, raw, async (admin, { queue, jobId }) => {
    const refused = await onJob(() => retryJob(appQueue(), queue, jobId));
    if (refused) return refused;
    await writeAudit({ actorId: admin.id, action: "queue.retry", target: `${queue}/${jobId}` });
    revalidatePath("/admin/queues");
    return { ok: true, message: `Job ${jobId} is queued again.` };
  });
}

export async function retryAllFailedJobs(raw: unknown): Promise<ActionResult> {
  return withAdmin(z.object({ queue: queueName }), raw, async (admin, { queue }) => {
    const n = await retryAllFailed(appQueue(), queue);
    await writeAudit({ actorId: admin.id, action: "queue.retry-all", target: queue, details: { jobs: n } });
    revalidatePath("/admin/queues");
    return { ok: true, message: n === 0 ? `No failed jobs in ${queue}.` : `${n} failed job${n === 1 ? "" : "s"} in ${queue} queued again.` };
  });
}

export async function removeQueueJob(raw: unknown): Promise<ActionResult> {
  return withAdmin(jobInput, raw, async (admin, { queue, jobId }) => {
    const refused = await onJob(() => removeJob(appQueue(), queue, jobId));
    if (refused) return refused;
    await writeAudit({ actorId: admin.id, action: "queue.remove", target: `${queue}/${jobId}` });
    revalidatePath("/admin/queues");
    return { ok: true, message: `Job ${jobId} removed.` };
  });
}

export async function pauseOrResumeQueue(raw: unknown): Promise<ActionResult> {
  return withAdmin(z.object({ queue: queueName, paused: z.boolean() }), raw, async (admin, { queue, paused }) => {
    await setQueuePaused(appQueue(), queue, paused);
    await writeAudit({ actorId: admin.id, action: paused ? "queue.pause" : "queue.resume", target: queue });
    revalidatePath("/admin/queues");
    return { ok: true, message: paused ? `The ${queue} queue is paused: workers take no new jobs from it.` : `The ${queue} queue is running again.` };
  });
}
