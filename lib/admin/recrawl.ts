// Re-crawls started by an administrator: validation (known categories; for the API source a day or
// a range that is not inverted, not in the future, at most MAX_RECRAWL_DAYS days; the RSS source
// takes no date), the rate limit, and the runs and jobs. API crawls get one run (one job chain) per
// day, so the admin page shows each day's progress; an RSS crawl is one run for whatever day the feed
// announces now (the crawl records that day on the run). Re-crawling a stored day is safe: papers are
// upserted, and each run reports how many papers and versions were new.
import { z } from "zod";
import { isKnownCategory } from "../arxiv/categories";
import type { CurrentUser } from "../auth";
import { db } from "../db";
import { env } from "../env";
import type { CrawlRun } from "../generated/prisma/client";
import { emptyCounts, finishRun } from "../queries/crawl-runs";
import { day } from "../query-params";
import { enqueueCrawl, type QueueConnection } from "../queue";

/** Longest date range one request may cover. */
export const MAX_RECRAWL_DAYS = 31;
/** Re-crawl requests one administrator may make per minute (a double click cannot flood arXiv). */
export const RECRAWL_REQUESTS_PER_MINUTE = 3;
/** Categories per request. */
export const MAX_RECRAWL_CATEGORIES = 20;

/** A date field: a calendar day (lib/query-params.ts), or absent when left empty. */
const dateField = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().pipe(day).optional());

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);

export const recrawlInput = z
  .object({
    categories: z
      .array(z.string().trim())
      .min(1, "Pick at least one category.")
      .max(MAX_RECRAWL_CATEGORIES, `At most ${MAX_RECRAWL_CATEGORIES} categories per re-crawl.`)
      .transform((list) => [...new Set(list.filter(Boolean))])
      .superRefine((list, ctx) => {
        const unknown = list.filter((c) => !isKnownCategory(c));
        if (unknown.length) ctx.addIssue({ code: "custom", message: `Not an arXiv category: ${unknown.map((c) => `"${c}"`).join(", ")}.` });
        if (list.length === 0) ctx.addIssue({ code: "custom", message: "Pick at least one category." });
      }),
    source: z.enum(["rss", "api"], { error: "The source is RSS (the latest announcement) or API (any past days)." }),
    from: dateField,
    to: dateField,
  })
  .superRefine((v, ctx) => {
    if (v.source === "rss") {
      if (v.from || v.to) {
        ctx.addIssue({
          code: "custom",
          path: [v.from ? "from" : "to"],
          message: "RSS re-crawls the latest announcement, whatever its day, and takes no date: leave the dates empty, or pick the API source for a given day.",
        });
      }
      return;
    }
    if (!v.from) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "The API source needs a day: fill in From (and To for a range)." });
      return;
    }
    const to = v.to ?? v.from;
    if (v.from > to) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `The range is inverted: ${v.from} is after ${to}.` });
      return;
    }
    const days = daysBetween(v.from, to);
    if (days > MAX_RECRAWL_DAYS) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `The range is too large: ${days} days; at most ${MAX_RECRAWL_DAYS} per re-crawl.` });
    }
    if (to > today()) ctx.addIssue({ code: "custom", path: ["to"], message: `${to} is in the future.` });
  })
  .transform((v): RecrawlRequest =>
    v.source === "rss" ? { categories: v.categories, source: "rss" } : { categories: v.categories, source: "api", from: v.from!, to: v.to ?? v.from! },
  );

export type RecrawlInput = z.input<typeof recrawlInput>;
/** RSS: the latest announcement (no date); API: every day from `from` to `to`. */
export type RecrawlRequest = { categories: string[]; source: "rss" } | { categories: string[]; source: "api"; from: string; to: string };

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export class RateLimitError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Too many re-crawls: at most ${RECRAWL_REQUESTS_PER_MINUTE} per minute. Try again in ${retryAfterSeconds} s ` +
        `(the runs already started are below).`,
    );
    this.name = "RateLimitError";
  }
}

const RECRAWL_ACTION = "crawl.recrawl";

/**
 * Records the runs of one request and its audit entry in one transaction, after counting this
 * administrator's requests of the last minute under a lock (two quick clicks cannot both slip through),
 * then enqueues one job per run. Throws RateLimitError when over the limit.
 */
export async function startRecrawl(admin: CurrentUser, request: RecrawlRequest, connection: QueueConnection): Promise<CrawlRun[]> {
  // An RSS run has no day until its crawl reads the feed's.
  const days: (string | undefined)[] = request.source === "api" ? eachDay(request.from, request.to) : [undefined];
  const runs = await db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `paper-triage:recrawl-rate:${admin.id}`);
    const since = new Date(Date.now() - 60_000);
    const recent = await tx.auditLog.findMany({
      where: { action: RECRAWL_ACTION, actorId: admin.id, createdAt: { gte: since } },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
    });
    if (recent.length >= RECRAWL_REQUESTS_PER_MINUTE) {
      const oldest = recent[0]!.createdAt.getTime();
      throw new RateLimitError(Math.max(1, Math.ceil((oldest + 60_000 - Date.now()) / 1000)));
    }
    const created: CrawlRun[] = [];
    for (const date of days) {
      created.push(
        await tx.crawlRun.create({
          data: {
            trigger: "admin",
            triggeredBy: admin.email,
            source: request.source,
            categories: request.categories,
            dateFrom: date ? new Date(`${date}T00:00:00Z`) : null,
            dateTo: date ? new Date(`${date}T00:00:00Z`) : null,
            counts: { ...emptyCounts() },
          },
        }),
      );
    }
    await tx.auditLog.create({
      data: {
        actorId: admin.id,
        action: RECRAWL_ACTION,
        target: request.categories.join(","),
        details: { ...(request.source === "api" ? { source: "api", from: request.from, to: request.to } : { source: "rss" }), runs: created.map((r) => r.id) },
      },
    });
    return created;
  });
  for (const run of runs) {
    try {
      await enqueueCrawl(connection, run.id, { retryDelayMs: env().CRAWL_RETRY_DELAY_MS });
    } catch (error) {
      // A run nobody will pick up must not show as queued forever.
      await finishRun(run.id, { status: "failed", error: `could not be queued: ${(error as Error).message}` });
      throw error;
    }
  }
  return runs;
}
