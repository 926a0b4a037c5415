// The crawl pipeline: fetch (lib/arxiv/client) → parse (lib/arxiv/parse-*) → store (lib/queries/papers),
// with counts recorded on the crawl run. Called by the crawl worker and the CLI; network only here,
// never in a page request. Every step is idempotent: a job re-run after a crash stores nothing twice.
import type { ArxivClient } from "./arxiv/client";
import { parseAtom } from "./arxiv/parse-atom";
import { parseRss } from "./arxiv/parse-rss";
import { FeedError, type ParsedEntry, type ParsedFeed } from "./arxiv/types";
import { db } from "./db";
import type { CrawlRun } from "./generated/prisma/client";
import {
  createCrawlRun,
  emptyCounts,
  failOpenRun,
  finishRun,
  getCrawlRun,
  hasScheduledRunFor,
  markRunStarted,
  openCrawlRuns,
  saveRunProgress,
  type CrawlCounts,
} from "./queries/crawl-runs";
import { hasListings, upsertEntries, type UpsertResult } from "./queries/papers";
import { getFollowedCategories } from "./queries/settings";
import type { QueueConnection } from "./queue";
import { HttpError } from "./retry";

/** What happens next after one step of a run. */
export type CrawlStep =
  | { done: true; status: "succeeded" | "no_announcement"; counts: CrawlCounts }
  | { done: false; nextStart: number; counts: CrawlCounts };

export interface CrawlDeps {
  client: ArxivClient;
  pageSize: number;
  onProgress?: (counts: CrawlCounts) => Promise<void> | void;
}

const isoDay = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);

function countFeed(counts: CrawlCounts, feed: ParsedFeed, stored: UpsertResult): CrawlCounts {
  const next = { ...counts };
  next.fetched += feed.entries.length + feed.skipped.length;
  next.stored += feed.entries.length;
  next.skipped += feed.skipped.length;
  next.newPapers += stored.newPapers;
  next.newVersions += stored.newVersions;
  for (const entry of feed.entries) {
    const type = entry.announceType ?? "new";
    next[type === "replace-cross" ? "replace_cross" : type] += 1;
  }
  return next;
}

function itemErrors(feed: ParsedFeed) {
  return feed.skipped.map((s) => ({ index: s.index, id: s.id ?? null, reason: s.reason }));
}

/** Stores a parsed daily feed as the listing of `categories` on its announcement date. */
async function storeDailyFeed(run: CrawlRun, feed: ParsedFeed): Promise<{ counts: CrawlCounts; stored: UpsertResult }> {
  const date = feed.announcedOn;
  if (!date) throw new FeedError("the RSS feed has no announcement date (channel pubDate), so its listing cannot be dated");
  const stored = await upsertEntries(feed.entries, { categories: run.categories, date, crawlRunId: run.id });
  const counts = countFeed(emptyCounts(), feed, stored);
  counts.percent = 100;
  return { counts, stored };
}

/** One step of run `runId`: an RSS run is one step; an API run is one page per step. */
export async function crawlStep(runId: string, start: number, deps: CrawlDeps): Promise<CrawlStep> {
  const run = await getCrawlRun(runId);
  if (!run) throw new FeedError(`crawl run ${runId} does not exist`);
  if (run.status === "succeeded" || run.status === "no_announcement") {
    return { done: true, status: run.status, counts: run.counts as unknown as CrawlCounts };
  }
  if (run.source === "rss") return crawlRssStep(run, deps);
  if (run.source === "api") return crawlApiStep(run, start, deps);
  throw new FeedError(`crawl source ${run.source} is run by its own command, not by the crawl queue`);
}

async function crawlRssStep(run: CrawlRun, deps: CrawlDeps): Promise<CrawlStep> {
  const document = await deps.client.fetchRss(run.categories);
  const feed = parseRss(document.body);
  const wanted = isoDay(run.dateFrom);
  if (wanted && feed.announcedOn && feed.announcedOn !== wanted) {
    throw new FeedError(
      `the RSS feed holds the announcement of ${feed.announcedOn}, not ${wanted}: RSS only has the latest day; ` +
        `crawl past days with the API source`,
    );
  }
  if (feed.entries.length === 0 && feed.skipped.length === 0) {
    const counts = { ...emptyCounts(), percent: 100, note: `the feed for ${run.categories.join("+")} is empty: no announcement (weekend or holiday)` };
    await finishRun(run.id, { status: "no_announcement", counts });
    return { done: true, status: "no_announcement", counts };
  }
  const { counts } = await storeDailyFeed(run, feed);
  // A run without a day (an admin's RSS re-crawl, the first start) crawls whatever the feed holds: it takes the feed's day.
  await finishRun(run.id, { status: "succeeded", counts, itemErrors: itemErrors(feed), announcedOn: wanted ? undefined : feed.announcedOn });
  await deps.onProgress?.(counts);
  return { done: true, status: "succeeded", counts };
}

/** arXiv API query for a submitted-date range over several categories. */
export function rangeQuery(categories: string[], from: string, to: string): string {
  const compact = (d: string) => d.replaceAll("-", "");
  const cats = categories.map((c) => `cat:${c}`).join(" OR ");
  return `(${cats}) AND submittedDate:[${compact(from)}0000 TO ${compact(to)}2359]`;
}

/**
 * The API answers a bad query with HTTP 400 and an Atom feed whose entry is titled "Error": give the
 * caller arXiv's own words (as a FeedError, which is not retried) instead of the bare status.
 */
async function fetchApi(deps: CrawlDeps, query: Parameters<ArxivClient["fetchApi"]>[0]) {
  try {
    return await deps.client.fetchApi(query);
  } catch (error) {
    if (error instanceof HttpError && error.status === 400 && error.body.includes("<feed")) parseAtom(error.body);
    throw error;
  }
}

/** Ids per API request for by-id crawls: arXiv answers id lists of this size promptly. */
const ID_BATCH = 100;

async function crawlApiStep(run: CrawlRun, start: number, deps: CrawlDeps): Promise<CrawlStep> {
  if (run.paperIds.length > 0) return crawlIdsStep(run, start, deps);
  const from = isoDay(run.dateFrom);
  const to = isoDay(run.dateTo) ?? from;
  if (!from || !to) throw new FeedError("an API crawl needs a date or a date range");
  const document = await fetchApi(deps, {
    searchQuery: rangeQuery(run.categories, from, to),
    start,
    maxResults: deps.pageSize,
    sortBy: "submittedDate",
    sortOrder: "ascending",
  });
  const feed = parseAtom(document.body);
  // API entries carry their submission date: list each on the day it was first submitted.
  const byDay = new Map<string, ParsedEntry[]>();
  for (const entry of feed.entries) {
    const date = isoDay(entry.publishedAt) ?? from;
    byDay.set(date, [...(byDay.get(date) ?? []), entry]);
  }
  const pageResult: UpsertResult = { newPapers: 0, newVersions: 0, updated: 0, unchanged: 0, newListings: 0 };
  for (const [date, entries] of byDay) {
    const r = await upsertEntries(entries, { categories: run.categories, date, crawlRunId: run.id });
    for (const key of Object.keys(pageResult) as (keyof UpsertResult)[]) pageResult[key] += r[key];
  }
  // Counts accumulate page by page; a page re-run after a crash starts again from the run's saved counts.
  const previous = start === 0 ? emptyCounts() : (run.counts as unknown as CrawlCounts);
  const counts = countFeed(previous, feed, pageResult);
  const total = feed.totalResults ?? counts.fetched;
  counts.total = total;
  const nextStart = start + feed.entries.length + feed.skipped.length;
  const more = feed.entries.length + feed.skipped.length > 0 && nextStart < total;
  counts.percent = total === 0 ? 100 : Math.min(100, Math.round((nextStart / total) * 100));
  await deps.onProgress?.(counts);
  if (more) {
    await saveRunProgress(run.id, counts);
    return { done: false, nextStart, counts };
  }
  counts.percent = 100;
  const errors = [...((run.itemErrors as unknown[]) ?? []), ...itemErrors(feed)];
  await finishRun(run.id, { status: "succeeded", counts, itemErrors: errors });
  return { done: true, status: "succeeded", counts };
}

/** Single papers by id, ID_BATCH per step. No listing: a paper fetched this way was not announced in a crawl. */
async function crawlIdsStep(run: CrawlRun, start: number, deps: CrawlDeps): Promise<CrawlStep> {
  const ids = run.paperIds.slice(start, start + ID_BATCH);
  const document = await fetchApi(deps, { idList: ids, maxResults: ids.length });
  const feed = parseAtom(document.body);
  const stored = await upsertEntries(feed.entries);
  const previous = start === 0 ? emptyCounts() : (run.counts as unknown as CrawlCounts);
  const counts = countFeed(previous, feed, stored);
  counts.total = run.paperIds.length;
  const nextStart = start + ids.length;
  const missing = ids.filter((id) => !feed.entries.some((e) => e.id === id.replace(/v\d+$/, "")));
  const errors = [
    ...(start === 0 ? [] : ((run.itemErrors as unknown[]) ?? [])),
    ...itemErrors(feed),
    ...missing.map((id) => ({ index: run.paperIds.indexOf(id), id, reason: "arXiv returned no paper with this id" })),
  ];
  counts.failed += missing.length;
  counts.percent = Math.round((nextStart / run.paperIds.length) * 100);
  await deps.onProgress?.(counts);
  if (nextStart < run.paperIds.length) {
    await db().crawlRun.update({ where: { id: run.id }, data: { itemErrors: errors as object[] } });
    await saveRunProgress(run.id, counts);
    return { done: false, nextStart, counts };
  }
  if (feed.entries.length === 0 && counts.stored === 0) {
    throw new FeedError(`arXiv has no paper with the id${run.paperIds.length > 1 ? "s" : ""} ${run.paperIds.join(", ")}`);
  }
  await finishRun(run.id, { status: "succeeded", counts, itemErrors: errors });
  return { done: true, status: "succeeded", counts };
}

export { markRunStarted };

/** Outcome of the scheduled announcement check. */
export type DailyCheck =
  | { outcome: "stored"; runId: string; date: string; counts: CrawlCounts }
  | { outcome: "already-stored"; date: string | undefined }
  | { outcome: "no-announcement"; runId: string | undefined; note: string };

/**
 * The scheduled check: fetches the followed categories' feed and stores it when it holds a day not
 * stored yet (the announcement is detected by the feed changing, not by the calendar). Otherwise
 * nothing is recorded, except at the final check of the day, which records a no-announcement run.
 */
export async function dailyCheck(deps: CrawlDeps, options: { final: boolean; now?: Date; jobId?: string }): Promise<DailyCheck> {
  const categories = await getFollowedCategories();
  const document = await deps.client.fetchRss(categories);
  const feed = parseRss(document.body);
  const fresh = feed.entries.length > 0 && feed.announcedOn !== undefined && !(await hasListings(categories, feed.announcedOn));
  if (fresh) {
    const run = await createCrawlRun({ trigger: "schedule", source: "rss", categories, dateFrom: feed.announcedOn }, "running");
    // The check's own job, so that the sweep of orphaned runs sees it live while it stores.
    await markRunStarted(run.id, options.jobId);
    const { counts } = await storeDailyFeed(run, feed);
    await finishRun(run.id, { status: "succeeded", counts, itemErrors: itemErrors(feed) });
    return { outcome: "stored", runId: run.id, date: feed.announcedOn!, counts };
  }
  if (!options.final) return { outcome: "already-stored", date: feed.announcedOn };
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const note =
    feed.entries.length === 0
      ? `no announcement on ${today}: the feed is empty (weekend or holiday)`
      : `no announcement on ${today}: the feed still holds ${feed.announcedOn}, which is already stored`;
  if (await hasScheduledRunFor(today, categories)) return { outcome: "no-announcement", runId: undefined, note };
  const run = await createCrawlRun({ trigger: "schedule", source: "rss", categories, dateFrom: today }, "running");
  await finishRun(run.id, { status: "no_announcement", counts: { ...emptyCounts(), percent: 100, note } });
  return { outcome: "no-announcement", runId: run.id, note };
}

/** The error recorded on a run whose job ended without saying how it went. */
export const ORPHANED_RUN_ERROR =
  "the crawl job ended without recording its outcome (e.g. the database was unreachable at the time); re-crawl to retry";

/** Job states in which a crawl step will still run (and record its outcome). */
const LIVE_JOB_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children"] as const;

export interface SweepOptions {
  /** A run is touched only when neither it nor its last job changed for this long (default 10 minutes). */
  graceMs?: number;
  now?: Date;
  /** Only these runs (default: every open run). */
  runIds?: string[];
}

/**
 * Marks failed the runs still "queued" or "running" that no crawl job will finish: no job of the run
 * is waiting, active or delayed on the queue, and nothing happened to the run or its last job for
 * `graceMs` (a run between two steps has the next step's job queued before the previous one ends,
 * and the grace covers the moment in between). Closes runs whose last attempt failed while the
 * database was down (the failure could not be written), or whose job was lost. Returns the ids marked.
 */
export async function sweepOrphanedRuns(connection: QueueConnection, options: SweepOptions = {}): Promise<string[]> {
  const graceMs = options.graceMs ?? 10 * 60_000;
  const now = (options.now ?? new Date()).getTime();
  const runs = await openCrawlRuns(options.runIds);
  if (runs.length === 0) return [];
  const queue = connection.queue("crawl");
  const live = new Set<string>();
  for (const job of await queue.getJobs([...LIVE_JOB_STATES], 0, -1)) {
    const runId = (job?.data as { runId?: unknown } | undefined)?.runId;
    if (typeof runId === "string") live.add(runId);
  }
  const marked: string[] = [];
  for (const run of runs) {
    if (live.has(run.id)) continue;
    // The run's last started job, else its first step's (queued, never started).
    const job = await queue.getJob(run.jobId ?? `run-${run.id}-0`);
    if (job && LIVE_JOB_STATES.includes((await job.getState()) as (typeof LIVE_JOB_STATES)[number])) continue;
    const lastActivity = Math.max(
      run.createdAt.getTime(),
      run.startedAt?.getTime() ?? 0,
      job?.timestamp ?? 0,
      job?.processedOn ?? 0,
      job?.finishedOn ?? 0,
    );
    if (now - lastActivity < graceMs) continue;
    if (await failOpenRun(run, ORPHANED_RUN_ERROR)) marked.push(run.id);
  }
  return marked;
}
