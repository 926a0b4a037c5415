// Queues: counts per state for crawl, embed and summarize; failed jobs with their error and attempts;
// retry one or all, remove, pause and resume. Refreshes itself every few seconds.
import type { Metadata } from "next";
import { AutoRefresh } from "@/app/components/auto-refresh";
import { adminPage } from "@/lib/admin/guard";
import { failedJobs, queueSummaries, type FailedJob, type QueueSummary } from "@/lib/admin/queues";
import { appQueue } from "@/lib/queue";
import { ActionButton } from "../admin-client";
import { pauseOrResumeQueue, removeQueueJob, retryAllFailedJobs, retryFailedJob } from "./actions";

export const metadata: Metadata = { title: "Queues · Admin" };
export const dynamic = "force-dynamic";

const STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;

export default async function QueuesPage() {
  await adminPage("/admin/queues");
  let queues: { summary: QueueSummary; failed: FailedJob[] }[];
  try {
    const summaries = await queueSummaries(appQueue());
    queues = await Promise.all(summaries.map(async (summary) => ({ summary, failed: await failedJobs(appQueue(), summary.name) })));
  } catch (error) {
    return (
      <>
        <h1>Queues</h1>
        <p role="alert" className="crawl-error">The queue store could not be read: {(error as Error).message}</p>
        <AutoRefresh seconds={5} />
      </>
    );
  }
  return (
    <>
      <h1>Queues</h1>
      <AutoRefresh seconds={5} />
      {queues.map(({ summary, failed }) => (
        <section key={summary.name} className="admin-section queue-card" aria-label={`${summary.name} queue`} data-queue={summary.name}>
          <h2>
            {summary.name}
            {summary.paused ? <span className="status-pill status-failed">paused</span> : null}
          </h2>
          <div className="table-wrap">
            <table className="admin-table queue-counts">
              <thead><tr>{STATES.map((s) => <th key={s} className="num">{s}</th>)}</tr></thead>
              <tbody>
                <tr>
                  {STATES.map((s) => (
                    <td key={s} className="num" data-state={s}>
                      {s === "waiting" ? summary.counts.waiting + summary.counts.prioritized : summary.counts[s]}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </div>
          <p>
            <ActionButton
              action={pauseOrResumeQueue}
              args={{ queue: summary.name, paused: !summary.paused }}
              label={summary.paused ? `Resume ${summary.name}` : `Pause ${summary.name}`}
            />
            {failed.length ? (
              <ActionButton action={retryAllFailedJobs} args={{ queue: summary.name }} label={`Retry all failed ${summary.name} jobs`} />
            ) : null}
          </p>
          {failed.length === 0 ? (
            <p className="muted">No failed jobs.</p>
          ) : (
            <div className="table-wrap">
              <table className="admin-table failed-jobs">
                <thead><tr><th>Job</th><th>Error</th><th className="num">Attempts</th><th>Failed at</th><th /></tr></thead>
                <tbody>
                  {failed.map((job) => (
                    <tr key={job.id} data-job-id={job.id}>
                      <td>
                        {job.about}
                        <br />
                        <span className="muted">{job.id}</span>
                      </td>
                      <td className="error-text">{job.error}</td>
                      <td className="num">{job.attemptsMade} of {job.attempts}</td>
                      <td>{job.failedAt ? job.failedAt.toISOString().replace("T", " ").slice(0, 19) : "—"}</td>
                      <td>
                        <ActionButton action={retryFailedJob} args={{ queue: summary.name, jobId: job.id }} label="Retry" title={`Retry ${job.id}`} />
                        <ActionButton action={removeQueueJob} args={{ queue: summary.name, jobId: job.id }} label="Remove" confirm={`Remove job ${job.id}?`} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
    </>
  );
}
