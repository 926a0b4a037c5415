// Putting the job being processed back in its queue for later, without using one of its attempts:
// BullMQ's moveToDelayed, then the DelayedError that tells the worker the job is not finished.
import { DelayedError, type Job } from "bullmq";

/** The job runs again in `ms` (a job handed back at shutdown: soon, by whichever worker is up). */
export async function delayJob(job: Job, token: string, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}

/** How soon a job handed back at shutdown may run again. */
export const HAND_BACK_MS = 100;
