// Daily listings: the papers announced on a day in a set of categories, in arXiv's order, with
// counts per announce type and the days that have data (for the calendar and previous/next).
// Listings change only when a crawl stores a day, so reads are kept for LISTING_CACHE_SECONDS:
// every reader of a busy listing shares one set of queries (new papers show within that time).
// A listing may also be read in order of popularity (lib/popularity/sql.ts), best first.
import { listingCodes, type ListingSpec } from "../arxiv/categories";
import type { AnnounceType } from "../arxiv/types";
import { db } from "../db";
import { env } from "../env";
import { popularitySql, toPopularity, type Popularity, type PopularityRow } from "../popularity/sql";
import type { ListingSort } from "../query-params";
import { PAPER_COLUMNS, toPaperRecord, type PaperRecord, type PaperRow } from "./papers";

export interface ListedPaper extends PaperRecord {
  announceType: AnnounceType;
  position: number;
  /** The one-line TL;DR of the paper's newest finished FAQ (English preferred), once one exists. */
  tldr: string | null;
  /** Read with the popular order (the same statement); otherwise absent, filled in per page (withPopularity). */
  popularity?: Popularity | null;
}

export const ANNOUNCE_TYPES: AnnounceType[] = ["new", "cross", "replace", "replace-cross"];

const memo = new Map<string, { at: number; value: Promise<unknown> }>();

/** A listing in popular order changes with every star and open: kept at most this long (ms). */
const POPULAR_KEPT_MS = 5_000;

/**
 * `load()` shared by callers with the same key for LISTING_CACHE_SECONDS (or `maxMs`, when
 * shorter). Failures are not kept, nor empty results (a day being crawled right now must show as
 * soon as it is stored).
 */
function remembered<T>(key: string, load: () => Promise<T>, maxMs = Number.POSITIVE_INFINITY): Promise<T> {
  const ttl = Math.min(env().LISTING_CACHE_SECONDS * 1000, maxMs);
  if (ttl === 0) return load();
  const now = Date.now();
  const hit = memo.get(key);
  if (hit && now - hit.at < ttl) return hit.value as Promise<T>;
  if (memo.size > 5_000) memo.clear();
  const value = load();
  memo.set(key, { at: now, value });
  value.then(
    (v) => Array.isArray(v) && v.length === 0 && memo.delete(key),
    () => memo.delete(key),
  );
  return value;
}

/** The listing codes a spec reads: categories, their aliases, and archives spelled out (index-friendly). */
function expand(spec: ListingSpec) {
  return {
    include: [...new Set(spec.include.flatMap(listingCodes))],
    exclude: [...new Set(spec.exclude.flatMap(listingCodes))],
  };
}

/**
 * One row per paper listed on `date` in the spec's categories (a paper listed in several of them
 * counts once, under its first announce type), minus papers in excluded categories. The join with
 * papers is only needed when something is excluded.
 */
function listedCte(excluding: boolean): string {
  return `
  WITH listed AS (
    SELECT DISTINCT ON (l.paper_id) l.paper_id, l.announce_type, l.position, l.version
    FROM listings l
    WHERE l.date = $1::date AND l.category = ANY($2::text[])
    ORDER BY l.paper_id, l.announce_type, l.position
  ),
  kept AS (${
    excluding
      ? `SELECT listed.* FROM listed JOIN papers p ON p.id = listed.paper_id WHERE NOT (p.categories && $3::text[])`
      : `SELECT listed.* FROM listed WHERE $3::text[] IS NOT NULL`
  })`;
}

/** The listing CTEs (`listed`, `kept`) and their first three parameters, for queries built on a listing. */
export function params(spec: ListingSpec, date: string) {
  const e = expand(spec);
  return { sql: listedCte(e.exclude.length > 0), args: [date, e.include, e.exclude] as const };
}

const specKey = (spec: ListingSpec) => `${spec.include.join(",")}-${spec.exclude.join(",")}`;

export async function countListing(spec: ListingSpec, date: string): Promise<Record<AnnounceType, number>> {
  return remembered(`count|${specKey(spec)}|${date}`, () => countListingNow(spec, date));
}

async function countListingNow(spec: ListingSpec, date: string): Promise<Record<AnnounceType, number>> {
  const { sql, args } = params(spec, date);
  const rows = await db().$queryRawUnsafe<{ announce_type: AnnounceType; n: number }[]>(
    `${sql} SELECT announce_type, count(*)::int AS n FROM kept GROUP BY announce_type`,
    ...args,
  );
  const counts = { new: 0, cross: 0, replace: 0, "replace-cross": 0 } as Record<AnnounceType, number>;
  for (const r of rows) counts[r.announce_type] = r.n;
  return counts;
}

export interface ListingOptions {
  types?: AnnounceType[];
  offset?: number;
  limit?: number;
  /** "arxiv" (default) or "popular": most readers first, then most stars, then arXiv's order. */
  sort?: ListingSort;
}

/**
 * Papers of the listing in arXiv's order: new, cross-lists, replacements, each by feed position; or
 * in order of popularity, with each paper's counts read in the same statement.
 */
export async function listPapersForDay(spec: ListingSpec, date: string, options: ListingOptions = {}): Promise<ListedPaper[]> {
  const key = `papers|${specKey(spec)}|${date}|${options.types?.join(",") ?? ""}|${options.offset ?? 0}|${options.limit ?? ""}|${options.sort ?? ""}`;
  return remembered(key, () => listPapersForDayNow(spec, date, options), options.sort === "popular" ? POPULAR_KEPT_MS : undefined);
}

/** The paper's latest finished TL;DR (English first), as column `tldr`; needs `papers p` in scope. */
export const TLDR_COLUMN = `(SELECT f.tldr FROM faqs f
         WHERE f.paper_id = p.id AND f.status = 'done' AND f.tldr IS NOT NULL
         ORDER BY f.version DESC, (f.language = 'en') DESC, f.updated_at DESC LIMIT 1) AS tldr`;

async function listPapersForDayNow(spec: ListingSpec, date: string, options: ListingOptions): Promise<ListedPaper[]> {
  const types = options.types?.length ? options.types : ANNOUNCE_TYPES;
  const popular = options.sort === "popular";
  const { sql, args } = params(spec, date);
  const rows = await db().$queryRawUnsafe<(PaperRow & Partial<PopularityRow> & { announce_type: AnnounceType; position: number; tldr: string | null })[]>(
    `${sql}${
      popular
        ? `, tab AS (SELECT * FROM kept WHERE kept.announce_type::text = ANY($4::text[])),
           pop AS (${popularitySql("SELECT paper_id FROM tab")})`
        : ""
    }
     SELECT ${PAPER_COLUMNS}, kept.announce_type, kept.position,
       ${TLDR_COLUMN}${popular ? ", pop.stars, pop.faqs, pop.opens, pop.readers" : ""}
     FROM kept JOIN papers p ON p.id = kept.paper_id${popular ? " LEFT JOIN pop ON pop.paper_id = kept.paper_id" : ""}
     WHERE kept.announce_type::text = ANY($4::text[])
     ORDER BY ${popular ? "pop.readers DESC NULLS LAST, pop.stars DESC NULLS LAST, " : ""}kept.announce_type, kept.position, p.id
     OFFSET $5 LIMIT $6`,
    ...args,
    types,
    options.offset ?? 0,
    options.limit ?? 2_000,
  );
  return rows.map((r) => ({
    ...toPaperRecord(r),
    announceType: r.announce_type,
    position: r.position,
    tldr: r.tldr,
    ...(popular ? { popularity: toPopularity(r as PopularityRow) } : {}),
  }));
}

/**
 * Days with listings in the spec's categories, newest first. `fresh`: read now, not kept (a worker
 * that has just stored a day must see it).
 */
export async function listingDays(spec: ListingSpec, limit = 400, options: { fresh?: boolean } = {}): Promise<string[]> {
  return remembered(`days|${specKey(spec)}|${limit}`, async () => {
    const rows = await db().$queryRawUnsafe<{ day: string }[]>(
      `SELECT to_char(d.date, 'YYYY-MM-DD') AS day
       FROM (SELECT DISTINCT date FROM listings WHERE category = ANY($1::text[])) d
       ORDER BY d.date DESC LIMIT $2`,
      expand(spec).include,
      limit,
    );
    return rows.map((r) => r.day);
  }, options.fresh ? 0 : undefined);
}
