// Crawl runs: one row per crawl, with who started it, what it fetched, its counts and outcome.
import type { CrawlRun, CrawlSource, CrawlStatus, CrawlTrigger } from "../generated/prisma/client";
import { db } from "../db";

/** Counts kept on a run. `pages` holds one entry per fetched page so that a re-run page replaces its own numbers. */
export interface CrawlCounts {
  fetched: number;
  stored: number;
  skipped: number;
  failed: number;
  new: number;
  cross: number;
  replace: number;
  replace_cross: number;
  newPapers: number;
  newVersions: number;
  /** API crawls: total matches reported by arXiv. */
  total?: number;
  percent: number;
  /** Why a run ended without storing anything (no announcement), in words. */
  note?: string;
}

export const emptyCounts = (): CrawlCounts => ({
  fetched: 0, stored: 0, skipped: 0, failed: 0, new: 0, cross: 0, replace: 0, replace_cross: 0,
  newPapers: 0, newVersions: 0, percent: 0,
});

export interface NewCrawlRun {
  trigger: CrawlTrigger;
  triggeredBy?: string;
  source: CrawlSource;
  categories: string[];
  /** Single papers by id (API source). */
  paperIds?: string[];
  dateFrom?: string;
  dateTo?: string;
}

const day = (d: string | undefined) => (d ? new Date(`${d}T00:00:00Z`) : undefined);

export async function createCrawlRun(run: NewCrawlRun, status: CrawlStatus = "queued"): Promise<CrawlRun> {
  return db().crawlRun.create({
    data: {
      trigger: run.trigger,
      triggeredBy: run.triggeredBy,
      source: run.source,
      categories: run.categories,
      paperIds: run.paperIds ?? [],
      dateFrom: day(run.dateFrom),
      dateTo: day(run.dateTo ?? run.dateFrom),
      status,
      counts: { ...emptyCounts() },
    },
  });
}

/** Creates the first-start run only when no crawl was ever recorded (safe when several workers start at once). */
export async function createFirstRunIfNone(run: NewCrawlRun): Promise<CrawlRun | undefined> {
  return db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('crawl:first-start'))`);
    if ((await tx.crawlRun.count()) > 0) return undefined;
    return tx.crawlRun.create({
      data: { trigger: run.trigger, source: run.source, categories: run.categories, counts: { ...emptyCounts() } },
    });
  });
}

export async function getCrawlRun(id: string): Promise<CrawlRun | null> {
  return db().crawlRun.findUnique({ where: { id } });
}

export async function markRunStarted(id: string, jobId: string | undefined): Promise<void> {
  // Every page of an API crawl is a job of its own: the run started with the first one.
  await db().crawlRun.updateMany({ where: { id, status: { in: ["queued", "running"] }, startedAt: null }, data: { startedAt: new Date() } });
  await db().crawlRun.updateMany({
    where: { id, status: { in: ["queued", "running"] } },
    data: { status: "running", jobId },
  });
}

export async function saveRunProgress(id: string, counts: CrawlCounts, error: string | null = null): Promise<void> {
  await db().crawlRun.update({
    where: { id },
    data: { counts: { ...counts }, newPapers: counts.newPapers, newVersions: counts.newVersions, error },
  });
}

/** Ends a run; `announcedOn` (YYYY-MM-DD) dates a run that had no day, an RSS run once its feed named one. */
export async function finishRun(
  id: string,
  outcome: {
    status: Extract<CrawlStatus, "succeeded" | "failed" | "no_announcement">;
    counts?: CrawlCounts;
    error?: string;
    itemErrors?: unknown[];
    announcedOn?: string;
  },
): Promise<void> {
  await db().crawlRun.update({
    where: { id },
    data: {
      status: outcome.status,
      ...(outcome.announcedOn ? { dateFrom: day(outcome.announcedOn), dateTo: day(outcome.announcedOn) } : {}),
      finishedAt: new Date(),
      error: outcome.error ?? null,
      ...(outcome.counts
        ? { counts: { ...outcome.counts }, newPapers: outcome.counts.newPapers, newVersions: outcome.counts.newVersions }
        : {}),
      ...(outcome.itemErrors ? { itemErrors: outcome.itemErrors as object[] } : {}),
    },
  });
}

/** The most recent run, for the home page and health. */
export async function latestCrawlRun(): Promise<CrawlRun | null> {
  return db().crawlRun.findFirst({ orderBy: { createdAt: "desc" } });
}

/** Whether a scheduled run was already recorded for `date` (YYYY-MM-DD) and these categories. */
export async function hasScheduledRunFor(date: string, categories: string[]): Promise<boolean> {
  const found = await db().crawlRun.findFirst({
    where: { trigger: "schedule", dateFrom: day(date), categories: { hasEvery: categories } },
    select: { id: true },
  });
  return found !== null;
}

/**
 * The crawl fetching paper `id` for a reader: an unfinished one if any (so that many readers
 * opening the same missing paper make one request), else the latest one.
 */
export async function readerRunFor(id: string): Promise<CrawlRun | null> {
  return db().crawlRun.findFirst({
    where: { trigger: "reader", paperIds: { has: id } },
    orderBy: [{ createdAt: "desc" }],
  });
}

/** Starts fetching paper `id` for a reader unless a fetch is already under way; returns the run. */
export async function requestPaperFetch(id: string): Promise<{ run: CrawlRun; created: boolean }> {
  return db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `reader-fetch:${id}`);
    const open = await tx.crawlRun.findFirst({
      where: { trigger: "reader", paperIds: { has: id }, status: { in: ["queued", "running"] } },
    });
    if (open) return { run: open, created: false };
    const run = await tx.crawlRun.create({
      data: { trigger: "reader", source: "api", categories: [], paperIds: [id], counts: { ...emptyCounts() } },
    });
    return { run, created: true };
  });
}

export type CrawlOutcome = CrawlStatus;

export interface CrawlRunFilter {
  category?: string;
  /** Runs whose date range covers this day (YYYY-MM-DD). */
  date?: string;
  status?: CrawlStatus;
  trigger?: CrawlTrigger;
}

/** Crawl history for the admin pages, newest first, with keyset paging on created_at. */
export async function listCrawlRuns(filter: CrawlRunFilter = {}, options: { limit?: number; before?: Date } = {}): Promise<CrawlRun[]> {
  const d = day(filter.date);
  return db().crawlRun.findMany({
    where: {
      ...(filter.category ? { categories: { has: filter.category } } : {}),
      ...(d ? { dateFrom: { lte: d }, dateTo: { gte: d } } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.trigger ? { trigger: filter.trigger } : {}),
      ...(options.before ? { createdAt: { lt: options.before } } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: options.limit ?? 50,
  });
}

export async function getCrawlRuns(ids: string[]): Promise<CrawlRun[]> {
  return db().crawlRun.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: "asc" } });
}

/** Runs still marked queued or running (optionally only these ids), for the sweep of orphaned runs. */
export async function openCrawlRuns(runIds?: string[]): Promise<CrawlRun[]> {
  return db().crawlRun.findMany({
    where: { status: { in: ["queued", "running"] }, ...(runIds ? { id: { in: runIds } } : {}) },
    orderBy: { createdAt: "asc" },
  });
}

/**
 * Marks an open run failed, but only if it is as it was read (same status, job and start): a run a
 * worker picked up in the meantime is left alone. Returns whether the run was marked.
 */
export async function failOpenRun(run: Pick<CrawlRun, "id" | "status" | "jobId" | "startedAt">, error: string): Promise<boolean> {
  const { count } = await db().crawlRun.updateMany({
    where: { id: run.id, status: run.status, jobId: run.jobId, startedAt: run.startedAt },
    data: { status: "failed", error, finishedAt: new Date() },
  });
  return count > 0;
}

/** A failed run whose job is retried by hand goes back to queued, so it shows as in progress again. */
export async function reopenCrawlRun(id: string): Promise<void> {
  await db().crawlRun.updateMany({
    where: { id, status: "failed" },
    data: { status: "queued", error: null, startedAt: null, finishedAt: null },
  });
}
