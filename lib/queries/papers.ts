// Queries over papers, their versions and daily listings. Pages, workers and scripts call these;
// nothing else queries these tables.
import type { AnnounceType, ParsedEntry } from "../arxiv/types";
import { db } from "../db";
import { papersMissingFeatures, storePaperFeatures } from "./relevance";

/** A paper as lists and cards show it (the latest version's text). */
export interface PaperRecord {
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
}

/** The columns of a PaperRecord in raw SQL, from `papers` aliased as `p`. */
export const PAPER_COLUMNS = `p.id, p.latest_version, p.title, p.abstract, p.authors, p.categories, p.primary_category,
  p.published_at, p.version_at, p.comments, p.journal_ref, p.doi`;

export interface PaperRow {
  id: string;
  latest_version: number;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  primary_category: string;
  published_at: Date | null;
  version_at: Date | null;
  comments: string | null;
  journal_ref: string | null;
  doi: string | null;
}

export function toPaperRecord(r: PaperRow): PaperRecord {
  return {
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
  };
}

export type PaperSummary = PaperRecord;

/** The most recently added papers, newest first. */
export async function listRecentPapers(limit = 50): Promise<PaperSummary[]> {
  const rows = await db().paper.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: limit,
    select: {
      id: true,
      latestVersion: true,
      title: true,
      authors: true,
      abstract: true,
      primaryCategory: true,
      categories: true,
      publishedAt: true,
      versionAt: true,
      comments: true,
      journalRef: true,
      doi: true,
    },
  });
  return rows.map(({ latestVersion, ...rest }) => ({ ...rest, version: latestVersion }));
}

export async function countPapers(): Promise<number> {
  return db().paper.count();
}

/** Where a batch of entries was announced: a daily listing of one or more followed categories. */
export interface ListingContext {
  /** The categories the feed was requested for (archives like "stat" or categories like "cs.CL"). */
  categories: string[];
  /** Announcement date, YYYY-MM-DD. */
  date: string;
  crawlRunId?: string;
}

export interface UpsertResult {
  /** Papers not stored before. */
  newPapers: number;
  /** Stored papers seen with a higher version. */
  newVersions: number;
  /** Stored papers whose text or metadata changed at the same version. */
  updated: number;
  /** Stored papers seen again with nothing new. */
  unchanged: number;
  /** Listing rows written for the first time. */
  newListings: number;
}

/** True when paper category `paperCategory` belongs to followed category or archive `followed`. */
export function categoryMatches(followed: string, paperCategory: string): boolean {
  return paperCategory === followed || paperCategory.startsWith(`${followed}.`);
}

/**
 * The announce type of an entry in one followed category. With a feed for one category arXiv's own
 * type is kept; in a combined feed it is relative to the combination, so it is derived again for
 * each category from the primary category.
 */
export function announceTypeFor(entry: ParsedEntry, category: string, singleFeed: boolean): AnnounceType {
  if (singleFeed && entry.announceType) return entry.announceType;
  const primaryHere = categoryMatches(category, entry.primaryCategory);
  const replaced = entry.announceType === "replace" || entry.announceType === "replace-cross";
  if (replaced) return primaryHere ? "replace" : "replace-cross";
  return primaryHere ? "new" : "cross";
}

/**
 * What an INSERT INTO papers does with a paper already stored (shared by upsertEntries and the
 * history import's COPY writer): a newer or equal version replaces the text, an older one never
 * does; a missing comment, journal reference, DOI or date keeps the stored one; the first
 * publication date stays. Returns the ids written.
 */
export const PAPER_CONFLICT = `ON CONFLICT (id) DO UPDATE SET
    latest_version = EXCLUDED.latest_version,
    title = EXCLUDED.title,
    abstract = EXCLUDED.abstract,
    authors = EXCLUDED.authors,
    comments = COALESCE(EXCLUDED.comments, papers.comments),
    journal_ref = COALESCE(EXCLUDED.journal_ref, papers.journal_ref),
    doi = COALESCE(EXCLUDED.doi, papers.doi),
    primary_category = EXCLUDED.primary_category,
    categories = EXCLUDED.categories,
    published_at = COALESCE(papers.published_at, EXCLUDED.published_at),
    version_at = COALESCE(EXCLUDED.version_at, papers.version_at),
    updated_at = now()
  WHERE EXCLUDED.latest_version >= papers.latest_version
  RETURNING id`;

/**
 * Stores a batch of parsed entries: papers (a newer version replaces the stored text, an older one
 * never does), every version seen, and, with a listing context, one listing row per followed
 * category the entry belongs to, in feed order. Idempotent: the same batch twice changes nothing.
 */
export async function upsertEntries(entries: ParsedEntry[], listing?: ListingContext): Promise<UpsertResult> {
  // One row per paper: the highest version in the batch wins.
  const byId = new Map<string, { entry: ParsedEntry; position: number }>();
  entries.forEach((entry, position) => {
    const seen = byId.get(entry.id);
    if (!seen || entry.version > seen.entry.version) byId.set(entry.id, { entry, position });
  });
  const batch = [...byId.values()];
  if (batch.length === 0) return { newPapers: 0, newVersions: 0, updated: 0, unchanged: 0, newListings: 0 };

  const paperRows = batch.map(({ entry }) => ({
    id: entry.id,
    version: entry.version,
    title: entry.title,
    abstract: entry.abstract,
    authors: entry.authors,
    comments: entry.comments ?? null,
    journal_ref: entry.journalRef ?? null,
    doi: entry.doi ?? null,
    primary_category: entry.primaryCategory,
    categories: entry.categories,
    published_at: entry.publishedAt?.toISOString() ?? null,
    version_at: entry.updatedAt?.toISOString() ?? null,
  }));

  const listingRows = listing
    ? batch.flatMap(({ entry, position }) =>
        listing.categories
          .filter((category) => entry.categories.some((c) => categoryMatches(category, c)))
          .map((category) => ({
            category,
            date: listing.date,
            paper_id: entry.id,
            version: entry.version,
            announce_type: announceTypeFor(entry, category, listing.categories.length === 1),
            position,
            crawl_run_id: listing.crawlRunId ?? null,
          })),
      )
    : [];

  let changedIds = new Set<string>();
  const result = await db().$transaction(async (tx) => {
    const before = await tx.$queryRawUnsafe<{ id: string; latest_version: number }[]>(
      `SELECT id, latest_version FROM papers WHERE id = ANY($1::text[])`,
      batch.map((b) => b.entry.id),
    );
    const previous = new Map(before.map((r) => [r.id, r.latest_version]));

    // Rows are passed as one JSON document: a set-based upsert, one round trip for the batch. Only
    // new or changed rows reach the INSERT: PostgreSQL computes the generated search document of
    // every row proposed to an INSERT, even one that ON CONFLICT then leaves alone.
    const written = await tx.$queryRawUnsafe<{ id: string }[]>(
      `WITH x AS (
         SELECT x.id, x.version, x.title, x.abstract, ARRAY(SELECT jsonb_array_elements_text(x.authors)) AS authors,
                x.comments, x.journal_ref, x.doi, x.primary_category,
                ARRAY(SELECT jsonb_array_elements_text(x.categories)) AS categories, x.published_at, x.version_at
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, version int, title text, abstract text, authors jsonb,
              comments text, journal_ref text, doi text, primary_category text, categories jsonb,
              published_at timestamptz, version_at timestamptz)
       ),
       changed AS (
         SELECT x.* FROM x LEFT JOIN papers p ON p.id = x.id
         WHERE p.id IS NULL
            OR (x.version >= p.latest_version
                AND (p.latest_version, p.title, p.abstract, p.authors, p.primary_category, p.categories,
                     p.comments, p.journal_ref, p.doi, p.published_at, p.version_at)
                    IS DISTINCT FROM
                    (x.version, x.title, x.abstract, x.authors, x.primary_category, x.categories,
                     COALESCE(x.comments, p.comments), COALESCE(x.journal_ref, p.journal_ref), COALESCE(x.doi, p.doi),
                     COALESCE(p.published_at, x.published_at), COALESCE(x.version_at, p.version_at)))
       )
       INSERT INTO papers (id, latest_version, title, abstract, authors, comments, journal_ref, doi,
                           primary_category, categories, published_at, version_at, updated_at)
       SELECT id, version, title, abstract, authors, comments, journal_ref, doi, primary_category, categories,
              published_at, version_at, now()
       FROM changed
       ${PAPER_CONFLICT}`,
      JSON.stringify(paperRows),
    );
    const changed = new Set(written.map((r) => r.id));
    changedIds = changed;

    await tx.$executeRawUnsafe(
      `INSERT INTO paper_versions (paper_id, version, title, abstract, submitted_at)
       SELECT x.id, x.version, x.title, x.abstract, x.version_at
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, version int, title text, abstract text, version_at timestamptz)
       ON CONFLICT (paper_id, version) DO NOTHING`,
      JSON.stringify(paperRows),
    );

    let newListings = 0;
    if (listingRows.length > 0) {
      const inserted = await tx.$queryRawUnsafe<{ inserted: boolean }[]>(
        `INSERT INTO listings (category, date, paper_id, version, announce_type, position, crawl_run_id)
         SELECT x.category, x.date::date, x.paper_id, x.version, x.announce_type::announce_type, x.position, x.crawl_run_id::uuid
         FROM jsonb_to_recordset($1::jsonb) AS x(category text, date text, paper_id text, version int,
              announce_type text, position int, crawl_run_id text)
         ON CONFLICT (category, date, paper_id) DO UPDATE SET
           version = EXCLUDED.version, announce_type = EXCLUDED.announce_type, position = EXCLUDED.position
         WHERE (listings.version, listings.announce_type, listings.position)
               IS DISTINCT FROM (EXCLUDED.version, EXCLUDED.announce_type, EXCLUDED.position)
         RETURNING (xmax = 0) AS inserted`,
        JSON.stringify(listingRows),
      );
      newListings = inserted.filter((r) => r.inserted).length;
    }

    const result: UpsertResult = { newPapers: 0, newVersions: 0, updated: 0, unchanged: 0, newListings };
    for (const { entry } of batch) {
      const was = previous.get(entry.id);
      if (was === undefined) result.newPapers += 1;
      else if (entry.version > was) result.newVersions += 1;
      else if (changed.has(entry.id)) result.updated += 1;
      else result.unchanged += 1;
    }
    return result;
  });
  // Listed papers get their term vectors for the topic models now (a failure here only delays them:
  // the worker's backfill computes what is missing).
  if (listing) {
    try {
      // Those without a current vector, and those whose text changed at the same version.
      const ids = batch.map((b) => b.entry.id);
      await storePaperFeatures(await papersMissingFeatures(ids, [...changedIds]), { replace: true });
    } catch (error) {
      const { childLogger } = await import("../logger");
      childLogger("papers").warn({ err: error }, "storing term vectors failed; the backfill will compute them");
    }
  }
  return result;
}

/**
 * Whether any of `categories` has listings on `date` (YYYY-MM-DD). A combined feed stores all of
 * them at once, and a category may have no papers on a day, so "any" means "that day is stored".
 */
export async function hasListings(categories: string[], date: string): Promise<boolean> {
  const rows = await db().$queryRawUnsafe<{ found: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM listings WHERE date = $1::date AND category = ANY($2::text[])) AS found`,
    date,
    categories,
  );
  return rows[0]?.found === true;
}

export interface PaperDetail extends PaperRecord {
  versions: { version: number; submittedAt: Date | null; firstSeenAt: Date }[];
  listings: { category: string; date: Date; announceType: string }[];
}

/** One paper with its known versions and listings, or null when it is not stored. */
export async function getPaper(id: string): Promise<PaperDetail | null> {
  const paper = await db().paper.findUnique({
    where: { id },
    include: {
      versions: { orderBy: { version: "desc" }, select: { version: true, submittedAt: true, firstSeenAt: true } },
      listings: { orderBy: { date: "desc" }, take: 20, select: { category: true, date: true, announceType: true } },
    },
  });
  if (!paper) return null;
  const { latestVersion, ...rest } = paper;
  return { ...rest, version: latestVersion };
}
