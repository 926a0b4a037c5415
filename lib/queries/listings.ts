// Daily listings: the papers announced on a day in a set of categories, in arXiv's order, with
// counts per announce type and the days that have data (for the calendar and previous/next).
import { categoryAliases, type ListingSpec } from "../arxiv/categories";
import type { AnnounceType } from "../arxiv/types";
import { db } from "../db";

export interface ListedPaper {
  id: string;
  version: number;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  primaryCategory: string;
  publishedAt: Date | null;
  versionAt: Date | null;
  comments: string | null;
  journalRef: string | null;
  doi: string | null;
  announceType: AnnounceType;
  position: number;
}

export const ANNOUNCE_TYPES: AnnounceType[] = ["new", "cross", "replace", "replace-cross"];

/** The listing categories and archives a spec reads, aliases included. */
function expand(spec: ListingSpec) {
  const all = (codes: string[]) => [...new Set(codes.flatMap(categoryAliases))];
  const include = all(spec.include);
  const exclude = all(spec.exclude);
  return {
    include,
    // An archive ("cs", "stat") covers every listing of its categories.
    includeArchives: include.filter((c) => !c.includes(".")),
    exclude,
    excludeArchives: exclude.filter((c) => !c.includes(".")),
  };
}

/**
 * One row per paper listed on `date` in the spec's categories (a paper listed in several of them
 * counts once, under its first announce type), minus papers in excluded categories.
 */
const LISTED_CTE = `
  WITH listed AS (
    SELECT DISTINCT ON (l.paper_id) l.paper_id, l.announce_type, l.position, l.version
    FROM listings l
    WHERE l.date = $1::date
      AND (l.category = ANY($2::text[]) OR split_part(l.category, '.', 1) = ANY($3::text[]))
    ORDER BY l.paper_id, l.announce_type, l.position
  ),
  kept AS (
    SELECT listed.* FROM listed JOIN papers p ON p.id = listed.paper_id
    WHERE NOT (p.categories && $4::text[])
      AND NOT EXISTS (SELECT 1 FROM unnest(p.categories) c WHERE split_part(c, '.', 1) = ANY($5::text[]))
  )`;

function params(spec: ListingSpec, date: string) {
  const e = expand(spec);
  return [date, e.include, e.includeArchives, e.exclude, e.excludeArchives] as const;
}

export async function countListing(spec: ListingSpec, date: string): Promise<Record<AnnounceType, number>> {
  const rows = await db().$queryRawUnsafe<{ announce_type: AnnounceType; n: number }[]>(
    `${LISTED_CTE} SELECT announce_type, count(*)::int AS n FROM kept GROUP BY announce_type`,
    ...params(spec, date),
  );
  const counts = { new: 0, cross: 0, replace: 0, "replace-cross": 0 } as Record<AnnounceType, number>;
  for (const r of rows) counts[r.announce_type] = r.n;
  return counts;
}

/** Papers of the listing in arXiv's order: new, cross-lists, replacements, each by feed position. */
export async function listPapersForDay(
  spec: ListingSpec,
  date: string,
  options: { types?: AnnounceType[]; offset?: number; limit?: number } = {},
): Promise<ListedPaper[]> {
  const types = options.types?.length ? options.types : ANNOUNCE_TYPES;
  const rows = await db().$queryRawUnsafe<
    (Omit<ListedPaper, "announceType" | "version" | "primaryCategory" | "publishedAt" | "versionAt" | "journalRef"> & {
      latest_version: number;
      announce_type: AnnounceType;
      primary_category: string;
      published_at: Date | null;
      version_at: Date | null;
      journal_ref: string | null;
    })[]
  >(
    `${LISTED_CTE}
     SELECT p.id, p.latest_version, p.title, p.abstract, p.authors, p.categories, p.primary_category,
            p.published_at, p.version_at, p.comments, p.journal_ref, p.doi, kept.announce_type, kept.position
     FROM kept JOIN papers p ON p.id = kept.paper_id
     WHERE kept.announce_type::text = ANY($6::text[])
     ORDER BY kept.announce_type, kept.position, p.id
     OFFSET $7 LIMIT $8`,
    ...params(spec, date),
    types,
    options.offset ?? 0,
    options.limit ?? 2_000,
  );
  return rows.map((r) => ({
    id: r.id,
    version: r.latest_version,
    title: r.title,
    abstract: r.abstract,
    authors: r.authors,
    categories: r.categories,
    primaryCategory: r.primary_category,
    publishedAt: r.published_at,
    versionAt: r.version_at,
    comments: r.comments,
    journalRef: r.journal_ref,
    doi: r.doi,
    announceType: r.announce_type,
    position: r.position,
  }));
}

/** Days with listings in the spec's categories, newest first. */
export async function listingDays(spec: ListingSpec, limit = 400): Promise<string[]> {
  const e = expand(spec);
  const rows = await db().$queryRawUnsafe<{ day: string }[]>(
    `SELECT DISTINCT to_char(date, 'YYYY-MM-DD') AS day FROM listings
     WHERE category = ANY($1::text[]) OR split_part(category, '.', 1) = ANY($2::text[])
     ORDER BY day DESC LIMIT $3`,
    e.include,
    e.includeArchives,
    limit,
  );
  return rows.map((r) => r.day);
}
