// The shape of a crawl run the admin pages show and the progress route sends: plain JSON, dates as
// ISO strings, counts with defaults (older runs may lack a field).
import type { CrawlRun } from "../generated/prisma/client";
import { emptyCounts, type CrawlCounts } from "../queries/crawl-runs";

export interface RunView {
  id: string;
  trigger: string;
  triggeredBy: string | null;
  source: string;
  categories: string[];
  paperIds: string[];
  dateFrom: string | null;
  dateTo: string | null;
  status: CrawlRun["status"];
  counts: CrawlCounts;
  newPapers: number;
  newVersions: number;
  error: string | null;
  itemErrors: { id?: string | null; reason?: string }[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Seconds from start (or creation) to finish; null while unfinished. */
  durationSeconds: number | null;
  finished: boolean;
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

export function toRunView(run: CrawlRun): RunView {
  const finished = run.status === "succeeded" || run.status === "failed" || run.status === "no_announcement";
  const start = run.startedAt ?? run.createdAt;
  return {
    id: run.id,
    trigger: run.trigger,
    triggeredBy: run.triggeredBy,
    source: run.source,
    categories: run.categories,
    paperIds: run.paperIds,
    dateFrom: day(run.dateFrom),
    dateTo: day(run.dateTo),
    status: run.status,
    counts: { ...emptyCounts(), ...((run.counts ?? {}) as Partial<CrawlCounts>) },
    newPapers: run.newPapers,
    newVersions: run.newVersions,
    error: run.error,
    itemErrors: Array.isArray(run.itemErrors) ? (run.itemErrors as RunView["itemErrors"]) : [],
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationSeconds: run.finishedAt ? Math.max(0, (run.finishedAt.getTime() - start.getTime()) / 1000) : null,
    finished,
  };
}
